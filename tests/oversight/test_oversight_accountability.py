"""问责: interviews, criticism and accountability measures recorded with their links, in a table the figures count."""

from __future__ import annotations

from datetime import date

from fixtures.ledger import post_problem, upcoming_body
from oversight_helpers import caller, post_form, web_login
from sqlalchemy import func, select

from core.oversight import service
from core.oversight.models import AccountabilityMeasure, InterviewFlag
from core.platform.db import db, tenant_scope


def _form(unit, **extra):
    return {
        "kind": "interview",
        "unit_id": str(unit),
        "measure": "约谈所长，限期整改",
        "person": "城关所所长",
        "decided_on": "2024-09-30",
        **extra,
    }


def test_a_measure_is_recorded_with_its_problems_and_orders(client, tenant):
    problem = post_problem(client, tenant, body=upcoming_body(tenant)).json
    order = service.issue_order(
        caller(tenant, "tenant_admin"), {"unit_id": tenant.station.id, "demand": "说明", "deadline": "2099-01-01"}
    )
    order_id = order.id
    db.session.commit()
    web_login(client, "alpha.reviewer")
    resp = post_form(
        client, "/oversight/accountability", _form(tenant.station.id, problems=problem["number"], orders=str(order_id))
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:400]
    with tenant_scope(tenant.tenant.id):
        row = db.session.scalar(select(AccountabilityMeasure))
    assert (row.tenant_id, row.unit_id, row.kind, row.decided_on) == (
        tenant.tenant.id,
        tenant.station.id,
        "interview",
        date(2024, 9, 30),
    )
    assert (row.problem_ids, row.order_ids, row.person) == ([problem["id"]], [order_id], "城关所所长")
    web_login(client, "alpha.viewer")
    page = client.get("/oversight/accountability").get_data(as_text=True)
    assert "约谈所长，限期整改" in page
    assert 'data-testid="measure-form"' not in page  # viewers read only


def test_an_interview_answers_a_flag(client, tenant):
    with tenant_scope(tenant.tenant.id):
        flag = InterviewFlag(unit_id=tenant.station.id, period="2024-12", periods=["2024-10", "2024-11", "2024-12"])
        db.session.add(flag)
        db.session.flush()
        flag_id = flag.id
        db.session.commit()
        assert [f.id for f in service.open_flags()] == [flag_id]
    web_login(client, "alpha.tenant_admin")
    assert f'data-flag="{flag_id}"' in client.get("/oversight/accountability").get_data(as_text=True)
    assert post_form(client, "/oversight/accountability", _form(tenant.station.id, flag_id=flag_id)).status_code == 302
    with tenant_scope(tenant.tenant.id):
        assert service.open_flags() == []


def test_refused_roles_bad_input_and_other_tenants(client, tenant, other_tenant):
    web_login(client, "alpha.officer")
    assert client.get("/oversight/accountability").status_code == 403
    assert post_form(client, "/oversight/accountability", _form(tenant.station.id)).status_code == 403
    web_login(client, "alpha.viewer")
    assert post_form(client, "/oversight/accountability", _form(tenant.station.id)).status_code == 403
    web_login(client, "alpha.tenant_admin")
    for field, bad in (("measure", ""), ("kind", "fine"), ("decided_on", "2999-01-01"), ("unit_id", "x")):
        resp = post_form(client, "/oversight/accountability", _form(tenant.station.id, **{field: bad}))
        assert resp.status_code == 422, field
        assert f'data-testid="error-{field}"' in resp.get_data(as_text=True), field
    other = post_problem(client, other_tenant, body=upcoming_body(other_tenant)).json
    resp = post_form(client, "/oversight/accountability", _form(tenant.station.id, problems=str(other["id"])))
    assert resp.status_code == 422  # beta's problem does not exist in alpha
    resp = post_form(client, "/oversight/accountability", _form(other_tenant.station.id))
    assert resp.status_code == 422
    assert client.get("/tenants/beta/oversight/accountability").status_code == 404
    with tenant_scope(tenant.tenant.id):
        assert db.session.scalar(select(func.count(AccountabilityMeasure.id))) == 0
