"""Tables in and out: reading an uploaded .xlsx or CSV into rows, cell helpers, sending a workbook.

The upload is spooled with a size limit, an .xlsx is recognised by its content (macros and zip bombs refused,
as everywhere in core.platform.evidence), and a CSV is decoded as UTF-8 (with or without a BOM) or GB18030, the
encoding Excel uses on a Chinese Windows. Every refusal is a FieldError on ``file``, so nothing is written.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
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
#: data rows an import reads (the IMPORT_MAX_ROWS setting overrides it); blank rows are skipped but bounded too
IMPORT_MAX_ROWS = 20_000
#: what the sheets and shared strings of an imported .xlsx may unpack to (IMPORT_MAX_UNPACKED_BYTES overrides it):
#: openpyxl holds the shared strings in memory, so this bounds a worker's memory whatever the file claims
IMPORT_MAX_UNPACKED_BYTES = 48 * MIB
#: Excel's own limit of a cell's text
CELL_MAX_CHARS = 32_767
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


def max_rows() -> int:
    return int(current_app.config.get("IMPORT_MAX_ROWS") or IMPORT_MAX_ROWS)


def too_many_rows(limit: int) -> FieldError:
    return FieldError("file", f"每个文件最多导入{limit}行，请拆分后分批导入")


def open_workbook(spooled: BinaryIO, read_only: bool = True, rows: int | None = None):
    """An uploaded .xlsx (already sniffed) opened read-only, once its unpacked sheets are known to be bounded.

    The sizes are the ones the archive declares; Python's zipfile never unpacks more than a member declares, so a
    member that lies is cut short and reads as damaged. A sheet that plainly holds too many rows (more than twice
    ``rows``, the import's limit, so that blank rows are allowed for) is refused before any parsing.
    """
    limit = int(current_app.config.get("IMPORT_MAX_UNPACKED_BYTES") or IMPORT_MAX_UNPACKED_BYTES)
    spooled.seek(0)
    try:
        with zipfile.ZipFile(spooled) as archive:
            sheets = [i for i in archive.infolist() if i.filename.startswith("xl/worksheets/sheet")]
            strings = [i for i in archive.infolist() if i.filename == "xl/sharedStrings.xml"]
            if sum(info.file_size for info in sheets + strings) > limit:
                raise FieldError("file", f"表格解压后超过{limit // MIB} MB，请拆分后分批导入")
            limit_rows = rows if rows is not None else max_rows()
            if any(_rows_written(archive, info.filename) > 2 * limit_rows + 1 for info in sheets):
                raise too_many_rows(limit_rows)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise FieldError("file", UNREADABLE) from exc
    spooled.seek(0)
    try:
        return load_workbook(spooled, read_only=read_only, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise FieldError("file", UNREADABLE) from exc


_ROW_TAG = re.compile(rb"<row\b[^>]*>")


def _rows_written(archive: zipfile.ZipFile, member: str) -> int:
    """How many non-empty ``<row>`` elements a sheet's XML holds, counted on the raw bytes (a C-speed scan, about
    0.1 s for 48 MiB) before openpyxl parses anything: opening a workbook parses all its shared strings first."""
    count, tail = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(MIB):
            data = tail + chunk
            cut = data.rfind(b"<")
            body, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            count += sum(1 for tag in _ROW_TAG.findall(body) if not tag.endswith(b"/>"))
    return count


def sheet_rows(worksheet: Any, limit: int, max_columns: int) -> Iterator[tuple[Any, ...]]:
    """The rows of a read-only sheet, bounded (see :func:`bounded_rows`)."""
    return bounded_rows(worksheet.iter_rows(values_only=True, max_col=max_columns), limit)


def bounded_rows(rows: Iterable[tuple[Any, ...]], limit: int) -> Iterator[tuple[Any, ...]]:
    """The rows of a sheet or CSV (the header first), refused as soon as there are more than ``limit`` data rows
    (or, blank ones, twice as many: as many as the sheet's pre-scan lets in) or a cell holds more than Excel allows."""
    data = stray = 0
    for number, row in enumerate(rows, start=1):
        if any(isinstance(cell, str) and len(cell) > CELL_MAX_CHARS for cell in row):
            raise FieldError("file", f"第{number}行有单元格超过{CELL_MAX_CHARS}个字符")
        if number > 1:
            if all(blank(cell) for cell in row):
                stray += 1
            else:
                data += 1
            if data > limit or stray > 2 * limit + 1:
                raise too_many_rows(limit)
        yield row


def _xlsx_rows(spooled, head: bytes, filename: str, sheet: str, not_table: str, max_columns: int) -> list:
    try:
        kind = sniff(head, spooled, filename)
    except FieldError as exc:
        keep = exc.message in (MACRO_REFUSED, ARCHIVE_TOO_LARGE, EMPTY)
        raise FieldError("file", exc.message if keep else not_table) from exc
    if kind is not XLSX:
        raise FieldError("file", not_table)
    workbook = open_workbook(spooled)
    try:
        worksheet = workbook[sheet] if sheet in workbook.sheetnames else workbook.worksheets[0]
        return list(sheet_rows(worksheet, max_rows(), max_columns))
    except (ValueError, KeyError, TypeError, OSError, zipfile.BadZipFile, EOFError) as exc:
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
        return [tuple(row) for row in bounded_rows(csv.reader(io.StringIO(text, newline="")), max_rows())]
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
