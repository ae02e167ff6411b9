"""The integrity figure 廉政风险点覆盖率, handed to the core by ``xingfeng_register_figures``.

A unit where the domain is on but no risk point is recorded has not done its 廉政风险点排查: it counts as not covered.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select

from core.plugin_api import FigurePeriod, FigureProvider, grouped_figure, units_with_domain
from plugins.integrity.conduct_models import ConfidentialLead, InterferenceRecord
from plugins.integrity.domain import DOMAIN
from plugins.integrity.models import RiskPoint


def risk_point_coverage(session, period: FigurePeriod, tenant_ids, by_unit):
    """(units with at least one risk point current at the period's end, units where the domain is on)."""
    _start, end = period.utc_bounds()
    on = units_with_domain(session, tenant_ids, DOMAIN.slug)
    covered = set(
        session.execute(
            select(RiskPoint.tenant_id, RiskPoint.unit_id)
            .where(
                RiskPoint.tenant_id.in_(list(tenant_ids)),
                RiskPoint.created_at < end,
                or_(RiskPoint.retired_at.is_(None), RiskPoint.retired_at >= end),
            )
            .distinct()
        ).all()
    )
    out: dict = {}
    for tenant_id, units in on.items():
        if by_unit:
            for unit_id in units:
                out[(tenant_id, unit_id)] = (int((tenant_id, unit_id) in covered), 1)
        elif units:
            out[tenant_id] = (sum((tenant_id, u) in covered for u in units), len(units))
    return out


FIGURES = [FigureProvider("integrity_risk_coverage", "廉政风险点覆盖率", risk_point_coverage, "rate", True)]

# 人均培训学时 and 警示教育覆盖率 (issue 15, item 2)
from plugins.integrity.training_figures import FIGURES as _TRAINING_FIGURES  # noqa: E402

FIGURES += _TRAINING_FIGURES

# 执法证件即将到期 and 执法证件已过期 (issue 15, item 8)
from plugins.integrity.certificate_figures import FIGURES as _CERTIFICATE_FIGURES  # noqa: E402

FIGURES += _CERTIFICATE_FIGURES

# --- 问题线索 and 干预执法记录 (issue 15, items 5 and 6) -------------------------------------------------------


def _per_tenant(session, stmt, tenant_ids, by_unit):
    """Leads are counted per tenant only: asked per unit, a figure of leads answers nothing."""
    if by_unit:
        return {}
    rows = session.execute(
        stmt.add_columns(ConfidentialLead.tenant_id, func.count(ConfidentialLead.id))
        .where(ConfidentialLead.tenant_id.in_(list(tenant_ids)))
        .group_by(ConfidentialLead.tenant_id)
    ).all()
    return {tenant_id: count for tenant_id, count in rows}


def _leads(period: FigurePeriod):
    return ConfidentialLead, select().select_from(ConfidentialLead)


def leads_received(session, period: FigurePeriod, tenant_ids, by_unit):
    """问题线索 received (受理日期) in the period, per tenant."""
    model, stmt = _leads(period)
    return _per_tenant(session, stmt.where(model.received_on.between(period.starts_on, period.ends_on)), tenant_ids,
                       by_unit)  # fmt: skip


def leads_handled(session, period: FigurePeriod, tenant_ids, by_unit):
    """问题线索 concluded (办结日期) in the period, per tenant."""
    model, stmt = _leads(period)
    return _per_tenant(session, stmt.where(model.status == "concluded",
                                           model.concluded_on.between(period.starts_on, period.ends_on)),
                       tenant_ids, by_unit)  # fmt: skip


def leads_substantiated(session, period: FigurePeriod, tenant_ids, by_unit):
    """问题线索 concluded 查实 or 部分查实 in the period, per tenant."""
    model, stmt = _leads(period)
    return _per_tenant(session, stmt.where(model.result.in_(("substantiated", "partly")),
                                           model.concluded_on.between(period.starts_on, period.ends_on)),
                       tenant_ids, by_unit)  # fmt: skip


def interference_records(session, period: FigurePeriod, tenant_ids, by_unit):
    """干预执法记录 of interference that happened in the period (per tenant, or per unit where it was recorded)."""
    model = InterferenceRecord
    stmt = select().select_from(model).where(model.tenant_id.in_(list(tenant_ids)),
                                             model.occurred_on.between(period.starts_on, period.ends_on))  # fmt: skip
    return grouped_figure(session, model, stmt, by_unit, [func.count(model.id)])


FIGURES += [
    FigureProvider("integrity_interference", "干预执法记录", interference_records),
    FigureProvider("integrity_leads_received", "问题线索受理", leads_received),
    FigureProvider("integrity_leads_handled", "问题线索办结", leads_handled),
    FigureProvider("integrity_leads_substantiated", "问题线索查实", leads_substantiated),
]
