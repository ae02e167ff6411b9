"""Bad input: a 400/422 JSON answer that names the field and the reason, and nothing written."""

from __future__ import annotations

import pytest

from core.auth.models import User
from core.platform.db import db, tenant_scope
from core.tenancy.models import Tenant, Unit


def _counts(tenant_id: int) -> tuple[int, int, int]:
    with tenant_scope(tenant_id):
        units = len(db.session.scalars(db.select(Unit)).all())
    return units, len(db.session.scalars(db.select(User)).all()), len(db.session.scalars(db.select(Tenant)).all())


def test_malformed_json_is_a_400(client, tenant):
    resp = client.post(
        "/api/v1/units", data='{"code": "x",', content_type="application/json", headers=tenant.headers("tenant_admin")
    )
    assert resp.status_code == 400
    assert resp.json["errors"]["json"] == ["请求体不是有效的 JSON"]


CASES = [
    ("missing", {"name": "新所", "kind": "station"}, "code", "必填"),
    ("unknown", {"code": "n1", "name": "新所", "kind": "station", "colour": "red"}, "colour", "不允许的字段"),
    ("wrong type", {"code": "n1", "name": "新所", "kind": "station", "sort_order": "first"}, "sort_order", "应为整数"),
    ("too long", {"code": "n1", "name": "所" * 101, "kind": "station"}, "name", "长度应在1到100之间"),
    ("not a choice", {"code": "n1", "name": "新所", "kind": "castle"}, "kind", "应为以下之一"),
    ("null", {"code": None, "name": "新所", "kind": "station"}, "code", "不能为空"),
]


@pytest.mark.parametrize(("why", "body", "field", "reason"), CASES, ids=[c[0] for c in CASES])
def test_unit_body_errors_name_the_field(client, tenant, why, body, field, reason):
    before = _counts(tenant.tenant.id)
    body = {**body, "parent_id": tenant.root.id}
    resp = client.post("/api/v1/units", json=body, headers=tenant.headers("tenant_admin"))
    assert resp.status_code == 422, why
    assert resp.json["code"] == 422
    assert resp.json["message"]
    assert reason in resp.json["errors"]["json"][field][0]
    assert _counts(tenant.tenant.id) == before


def test_a_body_that_is_not_an_object(client, tenant):
    resp = client.post("/api/v1/units", json=["a"], headers=tenant.headers("tenant_admin"))
    assert resp.status_code == 422
    assert resp.json["errors"]["json"]


def test_user_errors_leave_nothing_behind(client, tenant):
    before = _counts(tenant.tenant.id)
    body = {"username": "X!", "name": "某", "role": "officer", "unit_id": tenant.root.id, "password": "short"}
    resp = client.post("/api/v1/users", json=body, headers=tenant.headers("tenant_admin"))
    assert resp.status_code == 422
    assert "username" in resp.json["errors"]["json"]
    body["username"] = "alpha.fine"
    resp = client.post("/api/v1/users", json=body, headers=tenant.headers("tenant_admin"))
    assert resp.status_code == 422
    assert resp.json["errors"]["json"]["password"] == ["密码至少8位"]
    assert _counts(tenant.tenant.id) == before


def test_tenant_errors_name_the_field(client, city):
    h = city.headers("city_admin")
    resp = client.post("/api/v1/tenants", json={"slug": "Bad Slug", "name": "x", "code": "ok"}, headers=h)
    assert resp.status_code == 422
    assert "slug" in resp.json["errors"]["json"]
    resp = client.post("/api/v1/tenants", json={"slug": "fine", "name": "x", "code": "lower"}, headers=h)
    assert resp.status_code == 422
    assert "code" in resp.json["errors"]["json"]
    resp = client.patch("/api/v1/tenants/nosuch", json={"name": "x"}, headers=h)
    assert resp.status_code == 404


def test_unknown_route_and_method_answer_json(client, tenant):
    resp = client.get("/api/v1/nothing-here", headers=tenant.headers("officer"))
    assert resp.status_code == 404
    assert resp.is_json
    resp = client.delete("/api/v1/units", headers=tenant.headers("tenant_admin"))
    assert resp.status_code == 405
    assert resp.is_json
