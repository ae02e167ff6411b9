"""The training figures 人均培训学时 and 警示教育覆盖率, handed to the core with the plugin's other figures.

Both count the people in post (在岗) of the staff register at units where the domain is on, each at the unit they
belong to now: hours of their attendance at sessions held in the period per head, and the share of them who
attended at least one 警示教育 session in the period. A unit with nobody in post has no value ("—").
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from core.plugin_api import FigurePeriod, FigureProvider, units_with_domain
from plugins.integrity.domain import DOMAIN
from plugins.integrity.models import StaffMember
from plugins.integrity.training_models import TrainingAttendance, TrainingSession


def _people(session, period: FigurePeriod, tenant_ids):
    """(units where the domain is on, active staff per (tenant, unit), attendance rows of active staff)."""
    on = units_with_domain(session, tenant_ids, DOMAIN.slug)
    staff: dict[tuple[int, int], int] = defaultdict(int)
    for tenant_id, unit_id in session.execute(
        select(StaffMember.tenant_id, StaffMember.unit_id).where(
            StaffMember.tenant_id.in_(list(tenant_ids)), StaffMember.status == "active"
        )
    ):
        if unit_id in on.get(tenant_id, ()):
            staff[(tenant_id, unit_id)] += 1
    rows = session.execute(
        select(StaffMember.tenant_id, StaffMember.unit_id, StaffMember.id, TrainingSession.category,
               TrainingSession.hours)
        .join(TrainingAttendance, TrainingAttendance.staff_id == StaffMember.id)
        .join(TrainingSession, TrainingSession.id == TrainingAttendance.session_id)
        .where(StaffMember.tenant_id.in_(list(tenant_ids)), StaffMember.status == "active",
               TrainingSession.held_on.between(period.starts_on, period.ends_on))
    ).all()  # fmt: skip
    rows = [r for r in rows if r[1] in on.get(r[0], ())]
    return on, staff, rows


def _fold(on, staff, numerator, by_unit):
    out: dict = {}
    for tenant_id, units in on.items():
        if by_unit:
            for unit_id in units:
                out[(tenant_id, unit_id)] = (numerator.get((tenant_id, unit_id), 0), staff.get((tenant_id, unit_id), 0))
        elif units:
            out[tenant_id] = (
                sum(numerator.get((tenant_id, u), 0) for u in units),
                sum(staff.get((tenant_id, u), 0) for u in units),
            )
    return out


def training_hours_per_head(session, period: FigurePeriod, tenant_ids, by_unit):
    """(hours of attendance of the people in post in the period, people in post)."""
    on, staff, rows = _people(session, period, tenant_ids)
    hours: dict[tuple[int, int], float] = defaultdict(float)
    for tenant_id, unit_id, _staff_id, _category, value in rows:
        hours[(tenant_id, unit_id)] += float(value)
    out = _fold(on, staff, hours, by_unit)
    return {k: (round(n, 1), d) for k, (n, d) in out.items()}


def warning_coverage(session, period: FigurePeriod, tenant_ids, by_unit):
    """(people in post who attended a 警示教育 session in the period, people in post)."""
    on, staff, rows = _people(session, period, tenant_ids)
    covered: dict[tuple[int, int], set[int]] = defaultdict(set)
    for tenant_id, unit_id, staff_id, category, _value in rows:
        if category == "warning":
            covered[(tenant_id, unit_id)].add(staff_id)
    return _fold(on, staff, {k: len(v) for k, v in covered.items()}, by_unit)


FIGURES = [
    FigureProvider("integrity_training_hours", "人均培训学时", training_hours_per_head, "average", True),
    FigureProvider("integrity_warning_coverage", "警示教育覆盖率", warning_coverage, "rate", True),
]
