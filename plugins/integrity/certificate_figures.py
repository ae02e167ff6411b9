"""The certificate figures 执法证件即将到期 and 执法证件已过期 (issue 15, item 8).

Counted at the period's end (today, for a period not over yet) over the people in post at units where the domain
is on who hold a 执法证: expired, or expiring within the plugin's default warning window (60 days; the tenants'
own windows shape their pages and reminders, a figure compared across tenants needs one window). The register keeps
who is in post now, so a past period is read with today's staff.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.plugin_api import FigurePeriod, FigureProvider, today_in_shanghai, units_with_domain
from plugins.integrity.domain import DOMAIN
from plugins.integrity.models import StaffMember
from plugins.integrity.service import EXPIRING_DAYS


def _count(session, period: FigurePeriod, tenant_ids, by_unit, expired: bool):
    day = min(period.ends_on, today_in_shanghai())
    on = units_with_domain(session, tenant_ids, DOMAIN.slug)
    stmt = select(StaffMember.tenant_id, StaffMember.unit_id).where(
        StaffMember.tenant_id.in_(list(tenant_ids)),
        StaffMember.status == "active",
        StaffMember.certificate_no.is_not(None),
        StaffMember.expires_on.is_not(None),
    )
    if expired:
        stmt = stmt.where(StaffMember.expires_on < day)
    else:
        stmt = stmt.where(StaffMember.expires_on.between(day, day + timedelta(days=EXPIRING_DAYS)))
    found: dict = {}
    for tenant_id, unit_id in session.execute(stmt):
        if unit_id in on.get(tenant_id, ()):
            key = (tenant_id, unit_id) if by_unit else tenant_id
            found[key] = found.get(key, 0) + 1
    out: dict = {}
    for tenant_id, units in on.items():
        if by_unit:
            out.update({(tenant_id, u): found.get((tenant_id, u), 0) for u in units})
        elif units:
            out[tenant_id] = found.get(tenant_id, 0)
    return out


def certificates_expiring(session, period: FigurePeriod, tenant_ids, by_unit):
    """People in post whose certificate expires within 60 days of the period's end."""
    return _count(session, period, tenant_ids, by_unit, expired=False)


def certificates_expired(session, period: FigurePeriod, tenant_ids, by_unit):
    """People in post whose certificate had expired by the period's end."""
    return _count(session, period, tenant_ids, by_unit, expired=True)


FIGURES = [
    FigureProvider("integrity_certificates_expiring", "执法证件即将到期", certificates_expiring, "count", False),
    FigureProvider("integrity_certificates_expired", "执法证件已过期", certificates_expired, "count", False),
]
