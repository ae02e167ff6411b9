"""The streaming .xlsx writer: what Excel (here openpyxl) reads back."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from core.platform.xlsx import SheetWriter, column_letter


def _write(rows, header=("编号", "描述", "时限", "销号时间", "金额", "是否")):
    out = io.BytesIO()
    sheet = SheetWriter(out, "问题台账", [12, 40, 12, 18, 10, 6], list(header))
    for row in rows:
        sheet.append(row)
    sheet.close()
    out.seek(0)
    return load_workbook(out)


def test_values_come_back_with_their_types():
    wb = _write(
        [
            [
                "DH-2024-0001",
                "窗口<人员>&态度",
                date(2024, 10, 12),
                datetime(2024, 10, 20, 14, 35),
                Decimal("12.50"),
                True,
            ],
            ["DH-2024-0002", None, None, None, 3, False],
        ]
    )
    ws = wb["问题台账"]
    assert [c.value for c in ws[1]] == ["编号", "描述", "时限", "销号时间", "金额", "是否"]
    assert ws["B2"].value == "窗口<人员>&态度"
    assert ws["C2"].value == datetime(2024, 10, 12)
    assert ws["C2"].number_format == "yyyy-mm-dd"
    assert ws["D2"].value == datetime(2024, 10, 20, 14, 35)
    assert ws["D2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["E2"].value == 12.5
    assert ws["F2"].value is True
    assert ws["B3"].value is None
    assert ws["F3"].value is False


def test_header_is_styled_frozen_and_filtered():
    ws = _write([["a", "b", None, None, None, None]]).active
    assert ws["A1"].font.b is True
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F1"
    assert ws.column_dimensions["B"].width == 40


def test_text_never_becomes_a_formula_and_illegal_characters_are_dropped():
    ws = _write([["=1+1", "响铃\x07字符\x1f", "@SUM(A1)", None, None, None]]).active
    assert ws["A2"].value == "=1+1"
    assert ws["A2"].data_type == "s"
    assert ws["B2"].value == "响铃字符"
    assert ws["C2"].value == "@SUM(A1)"


def test_column_letters():
    assert [column_letter(i) for i in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]


def test_many_rows_stream_through():
    rows = ([f"N-{i}", "描述" * 10, date(2024, 1, 1), None, i, False] for i in range(2000))
    ws = _write(rows).active
    assert ws.max_row == 2001
    assert ws["E2001"].value == 1999
