"""Reading an uploaded table (.xlsx or CSV) into rows, for the plugins' imports.

The upload is spooled with a size limit, an .xlsx is recognised by its content (macros and zip bombs refused,
as everywhere in core.platform.evidence), and a CSV is decoded as UTF-8 (with or without a BOM) or GB18030, the
encoding Excel uses on a Chinese Windows. Every refusal is a FieldError on ``file``, so nothing is written.
"""

from __future__ import annotations

import csv
import io
from typing import Any, BinaryIO

from flask import current_app
from openpyxl import load_workbook

from core.ledger.excel import IMPORT_MAX_BYTES, MIB, spooled_file
from core.platform.errors import FieldError
from core.platform.evidence import ARCHIVE_TOO_LARGE, CHUNK_BYTES, EMPTY, HEAD_BYTES, MACRO_REFUSED, XLSX, sniff

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
