"""Figures from other tables than the ledger's, through the provider registry."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.figures import periods, providers, service
from core.figures.providers import provider
from core.platform.db import tenant_scope

MAY = periods.parse("2024-05")
IN_MAY = datetime(2024, 5, 10, 2, 0, tzinfo=UTC)
IN_JUNE = datetime(2024, 6, 10, 2, 0, tzinfo=UTC)


def test_a_provider_needs_its_tables_and_a_unique_name():
    @provider("test_nowhere", "测试", needs="no.such.module")
    def nowhere(session, period, tenant_ids, by_unit):
        return {}

    try:
        assert "test_nowhere" not in providers.registered()
        assert providers.missing()["test_nowhere"] == "测试"
        with pytest.raises(ValueError, match="duplicate"):
            provider("test_nowhere", "again")(nowhere)
    finally:
        providers._PROVIDERS.pop("test_nowhere")


def test_public_reports_accountability_and_case_reviews(db, tenant):
    from core.checklists.models import TemplateVersion
    from core.oversight.models import AccountabilityMeasure
    from core.public.models import PublicReport
    from plugins.enforcement.models import CaseFile, Review

    station = tenant.station.id
    with tenant_scope(tenant.tenant.id):
        for i, (at, status, rating) in enumerate(
            [
                (IN_MAY, "accepted", "satisfied"),
                (IN_MAY, "dismissed", "dissatisfied"),
                (IN_MAY, "received", None),
                (IN_JUNE, "accepted", "satisfied"),  # another month: not counted
            ]
        ):
            db.session.add(
                PublicReport(
                    tracking_code=f"T{i}", secret_salt="s", category="attitude", description="态度差",
                    unit_id=station, status=status, received_at=at, rating=rating, challenge_nonce=f"n{i}",
                )
            )  # fmt: skip
        db.session.add_all(
            [
                AccountabilityMeasure(unit_id=station, kind="interview", measure="约谈", decided_on=date(2024, 5, 20),
                                      decided_by="user:1"),
                AccountabilityMeasure(unit_id=station, kind="criticism", measure="批评", decided_on=date(2024, 4, 30),
                                      decided_by="user:1"),
            ]
        )  # fmt: skip
        version = TemplateVersion(code="test-rubric", domain="enforcement", version=1, fingerprint="f" * 64, content={})
        db.session.add(version)
        db.session.flush()
        case = CaseFile(case_no="罚2024-1", case_type="general", unit_id=station, filed_on=date(2024, 1, 5),
                        created_by="user:1")  # fmt: skip
        db.session.add(case)
        db.session.flush()
        for score, grade, kind in (
            (92.0, "excellent", "review"),
            (60.0, "fail", "review"),
            (80.0, "pass", "re_review"),
        ):
            db.session.add(
                Review(unit_id=station, case_file_id=case.id, kind=kind, rubric_version_id=version.id,
                       rubric_version=1, thresholds={"excellent": 90, "pass": 70}, status="scored", score=score,
                       grade=grade, created_by="user:1", reviewed_at=IN_MAY)
            )  # fmt: skip
        db.session.flush()
        values = providers.compute(db.session, MAY, [tenant.tenant.id], by_unit=True)
    key = (tenant.tenant.id, station)
    assert values["public_received"][key] == 3
    assert values["public_handled"][key] == 2
    assert values["public_satisfaction"][key] == (1, 2)
    assert values["accountability"][key] == 1
    assert values["case_review_score"][key] == (152.0, 2)  # first reviews only: (92 + 60) / 2
    assert values["case_review_fail_share"][key] == (1, 2)
    sums = service.Sums()
    # A provider with nothing for this unit (or counted per tenant only, as 问题线索) gives the group 0 (attach's rule).
    service.attach({(): sums}, {n: ({(): vals[key]} if key in vals else {}) for n, vals in values.items()}, [()])
    figures = sums.figures()
    assert figures["public_satisfaction"] == 0.5
    assert figures["case_review_score"] == 76.0
    assert service.show(figures["case_review_score"], "average") == "76.0"
    assert "case_review_score" not in providers.missing()


def test_coverage_counts_unit_and_enabled_domain_pairs(db, tenant):
    from core.checklists.models import Checklist, TemplateVersion
    from core.tenancy.service import registry

    with tenant_scope(tenant.tenant.id):
        version = TemplateVersion(code="test-list", domain="general", version=1, fingerprint="e" * 64, content={})
        db.session.add(version)
        db.session.flush()
        db.session.add(
            Checklist(template_version_id=version.id, template_code="test-list", domain="general",
                      unit_id=tenant.station.id, inspector="张三", inspected_on=date(2024, 5, 9), target_name="窗口",
                      status="submitted", created_by="user:1", submitted_at=IN_MAY)
        )  # fmt: skip
        db.session.flush()
        values = providers.compute(db.session, MAY, [tenant.tenant.id], by_unit=True)["coverage"]
    domains = len(registry().domains)  # every domain is on in the test tenant
    assert values[(tenant.tenant.id, tenant.station.id)] == (1, domains)
    assert values[(tenant.tenant.id, tenant.agency.id)] == (0, domains)
