"""督办 pages: issue, acknowledge, answer and list with lights; allowed, refused, cross-tenant and bad input."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fixtures.ledger import post_problem, upcoming_body
from oversight_helpers import assigned_problem, caller, city_caller, post_form, web_login
from sqlalchemy import select

from core.oversight import service
from core.oversight.models import CityNotification, Notification, SupervisionOrder
from core.platform.db import db, tenant_scope


def _issue(client, world, unit_id, demand="请于三日内说明整改情况", deadline="2099-01-31", prefix=""):
    return post_form(
        client, f"{prefix}/oversight/orders/new", {"unit_id": str(unit_id), "demand": demand, "deadline": deadline}
    )


def _order_id(resp) -> int:
    return int(re.search(r"/oversight/orders/(\d+)$", resp.headers["Location"]).group(1))


def test_an_order_is_issued_acknowledged_and_answered(client, tenant):
    web_login(client, "alpha.tenant_admin")
    resp = _issue(client, tenant, tenant.station.id)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    order_id = _order_id(resp)
    page = client.get(f"/oversight/orders/{order_id}").get_data(as_text=True)
    assert "请于三日内说明整改情况" in page
    assert "县区局督办" in page

    web_login(client, "alpha.officer")  # the officer belongs to the station: the receiver
    assert 'data-testid="unread-count"' in client.get("/oversight/orders").get_data(as_text=True)
    assert post_form(client, f"/oversight/orders/{order_id}", {"action": "acknowledge"}).status_code == 302
    resp = post_form(client, f"/oversight/orders/{order_id}", {"action": "answer", "answer": "已约谈窗口人员并整改"})
    assert resp.status_code == 302
    with tenant_scope(tenant.tenant.id):
        order = db.session.get(SupervisionOrder, order_id)
        assert (order.status, order.answer, order.answered_late) == ("answered", "已约谈窗口人员并整改", False)
        told = db.session.scalars(
            select(Notification.kind).where(Notification.user_id == tenant.users["tenant_admin"].id)
        )
        assert list(told) == ["order_answered"]
    # Answered orders have no light; a second answer is refused (409).
    resp = post_form(client, f"/oversight/orders/{order_id}", {"action": "answer", "answer": "再答"})
    assert resp.status_code == 409


@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_roles_that_may_not_issue_are_refused(client, tenant, role):
    web_login(client, f"alpha.{role}")
    assert client.get("/oversight/orders/new").status_code == 403
    assert _issue(client, tenant, tenant.station.id).status_code == 403


def test_only_the_receiving_unit_answers(client, tenant):
    order = service.issue_order(
        caller(tenant, "tenant_admin"), {"unit_id": tenant.agency.id, "demand": "说明", "deadline": "2099-01-01"}
    )
    order_id, number = order.id, order.number
    db.session.commit()
    web_login(client, "alpha.viewer")
    resp = post_form(client, f"/oversight/orders/{order_id}", {"action": "answer", "answer": "越权回复"})
    assert resp.status_code == 403
    # The officer's station is not the agency: the order is not even visible to it.
    web_login(client, "alpha.officer")
    assert client.get(f"/oversight/orders/{order_id}").status_code == 404
    assert number not in client.get("/oversight/orders").get_data(as_text=True)


def test_bad_input_names_the_field(client, tenant):
    web_login(client, "alpha.tenant_admin")
    resp = _issue(client, tenant, tenant.station.id, demand="  ")
    assert resp.status_code == 422
    assert 'data-testid="error-demand"' in resp.get_data(as_text=True)
    resp = _issue(client, tenant, tenant.station.id, deadline="2020-01-01")
    assert resp.status_code == 422
    assert 'data-testid="error-deadline"' in resp.get_data(as_text=True)
    resp = _issue(client, tenant, tenant.station.id, deadline="明天")
    assert resp.status_code == 422
    resp = post_form(client, "/oversight/orders/new", {"problem": "NOPE-1", "demand": "x", "deadline": "2099-01-01"})
    assert resp.status_code == 422
    assert 'data-testid="error-problem"' in resp.get_data(as_text=True)


def test_a_reviewer_supervises_only_units_below_it(client, tenant):
    web_login(client, "alpha.reviewer")  # the reviewer sits at the root unit
    assert _issue(client, tenant, tenant.station.id).status_code == 302
    assert _issue(client, tenant, tenant.root.id).status_code == 403


def test_another_tenants_order_is_not_found(client, tenant, other_tenant):
    order = service.issue_order(
        caller(other_tenant, "tenant_admin"),
        {"unit_id": other_tenant.station.id, "demand": "乙局督办", "deadline": "2099-01-01"},
    )
    order_id = order.id  # read before the commit: reloading it later would be under another tenant's scope
    db.session.commit()
    web_login(client, "alpha.tenant_admin")
    assert client.get(f"/oversight/orders/{order_id}").status_code == 404
    assert post_form(client, f"/oversight/orders/{order_id}", {"action": "acknowledge"}).status_code == 404
    assert client.get("/tenants/beta/oversight/orders").status_code == 404
    assert "乙局督办" not in client.get("/oversight/orders").get_data(as_text=True)
    # Naming beta's unit from alpha is a bad unit, never beta's.
    assert _issue(client, tenant, other_tenant.station.id).status_code == 422


def test_the_city_supervises_a_problem_and_sees_its_light(client, clock, tenant, city):
    problem = assigned_problem(client, tenant, "2024-10-08")
    web_login(client, "city.supervisor")
    resp = post_form(
        client,
        "/tenants/alpha/oversight/orders/new",
        {"problem": problem["number"], "demand": "市局督办：限期整改", "deadline": "2024-10-08"},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:400]
    listing = client.get("/tenants/alpha/oversight/orders").get_data(as_text=True)
    assert "市局督办" in listing
    assert 'data-light="yellow"' in listing  # due on the first working day after the holiday
    overview = client.get("/city/orders").get_data(as_text=True)
    assert "alpha区市场监督管理局" in overview
    web_login(client, "alpha.officer")
    resp = post_form(client, f"/oversight/orders/{_order_id(resp)}", {"action": "answer", "answer": "已整改"})
    assert resp.status_code == 302
    with tenant_scope(None):
        told = db.session.scalars(
            select(CityNotification.kind).where(CityNotification.user_id == city.users["city_supervisor"].id)
        ).all()
    assert told == ["order_answered"]


def test_an_order_on_a_closed_problem_is_refused(client, tenant, city):
    created = post_problem(client, tenant, body=upcoming_body(tenant))
    headers = {**tenant.headers("tenant_admin"), "If-Match": created.headers["ETag"]}
    client.post(f"/api/v1/problems/{created.json['id']}/actions/dismiss", json={"reason": "不实"}, headers=headers)
    with pytest.raises(service.Conflict):
        service.issue_order(
            city_caller(city, tenant),
            {"problem_id": created.json["id"], "demand": "督办", "deadline": date(2099, 1, 1)},
        )
