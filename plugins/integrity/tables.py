"""The header row of an integrity register's import, read one way for every register (risk points, training
sessions, interference records): the columns found by their headers, duplicates and missing required columns
refused with the row and column, before any data row is looked at."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from core.plugin_api import ImportRefused, cell_text, read_table

#: (key, header, required, width) — the shape of each register's COLUMNS
Columns = list[tuple[str, str, bool, Any]] | tuple[tuple[str, str, bool, Any], ...]


def read_register(
    stream: BinaryIO, filename: str, sheet: str, not_table: str, columns: Columns
) -> tuple[Iterator[tuple[Any, ...]], dict[str, int], list[dict[str, Any]], Callable[[int, str, str], None]]:
    """(the data rows, column key -> index, the error list, a function adding an error) once the header is sound."""
    rows = iter(read_table(stream, filename, sheet, not_table, 50))
    errors: list[dict[str, Any]] = []

    def error(row: int, column: str, message: str) -> None:
        errors.append({"row": row, "column": column, "message": message})

    header_of = {key: header for key, header, _, _ in columns}
    by_header = {header: key for key, header, _, _ in columns}
    index: dict[str, int] = {}
    for i, value in enumerate(next(rows, None) or ()):
        key = by_header.get(cell_text(value))
        if key is None:
            continue
        if key in index:
            error(1, header_of[key], "表头重复")
        index[key] = i
    for key, header, required, _ in columns:
        if required and key not in index:
            error(1, header, f"缺少「{header}」列")
    if errors:
        raise ImportRefused(errors)
    return rows, index, errors, error
