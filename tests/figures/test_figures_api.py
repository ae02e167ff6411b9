"""The figures API (core/figures/api.py): who sees what, every figure equals its list, snapshots and downloads."""

from __future__ import annotations

import io

import pytest
from docx import Document
from fixtures.data import refresh_tokens
from openpyxl import load_workbook

from core.figures import service

MAY = {"period": "2024-05"}
TENANT_ROLES = ("tenant_admin", "officer", "reviewer", "viewer")
CITY_ROLES = ("city_admin", "city_supervisor")


@pytest.fixture
def worlds(may, tenant, other_tenant, city):
    """The hand-computed May of tests/figures/conftest.py, with tokens issued on the test's clock."""
    for world in (tenant, other_tenant, city):
        refresh_tokens(world)
    return tenant, other_tenant, city


def _take(client, city, role="city_supervisor", **body):
    resp = client.post("/api/v1/city/snapshots", json={"period": "2024-05", **body}, headers=city.headers(role))
    assert resp.status_code == 201, resp.json
    return resp.json


# --- a county's figures -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["tenant_admin", "reviewer", "viewer"])
def test_county_roles_get_the_whole_tenant_by_unit(client, worlds, role):
    tenant, _other, _city = worlds
    resp = client.get("/api/v1/figures", query_string=MAY, headers=tenant.headers(role))
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["period"] == {
        "code": "2024-05",
        "kind": "month",
        "label": "2024年5月",
        "starts_on": "2024-05-01",
        "ends_on": "2024-05-31",
    }
    assert body["by"] == "unit_id"
    assert body["today"] == "2024-05-13"
    assert "swept_at" in body
    keys = {row["key"] for row in body["rows"]}
    assert keys == {tenant.root.id, tenant.station.id, tenant.substation.id, tenant.agency.id}
    total = body["total"]
    assert (total["found"], total["closed"], total["dismissed"], total["overdue_now"]) == (7, 4, 1, 1)
    assert total["completion_rate"] == pytest.approx(4 / 6)
    assert total["on_time_rate"] == pytest.approx(2 / 5)
    assert {f["name"] for f in body["figures"]} >= set(service.FIGURES)
    may_row = next(m for m in body["monthly"] if m["month"] == 202405)
    assert (may_row["found"], may_row["closed"]) == (7, 4)


def test_an_officer_sees_its_unit_and_below(client, worlds):
    tenant, _other, _city = worlds
    resp = client.get("/api/v1/figures", query_string=MAY, headers=tenant.headers("officer"))
    assert resp.status_code == 200
    assert {row["key"] for row in resp.json["rows"]} == {tenant.station.id, tenant.substation.id}
    assert resp.json["total"]["found"] == 7  # every problem of the fixture is the station's or the substation's
    resp = client.get(
        "/api/v1/figures/problems",
        query_string={**MAY, "figure": "found", "unit_id": tenant.agency.id},
        headers=tenant.headers("officer"),
    )
    assert resp.status_code == 404


@pytest.mark.parametrize("by", ["domain", "source", "phase"])
def test_other_groupings(client, worlds, by):
    tenant, _other, _city = worlds
    resp = client.get("/api/v1/figures", query_string={**MAY, "by": by}, headers=tenant.headers("tenant_admin"))
    assert resp.status_code == 200
    assert resp.json["by"] == by
    assert sum(row["figures"]["found"] for row in resp.json["rows"]) == 7
    assert all(row["label"] for row in resp.json["rows"])


def test_every_figure_equals_the_length_of_its_list_through_the_api(client, worlds):
    tenant, _other, _city = worlds
    headers = tenant.headers("tenant_admin")
    checked = 0
    for by, param in (("unit", "unit_id"), ("domain", "domain"), ("source", "source"), ("phase", "phase")):
        body = client.get("/api/v1/figures", query_string={**MAY, "by": by}, headers=headers).json
        drillable = [f["name"] for f in body["figures"] if f["drill"]]
        assert set(drillable) == set(service.DRILLABLE)
        groups = [({param: row["key"]}, row["figures"]) for row in body["rows"]] + [({}, body["total"])]
        for narrowed, figures in groups:
            for name in drillable:
                resp = client.get(
                    "/api/v1/figures/problems", query_string={**MAY, "figure": name, **narrowed}, headers=headers
                )
                assert resp.status_code == 200, (by, narrowed, name, resp.json)
                assert resp.json["total"] == len(resp.json["items"]) == figures[name], (by, narrowed, name)
                checked += 1
    assert checked >= 80


def test_the_drill_down_list_shows_problems_as_the_ledger_does(client, worlds):
    tenant, _other, _city = worlds
    resp = client.get(
        "/api/v1/figures/problems", query_string={**MAY, "figure": "overdue_now"}, headers=tenant.headers("viewer")
    )
    assert resp.status_code == 200
    assert resp.json["figure"]["label"] == "当前超期"
    (item,) = resp.json["items"]
    assert item["unit_id"] == tenant.substation.id
    assert item["light"] == "red"
    assert item["status_name"]


def test_city_roles_name_the_tenant_in_the_path(client, worlds):
    tenant, _other, city = worlds
    for role in CITY_ROLES:
        resp = client.get(f"/api/v1/tenants/{tenant.slug}/figures", query_string=MAY, headers=city.headers(role))
        assert resp.status_code == 200
        assert resp.json["total"]["found"] == 7
        resp = client.get(
            f"/api/v1/tenants/{tenant.slug}/figures/problems",
            query_string={**MAY, "figure": "closed"},
            headers=city.headers(role),
        )
        assert resp.json["total"] == 4
        # Without a tenant in the path a city user has no county to read.
        assert client.get("/api/v1/figures", headers=city.headers(role)).status_code == 404


def test_a_county_cannot_read_another_county(client, worlds):
    tenant, other, _city = worlds
    for role in TENANT_ROLES:
        for url in (
            f"/api/v1/tenants/{tenant.slug}/figures",
            f"/api/v1/tenants/{tenant.slug}/figures/problems?figure=found",
        ):
            resp = client.get(url, headers=other.headers(role))
            assert resp.status_code == 404, (url, role)
            assert tenant.tenant.name not in resp.get_data(as_text=True)
    # Another tenant's unit named in the query: not found, never its problems.
    resp = client.get(
        "/api/v1/figures/problems",
        query_string={**MAY, "figure": "found", "unit_id": tenant.station.id},
        headers=other.headers("tenant_admin"),
    )
    assert resp.status_code == 404
    # beta's own figures do not count alpha's problems.
    resp = client.get("/api/v1/figures", query_string=MAY, headers=other.headers("tenant_admin"))
    assert resp.json["total"]["found"] == 0
    assert resp.json["total"]["completion_rate"] is None
    assert {row["key"] for row in resp.json["rows"]} == {
        other.root.id,
        other.station.id,
        other.substation.id,
        other.agency.id,
    }
    assert sum(m["found"] for m in resp.json["monthly"]) == 0


def test_bad_input_names_the_field(client, worlds):
    tenant, _other, city = worlds
    headers = tenant.headers("tenant_admin")
    cases = [
        ("/api/v1/figures?period=2024-13", "period"),
        ("/api/v1/figures?period=phase:nope", "period"),
        ("/api/v1/figures?by=colour", "by"),
        ("/api/v1/figures/problems?figure=nonsense", "figure"),
        ("/api/v1/figures/problems?figure=completion_rate", "figure"),  # a rate has no list
        ("/api/v1/figures/problems", "figure"),
        ("/api/v1/figures/problems?figure=found&unit_id=abc", "unit_id"),
        ("/api/v1/figures/problems?figure=found&period=2024Q5", "period"),
    ]
    for url, field in cases:
        resp = client.get(url, headers=headers)
        assert resp.status_code == 422, url
        assert field in resp.json["errors"]["query"], (url, resp.json)
    resp = client.get("/api/v1/city/figures?period=last-year", headers=city.headers("city_admin"))
    assert resp.status_code == 422
    assert "period" in resp.json["errors"]["query"]


# --- the city ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", CITY_ROLES)
def test_city_roles_see_every_tenant_side_by_side(client, worlds, role):
    tenant, other, city = worlds
    resp = client.get("/api/v1/city/figures", query_string=MAY, headers=city.headers(role))
    assert resp.status_code == 200
    body = resp.json
    rows = {row["slug"]: row for row in body["rows"]}
    assert rows[tenant.slug]["figures"]["found"] == 7
    assert rows[tenant.slug]["figures"]["completion_rate"] == pytest.approx(4 / 6)
    # The county with nothing found has no rate: null ("—"), never 100%.
    assert rows[other.slug]["figures"]["completion_rate"] is None
    assert "swept_at" in body
    assert body["today"] == "2024-05-13"
    assert next(m for m in body["monthly"] if m["month"] == 202405)["found"] == 7


def test_the_last_sweep_is_shown(client, worlds):
    from core.figures import snapshot

    _tenant, _other, city = worlds
    body = client.get("/api/v1/city/figures", query_string=MAY, headers=city.headers("city_admin")).json
    last = snapshot.last_sweep()
    assert body["swept_at"] == (None if last is None else last.isoformat())


@pytest.mark.parametrize("role", TENANT_ROLES)
def test_county_roles_are_refused_the_city_views(client, worlds, role):
    tenant, _other, city = worlds
    taken = _take(client, city)
    for method, url in (
        ("GET", "/api/v1/city/figures"),
        ("GET", "/api/v1/city/snapshots"),
        ("POST", "/api/v1/city/snapshots"),
        ("GET", f"/api/v1/city/snapshots/{taken['id']}"),
        ("GET", f"/api/v1/city/snapshots/{taken['id']}/bulletin.docx"),
        ("GET", f"/api/v1/city/snapshots/{taken['id']}/figures.xlsx"),
    ):
        resp = client.open(url, method=method, json={"period": "2024-05"}, headers=tenant.headers(role))
        assert resp.status_code == 403, (method, url)
        assert resp.is_json


def test_every_endpoint_wants_a_token(client, worlds):
    tenant, _other, city = worlds
    sid = _take(client, city)["id"]
    urls = [
        ("GET", "/api/v1/figures"),
        ("GET", f"/api/v1/tenants/{tenant.slug}/figures"),
        ("GET", "/api/v1/figures/problems?figure=found"),
        ("GET", "/api/v1/city/figures"),
        ("GET", "/api/v1/city/snapshots"),
        ("POST", "/api/v1/city/snapshots"),
        ("GET", f"/api/v1/city/snapshots/{sid}"),
        ("GET", f"/api/v1/city/snapshots/{sid}/bulletin.docx"),
        ("GET", f"/api/v1/city/snapshots/{sid}/figures.xlsx"),
        ("GET", "/api/v1/figures/snapshots"),
        ("GET", f"/api/v1/figures/snapshots/{sid}"),
        ("GET", f"/api/v1/figures/snapshots/{sid}/bulletin.docx"),
        ("GET", f"/api/v1/figures/snapshots/{sid}/figures.xlsx"),
    ]
    for method, url in urls:
        resp = client.open(url, method=method, json={"period": "2024-05"})
        assert resp.status_code == 401, (method, url)
        assert resp.is_json
        resp = client.open(url, method=method, headers={"Authorization": "Bearer nonsense"})
        assert resp.status_code == 401, (method, url)


# --- snapshots ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", CITY_ROLES)
def test_the_city_takes_a_snapshot_and_reads_its_ranking(client, worlds, role):
    tenant, other, city = worlds
    body = _take(
        client,
        city,
        role,
        weights={"completion_rate": 50, "on_time_rate": 50, "coverage": 0},
        top_n=1,
        bottom_n=1,
        document_number="行风通报〔2024〕5号",
        requirements="一、立即整改。",
    )
    assert body["period"] == "2024-05"
    assert body["weights"] == {"completion_rate": 50.0, "on_time_rate": 50.0}
    assert body["document_number"] == "行风通报〔2024〕5号"
    assert body["taken_by"] == f"user:{city.users[role].id}"
    rows = {r["slug"]: r for r in body["tenants"]}
    mine = rows[tenant.slug]
    assert mine["rank"] == 1
    assert mine["score"] == pytest.approx((4 / 6 * 50 + 2 / 5 * 50) * 100 / 100, abs=0.01)
    assert mine["explain"] == "(整改完成率 66.7% × 50 + 按期完成率 40.0% × 50) ÷ 100 = 53.33"
    assert [d["figure"] for d in mine["detail"]] == ["completion_rate", "on_time_rate"]
    assert rows[other.slug]["missing"] == ["completion_rate", "on_time_rate"]  # "—" ranks last
    assert rows[other.slug]["rank"] == 2
    assert body["commended"] == [tenant.tenant.id]
    assert body["criticised"] == [other.tenant.id]

    listed = client.get("/api/v1/city/snapshots", headers=city.headers("city_admin"))
    assert listed.status_code == 200
    assert [s["id"] for s in listed.json["items"]] == [body["id"]]
    again = client.get(f"/api/v1/city/snapshots/{body['id']}", headers=city.headers("city_admin"))
    assert again.status_code == 200
    assert again.json["tenants"] == body["tenants"]
    assert again.json["summary"]


def test_default_weights_apply_when_none_are_given(client, worlds):
    _tenant, _other, city = worlds
    body = _take(client, city)
    assert body["weights"]["completion_rate"] == 40.0
    assert body["weights"]["on_time_rate"] == 40.0
    assert (body["top_n"], body["bottom_n"]) == (3, 3)
    assert body["document_number"] == "市监通〔2024〕1号"  # no city tenant here: numbered from the snapshots


def test_the_bulletin_downloads_and_opens_in_word(client, worlds):
    tenant, other, city = worlds
    sid = _take(client, city, top_n=1, bottom_n=1)["id"]
    for headers, url in (
        (city.headers("city_supervisor"), f"/api/v1/city/snapshots/{sid}/bulletin.docx"),
        (tenant.headers("viewer"), f"/api/v1/figures/snapshots/{sid}/bulletin.docx"),
        (city.headers("city_admin"), f"/api/v1/tenants/{other.slug}/figures/snapshots/{sid}/bulletin.docx"),
    ):
        resp = client.get(url, headers=headers)
        assert resp.status_code == 200, url
        assert resp.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
        assert resp.headers["Content-Disposition"].startswith("attachment;")
        doc = Document(io.BytesIO(resp.data))
        text = "\n".join(p.text for p in doc.paragraphs)
        assert "关于2024年5月\n行风建设问题整改情况的通报" in text  # one title, broken at a word
        table = doc.tables[0]
        assert [c.text for c in table.rows[0].cells][:3] == ["排名", "县区局", "得分"]
        first = [c.text for c in table.rows[1].cells]
        assert first[:2] == ["1", tenant.tenant.name]
        assert [c.text for c in table.rows[2].cells][1] == other.tenant.name


def test_the_figures_workbook_downloads(client, worlds):
    tenant, _other, city = worlds
    sid = _take(client, city)["id"]
    for headers, url in (
        (city.headers("city_admin"), f"/api/v1/city/snapshots/{sid}/figures.xlsx"),
        (tenant.headers("officer"), f"/api/v1/figures/snapshots/{sid}/figures.xlsx"),
    ):
        resp = client.get(url, headers=headers)
        assert resp.status_code == 200, url
        sheet = load_workbook(io.BytesIO(resp.data)).active
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        assert header[:4] == ["排名", "县区局", "得分", "得分计算"]
        names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert tenant.tenant.name in names


def test_a_county_reads_its_place_in_the_snapshots(client, worlds):
    tenant, other, city = worlds
    sid = _take(client, city, weights={"completion_rate": 40, "on_time_rate": 40, "coverage": 0})["id"]
    resp = client.get("/api/v1/figures/snapshots", headers=tenant.headers("viewer"))
    assert resp.status_code == 200
    (row,) = resp.json["items"]
    assert row["id"] == sid
    assert row["mine"]["slug"] == tenant.slug
    assert row["mine"]["rank"] == 1
    assert row["mine"]["explain"].endswith("= 53.33")
    assert row["tenant_count"] == 2
    assert "tenants" not in row  # a county sees its own row, not the others' figures

    resp = client.get(f"/api/v1/figures/snapshots/{sid}", headers=tenant.headers("tenant_admin"))
    assert resp.status_code == 200
    units = {u["unit_id"]: u for u in resp.json["units"]}
    assert set(units) == {tenant.root.id, tenant.station.id, tenant.substation.id, tenant.agency.id}
    assert units[tenant.station.id]["unit_name"] == tenant.station.name
    assert units[tenant.station.id]["figures"]["found"] == 6
    assert units[tenant.station.id]["explain"]
    # Officers: their unit and below.
    resp = client.get(f"/api/v1/figures/snapshots/{sid}", headers=tenant.headers("officer"))
    assert {u["unit_id"] for u in resp.json["units"]} == {tenant.station.id, tenant.substation.id}
    # City users read a county's view by naming it.
    resp = client.get(f"/api/v1/tenants/{other.slug}/figures/snapshots/{sid}", headers=city.headers("city_admin"))
    assert resp.status_code == 200
    assert resp.json["mine"]["slug"] == other.slug
    assert {u["unit_id"] for u in resp.json["units"]} == {
        other.root.id,
        other.station.id,
        other.substation.id,
        other.agency.id,
    }


def test_snapshots_across_tenants_and_unknown_ones(client, worlds):
    tenant, other, city = worlds
    sid = _take(client, city)["id"]
    for role in TENANT_ROLES:
        for suffix in ("", f"/{sid}", f"/{sid}/bulletin.docx", f"/{sid}/figures.xlsx"):
            url = f"/api/v1/tenants/{tenant.slug}/figures/snapshots{suffix}"
            resp = client.get(url, headers=other.headers(role))
            assert resp.status_code == 404, (url, role)
            assert tenant.tenant.name not in resp.get_data(as_text=True)
    missing = sid + 1000
    for headers, url in (
        (city.headers("city_admin"), f"/api/v1/city/snapshots/{missing}"),
        (city.headers("city_admin"), f"/api/v1/city/snapshots/{missing}/bulletin.docx"),
        (tenant.headers("viewer"), f"/api/v1/figures/snapshots/{missing}"),
        (tenant.headers("viewer"), f"/api/v1/figures/snapshots/{missing}/figures.xlsx"),
        # An unknown snapshot is 404 before the role is checked.
        (tenant.headers("viewer"), f"/api/v1/city/snapshots/{missing}"),
    ):
        resp = client.get(url, headers=headers)
        assert resp.status_code == 404, url
        assert resp.is_json


def test_taking_a_snapshot_refuses_bad_input_naming_the_field(client, worlds):
    _tenant, _other, city = worlds
    headers = city.headers("city_supervisor")
    cases = [
        ({}, "period"),
        ({"period": "2024-13"}, "period"),
        ({"period": "phase:nope"}, "period"),
        ({"period": "2024-05", "top_n": 500}, "top_n"),
        ({"period": "2024-05", "bottom_n": -1}, "bottom_n"),
        ({"period": "2024-05", "weights": {"completion_rate": -1}}, "weights"),
        ({"period": "2024-05", "weights": {"found": 10}}, "weights"),  # a count cannot be weighted
        ({"period": "2024-05", "weights": {"completion_rate": "heavy"}}, "weights"),
        ({"period": "2024-05", "document_number": "号" * 61}, "document_number"),
        ({"period": "2024-05", "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        resp = client.post("/api/v1/city/snapshots", json=body, headers=headers)
        assert resp.status_code == 422, body
        assert field in resp.json["errors"]["json"], (body, resp.json)
    assert client.get("/api/v1/city/snapshots", headers=headers).json["items"] == []


def test_a_snapshot_read_through_the_api_is_frozen(client, worlds, driver, may):
    tenant, _other, city = worlds
    sid = _take(client, city)["id"]
    driver.submit(may["G"])
    driver.close(may["G"])
    from core.platform.db import db

    db.session.commit()
    live = client.get("/api/v1/figures", query_string=MAY, headers=tenant.headers("tenant_admin")).json
    assert live["total"]["closed"] == 5
    frozen = client.get(f"/api/v1/figures/snapshots/{sid}", headers=tenant.headers("tenant_admin")).json
    assert frozen["mine"]["figures"]["closed"] == 4


# --- every route with every role ----------------------------------------------------------------------------------

EVERYONE = CITY_ROLES + TENANT_ROLES
#: (method, path after /api/v1 with {s} for a snapshot id) -> roles allowed; a test fails if a route is missing here
MATRIX = {
    ("GET", "/figures"): EVERYONE,
    ("GET", "/figures/problems"): EVERYONE,
    ("GET", "/figures/snapshots"): EVERYONE,
    ("GET", "/figures/snapshots/{s}"): EVERYONE,
    ("GET", "/figures/snapshots/{s}/bulletin.docx"): EVERYONE,
    ("GET", "/figures/snapshots/{s}/bulletin.pdf"): EVERYONE,
    ("GET", "/figures/snapshots/{s}/figures.xlsx"): EVERYONE,
    ("GET", "/city/figures"): CITY_ROLES,
    ("GET", "/city/snapshots"): CITY_ROLES,
    ("POST", "/city/snapshots"): ("city_admin", "city_supervisor"),
    ("GET", "/city/snapshots/{s}"): CITY_ROLES,
    ("GET", "/city/snapshots/{s}/bulletin.docx"): CITY_ROLES,
    ("GET", "/city/snapshots/{s}/bulletin.pdf"): CITY_ROLES,
    ("GET", "/city/snapshots/{s}/figures.xlsx"): CITY_ROLES,
}


def test_every_figures_route_with_every_role(app, client, worlds):
    tenant, _other, city = worlds
    routes = set()
    for rule in app.url_map.iter_rules():
        # the briefings need the city bureau's own tenant: tests/documents/test_briefing.py walks their roles
        if "briefing" in rule.rule:
            continue
        if rule.endpoint.startswith("figures.") and not rule.endpoint.endswith("_by_tenant"):
            path = rule.rule.removeprefix("/api/v1").replace("<int:snapshot_id>", "{s}")
            routes |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == set(MATRIX)
    sid = _take(client, city)["id"]
    for (method, path), allowed in MATRIX.items():
        for role in EVERYONE:
            is_city = role in CITY_ROLES
            prefix = f"/tenants/{tenant.slug}" if is_city and not path.startswith("/city/") else ""
            url = "/api/v1" + prefix + path.replace("{s}", str(sid))
            query = {"period": "2024-05", "figure": "found"} if path == "/figures/problems" else MAY
            headers = city.headers(role) if is_city else tenant.headers(role)
            resp = client.open(url, method=method, query_string=query, json=MAY, headers=headers)
            expected = (200, 201) if role in allowed else (403,)
            assert resp.status_code in expected, (method, url, role, resp.status_code)
