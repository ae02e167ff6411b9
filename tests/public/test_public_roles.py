"""Every staff endpoint of the public channel with every role: allowed, refused (403 JSON), unauthenticated (401)."""

from __future__ import annotations

import io

import pytest
from fixtures.ledger import PNG
from fixtures.public import report_body, submit
from sqlalchemy import select

from core.auth.models import ROLES
from core.platform.db import db, tenant_scope
from core.public.models import PublicReport, ReportFile

ALL = set(ROLES)
TRIAGERS = {"officer", "reviewer"}
MANAGERS = {"city_admin", "tenant_admin"}
CITY = {"city_admin", "city_supervisor"}
SOLICITATION = {"title": "征集", "description": "说明", "starts_on": "2020-01-01", "ends_on": "2099-12-31"}

#: (method, path with {r} report, {f} file, {s} solicitation, roles admitted, body); "city:" paths have no tenant prefix
CASES = [
    ("GET", "/public-reports", ALL, None),
    ("GET", "/public-reports/stats", ALL, None),
    ("GET", "/public-reports/{r}", ALL, None),
    ("GET", "/public-reports/{r}/similar", ALL, None),
    ("GET", "/public-reports/{r}/contact", {"reviewer"}, None),
    ("GET", "/public-reports/{r}/files/{f}", ALL, None),
    ("POST", "/public-reports/{r}/accept", TRIAGERS, {"unit_id": "{station}", "category": "attitude",
                                                      "deadline_working_days": 5}),
    ("POST", "/public-reports/{r}/merge", TRIAGERS, {"problem_id": 999999}),
    ("POST", "/public-reports/{r}/dismiss", TRIAGERS, {"reason": "不属实"}),
    ("POST", "/public-reports/{r}/replies", TRIAGERS, {"text": "收到"}),
    # 转为问题线索 (the integrity plugin's referral): triagers pass the route, the referral admits only 纪检.
    ("POST", "/public-reports/{r}/refer", {"reviewer"}, {"referral": "integrity.lead"}),
    ("GET", "/public-channels", ALL, None),
    ("PUT", "/public-channels", MANAGERS, {"phone": "12345"}),
    ("GET", "/public-solicitations", ALL, None),
    ("POST", "/public-solicitations", MANAGERS, SOLICITATION),
    ("GET", "/public-solicitations/{s}", ALL, None),
    ("PATCH", "/public-solicitations/{s}", MANAGERS, {"title": "改"}),
    ("GET", "city:/city/public-solicitations", CITY, None),
    ("POST", "city:/city/public-solicitations", CITY, SOLICITATION),
    ("PATCH", "city:/city/public-solicitations/{cs}", CITY, {"title": "改"}),
]  # fmt: skip


@pytest.fixture
def objects(client, tenant, city):
    data = {**report_body(client), "files": [(io.BytesIO(PNG), "a.png")]}
    resp = client.post("/api/v1/public/bureau/alpha/reports", data=data, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.json
    with tenant_scope(tenant.tenant.id):
        ids = {"r": db.session.scalar(select(PublicReport.id)), "f": db.session.scalar(select(ReportFile.id))}
    ids["s"] = client.post(
        "/api/v1/public-solicitations", json=SOLICITATION, headers=tenant.headers("tenant_admin")
    ).json["id"]
    ids["cs"] = client.post("/api/v1/city/public-solicitations", json=SOLICITATION,
                            headers=city.headers("city_admin")).json["id"]  # fmt: skip
    ids["station"] = tenant.station.id
    submit(client)
    return ids


def _fill(value, ids):
    if isinstance(value, str):
        for key, replacement in ids.items():
            if value == "{" + key + "}":
                return replacement
            value = value.replace("{" + key + "}", str(replacement))
        return value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _call(client, case, role, tenant, city, ids):
    method, path, _, body = case
    if path.startswith("city:"):
        url = "/api/v1" + _fill(path[5:], ids)
    else:
        prefix = "/api/v1/tenants/alpha" if role in CITY else "/api/v1"
        url = prefix + _fill(path, ids)
    headers = {}
    if role:
        headers = city.headers(role) if role in CITY else tenant.headers(role)
    resp = client.open(url, method=method, json=_fill(body, ids), headers=headers)
    resp.get_data()
    resp.close()
    return resp


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]} {c[1]}")
def test_unauthenticated_gets_401(client, tenant, city, objects, case):
    resp = _call(client, case, None, tenant, city, objects)
    assert resp.status_code == 401
    assert resp.is_json


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]} {c[1]}")
def test_roles_are_admitted_or_refused(client, tenant, city, objects, case, role):
    resp = _call(client, case, role, tenant, city, objects)
    if role in case[2]:
        # Admitted: the service's own rules may still refuse (a reviewer does not record, a merge names a missing
        # problem), but never 401, 403 for the role, or 404 for the object.
        assert resp.status_code not in (401, 404), (resp.status_code, resp.json)
        if resp.status_code == 403:
            assert (case[1], role) == ("/public-reports/{r}/accept", "reviewer")
    elif case[1].startswith("city:") and role not in CITY and "{cs}" in case[1]:
        assert resp.status_code in (403, 404)
    else:
        assert resp.status_code == 403, (resp.status_code, resp.json)
        assert resp.is_json


def test_every_staff_route_has_a_role_case(app):
    covered = {(m, p.removeprefix("city:")) for m, p, _, _ in CASES}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("public_reports.") or rule.endpoint.endswith("_by_tenant"):
            continue
        path = rule.rule.removeprefix("/api/v1")
        for name, key in (("public_report_id", "{r}"), ("public_report_file_id", "{f}"), ("solicitation_id", "{s}")):
            path = path.replace(f"<int:{name}>", key)
        if path.startswith("/city/"):
            path = path.replace("{s}", "{cs}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (method, path) not in covered:
                missing.append(f"{method} {rule.rule}")
    assert not missing, missing
