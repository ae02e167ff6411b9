"""The integrity figure 廉政风险点覆盖率, handed to the core by ``xingfeng_register_figures``.

A unit where the domain is on but no risk point is recorded has not done its 廉政风险点排查: it counts as not covered.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from core.plugin_api import FigurePeriod, FigureProvider, units_with_domain
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
