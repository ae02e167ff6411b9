"""The ledger as a workbook: one column layout for the export, the import and the blank template.

The export streams: rows come from a server-side cursor in batches of ``BATCH``, evidence names are loaded per
batch and unit names come from the caller's unit tree, so memory stays flat however long the ledger is. The import
reads the whole file, checks every cell of every row first, and writes nothing unless every cell is good.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any, BinaryIO

from flask import current_app
from marshmallow import ValidationError
from marshmallow import fields as ma_fields
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.sql import Select

from core.ledger import fields as local_fields
from core.ledger import permissions as perm
from core.ledger import query as ledger_query
from core.ledger import service
from core.ledger.models import (
    LIGHTS,
    OPEN_STATUSES,
    RECTIFICATION_TYPES,
    SOURCES,
    STATUSES,
    Attachment,
    Problem,
    ProgressNote,
)
from core.platform.calendar import SHANGHAI, WorkCalendar, light, today_in_shanghai
from core.platform.db import db
from core.platform.errors import Conflict, FieldError, ServiceError
from core.platform.evidence import ARCHIVE_TOO_LARGE, CHUNK_BYTES, EMPTY, HEAD_BYTES, MACRO_REFUSED, XLSX, sniff
from core.platform.tabular import (
    IMPORT_MAX_BYTES,
    MAX_COLUMNS,
    MIB,
    ImportRefused,
    blank,
    cell_text,
    open_workbook,
    parse_date,
    sheet_rows,
    spooled_file,
)
from core.platform.xlsx import SheetWriter
from core.tenancy.models import Unit
from core.tenancy.service import domain_states, enabled_domains, registry

#: rows fetched (and evidence names loaded) per round trip
BATCH = 1000
#: an import file holds at most this many data rows
MAX_ROWS = 20_000
#: evidence file names listed in one cell before the rest are only counted
EVIDENCE_NAMES_SHOWN = 5
TITLE_FROM_DESCRIPTION = 50
SHEET = "问题台账"
NOTES_SHEET = "说明"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = XLSX.content_type
DATE_FORMAT = "yyyy-mm-dd"
MINUTE_FORMAT = "yyyy-mm-dd hh:mm"
#: text a spreadsheet would take for a formula; the CSV gets a leading apostrophe (OWASP's CSV-injection advice)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

DATE_ERROR = "日期格式无效，应为 YYYY-MM-DD 或 Excel 日期"
STATUS_MISMATCH = "状态与系统不一致，未改动"
NOT_XLSX = "只接受 Excel .xlsx 文件（可先下载导入模板或导出的台账再填写）"
UNREADABLE = "无法读取该 Excel 文件，文件可能已损坏"


@dataclass(frozen=True)
class Column:
    """One column of the ledger workbook: its key, Chinese header, width in characters and kind of value."""

    key: str
    header: str
    width: int = 14
    #: text, date, datetime, number or boolean
    kind: str = "text"
    #: for a domain's extra field: the field set's slug and domain; for a local field: "local"
    fieldset: str = ""
    domain: str = ""
    code: str = ""


BASE_COLUMNS = (
    Column("number", "编号", 16),
    Column("source", "问题来源", 12),
    Column("category", "问题类别", 18),
    Column("description", "问题描述", 40),
    Column("unit", "责任单位", 18),
    Column("responsible_person", "责任人", 10),
    Column("responsible_leader", "责任领导", 10),
    Column("measures", "整改措施", 40),
    Column("deadline", "整改时限", 12, "date"),
    Column("rectification_type", "整改类型", 10),
    Column("progress", "整改进展", 40),
    Column("completion", "完成情况", 30),
    Column("evidence", "佐证材料", 30),
    Column("verification_opinion", "验收意见", 30),
    Column("closed_at", "销号时间", 17, "datetime"),
    Column("title", "问题标题", 30),
    Column("domain", "业务领域", 12),
    Column("status", "状态", 10),
    Column("light", "灯色", 8),
    Column("external_ref", "外部编号", 18),
)
HEADER = {c.key: c.header for c in BASE_COLUMNS}
#: what the service calls a field, as a column header, for errors raised while applying a row
FIELD_HEADERS = {
    "unit_id": HEADER["unit"],
    "domain": HEADER["domain"],
    "category": HEADER["category"],
    "deadline": HEADER["deadline"],
    "deadline_working_days": HEADER["deadline"],
    "rectification_type": HEADER["rectification_type"],
    "source": HEADER["source"],
    "title": HEADER["title"],
    "description": HEADER["description"],
    "external_ref": HEADER["external_ref"],
}
#: columns a new problem needs; their absence from the file is reported once, not on every row
REQUIRED_FOR_NEW = ("description", "unit", "category", "rectification_type")
#: what the export reads of each problem (never the whole row: no ORM objects, no identity map)
ROW_COLUMNS = (
    Problem.id,
    Problem.number,
    Problem.source,
    Problem.domain,
    Problem.category,
    Problem.title,
    Problem.description,
    Problem.unit_id,
    Problem.responsible_person,
    Problem.responsible_leader,
    Problem.measures,
    Problem.deadline,
    Problem.rectification_type,
    Problem.progress,
    Problem.completion,
    Problem.verification_opinion,
    Problem.closed_at,
    Problem.status,
    Problem.external_ref,
    Problem.custom_fields,
    Problem.local_fields,
)
#: what the import needs of an existing problem to compare a row with it
MATCH_COLUMNS = (
    Problem.id,
    Problem.number,
    Problem.external_ref,
    Problem.status,
    Problem.unit_id,
    Problem.city_assigned,
    Problem.measures,
    Problem.progress,
)


# --- the column layout --------------------------------------------------------------------------------------


def _kind_of(fld: ma_fields.Field) -> str:
    if isinstance(fld, ma_fields.Boolean):
        return "boolean"
    if isinstance(fld, ma_fields.Number):
        return "number"
    if isinstance(fld, ma_fields.DateTime):
        return "text"
    if isinstance(fld, ma_fields.Date):
        return "date"
    return "text"


def custom_columns(domains: Iterable[str] | None = None) -> list[Column]:
    """The domain plugins' extra fields as columns, for ``domains`` (all when None).

    A label two field sets share (统一社会信用代码) gets the domain's name after it, so that every header names
    one field whichever domains a file holds.
    """
    reg = registry()
    described = [(fs, d, fs.schema().fields[d["code"]]) for fs in reg.fieldsets.values() for d in fs.describe()]
    counts = Counter(d["label"] for _, d, _ in described)
    wanted = None if domains is None else set(domains)
    out = []
    for fs, d, fld in described:
        if wanted is not None and fs.domain not in wanted:
            continue
        header = d["label"]
        if counts[header] > 1 or header in HEADER.values():
            header = f"{header}（{reg.domains[fs.domain].name}）"
        out.append(Column(f"custom:{fs.slug}:{d['code']}", header, 16, _kind_of(fld), fs.slug, fs.domain, d["code"]))
    return out


def local_columns(definitions: Sequence[dict[str, Any]], taken: Iterable[str]) -> list[Column]:
    """The tenant's own fields (本局自定义字段) as columns; a label already used gets （本局） after it."""
    taken = set(taken)
    out = []
    for d in definitions:
        header = d["label"] if d["label"] not in taken else f"{d['label']}（本局）"
        taken.add(header)
        out.append(Column(f"local:{d['code']}", header, 14, d["type"], "local", "", d["code"]))
    return out


def _local_definitions() -> list[dict[str, Any]]:
    current = local_fields.current()
    return list(current.fields) if current else []


def layout(domains: Iterable[str] | None = None) -> list[Column]:
    """Every column: the ledger's own, the domains' extra fields, then the tenant's own fields."""
    custom = custom_columns(domains)
    taken = [c.header for c in BASE_COLUMNS] + [c.header for c in custom]
    return [*BASE_COLUMNS, *custom, *local_columns(_local_definitions(), taken)]


# --- export -------------------------------------------------------------------------------------------------


@dataclass
class Export:
    """An export ready to run: the statement and every name it needs, as plain values (no ORM objects).

    The CSV is written after the request has committed, so nothing here may need the request's objects.
    """

    columns: list[Column]
    statement: Select
    unit_names: dict[int, str]
    domain_names: dict[str, str]
    category_names: dict[tuple[str, str], str]
    today: date
    yellow_days: int
    calendar: WorkCalendar


def prepare_export(caller: service.Caller, filters: dict[str, Any]) -> Export:
    """The filtered ledger (same filters as the list) with the columns of the domains it holds."""
    today = today_in_shanghai()
    window = ledger_query.light_window(caller, today)
    base = ledger_query.filtered(caller, filters, window)
    domains = set(db.session.scalars(base.with_only_columns(Problem.domain).distinct()))
    reg = registry()
    statement = (
        base.with_only_columns(*ROW_COLUMNS).order_by(Problem.number, Problem.id).execution_options(yield_per=BATCH)
    )
    return Export(
        columns=layout(domains),
        statement=statement,
        unit_names={u.id: u.name for u in caller.units},
        domain_names={slug: d.name for slug, d in reg.domains.items()},
        category_names={(slug, c.code): c.name for slug, d in reg.domains.items() for c in d.categories},
        today=today,
        yellow_days=service.yellow_days(caller.tenant),
        calendar=service.work_calendar(),
    )


def export_filename(tenant_slug: str, extension: str, today: date | None = None) -> str:
    return f"问题台账-{tenant_slug}-{(today or today_in_shanghai()):%Y%m%d}.{extension}"


def _evidence_names(problem_ids: list[int]) -> dict[int, str]:
    """佐证材料 of a batch of problems in one query: names joined with "；", counted when there are many."""
    names: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(Attachment.problem_id, Attachment.filename)
        .where(Attachment.problem_id.in_(problem_ids))
        .order_by(Attachment.problem_id, Attachment.id)
    )
    for problem_id, filename in rows:
        names.setdefault(problem_id, []).append(filename)
    out = {}
    for problem_id, files in names.items():
        shown = "；".join(files[:EVIDENCE_NAMES_SHOWN])
        out[problem_id] = shown if len(files) <= EVIDENCE_NAMES_SHOWN else f"{shown} 等{len(files)}份"
    return out


def _minute_in_shanghai(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(SHANGHAI).replace(tzinfo=None, second=0, microsecond=0)


def _local_value(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if kind == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if kind == "boolean" and isinstance(value, bool):
        return "是" if value else "否"
    return value


def export_rows(export: Export) -> Iterator[list[Any]]:
    """Each problem as a list of typed values in column order, fetched ``BATCH`` rows at a time."""
    columns = export.columns
    result = db.session.execute(export.statement)
    for batch in result.partitions():
        evidence = _evidence_names([r.id for r in batch])
        for r in batch:
            lamp = light(r.deadline, export.today, export.yellow_days, export.calendar, r.status in OPEN_STATUSES)
            values = {
                "number": r.number,
                "source": SOURCES.get(r.source, r.source),
                "category": export.category_names.get((r.domain, r.category), r.category),
                "description": r.description,
                "unit": export.unit_names.get(r.unit_id, ""),
                "responsible_person": r.responsible_person,
                "responsible_leader": r.responsible_leader,
                "measures": r.measures,
                "deadline": r.deadline,
                "rectification_type": RECTIFICATION_TYPES.get(r.rectification_type, r.rectification_type),
                "progress": r.progress,
                "completion": r.completion,
                "evidence": evidence.get(r.id, ""),
                "verification_opinion": r.verification_opinion,
                "closed_at": _minute_in_shanghai(r.closed_at),
                "title": r.title,
                "domain": export.domain_names.get(r.domain, r.domain),
                "status": STATUSES.get(r.status, r.status),
                "light": LIGHTS.get(lamp, "") if lamp else "",
                # A row needs a key to come back in: the problem's own number when it had no 外部编号.
                "external_ref": r.external_ref or r.number,
            }
            custom = r.custom_fields or {}
            local = r.local_fields or {}
            row = []
            for c in columns:
                if c.fieldset == "local":
                    row.append(_local_value(local.get(c.code), c.kind))
                elif c.fieldset:
                    row.append(custom.get(c.code) if c.domain == r.domain else None)
                else:
                    row.append(values[c.key])
            yield row


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _xlsx_header(ws, columns: Sequence[Column]) -> list[WriteOnlyCell]:
    font, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    cells = []
    for c in columns:
        cell = WriteOnlyCell(ws, c.header)
        cell.font, cell.fill = font, fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cells.append(cell)
    return cells


def _xlsx_value(ws, value: Any) -> Any:
    """A value as openpyxl should write it: text never becomes a formula, times show to the minute."""
    if isinstance(value, str):
        value = _clean(value)
        if value.startswith("="):
            cell = WriteOnlyCell(ws, value)
            cell.data_type = "s"
            return cell
        return value
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = MINUTE_FORMAT
        return cell
    if isinstance(value, dict | list):
        return _clean(str(value))
    # Dates get openpyxl's own yyyy-mm-dd format; numbers and None go as they are.
    return value


def _size_columns(ws, columns: Sequence[Column]) -> None:
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width


def write_xlsx(export: Export, out: BinaryIO) -> None:
    """Write the export row by row with the streaming writer (core.platform.xlsx): nothing of it is held in memory."""
    sheet = SheetWriter(out, SHEET, [c.width for c in export.columns], [c.header for c in export.columns])
    for row in export_rows(export):
        sheet.append([_stream_value(v) for v in row])
    sheet.close()


def _stream_value(value: Any) -> Any:
    """Closing times show to the minute as written; structured values become their text."""
    if isinstance(value, dict | list):
        return str(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(export: Export, chunk_chars: int = 64 * 1024) -> Iterator[bytes]:
    """The export as UTF-8 CSV with a BOM (so Excel reads the Chinese), in chunks of about ``chunk_chars``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([c.header for c in export.columns])
    for row in export_rows(export):
        writer.writerow([_csv_value(v) for v in row])
        if buffer.tell() >= chunk_chars:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# --- import -------------------------------------------------------------------------------------------------


@dataclass
class ImportRow:
    """One data row of the workbook, as read and checked."""

    number: int
    cells: dict[str, Any]
    text: dict[str, str] = field(default_factory=dict)
    ref: str = ""
    source: str | None = None
    domain: str = "general"
    category: str | None = None
    rectification_type: str | None = None
    deadline: date | None = None
    status: str | None = None
    unit: Unit | None = None
    unit_ambiguous: bool = False
    #: the problem the row's 外部编号 names (its match columns), None for a new problem
    existing: Any = None
    changes: dict[str, str] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)
    local: dict[str, Any] = field(default_factory=dict)


def comparable(stored: str | None) -> str:
    """What a stored text looks like once exported and read back, so an untouched row compares equal."""
    return cell_text(_clean(stored or ""))


def _field_value(fld: ma_fields.Field | None, kind: str, value: Any) -> Any:
    """A cell as a field schema expects it: text for text fields, a number or text for numbers, ISO dates."""
    if kind == "date":
        day = parse_date(value)
        return day.isoformat()
    if kind == "boolean":
        text = cell_text(value)
        return {"是": True, "否": False}.get(text, value if isinstance(value, bool) else text)
    if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(fld, ma_fields.Decimal) and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return cell_text(value)


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _reverse(names: dict[str, str]) -> dict[str, str]:
    """Chinese name -> code, codes accepted too."""
    return {**{code: code for code in names}, **{name: code for code, name in names.items()}}


class LedgerImport:
    """One uploaded workbook: read, every cell checked, then applied (or only counted on a dry run)."""

    def __init__(self, caller: service.Caller, dry_run: bool = False):
        self.caller = caller
        self.dry_run = dry_run
        self.today = today_in_shanghai()
        self.errors: list[dict[str, Any]] = []
        self.rows: list[ImportRow] = []
        self.mismatches: list[dict[str, Any]] = []
        reg = registry()
        self.domains = reg.domains
        self.domain_by_name = _reverse({slug: d.name for slug, d in reg.domains.items()})
        self.sources = _reverse(SOURCES)
        self.types = _reverse(RECTIFICATION_TYPES)
        self.statuses = _reverse(STATUSES)
        self.columns = layout()
        self.by_header = {c.header: c for c in self.columns}
        self.local_definitions = {d["code"]: d for d in _local_definitions()}
        self.units_by_name: dict[str, list[Unit]] = {}
        for unit in caller.units:
            self.units_by_name.setdefault(unit.name.strip(), []).append(unit)
        self.units_by_code = {u.code: u for u in caller.units}
        self.present: set[str] = set()
        self.missing_reported: set[str] = set()
        self._states: dict[int, set[str]] = {}

    # -- reading

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": row, "column": column, "message": message})

    def read(self, stream: BinaryIO, filename: str) -> None:
        """Spool the upload, make sure it is a real .xlsx, and parse every data row."""
        spooled = self._spool(stream)
        try:
            try:
                head = spooled.read(HEAD_BYTES)
                spooled.seek(0)
                kind = sniff(head, spooled, filename)
            except FieldError as exc:
                keep = exc.message in (MACRO_REFUSED, ARCHIVE_TOO_LARGE, EMPTY)
                raise FieldError("file", exc.message if keep else NOT_XLSX) from exc
            if kind is not XLSX:
                raise FieldError("file", NOT_XLSX)
            workbook = open_workbook(spooled, rows=MAX_ROWS)
            try:
                sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
                self._parse(sheet_rows(sheet, MAX_ROWS, MAX_COLUMNS))
            except (ValueError, KeyError, TypeError, OSError, zipfile.BadZipFile, EOFError) as exc:
                raise FieldError("file", UNREADABLE) from exc
            finally:
                workbook.close()
        finally:
            spooled.close()

    def _spool(self, stream: BinaryIO) -> tempfile.SpooledTemporaryFile:
        limit = int(current_app.config.get("IMPORT_MAX_BYTES") or IMPORT_MAX_BYTES)
        spooled = spooled_file()
        size = 0
        while chunk := stream.read(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                spooled.close()
                raise FieldError("file", f"文件超过大小限制（{limit // MIB} MB）")
            spooled.write(chunk)
        if size == 0:
            spooled.close()
            raise FieldError("file", EMPTY)
        spooled.seek(0)
        return spooled

    def _parse(self, rows: Iterator[tuple[Any, ...]]) -> None:
        header = next(rows, None)
        index: dict[str, int] = {}
        for i, value in enumerate(header or ()):
            name = cell_text(value)
            if not name or name not in self.by_header:
                continue  # a column of the user's own (序号, 备注) is left alone
            if name in index:
                self.error(1, name, "表头重复")
            index[name] = i
        if HEADER["external_ref"] not in index:
            self.error(1, HEADER["external_ref"], "缺少「外部编号」列：导入以它识别每一行")
        if self.errors:
            raise ImportRefused(self.errors)
        self.present = set(index)
        count = 0
        for number, values in enumerate(rows, start=2):
            if all(blank(v) for v in values):
                continue
            count += 1
            if count > MAX_ROWS:
                raise FieldError("file", f"每个文件最多导入{MAX_ROWS}行，请拆分后分批导入")
            cells = {name: (values[i] if i < len(values) else None) for name, i in index.items()}
            self.rows.append(self._read_row(number, cells))
        if not self.rows:
            raise FieldError("file", "文件中没有可导入的数据行")

    def _short(self, row: ImportRow, key: str, limit: int) -> str:
        text = cell_text(row.cells.get(HEADER[key]))
        if len(text) > limit:
            self.error(row.number, HEADER[key], f"长度不能超过{limit}")
        row.text[key] = text
        return text

    def _choice(self, row: ImportRow, key: str, choices: dict[str, str], names: Iterable[str]) -> str | None:
        text = cell_text(row.cells.get(HEADER[key]))
        if not text:
            return None
        if text not in choices:
            self.error(row.number, HEADER[key], f"{HEADER[key]}无效，应为：{'、'.join(names)}")
            return None
        return choices[text]

    def _read_row(self, number: int, cells: dict[str, Any]) -> ImportRow:
        """Check the cells that hold a value of their own (text lengths, names, dates), for every row."""
        row = ImportRow(number=number, cells=cells)
        row.ref = self._short(row, "external_ref", 64)
        if not row.ref:
            self.error(number, HEADER["external_ref"], "必填")
        for key, limit in (
            ("title", 200),
            ("description", 5000),
            ("responsible_person", 64),
            ("responsible_leader", 64),
            ("measures", 5000),
            ("progress", 5000),
        ):
            self._short(row, key, limit)
        row.source = self._choice(row, "source", self.sources, SOURCES.values())
        row.rectification_type = self._choice(row, "rectification_type", self.types, RECTIFICATION_TYPES.values())
        row.status = self._choice(row, "status", self.statuses, STATUSES.values())
        domain_text = cell_text(cells.get(HEADER["domain"]))
        if domain_text and domain_text not in self.domain_by_name:
            names = "、".join(d.name for d in self.domains.values())
            self.error(number, HEADER["domain"], f"业务领域无效，应为：{names}")
            row.domain = ""
        else:
            row.domain = self.domain_by_name.get(domain_text, "general")
        category_text = cell_text(cells.get(HEADER["category"]))
        if category_text and row.domain:
            domain = self.domains[row.domain]
            match = next((c for c in domain.categories if category_text in (c.name, c.code)), None)
            if match is None:
                names = "、".join(c.name for c in domain.categories)
                self.error(number, HEADER["category"], f"问题类别不属于「{domain.name}」领域，可选：{names}")
            else:
                row.category = match.code
        try:
            row.deadline = parse_date(cells.get(HEADER["deadline"]))
        except (ValueError, OverflowError):
            self.error(number, HEADER["deadline"], DATE_ERROR)
        unit_text = cell_text(cells.get(HEADER["unit"]))
        if unit_text:
            found = self.units_by_name.get(unit_text, [])
            if len(found) == 1:
                row.unit = found[0]
            elif len(found) > 1:
                row.unit_ambiguous = True
            elif unit_text in self.units_by_code:
                row.unit = self.units_by_code[unit_text]
            else:
                self.error(number, HEADER["unit"], f"本局没有名为「{unit_text}」的单位")
        return row

    # -- checking

    def check(self) -> None:
        """Match each row with its problem, then apply the rules of a new problem or of an update."""
        self._match()
        seen: dict[int, int] = {}
        refs: dict[str, int] = {}
        visible = perm.visible_unit_ids(self.caller.user, self.caller.units)
        for row in self.rows:
            if not row.ref:
                self._check_new(row)  # unkeyed, so it cannot be an update: report the rest of its cells too
                continue
            if row.ref in refs:
                self.error(row.number, HEADER["external_ref"], f"外部编号与第{refs[row.ref]}行重复")
                continue
            refs[row.ref] = row.number
            if row.existing is None:
                self._check_new(row)
                continue
            if row.existing.id in seen:
                self.error(row.number, HEADER["external_ref"], f"与第{seen[row.existing.id]}行指向同一问题")
                continue
            seen[row.existing.id] = row.number
            if visible is not None and row.existing.unit_id not in visible:
                self.error(row.number, HEADER["external_ref"], "该外部编号已被本局其他单位的问题使用")
                continue
            self._check_update(row)
        if self.errors:
            raise ImportRefused(self.errors)

    def _match(self) -> None:
        """Find each row's problem by 外部编号, or else by 编号 (an exported row of a problem without one)."""
        refs = sorted({r.ref for r in self.rows if r.ref})
        by_ref: dict[str, Any] = {}
        by_number: dict[str, Any] = {}
        for chunk in _chunks(refs):
            for found in db.session.execute(select(*MATCH_COLUMNS).where(Problem.external_ref.in_(chunk))):
                by_ref[found.external_ref] = found
            for found in db.session.execute(select(*MATCH_COLUMNS).where(Problem.number.in_(chunk))):
                by_number[found.number] = found
        for row in self.rows:
            row.existing = by_ref.get(row.ref) or by_number.get(row.ref)

    def _check_update(self, row: ImportRow) -> None:
        """An existing problem: only 整改措施 and 整改进展 may change; an empty cell changes nothing."""
        problem = row.existing
        for key in ("measures", "progress"):
            text = row.text.get(key, "")
            if text and text != comparable(getattr(problem, key)):
                row.changes[key] = text
        if row.changes:
            column = HEADER[next(iter(row.changes))]
            if problem.status in ("closed", "dismissed"):
                self.error(row.number, column, f"问题当前为「{STATUSES[problem.status]}」，不能再修改")
            elif not perm.may_edit(self.caller.user, problem, self.caller.units):
                self.error(row.number, column, "无权修改该问题")
        if row.status and row.status != problem.status:
            self._mismatch(row, problem.number, problem.status)

    def _mismatch(self, row: ImportRow, number: str | None, system: str) -> None:
        self.mismatches.append(
            {
                "row": row.number,
                "external_ref": row.ref,
                "number": number,
                "file_status": STATUSES[row.status],
                "system_status": STATUSES[system],
                "message": STATUS_MISMATCH,
            }
        )

    def _required(self, row: ImportRow, key: str) -> None:
        header = HEADER[key]
        if header not in self.present:
            if header not in self.missing_reported:
                self.missing_reported.add(header)
                self.error(1, header, f"缺少「{header}」列：新问题须填写")
            return
        if blank(row.cells.get(header)):
            self.error(row.number, header, "必填")

    def _enabled_at(self, unit: Unit) -> set[str]:
        if unit.id not in self._states:
            states = domain_states(unit, self.caller.units)
            self._states[unit.id] = {slug for slug, state in states.items() if state.enabled}
        return self._states[unit.id]

    def _check_new(self, row: ImportRow) -> None:
        """A new problem: what the service would refuse, found now so that nothing is written."""
        user, units = self.caller.user, self.caller.units
        for key in REQUIRED_FOR_NEW:
            self._required(row, key)
        if row.unit_ambiguous:
            self.error(row.number, HEADER["unit"], "本局有多个同名单位，请改填单位代码")
        if row.unit is not None:
            refusal = perm.record_refusal(user, row.unit.id, units)
            if refusal:
                self.error(row.number, HEADER["unit"], refusal)
            elif row.domain and row.domain not in self._enabled_at(row.unit):
                self.error(row.number, HEADER["domain"], "该业务领域未在责任单位启用")
            elif row.text.get("progress"):
                stand_in = SimpleNamespace(unit_id=row.unit.id, city_assigned=user.role == "city_supervisor")
                if not perm.may_edit(user, stand_in, units):
                    self.error(row.number, HEADER["progress"], "无权为该单位的问题填写整改进展")
        if row.rectification_type in ("immediate", "deadline") and blank(row.cells.get(HEADER["deadline"])):
            self.error(row.number, HEADER["deadline"], "立行立改和限期整改须有整改时限")
        elif row.deadline is not None:
            refusal = service.deadline_refusal(row.deadline, row.rectification_type, self.today)
            if refusal:
                self.error(row.number, HEADER["deadline"], refusal)
        self._check_custom(row)
        self._check_local(row)
        if row.status and row.status != "registered":
            self._mismatch(row, None, "registered")

    def _check_custom(self, row: ImportRow) -> None:
        reg = registry()
        mine: dict[str, tuple[Column, Any]] = {}
        for c in self.columns:
            if not c.fieldset or c.fieldset == "local" or c.header not in row.cells:
                continue
            value = row.cells[c.header]
            if blank(value):
                continue
            if c.domain != row.domain:
                other = reg.domains[c.domain].name
                self.error(row.number, c.header, f"该列属于「{other}」领域，与本行的业务领域不符")
                continue
            mine[c.header] = (c, value)
        if not row.domain:
            return
        for fs in (fs for fs in reg.fieldsets.values() if fs.domain == row.domain):
            schema = fs.schema()
            values, headers = {}, {}
            for c, value in (item for item in mine.values() if item[0].fieldset == fs.slug):
                headers[c.code] = c.header
                try:
                    values[c.code] = _field_value(schema.fields.get(c.code), c.kind, value)
                except (ValueError, OverflowError):
                    self.error(row.number, c.header, DATE_ERROR)
            try:
                schema.load(values)
            except ValidationError as exc:
                self._schema_errors(
                    row, exc, headers, {c.code: c.header for c in self.columns if c.fieldset == fs.slug}
                )
            row.custom.update(values)

    def _check_local(self, row: ImportRow) -> None:
        if not self.local_definitions:
            return
        values, headers = {}, {}
        for c in self.columns:
            if c.fieldset != "local" or c.header not in row.cells or blank(row.cells[c.header]):
                continue
            headers[c.code] = c.header
            try:
                values[c.code] = _field_value(None, c.kind, row.cells[c.header])
            except (ValueError, OverflowError):
                self.error(row.number, c.header, DATE_ERROR)
        try:
            local_fields.schema_for(list(self.local_definitions.values()))().load(values)
        except ValidationError as exc:
            self._schema_errors(row, exc, headers, {c.code: c.header for c in self.columns if c.fieldset == "local"})
        row.local = values

    def _schema_errors(self, row: ImportRow, exc: ValidationError, *header_maps: dict[str, str]) -> None:
        messages = exc.messages if isinstance(exc.messages, dict) else {"": exc.messages}
        for code, problems in messages.items():
            header = next((m[code] for m in header_maps if code in m), code)
            for message in problems if isinstance(problems, list) else [str(problems)]:
                if header == code and code not in ("", None):
                    message = f"{code}：{message}"
                self.error(row.number, header, str(message))

    # -- applying

    def apply(self) -> dict[str, Any]:
        """Create the new problems and update the changed ones, in file order; a dry run only counts."""
        created = sum(1 for r in self.rows if r.existing is None)
        updated = sum(1 for r in self.rows if r.existing is not None and r.changes)
        answer = {
            "created": created,
            "updated": updated,
            "unchanged": len(self.rows) - created - updated,
            "status_mismatches": self.mismatches,
            "dry_run": self.dry_run,
        }
        if self.dry_run:
            return answer
        problems: dict[int, Problem] = {}
        ids = [r.existing.id for r in self.rows if r.existing is not None and r.changes]
        for chunk in _chunks(ids):
            problems.update({p.id: p for p in db.session.scalars(select(Problem).where(Problem.id.in_(chunk)))})
        new_rows = [row for row in self.rows if row.existing is None]
        try:
            # New problems go in batches: one INSERT for the problems and one for their events per batch.
            for chunk in _chunks(new_rows):
                created_problems = service.create_problems(
                    self.caller, [(row.number, self._create_data(row)) for row in chunk]
                )
                for row, problem in zip(chunk, created_problems, strict=True):
                    if row.text.get("progress"):
                        apply_imported_update(self.caller, problem, {"progress": row.text["progress"]}, row.number)
        except ServiceError as exc:
            column = FIELD_HEADERS.get(getattr(exc, "field", ""), "")
            raise ImportRefused([{"row": exc.extra.get("row"), "column": column, "message": exc.message}]) from exc
        for row in self.rows:
            if row.existing is None or not row.changes:
                continue
            try:
                apply_imported_update(self.caller, problems[row.existing.id], row.changes, row.number)
            except ServiceError as exc:
                column = FIELD_HEADERS.get(getattr(exc, "field", ""), "")
                raise ImportRefused([{"row": row.number, "column": column, "message": exc.message}]) from exc
        return answer

    def _create_data(self, row: ImportRow) -> dict[str, Any]:
        title = row.text.get("title") or row.text["description"].split("\n")[0][:TITLE_FROM_DESCRIPTION]
        data = {
            "domain": row.domain,
            "category": row.category,
            "title": title,
            "description": row.text["description"],
            "unit_id": row.unit.id,
            "responsible_person": row.text.get("responsible_person", ""),
            "responsible_leader": row.text.get("responsible_leader", ""),
            "rectification_type": row.rectification_type,
            "measures": row.text.get("measures", ""),
            "deadline": row.deadline,
            "external_ref": row.ref,
            "custom_fields": row.custom,
            "local_fields": row.local,
        }
        if row.source:
            data["source"] = row.source
        return data


def apply_imported_update(
    caller: service.Caller, problem: Problem, changes: dict[str, str], row: int | None = None
) -> dict[str, list[Any]]:
    """整改措施 and 整改进展 from a workbook row: changed fields only, one audited event (imported_update).

    New progress is also kept as a progress note, as 整改进展 entered in the page would be.
    """
    if problem.status in ("closed", "dismissed"):
        raise Conflict(f"问题当前为「{STATUSES[problem.status]}」，不能再修改")
    if not perm.may_edit(caller.user, problem, caller.units):
        raise ServiceError("无权修改该问题", status=403)
    values = {k: v for k, v in changes.items() if v != getattr(problem, k)}
    if not values:
        return {}
    note = None
    if "progress" in values:
        note = ProgressNote(problem_id=problem.id, author=caller.actor, text=values["progress"])
        db.session.add(note)
    diff = service._changed(problem, values)
    service._bump(problem)
    db.session.flush()
    service.record(
        caller, problem, "ledger.import_applied", {"changes": diff, "row": row, "note_id": note.id if note else None}
    )
    return diff


def import_workbook(caller: service.Caller, stream: BinaryIO, filename: str, dry_run: bool = False) -> dict[str, Any]:
    """Read, check and (unless a dry run) apply an uploaded ledger workbook; 422 with every bad cell otherwise."""
    run = LedgerImport(caller, dry_run)
    run.read(stream, filename)
    run.check()
    return run.apply()


# --- the blank template -------------------------------------------------------------------------------------


def _example_unit(caller: service.Caller) -> Unit | None:
    own = caller.unit(caller.user.unit_id) if caller.user.unit_id else None
    if own is not None:
        return own
    return caller.units[0] if caller.units else None


def write_template(caller: service.Caller, out: BinaryIO) -> None:
    """The import layout with one example row, and a 说明 sheet with the rules and every allowed value."""
    reg = registry()
    domains = [slug for slug in reg.domains if slug in enabled_domains(None)]
    columns = layout(domains)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    font, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for i, c in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=c.header)
        cell.font, cell.fill = font, fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.freeze_panes = "A2"
    unit = _example_unit(caller)
    general = reg.domains["general"]
    category = general.category("attitude") or general.categories[0]
    example = {
        "source": SOURCES["self_inspection"],
        "category": category.name,
        "description": "（示例行，导入前请删除）窗口工作人员对办事群众咨询不耐烦，推诿办事群众。",
        "unit": unit.name if unit else "",
        "responsible_person": "张三",
        "responsible_leader": "李四",
        "measures": "约谈当事人，开展服务规范培训",
        "deadline": today_in_shanghai() + timedelta(days=30),
        "rectification_type": RECTIFICATION_TYPES["deadline"],
        "title": "窗口人员服务态度生硬",
        "domain": general.name,
        "external_ref": "示例-0001",
    }
    for i, c in enumerate(columns, start=1):
        if c.key in example:
            cell = ws.cell(row=2, column=i, value=example[c.key])
            if c.kind == "date":
                cell.number_format = DATE_FORMAT
    positions = {c.key: get_column_letter(i) for i, c in enumerate(columns, start=1)}
    lists = (
        ("source", SOURCES.values()),
        ("rectification_type", RECTIFICATION_TYPES.values()),
        ("domain", [reg.domains[s].name for s in domains]),
    )
    for key, names in lists:
        choices = ",".join(names)
        # An inline list is limited to 255 characters and cannot hold a comma; a longer one is left to the import.
        if len(choices) <= 255 and all("," not in name for name in names):
            _drop_down(ws, f'"{choices}"', positions[key])
    first_unit_row = _write_notes(wb.create_sheet(NOTES_SHEET), caller, domains, columns)
    if caller.units:
        last = first_unit_row + len(caller.units) - 1
        # Only a warning: where two units share a name, the unit's code is typed instead.
        _drop_down(ws, f"'{NOTES_SHEET}'!$A${first_unit_row}:$A${last}", positions["unit"], style="warning")
    wb.save(out)


def _drop_down(ws, formula: str, column: str, style: str = "stop") -> None:
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
    validation.errorStyle = style
    validation.error, validation.errorTitle = "请从下拉列表中选择", "取值不在列表中"
    ws.add_data_validation(validation)
    validation.add(f"{column}2:{column}{MAX_ROWS + 1}")


def _write_notes(ws, caller: service.Caller, domains: list[str], columns: list[Column]) -> int:
    """Write the rules and the allowed values; return the row of the first unit name (the unit list's source)."""
    reg = registry()
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 80
    ws.column_dimensions["C"].width = 24
    bold = Font(bold=True)

    def heading(*texts: str) -> None:
        ws.append(list(texts))
        for cell in ws[ws.max_row]:
            cell.font = bold

    heading("填写说明")
    for line in (
        ("外部编号", "必填。本局对该问题的唯一编号；再次导入同一编号只更新整改措施、整改进展，不会重复登记。"),
        ("新问题必填", "问题描述、责任单位、问题类别、整改类型；立行立改、限期整改还须填整改时限。"),
        ("业务领域", "不填即为「通用」；问题类别须属于所填领域（见下表）。"),
        ("问题标题", f"不填时取问题描述的前{TITLE_FROM_DESCRIPTION}个字。"),
        ("整改时限", "日期，如 2024-10-31，或 Excel 日期。"),
        ("整改进展", "填写后记入问题的整改进展；留空不会清除系统中已有的内容。"),
        ("状态", "仅用于核对：与系统不一致时在导入结果中列出，不会改动系统中的状态。"),
        ("只供查看的列", "编号、完成情况、佐证材料、验收意见、销号时间、灯色：导入时不读取。"),
        ("行数", f"每个文件最多{MAX_ROWS}行。任何一处错误都会使整个文件不被导入，并逐行逐列列出错误。"),
    ):
        ws.append(list(line))
    for title, names in (
        ("问题来源", SOURCES.values()),
        ("整改类型", RECTIFICATION_TYPES.values()),
        ("状态（系统中的取值）", STATUSES.values()),
    ):
        ws.append([])
        heading(title)
        for name in names:
            ws.append([name])
    ws.append([])
    heading("业务领域", "问题类别")
    for slug in domains:
        domain = reg.domains[slug]
        ws.append([domain.name, "、".join(c.name for c in domain.categories)])
    extra = [c for c in columns if c.fieldset]
    if extra:
        ws.append([])
        heading("扩展字段", "适用范围")
        for c in extra:
            scope = "本局自定义字段" if c.fieldset == "local" else f"仅「{reg.domains[c.domain].name}」领域"
            ws.append([c.header, scope])
    ws.append([])
    heading("责任单位（填名称；同名时填代码）")
    heading("单位名称", "上级单位", "单位代码")
    first = ws.max_row + 1
    by_id = {u.id: u for u in caller.units}
    for unit in caller.units:
        parent = by_id.get(unit.parent_id)
        ws.append([unit.name, parent.name if parent else "", unit.code])
    return first
