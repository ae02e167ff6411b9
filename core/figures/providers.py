"""Figures that come from other tables than the ledger's, plugged in by name as those tables land.

A provider is a function registered for a figure name: the core's own with ``@provider(...)`` here, a plugin's as a
:class:`Provider` returned by its ``xingfeng_register_figures`` hook (collected on ``app.extensions["xingfeng"]``;
the core never imports a plugin). It is called with a session, the period, the tenants to count and whether to
count per unit, and returns ``{tenant_id: value}`` or ``{(tenant_id, unit_id): value}``; a count is an int, a
rate a ``(numerator, denominator)`` pair (None shown "—" when the denominator is 0). A provider whose tables are
not installed (``needs``: a module to import) is left out of every page and snapshot, and listed by ``missing()``.

Callers pass the application's session scoped to one tenant (row-level security applies), or the city-wide
reader's session (``every_tenant``); providers filter by ``tenant_ids`` explicitly either way.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.checklists.models import Checklist
from core.figures.periods import Period
from core.oversight.models import AccountabilityMeasure as M
from core.platform.db import city_wide, db, tenant_scope
from core.public.models import PublicReport
from core.tenancy.models import PluginSetting, Unit
from core.tenancy.service import registry


@dataclass(frozen=True)
class Provider:
    """A figure counted from other tables than the ledger's (a plugin returns these from ``xingfeng_register_figures``).

    :param slug: the figure's name, unique across the core and every plugin (e.g. ``case_review_score``).
    :param label: its Chinese label, shown as the column title.
    :param compute: ``(session, period, tenant_ids, by_unit) -> {tenant_id: value}`` or
        ``{(tenant_id, unit_id): value}``; a count is an int, a rate or an average a ``(numerator, denominator)``.
    :param kind: ``count``, ``rate`` or ``average``.
    :param higher_is_better: which way ranks best (None: not ranked).
    :param needs: a module that must import for the figure to exist (the table's models); ``""`` for none.
    """

    slug: str
    label: str
    compute: Callable[[Session, Period, list[int], bool], dict[Any, Any]] = field(compare=False)
    kind: str = "count"
    higher_is_better: bool | None = None
    needs: str = ""

    @property
    def name(self) -> str:
        """The figure's name (its slug)."""
        return self.slug


_PROVIDERS: dict[str, Provider] = {}
#: figures the issue asks for whose tables have no provider yet (named for the report and the docs)
PLANNED: dict[str, str] = {}


def provider(name: str, label: str, kind: str = "count", higher_is_better: bool | None = None, needs: str = ""):
    """Register a function as the provider of figure ``name``."""

    def decorator(fn):
        if name in _PROVIDERS:
            raise ValueError(f"duplicate figure provider {name!r}")
        _PROVIDERS[name] = Provider(name, label, fn, kind, higher_is_better, needs)
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


def own() -> dict[str, Provider]:
    """The core's own providers (installed or not), in registration order."""
    return dict(_PROVIDERS)


def _all() -> dict[str, Provider]:
    """The core's providers, then the plugins' (from the registry collected at start-up, when there is an app)."""
    from flask import current_app, has_app_context

    out = dict(_PROVIDERS)
    if has_app_context() and "xingfeng" in current_app.extensions:
        out.update(current_app.extensions["xingfeng"].figures)
    return out


def registered() -> dict[str, Provider]:
    """The providers whose tables are installed, in registration order (the core's, then the plugins')."""
    return {name: p for name, p in _all().items() if _available(p)}


def missing() -> dict[str, str]:
    """Figures asked for that no installed provider gives yet: name -> label."""
    out = {name: p.label for name, p in _all().items() if not _available(p)}
    out.update({k: v for k, v in PLANNED.items() if k not in _all()})
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

    if db.session.get_bind().dialect.name == "postgresql" and current_app.config.get("READER_DATABASE_URL"):
        with city_wide("figures of every tenant", actor=actor) as session:
            return compute(session, period, tenant_ids, by_unit=False)
    values: dict[str, dict] = {}
    for tenant_id in tenant_ids:
        with tenant_scope(tenant_id):
            for name, by_key in compute(db.session, period, [tenant_id], by_unit=False).items():
                values.setdefault(name, {}).update(by_key)
    return values


def grouped(session: Session, model, stmt, by_unit: bool, value) -> dict[Any, Any]:
    """Run ``stmt`` grouped by tenant (and unit): ``{key: int}`` for one value column, ``{key: (int, ...)}`` for more.

    ``model`` has ``tenant_id`` and ``unit_id`` columns; ``value`` is the list of aggregate columns to add.
    """
    keys = [model.tenant_id, model.unit_id] if by_unit else [model.tenant_id]
    out = {}
    for row in session.execute(stmt.add_columns(*keys, *value).group_by(*keys)):
        key = (row[-len(value) - 2], row[-len(value) - 1]) if by_unit else row[-len(value) - 1]
        out[key] = tuple(int(v or 0) for v in row[-len(value) :]) if len(value) > 1 else int(row[-1] or 0)
    return out


def units_with_domain(session: Session, tenant_ids: Iterable[int], domain: str) -> dict[int, set[int]]:
    """The units where ``domain`` is on, per tenant, read through ``session`` (a figure's, one tenant's or the city's).

    The same rule as ``core.tenancy.service.domain_states``: the tenant's switch, then the nearest unit override.
    """
    ids = list(tenant_ids)
    settings: dict[int, dict[int | None, bool]] = defaultdict(dict)
    for t, u, on in session.execute(
        select(PluginSetting.tenant_id, PluginSetting.unit_id, PluginSetting.enabled).where(
            PluginSetting.tenant_id.in_(ids), PluginSetting.domain == domain
        )
    ):
        settings[t][u] = on
    parents: dict[int, dict[int, int | None]] = defaultdict(dict)
    for t, u, parent in session.execute(select(Unit.tenant_id, Unit.id, Unit.parent_id).where(Unit.tenant_id.in_(ids))):
        parents[t][u] = parent
    switchable = registry().domains[domain].switchable if domain in registry().domains else True
    out: dict[int, set[int]] = {t: set() for t in ids}
    for tenant_id, tree in parents.items():
        own = settings[tenant_id]
        if switchable and not own.get(None, False):
            continue
        for unit_id in tree:
            at, on = unit_id, True
            seen: set[int] = set()
            while switchable and at is not None and at not in seen:
                seen.add(at)
                if at in own:
                    on = own[at]
                    break
                at = tree.get(at)
            if on:
                out[tenant_id].add(unit_id)
    return out


def in_period(column, period: Period):
    """A condition: the timestamp ``column`` falls in the period (Asia/Shanghai days, compared in UTC)."""
    start, end = period.utc_bounds()
    return (column >= start) & (column < end)


# --- public reports (core/public, issue 7) --------------------------------------------------------------------


def _reports(period: Period, tenant_ids: list[int]):

    return PublicReport, select().select_from(PublicReport).where(
        PublicReport.tenant_id.in_(tenant_ids), in_period(PublicReport.received_at, period)
    )


@provider("public_received", "群众举报收到", needs="core.public.models")
def public_received(session, period, tenant_ids, by_unit):
    model, stmt = _reports(period, tenant_ids)
    return grouped(session, model, stmt, by_unit, [func.count(model.id)])


@provider("public_handled", "群众举报办结", needs="core.public.models")
def public_handled(session, period, tenant_ids, by_unit):
    model, stmt = _reports(period, tenant_ids)
    return grouped(session, model, stmt.where(model.status != "received"), by_unit, [func.count(model.id)])


@provider("public_satisfaction", "群众满意率", "rate", True, needs="core.public.models")
def public_satisfaction(session, period, tenant_ids, by_unit):
    model, stmt = _reports(period, tenant_ids)
    satisfied = func.count(model.id).filter(model.rating.in_(("satisfied", "basically_satisfied")))
    return grouped(session, model, stmt.where(model.rating.is_not(None)), by_unit, [satisfied, func.count(model.id)])


# --- accountability (core/oversight, issue 8's other half) ----------------------------------------------------


@provider("accountability", "问责追责", higher_is_better=False, needs="core.oversight.models")
def accountability(session, period, tenant_ids, by_unit):

    stmt = (
        select()
        .select_from(M)
        .where(M.tenant_id.in_(tenant_ids), M.decided_on.between(period.starts_on, period.ends_on))
    )
    return grouped(session, M, stmt, by_unit, [func.count(M.id)])


# --- checklist coverage (core/checklists) ---------------------------------------------------------------------


@provider("coverage", "自查覆盖率", "rate", True, needs="core.checklists.models")
def coverage(session, period, tenant_ids, by_unit):
    """(unit, enabled domain) pairs with a checklist submitted in the period / (unit, enabled domain) pairs.

    So that a unit that looks for nothing cannot rank best: its coverage is low whatever its other rates.
    """

    domains = registry().domains
    done = {
        (t, u, d)
        for t, u, d in session.execute(
            select(Checklist.tenant_id, Checklist.unit_id, Checklist.domain)
            .where(
                Checklist.tenant_id.in_(tenant_ids),
                Checklist.status == "submitted",
                in_period(Checklist.submitted_at, period),
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
