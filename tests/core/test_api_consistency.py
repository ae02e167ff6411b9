"""One answer across the API (issue 13, item 10): one list envelope, and a foreign or unknown ``?unit_id=`` is 404."""

from __future__ import annotations

import pytest
from fixtures.ledger import problem_body

ENVELOPE = {"items", "total", "next_cursor"}

#: every list a tenant user reads without naming an object (path, role)
TENANT_LISTS = [
    ("/units", "tenant_admin"),
    ("/users", "tenant_admin"),
    ("/domains", "officer"),
    ("/problems", "officer"),
    ("/checklist-templates", "officer"),
    ("/checklists", "officer"),
    ("/figures/problems?figure=found&period=2024", "officer"),
    ("/figures/snapshots", "officer"),
    ("/documents/issued", "officer"),
    ("/oversight/orders", "officer"),
    ("/oversight/accountability", "reviewer"),
    ("/oversight/self-checks", "officer"),
    ("/reporting/tasks", "officer"),
    ("/public-reports", "officer"),
    ("/public-solicitations", "officer"),
    ("/notifications", "officer"),
    ("/phases", "officer"),
    ("/plugins/approval/cases", "officer"),
    ("/plugins/enforcement/case-files", "officer"),
    ("/plugins/enforcement/reviews", "officer"),
    ("/plugins/enforcement/samplings", "officer"),
    ("/plugins/enforcement/rubric/local-items", "officer"),
    ("/plugins/supervision/tasks", "officer"),
    ("/plugins/integrity/staff", "officer"),
    ("/plugins/paid_services/agencies", "officer"),
    ("/plugins/paid_services/fee-records", "officer"),
    ("/plugins/paid_services/flags", "officer"),
]

#: the lists of the city bureau (no tenant in the path)
CITY_LISTS = [
    "/tenants",
    "/city-users",
    "/city/snapshots",
    "/city/public-solicitations",
    "/city-self-checks",
    "/reporting/tasks",
    "/notifications",
    "/phases",
]

#: every list or read narrowed by ``?unit_id=`` (a path with its other required parameters)
UNIT_FILTERS = [
    "/problems",
    "/problems/counts",
    "/problems/export.csv",
    "/checklist-templates",
    "/checklists",
    "/figures/problems?figure=found&period=2024",
    "/domains",
    "/plugins/approval/cases",
    "/plugins/enforcement/case-files",
    "/plugins/enforcement/reviews",
    "/plugins/enforcement/statistics",
    "/plugins/integrity/staff",
    "/plugins/integrity/staff/export",
    "/plugins/paid_services/agencies",
]


def _with_unit(path: str, unit_id: int) -> str:
    return f"{path}{'&' if '?' in path else '?'}unit_id={unit_id}"


def assert_envelope(resp) -> None:
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert isinstance(body, dict), body
    assert ENVELOPE <= set(body), sorted(body)
    assert isinstance(body["items"], list)
    assert body["total"] is None or isinstance(body["total"], int)
    assert body["next_cursor"] is None or isinstance(body["next_cursor"], str)


@pytest.mark.parametrize(("path", "role"), TENANT_LISTS)
def test_every_tenant_list_answers_the_envelope(client, tenant, path, role):
    assert_envelope(client.get(f"/api/v1{path}", headers=tenant.headers(role)))


@pytest.mark.parametrize("path", CITY_LISTS)
def test_every_city_list_answers_the_envelope(client, city, path):
    assert_envelope(client.get(f"/api/v1{path}", headers=city.headers("city_admin")))


@pytest.mark.parametrize("path", ["/units", "/problems", "/domains", "/checklists"])
def test_the_city_form_of_a_tenant_list_answers_the_envelope(client, tenant, city, path):
    assert_envelope(client.get(f"/api/v1/tenants/{tenant.slug}{path}", headers=city.headers("city_admin")))


def test_a_problem_s_lists_answer_the_envelope(client, tenant, clock):
    problem = client.post("/api/v1/problems", json=problem_body(tenant), headers=tenant.headers("officer")).json
    for sub in ("notes", "attachments", "history"):
        resp = client.get(f"/api/v1/problems/{problem['id']}/{sub}", headers=tenant.headers("officer"))
        assert_envelope(resp)
    history = client.get(f"/api/v1/problems/{problem['id']}/history", headers=tenant.headers("officer")).json
    assert history["total"] == len(history["items"]) == 1


def test_a_whole_list_counts_its_items_and_a_keyset_page_does_not(client, tenant, clock):
    units = client.get("/api/v1/units", headers=tenant.headers("tenant_admin")).json
    assert units["total"] == len(units["items"]) == 4
    assert units["next_cursor"] is None
    for _ in range(3):
        client.post("/api/v1/problems", json=problem_body(tenant), headers=tenant.headers("officer"))
    page = client.get("/api/v1/problems?limit=2", headers=tenant.headers("officer")).json
    assert len(page["items"]) == 2
    assert page["total"] is None  # keyset pages: GET /problems/counts counts
    assert page["next_cursor"]


def test_the_openapi_document_declares_no_bare_list(client):
    spec = client.get("/api/openapi.json").json
    schemas = spec["components"]["schemas"]

    def resolve(schema):
        while "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    bare = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            for status, answer in operation.get("responses", {}).items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if not schema or not status.startswith("2"):
                    continue
                if resolve(schema).get("type") == "array":
                    bare.append(f"{method.upper()} {path}")
    assert bare == []


# --- ?unit_id=: another tenant's unit and an unknown id are the same 404 -----------------------------------------


@pytest.mark.parametrize("path", UNIT_FILTERS)
def test_a_foreign_or_unknown_unit_filter_is_not_found(client, tenant, other_tenant, path):
    headers = tenant.headers("tenant_admin")
    foreign = client.get(f"/api/v1{_with_unit(path, other_tenant.station.id)}", headers=headers)
    unknown = client.get(f"/api/v1{_with_unit(path, 987654321)}", headers=headers)
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json == unknown.json
    assert foreign.json["code"] == 404
    assert foreign.json["message"] == "未找到该单位"
    assert "errors" not in foreign.json


@pytest.mark.parametrize("path", UNIT_FILTERS)
def test_an_own_unit_filter_is_answered(client, tenant, path):
    resp = client.get(f"/api/v1{_with_unit(path, tenant.station.id)}", headers=tenant.headers("tenant_admin"))
    resp.close()  # the downloads stream a spooled file
    assert resp.status_code == 200


@pytest.mark.parametrize("path", ["/problems", "/domains", "/checklists"])
def test_a_city_user_naming_another_tenant_s_unit_is_not_found(client, tenant, other_tenant, city, path):
    url = f"/api/v1/tenants/{tenant.slug}{_with_unit(path, other_tenant.station.id)}"
    assert client.get(url, headers=city.headers("city_supervisor")).status_code == 404


# --- /domains?unit_id=: only the units the caller sees --------------------------------------------------------


def test_an_officer_reads_the_domains_of_its_unit_and_below(client, tenant):
    headers = tenant.headers("officer")  # an officer of the station
    for unit in (tenant.station, tenant.substation):
        assert_envelope(client.get(f"/api/v1/domains?unit_id={unit.id}", headers=headers))


def test_an_officer_may_not_read_a_sibling_unit_s_domains(client, tenant, other_tenant):
    headers = tenant.headers("officer")
    sibling = client.get(f"/api/v1/domains?unit_id={tenant.agency.id}", headers=headers)
    above = client.get(f"/api/v1/domains?unit_id={tenant.root.id}", headers=headers)
    foreign = client.get(f"/api/v1/domains?unit_id={other_tenant.agency.id}", headers=headers)
    assert sibling.status_code == above.status_code == foreign.status_code == 404
    assert sibling.json == foreign.json


def test_a_tenant_admin_reads_the_domains_of_any_unit(client, tenant):
    resp = client.get(f"/api/v1/domains?unit_id={tenant.agency.id}", headers=tenant.headers("tenant_admin"))
    assert_envelope(resp)


# --- unit_id in a body: 422 naming the field, the same for another tenant's unit and an unknown one ---------------


def test_a_foreign_or_unknown_unit_in_a_body_is_the_same_field_error(client, tenant, other_tenant, clock):
    headers = tenant.headers("officer")
    answers = [
        client.post("/api/v1/problems", json=problem_body(tenant, unit_id=unit_id), headers=headers)
        for unit_id in (other_tenant.station.id, 987654321)
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json == answers[1].json
    assert "unit_id" in answers[0].json["errors"]["json"]
