"""The oversight API: every endpoint allowed, refused (403), across tenants (404), with bad input (422) and
unauthenticated (401)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fixtures.ledger import post_problem, upcoming_body
from oversight_helpers import caller, objects_of

from core.auth.models import User
from core.oversight.models import ReportingTask
from core.platform.db import db

LATER = (date.today() + timedelta(days=30)).isoformat()


def _order(client, world, role="tenant_admin", prefix="", headers=None, **body):
    body = {"unit_id": world.station.id, "demand": "请说明整改情况", "deadline": LATER, **body}
    body = {k: v for k, v in body.items() if v is not None}
    return client.post(
        f"/api/v1{prefix}/oversight/orders", json=body, headers=world.headers(role) if headers is None else headers
    )


def test_orders_through_the_api(client, tenant):
    created = _order(client, tenant)
    assert created.status_code == 201, created.json
    order = created.json
    assert (order["status"], order["level"], order["light"]) == ("issued", "county", "green")
    oid = order["id"]
    listed = client.get("/api/v1/oversight/orders?status=open", headers=tenant.headers("officer")).json["items"]
    assert [o["id"] for o in listed] == [oid]
    assert client.get(f"/api/v1/oversight/orders/{oid}", headers=tenant.headers("viewer")).status_code == 200
    h = tenant.headers("officer")
    assert client.post(f"/api/v1/oversight/orders/{oid}/acknowledge", headers=h).json["status"] == "acknowledged"
    assert client.post(f"/api/v1/oversight/orders/{oid}/acknowledge", headers=h).status_code == 409
    answered = client.post(f"/api/v1/oversight/orders/{oid}/answer", json={"answer": "已整改"}, headers=h)
    assert answered.status_code == 200
    assert (answered.json["status"], answered.json["light"], answered.json["answered_late"]) == (
        "answered",
        None,
        False,
    )


def test_orders_refused_bad_input_and_other_tenants(client, tenant, other_tenant):
    assert _order(client, tenant, "officer").status_code == 403
    assert _order(client, tenant, "viewer").status_code == 403
    assert _order(client, tenant, headers={}).status_code == 401
    bad = _order(client, tenant, demand="")
    assert bad.status_code == 422
    assert "demand" in bad.json["errors"]["json"]
    assert "deadline" in _order(client, tenant, deadline="2020-01-01").json["errors"]["json"]
    assert "deadline" in _order(client, tenant, deadline="soon").json["errors"]["json"]
    assert "unit_id" in _order(client, tenant, unit_id=other_tenant.station.id).json["errors"]["json"]
    other = objects_of(other_tenant)["order"]
    for method, path, body in (
        ("GET", f"/oversight/orders/{other}", None),
        ("POST", f"/oversight/orders/{other}/acknowledge", None),
        ("POST", f"/oversight/orders/{other}/answer", {"answer": "越权"}),
    ):
        for role in ("tenant_admin", "officer"):
            resp = client.open(f"/api/v1{path}", method=method, json=body, headers=tenant.headers(role))
            assert resp.status_code == 404, (path, role)
            assert "乙局的督办" not in resp.get_data(as_text=True)
    mine = _order(client, tenant).json["id"]
    # The bureau's admin is not the receiving station; a viewer never answers.
    resp = client.post(f"/api/v1/oversight/orders/{mine}/answer", json={"answer": "x"},
                       headers=tenant.headers("tenant_admin"))  # fmt: skip
    assert resp.status_code == 403
    resp = client.post(
        f"/api/v1/oversight/orders/{mine}/answer", json={"answer": "x"}, headers=tenant.headers("viewer")
    )
    assert resp.status_code == 403
    resp = client.post(f"/api/v1/oversight/orders/{mine}/answer", json={}, headers=tenant.headers("officer"))
    assert resp.status_code == 422
    assert "answer" in resp.json["errors"]["json"]


def test_the_city_supervises_through_the_tenant_path(client, tenant, city):
    problem = post_problem(client, tenant, body=upcoming_body(tenant)).json
    resp = _order(client, tenant, prefix="/tenants/alpha", headers=city.headers("city_supervisor"),
                  unit_id=None, problem_id=problem["id"])  # fmt: skip
    assert resp.status_code == 201, resp.json
    assert (resp.json["level"], resp.json["unit_id"]) == ("city", tenant.station.id)
    assert _order(client, tenant, prefix="/tenants/alpha", headers=city.headers("city_admin")).status_code == 403
    assert _order(client, tenant, headers=city.headers("city_supervisor")).status_code == 404  # no tenant named


def test_accountability_through_the_api(client, tenant, other_tenant):
    body = {"unit_id": tenant.station.id, "kind": "interview", "measure": "约谈所长", "decided_on": "2024-09-30"}
    h = tenant.headers("reviewer")
    created = client.post("/api/v1/oversight/accountability", json=body, headers=h)
    assert created.status_code == 201, created.json
    assert created.json["tenant_id"] == tenant.tenant.id
    listed = client.get("/api/v1/oversight/accountability", headers=tenant.headers("viewer"))
    assert [m["measure"] for m in listed.json["items"]] == ["约谈所长"]
    assert client.get("/api/v1/oversight/accountability", headers=tenant.headers("officer")).status_code == 403
    officer = tenant.headers("officer")
    assert client.post("/api/v1/oversight/accountability", json=body, headers=officer).status_code == 403
    resp = client.post("/api/v1/oversight/accountability", json={**body, "kind": "fine"}, headers=h)
    assert resp.status_code == 422
    assert "kind" in resp.json["errors"]["json"]
    other = post_problem(client, other_tenant, body=upcoming_body(other_tenant)).json
    resp = client.post("/api/v1/oversight/accountability", json={**body, "problem_ids": [other["id"]]}, headers=h)
    assert resp.status_code == 422
    assert "problem_ids" in resp.json["errors"]["json"]
    other_list = client.get("/api/v1/oversight/accountability", headers=other_tenant.headers("tenant_admin"))
    assert other_list.json["items"] == []


def test_notifications_through_the_api(client, tenant):
    _order(client, tenant)
    h = tenant.headers("officer")
    mine = client.get("/api/v1/notifications", headers=h).json
    assert mine["unread"] == 1
    assert mine["items"][0]["kind"] == "order"
    empty = {"unread": 0, "items": [], "total": 0, "next_cursor": None}
    assert client.get("/api/v1/notifications", headers=tenant.headers("viewer")).json == empty
    assert client.post("/api/v1/notifications", json={"id": "x"}, headers=h).status_code == 422
    assert client.post("/api/v1/notifications", json={}, headers=h).json["unread"] == 0
    assert client.get("/api/v1/notifications").status_code == 401


def test_reporting_through_the_api(client, tenant, other_tenant, city):
    task = ReportingTask(kind="monthly", title="月报", due_on=date.today() + timedelta(days=3),
                         tenant_ids=[tenant.tenant.id], created_by="test")  # fmt: skip
    db.session.add(task)
    db.session.get(User, tenant.users["officer"].id).is_liaison = True
    db.session.commit()
    task_id = task.id
    listed = client.get("/api/v1/reporting/tasks", headers=tenant.headers("viewer")).json["items"]
    assert [(t["id"], t["state"]) for t in listed] == [(task_id, "pending")]
    path = f"/api/v1/reporting/tasks/{task_id}/submission"
    assert client.post(path, json={"text": "进展"}, headers=tenant.headers("tenant_admin")).status_code == 403
    bad = client.post(path, json={"text": ""}, headers=tenant.headers("officer"))
    assert bad.status_code == 422
    assert "text" in bad.json["errors"]["json"]
    done = client.post(path, json={"text": "本月进展"}, headers=tenant.headers("officer"))
    assert done.status_code == 201, done.json
    assert done.json["revision"] == 1
    assert client.post(path, json={"text": "again"}, headers=tenant.headers("officer")).status_code == 409
    # beta is not asked: the task does not exist for it.
    other = other_tenant.headers("tenant_admin")
    assert client.post(path, json={"text": "x"}, headers=other).status_code == 404
    assert client.get("/api/v1/reporting/tasks", headers=other).json["items"] == []
    matrix = client.get(f"/api/v1/reporting/tasks/{task_id}/matrix", headers=city.headers("city_supervisor"))
    assert [(r["slug"], r["state"]) for r in matrix.json["items"]] == [("alpha", "submitted")]
    matrix_path = f"/api/v1/reporting/tasks/{task_id}/matrix"
    assert client.get(matrix_path, headers=tenant.headers("tenant_admin")).status_code == 403
    assert client.get(matrix_path, headers=other).status_code == 404  # not beta's task: 404 before 403
    assert client.get("/api/v1/reporting/tasks/999999/matrix", headers=city.headers("city_admin")).status_code == 404


@pytest.mark.parametrize("role", ["tenant_admin", "officer", "reviewer", "viewer"])
def test_a_tenant_user_naming_another_tenant_gets_404(client, tenant, other_tenant, role):
    objects = objects_of(other_tenant)
    for path in (f"/tenants/beta/oversight/orders/{objects['order']}", "/tenants/beta/reporting/tasks"):
        assert client.get(f"/api/v1{path}", headers=tenant.headers(role)).status_code == 404


def test_service_caller_helper_scopes_to_the_tenant(tenant):
    assert caller(tenant, "officer").tenant.id == tenant.tenant.id
