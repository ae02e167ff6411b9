"""The paid-services API: the registry, fee records and each flag, flag -> problem, roles, tenants, bad input."""

from __future__ import annotations

import pytest
from paid_services_helpers import (
    API,
    agency_body,
    api,
    days,
    fee_body,
    post_agency,
    post_fee,
    post_service,
    registry_with_flags,
    uscc,
)
from sqlalchemy import select

from core.auth.models import ROLES
from core.ledger.models import Problem
from core.platform.db import db, tenant_scope
from core.tenancy.service import set_unit_domain
from plugins.paid_services.models import FeeFlag

WRITERS = {"city_supervisor", "tenant_admin", "officer"}


# --- the registry -------------------------------------------------------------------------------------------


def test_register_an_agency_and_its_services(client, tenant):
    agency = post_agency(client, tenant, credit_code=" " + uscc(7).lower() + " ")
    assert agency["credit_code"] == uscc(7)  # normalised: trimmed, upper case
    assert agency["kind_name"] == "检验检测机构"
    assert agency["certificate_state"] == "valid"
    assert agency["unit_name"] == tenant.agency.name
    service = post_service(client, tenant, agency["id"], "clean")
    assert service["fee_standard"] == "300.00"
    assert service["fee_published"] is True
    listed = client.get(f"{API}/agencies/{agency['id']}/services", headers=tenant.headers("viewer")).json["items"]
    assert [s["name"] for s in listed] == ["食品中农药残留检测"]
    agencies = client.get(f"{API}/agencies", headers=tenant.headers("viewer")).json["items"]
    assert [(a["name"], a["services"]) for a in agencies] == [("区食品药品检验检测中心", 1)]
    changed = client.patch(
        f"{API}/services/{service['id']}", json={"fee_standard": "320"}, headers=tenant.headers("tenant_admin")
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["fee_standard"] == "320.00"
    renamed = client.patch(
        f"{API}/agencies/{agency['id']}", json={"name": "区检验检测中心"}, headers=tenant.headers("tenant_admin")
    )
    assert renamed.status_code == 200
    assert (
        client.get(f"{API}/agencies/{agency['id']}", headers=tenant.headers("viewer")).json["name"] == "区检验检测中心"
    )


def test_credit_code_is_checked_by_its_check_digit(client, tenant):
    bad = uscc(3)[:-1] + ("0" if uscc(3)[-1] != "0" else "1")
    resp = client.post(
        f"{API}/agencies", json=agency_body(tenant, credit_code=bad), headers=tenant.headers("tenant_admin")
    )
    assert resp.status_code == 422
    assert "校验码错误" in resp.json["errors"]["json"]["credit_code"][0]
    post_agency(client, tenant, serial=3)
    twice = client.post(f"{API}/agencies", json=agency_body(tenant, serial=3), headers=tenant.headers("tenant_admin"))
    assert twice.status_code == 422
    assert twice.json["errors"]["json"]["credit_code"] == ["已登记统一社会信用代码相同的机构"]


BAD_AGENCIES = [
    ("name", {"name": ""}, "机构名称"),
    ("kind", {"kind": "castle"}, "应为以下之一"),
    ("credit_code", {"credit_code": "123"}, "长度应为18位"),
    ("cma_expires_on", {"cma_expires_on": "2024-13-01"}, "日期"),
    ("unit_id", {"unit_id": "root"}, "应为整数"),
    ("colour", {"colour": "red"}, "字段"),
]


@pytest.mark.parametrize(("field", "change", "reason"), BAD_AGENCIES, ids=[c[0] for c in BAD_AGENCIES])
def test_bad_agency_input_names_the_field(client, tenant, field, change, reason):
    resp = client.post(f"{API}/agencies", json=agency_body(tenant, **change), headers=tenant.headers("tenant_admin"))
    assert resp.status_code == 422
    assert reason in resp.json["errors"]["json"][field][0]
    assert client.get(f"{API}/agencies", headers=tenant.headers("viewer")).json["items"] == []


def test_bad_input_on_every_other_endpoint_names_the_field(client, tenant, other_tenant):
    ids = registry_with_flags(client, tenant)
    h = tenant.headers("tenant_admin")
    cases = [
        ("PATCH", f"{API}/agencies/{ids['agency']}", {"unit_id": other_tenant.agency.id}, "unit_id"),
        ("PATCH", f"{API}/agencies/{ids['agency']}", {"credit_code": "X"}, "credit_code"),
        ("POST", f"{API}/agencies/{ids['agency']}/services", {"name": "x", "fee_standard": "-1"}, "fee_standard"),
        ("POST", f"{API}/agencies/{ids['agency']}/services", {"name": "食品中农药残留检测"}, "name"),
        ("PATCH", f"{API}/services/{ids['clean']}", {"regulatory_act": "maybe"}, "regulatory_act"),
        ("POST", f"{API}/fee-records", fee_body(ids["clean"], amount="abc"), "amount"),
        ("POST", f"{API}/fee-records", fee_body(ids["clean"], charged_on="yesterday"), "charged_on"),
        ("POST", f"{API}/fee-records", fee_body(ids["clean"], quantity=0), "quantity"),
        ("POST", f"{API}/fee-records", fee_body(ids["clean"], receipt="PJ-FINE"), "receipt_no"),
        ("POST", f"{API}/fee-records", fee_body(999999), "service_id"),
        ("POST", f"{API}/flags/{ids['over_flag']}/problem", {"rectification_type": "soon"}, "rectification_type"),
        ("POST", f"{API}/flags/{ids['over_flag']}/problem", {"rectification_type": "deadline"}, "deadline"),
        (
            "POST",
            f"{API}/flags/{ids['over_flag']}/problem",
            {"rectification_type": "deadline", "deadline": "2099-01-01", "deadline_working_days": 5},
            "deadline_working_days",
        ),
    ]
    for method, url, body, field in cases:
        resp = client.open(url, method=method, json=body, headers=h)
        assert resp.status_code == 422, (url, body, resp.status_code, resp.json)
        assert field in resp.json["errors"]["json"], (url, body, resp.json)
    bad_queries = [
        f"{API}/agencies?unit_id=x",
        f"{API}/fee-records?charged_from=never",
        f"{API}/flags?kind=bogus",
    ]
    for url in bad_queries:
        resp = client.get(url, headers=h)
        assert resp.status_code == 422, url
        assert resp.json["errors"]["query"], url
    # Nothing was written by the refusals: still the one flag per flagged record, no problem.
    flags = client.get(f"{API}/flags", headers=h).json["items"]
    assert len(flags) == 3
    assert all(f["problem_id"] is None for f in flags)


# --- fee flags ----------------------------------------------------------------------------------------------


def test_each_fee_flag_and_a_clean_record_unflagged(client, tenant):
    ids = registry_with_flags(client, tenant)
    h = tenant.headers("viewer")
    records = {r["receipt_no"]: r for r in client.get(f"{API}/fee-records", headers=h).json["items"]}
    assert [f["kind"] for f in records["PJ-OVER"]["flags"]] == ["over_standard"]
    assert [f["kind"] for f in records["PJ-TIED"]["flags"]] == ["designated"]
    assert [f["kind"] for f in records["PJ-SCOPE"]["flags"]] == ["out_of_scope"]
    assert records["PJ-FINE"]["flags"] == []
    flags = {f["kind"]: f for f in client.get(f"{API}/flags", headers=h).json["items"]}
    assert set(flags) == {"over_standard", "designated", "out_of_scope"}
    assert flags["over_standard"]["category_name"] == "违规收费"
    assert flags["designated"]["category_name"] == "指定服务"
    assert flags["out_of_scope"]["category_name"] == "超范围服务"
    assert "360.00" in flags["over_standard"]["detail"]
    assert "300.00" in flags["over_standard"]["detail"]
    one = client.get(f"{API}/flags/{ids['over_flag']}", headers=h).json
    assert one["fee_record_id"] == ids["over_record"]
    assert one["status"] == "open"
    only = client.get(f"{API}/fee-records?flagged=true", headers=h).json["items"]
    assert {r["receipt_no"] for r in only} == {"PJ-OVER", "PJ-TIED", "PJ-SCOPE"}
    kinds = client.get(f"{API}/flags?kind=designated", headers=h).json["items"]
    assert [f["kind"] for f in kinds] == ["designated"]


def test_the_standard_counts_per_unit_of_charge_and_rounds_to_the_fen(client, tenant):
    agency = post_agency(client, tenant)
    service = post_service(client, tenant, agency["id"], "clean")
    exact = post_fee(client, tenant, service["id"], "PJ-3", quantity=3, amount="900.004")
    assert exact["amount"] == "900.00"
    assert exact["flags"] == []
    above = post_fee(client, tenant, service["id"], "PJ-4", quantity=3, amount="900.005")
    assert above["amount"] == "900.01"  # half up, as receipts round
    assert [f["kind"] for f in above["flags"]] == ["over_standard"]


def test_a_service_changed_later_flags_its_recorded_fees(client, tenant):
    agency = post_agency(client, tenant)
    service = post_service(client, tenant, agency["id"], "clean")
    record = post_fee(client, tenant, service["id"])
    assert record["flags"] == []
    h = tenant.headers("tenant_admin")
    assert client.patch(f"{API}/services/{service['id']}", json={"regulatory_act": True}, headers=h).status_code == 200
    again = client.patch(f"{API}/services/{service['id']}", json={"fee_unit": "元/批"}, headers=h)
    assert again.status_code == 200
    flags = client.get(f"{API}/fee-records/{record['id']}", headers=h).json["flags"]
    assert [f["kind"] for f in flags] == ["designated"]  # once, however often the service changes


# --- a flag becomes a problem -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "category"),
    [("over_flag", "illegal_fees"), ("tied_flag", "designated_service"), ("scope_flag", "out_of_scope")],
)
def test_a_flag_becomes_a_ledger_problem(client, tenant, flag, category):
    ids = registry_with_flags(client, tenant)
    resp = client.post(
        f"{API}/flags/{ids[flag]}/problem",
        json={"rectification_type": "deadline", "deadline_working_days": 10, "responsible_person": "王检"},
        headers=tenant.headers("tenant_admin"),
    )
    assert resp.status_code == 201, resp.json
    assert resp.json["flag"]["status"] == "problem"
    pid = resp.json["problem_id"]
    problem = client.get(f"/api/v1/problems/{pid}", headers=tenant.headers("tenant_admin")).json
    assert problem["domain"] == "paid_services"
    assert problem["category"] == category
    assert problem["unit_id"] == tenant.agency.id
    assert problem["status"] == "registered"
    assert problem["custom_fields"]["agency_name"] == "区食品药品检验检测中心"
    assert problem["responsible_person"] == "王检"
    with tenant_scope(tenant.tenant.id):
        row = db.session.scalar(select(Problem).where(Problem.id == pid))
        assert row.created_by == f"user:{tenant.users['tenant_admin'].id}"
        assert db.session.scalar(select(FeeFlag.problem_id).where(FeeFlag.id == ids[flag])) == pid
    twice = client.post(
        f"{API}/flags/{ids[flag]}/problem",
        json={"rectification_type": "deadline", "deadline_working_days": 10},
        headers=tenant.headers("tenant_admin"),
    )
    assert twice.status_code == 409
    assert twice.json["problem_id"] == pid


def test_an_officer_turns_flags_of_its_own_unit_into_problems(client, tenant):
    agency = post_agency(client, tenant, unit_id=tenant.station.id)
    service = post_service(client, tenant, agency["id"], "designated", role="officer")
    record = post_fee(client, tenant, service["id"], role="officer")
    flag_id = record["flags"][0]["id"]
    resp = client.post(
        f"{API}/flags/{flag_id}/problem",
        json={"rectification_type": "immediate", "deadline": days(60)},
        headers=tenant.headers("officer"),
    )
    assert resp.status_code == 201, resp.json
    # An officer sees neither the bureau's agencies nor their flags.
    other = post_agency(client, tenant, serial=2)
    assert client.get(f"{API}/agencies/{other['id']}", headers=tenant.headers("officer")).status_code == 404
    seen = client.get(f"{API}/agencies", headers=tenant.headers("officer")).json["items"]
    assert [a["id"] for a in seen] == [agency["id"]]


# --- roles, tenants, enablement -----------------------------------------------------------------------------

READ_PATHS = [
    "/agencies",
    "/agencies/{agency}",
    "/agencies/{agency}/services",
    "/services/{clean}",
    "/fee-records",
    "/fee-records/{over_record}",
    "/flags",
    "/flags/{over_flag}",
]


def _write_cases(ids: dict, n: int) -> list[tuple[str, str, dict]]:
    return [
        ("POST", "/agencies", {"__agency__": n}),
        ("PATCH", "/agencies/{agency}", {"cma_number": f"CMA-{n}"}),
        ("POST", "/agencies/{agency}/services", {"name": f"新服务{n}", "fee_standard": "10"}),
        ("PATCH", "/services/{clean}", {"fee_unit": f"元/次{n}"}),
        ("POST", "/fee-records", fee_body(ids["clean"], f"PJ-R{n}")),
        ("POST", "/flags/{over_flag}/problem", {"rectification_type": "deadline", "deadline_working_days": 5}),
    ]


def _headers(role, tenant, city):
    return city.headers(role) if role.startswith("city_") else tenant.headers(role)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_and_only_writers_write(client, tenant, city, role):
    ids = registry_with_flags(client, tenant, unit="station")  # within every tenant role's view
    prefix = "/tenants/alpha" if role.startswith("city_") else ""
    h = _headers(role, tenant, city)
    for path in READ_PATHS:
        resp = client.get(api(prefix) + path.format(**ids), headers=h)
        assert resp.status_code == 200, (role, path, resp.json)
    for n, (method, path, body) in enumerate(_write_cases(ids, 100)):
        if "__agency__" in body:
            body = agency_body(tenant, serial=50 + n, unit_id=tenant.station.id)
        resp = client.open(api(prefix) + path.format(**ids), method=method, json=body, headers=h)
        if role in WRITERS:
            assert resp.status_code < 400, (role, method, path, resp.json)
        else:
            assert resp.status_code == 403, (role, method, path, resp.status_code)
            assert resp.json["code"] == 403


def test_unauthenticated_gets_401(client, tenant):
    ids = registry_with_flags(client, tenant)
    for path in READ_PATHS:
        assert client.get(API + path.format(**ids)).status_code == 401
    for method, path, body in _write_cases(ids, 1):
        resp = client.open(API + path.format(**ids), method=method, json=body)
        assert resp.status_code == 401
        assert resp.is_json


def test_another_tenants_objects_are_404_never_403(client, tenant, other_tenant):
    theirs = registry_with_flags(client, other_tenant)
    for role in ("tenant_admin", "officer", "viewer", "reviewer"):
        h = tenant.headers(role)
        for path in READ_PATHS[1:]:
            if "{" not in path:
                continue
            resp = client.get(API + path.format(**theirs), headers=h)
            assert resp.status_code == 404, (role, path, resp.status_code)
            assert "区食品药品检验检测中心" not in resp.get_data(as_text=True)
        for method, path, body in _write_cases(theirs, 2):
            if "{" not in path:
                continue
            resp = client.open(API + path.format(**theirs), method=method, json=body, headers=h)
            assert resp.status_code == 404, (role, method, path, resp.status_code)
        # Through the other tenant's path: the tenant itself is not visible.
        resp = client.get(f"/api/v1/tenants/beta/plugins/paid_services/agencies/{theirs['agency']}", headers=h)
        assert resp.status_code == 404
    # A fee record naming another tenant's service is refused on the field, and nothing is written.
    resp = client.post(
        f"{API}/fee-records", json=fee_body(theirs["clean"], "PJ-X"), headers=tenant.headers("tenant_admin")
    )
    assert resp.status_code == 422
    assert "service_id" in resp.json["errors"]["json"]
    assert client.get(f"{API}/agencies", headers=tenant.headers("tenant_admin")).json["items"] == []
    # Their flags are untouched.
    flags = client.get(f"{API}/flags", headers=other_tenant.headers("viewer")).json["items"]
    assert all(f["status"] == "open" for f in flags)


def test_city_users_reach_a_tenant_through_its_path(client, tenant, city):
    ids = registry_with_flags(client, tenant)
    resp = client.get("/api/v1/tenants/alpha/plugins/paid_services/flags", headers=city.headers("city_supervisor"))
    assert resp.status_code == 200
    assert len(resp.json["items"]) == 3
    resp = client.get(
        f"/api/v1/plugins/paid_services/agencies/{ids['agency']}", headers=city.headers("city_supervisor")
    )
    assert resp.status_code == 404  # a city user must name the tenant


def test_domain_switched_off_at_a_unit_answers_404(client, tenant):
    ids = registry_with_flags(client, tenant)
    # The bureau's tenant admin keeps the domain; the station's officer loses it.
    with tenant_scope(tenant.tenant.id):
        from core.tenancy.models import Unit

        station = db.session.scalar(select(Unit).where(Unit.id == tenant.station.id))
        set_unit_domain(station, "paid_services", False)
        db.session.commit()
    for path in READ_PATHS:
        resp = client.get(API + path.format(**ids), headers=tenant.headers("officer"))
        assert resp.status_code == 404, path
        assert resp.json["message"] == "本单位未启用该业务插件"
    assert client.get(f"{API}/agencies", headers=tenant.headers("tenant_admin")).status_code == 200
    # An agency cannot be kept under a unit where the domain is off.
    resp = client.post(
        f"{API}/agencies", json=agency_body(tenant, serial=9, unit_id=tenant.substation.id),
        headers=tenant.headers("tenant_admin"),
    )  # fmt: skip
    assert resp.status_code == 422
    assert resp.json["errors"]["json"]["unit_id"] == ["该单位未启用有偿服务业务"]
