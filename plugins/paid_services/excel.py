"""Fee records from a workbook (.xlsx) or a CSV file: every cell checked first, nothing written unless all are good.

Follows the ledger's import (core/ledger/excel.py): errors name the row and the column, the 票据号 is the key so
the same file imported twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from marshmallow import Schema, fields
from sqlalchemy import select

from core.plugin_api import (
    Caller,
    FieldError,
    ImportRefused,
    append_event,
    blank,
    cell_text,
    db,
    may_record,
    normalise_uscc,
    parse_date,
    read_table,
    today_in_shanghai,
)
from plugins.paid_services import service as paid
from plugins.paid_services.models import Agency, FeeRecord, PaidService

MAX_ROWS = 20_000
MAX_COLUMNS = 50
SHEET = "收费记录"
NOT_TABLE = "只接受 Excel .xlsx 或 CSV 文件"
UNREADABLE = "无法读取该文件，文件可能已损坏"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = True


COLUMNS = (
    Column("receipt_no", "票据号"),
    Column("credit_code", "机构统一社会信用代码"),
    Column("agency_name", "机构名称", required=False),
    Column("service", "服务项目"),
    Column("client", "委托方"),
    Column("charged_on", "收费日期"),
    Column("quantity", "数量", required=False),
    Column("amount", "收费金额（元）"),
)
BY_HEADER = {c.header: c for c in COLUMNS}
# Headers people type without the full-width brackets.
BY_HEADER.update({"收费金额": BY_HEADER["收费金额（元）"], "收费金额(元)": BY_HEADER["收费金额（元）"]})
HEADER = {c.key: c.header for c in COLUMNS}


class FeeUploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


@dataclass
class Row:
    number: int
    data: dict[str, Any]
    service: PaidService | None = None
    agency: Agency | None = None
    existing: bool = False


class FeeImport:
    """One uploaded file of fee records: read, every cell checked, then applied (or only counted on a dry run)."""

    def __init__(self, caller: Caller, dry_run: bool = False):
        self.caller = caller
        self.dry_run = dry_run
        self.errors: list[dict[str, Any]] = []
        self.rows: list[Row] = []
        agencies = [a for a in paid.list_agencies(caller) if may_record(caller.user, a.unit_id, caller.units)]
        self.agencies = {a.credit_code: a for a in agencies}
        services = db.session.scalars(
            select(PaidService).where(PaidService.agency_id.in_([a.id for a in agencies]))
        ).all()
        self.services = {(s.agency_id, s.name.strip()): s for s in services}

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": row, "column": column, "message": message})

    # -- reading

    def read(self, stream: BinaryIO, filename: str) -> None:
        self._parse(iter(read_table(stream, filename, SHEET, NOT_TABLE, MAX_COLUMNS)))

    def _parse(self, rows: Iterator[tuple[Any, ...]]) -> None:
        header = next(rows, None)
        index: dict[str, int] = {}
        for i, value in enumerate(header or ()):
            column = BY_HEADER.get(cell_text(value))
            if column is None:
                continue  # a column of the user's own (序号, 备注) is left alone
            if column.key in index:
                self.error(1, column.header, "表头重复")
            index[column.key] = i
        for column in COLUMNS:
            if column.required and column.key not in index:
                self.error(1, column.header, f"缺少「{column.header}」列")
        if self.errors:
            raise ImportRefused(self.errors)
        count = 0
        seen: dict[str, int] = {}
        for number, values in enumerate(rows, start=2):
            if all(blank(v) for v in values):
                continue
            count += 1
            if count > MAX_ROWS:
                raise FieldError("file", f"每个文件最多导入{MAX_ROWS}行，请拆分后分批导入")
            cells = {key: (values[i] if i < len(values) else None) for key, i in index.items()}
            row = self._read_row(number, cells)
            receipt = row.data.get("receipt_no")
            if receipt:
                if receipt in seen:
                    self.error(number, HEADER["receipt_no"], f"票据号与第{seen[receipt]}行重复")
                seen.setdefault(receipt, number)
            self.rows.append(row)
        if not self.rows:
            raise FieldError("file", "文件中没有可导入的数据行")

    def _read_row(self, number: int, cells: dict[str, Any]) -> Row:
        data: dict[str, Any] = {}
        for key, limit in (("receipt_no", 64), ("client", 200), ("service", 200)):
            text = cell_text(cells.get(key))
            if not text:
                self.error(number, HEADER[key], "必填")
            elif len(text) > limit:
                self.error(number, HEADER[key], f"不能超过{limit}个字符")
            else:
                data[key] = text
        row = Row(number, data)
        code = normalise_uscc(cell_text(cells.get("credit_code")))
        if not code:
            self.error(number, HEADER["credit_code"], "必填")
        else:
            row.agency = self.agencies.get(code)
            if row.agency is None:
                self.error(number, HEADER["credit_code"], f"未登记统一社会信用代码为{code}的机构（或无权维护）")
            elif "service" in data:
                row.service = self.services.get((row.agency.id, data["service"]))
                if row.service is None:
                    self.error(
                        number, HEADER["service"], f"机构“{row.agency.name}”没有名为“{data['service']}”的服务项目"
                    )
        try:
            charged_on = parse_date(cells.get("charged_on"))
            if charged_on is None:
                self.error(number, HEADER["charged_on"], "必填")
            else:
                data["charged_on"] = charged_on
        except (ValueError, OverflowError):
            self.error(number, HEADER["charged_on"], "日期格式无效，应为 YYYY-MM-DD 或 Excel 日期")
        quantity = cells.get("quantity")
        if blank(quantity):
            data["quantity"] = 1
        else:
            try:
                value = Decimal(cell_text(quantity))
                if value != value.to_integral_value() or not 1 <= value <= 100000:
                    raise InvalidOperation
                data["quantity"] = int(value)
            except InvalidOperation:
                self.error(number, HEADER["quantity"], "应为1到100000之间的整数")
        amount = cells.get("amount")
        if blank(amount):
            self.error(number, HEADER["amount"], "必填")
        else:
            try:
                value = Decimal(cell_text(amount).replace(",", "").replace("，", ""))
                if not value.is_finite() or value < 0 or value > 100_000_000:
                    raise InvalidOperation
                data["amount"] = value
            except InvalidOperation:
                self.error(number, HEADER["amount"], "应为0到100000000之间的金额（元）")
        return row

    # -- checking against what is stored

    def check(self) -> None:
        receipts = [r.data["receipt_no"] for r in self.rows if "receipt_no" in r.data]
        stored: dict[str, FeeRecord] = {}
        for start in range(0, len(receipts), 1000):
            chunk = receipts[start : start + 1000]
            for record in db.session.scalars(select(FeeRecord).where(FeeRecord.receipt_no.in_(chunk))):
                stored[record.receipt_no] = record
        for row in self.rows:
            record = stored.get(row.data.get("receipt_no", ""))
            if record is None:
                continue
            if row.service is not None and {"client", "charged_on", "amount", "quantity"} <= set(row.data):
                same = (
                    record.service_id == row.service.id
                    and record.client == row.data["client"]
                    and record.charged_on == row.data["charged_on"]
                    and record.quantity == row.data["quantity"]
                    and record.amount_fen == paid.to_fen(row.data["amount"])
                )
                if same:
                    row.existing = True
                    continue
            self.error(row.number, HEADER["receipt_no"], "该票据号已登记，且内容与已登记的不同")
        if self.errors:
            self.errors.sort(key=lambda e: (e["row"], e["column"]))
            raise ImportRefused(self.errors)

    # -- writing

    def apply(self, today: date | None = None) -> dict[str, Any]:
        new = [r for r in self.rows if not r.existing]
        result = {"created": len(new), "unchanged": len(self.rows) - len(new), "flagged": 0, "dry_run": self.dry_run}
        if self.dry_run or not new:
            return result
        today = today or today_in_shanghai()
        records = []
        for row in new:
            data = {**row.data, "service_id": row.service.id}
            record = paid._new_record(self.caller, row.service, data)
            db.session.add(record)
            records.append((record, row))
        db.session.flush()
        for record, row in records:
            result["flagged"] += len(paid.flag_fee_record(record, row.service, row.agency, today))
        append_event(
            "paid_services.fees_imported",
            self.caller.actor,
            {"created": len(records), "receipts": [r.receipt_no for r, _ in records][:1000]},
        )
        return result


def import_fee_records(caller: Caller, stream: BinaryIO, filename: str, dry_run: bool = False) -> dict:
    """Read, check and (unless a dry run) apply an uploaded fee-record file; 422 with every bad cell otherwise."""
    run = FeeImport(caller, dry_run)
    run.read(stream, filename)
    run.check()
    return run.apply()
