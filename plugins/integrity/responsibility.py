"""党风廉政建设责任书 (两个责任): each unit signs two statements a year, 主体责任 (its head) and 监督责任 (its
discipline officer); the signed copy is uploaded; units lacking either are listed and, in the first quarter,
reminded once a year by the sweep.

Pages and API share this module. A statement is of one unit, year and kind (one of each); its signer is a person of
that unit in the staff register. A statement recorded by mistake is deleted, its reason kept in the audit chain.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any, BinaryIO

from openpyxl import Workbook
from sqlalchemy import select

from core.plugin_api import (
    Caller,
    Conflict,
    FieldError,
    NotFound,
    ServiceError,
    Tenant,
    append_event,
    db,
    may_record,
    remind_unit,
    save_evidence,
    scoped_get,
    today_in_shanghai,
    units_of_tenant,
    utcnow,
)
from plugins.integrity.models import StaffMember
from plugins.integrity.service import enabled_units
from plugins.integrity.training import visible_units
from plugins.integrity.training_models import RESPONSIBILITY_KINDS, ResponsibilityStatement

log = logging.getLogger(__name__)

WRITERS = ("city_supervisor", "tenant_admin", "officer")
#: the sweep reminds in the first quarter (责任书 are signed at the start of the year)
REMIND_UNTIL_MONTH = 3
SIGNER_ERROR = "签订人应为该单位人员名册中的在岗人员"


def get_statement(caller: Caller, statement_id: int) -> ResponsibilityStatement:
    row = scoped_get(ResponsibilityStatement, statement_id)
    if row is None or row.unit_id not in visible_units(caller):
        raise NotFound("未找到该责任书")
    return row


def may_change(caller: Caller, statement: ResponsibilityStatement) -> bool:
    return caller.user.role in WRITERS and may_record(caller.user, statement.unit_id, caller.units)


def list_statements(caller: Caller, filters: dict[str, Any] | None = None) -> list[ResponsibilityStatement]:
    """The statements the caller sees, by unit and kind; ``filters``: year, unit_id, kind."""
    filters = filters or {}
    query = select(ResponsibilityStatement).where(ResponsibilityStatement.unit_id.in_(visible_units(caller)))
    for name in ("year", "unit_id", "kind"):
        if filters.get(name):
            query = query.where(getattr(ResponsibilityStatement, name) == filters[name])
    order = {u.id: i for i, u in enumerate(caller.units)}
    found = db.session.scalars(query)
    return sorted(found, key=lambda s: (-s.year, order.get(s.unit_id, 0), list(RESPONSIBILITY_KINDS).index(s.kind)))


def signers(statements: list[ResponsibilityStatement]) -> dict[int, StaffMember]:
    ids = {s.signer_staff_id for s in statements}
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(StaffMember).where(StaffMember.id.in_(ids)))}


def _writable_unit(caller: Caller, unit_id: int | None, field: str = "unit_id"):
    unit = caller.unit(unit_id) if unit_id else None
    if unit is None:
        raise FieldError(field, "单位不存在")
    if unit.id not in enabled_units(caller.units):
        raise FieldError(field, "该单位未启用队伍建设与廉政业务")
    if not may_record(caller.user, unit.id, caller.units):
        raise ServiceError("只能登记本单位或下级单位的责任书", {field: ["只能登记本单位或下级单位的责任书"]}, 403)
    return unit


def _check_signer(staff_id: int | None, unit_id: int) -> StaffMember:
    staff = scoped_get(StaffMember, staff_id) if staff_id else None
    if staff is None or staff.unit_id != unit_id or staff.status != "active":
        raise FieldError("signer_staff_id", SIGNER_ERROR)
    return staff


def _check_signed_on(signed_on: date | None, year: int) -> None:
    if signed_on is None:
        raise FieldError("signed_on", "请填写签订日期")
    if signed_on > today_in_shanghai():
        raise FieldError("signed_on", "签订日期不能晚于今天")
    if signed_on.year not in (year - 1, year):
        raise FieldError("signed_on", f"{year}年度责任书的签订日期应在{year - 1}年或{year}年内")


def create_statement(caller: Caller, data: dict[str, Any]) -> ResponsibilityStatement:
    """Record a unit's statement of a year and kind (409 when that one is recorded already)."""
    unit = _writable_unit(caller, data.get("unit_id"))
    year, kind = data["year"], data["kind"]
    _check_signer(data.get("signer_staff_id"), unit.id)
    _check_signed_on(data.get("signed_on"), year)
    exists = db.session.scalar(select(ResponsibilityStatement.id).where(
        ResponsibilityStatement.unit_id == unit.id, ResponsibilityStatement.year == year,
        ResponsibilityStatement.kind == kind))  # fmt: skip
    if exists is not None:
        conflict = Conflict(f"{unit.name}{year}年度的{RESPONSIBILITY_KINDS[kind]}书已登记",
                            {"kind": [f"{year}年度的{RESPONSIBILITY_KINDS[kind]}书已登记"]})  # fmt: skip
        conflict.extra["statement_id"] = exists
        raise conflict
    now = utcnow()
    row = ResponsibilityStatement(unit_id=unit.id, year=year, kind=kind, signer_staff_id=data["signer_staff_id"],
                                  signed_on=data["signed_on"], created_by=caller.actor, created_at=now,
                                  updated_by=caller.actor, updated_at=now)  # fmt: skip
    db.session.add(row)
    db.session.flush()
    append_event("integrity.responsibility_signed", caller.actor, {
        "statement_id": row.id, "unit_id": unit.id, "year": year, "kind": kind,
        "signer_staff_id": row.signer_staff_id, "signed_on": row.signed_on.isoformat()})  # fmt: skip
    return row


def _require_change(caller: Caller, statement: ResponsibilityStatement) -> None:
    if not may_change(caller, statement):
        raise ServiceError("只能维护本单位或下级单位的责任书", status=403)


def update_statement(caller: Caller, statement: ResponsibilityStatement, changes: dict[str, Any]):
    """Correct the signer or the signed date; the unit, year and kind stay (delete and record anew otherwise)."""
    _require_change(caller, statement)
    changes = {k: v for k, v in changes.items() if k in ("signer_staff_id", "signed_on") and v is not None}
    if "signer_staff_id" in changes:
        _check_signer(changes["signer_staff_id"], statement.unit_id)
    if "signed_on" in changes:
        _check_signed_on(changes["signed_on"], statement.year)
    changes = {k: v for k, v in changes.items() if getattr(statement, k) != v}
    if not changes:
        return statement
    before = {k: getattr(statement, k) for k in changes}
    for key, value in changes.items():
        setattr(statement, key, value)
    statement.updated_by, statement.updated_at = caller.actor, utcnow()
    db.session.flush()

    def plain(d):
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in d.items()}

    append_event("integrity.responsibility_updated", caller.actor,
                 {"statement_id": statement.id, "before": plain(before), "after": plain(changes)})  # fmt: skip
    return statement


def attach_file(caller: Caller, statement: ResponsibilityStatement, stream: BinaryIO, filename: str):
    """Store the signed copy (扫描件), checked by content and size; a new upload replaces the one shown."""
    _require_change(caller, statement)
    stored = save_evidence(stream, filename)
    before = statement.file_sha256
    statement.file_sha256, statement.file_size = stored.sha256, stored.size
    statement.file_content_type, statement.file_name = stored.kind.content_type, stored.original_name
    statement.updated_by, statement.updated_at = caller.actor, utcnow()
    db.session.flush()
    append_event("integrity.responsibility_file_added", caller.actor, {
        "statement_id": statement.id, "sha256": stored.sha256, "filename": stored.original_name,
        "replaces": before})  # fmt: skip
    return statement


def delete_statement(caller: Caller, statement: ResponsibilityStatement, reason: str) -> None:
    """Delete a statement recorded by mistake; what it was and why stay in the audit chain."""
    _require_change(caller, statement)
    if not (reason or "").strip():
        raise FieldError("reason", "请填写删除原因")
    data = {"statement_id": statement.id, "unit_id": statement.unit_id, "year": statement.year,
            "kind": statement.kind, "signer_staff_id": statement.signer_staff_id,
            "signed_on": statement.signed_on.isoformat(), "sha256": statement.file_sha256,
            "reason": reason.strip()[:200]}  # fmt: skip
    db.session.delete(statement)
    db.session.flush()
    append_event("integrity.responsibility_deleted", caller.actor, data)


# --- who has not signed ---------------------------------------------------------------------------------------


def _missing(units: list, year: int) -> list[tuple[Any, list[str]]]:
    have: dict[int, set[str]] = {}
    ids = [u.id for u in units]
    for unit_id, kind in db.session.execute(
        select(ResponsibilityStatement.unit_id, ResponsibilityStatement.kind).where(
            ResponsibilityStatement.year == year, ResponsibilityStatement.unit_id.in_(ids)
        )
    ):
        have.setdefault(unit_id, set()).add(kind)
    out = []
    for unit in units:
        lacking = [k for k in RESPONSIBILITY_KINDS if k not in have.get(unit.id, set())]
        if lacking:
            out.append((unit, lacking))
    return out


def unsigned(caller: Caller, year: int) -> list[dict[str, Any]]:
    """The units the caller sees that lack either statement of the year, with what they lack."""
    seen = visible_units(caller)
    units = [u for u in caller.units if u.id in seen]
    return [
        {"unit_id": u.id, "unit_name": u.name, "missing": lacking,
         "missing_names": [RESPONSIBILITY_KINDS[k] for k in lacking]}
        for u, lacking in _missing(units, year)
    ]  # fmt: skip


def remind_unsigned(tenant: Tenant, today: date) -> int:
    """In the first quarter, remind each unit that lacks a statement of the current year, once per unit and year."""
    if today.month > REMIND_UNTIL_MONTH:
        return 0
    units = units_of_tenant()
    on = enabled_units(units)
    added = 0
    for unit, lacking in _missing([u for u in units if u.id in on], today.year):
        names = "、".join(RESPONSIBILITY_KINDS[k] for k in lacking)
        title = f"{unit.name}尚未签订{today.year}年度党风廉政建设责任书（{names}）"
        added += remind_unit(unit.id, f"integrity.responsibility:{unit.id}:{today.year}", title,
                             f"/integrity/responsibility?year={today.year}")  # fmt: skip
    if added:
        log.info("integrity responsibility reminders of %s on %s: %d", tenant.slug, today, added)
    return added


# --- export ---------------------------------------------------------------------------------------------------


def write_statements_workbook(caller: Caller, statements: list[ResponsibilityStatement], out: BinaryIO) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "党风廉政建设责任书"
    sheet.append(["年度", "单位", "类别", "签订人", "岗位", "签订日期", "签字扫描件"])
    people = signers(statements)
    for s in statements:
        unit = caller.unit(s.unit_id)
        signer = people.get(s.signer_staff_id)
        sheet.append([s.year, unit.name if unit else "", RESPONSIBILITY_KINDS[s.kind], signer.name if signer else "",
                      signer.post if signer else "", s.signed_on.isoformat(), s.file_name or "未上传"])  # fmt: skip
    for column, width in zip("ABCDEFG", (8, 24, 10, 10, 16, 12, 30), strict=True):
        sheet.column_dimensions[column].width = width
    book.save(out)


def write_unsigned_workbook(rows: list[dict[str, Any]], year: int, out: BinaryIO) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "未签订责任书单位"
    sheet.append(["年度", "单位", "未签订"])
    for r in rows:
        sheet.append([year, r["unit_name"], "、".join(r["missing_names"])])
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["C"].width = 20
    book.properties.title = f"{year}年度未签订党风廉政建设责任书单位"
    book.save(out)
