"""No hostile input reaches a 500: NUL, lone surrogates, deep JSON, hostile query strings and forms (issue 14, item 1).

Every write operation of the served OpenAPI document is fed the hostile bodies, as a county officer and as the city
admin; every GET operation a hostile query parameter.
"""

from __future__ import annotations

import json
import re

import pytest
from fixtures.ledger import current_etag, post_problem

from core.platform.input_guard import MAX_DEPTH, check_json

NUL = "整改\x00情况"
SURROGATE = "整改\ud800情况"


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def _operations(client, methods):
    spec = client.get("/api/openapi.json").json
    for path, ops in spec["paths"].items():
        for method in ops:
            if method in methods:
                # any id will do: the guard answers before the view looks anything up
                yield method, re.sub(r"\{[^}]+\}", "1", path)


def _bodies():
    yield "nul in a field", json.dumps({"title": NUL}), 422, "title"
    yield "surrogate in a field", json.dumps({"title": SURROGATE}), 422, "title"
    yield "nul in a nested field", json.dumps({"answers": [{"note": "好"}, {"note": NUL}]}), 422, "answers.1.note"
    yield "nul in a key", json.dumps({"ti\x00tle": "整改"}), 422, "_schema"
    yield "an integer past 64 bits", json.dumps({"problem_id": 2**63}), 422, "problem_id"
    yield "100,000 deep", _deep(100_000), 400, None
    yield "one past the limit", _deep(MAX_DEPTH + 1), 400, None


@pytest.mark.parametrize("who", ["officer", "city_admin"])
def test_every_write_operation_refuses_hostile_bodies(client, tenant, city, who):
    headers = tenant.headers("officer") if who == "officer" else city.headers("city_admin")
    operations = list(_operations(client, {"post", "put", "patch"}))
    assert len(operations) > 60  # the document's write operations, not a handful
    for method, url in operations:
        for name, body, status, field in _bodies():
            resp = client.open(
                url, method=method.upper(), data=body, headers={**headers, "Content-Type": "application/json"}
            )
            assert resp.status_code == status, (method, url, name, resp.status_code, resp.get_data(as_text=True)[:200])
            assert resp.is_json, (method, url, name)
            if field:
                assert resp.json["errors"]["json"][field], (url, name, resp.json)
            else:
                assert "嵌套" in resp.json["message"]


@pytest.mark.parametrize("who", ["officer", "city_admin"])
def test_every_read_operation_refuses_a_nul_in_its_query(client, tenant, city, who):
    headers = tenant.headers("officer") if who == "officer" else city.headers("city_admin")
    operations = list(_operations(client, {"get"}))
    assert len(operations) > 60
    for _method, url in operations:
        resp = client.get(url + "?q=%00&status=open%00", headers=headers)
        assert resp.status_code == 422, (url, resp.status_code)
        assert resp.json["errors"]["query"], url


def test_the_refusal_names_the_field_and_leaves_nothing_behind(client, tenant):
    created = post_problem(client, tenant).json
    etag = current_etag(client, tenant, created["id"])
    resp = client.patch(
        f"/api/v1/problems/{created['id']}",
        json={"title": "窗口\x00推诿"},
        headers={**tenant.headers("officer"), "If-Match": etag},
    )
    assert resp.status_code == 422
    assert resp.json["errors"]["json"] == {"title": ["不能含空字符（NUL）"]}
    again = client.get(f"/api/v1/problems/{created['id']}", headers=tenant.headers("officer")).json
    assert again["title"] == created["title"]
    resp = client.post(
        f"/api/v1/problems/{created['id']}/notes",
        data=json.dumps({"text": SURROGATE}),  # escaped as \\ud800: the app's own JSON would not encode it
        headers={**tenant.headers("officer"), "Content-Type": "application/json"},
    )
    assert resp.status_code == 422
    assert resp.json["errors"]["json"] == {"text": ["含无效的 Unicode 字符（孤立代理项）"]}


def test_the_public_channel_refuses_them_unauthenticated(client, tenant):
    for url in ("/api/v1/public/track", "/api/v1/public/track/rating", f"/api/v1/public/{tenant.slug}/reports"):
        body = json.dumps({"tracking_code": NUL, "secret": SURROGATE})
        resp = client.post(url, data=body, headers={"Content-Type": "application/json"})
        assert resp.status_code == 422, (url, resp.status_code)
        assert resp.is_json


def test_a_page_form_with_a_nul_is_refused_with_a_page(app, client, tenant):
    resp = client.post("/login", data={"username": "officer\x00", "password": "x"})
    assert resp.status_code == 422
    assert "不能含空字符" in resp.get_data(as_text=True)


def test_ordinary_text_passes():
    check_json({"title": "窗口服务态度生硬 😀", "list": [[[{"a": "b"}]]], "n": 1, "none": None})
    check_json(json.loads(_deep(MAX_DEPTH - 1)))


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/public-reports?offset=9223372036854775808",
        "/api/v1/plugins/approval/cases?offset=9223372036854775808",
        "/api/v1/problems?unit_id=-99999999999999999999",
    ],
)
def test_an_integer_past_64_bits_in_a_query_is_refused(client, tenant, url):
    resp = client.get(url, headers=tenant.headers("reviewer"))
    assert resp.status_code == 422
    assert list(resp.json["errors"]["query"].values()) == [["数值超出范围"]]


def test_a_secret_typed_in_chinese_is_a_wrong_secret_not_a_500(client, tenant):
    for url, body in (
        ("/api/v1/public/track", {"tracking_code": "ALPH-ABCD-EFGH", "secret": "密码"}),
        ("/api/v1/public/track/rating", {"tracking_code": "ALPH-ABCD-EFGH", "secret": "密码", "rating": "满意"}),
    ):
        resp = client.post(url, json=body)
        assert resp.status_code in (404, 422), (url, resp.status_code)
        assert resp.is_json


def test_an_unsupported_method_is_405_with_allow(client, tenant):
    for method, url in (("PUT", "/api/v1/problems"), ("DELETE", "/api/v1/domains"), ("PATCH", "/api/v1/calendar/2024")):
        resp = client.open(url, method=method, headers=tenant.headers("officer"))
        assert resp.status_code == 405, url
        assert resp.is_json
        assert "GET" in resp.headers["Allow"].split(", "), url
        assert method not in resp.headers["Allow"], url


def test_every_path_answers_its_missing_methods_with_405(client, tenant):
    spec = client.get("/api/openapi.json").json
    wrong = []
    for path, ops in spec["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in {"get", "post", "put", "patch", "delete"} - set(ops):
            resp = client.open(url, method=method.upper(), headers=tenant.headers("officer"))
            if resp.status_code != 405 or not resp.is_json or "Allow" not in resp.headers:
                wrong.append(f"{method.upper()} {url}: {resp.status_code}")
    assert not wrong, "\n".join(wrong[:40])
