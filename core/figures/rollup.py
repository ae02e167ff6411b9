"""Keeping the rollups equal to a recount: each problem's contribution is recomputed after each of its events.

A problem contributes to a few rollup cells (the month it was found, the month it is due, its close-days bucket,
its open deadline). The contribution last applied is kept in ``figure_fact``; an event recomputes it from the
problem and applies only the difference, with ``INSERT .. ON CONFLICT DO UPDATE SET n = n + delta`` so that
concurrent events on other problems of the same cell never lose a count. ``recount`` rebuilds a tenant from
``problem`` alone; a test checks that both ways give the same rows after random event sequences.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.figures.models import (
    COUNTS,
    FigureCloseDays,
    FigureFact,
    FigureOpenDue,
    FigureRollup,
    FigureTenantCloseDays,
    FigureTenantMonth,
    FigureTenantOpenDue,
)
from core.figures.periods import month_of
from core.ledger.models import Extension, Problem
from core.platform.calendar import WorkCalendar, local_date
from core.platform.db import db, tenant_scope

FINAL_UNCOUNTED = ("dismissed", "merged")

Contribution = dict[str, Any]


def on_time_deadline(problem: Problem, extensions: Iterable[Extension] | None = None) -> date | None:
    """The deadline on-time is judged by: the first one, replaced by an extension only if approved before it.

    An extension decided after the deadline it would replace does not make a late problem on time.
    """
    if problem.original_deadline is None or problem.deadline == problem.original_deadline:
        return problem.deadline
    if extensions is None:
        extensions = db.session.scalars(
            select(Extension).where(Extension.problem_id == problem.id, Extension.status == "approved")
        )
    due = problem.original_deadline
    for ext in sorted(extensions, key=lambda e: e.decided_at):
        if ext.status == "approved" and local_date(ext.decided_at) <= due:
            due = ext.new_deadline
    return due


def close_days(problem: Problem, cal: WorkCalendar) -> int:
    """Working days from assignment (交办; recording when never assigned) to closure (销号)."""
    start = local_date(problem.assigned_at or problem.created_at)
    return cal.working_days_between(start, local_date(problem.closed_at))


def contribution(problem: Problem, due: date | None, cal: WorkCalendar) -> Contribution:
    """The rollup cells one problem counts in, as stored in ``figure_fact.applied``."""
    found = month_of(local_date(problem.created_at))
    cells: dict[int, dict[str, int]] = defaultdict(dict)
    row = cells[found]
    row["found"] = 1
    status = problem.status
    days = None
    if status == "closed":
        row["closed"] = 1
        days = close_days(problem, cal)
        row["close_days"] = days
    elif status in ("dismissed", "merged", "ongoing"):
        row[status] = 1
    if problem.return_count:
        row["returned"] = 1
    if problem.recurrence_of is not None:
        row["repeats"] = 1
    open_due = None
    if due is not None and status not in FINAL_UNCOUNTED:
        due_row = cells[month_of(due)]
        if status == "closed":
            key = "due_on_time" if local_date(problem.closed_at) <= due else "due_late"
        else:
            key = "due_open"
            open_due = due.isoformat()
        due_row[key] = due_row.get(key, 0) + 1
    return {
        "dims": [problem.unit_id, problem.domain, problem.source, problem.phase],
        "r": {str(m): v for m, v in cells.items()},
        "d": [found, days] if days is not None else None,
        "o": open_due,
    }


class Delta:
    """Differences to add to the rollup cells of one tenant, collected then written in one statement per cell."""

    def __init__(self, tenant_id: int):
        self.tenant_id = tenant_id
        self.fine: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.coarse: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.fine_days: dict[tuple, int] = defaultdict(int)
        self.coarse_days: dict[tuple, int] = defaultdict(int)
        self.fine_open: dict[tuple, int] = defaultdict(int)
        self.coarse_open: dict[str, int] = defaultdict(int)

    def add(self, contrib: Contribution | None, sign: int) -> None:
        if not contrib:
            return
        dims = tuple(contrib["dims"])
        for month, values in contrib["r"].items():
            for column, n in values.items():
                self.fine[(int(month), *dims)][column] += sign * n
                self.coarse[int(month)][column] += sign * n
        if contrib["d"]:
            month, days = contrib["d"]
            self.fine_days[(month, *dims, days)] += sign
            self.coarse_days[(month, days)] += sign
        if contrib["o"]:
            self.fine_open[(contrib["o"], *dims)] += sign
            self.coarse_open[contrib["o"]] += sign

    def write(self) -> None:
        t = self.tenant_id
        for (month, unit, domain, source, phase), values in self.fine.items():
            values = {k: v for k, v in values.items() if v}
            if values:
                key = {"tenant_id": t, "month": month, "unit_id": unit, "domain": domain, "source": source}
                _add(FigureRollup, {**key, "phase": phase}, values)
        for month, values in self.coarse.items():
            values = {k: v for k, v in values.items() if v}
            if values:
                _add(FigureTenantMonth, {"tenant_id": t, "month": month}, values)
        for (month, unit, domain, source, phase, days), n in self.fine_days.items():
            if n:
                key = {"tenant_id": t, "month": month, "unit_id": unit, "domain": domain, "source": source}
                _add(FigureCloseDays, {**key, "phase": phase, "days": days}, {"count": n})
        for (month, days), n in self.coarse_days.items():
            if n:
                _add(FigureTenantCloseDays, {"tenant_id": t, "month": month, "days": days}, {"count": n})
        for (due, unit, domain, source, phase), n in self.fine_open.items():
            if n:
                key = {"tenant_id": t, "due_on": date.fromisoformat(due), "unit_id": unit, "domain": domain}
                _add(FigureOpenDue, {**key, "source": source, "phase": phase}, {"count": n})
        for due, n in self.coarse_open.items():
            if n:
                _add(FigureTenantOpenDue, {"tenant_id": t, "due_on": date.fromisoformat(due)}, {"count": n})


def _add(model: type, key: dict[str, Any], values: dict[str, int]) -> None:
    """Add ``values`` to the row of ``key``, creating it when missing (one atomic statement)."""
    table = model.__table__
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table).values(**key, **values)
    stmt = stmt.on_conflict_do_update(index_elements=list(key), set_={c: table.c[c] + stmt.excluded[c] for c in values})
    db.session.execute(stmt)


def update(problem: Problem, cal: WorkCalendar) -> None:
    """Bring the rollups up to date with one problem's current state (called after each of its events)."""
    fact = db.session.scalar(select(FigureFact).where(FigureFact.problem_id == problem.id))
    new = contribution(problem, on_time_deadline(problem), cal)
    old = fact.applied if fact is not None else None
    if old == new:
        return
    delta = Delta(problem.tenant_id)
    delta.add(old, -1)
    delta.add(new, 1)
    delta.write()
    if fact is None:
        db.session.add(FigureFact(problem_id=problem.id, applied=new))
    else:
        fact.applied = new
    db.session.flush()


#: the columns of ``problem`` a contribution is computed from (a recount reads only these)
COUNTED_COLUMNS = (
    "id", "unit_id", "domain", "source", "phase", "status", "created_at", "assigned_at", "closed_at", "deadline",
    "original_deadline", "return_count", "recurrence_of",
)  # fmt: skip
ROLLUP_TABLES = (FigureRollup, FigureCloseDays, FigureOpenDue)
TENANT_TABLES = (FigureTenantMonth, FigureTenantCloseDays, FigureTenantOpenDue)


def recount(tenant_id: int, cal: WorkCalendar, batch: int = 20000) -> int:
    """Rebuild a tenant's rollups and facts from ``problem`` alone; returns how many problems were counted."""
    with tenant_scope(tenant_id):
        db.session.flush()
        for model in (FigureFact, *ROLLUP_TABLES):
            db.session.execute(delete(model).where(model.tenant_id == tenant_id))
        for model in TENANT_TABLES:
            db.session.execute(delete(model).where(model.tenant_id == tenant_id))
        extensions: dict[int, list[Extension]] = defaultdict(list)
        for ext in db.session.scalars(select(Extension).where(Extension.status == "approved")):
            extensions[ext.problem_id].append(ext)
        delta = Delta(tenant_id)
        facts = []
        counted = 0
        columns = [getattr(Problem, name) for name in COUNTED_COLUMNS]
        for problem in db.session.execute(select(*columns).execution_options(yield_per=batch)):
            contrib = contribution(problem, on_time_deadline(problem, extensions.get(problem.id, [])), cal)
            delta.add(contrib, 1)
            facts.append({"tenant_id": tenant_id, "problem_id": problem.id, "applied": contrib})
            counted += 1
            if len(facts) >= batch:
                db.session.execute(FigureFact.__table__.insert(), facts)
                facts = []
        if facts:
            db.session.execute(FigureFact.__table__.insert(), facts)
        _insert_delta(delta)
        db.session.expire_all()
    return counted


def _insert_delta(delta: Delta) -> None:
    """Write a recount's cells with plain batched INSERTs (the tables were emptied for the tenant)."""
    t = delta.tenant_id

    def rows(cells, names, value_names=None):
        out = []
        for key, values in cells.items():
            row = dict(zip(names, key if isinstance(key, tuple) else (key,), strict=True))
            if value_names is None:
                if not values:
                    continue
                row["count"] = values
            else:
                if not any(values.values()):
                    continue
                row.update({c: values.get(c, 0) for c in COUNTS})
            out.append({"tenant_id": t, **row})
        return out

    dims = ("unit_id", "domain", "source", "phase")
    for model, data in (
        (FigureRollup, rows(delta.fine, ("month", *dims), COUNTS)),
        (FigureTenantMonth, rows(delta.coarse, ("month",), COUNTS)),
        (FigureCloseDays, rows(delta.fine_days, ("month", *dims, "days"))),
        (FigureTenantCloseDays, rows(delta.coarse_days, ("month", "days"))),
        (
            FigureOpenDue,
            [{**r, "due_on": date.fromisoformat(r["due_on"])} for r in rows(delta.fine_open, ("due_on", *dims))],
        ),
        (
            FigureTenantOpenDue,
            [{**r, "due_on": date.fromisoformat(r["due_on"])} for r in rows(delta.coarse_open, ("due_on",))],
        ),
    ):
        if data:
            db.session.execute(model.__table__.insert(), data)


def stored_cells(tenant_id: int) -> dict[str, set[tuple]]:
    """Every non-zero rollup cell of a tenant, for comparing the kept rollups with a recount."""
    out: dict[str, set[tuple]] = {}
    with tenant_scope(tenant_id):
        db.session.flush()
        for model in (*ROLLUP_TABLES, *TENANT_TABLES):
            table = model.__table__
            columns = [c for c in table.c if c.name != "id"]
            values = [c.name for c in columns if c.name in COUNTS or c.name == "count"]
            cells = set()
            for row in db.session.execute(select(*columns).where(table.c.tenant_id == tenant_id)).mappings():
                if any(row[v] for v in values):
                    cells.add(tuple(sorted((k, str(v)) for k, v in row.items())))
            out[table.name] = cells
    return out
