"""信息报送 tasks through the API (issue 13, item 2): create, list, get, change and close, each allowed, refused
(403 / 422) and across tenants (404); a past due date only with ``confirm_past_due``; a closed task takes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.auth.models import TENANT_ROLES, User
from core.oversight.models import Notification
from core.platform.db import db, tenant_scope

TASKS = "/api/v1/reporting/tasks"
#: the clock fixture's today is 2024-09-30
LATER, EARLIER = "2024-10-08", "2024-08-31"


def _events(world, kind):
    with tenant_scope(world.tenant.id):
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.seq)).all()
        return [(e.actor, json.loads(e.body)["data"]) for e in rows]


def _told(world, role="officer"):
    with tenant_scope(world.tenant.id):
        return list(db.session.scalars(select(Notification.title).where(Notification.user_id == world.users[role].id)))


def _liaison(world, role="officer"):
    db.session.get(User, world.users[role].id).is_liaison = True
    db.session.commit()


def _body(*worlds, **overrides):
    body = {"kind": "monthly", "title": "9月整改进展", "description": "按月报送", "due_on": LATER,
            "tenant_ids": [w.tenant.id for w in worlds]}  # fmt: skip
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def _create(client, city, *worlds, role="city_supervisor", **overrides):
    return client.post(TASKS, json=_body(*worlds, **overrides), headers=city.headers(role))


def _made(client, city, *worlds, **overrides) -> int:
    resp = _create(client, city, *worlds, **overrides)
    assert resp.status_code == 201, resp.json
    return resp.json["id"]


# --- create and list ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["city_admin", "city_supervisor"])
def test_the_city_creates_a_task_and_the_tenant_lists_and_reads_it(client, clock, tenant, city, role):
    _liaison(tenant)
    created = _create(client, city, tenant, role=role)
    assert created.status_code == 201, created.json
    task = created.json
    assert (task["status"], task["tenant_ids"], task["due_on"], task["state"]) == ("open", [tenant.tenant.id],
                                                                                    LATER, None)  # fmt: skip
    assert task["created_by"] == f"user:{city.users[role].id}"
    assert _events(tenant, "oversight.report_task_received") == [
        (f"user:{city.users[role].id}", {"task_id": task["id"], "title": "9月整改进展"})
    ]
    assert _told(tenant) == ["信息报送：9月整改进展（2024-10-08 前报送）"]

    listed = client.get(TASKS, headers=tenant.headers("viewer"))
    assert listed.status_code == 200
    assert [(t["id"], t["state"], t["status"]) for t in listed.json["items"]] == [(task["id"], "pending", "open")]
    one = client.get(f"{TASKS}/{task['id']}", headers=tenant.headers("officer"))
    assert one.status_code == 200
    assert (one.json["title"], one.json["state"]) == ("9月整改进展", "pending")
    # The city: every task without a tenant (no state), or one tenant's view under /tenants/<slug>.
    everything = client.get(TASKS, headers=city.headers("city_admin")).json["items"]
    assert [(t["id"], t["state"]) for t in everything] == [(task["id"], None)]
    mine = client.get(f"/api/v1/tenants/alpha/reporting/tasks/{task['id']}", headers=city.headers("city_admin"))
    assert mine.json["state"] == "pending"


@pytest.mark.parametrize("role", TENANT_ROLES)
def test_tenant_roles_may_not_create_tasks(client, clock, tenant, city, role):
    resp = client.post(TASKS, json=_body(tenant), headers=tenant.headers(role))
    assert resp.status_code == 403, resp.json
    assert resp.json["message"]
    bad = client.post(TASKS, json={"title": ""}, headers=tenant.headers(role))
    assert bad.status_code == 403  # the role is refused before the body is read
    assert client.get(TASKS, headers=city.headers("city_admin")).json["items"] == []


def test_bad_input_to_create_is_named_by_field(client, clock, tenant, city):
    cases = [
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"kind": "weekly"}, "kind"),
        ({"due_on": "2024-13-01"}, "due_on"),
        ({"due_on": None}, "due_on"),
        ({"tenant_ids": []}, "tenant_ids"),
        ({"tenant_ids": [2**31 - 1]}, "tenant_ids"),
        ({"tenant_ids": ["x"]}, "tenant_ids"),
    ]
    for overrides, field in cases:
        body = _body(tenant, **{k: v for k, v in overrides.items() if v is not None})
        for name, value in overrides.items():
            if value is None:
                body.pop(name)
        resp = client.post(TASKS, json=body, headers=city.headers("city_supervisor"))
        assert resp.status_code == 422, (overrides, resp.json)
        assert field in resp.json["errors"]["json"], (overrides, resp.json)
        assert not json.dumps(resp.json["errors"]["json"][field], ensure_ascii=False).isascii()  # a Chinese reason
    assert client.get(TASKS, headers=city.headers("city_admin")).json["items"] == []


def test_a_task_for_other_tenants_is_not_found(client, clock, tenant, other_tenant, city):
    task_id = _made(client, city, other_tenant)
    for role in TENANT_ROLES:
        headers = tenant.headers(role)
        assert client.get(TASKS, headers=headers).json["items"] == []
        assert client.get(f"{TASKS}/{task_id}", headers=headers).status_code == 404
        assert client.get("/api/v1/tenants/beta/reporting/tasks", headers=headers).status_code == 404
        assert client.get(f"/api/v1/tenants/beta/reporting/tasks/{task_id}", headers=headers).status_code == 404
        # Changing and closing: 404 before 403, so the task's existence is not given away.
        assert client.patch(f"{TASKS}/{task_id}", json={"title": "x"}, headers=headers).status_code == 404
        assert client.post(f"{TASKS}/{task_id}/close", headers=headers).status_code == 404
        # Creating names tenants in the body, never in the path: a tenant user naming beta is 404 too.
        assert client.post("/api/v1/tenants/beta/reporting/tasks", json=_body(other_tenant),
                           headers=headers).status_code in (404, 405)  # fmt: skip
    city_view = client.get(f"/api/v1/tenants/alpha/reporting/tasks/{task_id}", headers=city.headers("city_admin"))
    assert city_view.status_code == 404
    assert client.get(f"{TASKS}/{2**31 - 1}", headers=city.headers("city_admin")).status_code == 404
    assert client.get(f"{TASKS}/{task_id}", headers=other_tenant.headers("viewer")).status_code == 200


def test_a_tenant_user_sees_only_its_own_tenant_of_a_shared_task(client, clock, tenant, other_tenant, city):
    task_id = _made(client, city, tenant, other_tenant)
    assert client.get(f"{TASKS}/{task_id}", headers=tenant.headers("viewer")).json["tenant_ids"] == [tenant.tenant.id]
    both = client.get(f"{TASKS}/{task_id}", headers=city.headers("city_admin")).json["tenant_ids"]
    assert both == sorted([tenant.tenant.id, other_tenant.tenant.id])


# --- a past due date ------------------------------------------------------------------------------------------


def test_a_past_due_date_is_accepted_only_when_confirmed(client, clock, tenant, city):
    _liaison(tenant)
    refused = _create(client, city, tenant, due_on=EARLIER)
    assert refused.status_code == 422
    assert list(refused.json["errors"]["json"]) == ["due_on"]
    reason = refused.json["errors"]["json"]["due_on"][0]
    assert "早于今天" in reason
    assert "确认" in reason
    assert refused.json["confirm"] == "confirm_past_due"
    assert _create(client, city, tenant, due_on=EARLIER, confirm_past_due=False).status_code == 422
    assert client.get(TASKS, headers=city.headers("city_admin")).json["items"] == []

    accepted = _create(client, city, tenant, due_on=EARLIER, confirm_past_due=True, title="8月整改进展")
    assert accepted.status_code == 201, accepted.json
    assert accepted.json["due_on"] == EARLIER
    received = _events(tenant, "oversight.report_task_received")
    assert received[-1][1] == {"task_id": accepted.json["id"], "title": "8月整改进展", "confirmed_past_due": True}
    assert _told(tenant) == ["信息报送：8月整改进展（补录，时限 2024-08-31）"]
    # The liaison records last month's report; it is late by its due date, as it was.
    done = client.post(f"{TASKS}/{accepted.json['id']}/submission", json={"text": "8月进展"},
                       headers=tenant.headers("officer"))  # fmt: skip
    assert done.status_code == 201, done.json
    assert client.get(f"{TASKS}/{accepted.json['id']}", headers=tenant.headers("viewer")).json["state"] == "late"
    # Today is not before today: no confirmation needed.
    assert _create(client, city, tenant, due_on="2024-09-30").status_code == 201


# --- change ---------------------------------------------------------------------------------------------------


def test_the_city_changes_a_task_and_each_change_is_audited(client, clock, tenant, other_tenant, city):
    _liaison(other_tenant)
    task_id = _made(client, city, tenant)
    path = f"{TASKS}/{task_id}"
    changed = client.patch(path, json={"title": "9月整改进展（修订）", "due_on": "2024-10-10"},
                           headers=city.headers("city_admin"))  # fmt: skip
    assert changed.status_code == 200, changed.json
    assert (changed.json["title"], changed.json["due_on"]) == ("9月整改进展（修订）", "2024-10-10")
    assert _events(tenant, "oversight.report_task_changed") == [
        (f"user:{city.users['city_admin'].id}",
         {"task_id": task_id, "changes": {"title": ["9月整改进展", "9月整改进展（修订）"],
                                          "due_on": ["2024-10-08", "2024-10-10"]}})
    ]  # fmt: skip
    # Nothing changed: no event.
    same = client.patch(path, json={"title": "9月整改进展（修订）"}, headers=city.headers("city_admin"))
    assert same.status_code == 200
    assert len(_events(tenant, "oversight.report_task_changed")) == 1
    # A tenant added is told and audited; both tenants' chains record the change.
    added = client.patch(path, json={"tenant_ids": [tenant.tenant.id, other_tenant.tenant.id]},
                         headers=city.headers("city_supervisor"))  # fmt: skip
    assert added.status_code == 200, added.json
    assert [t["id"] for t in client.get(TASKS, headers=other_tenant.headers("viewer")).json["items"]] == [task_id]
    assert _told(other_tenant) == ["信息报送：9月整改进展（修订）（2024-10-10 前报送）"]
    assert len(_events(other_tenant, "oversight.report_task_received")) == 1
    assert len(_events(other_tenant, "oversight.report_task_changed")) == 1
    assert len(_events(tenant, "oversight.report_task_changed")) == 2


def test_changing_refuses_tenant_roles_and_bad_input(client, clock, tenant, city):
    task_id = _made(client, city, tenant)
    path = f"{TASKS}/{task_id}"
    for role in TENANT_ROLES:
        assert client.patch(path, json={"title": "x"}, headers=tenant.headers(role)).status_code == 403
    admin = city.headers("city_supervisor")
    for body, field in [({"title": ""}, "title"), ({"kind": "weekly"}, "kind"), ({"due_on": "x"}, "due_on"),
                        ({"tenant_ids": []}, "tenant_ids"), ({"tenant_ids": [2**31 - 1]}, "tenant_ids")]:  # fmt: skip
        resp = client.patch(path, json=body, headers=admin)
        assert resp.status_code == 422, (body, resp.json)
        assert field in resp.json["errors"]["json"]
    # A due date moved before today needs the confirmation, as at creation.
    past = client.patch(path, json={"due_on": EARLIER}, headers=admin)
    assert past.status_code == 422
    assert "确认" in past.json["errors"]["json"]["due_on"][0]
    moved = client.patch(path, json={"due_on": EARLIER, "confirm_past_due": True}, headers=admin)
    assert moved.status_code == 200, moved.json
    assert _events(tenant, "oversight.report_task_changed")[-1][1]["confirmed_past_due"] is True
    # Once past, changing the title needs no confirmation (the due date stays as it was).
    assert client.patch(path, json={"title": "补录", "due_on": EARLIER}, headers=admin).status_code == 200
    assert client.get(path, headers=tenant.headers("viewer")).json["title"] == "补录"


def test_a_tenant_that_has_submitted_stays_and_the_kind_stays(client, clock, tenant, other_tenant, city):
    _liaison(tenant)
    task_id = _made(client, city, tenant, other_tenant)
    path = f"{TASKS}/{task_id}"
    submitted = client.post(f"{path}/submission", json={"text": "进展"}, headers=tenant.headers("officer"))
    assert submitted.status_code == 201
    admin = city.headers("city_supervisor")
    kept = client.patch(path, json={"tenant_ids": [other_tenant.tenant.id]}, headers=admin)
    assert kept.status_code == 409
    assert "已报送" in kept.json["errors"]["json"]["tenant_ids"][0]
    assert client.patch(path, json={"kind": "special"}, headers=admin).status_code == 409
    dropped = client.patch(path, json={"tenant_ids": [tenant.tenant.id]}, headers=admin)  # beta had not submitted
    assert dropped.status_code == 200, dropped.json
    assert client.get(path, headers=other_tenant.headers("viewer")).status_code == 404


# --- close ----------------------------------------------------------------------------------------------------


def test_a_closed_task_takes_no_submission_return_or_change(client, clock, tenant, other_tenant, city):
    _liaison(tenant)
    _liaison(other_tenant)
    task_id = _made(client, city, tenant, other_tenant)
    path = f"{TASKS}/{task_id}"
    submitted = client.post(f"{path}/submission", json={"text": "进展"}, headers=tenant.headers("officer"))
    assert submitted.status_code == 201
    closed = client.post(f"{path}/close", headers=city.headers("city_supervisor"))
    assert closed.status_code == 200, closed.json
    assert (closed.json["status"], closed.json["closed_by"]) == ("closed", f"user:{city.users['city_supervisor'].id}")
    assert closed.json["closed_at"]
    for world in (tenant, other_tenant):
        assert _events(world, "oversight.report_task_closed") == [
            (f"user:{city.users['city_supervisor'].id}", {"task_id": task_id, "title": "9月整改进展"})
        ]
    assert client.post(f"{path}/close", headers=city.headers("city_admin")).status_code == 409
    late = client.post(f"{path}/submission", json={"text": "补报"}, headers=other_tenant.headers("officer"))
    assert late.status_code == 409
    assert "已关闭" in late.json["message"]
    assert client.patch(path, json={"title": "x"}, headers=city.headers("city_admin")).status_code == 409
    # What was submitted stays readable; the task is listed as closed with each tenant's state.
    listed = client.get(TASKS, headers=tenant.headers("viewer")).json["items"]
    assert [(t["status"], t["state"]) for t in listed] == [("closed", "submitted")]
    assert client.get(f"{path}/submission", headers=tenant.headers("viewer")).status_code == 200


def test_closing_refuses_tenant_roles_and_unknown_tasks(client, clock, tenant, city):
    task_id = _made(client, city, tenant)
    for role in TENANT_ROLES:
        assert client.post(f"{TASKS}/{task_id}/close", headers=tenant.headers(role)).status_code == 403
    assert client.post(f"{TASKS}/{2**31 - 1}/close", headers=city.headers("city_admin")).status_code == 404
    assert client.get(f"{TASKS}/{task_id}", headers=tenant.headers("viewer")).json["status"] == "open"


def test_unauthenticated_calls_get_401(client, clock, tenant, city):
    task_id = _made(client, city, tenant)
    for method, path in [("GET", TASKS), ("POST", TASKS), ("GET", f"{TASKS}/{task_id}"),
                         ("PATCH", f"{TASKS}/{task_id}"), ("POST", f"{TASKS}/{task_id}/close")]:  # fmt: skip
        resp = client.open(path, method=method, json={})
        assert resp.status_code == 401, (method, path)
        assert resp.is_json
