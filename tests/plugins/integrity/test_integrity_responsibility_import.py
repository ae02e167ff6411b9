"""党风廉政建设责任书 import (issue 15, item 4: every register importable from .xlsx/CSV, errors by row and column
before anything is written): the API's rules per row, updates by unit/year/kind, the export imported again changes
nothing, roles and tenants, and the page's form."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from core.audit.models import AuditEvent
from core.platform.calendar import today_in_shanghai
from core.platform.db import db, tenant_scope
from plugins.integrity.training_models import ResponsibilityStatement
from tests.plugins.integrity.test_integrity_pages import _csrf, log_in

API = "/api/v1/plugins/integrity"
YEAR = today_in_shanghai().year
HEAD = ["单位", "年度", "责任类型", "签订人", "签订日期"]
JAN1 = date(YEAR, 1, 1).isoformat()
LAST_YEAR = date(YEAR - 1, 12, 20).isoformat()


def staff(client, world, name, unit=None, number=None, status="active") -> int:
    data = {"name": name, "unit_id": (unit or world.station).id, "post": "所长", "status": status}
    if number:
        data |= {"certificate_no": number, "expires_on": (today_in_shanghai() + timedelta(days=500)).isoformat()}
    resp = client.post(f"{API}/staff", json=data, headers=world.headers("tenant_admin"))
    assert resp.status_code == 201, resp.json
    return resp.json["id"]


def _xlsx(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _csv(rows) -> io.BytesIO:
    return io.BytesIO("\n".join(",".join(str(c) for c in row) for row in rows).encode("utf-8"))


def _import(client, world, data, name="责任书.xlsx", role="tenant_admin", dry_run=False):
    return client.post(
        f"{API}/responsibility-statements/import",
        data={"file": (data, name), "dry_run": "true" if dry_run else "false"},
        headers=world.headers(role),
        content_type="multipart/form-data",
    )


def statements(world) -> list[tuple]:
    with tenant_scope(world.tenant.id):
        return sorted(db.session.execute(select(
            ResponsibilityStatement.unit_id, ResponsibilityStatement.year, ResponsibilityStatement.kind,
            ResponsibilityStatement.signer_staff_id, ResponsibilityStatement.signed_on)).all())  # fmt: skip


def kinds(world) -> list[str]:
    with tenant_scope(world.tenant.id):
        return list(db.session.scalars(
            select(AuditEvent.kind).where(AuditEvent.kind.like("integrity.responsibility%")).order_by(AuditEvent.seq)
        ))  # fmt: skip


@pytest.mark.parametrize("role", ["tenant_admin", "officer"])
def test_writers_import_by_name_or_certificate_number_audited(client, tenant, role):
    head = staff(client, tenant, "周所长")
    officer = staff(client, tenant, "吴纪检", number="JJ-1")
    rows = [HEAD, [tenant.station.name, YEAR, "主体责任", "周所长", JAN1],
            [tenant.station.code, YEAR, "监督责任书", "JJ-1", LAST_YEAR]]  # fmt: skip
    dry = _import(client, tenant, _xlsx(rows), role=role, dry_run=True)
    assert dry.status_code == 200, dry.json
    assert dry.json == {"created": 2, "updated": 0, "unchanged": 0, "dry_run": True}
    assert statements(tenant) == []
    done = _import(client, tenant, _xlsx(rows), role=role)
    assert done.status_code == 200, done.json
    assert done.json == {"created": 2, "updated": 0, "unchanged": 0, "dry_run": False}
    station = tenant.station.id
    assert statements(tenant) == [(station, YEAR, "main", head, date(YEAR, 1, 1)),
                                  (station, YEAR, "supervision", officer, date(YEAR - 1, 12, 20))]  # fmt: skip
    assert kinds(tenant) == ["integrity.responsibility_imported"]
    with tenant_scope(tenant.tenant.id):
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "integrity.responsibility_imported"))
        data = json.loads(event.body)["data"]
        assert data["created"] == 2
        assert len(data["statement_ids"]) == 2
    items = client.get(f"{API}/responsibility-statements?year={YEAR}", headers=tenant.headers("viewer")).json["items"]
    assert [(i["kind"], i["signer_name"]) for i in items] == [("main", "周所长"), ("supervision", "吴纪检")]


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_readers_may_not_import(client, tenant, role):
    staff(client, tenant, "周所长")
    rows = [HEAD, [tenant.station.name, YEAR, "主体责任", "周所长", JAN1]]
    assert _import(client, tenant, _xlsx(rows), role=role).status_code == 403
    assert statements(tenant) == []


def test_errors_by_row_and_column_with_nothing_written(client, tenant):
    staff(client, tenant, "周所长")
    staff(client, tenant, "周所长", number="Z-2")  # a namesake at the same unit
    staff(client, tenant, "吴纪检")
    staff(client, tenant, "郑退休", status="retired")
    staff(client, tenant, "王局长", unit=tenant.root, number="R-1")
    tomorrow = (today_in_shanghai() + timedelta(days=1)).isoformat()
    station = tenant.station.name
    rows = [
        HEAD,
        [station, YEAR, "主体责任", "吴纪检", JAN1],  # good
        ["不存在的单位", "明年", "党建责任", "", "not a date"],
        [station, YEAR, "监督责任", "周所长", date(YEAR - 2, 6, 1).isoformat()],  # namesakes; date too early
        [station, YEAR, "主体责任", "郑退休", tomorrow],  # the same kind again; retired; the future
        [station, YEAR, "监督责任", "R-1", JAN1],  # row 4's kind again; a person of another unit
    ]
    resp = _import(client, tenant, _xlsx(rows))
    assert resp.status_code == 422, resp.json
    found = resp.json["errors"]["rows"]
    assert {(e["row"], e["column"]) for e in found} == {
        (3, "单位"), (3, "年度"), (3, "责任类型"), (3, "签订人"), (3, "签订日期"),
        (4, "签订人"), (4, "签订日期"),
        (5, "责任类型"), (5, "签订人"), (5, "签订日期"),
        (6, "责任类型"), (6, "签订人"),
    }  # fmt: skip
    by_cell = {(e["row"], e["column"]): e["message"] for e in found}
    assert "请改填执法证号" in by_cell[(4, "签订人")]
    assert f"应在{YEAR - 1}年或{YEAR}年内" in by_cell[(4, "签订日期")]
    assert "与第2行" in by_cell[(5, "责任类型")]
    assert "不能晚于今天" in by_cell[(5, "签订日期")]
    assert "在岗人员" in by_cell[(6, "签订人")]
    assert statements(tenant) == []
    assert kinds(tenant) == []
    missing = _import(client, tenant, _xlsx([["单位", "年度", "签订人", "签订日期"], [station, YEAR, "吴纪检", JAN1]]))
    assert missing.status_code == 422
    assert missing.json["errors"]["rows"] == [{"row": 1, "column": "类别", "message": "缺少「类别」列"}]
    empty = _import(client, tenant, _xlsx([HEAD]))
    assert empty.status_code == 422
    assert "file" in empty.json["errors"]["json"]


def test_export_imports_again_unchanged_and_a_row_updates_signer_and_date(client, tenant):
    head, officer = staff(client, tenant, "周所长"), staff(client, tenant, "吴纪检")
    h = tenant.headers("tenant_admin")
    for kind, signer in (("main", head), ("supervision", officer)):
        made = client.post(f"{API}/responsibility-statements", json={
            "unit_id": tenant.station.id, "year": YEAR, "kind": kind, "signer_staff_id": signer,
            "signed_on": JAN1}, headers=h)  # fmt: skip
        assert made.status_code == 201, made.json
    before = statements(tenant)
    export = client.get(f"{API}/responsibility-statements/export?year={YEAR}", headers=tenant.headers("viewer"))
    data = export.data
    export.close()
    rows = list(load_workbook(io.BytesIO(data)).active.values)
    assert len(rows) == 3
    again = _import(client, tenant, io.BytesIO(data))
    assert again.status_code == 200, again.json
    assert again.json == {"created": 0, "updated": 0, "unchanged": 2, "dry_run": False}
    assert statements(tenant) == before
    assert "integrity.responsibility_imported" not in kinds(tenant)
    # a row of a recorded unit/year/kind updates its signer and date
    changed = _import(client, tenant, _xlsx([HEAD, [tenant.station.name, YEAR, "主体责任", "吴纪检", LAST_YEAR]]))
    assert changed.json == {"created": 0, "updated": 1, "unchanged": 0, "dry_run": False}
    assert statements(tenant)[0][3:] == (officer, date(YEAR - 1, 12, 20))
    assert len(statements(tenant)) == 2
    assert kinds(tenant)[-1] == "integrity.responsibility_imported"


def test_csv_and_scope(client, tenant, other_tenant):
    head = staff(client, tenant, "周所长")
    rows = [HEAD, [tenant.station.code, f"{YEAR}年度", "主体责任", "周所长", JAN1]]
    # an officer of the station may not import for the county bureau above it
    staff(client, tenant, "王局长", unit=tenant.root)
    above = _import(client, tenant, _csv([HEAD, [tenant.root.name, YEAR, "主体责任", "王局长", JAN1]]), "a.csv",
                    role="officer")  # fmt: skip
    assert above.status_code == 422
    assert {(e["row"], e["column"]) for e in above.json["errors"]["rows"]} == {(2, "单位")}
    # another tenant does not see this tenant's register (its own units may share the codes): nothing is written
    foreign = _import(client, other_tenant, _csv(rows), "a.csv")
    assert foreign.status_code == 422
    assert {(e["row"], e["column"]) for e in foreign.json["errors"]["rows"]} == {(2, "签订人")}
    assert statements(tenant) == []
    assert statements(other_tenant) == []
    done = _import(client, tenant, _csv(rows), "a.csv")
    assert done.status_code == 200, done.json
    assert statements(tenant) == [(tenant.station.id, YEAR, "main", head, date(YEAR, 1, 1))]
    assert _import(client, tenant, _csv(rows), "a.csv").json["unchanged"] == 1
    gbk = io.BytesIO("\n".join(",".join(str(c) for c in r) for r in rows).encode("gbk"))
    assert _import(client, tenant, gbk, "a.csv").json["unchanged"] == 1
    assert _import(client, tenant, io.BytesIO(b"\x00\x01binary"), "a.pdf").status_code == 422


def test_page_form_next_to_export_and_import_page(client, tenant):
    staff(client, tenant, "周所长")
    log_in(client, "alpha.viewer")
    assert 'data-testid="statement-import"' not in client.get("/integrity/responsibility").get_data(as_text=True)
    assert client.get("/integrity/responsibility/import").status_code == 403
    log_in(client, "alpha.tenant_admin")
    page = client.get("/integrity/responsibility").get_data(as_text=True)
    assert 'data-testid="statement-import"' in page
    assert page.index('data-testid="export"') < page.index('data-testid="statement-import"')
    token = _csrf(client, "/integrity/responsibility/import")
    csv = f"{','.join(HEAD)}\n{tenant.station.name},{YEAR},主体责任,查无此人,{JAN1}\n"
    bad = client.post("/integrity/responsibility/import", data={"csrf_token": token, "file": (
        io.BytesIO(csv.encode()), "t.csv")}, content_type="multipart/form-data")  # fmt: skip
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "签订人" in html
    assert "查无此人" in html
    assert statements(tenant) == []
    fixed = io.BytesIO(csv.replace("查无此人", "周所长").encode())
    good = client.post("/integrity/responsibility/import", data={"csrf_token": token, "file": (fixed, "t.csv")},
                       content_type="multipart/form-data")  # fmt: skip
    assert good.status_code == 200
    assert "新增 1 条" in good.get_data(as_text=True)
    with tenant_scope(tenant.tenant.id):
        assert db.session.scalar(select(func.count(ResponsibilityStatement.id))) == 1
