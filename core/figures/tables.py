"""What the figures' pages and API show, built once for both: a county's figures grouped with their total, the
list a figure counts, every county side by side, and a county's place in the snapshots.

Visibility is decided here: officers see their unit and below, every other county role the whole tenant, city roles
any tenant (named in the path) and, on the city's views, every tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer

from core.figures import providers, service
from core.figures.models import FigureSnapshot, FigureSnapshotUnit
from core.figures.periods import Period
from core.ledger import permissions as perm
from core.ledger import service as ledger
from core.ledger.models import SOURCES, Problem
from core.platform.db import db
from core.platform.errors import FieldError, NotFound
from core.tenancy.models import Tenant
from core.tenancy.service import registry

#: what a county's figures can be grouped by, with the label of each grouping
GROUPINGS = {"unit_id": "按单位", "domain": "按业务领域", "source": "按问题来源", "phase": "按攻坚阶段"}


def visible_units(caller: ledger.Caller) -> set[int] | None:
    """The units whose figures the caller sees: the ledger's rule (None for the whole tenant)."""
    return perm.visible_unit_ids(caller.user, caller.units)


def group_labels(by: str, caller: ledger.Caller) -> dict[Any, str]:
    """The name of every group of a grouping: units, domains, sources or campaign phases."""
    if by == "unit_id":
        return {u.id: u.name for u in caller.units}
    if by == "domain":
        return {s: d.name for s, d in registry().domains.items()}
    if by == "source":
        return dict(SOURCES)
    return ledger.phase_names()


def figure_meta() -> list[dict[str, Any]]:
    """Every figure shown (the ledger's and the installed providers'), in order, with its label and kind."""
    return [
        {"name": f.name, "label": f.label, "kind": f.kind, "drill": f.drill} for f in service.all_figures().values()
    ]


@dataclass
class TenantFigures:
    """A county's figures for a period, grouped: one row per group and the total of the rows shown."""

    by: str
    #: (key, label, figures) per group: every visible unit, or every domain, source or phase with something in it
    rows: list[tuple[Any, str, dict[str, Any]]]
    total: dict[str, Any]
    #: month (yyyymm) -> {"found", "closed"} of the groups shown
    monthly: dict[int, dict[str, int]]


def tenant_figures(period: Period, by: str, caller: ledger.Caller, today: date) -> TenantFigures:
    """The current tenant's figures for ``period`` grouped by ``by``, within what the caller may see."""
    if by not in GROUPINGS:
        raise FieldError("by", "分组只能是单位、业务领域、问题来源或攻坚阶段")
    units = visible_units(caller)
    groups = service.by_dimensions(period, today, (by,), units)
    labels = group_labels(by, caller)
    keys = [(k,) for k in labels if by != "unit_id" or units is None or k in units]
    keys = [k for k in keys if by == "unit_id" or k in groups] + [k for k in groups if k not in keys]
    values = providers.compute(db.session, period, [caller.tenant.id], by_unit=True)
    if units is not None:
        values = {n: {k: v for k, v in vals.items() if k[1] in units} for n, vals in values.items()}
    if by == "unit_id":
        service.attach(groups, {n: {(k[1],): v for k, v in vals.items()} for n, vals in values.items()}, keys)
    everything = service.total(groups[k] for k in keys)
    if by != "unit_id":
        # Providers count by unit only: the total still has them, the domain (source, phase) rows do not.
        for name, vals in values.items():
            kind = providers.registered()[name].kind
            everything.extra[name] = (0, 0) if kind in ("rate", "average") else 0
            for value in vals.values():
                everything.extra[name] = service.add_values(everything.extra[name], value)
    rows = [(k[0], labels.get(k[0], str(k[0])), groups[k].figures()) for k in keys]
    return TenantFigures(by, rows, everything.figures(), service.by_month_tenant(period, units))


def drill(
    figure: str, period: Period, caller: ledger.Caller, today: date, filters: dict[str, Any] | None = None
) -> list[Problem]:
    """The problems a figure counts, within what the caller may see; its length is the figure.

    ``filters`` narrow to one group (``unit_id``, ``domain``, ``source``, ``phase``); a unit the caller may not see,
    or that is not in the tenant, is not found.
    """
    if figure not in service.DRILLABLE:
        raise FieldError("figure", "该指标没有对应的问题清单")
    units = visible_units(caller)
    filters = {k: v for k, v in (filters or {}).items() if v is not None and v != ""}
    unit_id = filters.get("unit_id")
    if unit_id is not None and unit_id not in (units if units is not None else {u.id for u in caller.units}):
        raise NotFound("未找到该单位")
    return service.drill(figure, period, today, units, filters)


def city_rows(period: Period, today: date, actor: str) -> list[tuple[Tenant, dict[str, Any]]]:
    """Every active tenant's figures for the period, side by side (ledger figures and the providers')."""
    tenants = list(db.session.scalars(select(Tenant).where(Tenant.status == "active").order_by(Tenant.id)))
    sums = service.by_tenant(period, today, [t.id for t in tenants])
    if providers.registered():
        values = providers.every_tenant(period, [t.id for t in tenants], actor=actor)
        service.attach(sums, values, [t.id for t in tenants])
    return [(t, sums[t.id].figures()) for t in tenants]


# --- snapshots ---------------------------------------------------------------------------------------------------


def snapshots() -> list[FigureSnapshot]:
    """Every snapshot, newest first (without the archived files)."""
    stmt = select(FigureSnapshot).options(defer(FigureSnapshot.bulletin_docx), defer(FigureSnapshot.figures_xlsx))
    return list(db.session.scalars(stmt.order_by(FigureSnapshot.id.desc())))


def get_snapshot(snapshot_id: int) -> FigureSnapshot:
    taken = db.session.get(FigureSnapshot, snapshot_id)
    if taken is None:
        raise NotFound("未找到该快照")
    return taken


def tenant_row(taken: FigureSnapshot, tenant_id: int) -> dict[str, Any] | None:
    """A tenant's row of a snapshot (figures, score, rank, how the score was computed), if it was ranked."""
    return next((r for r in taken.data["tenants"] if r["tenant_id"] == tenant_id), None)


def unit_rows(taken: FigureSnapshot, caller: ledger.Caller) -> list[FigureSnapshotUnit]:
    """The current tenant's units in a snapshot, ranked within the tenant, those the caller may see."""
    units = visible_units(caller)
    rows = db.session.scalars(
        select(FigureSnapshotUnit).where(FigureSnapshotUnit.snapshot_id == taken.id).order_by(FigureSnapshotUnit.rank)
    )
    return [u for u in rows if units is None or u.unit_id in units]
