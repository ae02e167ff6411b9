"""Shared helpers of the approval plugin's tests (imported by name: this folder is on sys.path under pytest)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

CASES = "/api/v1/plugins/approval/cases"
HEADERS = [
    "办理单位", "事项名称", "办件编号", "申请人类型", "窗口/岗位", "受理时间", "承诺办结时限（工作日）", "办结时间",
    "是否有中介参与",
]  # fmt: skip


def case_body(world, **overrides) -> dict:
    """A valid case of the world's station: received on Friday 27 September 2024, 5 working days promised."""
    data = {
        "unit_id": world.station.id,
        "matter_name": "食品经营许可（新办）",
        "case_no": "SP-2024-0001",
        "applicant_type": "legal_person",
        "window": "综合受理3号窗口",
        "received_at": "2024-09-27T10:30:00",
        "promised_days": 5,
        "completed_at": None,
        "intermediary": False,
    }
    data.update(overrides)
    return data


def city_cases(world) -> str:
    return f"/api/v1/tenants/{world.slug}/plugins/approval/cases"


def xlsx_bytes(rows: list[list], header: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "办件记录"
    ws.append(header or HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], header: list[str] | None = None, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or HEADERS)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(encoding)


def upload(client, world, data: bytes, name: str, role: str = "officer", dry_run: bool = False, prefix: str = ""):
    return client.post(
        f"/api/v1{prefix}/plugins/approval/cases/import",
        data={"file": (io.BytesIO(data), name), "dry_run": "true" if dry_run else "false"},
        headers=world.headers(role),
        content_type="multipart/form-data",
    )


def csrf_token(client, path: str = "/login") -> str:
    import re

    html = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    return found.group(1)


def log_in(client, username: str, password: str | None = None):
    from fixtures.data import PASSWORD

    data = {"username": username, "password": password or PASSWORD, "csrf_token": csrf_token(client)}
    resp = client.post("/login", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return resp
