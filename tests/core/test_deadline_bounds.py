"""Sane deadlines (issue 13, item 4): a 422 naming the field with a Chinese reason, on the API, the page, the import."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from fixtures.data import PASSWORD
from fixtures.ledger import act, current_etag, post_problem, problem_body
from openpyxl import Workbook

from core.ledger import bounds

# The ``clock`` fixture's today is Monday 30 September 2024; the campaign (the migration's phases) began 2023-01-01.
THREE_YEARS = "2027-09-30"


def _post(client, world, **overrides):
    return client.post("/api/v1/problems", json=problem_body(world, **overrides), headers=world.headers("officer"))


def _refused(resp, field: str) -> str:
    assert resp.status_code == 422, resp.json
    message = resp.json["errors"]["json"][field][0]
    assert re.search(r"[\u4e00-\u9fff]", message), message
    assert not re.search(r"[A-Za-z]{3,}", message), message
    return message


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"deadline": "9999-12-31"}, "deadline", "整改时限不能晚于2027-09-30"),
        ({"deadline": "2027-10-01"}, "deadline", "长期坚持"),
        ({"deadline": "2099-01-01", "rectification_type": "immediate"}, "deadline", "最多3年"),
        ({"deadline": "2040-01-01", "rectification_type": "long_term"}, "deadline", "长期坚持的问题最多10年"),
        ({"deadline": "2022-12-31"}, "deadline", "不能早于2023-01-01"),
        ({"deadline": "0001-01-01"}, "deadline", "不能早于2023-01-01"),
        ({"deadline": None, "deadline_working_days": 365}, "deadline_working_days", "工作日数应在1到250之间"),
        ({"deadline": None, "deadline_working_days": 251}, "deadline_working_days", "工作日数应在1到250之间"),
        ({"deadline": None, "deadline_working_days": 0}, "deadline_working_days", "工作日数应在1到250之间"),
    ],
)
def test_api_refuses_implausible_deadlines(client, clock, tenant, overrides, field, reason):
    resp = _post(client, tenant, **overrides)
    assert reason in _refused(resp, field)
    assert client.get("/api/v1/problems", headers=tenant.headers("officer")).json["items"] == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"deadline": THREE_YEARS},
        {"deadline": "2023-01-01"},  # overdue, as an old ledger's problems are
        {"deadline": "2034-09-30", "rectification_type": "long_term"},
        {"deadline": None, "rectification_type": "long_term"},
        {"deadline": None, "deadline_working_days": 250},
        {"deadline": None, "deadline_working_days": 1},
    ],
)
def test_api_accepts_the_bounds_themselves(client, clock, tenant, overrides):
    assert _post(client, tenant, **overrides).status_code == 201


def test_an_update_is_held_to_the_same_bounds(client, clock, tenant):
    pid = post_problem(client, tenant).json["id"]
    url, headers = f"/api/v1/problems/{pid}", tenant.headers("officer")

    def patch(body):
        return client.patch(url, json=body, headers={**headers, "If-Match": current_etag(client, tenant, pid)})

    assert "不能晚于2027-09-30" in _refused(patch({"deadline": "9999-12-31"}), "deadline")
    assert "1到250" in _refused(patch({"deadline_working_days": 365}), "deadline_working_days")
    long_term = patch({"rectification_type": "long_term", "deadline": "2030-06-30"})
    assert long_term.status_code == 200, long_term.json
    # Back from 长期坚持 the far deadline it kept no longer fits.
    assert "长期坚持" in _refused(patch({"rectification_type": "deadline"}), "deadline")
    assert patch({"rectification_type": "deadline", "deadline": "2025-03-31"}).status_code == 200


def test_an_extension_is_held_to_the_same_bounds(client, clock, tenant):
    pid = post_problem(client, tenant).json["id"]
    assert act(client, tenant, "tenant_admin", pid, "assign", current_etag(client, tenant, pid)).status_code == 200
    assert act(client, tenant, "officer", pid, "sign", current_etag(client, tenant, pid)).status_code == 200
    url = f"/api/v1/problems/{pid}/extensions"
    resp = client.post(url, json={"new_deadline": "9999-12-31", "reason": "等待"}, headers=tenant.headers("officer"))
    assert "新的时限不能晚于2027-09-30" in _refused(resp, "new_deadline")
    resp = client.post(url, json={"new_deadline": "2025-01-31", "reason": "等待"}, headers=tenant.headers("officer"))
    assert resp.status_code == 201, resp.json


def test_bounds_helpers():
    today = date(2024, 2, 29)
    assert bounds.latest_deadline("deadline", today) == date(2027, 2, 28)
    assert bounds.latest_deadline("long_term", today) == date(2034, 2, 28)
    assert bounds.deadline_refusal(date(2027, 2, 28), "immediate", today, None) is None
    assert bounds.deadline_refusal(date(1999, 1, 1), "immediate", today, None) is None  # no phases: no floor
    assert bounds.working_days_refusal(None) is None


# --- the web form -------------------------------------------------------------------------------------------


def _token(client, path) -> str:
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    return found.group(1)


@pytest.mark.parametrize(
    ("form", "field", "reason"),
    [
        ({"deadline": "9999-12-31"}, "deadline", "整改时限不能晚于2027-09-30"),
        ({"deadline": "2020-01-01"}, "deadline", "整改时限不能早于2023-01-01"),
        ({"deadline_working_days": "365"}, "deadline_working_days", "工作日数应在1到250之间"),
    ],
)
def test_page_shows_the_reason_beside_the_field(client, clock, tenant, form, field, reason):
    login = {"username": "alpha.officer", "password": PASSWORD, "csrf_token": _token(client, "/login")}
    client.post("/login", data=login)
    data = {"csrf_token": _token(client, "/problems/new"), "domain": "general", "unit_id": tenant.station.id,
            "category": "attitude", "title": "窗口推诿", "description": "描述", "rectification_type": "deadline",
            **form}  # fmt: skip
    resp = client.post("/problems/new", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    shown = re.search(rf'data-testid="error-{field}">([^<]+)<', html)
    assert shown, html[:2000]
    assert reason in shown.group(1)
    resp = client.post("/problems/new", data={**data, **{k: "" for k in form}, "deadline": THREE_YEARS})
    assert resp.status_code == 302


# --- the import ---------------------------------------------------------------------------------------------

HEADERS = ["外部编号", "问题类别", "问题描述", "责任单位", "整改时限", "整改类型"]


def _workbook(world, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for ref, deadline, kind in rows:
        ws.append([ref, "服务态度", f"{ref} 窗口推诿办事群众", world.station.name, deadline, kind])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_names_the_row_and_column_of_an_implausible_deadline(client, clock, tenant):
    content = _workbook(
        tenant,
        [
            ("ZC-1", date(2024, 11, 15), "限期整改"),
            ("ZC-2", date(9999, 12, 31), "限期整改"),
            ("ZC-3", "2020-06-30", "立行立改"),
            ("ZC-4", date(2030, 12, 31), "长期坚持"),
            ("ZC-5", date(2023, 3, 1), "限期整改"),  # an old ledger's overdue problem
        ],
    )
    resp = client.post(
        "/api/v1/problems/import",
        data={"file": (io.BytesIO(content), "台账.xlsx")},
        headers=tenant.headers("officer"),
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422, resp.json
    errors = {(e["row"], e["column"]): e["message"] for e in resp.json["errors"]["rows"]}
    assert set(errors) == {(3, "整改时限"), (4, "整改时限")}
    assert errors[(3, "整改时限")].startswith("整改时限不能晚于2027-09-30")
    assert errors[(4, "整改时限")].startswith("整改时限不能早于2023-01-01")
    assert client.get("/api/v1/problems", headers=tenant.headers("officer")).json["items"] == []
