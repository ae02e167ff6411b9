"""Listing the ledger: filters, keyset pagination and counts by status and light."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_, select, union_all
from sqlalchemy.sql import Select

from core.ledger import permissions as perm
from core.ledger.models import OPEN_STATUSES, STATUSES, Problem
from core.ledger.service import work_calendar, yellow_days
from core.platform.db import db, execute_prepared
from core.platform.errors import FieldError
from core.tenancy.service import subtree_ids

SORTS = ("deadline", "number")


@dataclass
class Window:
    """The dates that separate the lights today: red before ``today``, yellow up to ``yellow_until``."""

    today: date
    yellow_until: date


def light_window(caller, today: date) -> Window:
    """Today's boundaries between the lights, so that SQL filters and counts agree with ``calendar.light``."""

    days = yellow_days(caller.tenant)
    # Yellow while at most ``days`` working days are left: up to the day before the (days+1)-th working day.
    yellow_until = work_calendar().add_working_days(today, days + 1).due - timedelta(days=1)
    return Window(today, yellow_until)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def unit_scope(caller, filters: dict[str, Any]) -> set[int] | None:
    """The units whose problems the caller asked for and may see; None for the whole tenant."""
    visible = perm.visible_unit_ids(caller.user, caller.units)
    if filters.get("unit_id") is None:
        return visible
    caller.filter_unit(filters["unit_id"])
    if filters.get("include_below", True):
        wanted = subtree_ids(filters["unit_id"], caller.units)
    else:
        wanted = {filters["unit_id"]}
    return wanted if visible is None else wanted & visible


def filtered(
    caller, filters: dict[str, Any], window: Window, columns: tuple | None = None, by_branch: bool = False
) -> Select:
    """The select of the problems the caller may see that pass the filters (no order, no limit).

    With ``columns`` (mapped attributes of Problem) it selects plain rows instead of ORM objects: the tenant
    filter still applies, and a page of rows costs much less than a page of objects. ``by_branch`` leaves the
    unit and status conditions to the caller (see ``page``).
    """
    query = select(*columns) if columns else select(Problem)
    if not by_branch:
        units = unit_scope(caller, filters)
        if units is not None:
            query = query.where(Problem.unit_id.in_(sorted(units)))
        if filters.get("status"):
            query = query.where(Problem.status.in_(filters["status"]))
    for name in ("domain", "category", "source", "phase", "severity", "rectification_type"):
        values = filters.get(name)
        if values:
            query = query.where(getattr(Problem, name).in_(values))
    if filters.get("responsible_person"):
        query = query.where(Problem.responsible_person == filters["responsible_person"])
    if filters.get("deadline_from"):
        query = query.where(Problem.deadline >= filters["deadline_from"])
    if filters.get("deadline_to"):
        query = query.where(Problem.deadline <= filters["deadline_to"])
    if filters.get("city_assigned") is not None:
        query = query.where(Problem.city_assigned.is_(filters["city_assigned"]))
    if filters.get("q"):
        pattern = _like(filters["q"])
        query = query.where(
            or_(
                Problem.title.like(pattern, escape="\\"),
                Problem.description.like(pattern, escape="\\"),
                Problem.number.like(pattern, escape="\\"),
            )
        )
    lights = filters.get("light")
    if lights:
        conditions = []
        open_ = Problem.status.in_(OPEN_STATUSES)
        if "red" in lights:
            conditions.append(and_(open_, Problem.deadline < window.today))
        if "yellow" in lights:
            conditions.append(and_(open_, Problem.deadline >= window.today, Problem.deadline <= window.yellow_until))
        if "green" in lights:
            conditions.append(and_(open_, or_(Problem.deadline.is_(None), Problem.deadline > window.yellow_until)))
        query = query.where(or_(*conditions))
    return query


def encode_cursor(problem: Problem, sort: str) -> str:
    key = problem.deadline.isoformat() if sort == "deadline" and problem.deadline else None
    raw = {"s": sort, "id": problem.id, "d": key, "n": problem.number}
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode()


def decode_cursor(cursor: str, sort: str) -> dict[str, Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if raw["s"] != sort or not isinstance(raw["id"], int) or not 0 <= raw["id"] < 2**62:
            raise ValueError
        if not isinstance(raw["n"], str) or len(raw["n"]) > 64:
            raise ValueError
        if raw["d"] is not None:
            raw["d"] = date.fromisoformat(raw["d"])
        return raw
    except (ValueError, KeyError, TypeError) as exc:
        raise FieldError("cursor", "分页游标无效，请从第一页重新开始") from exc


def page(
    caller,
    filters: dict[str, Any],
    window: Window,
    sort: str,
    limit: int,
    cursor: str | None,
    columns: tuple | None = None,
):
    """One page in deadline order (no deadline last) or number order, and the cursor of the next page."""

    if sort == "deadline" and columns:
        branched = _deadline_page_by_branch(caller, filters, window, limit, cursor, columns)
        if branched is not None:
            statement, params, cached = branched
            rows = list(execute_prepared(statement, params) if cached else db.session.execute(statement, params))
            more = len(rows) > limit
            rows = rows[:limit]
            return rows, (encode_cursor(rows[-1], sort) if more and rows else None)
    query = filtered(caller, filters, window, columns)
    if sort == "deadline":
        query = query.order_by(Problem.deadline.asc().nulls_last(), Problem.id)
        if cursor:
            query = query.where(_after_deadline(decode_cursor(cursor, sort)))
    else:
        query = query.order_by(Problem.number, Problem.id)
        if cursor:
            c = decode_cursor(cursor, sort)
            query = query.where(or_(Problem.number > c["n"], and_(Problem.number == c["n"], Problem.id > c["id"])))
    result = db.session.execute(query.limit(limit + 1))
    rows = list(result) if columns else list(result.scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1], sort) if more and rows else None)


def _after_deadline(c: dict[str, Any]):
    if c["d"] is None:
        return and_(Problem.deadline.is_(None), Problem.id > c["id"])
    return or_(
        Problem.deadline > c["d"], and_(Problem.deadline == c["d"], Problem.id > c["id"]), Problem.deadline.is_(None)
    )


#: above this many (status, unit) pairs a page is one plain query instead of one branch per pair
MAX_BRANCHES = 64


#: filters a cached branch statement can serve; any other filter builds the statement afresh
BRANCH_FILTERS = {"status", "unit_id", "include_below"}
_branch_statements: dict[tuple, Select] = {}


def _deadline_page_by_branch(caller, filters, window, limit, cursor, columns):
    """A deadline-ordered page as a UNION ALL of one small ordered scan per (status, unit), merged and cut.

    Each branch reads at most ``limit + 1`` rows from the (tenant_id, unit_id, status, deadline, id) index and
    PostgreSQL merges the ordered branches, so a page costs the same however many problems the tenant has; one
    plain query would fetch and sort every match. Branches select only (id, deadline): building 40-column
    subqueries costs more than running them. The statement of a common shape is built once, with parameters.
    """
    statuses = filters.get("status") or list(STATUSES)
    units = unit_scope(caller, filters)
    units = sorted(units) if units is not None else [u.id for u in caller.units]
    if not units or len(statuses) * len(units) > MAX_BRANCHES:
        return None
    c = decode_cursor(cursor, "deadline") if cursor else None
    cursor_kind = None if c is None else ("null" if c["d"] is None else "date")
    params: dict[str, Any] = {"tenant": caller.tenant.id, "limit": limit + 1}
    params.update({f"s{i}": status for i, status in enumerate(statuses)})
    params.update({f"u{j}": unit for j, unit in enumerate(units)})
    if c is not None:
        params.update(cursor_id=c["id"], cursor_deadline=c["d"])
    plain = not (
        set(k for k, v in filters.items() if v not in (None, [], "")) - BRANCH_FILTERS - {"sort", "limit", "cursor"}
    )
    shape = (len(statuses), len(units), cursor_kind, columns)
    statement = _branch_statements.get(shape) if plain else None
    if statement is None:
        statement = _build_branches(caller, filters, window, len(statuses), len(units), cursor_kind, columns)
        if plain:
            _branch_statements[shape] = statement
    return statement, params, plain


def _build_branches(caller, filters, window, n_statuses, n_units, cursor_kind, columns) -> Select:
    tenant = bindparam("tenant")
    base = filtered(caller, filters, window, (Problem.id, Problem.deadline), by_branch=True).where(
        Problem.tenant_id == tenant
    )
    if cursor_kind == "null":
        base = base.where(Problem.deadline.is_(None), Problem.id > bindparam("cursor_id"))
    elif cursor_kind == "date":
        after, after_id = bindparam("cursor_deadline"), bindparam("cursor_id")
        base = base.where(
            or_(
                Problem.deadline > after,
                and_(Problem.deadline == after, Problem.id > after_id),
                Problem.deadline.is_(None),
            )
        )
    order = (Problem.deadline.asc().nulls_last(), Problem.id)
    limit = bindparam("limit")
    # Each branch is wrapped as a subquery: SQLite accepts ORDER BY and LIMIT in a UNION member only that way.
    branches = [
        select(
            base.where(Problem.status == bindparam(f"s{i}"), Problem.unit_id == bindparam(f"u{j}"))
            .order_by(*order)
            .limit(limit)
            .subquery()
        )
        for i in range(n_statuses)
        for j in range(n_units)
    ]
    merged = union_all(*branches).subquery()
    winners = select(merged.c.id).order_by(merged.c.deadline.asc().nulls_last(), merged.c.id).limit(limit)
    return select(*columns).where(Problem.tenant_id == tenant, Problem.id.in_(winners)).order_by(*order)


def counts(caller, filters: dict[str, Any], window: Window) -> dict[str, dict[str, int]]:
    """How many problems of the filter are in each status and under each light."""

    base = filtered(caller, filters, window).subquery()
    open_ = base.c.status.in_(OPEN_STATUSES)
    light = case(
        (~open_, "none"),
        (base.c.deadline.is_(None), "green"),
        (base.c.deadline < window.today, "red"),
        (base.c.deadline <= window.yellow_until, "yellow"),
        else_="green",
    )
    by_status: dict[str, int] = {}
    by_light = {"red": 0, "yellow": 0, "green": 0}
    for status, lamp, n in db.session.execute(
        select(base.c.status, light, func.count()).group_by(base.c.status, light)
    ):
        by_status[status] = by_status.get(status, 0) + n
        if lamp != "none":
            by_light[lamp] += n
    return {"status": by_status, "light": by_light, "total": sum(by_status.values())}
