"""Integrity risk points (廉政风险点排查): per unit and post, with controls and a yearly review the sweep reminds of.

Pages and API share this module. A point is never deleted: it is retired (撤销) with a reason, so that the audit chain
and the coverage figure of past periods still read it; a retired point is neither listed by default nor reminded of.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any, BinaryIO

from openpyxl import Workbook
from sqlalchemy import or_, select

from core.plugin_api import (
    Caller,
    Conflict,
    FieldError,
    ImportRefused,
    NotFound,
    ServiceError,
    Tenant,
    append_event,
    blank,
    cell_text,
    db,
    may_record,
    parse_date,
    remind_unit,
    scoped_get,
    today_in_shanghai,
    units_of_tenant,
    utcnow,
    visible_unit_ids,
)
from plugins.integrity.models import REVIEW_STATES, RISK_LEVELS, RISK_STATUSES, RiskPoint, StaffMember
from plugins.integrity.service import enabled_units
from plugins.integrity.tables import read_register

log = logging.getLogger(__name__)

WRITERS = ("city_supervisor", "tenant_admin", "officer")
#: a review due within this many days is reminded of (and one past due, until it is reviewed)
REVIEW_WINDOW_DAYS = 30
#: the next review after one is recorded: a year on
REVIEW_INTERVAL_DAYS = 365
LEVEL_BY_NAME = {name: code for code, name in RISK_LEVELS.items()} | {code: code for code in RISK_LEVELS}
#: the fields a point is written with (pages, API and import alike)
FIELDS = ("unit_id", "post", "description", "level", "measures", "responsible", "responsible_staff_id", "review_due")


# --- who sees what --------------------------------------------------------------------------------------------


def _visible_units(caller: Caller) -> set[int]:
    on = enabled_units(caller.units)
    units = visible_unit_ids(caller.user, caller.units)
    return on if units is None else on & set(units)


def writable_units(caller: Caller) -> list:
    """The units the caller may record risk points for: its own and below, where the domain is on."""
    on = enabled_units(caller.units)
    return [u for u in caller.units if u.id in on and may_record(caller.user, u.id, caller.units)]


def _writable_unit(caller: Caller, unit_id: int | None, field: str = "unit_id"):
    unit = caller.unit(unit_id) if unit_id else None
    if unit is None:
        raise FieldError(field, "单位不存在")
    if unit.id not in enabled_units(caller.units):
        raise FieldError(field, "该单位未启用队伍建设与廉政业务")
    if not may_record(caller.user, unit.id, caller.units):
        raise ServiceError("只能登记本单位或下级单位的风险点", {field: ["只能登记本单位或下级单位的风险点"]}, 403)
    return unit


def get_risk(caller: Caller, risk_id: int) -> RiskPoint:
    risk = scoped_get(RiskPoint, risk_id)
    if risk is None or risk.unit_id not in _visible_units(caller):
        raise NotFound("未找到该风险点")
    return risk


def review_state(risk: RiskPoint, today: date) -> tuple[str, int]:
    """(state, days until the review is due): 正常 / 即将复核 (within 30 days) / 已逾期."""
    days = (risk.review_due - today).days
    if days < 0:
        return "overdue", days
    if days <= REVIEW_WINDOW_DAYS:
        return "due_soon", days
    return "ok", days


def list_risks(caller: Caller, filters: dict[str, Any] | None = None, today: date | None = None) -> list[RiskPoint]:
    """The points the caller sees, by unit, post and level (high first); ``filters`` as the list's query."""
    filters = filters or {}
    query = select(RiskPoint).where(RiskPoint.unit_id.in_(_visible_units(caller)))
    status = filters.get("status", "current")
    if status in RISK_STATUSES:
        query = query.where(RiskPoint.status == status)
    if filters.get("unit_id"):
        query = query.where(RiskPoint.unit_id == filters["unit_id"])
    if filters.get("level"):
        query = query.where(RiskPoint.level == filters["level"])
    if filters.get("q"):
        like = f"%{filters['q']}%"
        query = query.where(or_(RiskPoint.post.like(like), RiskPoint.description.like(like),
                                RiskPoint.responsible.like(like)))  # fmt: skip
    order = {"high": 0, "medium": 1, "low": 2}
    risks = sorted(db.session.scalars(query), key=lambda r: (r.unit_id, r.post, order.get(r.level, 9), r.id))
    if filters.get("review_state"):
        today = today or today_in_shanghai()
        risks = [r for r in risks if review_state(r, today)[0] == filters["review_state"]]
    return risks


# --- writing --------------------------------------------------------------------------------------------------


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()}


def _responsible(caller: Caller, data: dict[str, Any], unit_id: int) -> dict[str, Any]:
    """责任人: free text, or a person of the staff register (by id) whose name fills the text when it is blank."""
    staff_id = data.get("responsible_staff_id")
    text = (data.get("responsible") or "").strip()
    if staff_id:
        staff = scoped_get(StaffMember, staff_id)
        units = visible_unit_ids(caller.user, caller.units)
        if staff is None or (units is not None and staff.unit_id not in units):
            raise FieldError("responsible_staff_id", "人员名册中没有该人员")
        text = text or staff.name
    if not text:
        raise FieldError("responsible", "请填写责任人或从人员名册中选择")
    return {"responsible": text[:50], "responsible_staff_id": staff_id or None}


def create_risk(caller: Caller, data: dict[str, Any]) -> RiskPoint:
    """Record a risk point at a unit the caller may record for."""
    unit = _writable_unit(caller, data.get("unit_id"))
    values = {k: data.get(k) for k in FIELDS} | _responsible(caller, data, unit.id)
    values["review_due"] = values["review_due"] or today_in_shanghai() + timedelta(days=REVIEW_INTERVAL_DAYS)
    now = utcnow()
    risk = RiskPoint(**values, status="current", retired_reason="", created_by=caller.actor, created_at=now,
                     updated_by=caller.actor, updated_at=now)  # fmt: skip
    db.session.add(risk)
    db.session.flush()
    append_event("integrity.risk_point_created", caller.actor, {"risk_point_id": risk.id, **_jsonable(values)})
    return risk


def _may_change(caller: Caller, risk: RiskPoint) -> None:
    if not may_record(caller.user, risk.unit_id, caller.units):
        raise ServiceError("只能维护本单位或下级单位的风险点", status=403)
    if risk.status != "current":
        raise Conflict("该风险点已撤销，不能再修改")


def update_risk(caller: Caller, risk: RiskPoint, changes: dict[str, Any]) -> RiskPoint:
    """Change a point (a review: a new 复核日期, revised measures …); only what changes is recorded."""
    _may_change(caller, risk)
    changes = {k: v for k, v in changes.items() if k in FIELDS}
    if "unit_id" in changes:
        _writable_unit(caller, changes["unit_id"])
    if "responsible" in changes or "responsible_staff_id" in changes:
        merged = {"responsible": risk.responsible, "responsible_staff_id": risk.responsible_staff_id}
        if "responsible_staff_id" in changes and "responsible" not in changes:
            merged["responsible"] = ""  # a newly chosen person's name replaces the old text
        changes |= _responsible(caller, merged | changes, changes.get("unit_id", risk.unit_id))
    changes = {k: v for k, v in changes.items() if getattr(risk, k) != v}
    if not changes:
        return risk
    before = {k: getattr(risk, k) for k in changes}
    for key, value in changes.items():
        setattr(risk, key, value)
    risk.updated_by, risk.updated_at = caller.actor, utcnow()
    db.session.flush()
    append_event("integrity.risk_point_updated", caller.actor,
                 {"risk_point_id": risk.id, "before": _jsonable(before), "after": _jsonable(changes)})  # fmt: skip
    return risk


def retire_risk(caller: Caller, risk: RiskPoint, reason: str) -> RiskPoint:
    """Retire (撤销) a point that no longer applies (the post was abolished, a duplicate …); it stays on record."""
    _may_change(caller, risk)
    if not (reason or "").strip():
        raise FieldError("reason", "请填写撤销原因")
    now = utcnow()
    risk.status, risk.retired_reason, risk.retired_at = "retired", reason.strip()[:200], now
    risk.updated_by, risk.updated_at = caller.actor, now
    db.session.flush()
    data = {"risk_point_id": risk.id, "reason": risk.retired_reason}
    append_event("integrity.risk_point_retired", caller.actor, data)
    return risk


# --- the sweep: the yearly review -----------------------------------------------------------------------------


def remind_reviews(tenant: Tenant, today: date) -> int:
    """Remind each unit of its current points whose review is due within 30 days or past, once per point and state."""
    units = units_of_tenant()
    names = {u.id: u.name for u in units}
    on = enabled_units(units)
    due = today + timedelta(days=REVIEW_WINDOW_DAYS)
    query = select(RiskPoint).where(
        RiskPoint.status == "current", RiskPoint.unit_id.in_(on), RiskPoint.review_due <= due
    )
    added = 0
    for risk in db.session.scalars(query.order_by(RiskPoint.id)):
        state, days = review_state(risk, today)
        what = f"已逾期{-days}天" if state == "overdue" else f"将于{risk.review_due.isoformat()}到期"
        title = f"廉政风险点复核{what}：{names.get(risk.unit_id, '')} {risk.post}（{RISK_LEVELS[risk.level]}风险）"
        # Keyed on the point, its due date and the state: one reminder before, one more once overdue.
        key = f"integrity.risk_review:{risk.id}:{risk.review_due.isoformat()}:{state}"
        added += remind_unit(risk.unit_id, key, title, f"/integrity/risk-points/{risk.id}")
    if added:
        log.info("integrity review reminders of %s on %s: %d", tenant.slug, today, added)
    return added


# --- import ---------------------------------------------------------------------------------------------------

SHEET = "廉政风险点"
NOT_TABLE = "只接受 Excel .xlsx 或 CSV 文件"
MAX_ROWS = 5_000
#: (key, header, required, max length)
COLUMNS = (
    ("unit", "单位", True, 100),
    ("post", "岗位", True, 100),
    ("description", "风险描述", True, 2000),
    ("level", "风险等级", True, 10),
    ("measures", "防控措施", True, 4000),
    ("responsible", "责任人", True, 50),
    ("review_due", "复核日期", True, 20),
)
HEADER = {key: header for key, header, _, _ in COLUMNS}


def import_risks(caller: Caller, stream: BinaryIO, filename: str, dry_run: bool = False) -> dict[str, Any]:
    """Read every row, check every cell, then write all or nothing (422 names each bad row and column).

    A row is the point of its unit, post and 风险描述: one already recorded (and current) is updated when its
    level, measures, 责任人 or 复核日期 differ, so the same file imported twice changes nothing.
    """
    rows, index, errors, error = read_register(stream, filename, SHEET, NOT_TABLE, COLUMNS)
    writable = {u.id: u for u in writable_units(caller)}
    by_name = {u.name: u for u in writable.values()} | {u.code: u for u in writable.values()}
    staff_by_name: dict[tuple[int, str], int] = {}
    for s in db.session.scalars(select(StaffMember).where(StaffMember.unit_id.in_(writable))):
        staff_by_name.setdefault((s.unit_id, s.name), s.id)
    stored = {
        (r.unit_id, r.post, r.description): r
        for r in db.session.scalars(
            select(RiskPoint).where(RiskPoint.status == "current", RiskPoint.unit_id.in_(writable))
        )
    }
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
            if key in ("unit", "level", "review_due"):
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
        level_text = cell_text(cells.get("level"))
        if level_text not in LEVEL_BY_NAME:
            error(number, HEADER["level"], "应为以下之一：高、中、低")
        row["level"] = LEVEL_BY_NAME.get(level_text)
        try:
            row["review_due"] = parse_date(cells.get("review_due"))
            if row["review_due"] is None:
                error(number, HEADER["review_due"], "不能为空")
        except ValueError:
            error(number, HEADER["review_due"], "日期格式不正确，应为 YYYY-MM-DD")
            row["review_due"] = None
        if "unit_id" in row:
            key = (row["unit_id"], row["post"], row["description"])
            if key in seen:
                error(number, HEADER["description"], f"与第{seen[key]}行是同一单位、岗位的同一风险")
            seen.setdefault(key, number)
            row["responsible_staff_id"] = staff_by_name.get((row["unit_id"], row["responsible"]))
        parsed.append(row)
    if not parsed and not errors:
        raise FieldError("file", "文件中没有可导入的数据行")
    if errors:
        errors.sort(key=lambda e: (e["row"], e["column"]))
        raise ImportRefused(errors)
    created = updated = unchanged = 0
    todo: list[tuple[RiskPoint | None, dict[str, Any]]] = []
    for row in parsed:
        data = {k: row[k] for k in FIELDS}
        existing = stored.get((data["unit_id"], data["post"], data["description"]))
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
            existing = RiskPoint(**data, status="current", retired_reason="", created_by=caller.actor,
                                 created_at=now, updated_by=caller.actor, updated_at=now)  # fmt: skip
            db.session.add(existing)
        else:
            for key, value in data.items():
                setattr(existing, key, value)
            existing.updated_by, existing.updated_at = caller.actor, now
        touched.append(existing)
    db.session.flush()
    append_event(
        "integrity.risk_points_imported",
        caller.actor,
        {"created": created, "updated": updated, "risk_point_ids": [r.id for r in touched][:1000]},
    )
    return result


# --- export ---------------------------------------------------------------------------------------------------


def write_risk_workbook(caller: Caller, risks: list[RiskPoint], out: BinaryIO, today: date) -> None:
    """The points as an .xlsx whose first seven columns can be imported again."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([header for _, header, _, _ in COLUMNS] + ["复核状态", "距复核天数", "状态", "撤销原因"])
    for r in risks:
        unit = caller.unit(r.unit_id)
        state, days = review_state(r, today)
        sheet.append([
            unit.name if unit else "", r.post, r.description, RISK_LEVELS[r.level], r.measures, r.responsible,
            r.review_due.isoformat(), REVIEW_STATES[state], days, RISK_STATUSES[r.status], r.retired_reason,
        ])  # fmt: skip
    for column, width in zip("ABCDEFGHIJK", (24, 16, 40, 8, 48, 10, 12, 10, 10, 8, 20), strict=True):
        sheet.column_dimensions[column].width = width
    book.save(out)
