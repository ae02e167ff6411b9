"""A user of tenant A gets 404 for every object of tenant B: never 403, never B's data.

The test walks app.url_map, so a route added later with an object in its path is covered or fails here.
"""

from __future__ import annotations

import re

import pytest
from fixtures.ledger import problem_with_objects

from core.auth.models import TENANT_ROLES

#: How to name tenant B's object for each path argument.
OBJECT_ARGUMENTS = {
    "tenant": lambda b: b.slug,
    "unit_id": lambda b: b.station.id,
    "user_id": lambda b: b.users["officer"].id,
    "problem_id": lambda b: b.objects["problem"],
    "attachment_id": lambda b: b.objects["attachment"],
    "extension_id": lambda b: b.objects["extension"],
    # Not objects of B; routes with these also name B's tenant, unit or problem.
    "domain": lambda b: "supervision",
    "action": lambda b: "assign",
}
BODIES = {
    "POST": {"name": "x"},
    "PUT": {"enabled": True},
    "PATCH": {"name": "x"},
}
#: path arguments that name no tenant object (platform resources)
PLATFORM_ARGUMENTS = {"domain", "year", "city_user_id"}


def give_objects(client, world):
    """A problem of tenant B with evidence and a pending extension, so every route has B's object to name."""
    world.objects = problem_with_objects(client, world)


def object_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or not rule.arguments:
            continue
        if rule.arguments <= PLATFORM_ARGUMENTS:
            continue  # /plugins/<domain>, /calendar/<year>: no tenant object in the path
        yield rule


def _url(rule, other) -> str:
    url = rule.rule
    for arg in rule.arguments:
        if arg not in OBJECT_ARGUMENTS:
            pytest.fail(f"{rule.rule}: no way to name tenant B's <{arg}>; add it to OBJECT_ARGUMENTS")
        url = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(OBJECT_ARGUMENTS[arg](other)), url)
    return url


def test_every_object_route_is_refused_across_tenants(app, client, tenant, other_tenant):
    give_objects(client, other_tenant)
    checked = 0
    for rule in object_routes(app):
        url = _url(rule, other_tenant)
        if "/tenants/" not in url and not rule.arguments & {"user_id", "unit_id", "problem_id"}:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role in TENANT_ROLES:
                resp = client.open(url, method=method, json=BODIES.get(method), headers=tenant.headers(role))
                assert resp.status_code == 404, (method, url, role, resp.status_code, resp.json)
                assert resp.is_json
                body = resp.get_data(as_text=True)
                assert other_tenant.tenant.name not in body
                assert other_tenant.station.name not in body
                assert "乙局的问题" not in body
                checked += 1
    assert checked > 50


def test_tenant_b_problem_is_untouched(client, tenant, other_tenant):
    give_objects(client, other_tenant)
    pid = other_tenant.objects["problem"]
    for role in TENANT_ROLES:
        headers = {**tenant.headers(role), "If-Match": '"1-1"'}
        client.patch(f"/api/v1/problems/{pid}", json={"title": "篡改"}, headers=headers)
    resp = client.get(f"/api/v1/problems/{pid}", headers=other_tenant.headers("viewer"))
    assert resp.json["title"] == "乙局的问题"
    listed = client.get("/api/v1/problems", headers=tenant.headers("tenant_admin")).json["items"]
    assert listed == []


def test_tenant_b_objects_are_untouched(client, tenant, other_tenant):
    for role in TENANT_ROLES:
        client.patch(f"/api/v1/units/{other_tenant.station.id}", json={"name": "hacked"}, headers=tenant.headers(role))
    resp = client.get(f"/api/v1/units/{other_tenant.station.id}", headers=other_tenant.headers("viewer"))
    assert resp.status_code == 200
    assert resp.json["name"] == other_tenant.station.name


def test_city_users_reach_any_tenant(client, city, other_tenant):
    resp = client.get(f"/api/v1/tenants/beta/units/{other_tenant.station.id}", headers=city.headers("city_supervisor"))
    assert resp.status_code == 200
    resp = client.get("/api/v1/tenants/nosuch/units", headers=city.headers("city_supervisor"))
    assert resp.status_code == 404
