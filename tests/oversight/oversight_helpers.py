"""Helpers for the oversight tests: web log-in with CSRF, service callers, problems at a given deadline."""

from __future__ import annotations

import re

from fixtures.data import PASSWORD
from fixtures.ledger import act, post_problem, problem_body

from core.auth.models import User
from core.ledger.service import Caller
from core.platform.db import db, set_tenant
from core.tenancy.models import Tenant
from core.tenancy.service import units_of_tenant

TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf(client, path="/login") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def web_login(client, username):
    """Log a test client in on the web pages (a fresh session)."""
    client.post("/logout", data={"csrf_token": csrf(client)})
    resp = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf(client)})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return client


def post_form(client, path, data, **kwargs):
    """POST a page form with the session's CSRF token."""
    return client.post(path, data={**data, "csrf_token": csrf(client, "/notifications")}, **kwargs)


def caller(world, role) -> Caller:
    """A service caller for a role of the world, with the session scoped to its tenant."""
    tenant = db.session.get(Tenant, world.tenant.id)
    set_tenant(tenant.id)
    user = db.session.get(User, world.users[role].id) if role in world.users else None
    return Caller(user, tenant, units_of_tenant())


def city_caller(city, world, role="city_supervisor") -> Caller:
    tenant = db.session.get(Tenant, world.tenant.id)
    set_tenant(tenant.id)
    return Caller(db.session.get(User, city.users[role].id), tenant, units_of_tenant())


def assigned_problem(client, world, deadline: str, unit=None, title="窗口人员服务态度生硬") -> dict:
    """A problem of the world assigned (交办) to the station (or ``unit``) with the given deadline."""
    body = problem_body(world, deadline=deadline, title=title)
    if unit is not None:
        body["unit_id"] = unit.id
    role = "tenant_admin"
    created = post_problem(client, world, role=role, body=body)
    resp = act(client, world, "tenant_admin", created.json["id"], "assign", created.headers["ETag"])
    assert resp.status_code == 200, resp.json
    return resp.json


def populate_oversight(world, problem_id: int) -> None:
    """A row in every tenant-owned oversight table of the world (for the row-level security meta-test)."""
    from datetime import date, timedelta

    from core.ledger.models import Problem
    from core.oversight import service
    from core.oversight.models import InterviewFlag, ProblemLight, ReportingTask, UnitRedPeriod

    later = date.today() + timedelta(days=30)
    admin = caller(world, "tenant_admin")
    service.issue_order(admin, {"unit_id": world.station.id, "demand": "说明", "deadline": later})  # + a notification
    service.record_measure(
        admin, {"kind": "criticism", "unit_id": world.station.id, "measure": "通报批评", "decided_on": date.today()}
    )
    service.create_self_check(
        admin,
        db.session.get(Problem, problem_id),
        {"description": "自查", "due_on": later, "unit_ids": [world.station.id]},
    )
    db.session.add_all(
        [
            InterviewFlag(unit_id=world.station.id, period="2024-12", periods=["2024-10", "2024-11", "2024-12"]),
            UnitRedPeriod(unit_id=world.station.id, period="2024-12", red_problems=1),
            ProblemLight(problem_id=problem_id, light="red", deadline=date.today()),
        ]
    )
    task = ReportingTask(kind="monthly", title="月报", due_on=later, tenant_ids=[world.tenant.id], created_by="test")
    db.session.add(task)
    officer = db.session.get(User, world.users["officer"].id)
    officer.is_liaison = True
    db.session.flush()
    service.submit_report(Caller(officer, admin.tenant, admin.units), task, "本月进展", [])
    db.session.commit()


def objects_of(world) -> dict[str, int]:
    """A supervision order and a reporting task of the world (made once), for the cross-tenant meta-test."""
    from datetime import date, timedelta

    from core.oversight import service
    from core.oversight.models import ReportingTask

    if "order" not in world.objects:
        later = date.today() + timedelta(days=30)
        order = service.issue_order(
            caller(world, "tenant_admin"), {"unit_id": world.station.id, "demand": "乙局的督办", "deadline": later}
        )
        task = ReportingTask(kind="monthly", title="乙局的报送", due_on=later, tenant_ids=[world.tenant.id],
                             created_by="test")  # fmt: skip
        db.session.add(task)
        db.session.flush()
        world.objects.update(order=order.id, task=task.id)
        db.session.commit()
    return world.objects


def self_check_of(world) -> int:
    """A 举一反三 of the world from its problem to its station (made once), for the cross-tenant meta-test."""
    from datetime import date, timedelta

    from core.ledger.models import Problem
    from core.oversight import service

    if "self_check" not in world.objects:
        check = service.create_self_check(
            caller(world, "tenant_admin"),
            db.session.get(Problem, world.objects["problem"]),
            {"description": "乙局的自查", "due_on": date.today() + timedelta(days=30), "unit_ids": [world.station.id]},
        )
        world.objects["self_check"] = check.id
        db.session.commit()
    return world.objects["self_check"]
