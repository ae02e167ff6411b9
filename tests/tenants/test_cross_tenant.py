"""A user of tenant A gets 404 for every object of tenant B: never 403, never B's data.

The test walks app.url_map, so a route added later with an object in its path is covered or fails here.
"""

from __future__ import annotations

import re

import pytest

from core.auth.models import TENANT_ROLES

#: How to name tenant B's object for each path argument.
OBJECT_ARGUMENTS = {
    "tenant": lambda b: b.slug,
    "unit_id": lambda b: b.station.id,
    "user_id": lambda b: b.users["officer"].id,
    # A domain is not an object of B; routes with one also name B's tenant or unit.
    "domain": lambda b: "supervision",
}
BODIES = {
    "POST": {"name": "x"},
    "PUT": {"enabled": True},
    "PATCH": {"name": "x"},
}


def object_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or not rule.arguments:
            continue
        if rule.arguments <= {"domain"}:
            continue  # /plugins/<domain> names no tenant object; its tenant comes from the token
        yield rule


def _url(rule, other) -> str:
    url = rule.rule
    for arg in rule.arguments:
        if arg not in OBJECT_ARGUMENTS:
            pytest.fail(f"{rule.rule}: no way to name tenant B's <{arg}>; add it to OBJECT_ARGUMENTS")
        url = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(OBJECT_ARGUMENTS[arg](other)), url)
    return url


def test_every_object_route_is_refused_across_tenants(app, client, tenant, other_tenant):
    checked = 0
    for rule in object_routes(app):
        url = _url(rule, other_tenant)
        if "/tenants/" not in url and "user_id" not in rule.arguments and "unit_id" not in rule.arguments:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role in TENANT_ROLES:
                resp = client.open(url, method=method, json=BODIES.get(method), headers=tenant.headers(role))
                assert resp.status_code == 404, (method, url, role, resp.status_code, resp.json)
                assert resp.is_json
                body = resp.get_data(as_text=True)
                assert other_tenant.tenant.name not in body
                assert other_tenant.station.name not in body
                checked += 1
    assert checked > 50


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
