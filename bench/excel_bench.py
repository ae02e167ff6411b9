"""Export 100,000 problems to .xlsx and import 10,000 rows, on PostgreSQL, timing each and the peak memory.

Builds its own database (one tenant of 100,000 problems) with .ci/pg-setup and bench/build_data.py, then drives
the API in-process as the application role. Example:

    python bench/excel_bench.py            # prints seconds and peak RSS for the export and the import
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(db: str, problems: int) -> dict[str, str]:
    out = subprocess.run(["bash", ".ci/pg-setup", db], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    env = dict(line.split("=", 1) for line in out.split())
    xingfeng = str(Path(sys.executable).parent / "xingfeng")
    run_env = {**os.environ, **env, "XINGFENG_DEV": "1"}
    subprocess.run([xingfeng, "db", "upgrade"], cwd=ROOT, env=run_env, check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "bench/build_data.py", "--owner-url", env["MIGRATIONS_DATABASE_URL"], "--tenants", "2",
         "--problems", str(problems + 10), "--biggest", str(problems), "--events", str(problems + 10)],
        cwd=ROOT, check=True,
    )  # fmt: skip
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="xingfeng_bench_excel")
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--reuse", action="store_true", help="the database is already built")
    args = parser.parse_args()
    if args.reuse:
        host = "127.0.0.1:5432"
        env = {"DATABASE_URL": f"postgresql://xingfeng_app@{host}/{args.db}",
               "MIGRATIONS_DATABASE_URL": f"postgresql://xingfeng_owner@{host}/{args.db}"}  # fmt: skip
    else:
        env = setup(args.db, args.problems)
    os.environ.update(env)
    os.environ["SECRET_KEY"] = "benchmark"

    from openpyxl import load_workbook

    from bench.build_data import TOKEN
    from core.app import create_app

    app = create_app()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    client.get("/api/v1/auth/me", headers=headers)
    base = rss_mb()

    started = time.perf_counter()
    response = client.get("/api/v1/problems/export.xlsx", headers=headers, buffered=False)
    size = 0
    with open("/tmp/xingfeng-export.xlsx", "wb") as out:
        for chunk in response.response:
            out.write(chunk)
            size += len(chunk)
    response.close()
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    print(f"export: {args.problems} problems -> {size / 1e6:.1f} MB .xlsx in {elapsed:.1f} s; "
          f"peak RSS {rss_mb():.0f} MB (app loaded: {base:.0f} MB)")  # fmt: skip

    # An import file of new rows: the export's first N rows with new external references.
    started = time.perf_counter()
    wb = load_workbook("/tmp/xingfeng-export.xlsx", read_only=True)
    ws = wb.active
    rows = ws.iter_rows(values_only=True)
    header = list(next(rows))
    ref = header.index("外部编号")
    from openpyxl import Workbook

    out_wb = Workbook(write_only=True)
    out_ws = out_wb.create_sheet("问题台账")
    out_ws.append(header)
    for i, row in enumerate(rows):
        if i >= args.import_rows:
            break
        row = list(row)
        row[ref] = f"BENCH-IMPORT-{i:06d}"
        row[header.index("状态")] = "待交办"
        out_ws.append(row)
    wb.close()
    data = io.BytesIO()
    out_wb.save(data)
    print(f"(made an import file of {args.import_rows} rows in {time.perf_counter() - started:.1f} s)")

    started = time.perf_counter()
    response = client.post(
        "/api/v1/problems/import",
        data={"file": (io.BytesIO(data.getvalue()), "import.xlsx")},
        headers=headers,
        content_type="multipart/form-data",
    )
    elapsed = time.perf_counter() - started
    print(f"import: {args.import_rows} rows in {elapsed:.1f} s -> {response.status_code} {str(response.json)[:200]}")
    started = time.perf_counter()
    again = client.post(
        "/api/v1/problems/import",
        data={"file": (io.BytesIO(data.getvalue()), "import.xlsx")},
        headers=headers,
        content_type="multipart/form-data",
    )
    print(f"re-import of the same file: {time.perf_counter() - started:.1f} s -> {str(again.json)[:160]}")


if __name__ == "__main__":
    main()
