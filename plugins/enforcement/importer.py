"""Case files from a workbook (.xlsx) or a CSV file: every cell is checked first, each error named by row and
column, and nothing is written unless every row is good. Keyed by 案件编号: importing the same file twice
changes nothing; a known number with other values updates that file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from sqlalchemy import select

from core.plugin_api import (
    Caller,
    FieldError,
    ImportRefused,
    ServiceError,
    append_event,
    db,
    parse_date,
    read_table,
    utcnow,
)
from plugins.enforcement import service
from plugins.enforcement.models import CASE_TYPES, DISCRETION_LEVELS, CaseFile

MAX_ROWS = 5000
SHEET = "执法案卷"
#: key -> column header
HEADERS = {
    "case_no": "案件编号",
    "case_type": "案件类型",
    "cause": "案由",
    "unit": "承办单位",
    "handlers": "承办人",
    "filed_on": "立案日期",
    "closed_on": "结案日期",
    "penalty_amount": "罚没款金额（元）",
    "discretion_level": "适用裁量等级",
}
#: other spellings of a header that are accepted
ALIASES = {"罚没款金额": "penalty_amount", "罚没款金额(元)": "penalty_amount", "裁量等级": "discretion_level"}
REQUIRED = ("case_no", "case_type", "unit", "handlers", "filed_on")
FIELD_COLUMNS = {"unit_id": "unit", "handlers": "handlers", "closed_on": "closed_on", "case_no": "case_no"}
DATE_ERROR = "日期格式无效，应为 YYYY-MM-DD 或 Excel 日期"
#: 行政强制措施 is read as 行政强制
TYPE_NAMES = {**{v: k for k, v in CASE_TYPES.items()}, **{k: k for k in CASE_TYPES}, "行政强制措施": "compulsory"}
LEVEL_NAMES = {**{v: k for k, v in DISCRETION_LEVELS.items()}, **{k: k for k in DISCRETION_LEVELS}}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Row:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    existing: CaseFile | None = None
    changed: bool = False


class CaseFileImport:
    """One uploaded file: read, checked cell by cell, then applied (or only counted on a dry run)."""

    def __init__(self, caller: Caller, dry_run: bool = False):
        self.caller = caller
        self.dry_run = dry_run
        self.errors: list[dict[str, Any]] = []
        self.rows: list[Row] = []
        self.units_by_name: dict[str, list] = {}
        for unit in caller.units:
            self.units_by_name.setdefault(unit.name.strip(), []).append(unit)
        self.units_by_code = {u.code: u for u in caller.units}

    def error(self, row: int, key: str, message: str) -> None:
        self.errors.append({"row": row, "column": HEADERS.get(key, key), "message": message})

    # -- reading

    def read(self, stream: BinaryIO, filename: str) -> None:
        self._parse(read_table(stream, filename, SHEET, "只接受 Excel .xlsx 或 CSV 文件"))

    def _parse(self, records: list[tuple[Any, ...]]) -> None:
        if not records:
            raise FieldError("file", "文件中没有表头")
        by_header = {v: k for k, v in HEADERS.items()} | ALIASES
        index: dict[str, int] = {}
        for i, value in enumerate(records[0]):
            key = by_header.get(_text(value))
            if key is None:
                continue
            if key in index:
                self.error(1, key, "表头重复")
            index[key] = i
        for key in REQUIRED:
            if key not in index:
                self.error(1, key, f"缺少「{HEADERS[key]}」列")
        if self.errors:
            raise ImportRefused(self.errors)
        body = [(n, values) for n, values in enumerate(records[1:], start=2) if any(_text(v) for v in values)]
        if not body:
            raise FieldError("file", "文件中没有可导入的数据行")
        if len(body) > MAX_ROWS:
            raise FieldError("file", f"每个文件最多导入{MAX_ROWS}行，请拆分后分批导入")
        for number, values in body:
            cells = {key: (values[i] if i < len(values) else None) for key, i in index.items()}
            self.rows.append(self._row(number, cells))

    def _row(self, number: int, cells: dict[str, Any]) -> Row:
        row = Row(number)
        out = row.values
        case_no = _text(cells.get("case_no"))
        if not case_no:
            self.error(number, "case_no", "必填")
        elif len(case_no) > 64:
            self.error(number, "case_no", "长度不能超过64")
        out["case_no"] = case_no
        type_text = _text(cells.get("case_type"))
        if type_text not in TYPE_NAMES:
            self.error(number, "case_type", f"案件类型无效，应为：{'、'.join(CASE_TYPES.values())}")
        out["case_type"] = TYPE_NAMES.get(type_text)
        cause = _text(cells.get("cause"))
        if len(cause) > 200:
            self.error(number, "cause", "长度不能超过200")
        out["cause"] = cause
        unit_text = _text(cells.get("unit"))
        found = self.units_by_name.get(unit_text, [])
        if not unit_text:
            self.error(number, "unit", "必填")
        elif len(found) > 1:
            self.error(number, "unit", "本局有多个同名单位，请改填单位代码")
        elif found or unit_text in self.units_by_code:
            out["unit_id"] = (found[0] if found else self.units_by_code[unit_text]).id
        else:
            self.error(number, "unit", f"本局没有名为「{unit_text}」的单位")
        handlers = service.split_names(_text(cells.get("handlers")))
        if not handlers:
            self.error(number, "handlers", "必填")
        elif any(len(h) > 32 for h in handlers):
            self.error(number, "handlers", "承办人姓名过长（每人不超过32个字符，多人以顿号分隔）")
        out["handlers"] = handlers
        for key in ("filed_on", "closed_on"):
            out[key] = None
            if not _text(cells.get(key)):
                if key == "filed_on":
                    self.error(number, key, "必填")
                continue
            try:
                out[key] = parse_date(cells.get(key))
            except (ValueError, OverflowError):
                self.error(number, key, DATE_ERROR)
        amount = cells.get("penalty_amount")
        out["penalty_amount"] = None
        if _text(amount):
            try:
                value = Decimal(_text(amount).replace(",", "").replace("，", ""))
                if not value.is_finite() or value < 0 or value.as_tuple().exponent < -2 or value >= Decimal(10) ** 12:
                    raise InvalidOperation
                out["penalty_amount"] = value
            except InvalidOperation:
                self.error(number, "penalty_amount", "应为不小于0、最多两位小数的金额（元）")
        level_text = _text(cells.get("discretion_level"))
        out["discretion_level"] = None
        if level_text:
            if level_text not in LEVEL_NAMES:
                self.error(number, "discretion_level", f"裁量等级无效，应为：{'、'.join(DISCRETION_LEVELS.values())}")
            else:
                out["discretion_level"] = LEVEL_NAMES[level_text]
        return row

    # -- checking

    def check(self) -> None:
        seen: dict[str, int] = {}
        numbers = [r.values["case_no"] for r in self.rows if r.values.get("case_no")]
        existing: dict[str, CaseFile] = {}
        for start in range(0, len(numbers), 1000):
            chunk = numbers[start : start + 1000]
            existing.update(
                {f.case_no: f for f in db.session.scalars(select(CaseFile).where(CaseFile.case_no.in_(chunk)))}
            )
        visible = service.enabled_unit_ids(self.caller)
        for row in self.rows:
            values = row.values
            case_no = values.get("case_no")
            if case_no in seen:
                self.error(row.number, "case_no", f"案件编号与第{seen[case_no]}行重复")
                continue
            if case_no:
                seen[case_no] = row.number
            row.existing = existing.get(case_no)
            if row.existing is not None and row.existing.unit_id not in visible:
                self.error(row.number, "case_no", "该案件编号已被本局其他单位的案卷使用")
                continue
            if any(e["row"] == row.number for e in self.errors):
                continue
            try:
                service.check_case_file(self.caller, values, FIELD_COLUMNS)
            except ServiceError as exc:
                for key, messages in (exc.fields or {"": [exc.message]}).items():
                    for message in messages:
                        self.error(row.number, key, message)
                continue
            if row.existing is not None:
                row.changed = self._differs(row.existing, service._case_values(values))
        if self.errors:
            raise ImportRefused(self.errors)

    @staticmethod
    def _differs(case_file: CaseFile, values: dict[str, Any]) -> bool:
        return any(getattr(case_file, key) != value for key, value in values.items())

    # -- applying

    def apply(self) -> dict[str, Any]:
        created = [r for r in self.rows if r.existing is None]
        updated = [r for r in self.rows if r.existing is not None and r.changed]
        answer = {
            "created": len(created),
            "updated": len(updated),
            "unchanged": len(self.rows) - len(created) - len(updated),
            "dry_run": self.dry_run,
        }
        if self.dry_run:
            return answer
        now = utcnow()
        written = []
        for row in created:
            written.append(CaseFile(**service._case_values(row.values), created_by=self.caller.actor, created_at=now))
            db.session.add(written[-1])
        for row in updated:
            for key, value in service._case_values(row.values).items():
                setattr(row.existing, key, value)
            row.existing.updated_at = now
            written.append(row.existing)
        db.session.flush()
        from plugins.enforcement.certificates import record_lapsed

        for case_file in written:
            record_lapsed(self.caller, case_file)
        append_event(
            "enforcement.case_files_imported",
            self.caller.actor,
            {
                "created": [r.values["case_no"] for r in created],
                "updated": [r.values["case_no"] for r in updated],
            },
        )
        return answer


def import_case_files(caller: Caller, stream: BinaryIO, filename: str, dry_run: bool = False) -> dict[str, Any]:
    """Read, check and (unless a dry run) apply an uploaded file of case files; 422 with every bad cell otherwise."""
    run = CaseFileImport(caller, dry_run)
    run.read(stream, filename)
    run.check()
    return run.apply()
