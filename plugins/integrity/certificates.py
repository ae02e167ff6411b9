"""执法证件 beyond the register: the tenant's warning window (证件到期提前预警天数), the list of expiring and expired
certificates with its export and reminders, retiring and transferring a person, the certificates a person held
before, and the answer to ``xingfeng_certificate_status`` (did a person hold a valid certificate on a date).

Pages and API share this module; services flush, the request or the sweep commits.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any, BinaryIO

from openpyxl import Workbook
from sqlalchemy import select

from core.plugin_api import (
    Caller,
    CertificateStatus,
    Conflict,
    FieldError,
    ServiceError,
    Tenant,
    append_event,
    db,
    may_record,
    remind_unit,
    today_in_shanghai,
    units_of_tenant,
    utcnow,
)
from plugins.integrity import service as staff_service
from plugins.integrity.models import (
    CERTIFICATE_STATES,
    STAFF_STATUSES,
    IntegritySetting,
    PastCertificate,
    StaffMember,
)

log = logging.getLogger(__name__)

#: the warning window until a tenant sets its own
DEFAULT_EXPIRING_DAYS = staff_service.EXPIRING_DAYS
MIN_EXPIRING_DAYS, MAX_EXPIRING_DAYS = 1, 365
#: who sets the tenant's window (as the enforcement rubric's thresholds)
MANAGERS = ("city_admin", "tenant_admin")
#: the states the 证件到期预警 list shows
DUE_STATES = ("expiring", "expired")
#: the statuses of someone still in post (their certificate is watched)
IN_POST = ("active", "suspended")
CERTIFICATE_FIELDS = ("certificate_no", "issued_on", "expires_on")


# --- the tenant's warning window ------------------------------------------------------------------------------


def setting() -> IntegritySetting | None:
    """The tenant's stored settings (None until someone sets them)."""
    return db.session.scalar(select(IntegritySetting))


def expiring_days() -> int:
    """How many days ahead a certificate of the tenant in scope counts as 即将到期 (60 unless set)."""
    row = setting()
    return row.expiring_days if row is not None else DEFAULT_EXPIRING_DAYS


def update_setting(caller: Caller, days: int) -> IntegritySetting:
    """Set the tenant's warning window; the change is audited with the value before and after."""
    if not MIN_EXPIRING_DAYS <= days <= MAX_EXPIRING_DAYS:
        raise FieldError("expiring_days", f"应为{MIN_EXPIRING_DAYS}到{MAX_EXPIRING_DAYS}之间的天数")
    row = setting()
    before = row.expiring_days if row is not None else DEFAULT_EXPIRING_DAYS
    if row is None:
        row = IntegritySetting(expiring_days=days, updated_by=caller.actor)
        db.session.add(row)
    row.expiring_days, row.updated_by, row.updated_at = days, caller.actor, utcnow()
    db.session.flush()
    append_event("integrity.settings_updated", caller.actor, {"expiring_days": {"before": before, "after": days}})
    return row


def setting_out() -> dict[str, Any]:
    row = setting()
    return {
        "expiring_days": row.expiring_days if row is not None else DEFAULT_EXPIRING_DAYS,
        "default_expiring_days": DEFAULT_EXPIRING_DAYS,
        "updated_by": row.updated_by if row is not None else None,
        "updated_at": row.updated_at if row is not None else None,
    }


# --- 证件到期预警 ---------------------------------------------------------------------------------------------


def due_certificates(caller: Caller, unit_id: int | None = None, state: str | None = None,
                     within_days: int | None = None, today: date | None = None) -> list[StaffMember]:  # fmt: skip
    """People in post whose certificate expires within the window or has expired, soonest (most overdue) first."""
    today = today or today_in_shanghai()
    within = within_days or expiring_days()
    wanted = (state,) if state else DUE_STATES
    found = [
        s
        for s in staff_service.list_staff(caller, unit_id)
        if s.status in IN_POST and staff_service.certificate_state(s, today, within)[0] in wanted
    ]
    return sorted(found, key=lambda s: (s.expires_on, s.name, s.id))


DUE_SHEET = "证件到期预警"
DUE_HEADERS = ("姓名", "单位", "岗位", "执法证号", "发证日期", "有效期至", "证件状态", "剩余天数", "人员状态")


def write_due_workbook(caller: Caller, staff: list[StaffMember], out: BinaryIO, today: date, within: int) -> None:
    """The expiring and expired certificates as an .xlsx (negative days: days since expiry)."""
    book = Workbook()
    sheet = book.active
    sheet.title = DUE_SHEET
    sheet.append(list(DUE_HEADERS))
    for s in staff:
        unit = caller.unit(s.unit_id)
        state, days = staff_service.certificate_state(s, today, within)
        sheet.append([
            s.name, unit.name if unit else "", s.post, s.certificate_no or "",
            s.issued_on.isoformat() if s.issued_on else "", s.expires_on.isoformat() if s.expires_on else "",
            CERTIFICATE_STATES[state], "" if days is None else days, STAFF_STATUSES[s.status],
        ])  # fmt: skip
    sheet.append([])
    sheet.append([f"即将到期：{within}天内到期；统计日期：{today.isoformat()}"])
    book.save(out)


def remind_expiring(tenant: Tenant, today: date) -> int:
    """Remind each unit of its people's certificates expiring within the window, once per certificate."""
    units = units_of_tenant()
    on = staff_service.enabled_units(units)
    within = expiring_days()
    query = select(StaffMember).where(
        StaffMember.unit_id.in_(on), StaffMember.status.in_(IN_POST), StaffMember.expires_on.is_not(None)
    )
    added = 0
    for staff in db.session.scalars(query.order_by(StaffMember.id)):
        state, days = staff_service.certificate_state(staff, today, within)
        if state != "expiring":
            continue
        expiry = staff.expires_on.isoformat()
        title = f"行政执法证即将到期：{staff.name}（{staff.certificate_no}）将于{expiry}到期，剩余{days}天"
        key = f"integrity.certificate_expiring:{staff.id}:{staff.certificate_no}:{staff.expires_on.isoformat()}"
        added += remind_unit(staff.unit_id, key, title, f"/integrity/staff/{staff.id}")
    if added:
        log.info("integrity certificate reminders of %s on %s: %d", tenant.slug, today, added)
    return added


# --- leaving the register: 退休, 调离, 内部调动 ------------------------------------------------------------------


def _may_change(caller: Caller, staff: StaffMember) -> None:
    if not may_record(caller.user, staff.unit_id, caller.units):
        raise ServiceError("只能维护本单位或下级单位的人员", status=403)
    if staff.status not in IN_POST:
        message = f"该人员已{STAFF_STATUSES[staff.status]}，不能再办理退休或调动"
        raise Conflict(message, {"status": [message]})


def retire_staff(caller: Caller, staff: StaffMember, left_on: date | None, reason: str = "") -> StaffMember:
    """退休: the person leaves the register's watch (no more certificate checks); kept for the record."""
    _may_change(caller, staff)
    left_on = left_on or today_in_shanghai()
    staff.status, staff.left_on, staff.left_reason = "retired", left_on, reason or None
    staff.updated_at = utcnow()
    db.session.flush()
    append_event("integrity.staff_retired", caller.actor,
                 {"staff_id": staff.id, "left_on": left_on.isoformat(), "reason": reason})  # fmt: skip
    return staff


def transfer_staff(caller: Caller, staff: StaffMember, left_on: date | None, reason: str = "",
                   unit_id: int | None = None) -> StaffMember:  # fmt: skip
    """调动: to another unit of the tenant (``unit_id``, still in post), or 调离 out of the bureau (no unit)."""
    _may_change(caller, staff)
    left_on = left_on or today_in_shanghai()
    before = staff.unit_id
    if unit_id is not None:
        staff_service._writable_unit(caller, unit_id)
        if unit_id == staff.unit_id:
            raise FieldError("unit_id", "调入单位与现单位相同")
        staff.unit_id = unit_id
        staff.left_reason = reason or None
    else:
        staff.status, staff.left_on, staff.left_reason = "transferred", left_on, reason or None
    staff.updated_at = utcnow()
    db.session.flush()
    append_event(
        "integrity.staff_transferred",
        caller.actor,
        {"staff_id": staff.id, "from_unit_id": before, "to_unit_id": unit_id, "on": left_on.isoformat(),
         "reason": reason},
    )  # fmt: skip
    return staff


# --- the certificates a person held before --------------------------------------------------------------------


def remember_certificate(staff: StaffMember, changes: dict[str, Any], actor: str) -> PastCertificate | None:
    """Keep the certificate on the register before a change replaces it (a renewal, a new number)."""
    if not staff.certificate_no or staff.expires_on is None:
        return None
    if all(changes.get(k, getattr(staff, k)) == getattr(staff, k) for k in CERTIFICATE_FIELDS):
        return None
    past = PastCertificate(
        staff_id=staff.id,
        certificate_no=staff.certificate_no,
        issued_on=staff.issued_on,
        expires_on=staff.expires_on,
        replaced_by=actor,
        replaced_at=utcnow(),
    )
    db.session.add(past)
    return past


def past_certificates(staff_id: int) -> list[PastCertificate]:
    query = select(PastCertificate).where(PastCertificate.staff_id == staff_id)
    return list(db.session.scalars(query.order_by(PastCertificate.expires_on.desc(), PastCertificate.id.desc())))


# --- the answer to ``xingfeng_certificate_status`` --------------------------------------------------------------


def _person(on_units: set[int], certificate_no: str | None, name: str | None) -> StaffMember | str | None:
    """The person meant: by certificate number (current or past), else by name; "ambiguous" for several."""
    in_scope = select(StaffMember).where(StaffMember.unit_id.in_(on_units))
    if certificate_no:
        person = db.session.scalar(in_scope.where(StaffMember.certificate_no == certificate_no))
        if person is None:
            past = db.session.scalar(select(PastCertificate.staff_id).where(
                PastCertificate.certificate_no == certificate_no).limit(1))  # fmt: skip
            person = db.session.scalar(in_scope.where(StaffMember.id == past)) if past is not None else None
        if person is not None:
            return person
    if not name:
        return None
    matches = list(db.session.scalars(in_scope.where(StaffMember.name == name).order_by(StaffMember.id)))
    if len(matches) > 1:
        in_post = [m for m in matches if m.status in IN_POST]
        matches = in_post if len(in_post) == 1 else matches
    if not matches:
        return None
    return matches[0] if len(matches) == 1 else "ambiguous"


def status_on(tenant: Tenant, certificate_no: str | None, name: str | None, on: date) -> CertificateStatus | None:
    """Whether the person held a valid certificate on ``on``, from the register at the units where the domain is on."""
    person = _person(staff_service.enabled_units(units_of_tenant()), certificate_no, name)
    if person is None:
        return None
    if person == "ambiguous":
        return CertificateStatus("ambiguous", name=name or "")
    held = [(p.certificate_no, p.issued_on, p.expires_on) for p in past_certificates(person.id)]
    if person.certificate_no and person.expires_on is not None:
        held.insert(0, (person.certificate_no, person.issued_on, person.expires_on))
    in_force = [c for c in held if (c[1] is None or c[1] <= on) and on <= c[2]]
    lapsed = sorted((c for c in held if c[2] < on), key=lambda c: c[2], reverse=True)
    state, cert = ("valid", in_force[0]) if in_force else ("expired", lapsed[0]) if lapsed else ("none", None)
    return CertificateStatus(
        state,
        name=person.name,
        certificate_no=cert[0] if cert else None,
        expires_on=cert[2] if cert else None,
        staff_id=person.id,
        unit_id=person.unit_id,
    )
