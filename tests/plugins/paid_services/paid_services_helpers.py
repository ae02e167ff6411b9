"""Shared helpers of the paid-services tests: valid credit codes, an agency with services, fee records."""

from __future__ import annotations

from datetime import date, timedelta

from core.platform.calendar import today_in_shanghai
from core.platform.validators import uscc_check_char

API = "/api/v1/plugins/paid_services"


def uscc(serial: int) -> str:
    """A valid unified social credit code (a public institution's, 12…) with the given serial."""
    first17 = f"12330102{serial:09d}"
    return first17 + uscc_check_char(first17)


def today() -> date:
    return today_in_shanghai()


def days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def api(prefix: str = "") -> str:
    """The plugin's API root: tenant users ("") or city users ("/tenants/<slug>")."""
    return f"/api/v1{prefix}/plugins/paid_services"


def agency_body(world, serial: int = 1, **overrides) -> dict:
    data = {
        "name": "区食品药品检验检测中心",
        "kind": "testing_agency",
        "credit_code": uscc(serial),
        "cma_number": "221520340123",
        "cma_expires_on": days(400),
        "unit_id": world.agency.id,
    }
    data.update(overrides)
    return data


def post_agency(client, world, role="tenant_admin", **overrides) -> dict:
    resp = client.post(f"{API}/agencies", json=agency_body(world, **overrides), headers=world.headers(role))
    assert resp.status_code == 201, resp.json
    return resp.json


SERVICES = {
    # a clean service: published standard, in scope, not tied to any regulatory act
    "clean": {
        "name": "食品中农药残留检测",
        "fee_standard": "300.00",
        "fee_unit": "元/样品",
        "fee_basis": "省发展改革委 省财政厅关于检验检测收费标准的通知",
        "fee_published": True,
        "regulatory_act": False,
        "in_certified_scope": True,
        "certified_scope": "GB 2763 食品中农药最大残留限量 所列项目",
    },
    "designated": {
        "name": "开业前食品经营场所检测",
        "fee_standard": "500.00",
        "fee_published": True,
        "regulatory_act": True,
    },
    "out_of_scope": {
        "name": "室内空气甲醛检测",
        "fee_standard": "200.00",
        "fee_published": False,
        "in_certified_scope": False,
    },
}


def post_service(client, world, agency_id: int, kind: str = "clean", role="tenant_admin", **overrides) -> dict:
    body = {**SERVICES[kind], **overrides}
    resp = client.post(f"{API}/agencies/{agency_id}/services", json=body, headers=world.headers(role))
    assert resp.status_code == 201, resp.json
    return resp.json


def fee_body(service_id: int, receipt: str = "PJ-0001", **overrides) -> dict:
    data = {
        "service_id": service_id,
        "receipt_no": receipt,
        "client": "城关农贸市场经营户张某",
        "charged_on": days(-3),
        "quantity": 1,
        "amount": "300.00",
    }
    data.update(overrides)
    return data


def post_fee(client, world, service_id: int, receipt: str = "PJ-0001", role="tenant_admin", **overrides) -> dict:
    resp = client.post(
        f"{API}/fee-records", json=fee_body(service_id, receipt, **overrides), headers=world.headers(role)
    )
    assert resp.status_code == 201, resp.json
    return resp.json


def registry_with_flags(client, world, unit: str = "agency") -> dict:
    """An agency (kept under the world's ``unit``) with the three kinds of service and a charge of each; ids."""
    agency = post_agency(client, world, unit_id=getattr(world, unit).id)
    clean = post_service(client, world, agency["id"], "clean")
    designated = post_service(client, world, agency["id"], "designated")
    out = post_service(client, world, agency["id"], "out_of_scope")
    over = post_fee(client, world, clean["id"], "PJ-OVER", amount="360.00", role="tenant_admin")
    fine = post_fee(client, world, clean["id"], "PJ-FINE", amount="300.00", role="tenant_admin")
    tied = post_fee(client, world, designated["id"], "PJ-TIED", amount="500.00", role="tenant_admin")
    scope = post_fee(client, world, out["id"], "PJ-SCOPE", amount="200.00", role="tenant_admin")
    return {
        "agency": agency["id"],
        "clean": clean["id"],
        "designated": designated["id"],
        "out_of_scope": out["id"],
        "over_record": over["id"],
        "fine_record": fine["id"],
        "tied_record": tied["id"],
        "scope_record": scope["id"],
        "over_flag": over["flags"][0]["id"],
        "tied_flag": tied["flags"][0]["id"],
        "scope_flag": scope["flags"][0]["id"],
    }
