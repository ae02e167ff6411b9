"""Helpers of the figures tests: a ledger driven through its services, on a clock the test moves."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from fixtures.data import PASSWORD
from fixtures.ledger import PNG

from core.auth.models import User
from core.ledger import service
from core.platform.calendar import SHANGHAI
from core.platform.db import db, tenant_scope
from core.platform.errors import Conflict
from core.tenancy.service import units_of_tenant


class Driver:
    """Records and moves problems of one tenant as its users would (officer records, admin assigns, …)."""

    def __init__(self, world, traveller):
        self.world = world
        self.traveller = traveller
        self.tenant_id = world.tenant.id

    def caller(self, role: str) -> service.Caller:
        from core.tenancy.models import Tenant

        user = db.session.get(User, self.world.users[role].id)
        return service.Caller(user, db.session.get(Tenant, self.tenant_id), units_of_tenant())

    def travel(self, days: int) -> None:
        self.traveller.shift(timedelta(days=days))

    def today(self) -> date:
        return service.today_in_shanghai()

    def create(self, deadline_in: int | None = 20, unit=None, **data) -> int:
        with tenant_scope(self.tenant_id):
            body = {
                "domain": "general",
                "category": "attitude",
                "title": "窗口服务态度生硬",
                "description": "群众反映窗口工作人员推诿。",
                "unit_id": (unit or self.world.station).id,
                "rectification_type": "deadline" if deadline_in is not None else "long_term",
                "deadline": self.today() + timedelta(days=deadline_in) if deadline_in is not None else None,
            }
            body.update(data)
            return service.create_problem(self.caller("officer"), body).id

    def problem(self, pid: int):
        return service.get_problem(self.caller("tenant_admin"), pid)

    def move(self, pid: int, action: str, role: str, **payload):
        with tenant_scope(self.tenant_id):
            caller = self.caller(role)
            problem = service.get_problem(caller, pid)
            return service.transition(caller, problem, action, payload, service.etag(problem))

    def assign(self, pid):
        return self.move(pid, "assign", "tenant_admin")

    def submit(self, pid):
        with tenant_scope(self.tenant_id):
            caller = self.caller("officer")
            problem = service.get_problem(caller, pid)
            if problem.signed_at is None:
                service.transition(caller, problem, "sign", {}, service.etag(problem))
            service.add_note(caller, problem, "已整改")
            service.add_attachment(caller, problem, io.BytesIO(PNG), "照片.png")
            return service.transition(caller, problem, "submit", {}, service.etag(problem))

    def close(self, pid):
        return self.move(pid, "close", "reviewer", opinion="验收合格")

    def give_back(self, pid):
        return self.move(pid, "return", "reviewer", reason="材料不全")

    def dismiss(self, pid):
        return self.move(pid, "dismiss", "tenant_admin", reason="查无实据")

    def ongoing(self, pid):
        return self.move(pid, "ongoing", "tenant_admin", next_review_on=self.today() + timedelta(days=30))

    def extend(self, pid, days: int, decide_after: int = 0, approve: bool = True):
        with tenant_scope(self.tenant_id):
            caller = self.caller("officer")
            problem = service.get_problem(caller, pid)
            if problem.deadline is None:
                raise Conflict("该问题没有整改时限")
            ext = service.request_extension(caller, problem, problem.deadline + timedelta(days=days), "需要时间")
        if decide_after:
            self.travel(decide_after)
        with tenant_scope(self.tenant_id):
            reviewer = self.caller("reviewer")
            problem = service.get_problem(reviewer, pid)
            return service.decide_extension(reviewer, problem, ext.id, approve, "同意" if approve else "不同意")


@pytest.fixture
def traveller():
    """Monday 6 May 2024, 09:00 in Shanghai; tests move it forward."""
    with time_machine.travel(datetime(2024, 5, 6, 9, 0, tzinfo=SHANGHAI), tick=False) as t:
        yield t


@pytest.fixture
def driver(db, tenant, traveller):
    return Driver(tenant, traveller)


def log_in(app, username):
    """A browser-like client logged in as ``username`` (pages use the session cookie)."""
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    resp = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return client


@pytest.fixture
def may(driver, tenant):
    """Seven problems of May 2024, moved so that every figure has something to count (see each line).

    Monday 6 May: A..G recorded. A closed the same day after one return (on time, 0 working days).
    C extended on 6 May, before its deadline of 10 May, to 31 May. D asks on 6 May to extend its deadline of 8 May;
    the approval comes on 13 May, after 8 May, so D is still judged by 8 May. E dismissed; G long-term.
    Monday 13 May: B (due 9 May) closed late, C closed on time (31 May), D closed late (8 May). F (due 10 May) open.
    Working days 6 May -> 13 May: 7, 8, 9, 10, 11 (an adjusted working Saturday), 13 = 6.
    """
    d = driver
    ids = {
        "A": d.create(10),
        "B": d.create(3),
        "C": d.create(4),
        "D": d.create(2),
        "E": d.create(14),
        "F": d.create(4, unit=tenant.substation),
        "G": d.create(None),
    }
    for key in "ABCDFG":
        d.assign(ids[key])
    d.dismiss(ids["E"])
    d.ongoing(ids["G"])
    d.extend(ids["C"], 21)
    d.submit(ids["A"])
    d.give_back(ids["A"])
    d.submit(ids["A"])
    d.close(ids["A"])
    d.extend(ids["D"], 23, decide_after=7)
    assert d.today().isoformat() == "2024-05-13"
    for key in "BCD":
        d.submit(ids[key])
        d.close(ids[key])
    return ids


@pytest.fixture
def web(app, db):
    """``web(username)``: a client logged in as that user."""
    return lambda username: log_in(app, username)
