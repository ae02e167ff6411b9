"""The integrity pages without a browser: 人员名册 and 廉政风险点 render in Chinese, forms, import, export, tenants;
and the demo data ``make run`` loads."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from fixtures.data import PASSWORD
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.platform.calendar import today_in_shanghai
from core.platform.db import db, tenant_scope
from plugins.integrity.models import RiskPoint, StaffMember

API = "/api/v1/plugins/integrity"


def _csrf(client, path) -> str:
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    return found.group(1)


def log_in(client, username):
    resp = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": _csrf(client, "/login")}
    )
    assert resp.status_code == 302


def days(n: int) -> str:
    return (today_in_shanghai() + timedelta(days=n)).isoformat()


def seed(client, world) -> dict:
    h = world.headers("tenant_admin")
    staff = client.post(f"{API}/staff", json={"name": "张三", "unit_id": world.station.id, "post": "综合执法",
                                              "certificate_no": "C-1", "expires_on": days(20)}, headers=h)  # fmt: skip
    risk = client.post(f"{API}/risk-points", json={
        "unit_id": world.station.id, "post": "综合执法", "description": "接受宴请", "level": "high",
        "measures": "全程记录", "responsible": "张三", "review_due": days(-2)}, headers=h)  # fmt: skip
    assert staff.status_code == 201
    assert risk.status_code == 201
    return {"staff": staff.json["id"], "risk": risk.json["id"]}


PAGES = ["/integrity/staff", "/integrity/staff/{staff}", "/integrity/risk-points", "/integrity/risk-points/{risk}"]


@pytest.mark.parametrize("role", ["tenant_admin", "officer", "reviewer", "viewer"])
def test_every_role_reads_the_pages_in_chinese(client, tenant, role):
    ids = seed(client, tenant)
    log_in(client, f"alpha.{role}")
    for path in PAGES:
        resp = client.get(path.format(**ids))
        assert resp.status_code == 200, (role, path)
    staff = client.get("/integrity/staff").get_data(as_text=True)
    for label in ("人员名册", "执法证号", "证件状态", "即将到期", "张三", "导出 Excel"):
        assert label in staff, label
    risks = client.get("/integrity/risk-points").get_data(as_text=True)
    for label in ("廉政风险点", "风险描述", "风险等级", "防控措施", "责任人", "复核日期", "已逾期", "接受宴请"):
        assert label in risks, label
    assert "尚未登记风险点的单位" in risks  # the bureau, the agency … have none
    writer = role in ("tenant_admin", "officer")
    assert ('data-testid="new-risk-point"' in risks) is writer
    assert ('data-testid="new-staff"' in staff) is writer
    ledger = client.get("/ledger").get_data(as_text=True)
    assert "/integrity/staff" in ledger
    assert "/integrity/risk-points" in ledger
    for path in ("/integrity/staff/import", "/integrity/risk-points/import"):
        assert client.get(path).status_code == (200 if writer else 403), path
    for path in ("/integrity/staff/export.xlsx", "/integrity/risk-points/export.xlsx?level=high"):
        resp = client.get(path)
        assert resp.status_code == 200
        rows = list(load_workbook(io.BytesIO(resp.data)).active.values)
        resp.close()
        assert len(rows) == 2, path


def test_forms_record_change_and_retire(client, tenant):
    log_in(client, "alpha.officer")
    token = _csrf(client, "/integrity/risk-points")
    bad = client.post("/integrity/risk-points", data={"csrf_token": token, "unit_id": tenant.station.id, "post": "",
                                                      "level": "high"})  # fmt: skip
    assert bad.status_code == 422
    assert "输入有误" in bad.get_data(as_text=True)
    made = client.post("/integrity/risk-points", data={
        "csrf_token": token, "unit_id": tenant.station.id, "post": "登记窗口", "description": "故意刁难",
        "level": "medium", "measures": "限时办结", "responsible": "李四", "review_due": days(100)})  # fmt: skip
    assert made.status_code == 302
    with tenant_scope(tenant.tenant.id):
        risk = db.session.scalar(select(RiskPoint))
        rid = risk.id
    page = f"/integrity/risk-points/{rid}"
    changed = client.post(page, data={
        "csrf_token": token, "unit_id": tenant.station.id, "post": "登记窗口", "description": "故意刁难",
        "level": "high", "measures": "限时办结", "responsible": "李四", "review_due": days(365)})  # fmt: skip
    assert changed.status_code == 302
    assert "高" in client.get(page).get_data(as_text=True)
    refused = client.post(page, data={"csrf_token": token, "action": "retire", "reason": ""})
    assert refused.status_code == 422
    retired = client.post(page, data={"csrf_token": token, "action": "retire", "reason": "岗位撤并"})
    assert retired.status_code == 302
    assert "岗位撤并" in client.get(page).get_data(as_text=True)
    staff = client.post("/integrity/staff", data={"csrf_token": token, "name": "王五", "unit_id": tenant.station.id,
                                                  "post": "窗口", "status": "active"})  # fmt: skip
    assert staff.status_code == 302
    with tenant_scope(tenant.tenant.id):
        sid = db.session.scalar(select(StaffMember.id))
    edit = client.post(
        f"/integrity/staff/{sid}",
        data={
            "csrf_token": token,
            "name": "王五",
            "post": "所长",
            "unit_id": tenant.station.id,
            "status": "transferred",
        },
    )
    assert edit.status_code == 302
    assert "调离" in client.get(f"/integrity/staff/{sid}").get_data(as_text=True)


def test_import_page_lists_errors_and_writes_nothing(client, tenant):
    log_in(client, "alpha.tenant_admin")
    token = _csrf(client, "/integrity/risk-points/import")
    head = "单位,岗位,风险描述,风险等级,防控措施,责任人,复核日期"
    csv = f"{head}\n{tenant.station.name},执法,宴请,极高,记录,张三,{days(9)}\n"
    resp = client.post("/integrity/risk-points/import", data={"csrf_token": token, "file": (io.BytesIO(csv.encode()),
                       "r.csv")}, content_type="multipart/form-data")  # fmt: skip
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "风险等级" in html
    assert "应为以下之一" in html
    with tenant_scope(tenant.tenant.id):
        assert db.session.scalar(select(func.count(RiskPoint.id))) == 0
    good = client.post("/integrity/risk-points/import", data={"csrf_token": token, "file": (
        io.BytesIO(csv.replace("极高", "高").encode()), "r.csv")}, content_type="multipart/form-data")  # fmt: skip
    assert good.status_code == 200
    assert "新增 1 条" in good.get_data(as_text=True)
    staff_csv = f"姓名,单位,岗位,执法证号,发证日期,有效期至,状态\n赵六,{tenant.station.name},执法,,,,在岗\n"
    staff = client.post("/integrity/staff/import", data={"csrf_token": token, "file": (io.BytesIO(staff_csv.encode()),
                        "s.csv")}, content_type="multipart/form-data")  # fmt: skip
    assert staff.status_code == 200, staff.get_data(as_text=True)


def test_another_tenants_pages_are_404(client, tenant, other_tenant):
    ids = seed(client, tenant)
    log_in(client, "beta.tenant_admin")
    assert client.get(f"/integrity/staff/{ids['staff']}").status_code == 404
    assert client.get(f"/integrity/risk-points/{ids['risk']}").status_code == 404
    assert "接受宴请" not in client.get("/integrity/risk-points").get_data(as_text=True)


def test_pages_are_404_where_the_domain_is_off(client, tenant):
    h = tenant.headers("tenant_admin")
    client.put(f"/api/v1/units/{tenant.station.id}/plugins/integrity", json={"enabled": False}, headers=h)
    log_in(client, "alpha.officer")
    for path in ("/integrity/staff", "/integrity/risk-points", "/integrity/risk-points/import"):
        assert client.get(path).status_code == 404, path
    assert "/integrity/risk-points" not in client.get("/ledger").get_data(as_text=True)


def test_demo_data_fills_the_registers_once(runner, tenant):
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    with tenant_scope(tenant.tenant.id):
        staff = db.session.scalar(select(func.count(StaffMember.id)))
        risks = db.session.scalar(select(func.count(RiskPoint.id)))
    assert staff >= 4
    assert risks >= 5
    runner.invoke(args=["demo-data"])
    with tenant_scope(tenant.tenant.id):
        assert db.session.scalar(select(func.count(RiskPoint.id))) == risks


def test_every_page_string_has_an_english_translation():
    """The plugin's page strings are in the English catalog (the core's own test reads only core/web)."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[3]
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(root / "plugins" / "integrity"), method_map, keywords={"_": None, "_l": None, "gettext": None}
        )
    }
    assert len(found) > 40
    with open(root / "core/web/translations/en/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f, locale="en")
    missing = sorted(m for m in found if m not in catalog or not catalog[m].string)
    assert not missing, missing
