"""Who assigns and who closes, at every level (issue 13, item 1).

The county bureau's own problems (recorded by the county for its top unit, 局机关) are assigned and closed by the
bureau itself: its leadership (tenant_admin, the liaison 联络员) and the top unit's discipline reviewer. A unit
below is assigned by the levels above it and closed by a reviewer above it. The city assigns anything and closes
what it assigned (city_assigned). Another tenant's users never learn the problem exists (404).
"""

from __future__ import annotations

import pytest
from fixtures.data import _user
from fixtures.ledger import current_etag, post_problem, problem_body, upload

from core.auth.service import issue_token
from core.platform.db import db

CITY = "/tenants/alpha"

ACTORS = (
    "tenant_admin",  # 县区局管理员, at the top unit
    "reviewer",  # 纪检/验收, at the top unit
    "liaison",  # 联络员: an officer of a division below the top unit, marked is_liaison
    "root_officer",  # an officer of the top unit, not the liaison
    "officer",  # an officer of the station
    "station_reviewer",  # a reviewer of the station
    "viewer",
    "city_supervisor",
    "city_admin",
    "other_tenant_admin",
    "other_reviewer",
    "other_liaison",
)


@pytest.fixture
def people(client, clock, tenant, other_tenant, city):
    """Headers and prefix per actor, with the extra users this matrix needs."""

    def extra(world, name, role, unit, liaison=False):
        user = _user(f"{world.slug}.{name}", role, world.tenant, unit)
        user.is_liaison = liaison
        db.session.flush()
        token = issue_token(user)[0]
        world.tokens[name] = token
        return {"Authorization": f"Bearer {token}"}

    made = {
        "liaison": extra(tenant, "liaison", "officer", tenant.agency, liaison=True),
        "root_officer": extra(tenant, "root_officer", "officer", tenant.root),
        "station_reviewer": extra(tenant, "station_reviewer", "reviewer", tenant.station),
        "other_liaison": extra(other_tenant, "liaison", "officer", other_tenant.agency, liaison=True),
    }
    db.session.commit()
    out = {}
    for actor in ACTORS:
        if actor in made:
            out[actor] = (made[actor], "")
        elif actor.startswith("city_"):
            out[actor] = (city.headers(actor), CITY)
        elif actor.startswith("other_"):
            out[actor] = (other_tenant.headers(actor.removeprefix("other_")), "")
        else:
            out[actor] = (tenant.headers(actor), "")
    return out


def _move(client, people, actor, pid, action, **payload):
    headers, prefix = people[actor]
    got = client.get(f"/api/v1{prefix}/problems/{pid}", headers=headers)
    # Who cannot see the problem cannot read its ETag: the move itself must answer 404 all the same.
    etag = got.headers["ETag"] if got.status_code == 200 else f'"{pid}-1"'
    return client.post(
        f"/api/v1{prefix}/problems/{pid}/actions/{action}", json=payload, headers={**headers, "If-Match": etag}
    )


def _record(client, tenant, city, where, by_city):
    unit = tenant.root if where == "top" else tenant.station
    if by_city:
        resp = client.post(
            f"/api/v1{CITY}/problems",
            json=problem_body(tenant, unit_id=unit.id),
            headers=city.headers("city_supervisor"),
        )
        assert resp.status_code == 201, resp.json
        assert resp.json["city_assigned"] is True
        return resp.json["id"]
    role = "tenant_admin" if where == "top" else "officer"
    return post_problem(client, tenant, role=role, body=problem_body(tenant, unit_id=unit.id)).json["id"]


def _submitted(client, tenant, city, people, where, by_city):
    """A problem of the top unit or the station, submitted by an officer of that unit."""
    pid = _record(client, tenant, city, where, by_city)
    assigner = "city_supervisor" if by_city or where == "top" else "tenant_admin"
    assert _move(client, people, assigner, pid, "assign").status_code == 200
    officer = "root_officer" if where == "top" else "officer"
    headers = people[officer][0]
    assert _move(client, people, officer, pid, "sign").status_code == 200
    assert client.post(f"/api/v1/problems/{pid}/notes", json={"text": "已整改"}, headers=headers).status_code == 201
    assert upload(client, tenant, pid, role=officer).status_code == 201
    resp = _move(client, people, officer, pid, "submit")
    assert resp.status_code == 200, resp.json
    return pid


#: (where, recorded by the city) -> actor -> the answer to assign
ASSIGN = {
    ("top", False): {
        "tenant_admin": 200, "reviewer": 200, "liaison": 200, "root_officer": 403, "officer": 404,
        "station_reviewer": 404, "viewer": 403, "city_supervisor": 200, "city_admin": 403,
        "other_tenant_admin": 404, "other_reviewer": 404, "other_liaison": 404,
    },
    ("child", False): {
        "tenant_admin": 200, "reviewer": 200, "liaison": 404, "root_officer": 200, "officer": 403,
        "station_reviewer": 403, "viewer": 403, "city_supervisor": 200, "city_admin": 403,
        "other_tenant_admin": 404, "other_reviewer": 404, "other_liaison": 404,
    },
    ("top", True): {
        "tenant_admin": 403, "reviewer": 403, "liaison": 403, "root_officer": 403, "officer": 404,
        "station_reviewer": 404, "viewer": 403, "city_supervisor": 200, "city_admin": 403,
        "other_tenant_admin": 404, "other_reviewer": 404, "other_liaison": 404,
    },
    ("child", True): {
        "tenant_admin": 403, "reviewer": 403, "liaison": 404, "root_officer": 403, "officer": 403,
        "station_reviewer": 403, "viewer": 403, "city_supervisor": 200, "city_admin": 403,
        "other_tenant_admin": 404, "other_reviewer": 404, "other_liaison": 404,
    },
}  # fmt: skip

#: (where, recorded by the city) -> actor -> the answer to close (the unit's officer submitted)
CLOSE = {
    ("top", False): {
        "tenant_admin": 200, "reviewer": 200, "liaison": 200, "root_officer": 403, "officer": 404,
        "station_reviewer": 404, "viewer": 403, "city_supervisor": 403, "city_admin": 403,
        "other_tenant_admin": 404, "other_reviewer": 404, "other_liaison": 404,
    },
    ("child", False): {
        "tenant_admin": 403, "reviewer": 200, "liaison": 404, "root_officer": 403, "officer": 403,
        "station_reviewer": 403, "viewer": 403, "city_supervisor": 403, "city_admin": 403,
        "other_tenant_admin": 404, "other_reviewer": 404, "other_liaison": 404,
    },
    ("top", True): {
        "tenant_admin": 403, "reviewer": 403, "liaison": 403, "root_officer": 403, "officer": 404,
        "station_reviewer": 404, "viewer": 403, "city_supervisor": 200, "city_admin": 403,
        "other_tenant_admin": 404, "other_reviewer": 404, "other_liaison": 404,
    },
    ("child", True): {
        "tenant_admin": 403, "reviewer": 403, "liaison": 404, "root_officer": 403, "officer": 403,
        "station_reviewer": 403, "viewer": 403, "city_supervisor": 200, "city_admin": 403,
        "other_tenant_admin": 404, "other_reviewer": 404, "other_liaison": 404,
    },
}  # fmt: skip

LEVELS = list(ASSIGN)


def _level_id(level):
    where, by_city = level
    return f"{where}-{'city' if by_city else 'county'}"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("level", LEVELS, ids=_level_id)
def test_who_assigns(client, clock, tenant, city, people, level, actor):
    pid = _record(client, tenant, city, *level)
    resp = _move(client, people, actor, pid, "assign")
    expected = ASSIGN[level][actor]
    assert resp.status_code == expected, resp.json
    if expected == 200:
        assert resp.json["status"] == "rectifying"
    elif expected == 404:
        assert resp.json["code"] == 404
        assert "窗口人员" not in resp.get_data(as_text=True)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("level", LEVELS, ids=_level_id)
def test_who_closes(client, clock, tenant, city, people, level, actor):
    pid = _submitted(client, tenant, city, people, *level)
    resp = _move(client, people, actor, pid, "close", opinion="整改到位，同意销号")
    expected = CLOSE[level][actor]
    assert resp.status_code == expected, resp.json
    if expected == 200:
        assert resp.json["status"] == "closed"


@pytest.mark.parametrize(
    ("level", "actor"),
    [(("top", False), "reviewer"), (("top", False), "tenant_admin"), (("top", False), "liaison"),
     (("top", True), "city_supervisor"), (("child", False), "reviewer")],
    ids=lambda v: _level_id(v) if isinstance(v, tuple) else v,
)  # fmt: skip
def test_the_closing_level_also_returns(client, clock, tenant, city, people, level, actor):
    pid = _submitted(client, tenant, city, people, *level)
    resp = _move(client, people, actor, pid, "return", reason="佐证材料不足")
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "rectifying"


def test_the_city_no_longer_closes_the_county_bureaus_own_problem(client, clock, tenant, city, people):
    pid = _submitted(client, tenant, city, people, "top", False)
    for action, payload in (("close", {"opinion": "同意"}), ("return", {"reason": "不足"})):
        resp = _move(client, people, "city_supervisor", pid, action, **payload)
        assert resp.status_code == 403, resp.json
        assert resp.json["message"] == "当前用户无权对该问题执行此操作"


def test_the_submitter_never_closes_even_at_the_top_unit(client, clock, tenant, city, people):
    pid = _record(client, tenant, city, "top", False)
    assert _move(client, people, "reviewer", pid, "assign").status_code == 200
    assert _move(client, people, "tenant_admin", pid, "sign").status_code == 200
    h = people["tenant_admin"][0]
    client.post(f"/api/v1/problems/{pid}/notes", json={"text": "已整改"}, headers=h)
    upload(client, tenant, pid, role="tenant_admin")
    assert _move(client, people, "tenant_admin", pid, "submit").status_code == 200
    refused = _move(client, people, "tenant_admin", pid, "close", opinion="同意")
    assert refused.status_code == 403
    assert refused.json["message"] == "提交验收的人不能自己销号"
    assert _move(client, people, "reviewer", pid, "close", opinion="同意").status_code == 200


def test_the_top_units_closing_level_decides_its_extensions(client, clock, tenant, city, people):
    pid = _record(client, tenant, city, "top", False)
    assert _move(client, people, "tenant_admin", pid, "assign").status_code == 200
    ext = client.post(
        f"/api/v1/problems/{pid}/extensions",
        json={"new_deadline": "2024-11-29", "reason": "等待设备到货"},
        headers=people["root_officer"][0],
    )
    assert ext.status_code == 201, ext.json
    url = f"/api/v1{CITY}/problems/{pid}/extensions/{ext.json['id']}/decision"
    assert client.post(url, json={"approve": True}, headers=city.headers("city_supervisor")).status_code == 403
    url = f"/api/v1/problems/{pid}/extensions/{ext.json['id']}/decision"
    decided = client.post(url, json={"approve": True}, headers=people["reviewer"][0])
    assert decided.status_code == 200, decided.json
    assert client.get(f"/api/v1/problems/{pid}", headers=people["liaison"][0]).json["deadline"] == "2024-11-29"


def test_the_liaison_sees_the_bureaus_own_problems_but_not_a_siblings(client, clock, tenant, city, people):
    top = _record(client, tenant, city, "top", False)
    child = _record(client, tenant, city, "child", False)
    headers = people["liaison"][0]
    listed = {p["id"] for p in client.get("/api/v1/problems", headers=headers).json["items"]}
    assert top in listed
    assert child not in listed
    assert client.get(f"/api/v1/problems/{child}", headers=headers).status_code == 404
    assert current_etag(client, tenant, top, role="liaison")
