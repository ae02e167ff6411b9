"""廉政风险点 (issue 15, item 1): API with roles and tenants, import/export, the review reminder, the coverage figure,
the annual self-check template."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from core.audit.models import AuditEvent
from core.oversight.models import Notification
from core.oversight.sweep import run_sweep
from core.platform.calendar import today_in_shanghai
from core.platform.db import db, tenant_scope
from plugins.integrity.models import RiskPoint

API = "/api/v1/plugins/integrity"


def days(n: int) -> str:
    return (today_in_shanghai() + timedelta(days=n)).isoformat()


def body(world, **overrides) -> dict:
    data = {
        "unit_id": world.station.id,
        "post": "综合执法",
        "description": "现场检查中接受管理对象宴请、礼品礼金",
        "level": "high",
        "measures": "执法记录仪全程记录；两人以上执法；发放廉政监督卡",
        "responsible": "张所长",
        "review_due": days(200),
    }
    data.update(overrides)
    return data


def post(client, world, role="tenant_admin", **overrides):
    return client.post(f"{API}/risk-points", json=body(world, **overrides), headers=world.headers(role))


def kinds(world) -> list[str]:
    with tenant_scope(world.tenant.id):
        return list(
            db.session.scalars(
                select(AuditEvent.kind).where(AuditEvent.kind.like("integrity.risk%")).order_by(AuditEvent.seq)
            )
        )


def count(world) -> int:
    with tenant_scope(world.tenant.id):
        return db.session.scalar(select(func.count(RiskPoint.id)))


def test_record_list_filter_change_retire_each_audited(client, tenant):
    made = post(client, tenant)
    assert made.status_code == 201, made.json
    assert made.json["level_name"] == "高"
    assert made.json["review_state"] == "ok"
    post(client, tenant, post="登记窗口", level="low", description="故意刁难拖延", review_due=days(10))
    items = client.get(f"{API}/risk-points", headers=tenant.headers("viewer")).json["items"]
    assert len(items) == 2
    soon = client.get(f"{API}/risk-points?review_state=due_soon", headers=tenant.headers("viewer")).json["items"]
    assert [r["post"] for r in soon] == ["登记窗口"]
    high = client.get(f"{API}/risk-points?level=high", headers=tenant.headers("viewer")).json["items"]
    assert [r["post"] for r in high] == ["综合执法"]
    found = client.get(f"{API}/risk-points?q=刁难", headers=tenant.headers("viewer")).json["items"]
    assert [r["post"] for r in found] == ["登记窗口"]
    rid = made.json["id"]
    changed = client.patch(f"{API}/risk-points/{rid}", json={"review_due": days(365), "level": "medium"},
                           headers=tenant.headers("officer"))  # fmt: skip
    assert changed.status_code == 200, changed.json
    assert changed.json["level"] == "medium"
    retired = client.delete(f"{API}/risk-points/{rid}", json={"reason": "岗位撤并"}, headers=tenant.headers("officer"))
    assert retired.status_code == 200
    assert retired.json["status"] == "retired"
    assert [r["id"] for r in client.get(f"{API}/risk-points", headers=tenant.headers("viewer")).json["items"]] != [rid]
    every = client.get(f"{API}/risk-points?status=all", headers=tenant.headers("viewer")).json["items"]
    assert rid in [r["id"] for r in every]
    again = client.patch(f"{API}/risk-points/{rid}", json={"post": "x"}, headers=tenant.headers("tenant_admin"))
    assert again.status_code == 409
    assert kinds(tenant) == [
        "integrity.risk_point_created",
        "integrity.risk_point_created",
        "integrity.risk_point_updated",
        "integrity.risk_point_retired",
    ]


def test_responsible_may_be_a_person_of_the_register(client, tenant):
    staff = client.post(f"{API}/staff", json={"name": "李明", "unit_id": tenant.station.id, "post": "所长"},
                        headers=tenant.headers("tenant_admin")).json  # fmt: skip
    made = post(client, tenant, responsible="", responsible_staff_id=staff["id"])
    assert made.status_code == 201, made.json
    assert made.json["responsible"] == "李明"
    assert made.json["responsible_staff_id"] == staff["id"]
    missing = post(client, tenant, responsible="", responsible_staff_id=999999)
    assert missing.status_code == 422
    assert "responsible_staff_id" in missing.json["errors"]["json"]


def test_bad_input_names_the_field(client, tenant):
    for field, value in (("level", "extreme"), ("post", ""), ("review_due", "2024-13-40"), ("unit_id", "x")):
        resp = post(client, tenant, **{field: value})
        assert resp.status_code == 422, field
        assert field in resp.json["errors"]["json"], (field, resp.json)
    resp = post(client, tenant, responsible="")
    assert resp.status_code == 422
    assert "responsible" in resp.json["errors"]["json"]
    resp = post(client, tenant, unit_id=987654)
    assert resp.status_code == 422
    assert "unit_id" in resp.json["errors"]["json"]
    assert client.get(f"{API}/risk-points?level=x", headers=tenant.headers("viewer")).status_code == 422
    assert count(tenant) == 0


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_readers_may_not_write(client, tenant, role):
    made = post(client, tenant).json
    assert post(client, tenant, role=role).status_code == 403
    rid = made["id"]
    assert client.patch(f"{API}/risk-points/{rid}", json={"post": "x"}, headers=tenant.headers(role)).status_code == 403
    resp = client.delete(f"{API}/risk-points/{rid}", json={"reason": "x"}, headers=tenant.headers(role))
    assert resp.status_code == 403
    assert client.get(f"{API}/risk-points/{rid}", headers=tenant.headers(role)).status_code == 200
    imported = client.post(f"{API}/risk-points/import", data={"file": (io.BytesIO(b"a,b\n"), "r.csv")},
                           headers=tenant.headers(role), content_type="multipart/form-data")  # fmt: skip
    assert imported.status_code == 403


def test_an_officer_records_for_its_own_unit_only(client, tenant):
    assert post(client, tenant, role="officer", unit_id=tenant.root.id).status_code == 403
    assert post(client, tenant, role="officer", unit_id=tenant.substation.id).status_code == 201
    root_point = post(client, tenant, unit_id=tenant.root.id).json
    # the officer (at the station) does not see the bureau's own point
    resp = client.get(f"{API}/risk-points/{root_point['id']}", headers=tenant.headers("officer"))
    assert resp.status_code == 404


def test_cross_tenant_is_404_on_every_endpoint(client, tenant, other_tenant):
    rid = post(client, tenant).json["id"]
    h = other_tenant.headers("tenant_admin")
    assert client.get(f"{API}/risk-points/{rid}", headers=h).status_code == 404
    assert client.patch(f"{API}/risk-points/{rid}", json={"post": "x"}, headers=h).status_code == 404
    assert client.delete(f"{API}/risk-points/{rid}", json={"reason": "x"}, headers=h).status_code == 404
    assert client.get(f"{API}/risk-points", headers=h).json["items"] == []
    export = client.get(f"{API}/risk-points/export", headers=h)
    assert len(list(load_workbook(io.BytesIO(export.data)).active.values)) == 1
    export.close()
    # another tenant's unit is not a unit here
    resp = client.post(f"{API}/risk-points", json=body(tenant), headers=h)
    assert resp.status_code == 422
    assert "unit_id" in resp.json["errors"]["json"]


def test_domain_off_at_the_unit_is_404(client, tenant):
    h = tenant.headers("tenant_admin")
    client.put(f"/api/v1/units/{tenant.station.id}/plugins/integrity", json={"enabled": False}, headers=h)
    # the officer sits at the station: the whole API answers 404 there
    assert client.get(f"{API}/risk-points", headers=tenant.headers("officer")).status_code == 404
    # the bureau may not record at a unit where the domain is off
    resp = post(client, tenant)
    assert resp.status_code == 422
    assert "unit_id" in resp.json["errors"]["json"]


# --- import and export ----------------------------------------------------------------------------------------

HEAD = ["单位", "岗位", "风险描述", "风险等级", "防控措施", "责任人", "复核日期"]


def _xlsx(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _import(client, world, data: io.BytesIO, name="风险点.xlsx", role="tenant_admin", dry_run=False):
    return client.post(
        f"{API}/risk-points/import",
        data={"file": (data, name), "dry_run": "true" if dry_run else "false"},
        headers=world.headers(role),
        content_type="multipart/form-data",
    )


def test_import_refuses_the_whole_file_naming_row_and_column(client, tenant):
    station = tenant.station.name
    rows = [
        HEAD,
        [station, "综合执法", "接受宴请", "高", "全程记录", "张三", days(100)],
        [station, "", "接受宴请", "中", "全程记录", "张三", days(100)],
        ["不存在的单位", "窗口", "刁难", "极高", "公开流程", "", "not a date"],
        [station, "综合执法", "接受宴请", "低", "全程记录", "李四", days(100)],
    ]
    resp = _import(client, tenant, _xlsx(rows))
    assert resp.status_code == 422
    errors = {(e["row"], e["column"]) for e in resp.json["errors"]["rows"]}
    assert errors == {(3, "岗位"), (4, "单位"), (4, "风险等级"), (4, "责任人"), (4, "复核日期"), (5, "风险描述")}
    assert count(tenant) == 0
    assert kinds(tenant) == []
    missing = _import(client, tenant, _xlsx([HEAD[:-1], [station, "a", "b", "高", "c", "d"]]))
    assert missing.status_code == 422
    assert missing.json["errors"]["rows"] == [{"row": 1, "column": "复核日期", "message": "缺少「复核日期」列"}]


def test_import_csv_writes_updates_and_is_repeatable(client, tenant):
    lines = [
        ",".join(HEAD),
        f"{tenant.station.code},综合执法,接受宴请,高,全程记录,张三,{days(100)}",
        f"{tenant.station.name},登记窗口,故意刁难,中,限时办结,李四,{days(20)}",
        f"{tenant.root.name},财务,违规报销,low,双人审核,王五,{days(300)}",
    ]
    csv = "\n".join(lines).encode("utf-8")
    dry = _import(client, tenant, io.BytesIO(csv), "r.csv", dry_run=True)
    assert dry.json == {"created": 3, "updated": 0, "unchanged": 0, "dry_run": True}
    assert count(tenant) == 0
    done = _import(client, tenant, io.BytesIO(csv), "r.csv")
    assert done.status_code == 200, done.json
    assert count(tenant) == 3
    again = _import(client, tenant, io.BytesIO(csv), "r.csv")
    assert again.json == {"created": 0, "updated": 0, "unchanged": 3, "dry_run": False}
    lines[1] = lines[1].replace(",高,", ",中,")
    changed = _import(client, tenant, io.BytesIO("\n".join(lines).encode()), "r.csv")
    assert changed.json == {"created": 0, "updated": 1, "unchanged": 2, "dry_run": False}
    assert kinds(tenant) == ["integrity.risk_points_imported", "integrity.risk_points_imported"]
    # an officer imports only into its own unit and below
    officer = _import(client, tenant, io.BytesIO(csv), "r.csv", role="officer")
    assert officer.status_code == 422
    assert {e["row"] for e in officer.json["errors"]["rows"]} == {4}


def test_export_opens_in_openpyxl_and_imports_again(client, tenant, other_tenant):
    post(client, tenant)
    post(client, tenant, post="登记窗口", level="low", description="刁难", review_due=days(-3))
    resp = client.get(f"{API}/risk-points/export?level=low", headers=tenant.headers("viewer"))
    assert resp.status_code == 200
    data = resp.data
    resp.close()
    rows = list(load_workbook(io.BytesIO(data)).active.values)
    assert list(rows[0][:7]) == HEAD
    assert len(rows) == 2
    assert rows[1][1] == "登记窗口"
    assert rows[1][3] == "低"
    assert rows[1][7] == "已逾期"
    again = _import(client, tenant, io.BytesIO(data))
    assert again.json["unchanged"] == 1
    assert client.get(f"{API}/risk-points/export").status_code == 401


# --- the sweep's reminder -------------------------------------------------------------------------------------


def _reminders(world) -> list[Notification]:
    with tenant_scope(world.tenant.id):
        return list(db.session.scalars(select(Notification).where(Notification.key.like("integrity.risk_review:%"))))


def test_sweep_reminds_the_unit_once_before_and_once_when_overdue(client, tenant):
    soon = post(client, tenant, review_due=days(20)).json
    post(client, tenant, post="远期", review_due=days(200))
    retired = post(client, tenant, post="已撤销", review_due=days(-1)).json
    client.delete(f"{API}/risk-points/{retired['id']}", json={"reason": "重复"}, headers=tenant.headers("tenant_admin"))
    run_sweep()
    run_sweep()
    found = _reminders(tenant)
    # the station's officer hears of it, once, and only of the point due within 30 days
    assert [(n.user_id, n.kind) for n in found] == [(tenant.users["officer"].id, "plugin_reminder")]
    assert "综合执法" in found[0].title
    assert found[0].link == f"/integrity/risk-points/{soon['id']}"
    run_sweep(today_in_shanghai() + timedelta(days=25))
    found = _reminders(tenant)
    assert len(found) == 2
    assert "已逾期" in found[1].title
    # once reviewed (a new 复核日期 a year on), nothing more is reminded
    client.patch(f"{API}/risk-points/{soon['id']}", json={"review_due": days(400)}, headers=tenant.headers("officer"))
    run_sweep(today_in_shanghai() + timedelta(days=25))
    assert len(_reminders(tenant)) == 2


# --- the figure -----------------------------------------------------------------------------------------------


def test_coverage_counts_units_with_a_current_risk_point(client, tenant, other_tenant, app):
    from core.figures.periods import parse as parse_period

    provider = app.extensions["xingfeng"].figures["integrity_risk_coverage"]
    assert provider.kind == "rate"
    code = today_in_shanghai().strftime("%Y-%m")
    period = parse_period(code)

    def values(world, by_unit=False):
        with tenant_scope(world.tenant.id):
            return provider.compute(db.session, period, [world.tenant.id], by_unit)

    assert values(tenant) == {tenant.tenant.id: (0, 4)}  # four units, none covered: a unit with none counts
    post(client, tenant)
    post(client, tenant, post="另一岗位")
    assert values(tenant) == {tenant.tenant.id: (1, 4)}
    by_unit = values(tenant, by_unit=True)
    assert by_unit[(tenant.tenant.id, tenant.station.id)] == (1, 1)
    assert by_unit[(tenant.tenant.id, tenant.root.id)] == (0, 1)
    # the domain off at the agency: it no longer counts either way
    h = tenant.headers("tenant_admin")
    client.put(f"/api/v1/units/{tenant.agency.id}/plugins/integrity", json={"enabled": False}, headers=h)
    assert values(tenant) == {tenant.tenant.id: (1, 3)}
    rid = client.get(f"{API}/risk-points", headers=h).json["items"][0]["id"]
    client.delete(f"{API}/risk-points/{rid}", json={"reason": "x"}, headers=h)
    assert values(tenant) == {tenant.tenant.id: (1, 3)}  # the other point still covers the station
    assert values(other_tenant) == {other_tenant.tenant.id: (0, 4)}
    figures = client.get(f"/api/v1/figures?period={code}", headers=h)
    assert figures.status_code == 200, figures.json
    assert "integrity_risk_coverage" in str(figures.json)


# --- the checklist template -----------------------------------------------------------------------------------


def test_the_annual_self_check_template(client, tenant, app):
    from core.checklists.templates import check_template
    from plugins.integrity.checklists import RISK_SELF_CHECK

    registry = app.extensions["xingfeng"]
    check_template(RISK_SELF_CHECK, {c.code for c in registry.domains["integrity"].categories})
    assert RISK_SELF_CHECK.title == "年度廉政风险点自查"
    assert len(RISK_SELF_CHECK.items) >= 10
    assert all(item.basis.startswith("《") for item in RISK_SELF_CHECK.items)
    texts = " ".join(item.text for item in RISK_SELF_CHECK.items)
    expected = ("全覆盖", "集体研究", "可操作", "轮岗", "廉政承诺", "一岗双责", "警示教育", "权力", "裁量基准", "复核")
    for words in expected:
        assert words in texts, words
    listed = client.get("/api/v1/checklist-templates", headers=tenant.headers("officer"))
    assert listed.status_code == 200
    assert "integrity.risk_point_self_check" in str(listed.json)
