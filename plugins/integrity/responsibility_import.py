"""Import of 党风廉政建设责任书 from .xlsx or CSV (issue 15, item 4: every register importable).

The columns are those of the export (单位, 年度, 类别 — also accepted as 责任类型 —, 签订人, 签订日期; the export's
岗位 and 签字扫描件 are ignored), so the export imported again changes nothing. Every cell is checked by the rules of
the API (one statement per unit, year and kind; the signer a person in post of that unit, named by name or 执法证号;
the date in that year or the year before and not in the future) before anything is written.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, BinaryIO

from sqlalchemy import select

from core.plugin_api import (
    Caller,
    FieldError,
    ImportRefused,
    append_event,
    blank,
    cell_text,
    db,
    parse_date,
    read_table,
    today_in_shanghai,
    utcnow,
)
from plugins.integrity.models import StaffMember
from plugins.integrity.responsibility import SIGNER_ERROR
from plugins.integrity.training import writable_units
from plugins.integrity.training_models import RESPONSIBILITY_KINDS, ResponsibilityStatement

SHEET = "党风廉政建设责任书"
NOT_TABLE = "只接受 Excel .xlsx 或 CSV 文件"
MAX_ROWS = 5_000
#: (key, header, required, other headers accepted)
COLUMNS = (
    ("unit", "单位", True, ()),
    ("year", "年度", True, ()),
    ("kind", "类别", True, ("责任类型",)),
    ("signer", "签订人", True, ()),
    ("signed_on", "签订日期", True, ()),
)
#: 主体责任 / 主体责任书 / main …
KIND_BY_NAME = (
    {name: code for code, name in RESPONSIBILITY_KINDS.items()}
    | {f"{name}书": code for code, name in RESPONSIBILITY_KINDS.items()}
    | {code: code for code in RESPONSIBILITY_KINDS}
)
FIELDS = ("signer_staff_id", "signed_on")


def import_statements(caller: Caller, stream: BinaryIO, filename: str, dry_run: bool = False) -> dict[str, Any]:
    """Read every row, check every cell, then write all or nothing (422 names each bad row and column).

    A row is the statement of its unit, year and kind: one already recorded is updated when its signer or date
    differ, so the same file imported twice changes nothing. A signer is named by 执法证号 or by name; a name two
    people in post at the unit share must be written as the 执法证号.
    """
    rows = iter(read_table(stream, filename, SHEET, NOT_TABLE, 50))
    errors: list[dict[str, Any]] = []

    def error(row: int, column: str, message: str) -> None:
        errors.append({"row": row, "column": column, "message": message})

    index: dict[str, int] = {}
    header_of = {key: header for key, header, _, _ in COLUMNS}
    by_header = {h: key for key, header, _, more in COLUMNS for h in (header, *more)}
    for i, value in enumerate(next(rows, None) or ()):
        text = cell_text(value)
        key = by_header.get(text)
        if key is None:
            continue
        if key in index:
            error(1, header_of[key], "表头重复")
        index[key] = i
        header_of[key] = text  # errors name the column as the file does
    for key, header, required, _ in COLUMNS:
        if required and key not in index:
            error(1, header, f"缺少「{header}」列")
    if errors:
        raise ImportRefused(errors)
    writable = {u.id: u for u in writable_units(caller)}
    by_name = {u.name: u for u in writable.values()} | {u.code: u for u in writable.values()}
    by_number: dict[str, StaffMember] = {}
    by_person: dict[tuple[int, str], list[StaffMember]] = defaultdict(list)
    for s in db.session.scalars(select(StaffMember).where(StaffMember.unit_id.in_(writable))):
        if s.certificate_no:
            by_number[s.certificate_no] = s
        if s.status == "active":
            by_person[(s.unit_id, s.name)].append(s)
    stored = {
        (s.unit_id, s.year, s.kind): s
        for s in db.session.scalars(
            select(ResponsibilityStatement).where(ResponsibilityStatement.unit_id.in_(writable))
        )
    }
    today = today_in_shanghai()
    parsed: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    for number, values in enumerate(rows, start=2):
        if all(blank(v) for v in values):
            continue
        if len(parsed) >= MAX_ROWS:
            raise FieldError("file", f"每个文件最多导入{MAX_ROWS}行，请拆分后分批导入")
        cells = {key: (values[i] if i < len(values) else None) for key, i in index.items()}
        row: dict[str, Any] = {"_row": number, "unit_id": None, "year": None}
        unit_text = cell_text(cells.get("unit"))
        unit = by_name.get(unit_text)
        if not unit_text:
            error(number, header_of["unit"], "不能为空")
        elif unit is None:
            error(number, header_of["unit"], f"单位「{unit_text}」不存在、未启用本业务或不在您的管理范围内")
        else:
            row["unit_id"] = unit.id
        year_text = cell_text(cells.get("year")).removesuffix("年度").removesuffix("年")
        if not year_text:
            error(number, header_of["year"], "不能为空")
        elif not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
            error(number, header_of["year"], "年度应为2000到2100之间")
        else:
            row["year"] = int(year_text)
        kind_text = cell_text(cells.get("kind"))
        row["kind"] = KIND_BY_NAME.get(kind_text)
        if row["kind"] is None:
            error(number, header_of["kind"], "应为以下之一：" + "、".join(RESPONSIBILITY_KINDS.values()))
        signer_text = cell_text(cells.get("signer"))
        row["signer_staff_id"] = None
        if not signer_text:
            error(number, header_of["signer"], "不能为空")
        elif row["unit_id"] is not None:
            staff = by_number.get(signer_text)
            named = by_person.get((row["unit_id"], signer_text), [])
            if staff is not None and staff.unit_id == row["unit_id"] and staff.status == "active":
                row["signer_staff_id"] = staff.id
            elif staff is None and len(named) == 1:
                row["signer_staff_id"] = named[0].id
            elif staff is None and len(named) > 1:
                many = f"该单位有{len(named)}名在岗人员名为「{signer_text}」，请改填执法证号"
                error(number, header_of["signer"], many)
            else:
                error(number, header_of["signer"], f"{SIGNER_ERROR}（「{signer_text}」，按姓名或执法证号查找）")
        try:
            row["signed_on"] = parse_date(cells.get("signed_on"))
            if row["signed_on"] is None:
                error(number, header_of["signed_on"], "不能为空")
            elif row["signed_on"] > today:
                error(number, header_of["signed_on"], "签订日期不能晚于今天")
            elif row["year"] is not None and row["signed_on"].year not in (row["year"] - 1, row["year"]):
                year = row["year"]
                error(number, header_of["signed_on"], f"{year}年度责任书的签订日期应在{year - 1}年或{year}年内")
        except ValueError:
            error(number, header_of["signed_on"], "日期格式不正确，应为 YYYY-MM-DD")
            row["signed_on"] = None
        if row["unit_id"] is not None and row["year"] is not None and row["kind"] is not None:
            key = (row["unit_id"], row["year"], row["kind"])
            if key in seen:
                error(number, header_of["kind"], f"与第{seen[key]}行是同一单位同一年度的同一类责任书")
            seen.setdefault(key, number)
        parsed.append(row)
    if not parsed and not errors:
        raise FieldError("file", "文件中没有可导入的数据行")
    if errors:
        errors.sort(key=lambda e: (e["row"], e["column"]))
        raise ImportRefused(errors)
    created = updated = unchanged = 0
    todo: list[tuple[ResponsibilityStatement | None, dict[str, Any]]] = []
    for row in parsed:
        existing = stored.get((row["unit_id"], row["year"], row["kind"]))
        if existing is None:
            created += 1
        elif all(getattr(existing, k) == row[k] for k in FIELDS):
            unchanged += 1
            continue
        else:
            updated += 1
        todo.append((existing, row))
    result = {"created": created, "updated": updated, "unchanged": unchanged, "dry_run": dry_run}
    if dry_run or not todo:
        return result
    now = utcnow()
    touched = []
    for existing, row in todo:
        if existing is None:
            existing = ResponsibilityStatement(
                unit_id=row["unit_id"], year=row["year"], kind=row["kind"], signer_staff_id=row["signer_staff_id"],
                signed_on=row["signed_on"], created_by=caller.actor, created_at=now, updated_by=caller.actor,
                updated_at=now)  # fmt: skip
            db.session.add(existing)
        else:
            for key in FIELDS:
                setattr(existing, key, row[key])
            existing.updated_by, existing.updated_at = caller.actor, now
        touched.append(existing)
    db.session.flush()
    append_event(
        "integrity.responsibility_imported",
        caller.actor,
        {"created": created, "updated": updated, "statement_ids": [s.id for s in touched][:1000]},
    )
    return result
