"""Every admin endpoint with every role: allowed, refused (403 JSON) and unauthenticated (401 JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from core.auth.models import ROLES

CITY = ("city_admin", "city_supervisor")
TENANT_MANAGERS = ("city_admin", "tenant_admin")
EVERYONE = ROLES


@dataclass(frozen=True)
class Case:
    method: str
    #: path after /api/v1; {t} becomes "tenants/alpha/" for city roles and "" for tenant roles
    path: str
    allowed: tuple[str, ...]
    body: Any = None


def _cases() -> list[Case]:
    return [
        Case("GET", "/tenants", CITY),
        Case("POST", "/tenants", ("city_admin",), {"slug": "zeta", "name": "泽塔县局", "code": "ZT"}),
        Case("GET", "/tenants/alpha", EVERYONE),
        Case("PATCH", "/tenants/alpha", ("city_admin",), {"name": "阿尔法区局"}),
        Case("GET", "/{t}units", EVERYONE),
        Case(
            "POST",
            "/{t}units",
            TENANT_MANAGERS,
            {"code": "new", "name": "新所", "kind": "station", "parent_id": "{root}"},
        ),
        Case("GET", "/{t}units/{station}", EVERYONE),
        Case("PATCH", "/{t}units/{station}", TENANT_MANAGERS, {"name": "改名所"}),
        Case("DELETE", "/{t}units/{substation}", TENANT_MANAGERS),
        Case("GET", "/{t}users", ("city_admin", "city_supervisor", "tenant_admin")),
        Case(
            "POST",
            "/{t}users",
            TENANT_MANAGERS,
            {"username": "alpha.added", "name": "新人", "role": "viewer", "unit_id": "{root}"},
        ),
        Case("GET", "/{t}users/{officer}", ("city_admin", "city_supervisor", "tenant_admin")),
        Case("PATCH", "/{t}users/{officer}", TENANT_MANAGERS, {"name": "改名"}),
        Case("GET", "/city-users", ("city_admin",)),
        Case(
            "POST", "/city-users", ("city_admin",), {"username": "city.third", "name": "三", "role": "city_supervisor"}
        ),
        Case("GET", "/city-users/{city_supervisor}", ("city_admin",)),
        Case("PATCH", "/city-users/{city_supervisor}", ("city_admin",), {"name": "督查"}),
        Case("GET", "/{t}plugins", EVERYONE),
        Case("PUT", "/{t}plugins/approval", ("city_admin",), {"enabled": False}),
        Case("PUT", "/{t}units/{station}/plugins/approval", TENANT_MANAGERS, {"enabled": False}),
        Case("GET", "/{t}domains", EVERYONE),
        Case("GET", "/phases", EVERYONE),
        Case(
            "PUT",
            "/phases",
            ("city_admin",),
            {"phases": [{"code": "2024", "name": "深化拓展", "starts_on": "2024-01-01", "ends_on": "2024-12-31"}]},
        ),
        Case("GET", "/calendar/2024", EVERYONE),
        Case("PUT", "/calendar/2030", ("city_admin",), {"holidays": ["2030-01-01"], "source": "通知"}),
    ]


CASES = _cases()


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str):
        for key, replacement in ids.items():
            if value == "{" + key + "}":
                return replacement
            value = value.replace("{" + key + "}", str(replacement))
        return value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _request(client, case: Case, role: str | None, tenant, city):
    ids = {
        "t": "tenants/alpha/" if role in CITY else "",
        "root": tenant.root.id,
        "station": tenant.station.id,
        "substation": tenant.substation.id,
        "officer": tenant.users["officer"].id,
        "city_supervisor": city.users["city_supervisor"].id,
    }
    headers = {}
    if role is not None:
        headers = city.headers(role) if role in CITY else tenant.headers(role)
    url = "/api/v1" + _fill(case.path, ids)
    return client.open(url, method=case.method, json=_fill(case.body, ids), headers=headers)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_role_is_allowed_or_refused(client, tenant, city, case, role):
    resp = _request(client, case, role, tenant, city)
    if role in case.allowed:
        assert resp.status_code < 400, (resp.status_code, resp.json)
    elif case.path.startswith("/city-users/") and role not in CITY:
        # A city account does not exist for a tenant user: 404, so existence is not given away by a 403.
        assert resp.status_code == 404, (resp.status_code, resp.json)
    else:
        assert resp.status_code == 403, (resp.status_code, resp.json)
        assert resp.is_json
        assert resp.json["code"] == 403
        assert resp.json["message"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_unauthenticated_gets_401(client, tenant, city, case):
    resp = _request(client, case, None, tenant, city)
    assert resp.status_code == 401
    assert resp.is_json
    assert resp.json["code"] == 401


def test_every_admin_route_has_a_role_case(app):
    """A new admin route must be added to CASES (or this fails)."""
    covered = {(c.method, "/api/v1" + c.path.replace("{t}", "")) for c in CASES}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or rule.endpoint.endswith("_by_tenant"):
            continue
        path = rule.rule
        for name in ("unit_id", "user_id", "city_user_id", "year"):
            path = path.replace(f"<int:{name}>", "X")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if not any(m == method and _same_shape(p, path) for m, p in covered):
                missing.append(f"{method} {rule.rule}")
    assert not missing, missing


def _same_shape(case_path: str, rule_path: str) -> bool:
    a, b = case_path.strip("/").split("/"), rule_path.strip("/").split("/")
    return len(a) == len(b) and all(
        x == y or y in ("X", "<tenant>", "<domain>") or (x.startswith("{") or x.isdigit()) and y == "X"
        for x, y in zip(a, b, strict=True)
    )
