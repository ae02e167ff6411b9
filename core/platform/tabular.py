"""Tables in and out: reading an uploaded .xlsx or CSV into rows, cell helpers, sending a workbook.

The upload is spooled with a size limit, an .xlsx is recognised by its content (macros and zip bombs refused,
as everywhere in core.platform.evidence), and a CSV is decoded as UTF-8 (with or without a BOM) or GB18030, the
encoding Excel uses on a Chinese Windows. Every refusal is a FieldError on ``file``, so nothing is written.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, BinaryIO

from flask import Response, current_app, send_file
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from core.platform.errors import FieldError, ServiceError
from core.platform.evidence import (
    ARCHIVE_TOO_LARGE,
    CHUNK_BYTES,
    EMPTY,
    HEAD_BYTES,
    MACRO_REFUSED,
    XLSX,
    download_headers,
    sniff,
)

MIB = 1024 * 1024
#: an uploaded table is refused above this size (the IMPORT_MAX_BYTES setting overrides it)
IMPORT_MAX_BYTES = 20 * MIB
#: columns read from an import file; anything to the right is ignored
MAX_COLUMNS = 200
#: errors listed in a refused import's answer (the message counts all of them)
MAX_REPORTED_ERRORS = 1000
XLSX_TYPE = XLSX.content_type
UNREADABLE = "无法读取该文件，文件可能已损坏"
UNKNOWN_ENCODING = "CSV 文件编码无法识别，请另存为 UTF-8 编码"


def read_table(
    stream: BinaryIO, filename: str, sheet: str, not_table: str, max_columns: int = 50
) -> list[tuple[Any, ...]]:
    """Every row of the upload, the header first: the sheet named ``sheet`` (else the first) or the CSV.

    :param not_table: the message for a file that is neither (it names what the import accepts).
    """
    limit = int(current_app.config.get("IMPORT_MAX_BYTES") or IMPORT_MAX_BYTES)
    spooled = spooled_file()
    try:
        size = 0
        while chunk := stream.read(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                raise FieldError("file", f"文件超过大小限制（{limit // MIB} MB）")
            spooled.write(chunk)
        if size == 0:
            raise FieldError("file", EMPTY)
        spooled.seek(0)
        head = spooled.read(HEAD_BYTES)
        spooled.seek(0)
        if head.startswith(b"PK\x03\x04") or not filename.lower().endswith(".csv"):
            return _xlsx_rows(spooled, head, filename, sheet, not_table, max_columns)
        return _csv_rows(spooled.read(), not_table)
    finally:
        spooled.close()


def _xlsx_rows(spooled, head: bytes, filename: str, sheet: str, not_table: str, max_columns: int) -> list:
    try:
        kind = sniff(head, spooled, filename)
    except FieldError as exc:
        keep = exc.message in (MACRO_REFUSED, ARCHIVE_TOO_LARGE, EMPTY)
        raise FieldError("file", exc.message if keep else not_table) from exc
    if kind is not XLSX:
        raise FieldError("file", not_table)
    spooled.seek(0)
    try:
        workbook = load_workbook(spooled, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise FieldError("file", UNREADABLE) from exc
    try:
        worksheet = workbook[sheet] if sheet in workbook.sheetnames else workbook.worksheets[0]
        return list(worksheet.iter_rows(values_only=True, max_col=max_columns))
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise FieldError("file", UNREADABLE) from exc
    finally:
        workbook.close()


def _csv_rows(data: bytes, not_table: str) -> list:
    if b"\x00" in data[:HEAD_BYTES]:
        raise FieldError("file", not_table)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FieldError("file", UNKNOWN_ENCODING)
    try:
        return [tuple(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise FieldError("file", f"CSV 文件格式有误：{exc}") from exc


def spooled_file() -> tempfile.SpooledTemporaryFile:
    """A temporary file that stays in memory while small and moves to disk when the workbook grows."""
    return tempfile.SpooledTemporaryFile(max_size=8 * MIB)


class ImportRefused(ServiceError):
    """The workbook has bad cells: each is named by row and column, and nothing was written."""

    def __init__(self, errors: list[dict[str, Any]]):
        message = f"导入文件有{len(errors)}处错误，未写入任何数据"
        if len(errors) > MAX_REPORTED_ERRORS:
            message += f"（仅列出前{MAX_REPORTED_ERRORS}处）"
        super().__init__(message, status=422)
        self.rows = errors[:MAX_REPORTED_ERRORS]

    def payload(self) -> dict:
        return {"code": self.status, "message": self.message, **self.extra, "errors": {"rows": self.rows}}


def blank(value: Any) -> bool:
    """Whether a cell is empty or only white space."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0", dates as YYYY-MM-DD, line ends as "\\n"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ", "minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def parse_date(value: Any) -> date | None:
    """A date from a real Excel date, an Excel serial number or text such as 2024-10-31 or 2024年10月31日."""
    if blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Serial numbers of 1900-01-01 to 9999-12-31; anything else is not a date someone meant.
        if 1 <= value < 2958466:
            return from_excel(value).date()
        raise ValueError(value)
    text = str(value).strip().split(" ")[0].split("T")[0]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def download_response(response: Response, filename: str, content_type: str) -> Response:
    """Mark a response as a file download named ``filename`` that neither shared caches nor the browser keep."""
    response.headers.update(download_headers(filename, content_type))
    response.headers["Content-Type"] = content_type
    response.headers["Cache-Control"] = "private, no-store"
    return response


def send_workbook(write: Callable[[BinaryIO], None], filename: str) -> Response:
    """Write a workbook to a temporary file and send it; the file goes away when the response is closed."""
    out = spooled_file()
    try:
        write(out)
        size = out.tell()
        out.seek(0)
    except BaseException:
        out.close()
        raise
    response = send_file(out, mimetype=XLSX_TYPE, max_age=0)
    response.content_length = size
    return download_response(response, filename, XLSX_TYPE)
