"""The 执法证件 pages (issue 15, item 3): 证件到期预警 with its settings form and export, the 退休/调动 form of a
person, and the flag on an enforcement case file's page."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from fixtures.data import PASSWORD
from openpyxl import load_workbook

from core.platform.calendar import today_in_shanghai

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
    made = {}
    for name, number, offset in (("张三", "C-1", 20), ("李四", "C-2", -5), ("王五", "C-3", 500)):
        resp = client.post(
            f"{API}/staff",
            json={
                "name": name,
                "unit_id": world.station.id,
                "post": "综合执法",
                "certificate_no": number,
                "expires_on": days(offset),
            },
            headers=h,
        )
        assert resp.status_code == 201
        made[name] = resp.json["id"]
    return made


@pytest.mark.parametrize("role", ["tenant_admin", "officer", "reviewer", "viewer"])
def test_every_role_reads_the_due_list(client, tenant, role):
    seed(client, tenant)
    log_in(client, f"alpha.{role}")
    resp = client.get("/integrity/certificates")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "证件到期预警" in html
    assert "张三" in html
    assert "李四" in html
    assert "王五" not in html
    assert ('data-testid="certificate-settings"' in html) == (role == "tenant_admin")
    export = client.get("/integrity/certificates/export.xlsx?state=expired")
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.data)).active.values)
    export.close()
    assert [r[0] for r in rows[1:2]] == ["李四"]


def test_settings_form_changes_the_window(client, tenant):
    seed(client, tenant)
    log_in(client, "alpha.officer")
    token = _csrf(client, "/integrity/staff")
    assert client.post("/integrity/certificates", data={"csrf_token": token, "expiring_days": "10"}).status_code == 403
    log_in(client, "alpha.tenant_admin")
    token = _csrf(client, "/integrity/certificates")
    bad = client.post("/integrity/certificates", data={"csrf_token": token, "expiring_days": "0"})
    assert bad.status_code == 422
    ok = client.post("/integrity/certificates", data={"csrf_token": token, "expiring_days": "10"})
    assert ok.status_code == 302
    html = client.get("/integrity/certificates").get_data(as_text=True)
    assert "张三" not in html  # 20 days left: no longer within the window
    assert "李四" in html


def test_leave_form_retires_and_moves(client, tenant, other_tenant):
    ids = seed(client, tenant)
    log_in(client, "alpha.officer")
    page = client.get(f"/integrity/staff/{ids['张三']}").get_data(as_text=True)
    assert 'data-testid="staff-leave"' in page
    token = _csrf(client, f"/integrity/staff/{ids['张三']}")
    moved = client.post(
        f"/integrity/staff/{ids['张三']}/leave",
        data={"csrf_token": token, "action": "move", "unit_id": str(tenant.substation.id)},
    )
    assert moved.status_code == 302
    assert (
        client.get(f"{API}/staff/{ids['张三']}", headers=tenant.headers("viewer")).json["unit_id"]
        == tenant.substation.id
    )
    retired = client.post(
        f"/integrity/staff/{ids['李四']}/leave", data={"csrf_token": token, "action": "retire", "left_on": "2026-01-31"}
    )
    assert retired.status_code == 302
    page = client.get(f"/integrity/staff/{ids['李四']}").get_data(as_text=True)
    assert 'data-testid="staff-left"' in page
    assert "2026-01-31" in page
    refused = client.post(f"/integrity/staff/{ids['王五']}/leave", data={"csrf_token": token, "action": "move"})
    assert refused.status_code == 302
    assert client.get(f"{API}/staff/{ids['王五']}", headers=tenant.headers("viewer")).json["status"] == "active"
    log_in(client, "alpha.viewer")
    token = _csrf(client, "/integrity/staff")
    assert (
        client.post(f"/integrity/staff/{ids['王五']}/leave", data={"csrf_token": token, "action": "retire"}).status_code
        == 403
    )
    log_in(client, "beta.tenant_admin")
    token = _csrf(client, "/integrity/staff")
    assert (
        client.post(f"/integrity/staff/{ids['王五']}/leave", data={"csrf_token": token, "action": "retire"}).status_code
        == 404
    )
    assert "李四" not in client.get("/integrity/certificates").get_data(as_text=True)


def test_case_file_page_shows_the_flag(client, tenant):
    client.post(
        f"{API}/staff",
        json={"name": "张三", "unit_id": tenant.station.id, "certificate_no": "C-1", "expires_on": "2024-06-30"},
        headers=tenant.headers("tenant_admin"),
    )
    made = client.post(
        "/api/v1/plugins/enforcement/case-files",
        json={
            "case_no": "临市监处罚〔2024〕9号",
            "case_type": "penalty",
            "unit_id": tenant.station.id,
            "handlers": ["张三", "李四"],
            "filed_on": "2024-08-01",
        },
        headers=tenant.headers("officer"),
    )
    assert made.status_code == 201, made.json
    log_in(client, "alpha.viewer")
    html = client.get(f"/enforcement/case-files/{made.json['id']}").get_data(as_text=True)
    assert 'data-testid="certificate-flag"' in html
    assert 'data-testid="certificate-alert"' in html
