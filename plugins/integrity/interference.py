"""Records of interference in enforcement and approval (干预执法记录), as the 记录报告 rules (“三个规定”) require.

Whoever is asked to intervene in a case — by a leader, a colleague, anyone — records who asked (name, post or
unit), whom, about which case (its number as free text: never a link to another plugin's record), what was asked,
how it was handled, when, and who reports it. Pages and API share this module; import and export as the registers'.
"""

from __future__ import annotations

from datetime import date
from typing import Any, BinaryIO

from openpyxl import Workbook
from sqlalchemy import or_, select

from core.plugin_api import (
    Caller,
    FieldError,
    ImportRefused,
    NotFound,
    ServiceError,
    append_event,
    blank,
    cell_text,
    db,
    may_record,
    parse_date,
    scoped_get,
    today_in_shanghai,
    utcnow,
    visible_unit_ids,
)
from plugins.integrity.conduct_models import INTERFERENCE_KINDS, InterferenceRecord
from plugins.integrity.service import enabled_units
from plugins.integrity.tables import read_register

#: who records: the person asked (an officer, for its unit and below), 纪检, tenant admins and the city's supervisors
WRITERS = ("city_supervisor", "tenant_admin", "officer", "reviewer")
KIND_BY_NAME = {name: code for code, name in INTERFERENCE_KINDS.items()} | {c: c for c in INTERFERENCE_KINDS}
FIELDS = ("unit_id", "occurred_on", "requester", "requester_post", "target", "kind", "case_ref", "request",
          "handling", "reported_by")  # fmt: skip


def _may_write(caller: Caller, unit_id: int) -> bool:
    if caller.user.role == "reviewer":
        return True  # 纪检 records what is reported to it, for any unit of the tenant
    return may_record(caller.user, unit_id, caller.units)


def _visible_units(caller: Caller) -> set[int]:
    on = enabled_units(caller.units)
    if caller.user.role == "reviewer":
        return on
    units = visible_unit_ids(caller.user, caller.units)
    return on if units is None else on & set(units)


def writable_units(caller: Caller) -> list:
    """The units the caller may record for: where the domain is on and it records (its unit and below)."""
    if caller.user.role not in WRITERS:
        return []
    on = enabled_units(caller.units)
    return [u for u in caller.units if u.id in on and _may_write(caller, u.id)]


def _writable_unit(caller: Caller, unit_id: int | None):
    unit = caller.unit(unit_id) if unit_id else None
    if unit is None:
        raise FieldError("unit_id", "单位不存在")
    if unit.id not in enabled_units(caller.units):
        raise FieldError("unit_id", "该单位未启用队伍建设与廉政业务")
    if not _may_write(caller, unit.id):
        message = "只能登记本单位或下级单位的干预记录"
        raise ServiceError(message, {"unit_id": [message]}, 403)
    return unit


def get_record(caller: Caller, record_id: int) -> InterferenceRecord:
    record = scoped_get(InterferenceRecord, record_id)
    if record is None or record.unit_id not in _visible_units(caller):
        raise NotFound("未找到该干预记录")
    return record


def list_records(caller: Caller, filters: dict[str, Any] | None = None) -> list[InterferenceRecord]:
    """The records the caller sees, newest first; by unit, kind, period and keyword."""
    filters = filters or {}
    query = select(InterferenceRecord).where(InterferenceRecord.unit_id.in_(_visible_units(caller)))
    if filters.get("unit_id"):
        query = query.where(InterferenceRecord.unit_id == filters["unit_id"])
    if filters.get("kind"):
        query = query.where(InterferenceRecord.kind == filters["kind"])
    if filters.get("date_from"):
        query = query.where(InterferenceRecord.occurred_on >= filters["date_from"])
    if filters.get("date_to"):
        query = query.where(InterferenceRecord.occurred_on <= filters["date_to"])
    if filters.get("q"):
        like = f"%{filters['q']}%"
        r = InterferenceRecord
        query = query.where(
            or_(r.requester.like(like), r.target.like(like), r.case_ref.like(like), r.request.like(like))
        )
    return list(db.session.scalars(query.order_by(InterferenceRecord.occurred_on.desc(), InterferenceRecord.id.desc())))


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()}


def _check_date(occurred_on: date | None) -> None:
    if occurred_on is None:
        raise FieldError("occurred_on", "请填写发生日期")
    if occurred_on > today_in_shanghai():
        raise FieldError("occurred_on", "发生日期不能晚于今天")


def create_record(caller: Caller, data: dict[str, Any]) -> InterferenceRecord:
    """Record one interference at a unit the caller may record for."""
    unit = _writable_unit(caller, data.get("unit_id"))
    values = {k: data.get(k) for k in FIELDS} | {"unit_id": unit.id}
    values["kind"] = values["kind"] or "enforcement"
    values["requester_post"] = values["requester_post"] or ""
    _check_date(values["occurred_on"])
    now = utcnow()
    record = InterferenceRecord(**values, created_by=caller.actor, created_at=now, updated_by=caller.actor,
                                updated_at=now)  # fmt: skip
    db.session.add(record)
    db.session.flush()
    append_event("integrity.interference_recorded", caller.actor,
                 {"interference_id": record.id, "unit_id": unit.id, "kind": record.kind,
                  "occurred_on": record.occurred_on.isoformat(), "case_ref": record.case_ref})  # fmt: skip
    return record


def update_record(caller: Caller, record: InterferenceRecord, changes: dict[str, Any]) -> InterferenceRecord:
    """Change a record (a later handling note, a corrected date); only what changes is recorded."""
    if not _may_write(caller, record.unit_id) or caller.user.role not in WRITERS:
        raise ServiceError("只能维护本单位或下级单位的干预记录", status=403)
    changes = {k: v for k, v in changes.items() if k in FIELDS and v is not None and getattr(record, k) != v}
    if "unit_id" in changes:
        _writable_unit(caller, changes["unit_id"])
    if "occurred_on" in changes:
        _check_date(changes["occurred_on"])
    if not changes:
        return record
    before = {k: getattr(record, k) for k in changes}
    for key, value in changes.items():
        setattr(record, key, value)
    record.updated_by, record.updated_at = caller.actor, utcnow()
    db.session.flush()
    append_event("integrity.interference_updated", caller.actor,
                 {"interference_id": record.id, "before": _jsonable(before), "after": _jsonable(changes)})  # fmt: skip
    return record


# --- import ---------------------------------------------------------------------------------------------------

SHEET = "干预执法记录"
NOT_TABLE = "只接受 Excel .xlsx 或 CSV 文件"
MAX_ROWS = 5_000
#: (key, header, required, max length)
COLUMNS = (
    ("unit", "单位", True, 100),
    ("occurred_on", "发生日期", True, 20),
    ("requester", "干预人", True, 50),
    ("requester_post", "干预人职务或单位", False, 100),
    ("target", "被干预人", True, 50),
    ("kind", "类型", False, 10),
    ("case_ref", "涉及案件或事项", True, 200),
    ("request", "干预内容", True, 4000),
    ("handling", "处理情况", True, 4000),
    ("reported_by", "报告人", True, 50),
)
HEADER = {key: header for key, header, _, _ in COLUMNS}
#: what identifies a record in an import: the same file twice changes nothing
KEY = ("unit_id", "occurred_on", "requester", "target", "case_ref")


def import_records(caller: Caller, stream: BinaryIO, filename: str, dry_run: bool = False) -> dict[str, Any]:
    """Read every row, check every cell, then write all or nothing (422 names each bad row and column).

    A row is the record of its unit, date, 干预人, 被干预人 and 涉及案件或事项: one already recorded is updated when
    the other cells differ, so the same file imported twice changes nothing.
    """
    rows, index, errors, error = read_register(stream, filename, SHEET, NOT_TABLE, COLUMNS)
    writable = {u.id: u for u in writable_units(caller)}
    by_name = {u.name: u for u in writable.values()} | {u.code: u for u in writable.values()}
    today = today_in_shanghai()
    parsed: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    for number, values in enumerate(rows, start=2):
        if all(blank(v) for v in values):
            continue
        if len(parsed) >= MAX_ROWS:
            raise FieldError("file", f"每个文件最多导入{MAX_ROWS}行，请拆分后分批导入")
        cells = {key: (values[i] if i < len(values) else None) for key, i in index.items()}
        row: dict[str, Any] = {"_row": number}
        for key, header, required, limit in COLUMNS:
            if key in ("unit", "kind", "occurred_on"):
                continue
            text = cell_text(cells.get(key))
            if required and not text:
                error(number, header, "不能为空")
            elif len(text) > limit:
                error(number, header, f"不能超过{limit}个字符")
            row[key] = text
        unit_text = cell_text(cells.get("unit"))
        unit = by_name.get(unit_text)
        if not unit_text:
            error(number, HEADER["unit"], "不能为空")
        elif unit is None:
            error(number, HEADER["unit"], f"单位「{unit_text}」不存在、未启用本业务或不在您的管理范围内")
        else:
            row["unit_id"] = unit.id
        kind_text = cell_text(cells.get("kind")) or "执法办案"
        if kind_text not in KIND_BY_NAME:
            error(number, HEADER["kind"], "应为以下之一：" + "、".join(INTERFERENCE_KINDS.values()))
        row["kind"] = KIND_BY_NAME.get(kind_text)
        try:
            row["occurred_on"] = parse_date(cells.get("occurred_on"))
            if row["occurred_on"] is None:
                error(number, HEADER["occurred_on"], "不能为空")
            elif row["occurred_on"] > today:
                error(number, HEADER["occurred_on"], "发生日期不能晚于今天")
        except ValueError:
            error(number, HEADER["occurred_on"], "日期格式不正确，应为 YYYY-MM-DD")
            row["occurred_on"] = None
        if "unit_id" in row:
            key = tuple(row.get(k) for k in KEY)
            if key in seen:
                error(number, HEADER["case_ref"], f"与第{seen[key]}行是同一条干预记录")
            seen.setdefault(key, number)
        parsed.append(row)
    if not parsed and not errors:
        raise FieldError("file", "文件中没有可导入的数据行")
    if errors:
        errors.sort(key=lambda e: (e["row"], e["column"]))
        raise ImportRefused(errors)
    stored = {
        tuple(getattr(r, k) for k in KEY): r
        for r in db.session.scalars(select(InterferenceRecord).where(InterferenceRecord.unit_id.in_(writable)))
    }
    created = updated = unchanged = 0
    todo: list[tuple[InterferenceRecord | None, dict[str, Any]]] = []
    for row in parsed:
        data = {k: row[k] for k in FIELDS}
        existing = stored.get(tuple(data[k] for k in KEY))
        if existing is None:
            created += 1
        elif all(getattr(existing, k) == data[k] for k in FIELDS):
            unchanged += 1
            continue
        else:
            updated += 1
        todo.append((existing, data))
    result = {"created": created, "updated": updated, "unchanged": unchanged, "dry_run": dry_run}
    if dry_run or not todo:
        return result
    now = utcnow()
    touched = []
    for existing, data in todo:
        if existing is None:
            existing = InterferenceRecord(**data, created_by=caller.actor, created_at=now, updated_by=caller.actor,
                                          updated_at=now)  # fmt: skip
            db.session.add(existing)
        else:
            for key, value in data.items():
                setattr(existing, key, value)
            existing.updated_by, existing.updated_at = caller.actor, now
        touched.append(existing)
    db.session.flush()
    data = {"created": created, "updated": updated, "interference_ids": [r.id for r in touched][:1000]}
    append_event("integrity.interference_imported", caller.actor, data)
    return result


# --- export ---------------------------------------------------------------------------------------------------


def write_workbook(caller: Caller, records: list[InterferenceRecord], out: BinaryIO) -> None:
    """The records as an .xlsx whose columns can be imported again."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([header for _, header, _, _ in COLUMNS] + ["登记人", "登记时间"])
    for r in records:
        unit = caller.unit(r.unit_id)
        sheet.append([
            unit.name if unit else "", r.occurred_on.isoformat(), r.requester, r.requester_post, r.target,
            INTERFERENCE_KINDS.get(r.kind, r.kind), r.case_ref, r.request, r.handling, r.reported_by, r.created_by,
            r.created_at.strftime("%Y-%m-%d %H:%M") if r.created_at else "",
        ])  # fmt: skip
    for column, width in zip("ABCDEFGHIJKL", (24, 12, 10, 20, 10, 10, 24, 40, 40, 10, 12, 16), strict=True):
        sheet.column_dimensions[column].width = width
    book.save(out)
