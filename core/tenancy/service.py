"""Unit trees and per-unit plugin enablement, always read through the session's tenant scope."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from core.platform.db import db
from core.tenancy.models import PluginSetting, Tenant, Unit


def units_of_tenant() -> list[Unit]:
    """Every unit of the tenant in scope, parents before children."""
    units = db.session.scalars(select(Unit).order_by(Unit.sort_order, Unit.id)).all()
    by_parent: dict[int | None, list[Unit]] = {}
    for unit in units:
        by_parent.setdefault(unit.parent_id, []).append(unit)
    ordered: list[Unit] = []

    def walk(parent: int | None) -> None:
        for child in by_parent.get(parent, []):
            ordered.append(child)
            walk(child.id)

    walk(None)
    return ordered


def ancestor_ids(unit: Unit, units: list[Unit] | None = None) -> list[int]:
    """Ids from the unit itself up to the root of its tree."""
    by_id = {u.id: u for u in (units if units is not None else units_of_tenant())}
    chain, current = [], unit
    while current is not None and current.id not in chain:
        chain.append(current.id)
        current = by_id.get(current.parent_id) if current.parent_id else None
    return chain


def subtree_ids(unit_id: int, units: list[Unit] | None = None) -> set[int]:
    """The unit and every unit below it."""
    units = units if units is not None else units_of_tenant()
    children: dict[int | None, list[int]] = {}
    for u in units:
        children.setdefault(u.parent_id, []).append(u.id)
    out, stack = set(), [unit_id]
    while stack:
        current = stack.pop()
        if current in out:
            continue
        out.add(current)
        stack.extend(children.get(current, []))
    return out


@dataclass(frozen=True)
class DomainState:
    """Whether a domain is on at a unit, and where that comes from (tenant default or an override)."""

    domain: str
    enabled: bool
    #: "tenant" when the tenant's setting applies, else the id of the unit whose override applies
    source: str | int


def registry():
    return current_app.extensions["xingfeng"]


def tenant_settings() -> dict[str, bool]:
    """The tenant-level switch of each switchable domain (off unless the city turned it on)."""
    rows = db.session.scalars(select(PluginSetting).where(PluginSetting.unit_id.is_(None))).all()
    stored = {r.domain: r.enabled for r in rows}
    return {slug: stored.get(slug, False) for slug in registry().switchable}


def domain_states(unit: Unit, units: list[Unit] | None = None) -> dict[str, DomainState]:
    """The state of every domain at one unit: the tenant allows it and the nearest override does not say no."""
    units = units if units is not None else units_of_tenant()
    chain = ancestor_ids(unit, units)
    overrides: dict[tuple[int, str], bool] = {
        (r.unit_id, r.domain): r.enabled
        for r in db.session.scalars(select(PluginSetting).where(PluginSetting.unit_id.in_(chain))).all()
    }
    allowed = tenant_settings()
    states = {}
    for slug, domain in registry().domains.items():
        if not domain.switchable:
            states[slug] = DomainState(slug, True, "core")
            continue
        state = DomainState(slug, allowed.get(slug, False), "tenant")
        if state.enabled:
            for unit_id in chain:
                if (unit_id, slug) in overrides:
                    state = DomainState(slug, overrides[(unit_id, slug)], unit_id)
                    break
        states[slug] = state
    return states


def enabled_domains(unit: Unit | None) -> set[str]:
    """Domains enabled at a unit; with no unit (a city user), those the tenant allows plus the core's."""
    if unit is None:
        always = {s for s, d in registry().domains.items() if not d.switchable}
        return always | {s for s, on in tenant_settings().items() if on}
    return {s for s, st in domain_states(unit).items() if st.enabled}


def hook_for_unit(name: str, unit: Unit | None):
    """A hook caller that reaches only the plugins enabled at the unit."""
    return registry().hook_for(name, enabled_domains(unit))


def set_tenant_domain(domain: str, enabled: bool) -> PluginSetting:
    """Switch a domain on or off for the tenant in scope (the city's decision)."""
    row = db.session.scalar(
        select(PluginSetting).where(PluginSetting.unit_id.is_(None), PluginSetting.domain == domain)
    )
    if row is None:
        row = PluginSetting(unit_id=None, domain=domain, enabled=enabled)
        db.session.add(row)
    else:
        row.enabled = enabled
    db.session.flush()
    return row


def set_unit_domain(unit: Unit, domain: str, enabled: bool | None) -> PluginSetting | None:
    """Override a domain at a unit (and the units below it); None removes the override."""
    row = db.session.scalar(
        select(PluginSetting).where(PluginSetting.unit_id == unit.id, PluginSetting.domain == domain)
    )
    if enabled is None:
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        return None
    if row is None:
        row = PluginSetting(unit_id=unit.id, domain=domain, enabled=enabled)
        db.session.add(row)
    else:
        row.enabled = enabled
    db.session.flush()
    return row


def tenant_by_slug(slug: str) -> Tenant | None:
    return db.session.scalar(select(Tenant).where(Tenant.slug == slug))
