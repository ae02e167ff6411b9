"""The service-case (办件) API: allowed, refused, cross-tenant (404), bad input (422 naming the field)."""

from __future__ import annotations

import pytest
from approval_helpers import CASES, case_body, city_cases

from core.auth.models import TENANT_ROLES

WRITERS = ("tenant_admin", "officer")
READ_ONLY = ("reviewer", "viewer")


def test_an_officer_records_and_reads_a_case(client, clock, tenant, post_case):
    created = post_case(tenant, completed_at="2024-10-09T15:00:00")
    body = created.json
    assert body["case_no"] == "SP-2024-0001"
    assert body["unit_name"] == tenant.station.name
    assert body["applicant_type_name"] == "法人"
    # Five working days from Friday 27 September: Sunday 29th (a working day), Monday 30th, then 8, 9, 10 October.
    assert body["due_on"] == "2024-10-10"
    assert body["working_days_late"] == 0
    assert body["late_problem_id"] is None
    assert body["received_at"].startswith("2024-09-27T02:30")  # stored in UTC
    got = client.get(f"{CASES}/{body['id']}", headers=tenant.headers("viewer"))
    assert got.status_code == 200
    assert got.json == body
    listed = client.get(CASES, headers=tenant.headers("reviewer")).json
    assert listed["total"] == 1
    assert [c["case_no"] for c in listed["items"]] == ["SP-2024-0001"]


@pytest.mark.parametrize("role", WRITERS)
def test_writers_may_record(client, clock, tenant, post_case, role):
    post_case(tenant, role=role)


@pytest.mark.parametrize("role", READ_ONLY)
def test_readers_may_not_record(client, clock, tenant, post_case, role):
    resp = post_case(tenant, role=role, expect=403)
    assert resp.json["message"] == "当前角色无权执行此操作"
    assert client.get(CASES, headers=tenant.headers(role)).json["total"] == 0


def test_an_officer_records_only_for_its_unit_and_below(client, clock, tenant, post_case):
    post_case(tenant, unit_id=tenant.substation.id, case_no="A-1")
    refused = post_case(tenant, unit_id=tenant.agency.id, case_no="A-2", expect=422)
    assert "unit_id" in refused.json["errors"]["json"]
    # The tenant admin records anywhere; the officer does not see the agency's case.
    admin_case = post_case(tenant, role="tenant_admin", unit_id=tenant.agency.id, case_no="A-3").json
    assert client.get(f"{CASES}/{admin_case['id']}", headers=tenant.headers("officer")).status_code == 404
    assert client.get(CASES, headers=tenant.headers("officer")).json["total"] == 1
    assert client.get(CASES, headers=tenant.headers("tenant_admin")).json["total"] == 2


def test_the_unit_defaults_to_the_callers_own(client, clock, tenant):
    body = case_body(tenant)
    del body["unit_id"]
    resp = client.post(CASES, json=body, headers=tenant.headers("officer"))
    assert resp.status_code == 201, resp.json
    assert resp.json["unit_id"] == tenant.station.id


def test_case_numbers_are_unique_in_a_tenant_not_across_tenants(client, clock, tenant, other_tenant, post_case):
    post_case(tenant)
    again = post_case(tenant, expect=409)
    assert again.json["errors"]["json"]["case_no"] == ["本局已有该办件编号"]
    post_case(other_tenant)


def test_city_users_use_the_tenant_prefix(client, clock, tenant, city):
    url = city_cases(tenant)
    created = client.post(url, json=case_body(tenant), headers=city.headers("city_supervisor"))
    assert created.status_code == 201, created.json
    assert client.get(url, headers=city.headers("city_admin")).json["total"] == 1
    refused = client.post(url, json=case_body(tenant, case_no="X-2"), headers=city.headers("city_admin"))
    assert refused.status_code == 403
    # Without a unit a city user is told to name one.
    body = case_body(tenant, case_no="X-3")
    del body["unit_id"]
    missing = client.post(url, json=body, headers=city.headers("city_supervisor"))
    assert missing.status_code == 422
    assert "unit_id" in missing.json["errors"]["json"]
    # Without the tenant prefix there is no tenant to act in.
    assert client.get(CASES, headers=city.headers("city_supervisor")).status_code == 404


def test_unauthenticated_gets_401(client, tenant):
    assert client.get(CASES).status_code == 401
    assert client.post(CASES, json={}).status_code == 401


def test_another_tenants_case_does_not_exist(client, clock, tenant, other_tenant, post_case):
    theirs = post_case(other_tenant, matter_name="乙局的办件").json
    for role in TENANT_ROLES:
        headers = tenant.headers(role)
        for method, url, body in (
            ("GET", f"{CASES}/{theirs['id']}", None),
            ("POST", f"{CASES}/{theirs['id']}/completion", {"completed_at": "2024-10-08T10:00:00"}),
            ("GET", f"/api/v1/tenants/{other_tenant.slug}/plugins/approval/cases", None),
            ("GET", f"/api/v1/tenants/{other_tenant.slug}/plugins/approval/cases/{theirs['id']}", None),
        ):
            resp = client.open(url, method=method, json=body, headers=headers)
            assert resp.status_code == 404, (role, method, url, resp.status_code)
            assert "乙局的办件" not in resp.get_data(as_text=True)
        assert client.get(CASES, headers=headers).json["total"] == 0
    unchanged = client.get(f"{CASES}/{theirs['id']}", headers=other_tenant.headers("viewer")).json
    assert unchanged["completed_at"] is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"matter_name": ""}, "matter_name"),
        ({"matter_name": "事" * 201}, "matter_name"),
        ({"case_no": None}, "case_no"),
        ({"applicant_type": "robot"}, "applicant_type"),
        ({"received_at": "2024-13-01T10:00:00"}, "received_at"),
        ({"received_at": "昨天"}, "received_at"),
        ({"promised_days": -1}, "promised_days"),
        ({"promised_days": 366}, "promised_days"),
        ({"promised_days": "5"}, "promised_days"),
        ({"completed_at": "2024-09-26T10:00:00"}, "completed_at"),
        ({"intermediary": "maybe"}, "intermediary"),
        ({"unit_id": 10**12}, "unit_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, clock, tenant, overrides, field):
    resp = client.post(CASES, json=case_body(tenant, **overrides), headers=tenant.headers("officer"))
    assert resp.status_code == 422, resp.json
    assert field in resp.json["errors"]["json"], resp.json
    assert client.get(CASES, headers=tenant.headers("officer")).json["total"] == 0


@pytest.mark.parametrize(("query", "field"), [("state=done", "state"), ("limit=0", "limit"), ("unit_id=x", "unit_id")])
def test_bad_list_filters_are_422(client, tenant, query, field):
    resp = client.get(f"{CASES}?{query}", headers=tenant.headers("officer"))
    assert resp.status_code == 422
    assert field in resp.json["errors"]["query"]


def test_list_filters(client, clock, tenant, post_case):
    post_case(tenant, case_no="OPEN-1", matter_name="食品经营许可（变更）")
    post_case(tenant, case_no="DONE-1", matter_name="营业执照设立登记", completed_at="2024-09-30T10:00:00")

    def names(query):
        return [c["case_no"] for c in client.get(f"{CASES}?{query}", headers=tenant.headers("officer")).json["items"]]

    assert names("state=open") == ["OPEN-1"]
    assert names("state=completed") == ["DONE-1"]
    assert names("q=营业执照") == ["DONE-1"]
    assert names("q=OPEN") == ["OPEN-1"]
    assert sorted(names(f"unit_id={tenant.station.id}")) == ["DONE-1", "OPEN-1"]
    assert len(names("limit=1")) == 1
    assert len(names("limit=1&offset=1")) == 1


def test_completion_is_recorded_once(client, clock, tenant, post_case):
    case = post_case(tenant).json
    url = f"{CASES}/{case['id']}/completion"
    bad = client.post(url, json={"completed_at": "2024-09-01T10:00:00"}, headers=tenant.headers("officer"))
    assert bad.status_code == 422
    assert "completed_at" in bad.json["errors"]["json"]
    missing = client.post(url, json={}, headers=tenant.headers("officer"))
    assert missing.status_code == 422
    assert "completed_at" in missing.json["errors"]["json"]
    viewer = client.post(url, json={"completed_at": "2024-10-08T10:00:00"}, headers=tenant.headers("viewer"))
    assert viewer.status_code == 403
    done = client.post(url, json={"completed_at": "2024-10-08T10:00:00"}, headers=tenant.headers("officer"))
    assert done.status_code == 200, done.json
    assert done.json["completed_at"].startswith("2024-10-08T02:00")
    again = client.post(url, json={"completed_at": "2024-10-09T10:00:00"}, headers=tenant.headers("officer"))
    assert again.status_code == 409
    assert client.get(f"{CASES}/{10**9}", headers=tenant.headers("officer")).status_code == 404


def test_the_import_templates_download(client, tenant, city):
    from io import BytesIO

    from openpyxl import load_workbook

    xlsx = client.get(f"{CASES}/import-template.xlsx", headers=tenant.headers("viewer"))
    assert xlsx.status_code == 200
    xlsx.get_data()
    xlsx.close()  # a server closes the response, and with it the temporary file
    assert "attachment" in xlsx.headers["Content-Disposition"]
    wb = load_workbook(BytesIO(xlsx.data))
    header = [c.value for c in wb["办件记录"][1]]
    assert header[:3] == ["办理单位", "事项名称", "办件编号"]
    assert "说明" in wb.sheetnames
    csv = client.get(f"{CASES}/import-template.csv", headers=tenant.headers("officer"))
    assert csv.status_code == 200
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert csv.data.startswith(b"\xef\xbb\xbf")
    assert "承诺办结时限（工作日）" in csv.data.decode("utf-8-sig")
    by_city = client.get(f"{city_cases(tenant)}/import-template.csv", headers=city.headers("city_supervisor"))
    assert by_city.status_code == 200
    assert client.get(f"{CASES}/import-template.csv").status_code == 401


#: every route of the plugin's API: (method, path after /api/v1/plugins/approval) -> roles admitted
ROUTES = {
    ("GET", "/cases"): ("city_admin", "city_supervisor", "tenant_admin", "officer", "reviewer", "viewer"),
    ("POST", "/cases"): ("city_supervisor", "tenant_admin", "officer"),
    ("GET", "/cases/{id}"): ("city_admin", "city_supervisor", "tenant_admin", "officer", "reviewer", "viewer"),
    ("POST", "/cases/{id}/completion"): ("city_supervisor", "tenant_admin", "officer"),
    ("POST", "/cases/import"): ("city_supervisor", "tenant_admin", "officer"),
    ("GET", "/cases/import-template.xlsx"): ("city_admin", "city_supervisor", "tenant_admin", "officer", "reviewer",
                                             "viewer"),
    ("GET", "/cases/import-template.csv"): ("city_admin", "city_supervisor", "tenant_admin", "officer", "reviewer",
                                            "viewer"),
}  # fmt: skip


def test_every_route_is_in_the_role_table(app):
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("approval.") and not rule.endpoint.startswith("approval_by_tenant."):
            path = rule.rule.removeprefix("/api/v1/plugins/approval").replace("<int:case_record_id>", "{id}")
            found |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert found == set(ROUTES)


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_each_route_admits_only_its_roles(client, clock, tenant, city, method, path):
    from core.auth.models import ROLES

    case = client.post(CASES, json=case_body(tenant, case_no="R-0"), headers=tenant.headers("officer")).json
    for role in ROLES:
        headers = city.headers(role) if role.startswith("city_") else tenant.headers(role)
        base = city_cases(tenant) if role.startswith("city_") else CASES
        url = base + path.removeprefix("/cases").replace("{id}", str(case["id"]))
        body = None
        if (method, path) == ("POST", "/cases"):
            body = case_body(tenant, case_no=f"R-{role}")
        elif path.endswith("/completion"):
            body = {"completed_at": "2024-10-08T10:00:00"}
        if path.endswith("/import"):
            resp = client.post(url, data={}, headers=headers, content_type="multipart/form-data")
        else:
            resp = client.open(url, method=method, json=body, headers=headers)
        if role in ROUTES[(method, path)]:
            assert resp.status_code not in (401, 403, 404), (role, resp.status_code)
        else:
            assert resp.status_code == 403, (role, resp.status_code)
            assert resp.json["code"] == 403
        resp.close()


def test_approval_problems_carry_the_case_fields(client, clock, tenant):
    from fixtures.ledger import problem_body

    domains = client.get("/api/v1/domains", headers=tenant.headers("officer")).json["items"]
    approval = next(d for d in domains if d["slug"] == "approval")
    described = {f["code"]: f["label"] for f in approval.get("fields", approval.get("fields_", []))}
    assert described == {"matter_name": "事项名称", "case_no": "办件编号", "window": "窗口/岗位"}
    assert "超时办结" in {c["name"] for c in approval["categories"]}
    body = problem_body(
        tenant,
        domain="approval",
        category="one_time_notice",
        custom_fields={"matter_name": "食品经营许可（新办）", "case_no": "SP-2024-0009", "window": "综合受理3号窗口"},
    )
    created = client.post("/api/v1/problems", json=body, headers=tenant.headers("officer"))
    assert created.status_code == 201, created.json
    assert created.json["custom_fields"]["case_no"] == "SP-2024-0009"
    too_long = {**body, "custom_fields": {"case_no": "9" * 65}}
    refused = client.post("/api/v1/problems", json=too_long, headers=tenant.headers("officer"))
    assert refused.status_code == 422
    assert refused.json["errors"]["json"]["custom_fields.case_no"] == ["办件编号不能超过64个字符"]
    unknown = {**body, "custom_fields": {"enterprise_name": "某公司"}}
    assert (
        "custom_fields.enterprise_name"
        in client.post("/api/v1/problems", json=unknown, headers=tenant.headers("officer")).json["errors"]["json"]
    )
