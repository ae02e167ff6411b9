"""Figures that come from other tables than the ledger's, plugged in by name as those tables land.

A provider is a function registered for a figure name with ``@provider(...)``. It is called with a session, the
period, the tenants to count and whether to count per unit, and returns ``{tenant_id: value}`` or
``{(tenant_id, unit_id): value}``; a count is an int, a rate a ``(numerator, denominator)`` pair (None shown "—"
when the denominator is 0). A provider whose tables are not installed (``needs``: a module to import) is left out
of every page and snapshot, and listed by ``missing()``.

Callers pass the application's session scoped to one tenant (row-level security applies), or the city-wide
reader's session (``every_tenant``); providers filter by ``tenant_ids`` explicitly either way.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.figures.periods import Period


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    kind: str
    higher_is_better: bool | None
    #: a module that must import for the figure to exist (the table's models)
    needs: str
    compute: Callable[[Session, Period, list[int], bool], dict[Any, Any]]


_PROVIDERS: dict[str, Provider] = {}
#: figures the issue asks for whose tables have no provider yet (named for the report and the docs)
PLANNED: dict[str, str] = {}


def provider(name: str, label: str, kind: str = "count", higher_is_better: bool | None = None, needs: str = ""):
    """Register a function as the provider of figure ``name``."""

    def decorator(fn):
        if name in _PROVIDERS:
            raise ValueError(f"duplicate figure provider {name!r}")
        _PROVIDERS[name] = Provider(name, label, kind, higher_is_better, needs, fn)
        return fn

    return decorator


def _available(p: Provider) -> bool:
    if not p.needs:
        return True
    try:
        importlib.import_module(p.needs)
    except ImportError:
        return False
    return True


def registered() -> dict[str, Provider]:
    """The providers whose tables are installed, in registration order."""
    return {name: p for name, p in _PROVIDERS.items() if _available(p)}


def missing() -> dict[str, str]:
    """Figures asked for that no installed provider gives yet: name -> label."""
    out = {name: p.label for name, p in _PROVIDERS.items() if not _available(p)}
    out.update({k: v for k, v in PLANNED.items() if k not in _PROVIDERS})
    return out


def compute(session: Session, period: Period, tenant_ids: Iterable[int], by_unit: bool) -> dict[str, dict]:
    """Every installed provider's values: figure name -> {key: value}."""
    ids = list(tenant_ids)
    return {name: p.compute(session, period, ids, by_unit) for name, p in registered().items()}


def every_tenant(period: Period, tenant_ids: list[int], actor: str) -> dict[str, dict]:
    """Every installed provider's values for many tenants side by side (the city's page).

    On PostgreSQL with the reader login configured, one read through the named city-wide opt-out
    (``core.platform.db.city_wide``, logged); otherwise tenant by tenant under each one's scope (one query per
    provider and tenant: seconds for 1,000 tenants, see docs/performance.md).
    """
    from flask import current_app

    from core.platform.db import city_wide, db, tenant_scope

    if db.session.get_bind().dialect.name == "postgresql" and current_app.config.get("READER_DATABASE_URL"):
        with city_wide("figures of every tenant", actor=actor) as session:
            return compute(session, period, tenant_ids, by_unit=False)
    values: dict[str, dict] = {}
    for tenant_id in tenant_ids:
        with tenant_scope(tenant_id):
            for name, by_key in compute(db.session, period, [tenant_id], by_unit=False).items():
                values.setdefault(name, {}).update(by_key)
    return values


def _grouped(session: Session, model, stmt, by_unit: bool, value) -> dict[Any, Any]:
    keys = [model.tenant_id, model.unit_id] if by_unit else [model.tenant_id]
    out = {}
    for row in session.execute(stmt.add_columns(*keys, *value).group_by(*keys)):
        key = (row[-len(value) - 2], row[-len(value) - 1]) if by_unit else row[-len(value) - 1]
        out[key] = tuple(int(v or 0) for v in row[-len(value) :]) if len(value) > 1 else int(row[-1] or 0)
    return out


def _in_period(column, period: Period):
    start, end = period.utc_bounds()
    return (column >= start) & (column < end)


# --- public reports (core/public, issue 7) --------------------------------------------------------------------


def _reports(period: Period, tenant_ids: list[int]):
    from core.public.models import PublicReport

    return PublicReport, select().select_from(PublicReport).where(
        PublicReport.tenant_id.in_(tenant_ids), _in_period(PublicReport.received_at, period)
    )


@provider("public_received", "群众举报收到", needs="core.public.models")
def public_received(session, period, tenant_ids, by_unit):
    model, stmt = _reports(period, tenant_ids)
    return _grouped(session, model, stmt, by_unit, [func.count(model.id)])


@provider("public_handled", "群众举报办结", needs="core.public.models")
def public_handled(session, period, tenant_ids, by_unit):
    model, stmt = _reports(period, tenant_ids)
    return _grouped(session, model, stmt.where(model.status != "received"), by_unit, [func.count(model.id)])


@provider("public_satisfaction", "群众满意率", "rate", True, needs="core.public.models")
def public_satisfaction(session, period, tenant_ids, by_unit):
    model, stmt = _reports(period, tenant_ids)
    satisfied = func.count(model.id).filter(model.rating.in_(("satisfied", "basically_satisfied")))
    return _grouped(session, model, stmt.where(model.rating.is_not(None)), by_unit, [satisfied, func.count(model.id)])


# --- accountability (core/oversight, issue 8's other half) ----------------------------------------------------


@provider("accountability", "问责追责", higher_is_better=False, needs="core.oversight.models")
def accountability(session, period, tenant_ids, by_unit):
    from core.oversight.models import AccountabilityMeasure as M

    stmt = (
        select()
        .select_from(M)
        .where(M.tenant_id.in_(tenant_ids), M.decided_on.between(period.starts_on, period.ends_on))
    )
    return _grouped(session, M, stmt, by_unit, [func.count(M.id)])


# --- checklist coverage (core/checklists) ---------------------------------------------------------------------


@provider("coverage", "自查覆盖率", "rate", True, needs="core.checklists.models")
def coverage(session, period, tenant_ids, by_unit):
    """(unit, enabled domain) pairs with a checklist submitted in the period / (unit, enabled domain) pairs.

    So that a unit that looks for nothing cannot rank best: its coverage is low whatever its other rates.
    """
    from core.checklists.models import Checklist
    from core.tenancy.models import PluginSetting, Unit
    from core.tenancy.service import registry

    domains = registry().domains
    done = {
        (t, u, d)
        for t, u, d in session.execute(
            select(Checklist.tenant_id, Checklist.unit_id, Checklist.domain)
            .where(
                Checklist.tenant_id.in_(tenant_ids),
                Checklist.status == "submitted",
                _in_period(Checklist.submitted_at, period),
            )
            .distinct()
        )
    }
    units: dict[int, list] = defaultdict(list)
    for unit in session.execute(select(Unit.tenant_id, Unit.id, Unit.parent_id).where(Unit.tenant_id.in_(tenant_ids))):
        units[unit[0]].append(unit)
    settings: dict[int, dict[tuple[int | None, str], bool]] = defaultdict(dict)
    for t, u, d, on in session.execute(
        select(PluginSetting.tenant_id, PluginSetting.unit_id, PluginSetting.domain, PluginSetting.enabled).where(
            PluginSetting.tenant_id.in_(tenant_ids)
        )
    ):
        settings[t][(u, d)] = on
    out: dict[Any, Any] = {}
    for tenant_id, rows in units.items():
        parents = {u[1]: u[2] for u in rows}
        for _t, unit_id, _p in rows:
            chain, at = [], unit_id
            while at is not None:
                chain.append(at)
                at = parents.get(at)
            pairs = covered = 0
            for slug, domain in domains.items():
                on = True
                if domain.switchable:
                    on = settings[tenant_id].get((None, slug), False)
                    if on:
                        on = next(
                            (settings[tenant_id][(c, slug)] for c in chain if (c, slug) in settings[tenant_id]), True
                        )
                if on:
                    pairs += 1
                    covered += (tenant_id, unit_id, slug) in done
            key = (tenant_id, unit_id) if by_unit else tenant_id
            num, den = out.get(key, (0, 0))
            out[key] = (num + covered, den + pairs)
    return out


# --- case-file review (plugins/enforcement) -------------------------------------------------------------------


def _reviews(period: Period, tenant_ids: list[int]):
    from plugins.enforcement.models import Review

    stmt = (
        select()
        .select_from(Review)
        .where(
            Review.tenant_id.in_(tenant_ids),
            Review.kind == "review",  # first reviews: a re-review (复查) scores the correction, not the file as filed
            Review.status == "scored",
            _in_period(Review.reviewed_at, period),
        )
    )
    return Review, stmt


@provider("case_review_score", "案卷评查平均分", "average", True, needs="plugins.enforcement.models")
def case_review_score(session, period, tenant_ids, by_unit):
    """Average score of the case files reviewed in the period, as (sum of scores, reviews)."""
    model, stmt = _reviews(period, tenant_ids)
    keys = [model.tenant_id, model.unit_id] if by_unit else [model.tenant_id]
    out = {}
    for row in session.execute(stmt.add_columns(*keys, func.sum(model.score), func.count(model.id)).group_by(*keys)):
        key = (row[0], row[1]) if by_unit else row[0]
        out[key] = (float(row[-2] or 0), int(row[-1]))
    return out


@provider("case_review_fail_share", "案卷不合格率", "rate", False, needs="plugins.enforcement.models")
def case_review_fail_share(session, period, tenant_ids, by_unit):
    """Share of the case files reviewed in the period graded 不合格 (a veto item, or below the pass mark)."""
    model, stmt = _reviews(period, tenant_ids)
    failed = func.count(model.id).filter(model.grade == "fail")
    return _grouped(session, model, stmt, by_unit, [failed, func.count(model.id)])
