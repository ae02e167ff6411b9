"""Demo records for ``xingfeng demo-data``: training sessions and 责任书 at the demo stations (issue 15, items 2, 4).

Left incomplete on purpose, so that the pages show what they are for: the last station's people had no 警示教育
this year, and not every station has signed both statements.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from core.plugin_api import Tenant, append_event, db, units_of_tenant, utcnow
from plugins.integrity.models import StaffMember
from plugins.integrity.service import enabled_units
from plugins.integrity.training_models import (
    ResponsibilityStatement,
    TrainingAttendance,
    TrainingSession,
)

ACTOR = "system:demo"

#: (topic, category, days ago, hours, organiser, who attends: all / all_but_last / certified / first)
SESSIONS = (
    ("观看警示教育片《永远在路上》并开展讨论", "warning", 40, "2.0", "县局纪检组", "all_but_last"),
    ("学习《中国共产党纪律处分条例》", "integrity", 25, "3.0", "县局机关党委", "all"),
    ("行政执法规范化与执法记录仪使用培训", "business", 15, "4.0", "县局法规科", "certified"),
    ("身边典型案例以案促改专题会", "case_reform", 5, "1.5", "", "first"),
)


def _on_or_after_new_year(today: date, days: int) -> date:
    return max(date(today.year, 1, 1), today - timedelta(days=days))


def load(tenant: Tenant, today: date) -> int:
    """Add demo sessions and statements to the tenant in scope, unless it has some already."""
    if db.session.scalar(select(func.count(TrainingSession.id))) or db.session.scalar(
        select(func.count(ResponsibilityStatement.id))
    ):
        return 0
    units = units_of_tenant()
    on = enabled_units(units)
    stations = [u for u in units if u.id in on and u.kind in ("station", "brigade")][:3]
    staff = {
        u.id: list(db.session.scalars(
            select(StaffMember).where(StaffMember.unit_id == u.id, StaffMember.status == "active")
            .order_by(StaffMember.id)
        ))
        for u in stations
    }  # fmt: skip
    everyone = [s for u in stations for s in staff[u.id]]
    if not everyone:
        return 0
    now = utcnow()
    added = 0
    for topic, category, days, hours, organiser, who in SESSIONS:
        held_by = stations[0]
        attendees = {
            "all": everyone,
            "all_but_last": [s for s in everyone if len(stations) == 1 or s.unit_id != stations[-1].id],
            "certified": [s for s in everyone if s.certificate_no],
            "first": staff[held_by.id],
        }[who]
        session = TrainingSession(
            unit_id=held_by.id, topic=topic, category=category, held_on=_on_or_after_new_year(today, days),
            hours=Decimal(hours), organiser=organiser or held_by.name, summary="", created_by=ACTOR,
            created_at=now, updated_by=ACTOR, updated_at=now,
        )  # fmt: skip
        db.session.add(session)
        db.session.flush()
        for person in attendees:
            db.session.add(TrainingAttendance(session_id=session.id, staff_id=person.id))
        db.session.flush()
        append_event("integrity.training_session_recorded", ACTOR, {
            "session_id": session.id, "unit_id": held_by.id, "topic": topic, "category": category,
            "hours": hours, "staff_ids": [p.id for p in attendees]})  # fmt: skip
        added += 1
    # The first station signed both statements, the second only 主体责任, the last none yet.
    for n, unit in enumerate(stations[:-1] if len(stations) > 1 else stations):
        people = staff[unit.id]
        for kind, signer in (("main", people[:1]), ("supervision", people[1:2] if n == 0 else [])):
            if not signer:
                continue
            row = ResponsibilityStatement(
                unit_id=unit.id, year=today.year, kind=kind, signer_staff_id=signer[0].id,
                signed_on=_on_or_after_new_year(today, 60), created_by=ACTOR, created_at=now, updated_by=ACTOR,
                updated_at=now,
            )  # fmt: skip
            db.session.add(row)
            db.session.flush()
            append_event("integrity.responsibility_signed", ACTOR, {
                "statement_id": row.id, "unit_id": unit.id, "year": today.year, "kind": kind,
                "signer_staff_id": signer[0].id, "signed_on": row.signed_on.isoformat()})  # fmt: skip
            added += 1
    return added
