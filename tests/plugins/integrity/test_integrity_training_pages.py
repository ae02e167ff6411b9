"""The pages 教育培训 and 责任书 without a browser (issue 15, items 2 and 4): they render in Chinese for every role,
forms record and change, import lists errors, exports open, other tenants get 404; and the demo data."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.platform.calendar import today_in_shanghai
from core.platform.db import db, tenant_scope
from plugins.integrity.training_models import ResponsibilityStatement, TrainingSession
from tests.plugins.integrity.test_integrity_pages import _csrf, log_in

API = "/api/v1/plugins/integrity"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
YEAR = today_in_shanghai().year


def day() -> str:
    today = today_in_shanghai()
    return max(date(today.year, 1, 1), today - timedelta(days=2)).isoformat()


def seed(client, world) -> dict:
    h = world.headers("tenant_admin")
    person = client.post(f"{API}/staff", json={"name": "张三", "unit_id": world.station.id, "post": "所长"},
                         headers=h).json["id"]  # fmt: skip
    other = client.post(f"{API}/staff", json={"name": "李四", "unit_id": world.station.id, "post": "执法"},
                        headers=h).json["id"]  # fmt: skip
    session = client.post(f"{API}/training-sessions", json={
        "unit_id": world.station.id, "topic": "警示教育大会", "category": "warning", "held_on": day(), "hours": 2,
        "staff_ids": [person]}, headers=h)  # fmt: skip
    statement = client.post(f"{API}/responsibility-statements", json={
        "unit_id": world.station.id, "year": YEAR, "kind": "main", "signer_staff_id": person,
        "signed_on": date(YEAR, 1, 1).isoformat()}, headers=h)  # fmt: skip
    assert session.status_code == 201, session.json
    assert statement.status_code == 201, statement.json
    return {"session": session.json["id"], "statement": statement.json["id"], "staff": person, "other": other}


PAGES = ["/integrity/training", "/integrity/training/{session}", "/integrity/training/hours",
         "/integrity/training/gaps", "/integrity/responsibility", "/integrity/responsibility/{statement}",
         "/integrity/responsibility/unsigned"]  # fmt: skip


@pytest.mark.parametrize("role", ["tenant_admin", "officer", "reviewer", "viewer"])
def test_every_role_reads_the_pages_in_chinese(client, tenant, role):
    ids = seed(client, tenant)
    log_in(client, f"alpha.{role}")
    for path in PAGES:
        assert client.get(path.format(**ids)).status_code == 200, (role, path)
    page = client.get("/integrity/training").get_data(as_text=True)
    for label in ("教育培训与警示教育", "主题", "类别", "课时", "举办单位", "警示教育大会", "学时统计", "导出 Excel"):
        assert label in page, label
    hours = client.get("/integrity/training/hours").get_data(as_text=True)
    for label in ("按单位", "按人员", "人均学时", "警示教育覆盖率", "张三"):
        assert label in hours, label
    gaps = client.get("/integrity/training/gaps").get_data(as_text=True)
    assert "李四" in gaps
    assert "张三" not in gaps
    duty = client.get("/integrity/responsibility").get_data(as_text=True)
    for label in ("党风廉政建设责任书", "主体责任", "签订人", "签字扫描件", "未上传", "尚未签订责任书的单位"):
        assert label in duty, label
    writer = role in ("tenant_admin", "officer")
    assert ('data-testid="new-training-session"' in page) is writer
    assert ('data-testid="new-statement"' in duty) is writer
    ledger = client.get("/ledger").get_data(as_text=True)
    assert "/integrity/training" in ledger
    assert "/integrity/responsibility" in ledger
    assert client.get("/integrity/training/import").status_code == (200 if writer else 403)
    for path, sheet in (("/integrity/training/export.xlsx", 0), ("/integrity/training/hours.xlsx", 1),
                        ("/integrity/training/gaps.xlsx", 0), ("/integrity/responsibility/export.xlsx", 0),
                        ("/integrity/responsibility/unsigned.xlsx", 0)):  # fmt: skip
        resp = client.get(path)
        assert resp.status_code == 200, path
        rows = list(load_workbook(io.BytesIO(resp.data)).worksheets[sheet].values)
        resp.close()
        assert len(rows) >= 2, path


def test_forms_record_change_upload_and_delete(client, tenant):
    ids = seed(client, tenant)
    log_in(client, "alpha.officer")
    token = _csrf(client, "/integrity/training")
    bad = client.post("/integrity/training", data={"csrf_token": token, "unit_id": tenant.station.id, "topic": "党课",
                                                   "category": "integrity", "held_on": day(), "hours": "30"})
    assert bad.status_code == 422
    assert "课时应大于0且不超过24" in bad.get_data(as_text=True)
    made = client.post("/integrity/training", data={
        "csrf_token": token, "unit_id": tenant.station.id, "topic": "廉政党课", "category": "integrity",
        "held_on": day(), "hours": "1.5", "staff_ids": [str(ids["staff"]), str(ids["other"])]})  # fmt: skip
    assert made.status_code == 302
    with tenant_scope(tenant.tenant.id):
        sid = db.session.scalar(select(TrainingSession.id).where(TrainingSession.topic == "廉政党课"))
    page = f"/integrity/training/{sid}"
    assert "李四" in client.get(page).get_data(as_text=True)
    changed = client.post(page, data={"csrf_token": token, "unit_id": tenant.station.id, "topic": "廉政党课",
                                      "category": "case_reform", "held_on": day(), "hours": "2",
                                      "staff_ids": [str(ids["staff"])]})  # fmt: skip
    assert changed.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "以案促改" in html
    assert "李四" not in html.split('data-testid="attendees"')[1].split("</dd>")[0]
    uploaded = client.post(page, data={"csrf_token": token, "action": "upload", "file": (io.BytesIO(PDF), "课件.pdf")},
                           content_type="multipart/form-data")  # fmt: skip
    assert uploaded.status_code == 302
    assert "课件.pdf" in client.get(page).get_data(as_text=True)
    refused = client.post(page, data={"csrf_token": token, "action": "delete", "reason": ""})
    assert refused.status_code == 422
    deleted = client.post(page, data={"csrf_token": token, "action": "delete", "reason": "重复"})
    assert deleted.status_code == 302
    assert client.get(page).status_code == 404
    # 责任书: record the 监督责任, upload the signed copy, correct it
    duty = client.post("/integrity/responsibility", data={
        "csrf_token": token, "unit_id": tenant.station.id, "year": str(YEAR), "kind": "supervision",
        "signer_staff_id": str(ids["other"]), "signed_on": date(YEAR, 1, 3).isoformat()})  # fmt: skip
    assert duty.status_code == 302, duty.get_data(as_text=True)
    twice = client.post("/integrity/responsibility", data={
        "csrf_token": token, "unit_id": tenant.station.id, "year": str(YEAR), "kind": "supervision",
        "signer_staff_id": str(ids["other"]), "signed_on": date(YEAR, 1, 3).isoformat()})  # fmt: skip
    assert twice.status_code == 422
    assert "已登记" in twice.get_data(as_text=True)
    statement = duty.headers["Location"].rsplit("/", 1)[-1]
    page = f"/integrity/responsibility/{statement}"
    uploaded = client.post(page, data={"csrf_token": token, "action": "upload", "file": (io.BytesIO(PDF), "监督.pdf")},
                           content_type="multipart/form-data")  # fmt: skip
    assert uploaded.status_code == 302
    assert "监督.pdf" in client.get(page).get_data(as_text=True)
    download = client.get(f"{page}/file")
    assert download.status_code == 200
    download.close()
    fixed = client.post(page, data={"csrf_token": token, "signer_staff_id": str(ids["staff"]),
                                    "signed_on": date(YEAR, 1, 4).isoformat()})  # fmt: skip
    assert fixed.status_code == 302
    assert date(YEAR, 1, 4).isoformat() in client.get(page).get_data(as_text=True)
    unsigned = client.get("/integrity/responsibility/unsigned").get_data(as_text=True)
    assert f"<td>{tenant.station.name}</td>" not in unsigned  # both signed now
    assert f"<td>{tenant.substation.name}</td>" in unsigned


def test_import_page_lists_errors_and_writes_nothing(client, tenant):
    seed(client, tenant)
    log_in(client, "alpha.tenant_admin")
    token = _csrf(client, "/integrity/training/import")
    head = "举办单位,主题,类别,培训日期,课时,组织者,参训人员,内容摘要"
    csv = f"{head}\n{tenant.station.name},以案促改会,以案促改,{day()},2,,张三、查无此人,\n"
    resp = client.post("/integrity/training/import", data={"csrf_token": token, "file": (io.BytesIO(csv.encode()),
                       "t.csv")}, content_type="multipart/form-data")  # fmt: skip
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "参训人员" in html
    assert "查无此人" in html
    with tenant_scope(tenant.tenant.id):
        assert db.session.scalar(select(func.count(TrainingSession.id))) == 1
    good = client.post("/integrity/training/import", data={"csrf_token": token, "file": (
        io.BytesIO(csv.replace("、查无此人", "").encode()), "t.csv")}, content_type="multipart/form-data")  # fmt: skip
    assert good.status_code == 200
    assert "新增 1 条" in good.get_data(as_text=True)


def test_another_tenants_pages_are_404(client, tenant, other_tenant):
    ids = seed(client, tenant)
    log_in(client, "beta.tenant_admin")
    assert client.get(f"/integrity/training/{ids['session']}").status_code == 404
    assert client.get(f"/integrity/responsibility/{ids['statement']}").status_code == 404
    assert client.get(f"/integrity/responsibility/{ids['statement']}/file").status_code == 404
    assert "警示教育大会" not in client.get("/integrity/training").get_data(as_text=True)
    assert "张三" not in client.get("/integrity/training/hours").get_data(as_text=True)


def test_pages_are_404_where_the_domain_is_off(client, tenant):
    h = tenant.headers("tenant_admin")
    client.put(f"/api/v1/units/{tenant.station.id}/plugins/integrity", json={"enabled": False}, headers=h)
    log_in(client, "alpha.officer")
    for path in ("/integrity/training", "/integrity/training/hours", "/integrity/responsibility"):
        assert client.get(path).status_code == 404, path


def test_demo_data_fills_training_and_statements_once(runner, tenant):
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    with tenant_scope(tenant.tenant.id):
        sessions = db.session.scalar(select(func.count(TrainingSession.id)))
        statements = db.session.scalar(select(func.count(ResponsibilityStatement.id)))
        assert db.session.scalar(
            select(func.count(TrainingSession.id)).where(TrainingSession.category == "warning")
        ) == 1
    assert sessions == 4
    assert statements >= 1
    runner.invoke(args=["demo-data"])
    with tenant_scope(tenant.tenant.id):
        assert db.session.scalar(select(func.count(TrainingSession.id))) == sessions
