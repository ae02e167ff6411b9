"""Time and memory of refusing hostile import files (issue 14, item 3), beside the former whole-file read.

Makes, in a temporary folder:

- ``rows.xlsx``: 200,000 data rows of 8 columns (about 6 MB, under the 20 MiB upload limit);
- ``rows-60k.xlsx``: 60,000 rows, small enough unpacked to be refused by its row count instead;
- ``rows.csv``: 150,000 rows as CSV (15 MB, under the upload limit);
- ``inflating.xlsx``: one cell whose shared string unpacks to 150 MiB from a file of a few hundred KB;
- ``ok.xlsx``: 10,000 ordinary rows, which must still be read.

Each file is read in a fresh Python process (so peak memory is the file's own), once with ``read_table`` as the
imports use it (``bounded``) and once the way it was read before the bounds (``whole``: openpyxl read-only, every
row listed), and the wall time and the process's peak RSS are printed side by side.

    .venv/bin/python bench/imports_bench.py
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MIB = 1024 * 1024


def _rows_xlsx(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("问题台账")
    sheet.append(["外部编号", "问题标题", "问题描述", "责任单位", "问题类别", "整改类型", "整改时限", "备注"])
    for n in range(rows):
        row = [f"EXT-{n}", "窗口服务态度生硬", f"群众反映第{n}号", "城关所", "服务态度", "限期整改", "2026-12-31", ""]
        sheet.append(row)
    workbook.save(path)


def _rows_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig") as out:
        out.write("外部编号,问题标题,问题描述,责任单位,问题类别,整改类型,整改时限,备注\n")
        for n in range(rows):
            out.write(f"EXT-{n},窗口服务态度生硬,群众反映第{n}号,城关所,服务态度,限期整改,2026-12-31,\n")


def _inflating_xlsx(path: Path, unpacked: int) -> None:
    """A minimal workbook whose one cell is a shared string of ``unpacked`` bytes."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )
    head = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        'main" count="1" uniqueCount="1"><si><t>'
    )
    tail = "</t></si></sst>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(head.encode())
            block = b"A" * MIB
            for _ in range(unpacked // MIB):
                out.write(block)
            out.write(tail.encode())


def child(path: str, mode: str) -> None:
    """Read one file as asked and print JSON: seconds, peak RSS (MiB), rows or the refusal."""
    from core.app import create_app
    from core.platform.errors import FieldError

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    outcome: str
    with app.app_context():
        try:
            if mode == "bounded":
                from core.platform.tabular import read_table

                with open(path, "rb") as stream:
                    rows = read_table(stream, Path(path).name, "问题台账", "只接受 .xlsx 或 CSV")
                outcome = f"{len(rows)} rows"
            elif path.endswith(".csv"):
                import csv

                with open(path, encoding="utf-8-sig", newline="") as stream:
                    outcome = f"{len(list(csv.reader(stream)))} rows"
            else:
                from openpyxl import load_workbook

                workbook = load_workbook(path, read_only=True, data_only=True)
                outcome = f"{len(list(workbook.worksheets[0].iter_rows(values_only=True)))} rows"
        except FieldError as exc:
            outcome = f"refused: {exc.message}"
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak": peak, "added": peak - before, "outcome": outcome}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--inflate-mib", type=int, default=150)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="xingfeng-bench-") as work:
        folder = Path(work)
        files = {
            "rows.xlsx": lambda p: _rows_xlsx(p, args.rows),
            "rows-60k.xlsx": lambda p: _rows_xlsx(p, 60_000),
            "rows.csv": lambda p: _rows_csv(p, min(args.rows, 150_000)),
            "inflating.xlsx": lambda p: _inflating_xlsx(p, args.inflate_mib * MIB),
            "ok.xlsx": lambda p: _rows_xlsx(p, 10_000),
        }
        print(f"{'file':<15} {'size':>8} {'mode':<8} {'seconds':>8} {'peak MiB':>9} {'+MiB':>7}  outcome")
        for name, make in files.items():
            path = folder / name
            make(path)
            size = f"{path.stat().st_size / MIB:.1f}M"
            for mode in ("bounded", "whole"):
                done = subprocess.run(
                    [sys.executable, __file__, "--child", str(path), mode], capture_output=True, text=True, check=False
                )
                if done.returncode != 0:
                    print(f"{name:<15} {size:>8} {mode:<8} failed: {done.stderr.strip().splitlines()[-1:]}")
                    continue
                r = json.loads(done.stdout.strip().splitlines()[-1])
                timing = f"{r['seconds']:8.2f} {r['peak']:9.0f} {r['added']:7.0f}"
                print(f"{name:<15} {size:>8} {mode:<8} {timing}  {r['outcome']}")


if __name__ == "__main__":
    main()
