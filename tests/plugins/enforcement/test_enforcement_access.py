"""Every endpoint of the enforcement API: allowed and refused roles (403), another tenant's objects (404, never 403),
no token (401), city users through /tenants/<slug>/, and per-unit enablement (404 where the domain is off)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from enforcement_helpers import API, begin, case_body, city_api, d, log_in, register, reviewed

from core.auth.models import ROLES, TENANT_ROLES

READERS = ROLES
REGISTRARS = ("city_supervisor", "tenant_admin", "officer")
REVIEWERS = ("city_supervisor", "tenant_admin", "reviewer")
MANAGERS = ("city_admin", "tenant_admin")


@dataclass(frozen=True)
class Case:
    method: str
    #: after the plugin's prefix; {f} a case file, {r} an open review, {s} a sampling, {i} a local item
    path: str
    allowed: tuple[str, ...]
    body: Any = None


CASES = [
    Case("GET", "/case-files", READERS),
    Case("POST", "/case-files", REGISTRARS, "case"),
    Case("POST", "/case-files/import", REGISTRARS, "import"),
    Case("GET", "/case-files/{f}", READERS),
    Case("GET", "/case-files/{f}/reviews", READERS),
    Case("POST", "/case-files/{f}/reviews", REVIEWERS, "review"),
    Case("GET", "/samplings", READERS),
    Case("POST", "/samplings", REVIEWERS, {"period_from": "2024-01-01", "period_to": "2024-12-31", "count": 1}),
    Case("GET", "/samplings/{s}", READERS),
    Case("GET", "/samplings/{s}/verify", READERS),
    Case("GET", "/reviews", READERS),
    Case("GET", "/reviews/{r}", READERS),
    Case("POST", "/reviews/{r}/score", REVIEWERS, "score"),
    Case("GET", "/rubric", READERS),
    Case("PUT", "/rubric/settings", MANAGERS, {"excellent_min": 92}),
    Case("GET", "/rubric/local-items", READERS),
    Case(
        "POST",
        "/rubric/local-items",
        MANAGERS,
        {"text": "本局项目", "basis": "《中华人民共和国行政处罚法》", "veto": True},
    ),
    Case("DELETE", "/rubric/local-items/{i}", MANAGERS),
    Case("GET", "/statistics", READERS),
]


def objects(client, world) -> dict[str, int]:
    """A case file with an open review, a sampling, and a local item of the world."""
    case_file = register(client, world, case_no=f"{world.slug}-1")["id"]
    sampling = client.post(
        f"{API}/samplings",
        json={"period_from": "2024-01-01", "period_to": "2024-12-31", "count": 1, "seed": "s"},
        headers=world.headers("reviewer"),
    ).json["id"]
    review = begin(client, world, case_file).json["id"]
    item = client.post(
        f"{API}/rubric/local-items",
        json={"text": "本局项目", "basis": "《中华人民共和国行政处罚法》", "veto": True},
        headers=world.headers("tenant_admin"),
    ).json["id"]
    return {"f": case_file, "r": review, "s": sampling, "i": item}


def _send(client, case: Case, url: str, headers: dict, world, n: int):
    body = case.body
    if body == "import":
        csv = f"案件编号,案件类型,承办单位,承办人,立案日期\n导入-{n},行政处罚,{world.station.name},张三,2024-01-01\n"
        return client.post(url, data={"file": (io.BytesIO(csv.encode()), "a.csv")}, headers=headers,
                           content_type="multipart/form-data")  # fmt: skip
    if body == "case":
        body = case_body(world, case_no=f"新-{n}")
    elif body == "review":
        body = {"reviewers": ["王五"]}
    elif body == "score":
        body = {"deductions": [d("F01")]}
    return client.open(url, method=case.method, json=body, headers=headers)


def _fresh(client, world, ids, case):
    """Objects that a successful call uses up (an open review, a live local item) are made again."""
    if case.body in ("review", "score"):
        ids["f"] = register(client, world, case_no=f"补-{ids['n']}")["id"]
    if case.body == "score":
        ids["r"] = begin(client, world, ids["f"]).json["id"]
    if case.method == "DELETE":
        ids["i"] = client.post(
            f"{API}/rubric/local-items",
            json={"text": f"本局项目{ids['n']}", "basis": "《中华人民共和国行政处罚法》", "veto": True},
            headers=world.headers("tenant_admin"),
        ).json["id"]
    ids["n"] += 1


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_roles(client, tenant, city, case):
    ids = {**objects(client, tenant), "n": 0}
    for role in ROLES:
        _fresh(client, tenant, ids, case)
        base = city_api(tenant) if role.startswith("city_") else API
        headers = city.headers(role) if role.startswith("city_") else tenant.headers(role)
        url = base + case.path.format(**ids)
        resp = _send(client, case, url, headers, tenant, ids["n"])
        if role in case.allowed:
            assert resp.status_code < 400, (role, url, resp.status_code, resp.json)
        else:
            assert resp.status_code == 403, (role, url, resp.status_code, resp.json)
            assert resp.json["code"] == 403


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_no_token_is_401(client, tenant, case):
    url = API + case.path.format(f=1, r=1, s=1, i=1)
    assert client.open(url, method=case.method, json={}).status_code == 401


def test_another_tenants_objects_are_404(client, tenant, other_tenant):
    theirs = objects(client, other_tenant)
    for case in CASES:
        if "{" not in case.path:
            continue
        url = API + case.path.format(**theirs)
        for role in TENANT_ROLES:
            resp = _send(client, case, url, tenant.headers(role), tenant, 0)
            assert resp.status_code == 404, (role, url, resp.status_code, resp.json)
            assert other_tenant.slug not in resp.get_data(as_text=True)
        # Naming the other tenant in the path does not help either.
        other_url = city_api(other_tenant) + case.path.format(**theirs)
        assert _send(client, case, other_url, tenant.headers("tenant_admin"), tenant, 0).status_code == 404
    # Their files are not listed, their reviews not counted.
    assert client.get(f"{API}/case-files", headers=tenant.headers("tenant_admin")).json["items"] == []
    assert client.get(f"{API}/statistics", headers=tenant.headers("viewer")).json["overall"]["count"] == 0
    # And their data is untouched.
    assert (
        client.get(f"{API}/reviews/{theirs['r']}", headers=other_tenant.headers("viewer")).json["status"] == "assigned"
    )


def test_every_route_of_the_plugin_has_a_case(app):
    covered = {(c.method, c.path.replace("{f}", "X").replace("{r}", "X").replace("{s}", "X").replace("{i}", "X"))
               for c in CASES}  # fmt: skip
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/plugins/enforcement/"):
            continue
        path = rule.rule.removeprefix("/api/v1/plugins/enforcement")
        for name in ("case_file_id", "review_id", "sampling_id", "rubric_item_id"):
            path = path.replace(f"<int:{name}>", "X")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (method, path) not in covered:
                missing.append(f"{method} {rule.rule}")
    assert not missing, missing


def test_off_at_a_unit_means_404_there(client, tenant, db):
    from core.platform.db import tenant_scope
    from core.tenancy.models import Unit
    from core.tenancy.service import set_unit_domain

    mine = register(client, tenant)
    root_file = register(client, tenant, role="tenant_admin", case_no="局-1", unit_id=tenant.root.id)
    with tenant_scope(tenant.tenant.id):
        set_unit_domain(db.session.get(Unit, tenant.station.id), "enforcement", False)
        db.session.commit()
    # The station's officer: the whole API is gone.
    for url in ("/case-files", "/rubric", "/statistics", f"/case-files/{mine['id']}"):
        resp = client.get(API + url, headers=tenant.headers("officer"))
        assert resp.status_code == 404, url
    # The bureau still works, but the station's files are out of reach, and nothing can be registered there.
    listed = client.get(f"{API}/case-files", headers=tenant.headers("tenant_admin")).json["items"]
    assert [f["id"] for f in listed] == [root_file["id"]]
    assert client.get(f"{API}/case-files/{mine['id']}", headers=tenant.headers("tenant_admin")).status_code == 404
    resp = client.post(
        f"{API}/case-files", json=case_body(tenant, case_no="新号"), headers=tenant.headers("tenant_admin")
    )
    assert resp.status_code == 422
    assert "unit_id" in resp.json["errors"]["json"]
    # Pages too.
    log_in(client, "alpha.officer")
    assert client.get("/enforcement/case-files").status_code == 404


def test_off_for_the_tenant_means_404_for_everyone(client, tenant, city, db):
    from core.platform.db import tenant_scope
    from core.tenancy.service import set_tenant_domain

    reviewed(client, tenant, register(client, tenant)["id"], [d("F01")])
    with tenant_scope(tenant.tenant.id):
        set_tenant_domain("enforcement", False)
        db.session.commit()
    for role in TENANT_ROLES:
        assert client.get(f"{API}/case-files", headers=tenant.headers(role)).status_code == 404
    assert client.get(f"{city_api(tenant)}/statistics", headers=city.headers("city_supervisor")).status_code == 404
