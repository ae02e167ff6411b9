"""``xingfeng sweep``: the clock's work, run by cron, exactly once however often it runs.

For each tenant, in that tenant's scope: record each problem's light change as an audit event (and notify on
yellow and red), raise escalations for problems red too long, mark red months and flag units for an interview,
remind liaisons of reporting tasks, then call the plugins' ``xingfeng_sweep``. Each tenant commits on its own.
Everything it records is keyed (the light last recorded, the escalation key, the (unit, month) of a flag, the
notification key), so a second run on the same day records nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.audit import chain
from core.ledger.models import OPEN_STATUSES, Problem
from core.ledger.service import work_calendar, yellow_days
from core.oversight import notify
from core.oversight.models import (
    OPEN_ORDER_STATUSES,
    InterviewFlag,
    ProblemLight,
    ReportingTask,
    ReportSubmission,
    SupervisionOrder,
    SweepRun,
    UnitRedPeriod,
)
from core.oversight.service import _new_order, setting
from core.platform.calendar import light, today_in_shanghai
from core.platform.db import db, tenant_scope, utcnow
from core.tenancy.models import Tenant, Unit
from core.tenancy.service import domain_states, units_of_tenant

log = logging.getLogger(__name__)
ACTOR = "system:sweep"
ESCALATION = "system:escalation"


def _period(day: date, back: int = 0) -> str:
    month = day.year * 12 + day.month - 1 - back
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def _insert_once(obj) -> bool:
    try:
        with db.session.begin_nested():
            db.session.add(obj)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def _lights(tenant: Tenant, today: date, counts: Counter) -> list[Problem]:
    """Record every light change of the tenant's open problems; returns the red ones."""
    cal, yellow = work_calendar(), yellow_days(tenant)
    problems = db.session.scalars(select(Problem).where(Problem.status.in_(OPEN_STATUSES)).order_by(Problem.id)).all()
    stored = {row.problem_id: row for row in db.session.scalars(select(ProblemLight))}
    red = []
    for problem in problems:
        now_light = light(problem.deadline, today, yellow, cal, True)
        if now_light == "red":
            red.append(problem)
        row = stored.pop(problem.id, None)
        before = row.light if row else ("green" if now_light == "green" else None)
        if row is not None and row.light == now_light and row.deadline == problem.deadline:
            continue
        if row is None:
            row = ProblemLight(problem_id=problem.id, light=now_light, deadline=problem.deadline, changed_at=utcnow())
            db.session.add(row)
        else:
            row.light, row.deadline, row.changed_at = now_light, problem.deadline, utcnow()
        db.session.flush()
        if before == now_light:
            continue  # first sight of a green problem, or an extension that kept its colour: nothing to tell
        chain.append("oversight.light_changed", ACTOR, {"from": before, "to": now_light, "deadline": problem.deadline,
                                              "on": today}, problem_id=problem.id)  # fmt: skip
        counts["lights"] += 1
        if now_light in ("yellow", "red"):
            name = "黄灯（临近整改时限）" if now_light == "yellow" else "红灯（已超过整改时限）"
            counts["notifications"] += notify.notify_unit(
                problem.unit_id, f"light:{problem.id}:{now_light}:{problem.deadline}", f"light_{now_light}",
                f"{problem.number} {problem.title}：{name}", f"/problems/{problem.id}",
            )  # fmt: skip
    # Problems no longer open: their last light is forgotten (closing is its own event).
    for row in stored.values():
        db.session.delete(row)
    db.session.flush()
    return red


def _escalations(tenant: Tenant, today: date, red: list[Problem], units: list[Unit], counts: Counter) -> None:
    """A problem red for more than the tenant's threshold (working days) gets an order from the next level, once."""
    cal = work_calendar()
    threshold = setting(tenant, "escalation_days")
    by_id = {u.id: u for u in units}
    for problem in red:
        if cal.working_days_between(problem.deadline, today) <= threshold:
            continue
        key = f"escalation:problem:{problem.id}"
        if db.session.scalar(select(SupervisionOrder.id).where(SupervisionOrder.escalation_key == key)):
            continue
        unit = by_id.get(problem.unit_id)
        # The county bureau supervises its units; the city supervises the bureau's own problems and its assignments.
        level = "city" if problem.city_assigned or unit is None or unit.parent_id is None else "county"
        days = cal.working_days_between(problem.deadline, today)
        deadline = cal.add_working_days(today, setting(tenant, "escalation_order_days")).due
        demand = (f"问题 {problem.number}「{problem.title}」已超过整改时限 {days} 个工作日，"
                  f"请立即整改并书面说明原因和措施。")  # fmt: skip
        try:
            with db.session.begin_nested():
                _new_order(tenant, problem.unit_id, problem.id, level, demand, deadline, ESCALATION, key)
        except IntegrityError:
            continue  # another sweep raised it first
        counts["escalations"] += 1
        if level == "city":
            counts["notifications"] += notify.notify_city(
                None, f"escalation:{tenant.id}:{problem.id}", "escalation",
                f"{tenant.name} 问题 {problem.number} 超期 {days} 个工作日，已自动升级为市局督办",
                f"/tenants/{tenant.slug}/problems/{problem.id}",
            )  # fmt: skip


def _red_periods(tenant: Tenant, today: date, red: list[Problem], counts: Counter) -> None:
    """Mark this month red for units with red problems; a unit red in N consecutive months is flagged once."""
    period = _period(today)
    red_by_unit = Counter(p.unit_id for p in red)
    for unit_id, n in red_by_unit.items():
        row = db.session.scalar(
            select(UnitRedPeriod).where(UnitRedPeriod.unit_id == unit_id, UnitRedPeriod.period == period)
        )
        if row is None:
            _insert_once(UnitRedPeriod(unit_id=unit_id, period=period, red_problems=n, seen_at=utcnow()))
        elif n > row.red_problems:
            row.red_problems = n
    db.session.flush()
    periods_needed = setting(tenant, "interview_periods")
    for unit_id in red_by_unit:
        wanted = [_period(today, back) for back in range(periods_needed)]
        marked = set(db.session.scalars(
            select(UnitRedPeriod.period).where(UnitRedPeriod.unit_id == unit_id, UnitRedPeriod.period.in_(wanted))
        ))  # fmt: skip
        if marked != set(wanted):
            continue
        # Once per run of red months: a flag within the run already covers this one.
        if db.session.scalar(
            select(InterviewFlag.id).where(InterviewFlag.unit_id == unit_id, InterviewFlag.period.in_(wanted))
        ):
            continue
        flag = InterviewFlag(unit_id=unit_id, period=period, periods=sorted(wanted), created_at=utcnow())
        if not _insert_once(flag):
            continue
        chain.append("oversight.interview_flagged", ESCALATION, {"flag_id": flag.id, "unit_id": unit_id,
                                                       "periods": sorted(wanted)})  # fmt: skip
        counts["flags"] += 1
        unit = db.session.scalar(select(Unit).where(Unit.id == unit_id))
        title = f"{unit.name if unit else unit_id} 连续 {periods_needed} 个月有红灯问题，建议约谈"
        counts["notifications"] += notify.notify_users(
            notify.role_user_ids(("tenant_admin", "reviewer")), f"interview:{flag.id}", "interview", title,
            "/oversight/accountability",
        )  # fmt: skip
        counts["notifications"] += notify.notify_city(
            None, f"interview:{tenant.id}:{flag.id}", "interview", f"{tenant.name}：{title}",
            f"/tenants/{tenant.slug}/oversight/accountability",
        )  # fmt: skip


def _order_lights(tenant: Tenant, today: date, counts: Counter) -> None:
    """Tell the receiving unit once when an order passes its deadline unanswered."""
    overdue = db.session.scalars(
        select(SupervisionOrder).where(
            SupervisionOrder.status.in_(OPEN_ORDER_STATUSES), SupervisionOrder.deadline < today
        )
    ).all()
    for order in overdue:
        counts["notifications"] += notify.notify_unit(
            order.unit_id, f"order_red:{order.id}", "order_red", f"督办单 {order.number} 已超过回复时限",
            f"/oversight/orders/{order.id}",
        )  # fmt: skip


def _report_reminders(tenant: Tenant, today: date, counts: Counter) -> None:
    """Remind the liaisons of tasks due soon and tell them once when one is overdue, until they submit."""
    cal = work_calendar()
    days = setting(tenant, "report_reminder_days")
    tasks = [
        t
        for t in db.session.scalars(select(ReportingTask).where(ReportingTask.closed_at.is_(None)))
        if tenant.id in (t.tenant_ids or [])
    ]  # a closed task takes no submissions: nobody is reminded of it
    if not tasks:
        return
    done = {
        r.task_id for r in db.session.scalars(select(ReportSubmission).where(ReportSubmission.status == "submitted"))
    }
    liaisons = notify.role_user_ids((), liaison=True)
    for task in tasks:
        if task.id in done:
            continue
        if today > task.due_on:
            key, title = f"report_overdue:{task.id}", f"信息报送已逾期：{task.title}（时限 {task.due_on}）"
        elif cal.working_days_until(today, task.due_on) <= days:
            key, title = f"report_reminder:{task.id}:{task.due_on}", f"信息报送即将到期：{task.title}（{task.due_on}）"
        else:
            continue
        counts["notifications"] += notify.notify_users(liaisons, key, "report_reminder", title, f"/reporting/{task.id}")


def sweep_tenant(tenant: Tenant, today: date) -> Counter:
    """All of one tenant's sweep, in its scope; the caller commits."""
    counts: Counter = Counter()
    with tenant_scope(tenant.id):
        # Two sweeps at once take turns per tenant (PostgreSQL): the second then sees what the first recorded.
        db.session.scalars(select(Tenant).where(Tenant.id == tenant.id).with_for_update()).all()
        units = units_of_tenant()
        red = _lights(tenant, today, counts)
        _escalations(tenant, today, red, units, counts)
        _red_periods(tenant, today, red, counts)
        _order_lights(tenant, today, counts)
        _report_reminders(tenant, today, counts)
        enabled: set[str] = set()
        for unit in units:
            enabled |= {slug for slug, state in domain_states(unit, units).items() if state.enabled}
        registry = current_app.extensions["xingfeng"]
        results = registry.hook_for("xingfeng_sweep", enabled)(tenant=tenant, today=today)
        counts["plugins"] += sum(r for r in results if isinstance(r, int))
    return counts


def run_sweep(today: date | None = None) -> SweepRun:
    """Sweep every active tenant, committing each; then mail what is pending; record the run."""
    today = today or today_in_shanghai()
    run = SweepRun(today=today, started_at=utcnow(), counts={})
    db.session.add(run)
    db.session.commit()
    run_id = run.id
    total: Counter = Counter()
    tenant_ids = list(db.session.scalars(select(Tenant.id).where(Tenant.status == "active").order_by(Tenant.id)))
    for tenant_id in tenant_ids:
        tenant = db.session.get(Tenant, tenant_id)
        try:
            total.update(sweep_tenant(tenant, today))
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("sweep of tenant %s failed", tenant_id)
            total["failed"] += 1
    for tenant_id in tenant_ids:
        with tenant_scope(tenant_id):
            total["mailed"] += notify.mail_pending_tenant()
            db.session.commit()
    total["mailed"] += notify.mail_pending_city()
    db.session.commit()
    run = db.session.get(SweepRun, run_id)
    run.finished_at, run.counts = utcnow(), dict(total)
    db.session.commit()
    log.info("sweep for %s: %s", today, dict(total))
    return run


def last_sweep() -> SweepRun | None:
    """The last finished sweep run, for pages that say "as of the last sweep"."""
    return db.session.scalar(
        select(SweepRun).where(SweepRun.finished_at.is_not(None)).order_by(SweepRun.finished_at.desc()).limit(1)
    )
