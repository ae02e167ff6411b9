"""The staff register (人员名册) with 执法证件: registering, the certificate states, the daily sweep, import, export."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any, BinaryIO

from openpyxl import Workbook
from sqlalchemy import select

from core.plugin_api import (
    Caller,
    FieldError,
    ImportRefused,
    NotFound,
    ServiceError,
    Tenant,
    Unit,
    append_event,
    blank,
    cell_text,
    create_system_problem,
    db,
    domain_states,
    may_record,
    parse_date,
    read_table,
    scoped_get,
    today_in_shanghai,
    units_of_tenant,
    utcnow,
    visible_unit_ids,
)
from plugins.integrity.domain import DOMAIN
from plugins.integrity.models import CERTIFICATE_STATES, STAFF_STATUSES, StaffMember

log = logging.getLogger(__name__)

WRITERS = ("city_supervisor", "tenant_admin", "officer")
#: how many days ahead a certificate counts as expiring (a request may ask for another window)
EXPIRING_DAYS = 60
EXPIRED_RULE = "integrity.certificate_expired"
SYSTEM_DEADLINE_WORKING_DAYS = 10


# --- who sees what --------------------------------------------------------------------------------------------


def enabled_units(units: list[Unit]) -> set[int]:
    """Ids of the units where the integrity domain is enabled."""
    return {u.id for u in units if domain_states(u, units)[DOMAIN.slug].enabled}


def _visible(caller: Caller, unit_id: int) -> bool:
    units = visible_unit_ids(caller.user, caller.units)
    return (units is None or unit_id in units) and unit_id in enabled_units(caller.units)


def _writable_unit(caller: Caller, unit_id: int, field: str = "unit_id") -> Unit:
    unit = caller.unit(unit_id)
    if unit is None:
        raise FieldError(field, "单位不存在")
    if unit.id not in enabled_units(caller.units):
        raise FieldError(field, "该单位未启用队伍建设与廉政业务")
    if not may_record(caller.user, unit.id, caller.units):
        raise ServiceError("只能登记本单位或下级单位的人员", {field: ["只能登记本单位或下级单位的人员"]}, 403)
    return unit


def get_staff(caller: Caller, staff_id: int) -> StaffMember:
    staff = scoped_get(StaffMember, staff_id)
    if staff is None or not _visible(caller, staff.unit_id):
        raise NotFound("未找到该人员")
    return staff


def list_staff(caller: Caller, unit_id: int | None = None, state: str | None = None,
               within_days: int = EXPIRING_DAYS, today: date | None = None) -> list[StaffMember]:  # fmt: skip
    query = select(StaffMember).order_by(StaffMember.unit_id, StaffMember.name, StaffMember.id)
    units = visible_unit_ids(caller.user, caller.units)
    if units is not None:
        query = query.where(StaffMember.unit_id.in_(units))
    query = query.where(StaffMember.unit_id.in_(enabled_units(caller.units)))
    if unit_id is not None:
        caller.filter_unit(unit_id)
        query = query.where(StaffMember.unit_id == unit_id)
    staff = list(db.session.scalars(query))
    if state:
        today = today or today_in_shanghai()
        staff = [s for s in staff if certificate_state(s, today, within_days)[0] == state]
    return staff


# --- certificates ---------------------------------------------------------------------------------------------


def certificate_state(staff: StaffMember, today: date, within_days: int = EXPIRING_DAYS) -> tuple[str, int | None]:
    """(state, days left): 有效 / 即将到期 (within ``within_days``) / 已过期 / 未持证."""
    if not staff.certificate_no or staff.expires_on is None:
        return "none", None
    days = (staff.expires_on - today).days
    if days < 0:
        return "expired", days
    if days <= within_days:
        return "expiring", days
    return "valid", days


def check_certificate(tenant: Tenant, staff: StaffMember, today: date) -> int:
    """An expired certificate of a person in post becomes a system problem, once per certificate and expiry."""
    state, days = certificate_state(staff, today)
    if state != "expired" or staff.status != "active":
        return 0
    expiry = staff.expires_on.isoformat()
    problem = create_system_problem(
        tenant,
        {
            "unit_id": staff.unit_id,
            "domain": DOMAIN.slug,
            "category": "certificate",
            "severity": "serious",
            "source": "system_rule",
            "title": f"{staff.name}的行政执法证已过期"[:200],
            "description": f"{staff.name}（{staff.post or '未填岗位'}，执法证号{staff.certificate_no}）的行政执法证"
            f"已于{expiry}到期，已过期{-days}天。证件过期人员不得从事行政执法活动，应暂停其执法工作并办理换证。",
            "rectification_type": "deadline",
            "deadline_working_days": SYSTEM_DEADLINE_WORKING_DAYS,
            "custom_fields": {"staff_name": staff.name, "post": staff.post, "certificate_no": staff.certificate_no},
        },
        EXPIRED_RULE,
        f"{staff.id}:{expiry}",
    )
    return 0 if problem is None else 1


def sweep(tenant: Tenant, today: date) -> int:
    """The daily check of every certificate of the tenant in scope, at the units where the domain is on."""
    on = enabled_units(units_of_tenant())
    recorded = 0
    for staff in db.session.scalars(select(StaffMember).where(StaffMember.unit_id.in_(on)).order_by(StaffMember.id)):
        recorded += check_certificate(tenant, staff, today)
    if recorded:
        log.info("integrity sweep of %s on %s recorded %d", tenant.slug, today, recorded)
    return recorded


# --- registering ----------------------------------------------------------------------------------------------


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()}


def _check_dates(data: dict[str, Any]) -> None:
    if data.get("issued_on") and data.get("expires_on") and data["expires_on"] < data["issued_on"]:
        raise FieldError("expires_on", "有效期至不能早于发证日期")
    if data.get("certificate_no") and not data.get("expires_on"):
        raise FieldError("expires_on", "持证人员应填写证件有效期至")


def _unique_number(number: str | None, staff_id: int | None = None, field: str = "certificate_no") -> None:
    if not number:
        return
    found = db.session.scalar(select(StaffMember.id).where(StaffMember.certificate_no == number))
    if found is not None and found != staff_id:
        raise FieldError(field, "该执法证号已登记")


def create_staff(caller: Caller, data: dict[str, Any], today: date | None = None) -> StaffMember:
    """Register a person; an expired certificate becomes a problem at once."""
    _writable_unit(caller, data["unit_id"])
    data = {**data, "certificate_no": data.get("certificate_no") or None}
    _check_dates(data)
    _unique_number(data["certificate_no"])
    staff = _new_staff(caller, data)
    db.session.add(staff)
    db.session.flush()
    append_event("integrity.staff_created", caller.actor, {"staff_id": staff.id, **_jsonable(data)})
    check_certificate(caller.tenant, staff, today or today_in_shanghai())
    return staff


def _new_staff(caller: Caller, data: dict[str, Any]) -> StaffMember:
    now = utcnow()
    return StaffMember(
        name=data["name"],
        unit_id=data["unit_id"],
        post=data.get("post") or "",
        certificate_no=data.get("certificate_no") or None,
        issued_on=data.get("issued_on"),
        expires_on=data.get("expires_on"),
        status=data.get("status") or "active",
        created_by=caller.actor,
        created_at=now,
        updated_at=now,
    )


def update_staff(caller: Caller, staff: StaffMember, changes: dict[str, Any]) -> StaffMember:
    """Change a person (a renewed certificate, a transfer); the certificate is checked again."""
    if not may_record(caller.user, staff.unit_id, caller.units):
        raise ServiceError("只能维护本单位或下级单位的人员", status=403)
    if "unit_id" in changes:
        _writable_unit(caller, changes["unit_id"])
    if "certificate_no" in changes:
        changes = {**changes, "certificate_no": changes["certificate_no"] or None}
        _unique_number(changes["certificate_no"], staff.id)
    merged = {k: getattr(staff, k) for k in ("certificate_no", "issued_on", "expires_on")} | changes
    _check_dates(merged)
    before = {k: getattr(staff, k) for k in changes}
    from plugins.integrity.certificates import remember_certificate

    remember_certificate(staff, changes, caller.actor)  # a renewed certificate: the old one is kept
    for key, value in changes.items():
        setattr(staff, key, value)
    staff.updated_at = utcnow()
    db.session.flush()
    append_event(
        "integrity.staff_updated",
        caller.actor,
        {"staff_id": staff.id, "before": _jsonable(before), "after": _jsonable(changes)},
    )
    check_certificate(caller.tenant, staff, today_in_shanghai())
    return staff


# --- import ---------------------------------------------------------------------------------------------------

SHEET = "人员名册"
NOT_TABLE = "只接受 Excel .xlsx 或 CSV 文件"
MAX_ROWS = 20_000
#: (key, header, required)
COLUMNS = (
    ("name", "姓名", True),
    ("unit", "单位", True),
    ("post", "岗位", False),
    ("certificate_no", "执法证号", False),
    ("issued_on", "发证日期", False),
    ("expires_on", "有效期至", False),
    ("status", "状态", False),
)
HEADER = {key: header for key, header, _ in COLUMNS}
STATUS_BY_NAME = {name: code for code, name in STAFF_STATUSES.items()}


def import_staff(caller: Caller, stream: BinaryIO, filename: str, dry_run: bool = False) -> dict[str, Any]:
    """Read every row, check every cell, then write all or nothing (422 names each bad row and column).

    A row whose 执法证号 is registered already updates that person; a row without one is always new.
    """
    rows = iter(read_table(stream, filename, SHEET, NOT_TABLE, 50))
    errors: list[dict[str, Any]] = []

    def error(row: int, column: str, message: str) -> None:
        errors.append({"row": row, "column": column, "message": message})

    index: dict[str, int] = {}
    by_header = {header: key for key, header, _ in COLUMNS}
    for i, value in enumerate(next(rows, None) or ()):
        key = by_header.get(cell_text(value))
        if key is None:
            continue
        if key in index:
            error(1, HEADER[key], "表头重复")
        index[key] = i
    for key, header, required in COLUMNS:
        if required and key not in index:
            error(1, header, f"缺少「{header}」列")
    if errors:
        raise ImportRefused(errors)
    writable = {u.id for u in caller.units if may_record(caller.user, u.id, caller.units)}
    writable &= enabled_units(caller.units)
    units_by_name = {u.name: u for u in caller.units if u.id in writable}
    units_by_code = {u.code: u for u in caller.units if u.id in writable}
    stored = {s.certificate_no: s for s in list_staff(caller) if s.certificate_no}
    parsed: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, values in enumerate(rows, start=2):
        if all(blank(v) for v in values):
            continue
        if len(parsed) >= MAX_ROWS:
            raise FieldError("file", f"每个文件最多导入{MAX_ROWS}行，请拆分后分批导入")
        cells = {key: (values[i] if i < len(values) else None) for key, i in index.items()}
        row: dict[str, Any] = {"_row": number}
        for key, limit in (("name", 50), ("post", 100), ("certificate_no", 40)):
            text = cell_text(cells.get(key))
            if key == "name" and not text:
                error(number, HEADER[key], "不能为空")
            elif len(text) > limit:
                error(number, HEADER[key], f"不能超过{limit}个字符")
            row[key] = text
        unit_text = cell_text(cells.get("unit"))
        unit = units_by_name.get(unit_text) or units_by_code.get(unit_text)
        if not unit_text:
            error(number, HEADER["unit"], "不能为空")
        elif unit is None:
            error(number, HEADER["unit"], f"单位「{unit_text}」不存在、未启用本业务或不在您的管理范围内")
        else:
            row["unit_id"] = unit.id
        for key in ("issued_on", "expires_on"):
            value = cells.get(key)
            if blank(value):
                row[key] = None
                continue
            try:
                row[key] = parse_date(value)
            except ValueError:
                error(number, HEADER[key], "日期格式不正确，应为 YYYY-MM-DD")
                row[key] = None
        status_text = cell_text(cells.get("status")) or "在岗"
        if status_text not in STATUS_BY_NAME:
            error(number, HEADER["status"], "应为以下之一：" + "、".join(STATUS_BY_NAME))
        row["status"] = STATUS_BY_NAME.get(status_text, "active")
        cert = row["certificate_no"]
        if cert and blank(cells.get("expires_on")):
            error(number, HEADER["expires_on"], "持证人员应填写证件有效期至")
        if row["issued_on"] and row["expires_on"] and row["expires_on"] < row["issued_on"]:
            error(number, HEADER["expires_on"], "有效期至不能早于发证日期")
        if cert:
            if cert in seen:
                error(number, HEADER["certificate_no"], f"执法证号与第{seen[cert]}行重复")
            seen.setdefault(cert, number)
            other = db.session.scalar(select(StaffMember).where(StaffMember.certificate_no == cert))
            if other is not None and cert not in stored:
                error(number, HEADER["certificate_no"], "该执法证号已登记在您管理范围以外的单位")
        parsed.append(row)
    if not parsed and not errors:
        raise FieldError("file", "文件中没有可导入的数据行")
    if errors:
        errors.sort(key=lambda e: (e["row"], e["column"]))
        raise ImportRefused(errors)
    fields = ("name", "unit_id", "post", "certificate_no", "issued_on", "expires_on", "status")
    created = updated = unchanged = 0
    todo: list[tuple[StaffMember | None, dict[str, Any]]] = []
    for row in parsed:
        data = {k: row[k] for k in fields}
        data["certificate_no"] = data["certificate_no"] or None
        existing = stored.get(data["certificate_no"]) if data["certificate_no"] else None
        if existing is None:
            created += 1
        elif all(getattr(existing, k) == data[k] for k in fields):
            unchanged += 1
            continue
        else:
            updated += 1
        todo.append((existing, data))
    result = {"created": created, "updated": updated, "unchanged": unchanged, "dry_run": dry_run}
    if dry_run or not todo:
        return result
    today = today_in_shanghai()
    touched = []
    for existing, data in todo:
        if existing is None:
            existing = _new_staff(caller, data)
            db.session.add(existing)
        else:
            from plugins.integrity.certificates import remember_certificate

            remember_certificate(existing, data, caller.actor)
            for key, value in data.items():
                setattr(existing, key, value)
            existing.updated_at = utcnow()
        touched.append(existing)
    db.session.flush()
    for staff in touched:
        check_certificate(caller.tenant, staff, today)
    append_event(
        "integrity.staff_imported",
        caller.actor,
        {"created": created, "updated": updated, "staff_ids": [s.id for s in touched][:1000]},
    )
    return result


# --- export ---------------------------------------------------------------------------------------------------


def write_staff_workbook(caller: Caller, staff: list[StaffMember], out: BinaryIO, today: date) -> None:
    """The register as an .xlsx whose first seven columns can be imported again."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([header for _, header, _ in COLUMNS] + ["证件状态", "剩余天数"])
    from plugins.integrity.certificates import expiring_days

    within = expiring_days()
    for s in staff:
        unit = caller.unit(s.unit_id)
        state, days = certificate_state(s, today, within)
        sheet.append([
            s.name, unit.name if unit else "", s.post, s.certificate_no or "",
            s.issued_on.isoformat() if s.issued_on else "", s.expires_on.isoformat() if s.expires_on else "",
            STAFF_STATUSES[s.status], CERTIFICATE_STATES[state], "" if days is None else days,
        ])  # fmt: skip
    book.save(out)
