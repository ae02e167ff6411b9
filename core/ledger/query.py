"""Listing the ledger: filters, keyset pagination and counts by status and light."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.sql import Select

from core.errors import FieldError
from core.ledger import permissions as perm
from core.ledger.models import OPEN_STATUSES, Problem
from core.tenancy.service import subtree_ids

SORTS = ("deadline", "number")


@dataclass
class Window:
    """The dates that separate the lights today: red before ``today``, yellow up to ``yellow_until``."""

    today: date
    yellow_until: date


def light_window(caller, today: date) -> Window:
    from core.ledger.service import work_calendar, yellow_days

    days = yellow_days(caller.tenant)
    cal = work_calendar()
    yellow_until = cal.add_working_days(today, days).due if days > 0 else today
    # The due day itself is yellow (0 working days left); a day counts until its end.
    return Window(today, yellow_until)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filtered(caller, filters: dict[str, Any], window: Window, columns: tuple | None = None) -> Select:
    """The select of the problems the caller may see that pass the filters (no order, no limit).

    With ``columns`` (mapped attributes of Problem) it selects plain rows instead of ORM objects: the tenant
    filter still applies, and a page of rows costs much less than a page of objects.
    """
    query = select(*columns) if columns else select(Problem)
    visible = perm.visible_unit_ids(caller.user, caller.units)
    units: set[int] | None = visible
    if filters.get("unit_id") is not None:
        if caller.unit(filters["unit_id"]) is None:
            raise FieldError("unit_id", "单位不存在")
        wanted = (
            subtree_ids(filters["unit_id"], caller.units)
            if filters.get("include_below", True)
            else {filters["unit_id"]}
        )
        units = wanted if visible is None else wanted & visible
    if units is not None:
        query = query.where(Problem.unit_id.in_(sorted(units)))
    for name in ("status", "domain", "category", "source", "phase", "severity", "rectification_type"):
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
        if raw["s"] != sort or not isinstance(raw["id"], int):
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
    query = filtered(caller, filters, window, columns)
    if sort == "deadline":
        query = query.order_by(Problem.deadline.asc().nulls_last(), Problem.id)
        if cursor:
            c = decode_cursor(cursor, sort)
            if c["d"] is None:
                query = query.where(Problem.deadline.is_(None), Problem.id > c["id"])
            else:
                query = query.where(
                    or_(
                        Problem.deadline > c["d"],
                        and_(Problem.deadline == c["d"], Problem.id > c["id"]),
                        Problem.deadline.is_(None),
                    )
                )
    else:
        query = query.order_by(Problem.number, Problem.id)
        if cursor:
            c = decode_cursor(cursor, sort)
            query = query.where(or_(Problem.number > c["n"], and_(Problem.number == c["n"], Problem.id > c["id"])))
    from core.db import db

    result = db.session.execute(query.limit(limit + 1))
    rows = list(result) if columns else list(result.scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1], sort) if more and rows else None)


def counts(caller, filters: dict[str, Any], window: Window) -> dict[str, dict[str, int]]:
    """How many problems of the filter are in each status and under each light."""
    from core.db import db

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
