"""Certificates (expired, expiring, valid) and the sweep; the audit checklist: valid, filled, submitted."""

from __future__ import annotations

import io
from datetime import timedelta

from fixtures.ledger import PNG
from paid_services_helpers import API, days, post_agency, today
from sqlalchemy import func, select

from core.checklists.templates import check_template, evaluate
from core.ledger.models import Problem
from core.platform.db import db, tenant_scope
from core.tenancy.models import Tenant
from core.tenancy.service import registry
from plugins.paid_services.checklists import FEE_AUDIT, TEMPLATES
from plugins.paid_services.domain import DOMAIN
from plugins.paid_services.models import FeeFlag
from plugins.paid_services.service import EXPIRED_RULE, EXPIRY_WARNING_DAYS


def _sweep(world, on=None) -> int:
    """Run the plugin's own xingfeng_sweep as ``xingfeng sweep`` does: inside the tenant's scope."""
    impl = next(i for i in registry().pm.hook.xingfeng_sweep.get_hookimpls() if i.plugin_name == "paid_services")
    with tenant_scope(world.tenant.id):
        tenant = db.session.get(Tenant, world.tenant.id)
        recorded = impl.function(tenant=tenant, today=on or today())
        db.session.commit()
    return recorded


def _expired_problems(world) -> list[Problem]:
    with tenant_scope(world.tenant.id):
        return db.session.scalars(select(Problem).where(Problem.external_ref.like(f"{EXPIRED_RULE}:%"))).all()


def _flags(world) -> list[tuple[str, int]]:
    with tenant_scope(world.tenant.id):
        return [(f.kind, f.agency_id) for f in db.session.scalars(select(FeeFlag).order_by(FeeFlag.id))]


def test_certificate_states_expired_expiring_and_valid(client, tenant):
    expired = post_agency(client, tenant, serial=1, name="过期中心", cma_expires_on=days(-5))
    soon = post_agency(client, tenant, serial=2, name="将到期中心", cma_expires_on=days(EXPIRY_WARNING_DAYS - 1))
    valid = post_agency(client, tenant, serial=3, name="有效中心", cma_expires_on=days(EXPIRY_WARNING_DAYS + 60))
    none = post_agency(client, tenant, serial=4, name="未登记中心", cma_expires_on=None, kind="public_institution")
    assert (expired["certificate_state"], expired["certificate_days_left"]) == ("expired", -5)
    assert expired["certificate_state_name"] == "已过期"
    assert (soon["certificate_state"], soon["certificate_days_left"]) == ("expiring", EXPIRY_WARNING_DAYS - 1)
    assert valid["certificate_state"] == "valid"
    assert none["certificate_state"] == "none"
    # Recorded already expired or expiring: flagged at once, not only at the next sweep.
    flags = client.get(f"{API}/flags", headers=tenant.headers("viewer")).json["items"]
    by_agency = {f["agency_id"]: f for f in flags}
    assert set(by_agency) == {expired["id"], soon["id"]}
    assert by_agency[expired["id"]]["kind"] == "certificate_expired"
    assert by_agency[expired["id"]]["category_name"] == "资质问题"
    assert by_agency[soon["id"]]["kind"] == "certificate_expiring"
    assert by_agency[soon["id"]]["status"] == "open"
    # The expired certificate is a problem of the system, linked to its flag.
    problems = _expired_problems(tenant)
    assert len(problems) == 1
    assert problems[0].category == "qualification"
    assert problems[0].domain == "paid_services"
    assert problems[0].unit_id == tenant.agency.id
    assert problems[0].created_by == f"system:{EXPIRED_RULE}"
    assert by_agency[expired["id"]]["problem_id"] == problems[0].id
    assert by_agency[expired["id"]]["status"] == "problem"


def test_the_sweep_creates_the_expired_certificates_problem_exactly_once(client, tenant, other_tenant):
    agency = post_agency(client, tenant, cma_expires_on=days(40))
    post_agency(client, other_tenant, cma_expires_on=days(5))
    assert _sweep(tenant) == 0  # valid today
    assert _flags(tenant) == []
    # 20 days on, within the warning window: flagged once, however often the sweep runs.
    assert _sweep(tenant, today() + timedelta(days=20)) == 1
    assert _sweep(tenant, today() + timedelta(days=21)) == 0
    assert _flags(tenant) == [("certificate_expiring", agency["id"])]
    assert _expired_problems(tenant) == []
    # After the expiry: one flag and one problem, and nothing more on the next runs.
    later = today() + timedelta(days=41)
    assert _sweep(tenant, later) == 2
    assert _sweep(tenant, later) == 0
    assert _sweep(tenant, later + timedelta(days=7)) == 0
    assert _flags(tenant) == [("certificate_expiring", agency["id"]), ("certificate_expired", agency["id"])]
    assert len(_expired_problems(tenant)) == 1
    # The other tenant's agency is swept with its own tenant only.
    assert _expired_problems(other_tenant) == []
    assert _flags(other_tenant) == [("certificate_expiring", _flags(other_tenant)[0][1])]


def test_a_renewed_certificate_is_watched_afresh(client, tenant):
    agency = post_agency(client, tenant, cma_expires_on=days(-1))
    assert len(_expired_problems(tenant)) == 1
    renewed = client.patch(
        f"{API}/agencies/{agency['id']}",
        json={"cma_expires_on": days(365), "cma_number": "231520340999"},
        headers=tenant.headers("tenant_admin"),
    )
    assert renewed.status_code == 200, renewed.json
    assert renewed.json["certificate_state"] == "valid"
    assert _sweep(tenant) == 0
    assert _sweep(tenant, today() + timedelta(days=366)) == 2
    assert len(_expired_problems(tenant)) == 2


def test_the_sweep_skips_units_where_the_domain_is_off(client, tenant):
    from core.tenancy.models import Unit
    from core.tenancy.service import set_unit_domain

    post_agency(client, tenant, cma_expires_on=days(10))
    with tenant_scope(tenant.tenant.id):
        unit = db.session.scalar(select(Unit).where(Unit.id == tenant.agency.id))
        db.session.execute(FeeFlag.__table__.delete())
        set_unit_domain(unit, "paid_services", False)
        db.session.commit()
    assert _sweep(tenant, today() + timedelta(days=20)) == 0
    assert _expired_problems(tenant) == []


def test_the_sweep_hook_is_registered_with_the_plugin_manager(app):
    names = [i.plugin_name for i in app.extensions["xingfeng"].pm.hook.xingfeng_sweep.get_hookimpls()]
    assert "paid_services" in names


# --- the audit checklist ------------------------------------------------------------------------------------


def test_the_template_is_valid_and_covers_the_audit():
    codes = {c.code for c in DOMAIN.categories}
    assert codes == {
        "illegal_fees", "designated_service", "out_of_scope", "untrue_report", "false_report", "qualification", "other",
    }  # fmt: skip
    assert [c.name for c in DOMAIN.categories] == [
        "违规收费", "指定服务", "超范围服务", "出具不实报告", "出具虚假报告", "资质问题", "其他",
    ]  # fmt: skip
    for template in TEMPLATES:
        check_template(template, codes)
        assert template.code.startswith("paid_services.")
        assert template.domain == "paid_services"
    items = FEE_AUDIT.items
    assert len(items) >= 8
    used = {i.category for i in items}
    assert {"illegal_fees", "designated_service", "out_of_scope", "untrue_report", "false_report"} <= used
    assert "qualification" in used
    for item in items:
        assert item.basis.startswith("《"), item.code
        assert "第" not in item.basis.replace("令第", "").replace("国办发", ""), item.code  # no article numbers
    assert any("第39号" in i.basis for i in items)
    assert any("资质认定管理办法" in i.basis for i in items)
    assert any("事业单位国有资产管理暂行办法" in i.basis for i in items)
    texts = " ".join(i.text for i in items)
    for needle in ("公示", "指定", "超过公示的收费标准", "不实", "虚假", "授权签字人", "资质认定证书"):
        assert needle in texts, needle
    all_yes = {i.code: "yes" for i in items}
    result = evaluate(list(items), all_yes)
    assert result.failing == []
    assert result.score == result.max_score > 0
    failing = evaluate(list(items), {**all_yes, "no_false_report": "no", "no_designation": "no"})
    assert failing.failing == ["no_designation", "no_false_report"]


def test_the_checklist_is_offered_filled_and_failing_answers_become_problems(client, tenant):
    h = tenant.headers("officer")
    offered = client.get(f"/api/v1/checklist-templates?unit_id={tenant.station.id}", headers=h)
    assert offered.status_code == 200, offered.json
    assert "paid_services.fee_audit" in str(offered.json)
    answers = {i.code: "yes" for i in FEE_AUDIT.items}
    answers.update({"no_over_standard": "no", "no_false_report": "no"})
    resp = client.post(
        "/api/v1/checklists",
        json={
            "template": "paid_services.fee_audit",
            "unit_id": tenant.station.id,
            "inspector": "李审计",
            "inspected_on": today().isoformat(),
            "target_name": "区食品药品检验检测中心",
            "target_ref": "12330102000000001X",
            "answers": answers,
        },
        headers=h,
    )
    assert resp.status_code == 201, resp.json
    cid = resp.json["id"]
    for code in [i.code for i in FEE_AUDIT.items if i.evidence == "always"] + ["no_false_report"]:
        up = client.post(
            f"/api/v1/checklists/{cid}/evidence",
            data={"item_code": code, "file": (io.BytesIO(PNG), "票据.png")},
            headers=h,
        )
        assert up.status_code == 201, up.json
    done = client.post(f"/api/v1/checklists/{cid}/submit", headers=h)
    assert done.status_code == 200, done.json
    assert done.json["status"] == "submitted"
    assert done.json["score"] < done.json["max_score"]
    problems = client.get("/api/v1/problems?domain=paid_services", headers=h).json["items"]
    assert sorted(p["category"] for p in problems) == ["false_report", "illegal_fees"]
    assert all(p["source"] == "checklist" for p in problems)
    with tenant_scope(tenant.tenant.id):
        assert db.session.scalar(select(func.count(Problem.id)).where(Problem.domain == "paid_services")) == 2
