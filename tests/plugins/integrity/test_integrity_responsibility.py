"""党风廉政建设责任书 (issue 15, item 4): statements per unit, year and kind with the signed copy, roles and tenants,
who has not signed (list and export), and the first-quarter reminder of the sweep."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.oversight.models import Notification
from core.oversight.sweep import run_sweep
from core.platform.calendar import today_in_shanghai
from core.platform.db import db, tenant_scope

API = "/api/v1/plugins/integrity"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
YEAR = today_in_shanghai().year


def staff(client, world, name, unit=None, status="active") -> int:
    data = {"name": name, "unit_id": (unit or world.station).id, "post": "所长", "status": status}
    resp = client.post(f"{API}/staff", json=data, headers=world.headers("tenant_admin"))
    assert resp.status_code == 201, resp.json
    return resp.json["id"]


def post(client, world, signer, role="tenant_admin", **overrides):
    data = {"unit_id": world.station.id, "year": YEAR, "kind": "main", "signer_staff_id": signer,
            "signed_on": date(YEAR, 1, 1).isoformat()}  # fmt: skip
    data.update(overrides)
    return client.post(f"{API}/responsibility-statements", json=data, headers=world.headers(role))


def kinds(world) -> list[str]:
    with tenant_scope(world.tenant.id):
        return list(db.session.scalars(
            select(AuditEvent.kind).where(AuditEvent.kind.like("integrity.responsibility%")).order_by(AuditEvent.seq)
        ))  # fmt: skip


def upload(client, world, sid, data=PDF, name="责任书.pdf", role="officer"):
    return client.post(f"{API}/responsibility-statements/{sid}/file", data={"file": (io.BytesIO(data), name)},
                       headers=world.headers(role), content_type="multipart/form-data")  # fmt: skip


def test_record_list_correct_upload_delete_each_audited(client, tenant):
    head, officer = staff(client, tenant, "周所长"), staff(client, tenant, "吴纪检")
    made = post(client, tenant, head)
    assert made.status_code == 201, made.json
    assert made.json["kind_name"] == "主体责任"
    assert made.json["signer_name"] == "周所长"
    assert made.json["has_file"] is False
    again = post(client, tenant, head)
    assert again.status_code == 409
    assert again.json["statement_id"] == made.json["id"]
    sup = post(client, tenant, officer, kind="supervision")
    assert sup.status_code == 201
    h = tenant.headers("viewer")
    items = client.get(f"{API}/responsibility-statements?year={YEAR}", headers=h).json["items"]
    assert [i["kind"] for i in items] == ["main", "supervision"]
    assert client.get(f"{API}/responsibility-statements?year={YEAR - 1}", headers=h).json["items"] == []
    sid = made.json["id"]
    changed = client.patch(f"{API}/responsibility-statements/{sid}", json={"signer_staff_id": officer},
                           headers=tenant.headers("officer"))  # fmt: skip
    assert changed.status_code == 200, changed.json
    assert changed.json["signer_name"] == "吴纪检"
    bad = upload(client, tenant, sid, b"MZ\x90\x00 not a document", "a.pdf")
    assert bad.status_code == 422
    assert "file" in bad.json["errors"]["json"]
    assert client.get(f"{API}/responsibility-statements/{sid}/file", headers=h).status_code == 404
    done = upload(client, tenant, sid)
    assert done.status_code == 200, done.json
    assert done.json["file_name"] == "责任书.pdf"
    down = client.get(f"{API}/responsibility-statements/{sid}/file", headers=h)
    assert down.status_code == 200
    assert down.headers["Content-Disposition"].startswith("attachment")
    assert down.data == PDF
    down.close()
    gone = client.delete(f"{API}/responsibility-statements/{sid}", json={"reason": "签订人有误"},
                         headers=tenant.headers("officer"))  # fmt: skip
    assert gone.status_code == 204
    assert client.get(f"{API}/responsibility-statements/{sid}", headers=h).status_code == 404
    assert kinds(tenant) == [
        "integrity.responsibility_signed",
        "integrity.responsibility_signed",
        "integrity.responsibility_updated",
        "integrity.responsibility_file_added",
        "integrity.responsibility_deleted",
    ]


def test_bad_input_names_the_field(client, tenant):
    head = staff(client, tenant, "周所长")
    other_unit = staff(client, tenant, "王局长", unit=tenant.root)
    retired = staff(client, tenant, "老所长", status="retired")
    for field, value in (("kind", "both"), ("year", 1999), ("year", "2025"), ("signed_on", "x"), ("unit_id", None)):
        resp = post(client, tenant, head, **{field: value})
        assert resp.status_code == 422, (field, value)
        assert field in resp.json["errors"]["json"], (field, resp.json)
    for signer in (other_unit, retired, 987654):
        resp = post(client, tenant, signer)
        assert resp.status_code == 422, signer
        assert "signer_staff_id" in resp.json["errors"]["json"]
    for signed_on in (date(YEAR - 2, 12, 31), today_in_shanghai() + timedelta(days=1)):
        resp = post(client, tenant, head, signed_on=signed_on.isoformat())
        assert resp.status_code == 422
        assert "signed_on" in resp.json["errors"]["json"]
    assert post(client, tenant, head, signed_on=date(YEAR - 1, 12, 28).isoformat()).status_code == 201


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_readers_may_not_write(client, tenant, role):
    sid = post(client, tenant, staff(client, tenant, "周所长")).json["id"]
    h = tenant.headers(role)
    assert post(client, tenant, 1, role=role).status_code == 403
    assert client.patch(f"{API}/responsibility-statements/{sid}", json={}, headers=h).status_code == 403
    assert client.delete(f"{API}/responsibility-statements/{sid}", json={"reason": "x"}, headers=h).status_code == 403
    assert upload(client, tenant, sid, role=role).status_code == 403
    for path in (f"/responsibility-statements/{sid}", "/responsibility-statements", "/responsibility-gaps"):
        assert client.get(f"{API}{path}", headers=h).status_code == 200, path


def test_an_officer_records_for_its_own_unit_only(client, tenant):
    boss = staff(client, tenant, "王局长", unit=tenant.root)
    assert post(client, tenant, boss, role="officer", unit_id=tenant.root.id).status_code == 403
    root = post(client, tenant, boss, unit_id=tenant.root.id).json
    assert client.get(f"{API}/responsibility-statements/{root['id']}", headers=tenant.headers("officer")).status_code \
        == 404  # fmt: skip
    leader = staff(client, tenant, "一组组长", unit=tenant.substation)
    assert post(client, tenant, leader, role="officer", unit_id=tenant.substation.id).status_code == 201


def test_cross_tenant_is_404_on_every_endpoint(client, tenant, other_tenant):
    signer = staff(client, tenant, "周所长")
    sid = post(client, tenant, signer).json["id"]
    upload(client, tenant, sid)
    h = other_tenant.headers("tenant_admin")
    base = f"{API}/responsibility-statements/{sid}"
    assert client.get(base, headers=h).status_code == 404
    assert client.patch(base, json={"signed_on": date(YEAR, 1, 2).isoformat()}, headers=h).status_code == 404
    assert client.delete(base, json={"reason": "x"}, headers=h).status_code == 404
    assert client.get(f"{base}/file", headers=h).status_code == 404
    assert upload(client, other_tenant, sid, role="tenant_admin").status_code == 404
    assert client.get(f"{API}/responsibility-statements", headers=h).json["items"] == []
    resp = post(client, other_tenant, signer)
    assert resp.status_code == 422
    assert "signer_staff_id" in resp.json["errors"]["json"]
    export = client.get(f"{API}/responsibility-statements/export", headers=h)
    assert len(list(load_workbook(io.BytesIO(export.data)).active.values)) == 1
    export.close()
    # the other tenant's units have signed nothing
    gaps = client.get(f"{API}/responsibility-gaps", headers=h).json["items"]
    assert len(gaps) == 4


def test_who_has_not_signed_list_and_export(client, tenant):
    head, officer = staff(client, tenant, "周所长"), staff(client, tenant, "吴纪检")
    post(client, tenant, head)
    h = tenant.headers("viewer")
    gaps = {g["unit_id"]: g for g in client.get(f"{API}/responsibility-gaps", headers=h).json["items"]}
    assert gaps[tenant.station.id]["missing"] == ["supervision"]
    assert gaps[tenant.root.id]["missing_names"] == ["主体责任", "监督责任"]
    assert len(gaps) == 4
    post(client, tenant, officer, kind="supervision")
    gaps = client.get(f"{API}/responsibility-gaps?year={YEAR}", headers=h).json
    assert gaps["year"] == YEAR
    assert tenant.station.id not in {g["unit_id"] for g in gaps["items"]}
    last = client.get(f"{API}/responsibility-gaps?year={YEAR - 1}", headers=h).json["items"]
    assert tenant.station.id in {g["unit_id"] for g in last}
    export = client.get(f"{API}/responsibility-gaps/export", headers=h)
    rows = list(load_workbook(io.BytesIO(export.data)).active.values)
    export.close()
    assert rows[0] == ("年度", "单位", "未签订")
    assert len(rows) == 4
    assert rows[1][2] == "主体责任、监督责任"
    officer_view = client.get(f"{API}/responsibility-gaps", headers=tenant.headers("officer")).json["items"]
    assert [g["unit_id"] for g in officer_view] == [tenant.substation.id]


# --- the sweep's reminder -------------------------------------------------------------------------------------


def _reminders(world) -> list[Notification]:
    with tenant_scope(world.tenant.id):
        return list(db.session.scalars(
            select(Notification).where(Notification.key.like("integrity.responsibility:%")).order_by(Notification.id)
        ))  # fmt: skip


def test_sweep_reminds_unsigned_units_once_a_year_in_the_first_quarter(client, tenant):
    head, officer = staff(client, tenant, "周所长"), staff(client, tenant, "吴纪检")
    post(client, tenant, head, year=YEAR + 1, signed_on=date(YEAR, 1, 1).isoformat())
    run_sweep(date(YEAR + 1, 4, 1))
    assert _reminders(tenant) == []  # April: no longer reminded
    run_sweep(date(YEAR + 1, 2, 1))
    run_sweep(date(YEAR + 1, 3, 1))
    found = _reminders(tenant)
    station = [n for n in found if n.key == f"integrity.responsibility:{tenant.station.id}:{YEAR + 1}"]
    assert [(n.user_id, n.kind) for n in station] == [(tenant.users["officer"].id, "plugin_reminder")]
    assert "监督责任" in station[0].title
    assert "主体责任" not in station[0].title
    assert station[0].link == f"/integrity/responsibility?year={YEAR + 1}"
    keys = {n.key for n in found}
    assert f"integrity.responsibility:{tenant.root.id}:{YEAR + 1}" in keys
    before = len(found)
    post(client, tenant, officer, kind="supervision", year=YEAR + 1, signed_on=date(YEAR, 1, 1).isoformat())
    run_sweep(date(YEAR + 1, 3, 2))
    assert len(_reminders(tenant)) == before
