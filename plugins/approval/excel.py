"""Service cases (办件) in from Excel (.xlsx) or CSV, and the blank template to fill.

As for the ledger (core/ledger/excel.py): the whole file is read and every cell checked first; any bad cell refuses
the file with every error named by row and column, and nothing is written. The 办件编号 is the key: importing the
same file again changes nothing, and a row that adds the 办结时间 of a case recorded open completes that case.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from core.plugin_api import (
    DATE_FORMATS,
    MAX_COLUMNS,
    SHANGHAI,
    FieldError,
    ImportRefused,
    ServiceError,
    blank,
    cell_text,
    db,
    read_table,
)
from plugins.approval import service
from plugins.approval.models import APPLICANT_TYPES, ApprovalCase

SHEET = "办件记录"
NOTES_SHEET = "说明"
MAX_ROWS = 20_000
CSV_TYPE = "text/csv; charset=utf-8"

#: column key -> header, in the file's order
HEADERS = {
    "unit": "办理单位",
    "matter_name": "事项名称",
    "case_no": "办件编号",
    "applicant_type": "申请人类型",
    "window": "窗口/岗位",
    "received_at": "受理时间",
    "promised_days": "承诺办结时限（工作日）",
    "completed_at": "办结时间",
    "intermediary": "是否有中介参与",
}
REQUIRED = ("matter_name", "case_no", "applicant_type", "received_at", "promised_days")
LIMITS = {"matter_name": 200, "case_no": 64, "window": 100}
WIDTHS = {
    "unit": 22, "matter_name": 30, "case_no": 20, "applicant_type": 12, "window": 16, "received_at": 18,
    "promised_days": 12, "completed_at": 18, "intermediary": 10,
}  # fmt: skip
TIME_FORMATS = (
    "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S",
)  # fmt: skip
TIME_ERROR = "时间格式无效，应为 YYYY-MM-DD HH:MM（北京时间）、YYYY-MM-DD 或 Excel 日期时间"
YES = {"是", "有", "yes", "true", "1", "y"}
NO = {"否", "无", "no", "false", "0", "n", ""}
NOT_A_TABLE = "只接受 Excel .xlsx 或 CSV 文件（可先下载导入模板再填写）"
EXAMPLE_NO = "示例-2024-0001"


def parse_time(value: Any) -> datetime | None:
    """A time in Beijing time from an Excel date/time, a serial number or text; a bare date is that day's 00:00."""
    if blank(value):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        if not 1 <= value < 2958466:
            raise ValueError(value)
        moment = from_excel(value)
    else:
        text = str(value).strip()
        moment = None
        for fmt in TIME_FORMATS:
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if moment is None:
            for fmt in DATE_FORMATS:
                try:
                    moment = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if moment is None:
            raise ValueError(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


@dataclass
class Row:
    number: int
    data: dict[str, Any] = field(default_factory=dict)
    unit: Any = None
    existing: ApprovalCase | None = None
    complete: bool = False


class CaseImport:
    """One uploaded file of cases: read, every cell checked, then written (or only counted on a dry run)."""

    def __init__(self, access: service.Access, dry_run: bool = False):
        self.access = access
        self.dry_run = dry_run
        self.errors: list[dict[str, Any]] = []
        self.rows: list[Row] = []
        units = access.caller.units
        self.units_by_name: dict[str, list] = {}
        for unit in units:
            self.units_by_name.setdefault(unit.name.strip(), []).append(unit)
        self.units_by_code = {u.code: u for u in units}
        self.applicants = {**{k: k for k in APPLICANT_TYPES}, **{v: k for k, v in APPLICANT_TYPES.items()}}

    def error(self, row: int, key: str, message: str) -> None:
        self.errors.append({"row": row, "column": HEADERS.get(key, key), "message": message})

    # -- reading

    def read(self, stream: BinaryIO, filename: str) -> None:
        self._parse(iter(read_table(stream, filename, SHEET, NOT_A_TABLE, MAX_COLUMNS)))

    def _parse(self, rows) -> None:
        header = next(rows, None)
        index: dict[str, int] = {}
        by_header = {h: k for k, h in HEADERS.items()}
        for i, value in enumerate(header or ()):
            key = by_header.get(cell_text(value))
            if key is None:
                continue  # the user's own columns (序号, 备注) are left alone
            if key in index:
                self.error(1, key, "表头重复")
            index[key] = i
        for key in REQUIRED:
            if key not in index:
                self.error(1, key, f"缺少「{HEADERS[key]}」列")
        if self.errors:
            raise ImportRefused(self.errors)
        count = 0
        for number, values in enumerate(rows, start=2):
            values = tuple(values)
            if all(blank(v) for v in values):
                continue
            cells = {key: (values[i] if i < len(values) else None) for key, i in index.items()}
            if cell_text(cells.get("case_no")) == EXAMPLE_NO:
                continue  # the template's example row
            count += 1
            if count > MAX_ROWS:
                raise FieldError("file", f"每个文件最多导入{MAX_ROWS}行，请拆分后分批导入")
            self.rows.append(self._read_row(number, cells))
        if not self.rows:
            raise FieldError("file", "文件中没有可导入的数据行")

    def _read_row(self, number: int, cells: dict[str, Any]) -> Row:
        row = Row(number)
        data = row.data
        for key in ("matter_name", "case_no", "window"):
            text = cell_text(cells.get(key))
            if len(text) > LIMITS[key]:
                self.error(number, key, f"长度不能超过{LIMITS[key]}")
            data[key] = text
        for key in REQUIRED:
            if blank(cells.get(key)):
                self.error(number, key, "必填")
        applicant = cell_text(cells.get("applicant_type"))
        if applicant:
            if applicant not in self.applicants:
                self.error(number, "applicant_type", f"申请人类型无效，应为：{'、'.join(APPLICANT_TYPES.values())}")
            data["applicant_type"] = self.applicants.get(applicant)
        for key in ("received_at", "completed_at"):
            try:
                data[key] = parse_time(cells.get(key))
            except (ValueError, OverflowError):
                self.error(number, key, TIME_ERROR)
                data[key] = None
        days = cells.get("promised_days")
        if not blank(days):
            text = cell_text(days)
            if not text.isdigit() or int(text) > service.MAX_PROMISED_DAYS:
                self.error(number, "promised_days", f"应为0到{service.MAX_PROMISED_DAYS}的整数（工作日数）")
            else:
                data["promised_days"] = int(text)
        flag = cell_text(cells.get("intermediary")).lower()
        if flag in YES:
            data["intermediary"] = True
        elif flag in NO:
            data["intermediary"] = False
        else:
            self.error(number, "intermediary", "应为：是 或 否")
        unit_text = cell_text(cells.get("unit"))
        if unit_text:
            found = self.units_by_name.get(unit_text, [])
            if len(found) == 1:
                row.unit = found[0]
            elif unit_text in self.units_by_code:
                row.unit = self.units_by_code[unit_text]
            elif found:
                self.error(number, "unit", f"有多个名为「{unit_text}」的单位，请填写单位代码")
            else:
                self.error(number, "unit", f"本局没有名为「{unit_text}」的单位")
        return row

    # -- checking

    def check(self) -> None:
        """Each row against the file's other rows, the stored cases and the caller's rights."""
        seen: dict[str, int] = {}
        numbers = [r.data["case_no"] for r in self.rows if r.data.get("case_no")]
        existing: dict[str, ApprovalCase] = {}
        for start in range(0, len(numbers), 1000):
            chunk = numbers[start : start + 1000]
            for case in db.session.scalars(select(ApprovalCase).where(ApprovalCase.case_no.in_(chunk))):
                existing[case.case_no] = case
        for row in self.rows:
            data = row.data
            case_no = data.get("case_no")
            if case_no:
                if case_no in seen:
                    self.error(row.number, "case_no", f"办件编号与第{seen[case_no]}行重复")
                seen.setdefault(case_no, row.number)
            received, completed = data.get("received_at"), data.get("completed_at")
            if received is not None and completed is not None and completed < received:
                self.error(row.number, "completed_at", "办结时间不能早于受理时间")
            if self._has_error(row, "unit"):
                continue
            if row.unit is None and self.access.caller.user.unit_id is None:
                self.error(row.number, "unit", "市局用户导入须填写办理单位")
                continue
            try:
                row.unit = self.access.writable_unit(row.unit.id if row.unit is not None else None)
            except ServiceError as exc:  # not a unit of this caller's, or the domain is off there
                self.error(row.number, "unit", exc.message)
                continue
            if case_no in existing:
                self._check_existing(row, existing[case_no])

    def _has_error(self, row: Row, key: str) -> bool:
        return any(e["row"] == row.number and e["column"] == HEADERS[key] for e in self.errors)

    def _check_existing(self, row: Row, case: ApprovalCase) -> None:
        """A case already recorded: the same row changes nothing; an added 办结时间 completes an open case."""
        row.existing = case
        data = row.data
        if not self.access.sees(case):
            self.error(row.number, "case_no", "本局已有该办件编号")
            return
        stored = {
            "unit": case.unit_id,
            "matter_name": case.matter_name,
            "applicant_type": case.applicant_type,
            "window": case.window,
            "received_at": case.received_at,
            "promised_days": case.promised_days,
            "intermediary": case.intermediary,
        }
        given = {**{k: data.get(k) for k in stored if k != "unit"}, "unit": row.unit.id if row.unit else None}
        for key, value in stored.items():
            if given.get(key) not in (None, "") and given[key] != value:
                self.error(
                    row.number, key, f"与系统中已登记的办件{case.case_no}不一致（办件编号已存在，只能补登办结时间）"
                )
        completed = data.get("completed_at")
        if case.completed_at is None:
            row.complete = completed is not None
        elif completed is not None and completed != case.completed_at:
            self.error(row.number, "completed_at", f"办件{case.case_no}已登记办结时间，不能更改")

    # -- writing

    def apply(self) -> dict[str, Any]:
        if self.errors:
            raise ImportRefused(self.errors)
        new = [r for r in self.rows if r.existing is None]
        completing = [r for r in self.rows if r.existing is not None and r.complete]
        answer = {
            "created": len(new),
            "updated": len(completing),
            "unchanged": len(self.rows) - len(new) - len(completing),
            "late_problems": 0,
            "dry_run": self.dry_run,
        }
        if self.dry_run:
            return answer
        touched: list[ApprovalCase] = []
        for row in new:
            touched.append(service.build_case(self.access, row.data, row.unit))
        for row in completing:
            row.existing.completed_at = row.data["completed_at"]
            touched.append(row.existing)
        db.session.flush()
        units = self.access.caller.units
        for case in touched:
            if service.check_late(self.access.caller.tenant, case, units=units) is not None:
                answer["late_problems"] += 1
        return answer


def import_cases(access: service.Access, stream: BinaryIO, filename: str, dry_run: bool = False) -> dict[str, Any]:
    """Read, check and (unless a dry run) write an uploaded file of cases; 422 with every bad cell otherwise."""
    run = CaseImport(access, dry_run)
    run.read(stream, filename)
    run.check()
    return run.apply()


# --- the blank template -------------------------------------------------------------------------------------


def _example(access: service.Access) -> dict[str, Any]:
    user = access.caller.user
    unit = access.caller.unit(user.unit_id) if user.unit_id else None
    unit = unit or (access.caller.units[0] if access.caller.units else None)
    return {
        "unit": unit.name if unit else "",
        "matter_name": "食品经营许可（新办）",
        "case_no": EXAMPLE_NO,
        "applicant_type": APPLICANT_TYPES["legal_person"],
        "window": "综合受理3号窗口",
        "received_at": "2024-09-27 10:30",
        "promised_days": 10,
        "completed_at": "2024-10-12 16:00",
        "intermediary": "否",
    }


NOTES = (
    ("办件编号", "必填，本局内唯一。再次导入同一编号不会重复登记；原未办结的办件可在「办结时间」补登后再次导入。"),
    ("办理单位", "填单位名称（同名时填单位代码）；不填为导入人所在单位。市局用户必须填写。"),
    ("申请人类型", "、".join(APPLICANT_TYPES.values())),
    (
        "受理时间、办结时间",
        "北京时间，如 2024-09-27 10:30，或 Excel 日期时间；只填日期视为当日 0 时。办结时间未办结可不填。",
    ),
    ("承诺办结时限（工作日）", "0 到 365 的整数，0 表示即办件。按工作日计算，法定节假日不计、调休上班日计入。"),
    ("是否有中介参与", "是 或 否，不填为否。"),
    ("超时办结", "办结晚于承诺日期（或逾期仍未办结）的办件自动登记为「超时办结」问题，每个办件只登记一次。"),
    ("示例行", f"办件编号为「{EXAMPLE_NO}」的示例行导入时自动跳过，可直接删除。"),
    ("出错时", "任何一处错误都会使整个文件不被导入，并逐行逐列列出错误。"),
)


def write_template(access: service.Access, out: BinaryIO) -> None:
    """The import layout with an example row and a 说明 sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    keys = list(HEADERS)
    example = _example(access)
    for i, key in enumerate(keys, start=1):
        cell = ws.cell(row=1, column=i, value=HEADERS[key])
        cell.font, cell.fill = bold, fill
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS[key]
        ws.cell(row=2, column=i, value=example[key])
    ws.freeze_panes = "A2"
    for key, choices in (("applicant_type", APPLICANT_TYPES.values()), ("intermediary", ("是", "否"))):
        column = get_column_letter(keys.index(key) + 1)
        validation = DataValidation(type="list", formula1=f'"{",".join(choices)}"', allow_blank=True)
        validation.error, validation.errorTitle = "请从下拉列表中选择", "取值不在列表中"
        ws.add_data_validation(validation)
        validation.add(f"{column}2:{column}{MAX_ROWS + 1}")
    notes = wb.create_sheet(NOTES_SHEET)
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 90
    notes.append(["填写说明"])
    notes["A1"].font = bold
    for line in NOTES:
        notes.append(list(line))
    notes.append([])
    notes.append(["办理单位名称", "单位代码"])
    for unit in access.caller.units:
        notes.append([unit.name, unit.code])
    wb.save(out)


def template_csv(access: service.Access) -> bytes:
    """The same layout as CSV (UTF-8 with a BOM so that Excel reads the Chinese), with the example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS.values())
    example = _example(access)
    writer.writerow([example[k] for k in HEADERS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
