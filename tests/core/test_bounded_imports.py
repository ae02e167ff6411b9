"""Imports are bounded before they are read: rows, unpacked size and cell size (issue 14, item 3).

The limits are lowered here (IMPORT_MAX_ROWS, IMPORT_MAX_UNPACKED_BYTES) so the files stay small; bench/imports_bench.py
measures the real limits on a 200,000-row and an inflating workbook.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from bench.imports_bench import _inflating_xlsx
from core.platform import tabular
from core.platform.errors import FieldError
from core.platform.tabular import CELL_MAX_CHARS, read_table


def _xlsx(rows: int, columns: int = 3, blank_rows: int = 0) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([f"列{n}" for n in range(columns)])
    for n in range(rows):
        sheet.append([f"{n}-{c}" for c in range(columns)])
    for n in range(blank_rows):
        sheet.cell(row=rows + 2 + n, column=1).number_format = "@"  # a formatted, empty row
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv(rows: int, cell: str = "x") -> bytes:
    return ("甲,乙\n" + "".join(f"{n},{cell}\n" for n in range(rows))).encode("utf-8-sig")


@pytest.fixture
def limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 50)
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNPACKED_BYTES", 1024 * 1024)
    with app.app_context():
        yield


def _read(data: bytes, name: str):
    return read_table(io.BytesIO(data), name, "", "只接受 Excel .xlsx 或 CSV 文件")


@pytest.mark.parametrize(("data", "name"), [(_xlsx(50), "a.xlsx"), (_csv(50), "a.csv")])
def test_the_limit_itself_is_read(limits, data, name):
    assert len(_read(data, name)) == 51


@pytest.mark.parametrize(("data", "name"), [(_xlsx(51), "a.xlsx"), (_csv(51), "a.csv")])
def test_one_row_past_the_limit_is_refused(limits, data, name):
    with pytest.raises(FieldError) as info:
        _read(data, name)
    assert info.value.field == "file"
    assert info.value.message == "每个文件最多导入50行，请拆分后分批导入"


def test_a_sheet_plainly_too_long_is_refused_before_openpyxl_opens_it(limits, monkeypatch):
    data = _xlsx(200)

    def never(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(tabular, "load_workbook", never)
    with pytest.raises(FieldError, match="最多导入50行"):
        _read(data, "a.xlsx")


def test_formatted_blank_rows_below_the_data_do_not_count(limits):
    assert len(_read(_xlsx(10, blank_rows=60), "a.xlsx")) >= 11


def test_an_inflating_workbook_is_refused_by_what_it_unpacks_to(limits, tmp_path):
    path = tmp_path / "bomb.xlsx"
    _inflating_xlsx(path, 8 * 1024 * 1024)  # 8 MiB of one cell, a few KB on disk
    assert path.stat().st_size < 100_000
    with pytest.raises(FieldError) as info:
        _read(path.read_bytes(), "bomb.xlsx")
    assert info.value.message == "表格解压后超过1 MB，请拆分后分批导入"


def test_a_cell_longer_than_excel_allows_is_refused_naming_the_row(limits):
    with pytest.raises(FieldError) as info:
        _read(_csv(3, cell="长" * (CELL_MAX_CHARS + 1)), "a.csv")
    assert info.value.message == f"第2行有单元格超过{CELL_MAX_CHARS}个字符"


def test_the_imports_answer_a_bounded_refusal_as_json(app, client, tenant, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNPACKED_BYTES", 1024 * 1024)
    path = tmp_path / "bomb.xlsx"
    _inflating_xlsx(path, 8 * 1024 * 1024)
    # the ledger's own reader and a plugin's (through read_table)
    for url in ("/api/v1/problems/import", "/api/v1/plugins/approval/cases/import"):
        resp = client.post(
            url,
            data={"file": (io.BytesIO(path.read_bytes()), "台账.xlsx")},
            headers=tenant.headers("officer"),
            content_type="multipart/form-data",
        )
        assert resp.status_code == 422, (url, resp.status_code, resp.get_data(as_text=True)[:200])
        assert resp.json["errors"]["json"]["file"] == ["表格解压后超过1 MB，请拆分后分批导入"]
