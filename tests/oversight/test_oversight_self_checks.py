"""举一反三: from one problem to chosen units (county) or tenants (city); answers and the matrix of who has not."""

from __future__ import annotations

import re

from fixtures.ledger import post_problem, upcoming_body
from oversight_helpers import post_form, web_login
from sqlalchemy import select

from core.oversight import service
from core.oversight.models import CitySelfCheck
from core.platform.db import db


def _problem(client, world, **overrides):
    return post_problem(client, world, role="tenant_admin", body=upcoming_body(world, **overrides)).json


def _send(client, problem, unit_ids, prefix="", **extra):
    data = {"problem": problem["number"], "description": "对照检查窗口服务态度问题", "due_on": "2099-01-31", **extra}
    from oversight_helpers import csrf

    key = "tenant_ids" if prefix or "tenant_ids" in extra else "unit_ids"
    return client.post(
        f"{prefix}/oversight/self-checks/new",
        data={**data, key: [str(u) for u in unit_ids], "csrf_token": csrf(client, "/notifications")},
    )


def test_a_county_self_check_and_its_matrix(client, tenant):
    source = _problem(client, tenant)
    web_login(client, "alpha.tenant_admin")
    resp = _send(client, source, [tenant.station.id, tenant.root.id])
    assert resp.status_code == 302, resp.get_data(as_text=True)[:400]
    check_id = int(re.search(r"/self-checks/(\d+)$", resp.headers["Location"]).group(1))
    page = client.get(f"/oversight/self-checks/{check_id}").get_data(as_text=True)
    assert page.count('data-state="pending"') == 2
    # The station finds nothing; the bureau records a problem and links it.
    web_login(client, "alpha.officer")
    assert (
        post_form(
            client, f"/oversight/self-checks/{check_id}", {"unit_id": tenant.station.id, "answer": "none"}
        ).status_code
        == 302
    )
    found = _problem(client, tenant, unit_id=tenant.root.id, title="局机关窗口同类问题")
    web_login(client, "alpha.tenant_admin")
    resp = post_form(
        client,
        f"/oversight/self-checks/{check_id}",
        {"unit_id": tenant.root.id, "answer": "problem", "problem_id": found["id"]},
    )
    assert resp.status_code == 302
    page = client.get(f"/oversight/self-checks/{check_id}").get_data(as_text=True)
    assert 'data-state="none"' in page
    assert 'data-state="problem"' in page
    assert 'data-state="pending"' not in page
    assert found["number"] in page


def test_answers_are_refused_to_others_and_bad_input_is_named(client, tenant, other_tenant):
    source = _problem(client, tenant)
    web_login(client, "alpha.tenant_admin")
    check_id = int(re.search(r"(\d+)$", _send(client, source, [tenant.station.id]).headers["Location"]).group(1))
    resp = post_form(client, f"/oversight/self-checks/{check_id}", {"unit_id": tenant.station.id, "answer": "none"})
    assert resp.status_code == 403  # the bureau may not answer for the station
    web_login(client, "alpha.officer")
    resp = post_form(client, f"/oversight/self-checks/{check_id}", {"unit_id": tenant.station.id, "answer": "maybe"})
    assert resp.status_code == 422
    assert 'data-testid="error-answer"' in resp.get_data(as_text=True)
    other = _problem(client, other_tenant)
    resp = post_form(
        client,
        f"/oversight/self-checks/{check_id}",
        {"unit_id": tenant.station.id, "answer": "problem", "problem_id": other["id"]},
    )
    assert resp.status_code == 422
    assert 'data-testid="error-problem_id"' in resp.get_data(as_text=True)
    web_login(client, "alpha.officer")
    assert client.get("/oversight/self-checks/new").status_code == 403
    web_login(client, "beta.tenant_admin")
    assert client.get(f"/oversight/self-checks/{check_id}").status_code == 404
    resp = post_form(client, f"/oversight/self-checks/{check_id}", {"unit_id": tenant.station.id, "answer": "none"})
    assert resp.status_code == 404
    web_login(client, "alpha.tenant_admin")
    resp = _send(client, source, [])
    assert resp.status_code == 422
    assert 'data-testid="error-unit_ids"' in resp.get_data(as_text=True)


def test_a_city_self_check_reaches_chosen_tenants(client, tenant, other_tenant, city):
    source = _problem(client, tenant)
    web_login(client, "city.supervisor")
    resp = _send(client, source, [tenant.tenant.id, other_tenant.tenant.id], prefix="/tenants/alpha")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:400]
    city_check = db.session.scalar(select(CitySelfCheck))
    assert {r.state for r in service.city_self_check_matrix(city_check)} == {"pending"}
    web_login(client, "beta.tenant_admin")
    listing = client.get("/oversight/self-checks").get_data(as_text=True)
    check_id = int(re.search(r"/oversight/self-checks/(\d+)", listing).group(1))
    assert (
        post_form(
            client, f"/oversight/self-checks/{check_id}", {"unit_id": other_tenant.root.id, "answer": "none"}
        ).status_code
        == 302
    )
    states = {r.tenant: r.state for r in service.city_self_check_matrix(city_check)}
    assert states == {"alpha区市场监督管理局": "pending", "beta区市场监督管理局": "none"}
    web_login(client, "city.supervisor")
    page = client.get(f"/city/self-checks/{city_check.id}").get_data(as_text=True)
    assert 'data-state="none"' in page
    assert 'data-state="pending"' in page
    web_login(client, "alpha.tenant_admin")
    assert client.get(f"/city/self-checks/{city_check.id}").status_code == 403
