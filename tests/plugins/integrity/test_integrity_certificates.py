"""执法证件 (issue 15, item 3): the tenant's warning window, 证件到期预警 list and export, retire and transfer, past
certificates, the hook ``xingfeng_certificate_status`` and the enforcement plugin's flag on a case file's handlers
with the integrity plugin on and off."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.ledger.models import Problem
from core.oversight.models import Notification
from core.oversight.sweep import run_sweep
from core.platform.calendar import today_in_shanghai
from core.platform.db import db, tenant_scope
from core.tenancy.models import Tenant
from plugins.integrity.models import PastCertificate

API = "/api/v1/plugins/integrity"
ENFORCEMENT = "/api/v1/plugins/enforcement"


def days(n: int) -> str:
    return (today_in_shanghai() + timedelta(days=n)).isoformat()


def person(client, world, role="tenant_admin", **overrides) -> dict:
    body = {
        "name": "张三",
        "unit_id": world.station.id,
        "post": "综合执法",
        "certificate_no": "C-1",
        "issued_on": days(-1000),
        "expires_on": days(400),
    } | overrides
    resp = client.post(f"{API}/staff", json=body, headers=world.headers(role))
    assert resp.status_code == 201, resp.json
    return resp.json


def events(world, prefix="integrity.") -> list[AuditEvent]:
    with tenant_scope(world.tenant.id):
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.kind.like(f"{prefix}%"))))


def integrity_off(client, world) -> None:
    resp = client.put(
        f"/api/v1/units/{world.root.id}/plugins/integrity",
        json={"enabled": False},
        headers=world.headers("tenant_admin"),
    )
    assert resp.status_code in (200, 204)


# --- the warning window ---------------------------------------------------------------------------------------


def test_warning_window_defaults_to_60_days_and_is_set_per_tenant_audited(client, tenant, other_tenant):
    person(client, tenant, expires_on=days(45))
    got = client.get(f"{API}/settings", headers=tenant.headers("viewer"))
    assert got.status_code == 200
    assert got.json["expiring_days"] == 60
    assert got.json["default_expiring_days"] == 60
    [row] = client.get(f"{API}/staff", headers=tenant.headers("viewer")).json["items"]
    assert row["certificate_state"] == "expiring"

    assert (
        client.put(f"{API}/settings", json={"expiring_days": 30}, headers=tenant.headers("officer")).status_code == 403
    )
    bad = client.put(f"{API}/settings", json={"expiring_days": 0}, headers=tenant.headers("tenant_admin"))
    assert bad.status_code == 422
    assert "expiring_days" in str(bad.json)
    put = client.put(f"{API}/settings", json={"expiring_days": 30}, headers=tenant.headers("tenant_admin"))
    assert put.status_code == 200, put.json
    assert put.json["expiring_days"] == 30
    [row] = client.get(f"{API}/staff", headers=tenant.headers("viewer")).json["items"]
    assert row["certificate_state"] == "valid"
    [event] = [e for e in events(tenant) if e.kind == "integrity.settings_updated"]
    assert json.loads(event.body)["data"]["expiring_days"] == {"before": 60, "after": 30}
    # another tenant keeps its own window
    assert client.get(f"{API}/settings", headers=other_tenant.headers("viewer")).json["expiring_days"] == 60


# --- 证件到期预警 ----------------------------------------------------------------------------------------------


def test_due_list_shows_expiring_and_expired_of_people_in_post(client, tenant, other_tenant):
    person(client, tenant, name="有效", certificate_no="C-1", expires_on=days(400))
    person(client, tenant, name="将到期", certificate_no="C-2", expires_on=days(10))
    person(client, tenant, name="已过期", certificate_no="C-3", expires_on=days(-3))
    gone = person(client, tenant, name="已退休", certificate_no="C-4", expires_on=days(-30))
    assert (
        client.post(f"{API}/staff/{gone['id']}/retire", json={}, headers=tenant.headers("officer")).status_code == 200
    )
    resp = client.get(f"{API}/certificates", headers=tenant.headers("viewer"))
    assert resp.status_code == 200
    assert resp.json["within_days"] == 60
    assert [(s["name"], s["certificate_state"]) for s in resp.json["items"]] == [
        ("已过期", "expired"),
        ("将到期", "expiring"),
    ]
    expired = client.get(f"{API}/certificates?state=expired", headers=tenant.headers("viewer")).json["items"]
    assert [s["name"] for s in expired] == ["已过期"]
    assert client.get(f"{API}/certificates?state=valid", headers=tenant.headers("viewer")).status_code == 422
    # another tenant sees none of them
    assert client.get(f"{API}/certificates", headers=other_tenant.headers("viewer")).json["items"] == []

    export = client.get(f"{API}/certificates/export", headers=tenant.headers("viewer"))
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    export.close()
    assert sheet.title == "证件到期预警"
    rows = [r for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ("姓名", "单位", "岗位", "执法证号")
    assert [r[0] for r in rows[1:3]] == ["已过期", "将到期"]
    assert rows[1][6] == "已过期"


def test_expiring_certificate_is_reminded_once(client, tenant):
    person(client, tenant, expires_on=days(10))
    run_sweep()
    run_sweep()
    with tenant_scope(tenant.tenant.id):
        keys = set(
            db.session.scalars(
                select(Notification.key).where(Notification.key.like("integrity.certificate_expiring:%"))
            )
        )
    assert len(keys) == 1


def test_expired_certificate_problem_once_per_certificate(client, tenant):
    made = person(client, tenant, expires_on=days(-3))
    run_sweep()
    # a renewal that lapses again is another certificate: a second problem
    h = tenant.headers("tenant_admin")
    assert client.patch(f"{API}/staff/{made['id']}", json={"expires_on": days(-1)}, headers=h).status_code == 200
    run_sweep()
    with tenant_scope(tenant.tenant.id):
        titles = list(db.session.scalars(select(Problem.title).where(Problem.title.contains("行政执法证已过期"))))
    assert len(titles) == 2


# --- retire and transfer --------------------------------------------------------------------------------------


def test_retire_and_transfer_roles_and_audit(client, tenant):
    a = person(client, tenant, name="甲", certificate_no="C-1")
    b = person(client, tenant, name="乙", certificate_no="C-2")
    c = person(client, tenant, name="丙", certificate_no="C-3")
    url = f"{API}/staff/{a['id']}/retire"
    assert client.post(url, json={}, headers=tenant.headers("viewer")).status_code == 403
    assert client.post(url, json={}, headers=tenant.headers("reviewer")).status_code == 403
    bad = client.post(url, json={"left_on": "昨天"}, headers=tenant.headers("officer"))
    assert bad.status_code == 422
    assert "left_on" in str(bad.json)
    done = client.post(url, json={"left_on": "2026-01-31", "reason": "到龄退休"}, headers=tenant.headers("officer"))
    assert done.status_code == 200, done.json
    assert (done.json["status"], done.json["left_on"], done.json["left_reason"]) == (
        "retired",
        "2026-01-31",
        "到龄退休",
    )
    again = client.post(url, json={}, headers=tenant.headers("officer"))
    assert again.status_code == 409

    out = client.post(f"{API}/staff/{b['id']}/transfer", json={"reason": "调往市局"}, headers=tenant.headers("officer"))
    assert out.status_code == 200
    assert out.json["status"] == "transferred"
    moved = client.post(
        f"{API}/staff/{c['id']}/transfer", json={"unit_id": tenant.substation.id}, headers=tenant.headers("officer")
    )
    assert moved.status_code == 200, moved.json
    assert (moved.json["status"], moved.json["unit_id"]) == ("active", tenant.substation.id)
    # an officer of the station may not move someone to the bureau above
    up = client.post(
        f"{API}/staff/{c['id']}/transfer", json={"unit_id": tenant.root.id}, headers=tenant.headers("officer")
    )
    assert up.status_code == 403
    kinds = [e.kind for e in events(tenant)]
    assert kinds.count("integrity.staff_retired") == 1
    assert kinds.count("integrity.staff_transferred") == 2


def test_a_retired_persons_lapsed_certificate_is_no_problem(client, tenant):
    made = person(client, tenant, expires_on=days(5))
    client.post(f"{API}/staff/{made['id']}/retire", json={}, headers=tenant.headers("officer"))
    with tenant_scope(tenant.tenant.id):
        assert db.session.scalar(select(Problem.id).where(Problem.title.contains("行政执法证已过期"))) is None


def test_retire_and_transfer_of_another_tenants_person_is_404(client, tenant, other_tenant):
    made = person(client, tenant)
    h = other_tenant.headers("tenant_admin")
    assert client.post(f"{API}/staff/{made['id']}/retire", json={}, headers=h).status_code == 404
    assert client.post(f"{API}/staff/{made['id']}/transfer", json={}, headers=h).status_code == 404
    assert client.post(f"{API}/staff/999999/retire", json={}, headers=tenant.headers("officer")).status_code == 404


# --- past certificates and the hook ---------------------------------------------------------------------------


def _ask(world, on: date, certificate_no=None, name=None):
    from core.plugin_api import certificate_status

    with tenant_scope(world.tenant.id):
        tenant = db.session.get(Tenant, world.tenant.id)
        return certificate_status(tenant, on, certificate_no=certificate_no, name=name)


def test_hook_xingfeng_certificate_status(client, tenant):
    made = person(client, tenant, certificate_no="C-1", issued_on="2020-01-01", expires_on="2024-06-30")
    # renewed in 2024-09: the old certificate is kept, so the gap between them still reads as expired
    renewal = {"certificate_no": "C-9", "issued_on": "2024-09-01", "expires_on": days(400)}
    assert (
        client.patch(f"{API}/staff/{made['id']}", json=renewal, headers=tenant.headers("tenant_admin")).status_code
        == 200
    )
    with tenant_scope(tenant.tenant.id):
        [past] = db.session.scalars(select(PastCertificate)).all()
    assert (past.certificate_no, past.expires_on) == ("C-1", date(2024, 6, 30))

    valid = _ask(tenant, date(2024, 3, 1), name="张三")
    assert (valid.state, valid.certificate_no, valid.staff_id, valid.lapsed) == ("valid", "C-1", made["id"], False)
    lapsed = _ask(tenant, date(2024, 8, 1), name="张三")
    assert (lapsed.state, lapsed.certificate_no, lapsed.expires_on, lapsed.lapsed) == (
        "expired",
        "C-1",
        date(2024, 6, 30),
        True,
    )
    assert lapsed.label == "已过期"
    assert _ask(tenant, date(2024, 10, 1), certificate_no="C-9").state == "valid"
    assert _ask(tenant, date(2019, 1, 1), name="张三").state == "none"
    assert _ask(tenant, date(2024, 3, 1), name="无此人") is None
    person(client, tenant, name="张三", certificate_no="C-2", unit_id=tenant.substation.id)
    assert _ask(tenant, date(2024, 3, 1), name="张三").state == "ambiguous"
    assert _ask(tenant, date(2024, 3, 1), certificate_no="C-1", name="张三").state == "valid"

    integrity_off(client, tenant)
    assert _ask(tenant, date(2024, 3, 1), name="张三") is None


def test_another_tenants_register_does_not_answer(client, tenant, other_tenant):
    person(client, tenant)
    assert _ask(other_tenant, today_in_shanghai(), name="张三") is None


# --- the enforcement plugin's case files ----------------------------------------------------------------------


def case(client, world, handlers, **overrides):
    body = {
        "case_no": "临市监处罚〔2024〕7号",
        "case_type": "penalty",
        "cause": "销售过期食品",
        "unit_id": world.station.id,
        "handlers": handlers,
        "filed_on": "2024-08-01",
        "closed_on": "2024-09-20",
    } | overrides
    resp = client.post(f"{ENFORCEMENT}/case-files", json=body, headers=world.headers("officer"))
    assert resp.status_code == 201, resp.json
    return resp.json


def handler_problems(world) -> list[Problem]:
    with tenant_scope(world.tenant.id):
        return list(db.session.scalars(select(Problem).where(Problem.title.contains("承办人执法证件失效"))))


def test_case_file_flags_a_handler_whose_certificate_had_expired(client, tenant):
    person(client, tenant, name="张三", certificate_no="C-1", issued_on="2020-01-01", expires_on="2024-06-30")
    person(client, tenant, name="李四", certificate_no="C-2", issued_on="2020-01-01", expires_on="2030-06-30")
    made = case(client, tenant, ["张三", "李四", "王五"])
    assert made["certificate_flagged"] is True
    checks = {c["handler"]: c for c in made["handler_certificates"]}
    assert (checks["张三"]["state"], checks["张三"]["flagged"], checks["张三"]["on"]) == ("expired", True, "2024-08-01")
    assert checks["张三"]["expires_on"] == "2024-06-30"
    assert (checks["李四"]["state"], checks["李四"]["flagged"]) == ("valid", False)
    assert (checks["王五"]["state"], checks["王五"]["state_name"]) == (None, "未在人员名册中")
    [problem] = handler_problems(tenant)
    assert (problem.domain, problem.category, problem.source) == ("enforcement", "procedural_violation", "system_rule")
    assert problem.unit_id == tenant.station.id
    got = client.get(f"{ENFORCEMENT}/case-files/{made['id']}", headers=tenant.headers("viewer"))
    assert got.json["certificate_flagged"] is True
    # the list stays light: no per-handler look-ups
    listed = client.get(f"{ENFORCEMENT}/case-files", headers=tenant.headers("viewer")).json["items"]
    assert "handler_certificates" not in listed[0]
    assert len(handler_problems(tenant)) == 1


def test_case_file_flags_expiry_between_filing_and_closing(client, tenant):
    person(client, tenant, name="张三", certificate_no="C-1", issued_on="2020-01-01", expires_on="2024-09-01")
    made = case(client, tenant, ["张三（C-1）"])
    [check] = made["handler_certificates"]
    assert (check["name"], check["state"], check["on"]) == ("张三", "expired", "2024-09-20")


def test_case_file_without_the_integrity_domain_is_not_flagged(client, tenant):
    person(client, tenant, name="张三", certificate_no="C-1", issued_on="2020-01-01", expires_on="2024-06-30")
    integrity_off(client, tenant)
    made = case(client, tenant, ["张三"])
    assert made["certificate_flagged"] is False
    assert [c["state"] for c in made["handler_certificates"]] == [None]
    assert handler_problems(tenant) == []
    # and the integrity API is gone there
    assert client.get(f"{API}/certificates", headers=tenant.headers("officer")).status_code == 404


def test_imported_case_file_is_flagged_too(client, tenant):
    person(client, tenant, name="张三", certificate_no="C-1", issued_on="2020-01-01", expires_on="2024-06-30")
    csv = (
        "案件编号,案件类型,案由,承办单位,承办人,立案日期,结案日期\n"
        f"临市监处罚〔2024〕8号,行政处罚,无照经营,{tenant.station.code},张三、李四,2024-08-01,2024-09-01\n"
    )
    resp = client.post(
        f"{ENFORCEMENT}/case-files/import",
        data={"file": (io.BytesIO(csv.encode()), "c.csv")},
        headers=tenant.headers("officer"),
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200, resp.json
    assert len(handler_problems(tenant)) == 1


def test_a_handler_named_with_the_number_is_still_recused(client, tenant):
    made = case(client, tenant, ["张三（C-1）", "李四"])
    resp = client.post(
        f"{ENFORCEMENT}/case-files/{made['id']}/reviews",
        json={"reviewers": ["张三"], "kind": "review"},
        headers=tenant.headers("reviewer"),
    )
    assert resp.status_code == 409


# --- the figures (issue 15, item 8) ---------------------------------------------------------------------------


def test_certificate_figures_count_people_in_post_by_unit(client, tenant, other_tenant, app):
    from core.figures.periods import parse as parse_period

    registry = app.extensions["xingfeng"].figures
    expiring, expired = registry["integrity_certificates_expiring"], registry["integrity_certificates_expired"]
    assert (expiring.kind, expired.kind) == ("count", "count")
    period = parse_period(today_in_shanghai().strftime("%Y-%m"))

    def values(provider, world, by_unit=False):
        with tenant_scope(world.tenant.id):
            return provider.compute(db.session, period, [world.tenant.id], by_unit)

    person(client, tenant, certificate_no="C-1", expires_on=days(400))  # valid
    person(client, tenant, name="李四", certificate_no="C-2", expires_on=days(-40))  # expired by today already
    person(client, tenant, name="王五", certificate_no="C-3", expires_on=days(35))  # expiring at any month's end
    person(client, tenant, name="赵六", certificate_no="C-4", expires_on=days(40), unit_id=tenant.root.id)
    assert values(expired, tenant) == {tenant.tenant.id: 1}
    assert values(expiring, tenant) == {tenant.tenant.id: 2}
    by_unit = values(expiring, tenant, by_unit=True)
    assert by_unit[(tenant.tenant.id, tenant.station.id)] == 1
    assert by_unit[(tenant.tenant.id, tenant.root.id)] == 1
    assert values(expired, other_tenant) == {other_tenant.tenant.id: 0}
    figures = client.get("/api/v1/figures", headers=tenant.headers("viewer"))
    assert figures.status_code == 200
    assert "integrity_certificates_expired" in str(figures.json)
