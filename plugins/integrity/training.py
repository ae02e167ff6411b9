"""Training and 警示教育 (教育培训与警示教育): sessions with attendees from the staff register and their materials;
per unit and per person the hours and sessions of a year; who has had no 警示教育 this year.

Pages and API share this module. A session belongs to the unit that held it (举办单位): that unit's writers keep it.
A caller sees the sessions of its units and those its units' staff attended (a county-wide 警示教育大会 held by the
bureau shows at every station whose people were there). Hours count per attendance: everyone present gets the
session's 课时. A session recorded by mistake is deleted, its reason kept in the audit chain.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from openpyxl import Workbook
from sqlalchemy import delete, or_, select

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
    save_evidence,
    scoped_get,
    today_in_shanghai,
    utcnow,
    visible_unit_ids,
)
from plugins.integrity.models import STAFF_STATUSES, StaffMember
from plugins.integrity.service import enabled_units
from plugins.integrity.tables import read_register
from plugins.integrity.training_models import (
    TRAINING_CATEGORIES,
    TrainingAttendance,
    TrainingMaterial,
    TrainingSession,
)

WRITERS = ("city_supervisor", "tenant_admin", "officer")
WARNING = "warning"
MAX_HOURS = Decimal(24)
HOURS_ERROR = "课时应大于0且不超过24，最多一位小数"
CATEGORY_BY_NAME = {name: code for code, name in TRAINING_CATEGORIES.items()} | {c: c for c in TRAINING_CATEGORIES}
#: the fields a session is written with (pages, API and import alike)
FIELDS = ("unit_id", "topic", "category", "held_on", "hours", "organiser", "summary")


# --- who sees what --------------------------------------------------------------------------------------------


def visible_units(caller: Caller) -> set[int]:
    """Ids of the units the caller sees where the domain is on."""
    on = enabled_units(caller.units)
    units = visible_unit_ids(caller.user, caller.units)
    return on if units is None else on & set(units)


def writable_units(caller: Caller) -> list:
    """The units the caller may record sessions for: its own and below, where the domain is on."""
    on = enabled_units(caller.units)
    return [u for u in caller.units if u.id in on and may_record(caller.user, u.id, caller.units)]


def _writable_unit(caller: Caller, unit_id: int | None, field: str = "unit_id"):
    unit = caller.unit(unit_id) if unit_id else None
    if unit is None:
        raise FieldError(field, "单位不存在")
    if unit.id not in enabled_units(caller.units):
        raise FieldError(field, "该单位未启用队伍建设与廉政业务")
    if not may_record(caller.user, unit.id, caller.units):
        raise ServiceError("只能登记本单位或下级单位举办的培训", {field: ["只能登记本单位或下级单位举办的培训"]}, 403)
    return unit


def _visible_query(caller: Caller):
    seen = visible_units(caller)
    attended = (
        select(TrainingAttendance.session_id)
        .join(StaffMember, StaffMember.id == TrainingAttendance.staff_id)
        .where(StaffMember.unit_id.in_(seen))
    )
    return select(TrainingSession).where(or_(TrainingSession.unit_id.in_(seen), TrainingSession.id.in_(attended)))


def get_session(caller: Caller, session_id: int) -> TrainingSession:
    found = db.session.scalar(_visible_query(caller).where(TrainingSession.id == session_id))
    if found is None:
        raise NotFound("未找到该培训记录")
    return found


def may_change(caller: Caller, session: TrainingSession) -> bool:
    """Whether the caller may change the session: a writer of the unit that held it (or above)."""
    return caller.user.role in WRITERS and may_record(caller.user, session.unit_id, caller.units)


def list_sessions(caller: Caller, filters: dict[str, Any] | None = None) -> list[TrainingSession]:
    """The sessions the caller sees, newest first; ``filters``: year, unit_id, category, staff_id, q."""
    filters = filters or {}
    query = _visible_query(caller)
    if filters.get("year"):
        year = int(filters["year"])
        query = query.where(TrainingSession.held_on.between(date(year, 1, 1), date(year, 12, 31)))
    if filters.get("unit_id"):
        query = query.where(TrainingSession.unit_id == filters["unit_id"])
    if filters.get("category"):
        query = query.where(TrainingSession.category == filters["category"])
    if filters.get("staff_id"):
        query = query.where(
            TrainingSession.id.in_(
                select(TrainingAttendance.session_id).where(TrainingAttendance.staff_id == filters["staff_id"])
            )
        )
    if filters.get("q"):
        like = f"%{filters['q']}%"
        query = query.where(or_(TrainingSession.topic.like(like), TrainingSession.organiser.like(like)))
    return list(db.session.scalars(query.order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())))


def attendees_of(session_ids: list[int]) -> dict[int, list[StaffMember]]:
    """The attendees of each session, by unit and name."""
    out: dict[int, list[StaffMember]] = defaultdict(list)
    if not session_ids:
        return out
    rows = db.session.execute(
        select(TrainingAttendance.session_id, StaffMember)
        .join(StaffMember, StaffMember.id == TrainingAttendance.staff_id)
        .where(TrainingAttendance.session_id.in_(session_ids))
        .order_by(StaffMember.unit_id, StaffMember.name, StaffMember.id)
    )
    for session_id, staff in rows:
        out[session_id].append(staff)
    return out


def materials_of(session: TrainingSession) -> list[TrainingMaterial]:
    return list(
        db.session.scalars(
            select(TrainingMaterial).where(TrainingMaterial.session_id == session.id).order_by(TrainingMaterial.id)
        )
    )


def get_material(session: TrainingSession, material_id: int) -> TrainingMaterial:
    row = scoped_get(TrainingMaterial, material_id)
    if row is None or row.session_id != session.id:
        raise NotFound("未找到该培训材料")
    return row


# --- writing --------------------------------------------------------------------------------------------------


def check_hours(value: Any, field: str = "hours") -> Decimal:
    """课时 as a Decimal: more than 0, at most 24, one decimal place at most."""
    try:
        hours = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise FieldError(field, HOURS_ERROR) from exc
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS or hours != hours.quantize(Decimal("0.1")):
        raise FieldError(field, HOURS_ERROR)
    return hours.quantize(Decimal("0.1"))


def _staff_visible(caller: Caller) -> dict[int, StaffMember]:
    seen = visible_units(caller)
    return {s.id: s for s in db.session.scalars(select(StaffMember).where(StaffMember.unit_id.in_(seen)))}


def _attendees(caller: Caller, staff_ids: list[int], field: str = "staff_ids") -> list[int]:
    """The attendees as ids of people of the staff register the caller sees (duplicates dropped)."""
    register = _staff_visible(caller)
    unknown = [i for i in staff_ids if i not in register]
    if unknown:
        raise FieldError(field, f"人员名册中没有编号为{'、'.join(map(str, unknown[:10]))}的人员")
    return list(dict.fromkeys(staff_ids))


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in data.items():
        out[k] = v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else v
    return out


def _set_attendees(session: TrainingSession, staff_ids: list[int]) -> tuple[list[int], list[int]]:
    current = set(db.session.scalars(
        select(TrainingAttendance.staff_id).where(TrainingAttendance.session_id == session.id)
    ))  # fmt: skip
    wanted = set(staff_ids)
    added, removed = sorted(wanted - current), sorted(current - wanted)
    if removed:
        db.session.execute(
            delete(TrainingAttendance).where(
                TrainingAttendance.session_id == session.id, TrainingAttendance.staff_id.in_(removed)
            )
        )
    for staff_id in added:
        db.session.add(TrainingAttendance(session_id=session.id, staff_id=staff_id))
    return added, removed


def _check_date(held_on: date | None, field: str = "held_on") -> None:
    if held_on is None:
        raise FieldError(field, "请填写培训日期")
    if held_on > today_in_shanghai():
        raise FieldError(field, "培训日期不能晚于今天")


def create_session(caller: Caller, data: dict[str, Any]) -> TrainingSession:
    """Record a session held by a unit the caller may record for, with its attendees."""
    unit = _writable_unit(caller, data.get("unit_id"))
    values = {k: data.get(k) for k in FIELDS}
    values["hours"] = check_hours(values["hours"])
    _check_date(values["held_on"])
    values["organiser"] = (values.get("organiser") or "").strip() or unit.name
    values["summary"] = values.get("summary") or ""
    staff_ids = _attendees(caller, list(data.get("staff_ids") or []))
    now = utcnow()
    session = TrainingSession(**values, created_by=caller.actor, created_at=now, updated_by=caller.actor,
                              updated_at=now)  # fmt: skip
    db.session.add(session)
    db.session.flush()
    _set_attendees(session, staff_ids)
    db.session.flush()
    append_event("integrity.training_session_recorded", caller.actor,
                 {"session_id": session.id, **_jsonable(values), "staff_ids": staff_ids})  # fmt: skip
    return session


def _require_change(caller: Caller, session: TrainingSession) -> None:
    if not may_change(caller, session):
        raise ServiceError("只能维护本单位或下级单位举办的培训", status=403)


def update_session(caller: Caller, session: TrainingSession, changes: dict[str, Any]) -> TrainingSession:
    """Change a session (its 课时, topic, attendees …); only what changes is recorded."""
    _require_change(caller, session)
    staff_ids = changes.get("staff_ids")
    changes = {k: v for k, v in changes.items() if k in FIELDS}
    if "unit_id" in changes:
        _writable_unit(caller, changes["unit_id"])
    if "hours" in changes:
        changes["hours"] = check_hours(changes["hours"])
    if "held_on" in changes:
        _check_date(changes["held_on"])
    if "organiser" in changes:
        changes["organiser"] = (changes["organiser"] or "").strip() or session.organiser
    changes = {k: v for k, v in changes.items() if getattr(session, k) != v}
    added = removed = []
    if staff_ids is not None:
        added, removed = _set_attendees(session, _attendees(caller, list(staff_ids)))
    if not changes and not added and not removed:
        return session
    before = {k: getattr(session, k) for k in changes}
    for key, value in changes.items():
        setattr(session, key, value)
    session.updated_by, session.updated_at = caller.actor, utcnow()
    db.session.flush()
    append_event("integrity.training_session_updated", caller.actor, {
        "session_id": session.id, "before": _jsonable(before), "after": _jsonable(changes),
        "attendees_added": added, "attendees_removed": removed})  # fmt: skip
    return session


def delete_session(caller: Caller, session: TrainingSession, reason: str) -> None:
    """Delete a session recorded by mistake; the reason and what it was stay in the audit chain."""
    _require_change(caller, session)
    if not (reason or "").strip():
        raise FieldError("reason", "请填写删除原因")
    staff_ids = sorted(db.session.scalars(
        select(TrainingAttendance.staff_id).where(TrainingAttendance.session_id == session.id)
    ))  # fmt: skip
    data = {"session_id": session.id, "reason": reason.strip()[:200], "staff_ids": staff_ids,
            **_jsonable({k: getattr(session, k) for k in FIELDS})}  # fmt: skip
    db.session.execute(delete(TrainingAttendance).where(TrainingAttendance.session_id == session.id))
    db.session.execute(delete(TrainingMaterial).where(TrainingMaterial.session_id == session.id))
    db.session.delete(session)
    db.session.flush()
    append_event("integrity.training_session_deleted", caller.actor, data)


def add_material(caller: Caller, session: TrainingSession, stream: BinaryIO, filename: str) -> TrainingMaterial:
    """Store a file of the session (课件、签到表、照片), checked by content and size."""
    _require_change(caller, session)
    stored = save_evidence(stream, filename)
    row = TrainingMaterial(session_id=session.id, sha256=stored.sha256, size=stored.size,
                           content_type=stored.kind.content_type, filename=stored.original_name,
                           uploaded_by=caller.actor, created_at=utcnow())  # fmt: skip
    db.session.add(row)
    db.session.flush()
    append_event("integrity.training_material_added", caller.actor, {
        "session_id": session.id, "material_id": row.id, "sha256": stored.sha256, "filename": stored.original_name})
    return row


# --- hours and gaps -------------------------------------------------------------------------------------------


def _year_attendance(staff_ids: set[int], year: int) -> list[tuple[int, int, str, Decimal]]:
    """(staff id, session id, category, hours) of every attendance of these people in the year."""
    if not staff_ids:
        return []
    return list(db.session.execute(
        select(TrainingAttendance.staff_id, TrainingSession.id, TrainingSession.category, TrainingSession.hours)
        .join(TrainingSession, TrainingSession.id == TrainingAttendance.session_id)
        .where(TrainingAttendance.staff_id.in_(staff_ids),
               TrainingSession.held_on.between(date(year, 1, 1), date(year, 12, 31)))
    ).all())  # fmt: skip


def staff_of(caller: Caller, unit_id: int | None = None) -> list[StaffMember]:
    """The people of the register the caller sees (at units where the domain is on), by unit and name."""
    seen = visible_units(caller)
    query = select(StaffMember).where(StaffMember.unit_id.in_(seen))
    if unit_id:
        query = query.where(StaffMember.unit_id == unit_id)
    return list(db.session.scalars(query.order_by(StaffMember.unit_id, StaffMember.name, StaffMember.id)))


def hours_by_person(caller: Caller, year: int, unit_id: int | None = None) -> list[dict[str, Any]]:
    """Each person the caller sees with their sessions and 课时 of the year, in all and per category."""
    staff = staff_of(caller, unit_id)
    rows: dict[int, dict[str, Any]] = {}
    for s in staff:
        unit = caller.unit(s.unit_id)
        rows[s.id] = {
            "staff_id": s.id, "name": s.name, "unit_id": s.unit_id, "unit_name": unit.name if unit else "",
            "post": s.post, "certificate_no": s.certificate_no, "status": s.status,
            "status_name": STAFF_STATUSES[s.status], "sessions": 0, "hours": Decimal(0),
            "by_category": dict.fromkeys(TRAINING_CATEGORIES, Decimal(0)), "warning_sessions": 0,
        }  # fmt: skip
    for staff_id, _session_id, category, hours in _year_attendance(set(rows), year):
        row = rows[staff_id]
        row["sessions"] += 1
        row["hours"] += hours
        row["by_category"][category] = row["by_category"].get(category, Decimal(0)) + hours
        row["warning_sessions"] += category == WARNING
    return list(rows.values())


def hours_by_unit(caller: Caller, year: int) -> list[dict[str, Any]]:
    """Each unit the caller sees: 在岗人数, sessions held, attendances, 课时 and 人均学时, 警示教育 coverage.

    Hours, attendances and coverage count the people in post (在岗), as the figures do, so page and figure agree.
    """
    seen = visible_units(caller)
    units = [u for u in caller.units if u.id in seen]
    active = [s for s in staff_of(caller) if s.status == "active"]
    unit_of = {s.id: s.unit_id for s in active}
    rows = {
        u.id: {"unit_id": u.id, "unit_name": u.name, "active_staff": 0, "sessions_held": 0, "attendances": 0,
               "sessions_attended": set(), "hours": Decimal(0), "warning_covered": set()}
        for u in units
    }  # fmt: skip
    for s in active:
        rows[s.unit_id]["active_staff"] += 1
    for staff_id, session_id, category, hours in _year_attendance(set(unit_of), year):
        row = rows[unit_of[staff_id]]
        row["attendances"] += 1
        row["sessions_attended"].add(session_id)
        row["hours"] += hours
        if category == WARNING:
            row["warning_covered"].add(staff_id)
    held = db.session.execute(
        select(TrainingSession.unit_id, TrainingSession.id).where(
            TrainingSession.unit_id.in_(seen), TrainingSession.held_on.between(date(year, 1, 1), date(year, 12, 31))
        )
    )
    for held_by, _id in held:
        rows[held_by]["sessions_held"] += 1
    out = []
    for row in rows.values():
        n = row["active_staff"]
        covered = len(row.pop("warning_covered"))
        row["sessions_attended"] = len(row["sessions_attended"])
        row["warning_covered"] = covered
        row["hours_per_head"] = round(float(row["hours"]) / n, 1) if n else None
        row["warning_coverage"] = round(covered / n, 4) if n else None
        out.append(row)
    return out


def warning_gaps(caller: Caller, year: int, unit_id: int | None = None) -> list[dict[str, Any]]:
    """The people in post the caller sees who attended no 警示教育 session in the year (未参加警示教育)."""
    return [r for r in hours_by_person(caller, year, unit_id) if r["status"] == "active" and not r["warning_sessions"]]


# --- import ---------------------------------------------------------------------------------------------------

SHEET = "培训记录"
NOT_TABLE = "只接受 Excel .xlsx 或 CSV 文件"
MAX_ROWS = 5_000
#: (key, header, required, max length)
COLUMNS = (
    ("unit", "举办单位", True, 100),
    ("topic", "主题", True, 200),
    ("category", "类别", True, 10),
    ("held_on", "培训日期", True, 20),
    ("hours", "课时", True, 10),
    ("organiser", "组织者", False, 100),
    ("attendees", "参训人员", False, 20000),
    ("summary", "内容摘要", False, 4000),
)
HEADER = {key: header for key, header, _, _ in COLUMNS}
#: attendees are written one after another, separated by 、 , ， ; ； or line ends (姓名 or 执法证号)
SEPARATORS = re.compile(r"[、,，;；\n]+")


def import_sessions(caller: Caller, stream: BinaryIO, filename: str, dry_run: bool = False) -> dict[str, Any]:
    """Read every row, check every cell, then write all or nothing (422 names each bad row and column).

    A row is the session of its unit, date and 主题: one already recorded is updated when it differs (category,
    课时, 组织者, attendees, summary), so the same file imported twice changes nothing. Attendees are named by
    执法证号 or by name; a name two people share must be written as the 执法证号.
    """
    rows, index, errors, error = read_register(stream, filename, SHEET, NOT_TABLE, COLUMNS)
    writable = {u.id: u for u in writable_units(caller)}
    by_name = {u.name: u for u in writable.values()} | {u.code: u for u in writable.values()}
    register = _staff_visible(caller)
    by_number = {s.certificate_no: s.id for s in register.values() if s.certificate_no}
    by_person: dict[str, list[int]] = defaultdict(list)
    for s in register.values():
        by_person[s.name].append(s.id)
    stored = {
        (s.unit_id, s.held_on, s.topic): s
        for s in db.session.scalars(select(TrainingSession).where(TrainingSession.unit_id.in_(writable)))
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
            if key in ("unit", "category", "held_on", "hours", "attendees"):
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
            row["organiser"] = row["organiser"] or unit.name
        category = cell_text(cells.get("category"))
        if category not in CATEGORY_BY_NAME:
            error(number, HEADER["category"], "应为以下之一：" + "、".join(TRAINING_CATEGORIES.values()))
        row["category"] = CATEGORY_BY_NAME.get(category)
        try:
            row["held_on"] = parse_date(cells.get("held_on"))
            if row["held_on"] is None:
                error(number, HEADER["held_on"], "不能为空")
            elif row["held_on"] > today_in_shanghai():
                error(number, HEADER["held_on"], "培训日期不能晚于今天")
        except ValueError:
            error(number, HEADER["held_on"], "日期格式不正确，应为 YYYY-MM-DD")
            row["held_on"] = None
        hours_text = cell_text(cells.get("hours"))
        try:
            row["hours"] = check_hours(hours_text)
        except FieldError:
            error(number, HEADER["hours"], "不能为空" if not hours_text else HOURS_ERROR)
            row["hours"] = None
        staff_ids: list[int] = []
        for token in SEPARATORS.split(cell_text(cells.get("attendees"))):
            token = token.strip()
            if not token:
                continue
            if token in by_number:
                staff_ids.append(by_number[token])
            elif len(by_person.get(token, ())) == 1:
                staff_ids.append(by_person[token][0])
            elif token in by_person:
                many = len(by_person[token])
                error(number, HEADER["attendees"], f"人员名册中有{many}人名为「{token}」，请改填执法证号")
            else:
                error(number, HEADER["attendees"], f"人员名册中没有「{token}」（按姓名或执法证号查找）")
        row["staff_ids"] = sorted(set(staff_ids))
        if "unit_id" in row and row["held_on"]:
            key = (row["unit_id"], row["held_on"], row["topic"])
            if key in seen:
                error(number, HEADER["topic"], f"与第{seen[key]}行是同一单位、同一天的同一主题")
            seen.setdefault(key, number)
        parsed.append(row)
    if not parsed and not errors:
        raise FieldError("file", "文件中没有可导入的数据行")
    if errors:
        errors.sort(key=lambda e: (e["row"], e["column"]))
        raise ImportRefused(errors)
    existing_attendees = attendees_of([s.id for s in stored.values()])
    created = updated = unchanged = 0
    todo: list[tuple[TrainingSession | None, dict[str, Any], list[int]]] = []
    for row in parsed:
        data = {k: row[k] for k in FIELDS}
        existing = stored.get((data["unit_id"], data["held_on"], data["topic"]))
        if existing is None:
            created += 1
        elif all(getattr(existing, k) == data[k] for k in FIELDS) and sorted(
            s.id for s in existing_attendees.get(existing.id, [])
        ) == row["staff_ids"]:
            unchanged += 1
            continue
        else:
            updated += 1
        todo.append((existing, data, row["staff_ids"]))
    result = {"created": created, "updated": updated, "unchanged": unchanged, "dry_run": dry_run}
    if dry_run or not todo:
        return result
    now = utcnow()
    touched = []
    for existing, data, staff_ids in todo:
        if existing is None:
            existing = TrainingSession(**data, created_by=caller.actor, created_at=now, updated_by=caller.actor,
                                       updated_at=now)  # fmt: skip
            db.session.add(existing)
            db.session.flush()
        else:
            for key, value in data.items():
                setattr(existing, key, value)
            existing.updated_by, existing.updated_at = caller.actor, now
        _set_attendees(existing, staff_ids)
        touched.append(existing)
    db.session.flush()
    append_event("integrity.training_sessions_imported", caller.actor,
                 {"created": created, "updated": updated, "session_ids": [s.id for s in touched][:1000]})  # fmt: skip
    return result


# --- export ---------------------------------------------------------------------------------------------------


def _attendee_text(people: list[StaffMember]) -> str:
    """Attendees as the import reads them: the 执法证号 where there is one, else the name."""
    return "、".join(p.certificate_no or p.name for p in people)


def write_sessions_workbook(caller: Caller, sessions: list[TrainingSession], out: BinaryIO) -> None:
    """The sessions as an .xlsx whose first eight columns can be imported again."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([header for _, header, _, _ in COLUMNS] + ["参训人数", "参训人员姓名", "材料数"])
    people = attendees_of([s.id for s in sessions])
    materials: dict[int, int] = defaultdict(int)
    if sessions:
        for (session_id,) in db.session.execute(
            select(TrainingMaterial.session_id).where(TrainingMaterial.session_id.in_([s.id for s in sessions]))
        ):
            materials[session_id] += 1
    for s in sessions:
        unit = caller.unit(s.unit_id)
        present = people.get(s.id, [])
        sheet.append([
            unit.name if unit else "", s.topic, TRAINING_CATEGORIES[s.category], s.held_on.isoformat(),
            float(s.hours), s.organiser, _attendee_text(present), s.summary, len(present),
            "、".join(p.name for p in present), materials[s.id],
        ])  # fmt: skip
    for column, width in zip("ABCDEFGHIJK", (24, 40, 10, 12, 6, 20, 40, 30, 8, 40, 6), strict=True):
        sheet.column_dimensions[column].width = width
    book.save(out)


def write_hours_workbook(by_unit: list[dict], by_person: list[dict], year: int, out: BinaryIO) -> None:
    """学时统计 of a year: one sheet per unit, one per person."""
    book = Workbook()
    units = book.active
    units.title = "按单位"
    units.append(["单位", "在岗人数", "举办场次", "参训场次", "参训人次", "学时合计", "人均学时",
                  "参加警示教育人数", "警示教育覆盖率"])  # fmt: skip
    for r in by_unit:
        units.append([
            r["unit_name"], r["active_staff"], r["sessions_held"], r["sessions_attended"], r["attendances"],
            float(r["hours"]), r["hours_per_head"], r["warning_covered"],
            None if r["warning_coverage"] is None else f"{r['warning_coverage'] * 100:.1f}%",
        ])  # fmt: skip
    people = book.create_sheet("按人员")
    people.append(["单位", "姓名", "岗位", "执法证号", "状态", "参训次数", "学时合计",
                   *[f"{name}学时" for name in TRAINING_CATEGORIES.values()], "警示教育次数"])  # fmt: skip
    for r in by_person:
        people.append([
            r["unit_name"], r["name"], r["post"], r["certificate_no"] or "", r["status_name"], r["sessions"],
            float(r["hours"]), *[float(r["by_category"][c]) for c in TRAINING_CATEGORIES], r["warning_sessions"],
        ])  # fmt: skip
    for sheet in (units, people):
        sheet.column_dimensions["A"].width = 24
    book.properties.title = f"{year}年教育培训学时统计"
    book.save(out)


def write_gaps_workbook(gaps: list[dict], year: int, out: BinaryIO) -> None:
    """未参加警示教育人员 of a year."""
    book = Workbook()
    sheet = book.active
    sheet.title = "未参加警示教育"
    sheet.append(["单位", "姓名", "岗位", "执法证号", f"{year}年参训次数", f"{year}年学时"])
    for r in gaps:
        sheet.append([r["unit_name"], r["name"], r["post"], r["certificate_no"] or "", r["sessions"],
                      float(r["hours"])])  # fmt: skip
    sheet.column_dimensions["A"].width = 24
    book.properties.title = f"{year}年未参加警示教育人员"
    book.save(out)
