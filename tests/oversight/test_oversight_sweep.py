"""``xingfeng sweep``: light changes as events, escalation in working days, interview flags — each exactly once."""

from __future__ import annotations

from datetime import date

from oversight_helpers import assigned_problem
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.ledger.service import work_calendar
from core.oversight.models import InterviewFlag, Notification, SupervisionOrder, SweepRun
from core.oversight.service import DEFAULT_SETTINGS
from core.oversight.sweep import last_sweep, run_sweep
from core.platform.db import db, tenant_scope
from core.tenancy.models import Tenant


def _events(world, kind):
    with tenant_scope(world.tenant.id):
        return db.session.scalars(select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.seq)).all()


def _orders(world):
    with tenant_scope(world.tenant.id):
        return db.session.scalars(select(SupervisionOrder).order_by(SupervisionOrder.id)).all()


def _notifications(world, user_role, kind=None):
    with tenant_scope(world.tenant.id):
        query = select(Notification).where(Notification.user_id == world.users[user_role].id)
        if kind:
            query = query.where(Notification.kind == kind)
        return db.session.scalars(query).all()


def test_light_changes_are_recorded_once_however_often_the_sweep_runs(client, clock, tenant):
    problem = assigned_problem(client, tenant, "2024-10-08")
    # 30 September: 8 October is the first working day after the National Day holiday (1-7 October): yellow.
    run_sweep(date(2024, 9, 30))
    run_sweep(date(2024, 9, 30))
    changes = _events(tenant, "oversight.light_changed")
    assert [(e.problem_id, e.actor) for e in changes] == [(problem["id"], "system:sweep")]
    assert '"to":"yellow"' in changes[0].body
    run_sweep(date(2024, 10, 9))
    run_sweep(date(2024, 10, 9))
    changes = _events(tenant, "oversight.light_changed")
    assert len(changes) == 2
    assert '"from":"yellow"' in changes[1].body
    assert '"to":"red"' in changes[1].body
    lights = _notifications(tenant, "officer")
    assert sorted(n.kind for n in lights if n.kind.startswith("light_")) == ["light_red", "light_yellow"]


def test_escalation_counts_working_days_across_the_holiday(client, clock, tenant):
    problem = assigned_problem(client, tenant, "2024-09-30")
    assert DEFAULT_SETTINGS["escalation_days"] == 5
    cal = work_calendar()
    # Twelve calendar days but only five working days (8-11 October and the adjusted Saturday 12 October).
    assert cal.working_days_between(date(2024, 9, 30), date(2024, 10, 12)) == 5
    run_sweep(date(2024, 10, 12))
    assert _orders(tenant) == []
    run_sweep(date(2024, 10, 14))
    run_sweep(date(2024, 10, 14))
    run_sweep(date(2024, 10, 15))
    orders = _orders(tenant)
    assert len(orders) == 1
    order = orders[0]
    assert (order.problem_id, order.unit_id, order.issued_by) == (problem["id"], tenant.station.id, "system:escalation")
    assert order.level == "county"  # the station's problem: the county bureau supervises it
    assert order.escalation_key == f"escalation:problem:{problem['id']}"
    # The answer is due three working days after the sweep that raised it.
    assert order.deadline == date(2024, 10, 17)
    assert [n.kind for n in _notifications(tenant, "officer", "escalation")] == ["escalation"]
    assert len(_events(tenant, "oversight.order_issued")) == 1


def test_escalation_threshold_is_a_tenant_setting(client, clock, tenant):
    assigned_problem(client, tenant, "2024-09-30")
    db.session.get(Tenant, tenant.tenant.id).settings = {"escalation_days": 2}
    db.session.commit()
    run_sweep(date(2024, 10, 9))  # two working days late: not more than two
    assert _orders(tenant) == []
    run_sweep(date(2024, 10, 10))
    assert len(_orders(tenant)) == 1


def test_a_unit_red_three_months_running_is_flagged_once(client, clock, tenant):
    assigned_problem(client, tenant, "2024-09-30")
    run_sweep(date(2024, 10, 9))
    run_sweep(date(2024, 11, 5))
    with tenant_scope(tenant.tenant.id):
        assert db.session.scalars(select(InterviewFlag)).all() == []
    run_sweep(date(2024, 12, 2))
    run_sweep(date(2024, 12, 3))
    with tenant_scope(tenant.tenant.id):
        flags = db.session.scalars(select(InterviewFlag)).all()
    assert [(f.unit_id, f.period, f.periods) for f in flags] == [
        (tenant.station.id, "2024-12", ["2024-10", "2024-11", "2024-12"])
    ]
    assert [n.kind for n in _notifications(tenant, "tenant_admin", "interview")] == ["interview"]


def test_each_run_is_recorded_for_the_pages(client, clock, tenant, runner):
    assert last_sweep() is None
    result = runner.invoke(args=["sweep", "--date", "2024-10-09"])
    assert result.exit_code == 0, result.output
    assert "sweep" in result.output
    run = last_sweep()
    assert run.today == date(2024, 10, 9)
    assert run.finished_at >= run.started_at
    assert db.session.scalar(select(SweepRun.id).where(SweepRun.id == run.id)) == run.id


def test_other_tenants_are_swept_in_their_own_scope(client, clock, tenant, other_tenant):
    assigned_problem(client, tenant, "2024-09-30")
    assigned_problem(client, other_tenant, "2024-09-30")
    run_sweep(date(2024, 10, 14))
    assert len(_orders(tenant)) == 1
    assert len(_orders(other_tenant)) == 1
    assert _orders(tenant)[0].tenant_id == tenant.tenant.id


def test_the_bureaus_own_problem_escalates_to_the_city(client, clock, tenant, city):
    from fixtures.ledger import act, post_problem, problem_body

    from core.oversight.models import CityNotification

    created = post_problem(client, tenant, role="tenant_admin", body=problem_body(tenant, unit_id=tenant.root.id,
                                                                                   deadline="2024-09-30"))  # fmt: skip
    # No unit is above the county bureau: the city assigns (and later supervises) its own problems.
    headers = city.headers("city_supervisor")
    etag = client.get(f"/api/v1/tenants/alpha/problems/{created.json['id']}", headers=headers).headers["ETag"]
    resp = act(client, city, "city_supervisor", created.json["id"], "assign", etag, prefix="/tenants/alpha")
    assert resp.status_code == 200, resp.json
    run_sweep(date(2024, 10, 14))
    (order,) = _orders(tenant)
    assert (order.level, order.unit_id, order.issued_by) == ("city", tenant.root.id, "system:escalation")
    with tenant_scope(None):
        told = db.session.scalars(select(CityNotification.kind)).all()
    assert told == ["escalation"]


def test_liaisons_are_reminded_of_open_tasks_only(client, clock, tenant):
    """A closed reporting task takes no submission, so the sweep reminds nobody of it (issue 13, item 2)."""
    from core.auth.models import User
    from core.oversight.models import ReportingTask
    from core.platform.db import utcnow

    db.session.get(User, tenant.users["officer"].id).is_liaison = True
    open_task = ReportingTask(kind="monthly", title="开着的", due_on=date(2024, 9, 20), tenant_ids=[tenant.tenant.id],
                              created_by="test")  # fmt: skip
    closed = ReportingTask(kind="monthly", title="关了的", due_on=date(2024, 9, 20), tenant_ids=[tenant.tenant.id],
                           created_by="test", closed_at=utcnow(), closed_by="test")  # fmt: skip
    db.session.add_all([open_task, closed])
    db.session.commit()
    run_sweep(date(2024, 9, 30))
    titles = [n.title for n in _notifications(tenant, "officer", "report_reminder")]
    assert titles == ["信息报送已逾期：开着的（时限 2024-09-20）"]
