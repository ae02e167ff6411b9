"""Figures for a period: read from the rollups (never a scan of ``problem``), with rates and drill-down lists.

Definitions (docs/api.md has them for users). For the problems *found* in the period (recorded, Asia/Shanghai):
found; closed (销号 by now); dismissed; merged; ongoing; returned at verification at least once; repeats of a closed
problem; completion rate = closed / (found - dismissed - merged); average and median working days from 交办 to
销号 of the closed ones. For the problems *due* in the period by their on-time deadline (the first deadline,
replaced by an extension only when approved before it): on-time rate = closed by that deadline / (closed + still
open past it). Overdue now: open problems past their on-time deadline today, whatever the period. A rate with a zero
denominator is None, shown "—" and ranked last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, literal, select

from core.figures import providers
from core.figures.models import (
    COUNTS,
    FigureCloseDays,
    FigureOpenDue,
    FigureRollup,
    FigureTenantCloseDays,
    FigureTenantMonth,
    FigureTenantOpenDue,
)
from core.figures.periods import Period, first_day, month_of
from core.figures.rollup import on_time_deadline
from core.ledger.models import OPEN_STATUSES, Problem
from core.platform.calendar import local_date
from core.platform.db import current_tenant_id, db


@dataclass(frozen=True)
class Figure:
    """One figure: its name, label, kind (count, rate, days) and whether more is better (for rankings)."""

    name: str
    label: str
    kind: str = "count"
    higher_is_better: bool | None = None
    #: a ledger figure with a problem list behind it
    drill: bool = True


LEDGER_FIGURES = (
    Figure("found", "发现问题"),
    Figure("closed", "已销号"),
    Figure("completion_rate", "整改完成率", "rate", True, drill=False),
    Figure("on_time_rate", "按期完成率", "rate", True, drill=False),
    Figure("due", "期内到期"),
    Figure("due_on_time", "按期完成"),
    Figure("overdue_now", "当前超期", higher_is_better=False),
    Figure("avg_close_days", "平均办结工作日", "days", False, drill=False),
    Figure("median_close_days", "办结工作日中位数", "days", False, drill=False),
    Figure("ongoing", "持续整改"),
    Figure("dismissed", "不予立项"),
    Figure("merged", "并案"),
    Figure("returned", "验收退回"),
    Figure("repeats", "反弹复发"),
)
FIGURES = {f.name: f for f in LEDGER_FIGURES}
DRILLABLE = tuple(f.name for f in LEDGER_FIGURES if f.drill)


def all_figures() -> dict[str, Figure]:
    """The ledger's figures and those of the providers registered so far."""
    out = dict(FIGURES)
    for provider in providers.registered().values():
        out[provider.name] = Figure(provider.name, provider.label, provider.kind, provider.higher_is_better, False)
    return out


def rate(num: int, den: int) -> float | None:
    return None if not den else num / den


def show(value: Any, kind: str) -> str:
    """A figure as shown: "—" for no value (a zero denominator), a rate in per cent."""
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "days" or isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


class Sums:
    """The summed rollup columns of one group, and the figures computed from them."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = dict.fromkeys(COUNTS, 0)
        self.days: dict[int, int] = defaultdict(int)
        self.overdue_in_period = 0
        self.overdue_now = 0
        self.extra: dict[str, Any] = {}

    def figures(self) -> dict[str, Any]:
        c = self.counts
        due = c["due_on_time"] + c["due_late"] + self.overdue_in_period
        out = {k: c[k] for k in ("found", "closed", "ongoing", "dismissed", "merged", "returned", "repeats")}
        out.update(
            completion_rate=rate(c["closed"], c["found"] - c["dismissed"] - c["merged"]),
            on_time_rate=rate(c["due_on_time"], due),
            due=due,
            due_on_time=c["due_on_time"],
            overdue_now=self.overdue_now,
            avg_close_days=rate(c["close_days"], c["closed"]),
            median_close_days=median(self.days),
        )
        for name, value in self.extra.items():
            out[name] = rate(*value) if isinstance(value, tuple) else value
        return out


def median(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}."""
    total = sum(histogram.values())
    if not total:
        return None
    ordered = sorted((v, n) for v, n in histogram.items() if n)
    lower, upper = (total - 1) // 2, total // 2
    seen, low = 0, None
    for value, n in ordered:
        if low is None and seen + n > lower:
            low = value
        if seen + n > upper:
            return (low + value) / 2
        seen += n
    return None


def _month_window(period: Period, today: date) -> tuple[int, date]:
    return month_of(today), first_day(month_of(today))


# --- all tenants side by side (the tenant grain) ------------------------------------------------------------


def by_tenant(period: Period, today: date, tenant_ids: Iterable[int] | None = None) -> dict[int, Sums]:
    """Every tenant's (or the given tenants') sums for the period, from the per-tenant rollups."""
    current, current_first = _month_window(period, today)
    wanted = set(tenant_ids) if tenant_ids is not None else None
    # A long IN list costs more than reading every tenant's rows: many tenants are read whole, then kept or not.
    ids = list(wanted) if wanted is not None and len(wanted) <= 50 else None
    out: dict[int, Sums] = defaultdict(Sums)
    tm = FigureTenantMonth.__table__
    # The period's months, by the (month, tenant_id) key; then the open problems due before this month, read only
    # from the rows that have any (a few months per tenant, however long the campaign has run).
    stmt = (
        select(tm.c.tenant_id, *[func.sum(tm.c[c]) for c in COUNTS])
        .where(tm.c.month.between(period.first, period.last))
        .group_by(tm.c.tenant_id)
    )
    if ids is not None:
        stmt = stmt.where(tm.c.tenant_id.in_(ids))
    for row in db.session.execute(stmt):
        out[row[0]].counts = {c: int(v or 0) for c, v in zip(COUNTS, row[1:], strict=True)}
    last_before = min(period.last, current - 1)
    stmt = (
        select(
            tm.c.tenant_id,
            func.sum(tm.c.due_open),
            func.sum(tm.c.due_open).filter(tm.c.month.between(period.first, last_before)),
        )
        .where(tm.c.month < current, tm.c.due_open != 0)
        .group_by(tm.c.tenant_id)
    )
    if ids is not None:
        stmt = stmt.where(tm.c.tenant_id.in_(ids))
    for tenant_id, before, in_period in db.session.execute(stmt):
        sums = out[tenant_id]
        sums.overdue_now = int(before or 0)
        sums.overdue_in_period = int(in_period or 0)
    cd = FigureTenantCloseDays.__table__
    stmt = (
        select(cd.c.tenant_id, cd.c.days, func.sum(cd.c.count))
        .where(cd.c.month.between(period.first, period.last))
        .group_by(cd.c.tenant_id, cd.c.days)
    )
    if ids is not None:
        stmt = stmt.where(cd.c.tenant_id.in_(ids))
    for tenant_id, days, n in db.session.execute(stmt):
        out[tenant_id].days[days] += int(n)
    od = FigureTenantOpenDue.__table__
    # Open problems due this month before today; whether they fall in the period matters only if it is this month.
    in_range = period.contains(today)
    split = (od.c.due_on >= period.starts_on) if in_range else literal(False)
    stmt = (
        select(od.c.tenant_id, split, func.sum(od.c.count))
        .where(od.c.due_on >= current_first, od.c.due_on < today)
        .group_by(od.c.tenant_id, *([split] if in_range else []))
    )
    if ids is not None:
        stmt = stmt.where(od.c.tenant_id.in_(ids))
    for tenant_id, after_start, n in db.session.execute(stmt):
        out[tenant_id].overdue_now += int(n)
        if in_range and after_start:
            out[tenant_id].overdue_in_period += int(n)
    if wanted is not None and ids is None:
        out = defaultdict(Sums, {k: v for k, v in out.items() if k in wanted})
    return out


# --- within a tenant (the fine grain, under the tenant's scope) ---------------------------------------------

DIMENSIONS = ("unit_id", "domain", "source", "phase")


def by_dimensions(
    period: Period,
    today: date,
    by: Iterable[str] = ("unit_id",),
    unit_ids: Iterable[int] | None = None,
    filters: dict[str, Any] | None = None,
) -> dict[tuple, Sums]:
    """The current tenant's sums grouped by ``by`` (unit_id, domain, source, phase), within ``unit_ids``."""
    by = tuple(by)
    for name in by:
        if name not in DIMENSIONS:
            raise ValueError(f"cannot group figures by {name!r}")
    current, current_first = _month_window(period, today)
    units = set(unit_ids) if unit_ids is not None else None
    out: dict[tuple, Sums] = defaultdict(Sums)

    def narrowed(table, stmt):
        # A Core select of a table escapes the ORM's tenant criteria (only row-level security would catch it).
        stmt = stmt.where(table.c.tenant_id == current_tenant_id())
        if units is not None:
            stmt = stmt.where(table.c.unit_id.in_(units))
        for name, value in (filters or {}).items():
            if value is not None:
                stmt = stmt.where(table.c[name] == value)
        return stmt

    r = FigureRollup.__table__
    keys = [r.c[b] for b in by]
    cols = [func.sum(r.c[c]).filter(r.c.month.between(period.first, period.last)).label(c) for c in COUNTS]
    in_period = func.sum(r.c.due_open).filter(r.c.month.between(period.first, min(period.last, current - 1)))
    before = func.sum(r.c.due_open).filter(r.c.month < current)
    stmt = narrowed(r, select(*keys, *cols, before.label("open_before"), in_period.label("open_in_period")))
    for row in db.session.execute(stmt.group_by(*keys)).mappings():
        sums = out[tuple(row[b] for b in by)]
        sums.counts = {c: int(row[c] or 0) for c in COUNTS}
        sums.overdue_now = int(row["open_before"] or 0)
        sums.overdue_in_period = int(row["open_in_period"] or 0)
    cd = FigureCloseDays.__table__
    stmt = select(*[cd.c[b] for b in by], cd.c.days, func.sum(cd.c.count)).where(
        cd.c.month.between(period.first, period.last)
    )
    for row in db.session.execute(narrowed(cd, stmt).group_by(*[cd.c[b] for b in by], cd.c.days)):
        out[tuple(row[: len(by)])].days[row[-2]] += int(row[-1])
    od = FigureOpenDue.__table__
    stmt = select(*[od.c[b] for b in by], od.c.due_on >= period.starts_on, func.sum(od.c.count)).where(
        od.c.due_on >= current_first, od.c.due_on < today
    )
    in_range = period.contains(today)
    group = [*[od.c[b] for b in by], od.c.due_on >= period.starts_on]
    for row in db.session.execute(narrowed(od, stmt).group_by(*group)):
        sums = out[tuple(row[: len(by)])]
        sums.overdue_now += int(row[-1])
        if in_range and row[-2]:
            sums.overdue_in_period += int(row[-1])
    return out


def total(groups: Iterable[Sums]) -> Sums:
    """The sums of several groups together (a subtree's total, a city total)."""
    out = Sums()
    for sums in groups:
        for c in COUNTS:
            out.counts[c] += sums.counts[c]
        for d, n in sums.days.items():
            out.days[d] += n
        out.overdue_in_period += sums.overdue_in_period
        out.overdue_now += sums.overdue_now
        for name, value in sums.extra.items():
            out.extra[name] = add_values(out.extra.get(name), value)
    return out


def add_values(a: Any, b: Any) -> Any:
    """Add two provider values: counts, or (numerator, denominator) pairs."""
    if a is None:
        return b
    if isinstance(a, tuple):
        return (a[0] + b[0], a[1] + b[1])
    return a + b


def attach(groups: dict[Any, Sums], values: dict[str, dict[Any, Any]], keys: Iterable[Any]) -> None:
    """Put the providers' values into the groups (a group with nothing from a provider gets 0, or 0/0)."""
    for name, by_key in values.items():
        kind = providers.registered()[name].kind
        for key in keys:
            groups[key].extra[name] = by_key.get(key, (0, 0) if kind in ("rate", "average") else 0)


# --- drill-down: the list each figure counts ----------------------------------------------------------------


def drill(
    figure: str,
    period: Period,
    today: date,
    unit_ids: Iterable[int] | None = None,
    filters: dict[str, Any] | None = None,
) -> list[Problem]:
    """The current tenant's problems a figure counts; its length equals the figure (a test checks every one)."""
    if figure not in DRILLABLE:
        raise ValueError(f"figure {figure!r} has no list")
    stmt = select(Problem)
    if unit_ids is not None:
        stmt = stmt.where(Problem.unit_id.in_(set(unit_ids)))
    for name, value in (filters or {}).items():
        if value is not None:
            stmt = stmt.where(getattr(Problem, name) == value)
    start, end = period.utc_bounds()
    found = and_(Problem.created_at >= start, Problem.created_at < end)
    by_status = {"closed": "closed", "ongoing": "ongoing", "dismissed": "dismissed", "merged": "merged"}
    if figure == "found":
        stmt = stmt.where(found)
    elif figure in by_status:
        stmt = stmt.where(found, Problem.status == by_status[figure])
    elif figure == "returned":
        stmt = stmt.where(found, Problem.return_count > 0)
    elif figure == "repeats":
        stmt = stmt.where(found, Problem.recurrence_of.is_not(None))
    else:
        # Deadline figures: the on-time deadline lies between the first deadline and the one in force.
        stmt = stmt.where(Problem.original_deadline.is_not(None), Problem.status.not_in(("dismissed", "merged")))
        if figure == "overdue_now":
            stmt = stmt.where(Problem.status.in_(OPEN_STATUSES), Problem.original_deadline < today)
        else:
            stmt = stmt.where(Problem.original_deadline <= period.ends_on, Problem.deadline >= period.starts_on)
    problems = list(db.session.scalars(stmt.order_by(Problem.id)))
    if figure in ("due", "due_on_time", "overdue_now"):
        problems = [p for p in problems if _counts_as(figure, p, period, today)]
    return problems


def _counts_as(figure: str, problem: Problem, period: Period, today: date) -> bool:
    due = on_time_deadline(problem)
    if due is None:
        return False
    if figure == "overdue_now":
        return due < today
    if not period.contains(due):
        return False
    if problem.status == "closed":
        return figure == "due" or local_date(problem.closed_at) <= due
    return figure == "due" and due < today


def by_month_city(period: Period, tenant_ids: Iterable[int] | None = None) -> dict[int, dict[str, int]]:
    """Found and closed by month found, all tenants (or those given) together."""
    tm = FigureTenantMonth.__table__
    stmt = (
        select(tm.c.month, func.sum(tm.c.found), func.sum(tm.c.closed))
        .where(tm.c.month.between(period.first, period.last))
        .group_by(tm.c.month)
    )
    if tenant_ids is not None:
        stmt = stmt.where(tm.c.tenant_id.in_(list(tenant_ids)))
    return {m: {"found": int(f or 0), "closed": int(c or 0)} for m, f, c in db.session.execute(stmt)}


def by_month_tenant(period: Period, unit_ids: Iterable[int] | None = None) -> dict[int, dict[str, int]]:
    """Found and closed by month found, in the current tenant (within ``unit_ids``)."""
    r = FigureRollup.__table__
    stmt = (
        select(r.c.month, func.sum(r.c.found), func.sum(r.c.closed))
        .where(r.c.month.between(period.first, period.last), r.c.tenant_id == current_tenant_id())
        .group_by(r.c.month)
    )
    if unit_ids is not None:
        stmt = stmt.where(r.c.unit_id.in_(set(unit_ids)))
    return {m: {"found": int(f or 0), "closed": int(c or 0)} for m, f, c in db.session.execute(stmt)}


def months(period: Period) -> list[int]:
    out, month = [], period.first
    while month <= period.last:
        out.append(month)
        month = month + 1 if month % 100 < 12 else (month // 100 + 1) * 100 + 1
    return out
