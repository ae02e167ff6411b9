"""Serve the ledger with gunicorn (application role, RLS forced, bearer auth) and measure the list endpoint.

Run after bench/build_data.py has filled the database. Prints p50/p99 latency and requests/s for the main list
query with 2 concurrent clients, then the free-text search and the counts separately, the EXPLAIN of the main
query, and the audit-verify rate. Example:

    python bench/ledger_bench.py --app-url postgresql://xingfeng_app@127.0.0.1/xingfeng_bench --seconds 20
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import psycopg2
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.build_data import TOKEN  # noqa: E402

HOST, PORT = "127.0.0.1", 8765


def main_query(unit_id: int) -> str:
    params = [("status", "rectifying"), ("status", "submitted"), ("unit_id", unit_id), ("sort", "deadline"),
              ("limit", 50)]  # fmt: skip
    return "/api/v1/problems?" + urlencode(params)


def client(path: str, seconds: float, results) -> None:
    conn = http.client.HTTPConnection(HOST, PORT)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    latencies = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            raise SystemExit(f"{response.status}: {body[:300]!r}")
    results.put(latencies)


def run_wrk(path: str, seconds: float, clients: int) -> dict | None:
    """Load with wrk (Debian package ``wrk``), which costs the machine far less than Python clients."""
    if not shutil.which("wrk"):
        return None
    url = f"http://{HOST}:{PORT}{path}"
    out = subprocess.run(
        ["wrk", f"-t{clients}", f"-c{clients}", f"-d{int(seconds)}s", "--latency", "-H",
         f"Authorization: Bearer {TOKEN}", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    def millis(label: str) -> float:
        value = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        number, unit = float(value.group(1)), value.group(2)
        return number / 1000 if unit == "us" else number * 1000 if unit == "s" else number

    if "Non-2xx" in out:
        raise SystemExit(out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50_ms": millis("50%"),
        "p99_ms": millis("99%"),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "tool": "wrk",
    }


def run_load(path: str, seconds: float, clients: int) -> dict:
    measured = run_wrk(path, seconds, clients)
    if measured is not None:
        return measured
    results: multiprocessing.Queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=client, args=(path, seconds, results)) for _ in range(clients)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    latencies = []
    for _ in procs:
        latencies += results.get()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1],
        "rps": len(latencies) / elapsed,
        "tool": "python http.client",
    }


def wait_ready() -> None:
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=1)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


def explain(app_url: str) -> str:
    """EXPLAIN ANALYZE of the statement the app really runs for the main list page (built by core.ledger.query)."""
    os.environ.setdefault("SECRET_KEY", "benchmark")
    os.environ["DATABASE_URL"] = app_url
    from core.app import create_app
    from core.ledger import query as ledger_query
    from core.ledger.api import LIST_COLUMNS
    from core.platform.db import db

    app = create_app()
    with app.test_request_context(main_query(0), headers={"Authorization": f"Bearer {TOKEN}"}):
        from core.auth.guard import authenticate, resolve_tenant
        from core.ledger.service import Caller, today_in_shanghai

        resolve_tenant(authenticate(), required=True)
        caller = Caller.current()
        subtree = next(u.id for u in caller.units if u.code == "s1")
        filters = {"status": ["rectifying", "submitted"], "unit_id": subtree, "include_below": True}
        window = ledger_query.light_window(caller, today_in_shanghai())
        statement, params, _ = ledger_query._deadline_page_by_branch(caller, filters, window, 50, None, LIST_COLUMNS)
        sql = str(statement.compile(dialect=db.engine.dialect))
        cursor = db.session.connection().connection.dbapi_connection.cursor()
        inlined = cursor.mogrify(sql, params).decode()
        rows = db.session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + inlined.replace("%", "%%"))).all()
        db.session.rollback()
    return "\n".join(r[0] for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app-url", required=True, help="the application role's URL (not the owner)")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn gthread threads per worker (keep-alive)")
    parser.add_argument("--skip-verify", action="store_true")
    args = parser.parse_args()

    conn = psycopg2.connect(args.app_url)
    cur = conn.cursor()
    cur.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    assert cur.fetchone() == (False, False), "benchmark as the application role"
    cur.execute("SELECT set_config('app.tenant_id', '1', true)")
    cur.execute("SELECT id FROM unit WHERE code IN ('s1', 's1a', 's1b') ORDER BY id")
    subtree = [r[0] for r in cur.fetchall()]
    cur.execute("SELECT count(*) FROM problem")
    in_tenant = cur.fetchone()[0]
    conn.rollback()
    conn.close()

    env = {
        **os.environ,
        "DATABASE_URL": args.app_url,
        "SECRET_KEY": "benchmark",
        "XINGFENG_SQLALCHEMY_ENGINE_OPTIONS": json.dumps({"pool_size": 2, "pool_pre_ping": False}),
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(args.workers), "--bind", f"{HOST}:{PORT}",
         "--log-level", "warning", *(["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads > 1
         else []), "core.app:create_app()"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_ready()
        path = main_query(subtree[0])
        run_load(path, 3, args.clients)  # warm up every worker and its pool
        result = run_load(path, args.seconds, args.clients)
        print(f"tenant t0000: {in_tenant} problems; list (status rectifying+submitted, unit subtree, by deadline, 50):")
        print(f"  {result['requests']} requests, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
              f"{result['rps']:.0f} requests/s with {args.clients} clients "
              f"(gunicorn: {args.workers} workers × {args.threads} threads; load: {result['tool']})")  # fmt: skip
        search = run_load("/api/v1/problems?" + urlencode({"q": "资料费", "limit": 50}), 5, 1)
        print(f"  free-text search q=资料费 (1 client): p50 {search['p50_ms']:.1f} ms, p99 {search['p99_ms']:.1f} ms")
        counts = run_load("/api/v1/problems/counts?" + urlencode({"unit_id": subtree[0]}), 5, 1)
        print(f"  counts by status and light for the subtree (1 client): p50 {counts['p50_ms']:.1f} ms")
        print("EXPLAIN of the main query:")
        print(explain(args.app_url))
    finally:
        server.terminate()
        server.wait()
    if not args.skip_verify:
        print("audit verify (all tenants, as the application role):")
        out = subprocess.run(
            [str(Path(sys.executable).parent / "xingfeng"), "audit", "verify", "--jobs", "2"],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        print(
            "  " + (out.stdout.strip().splitlines() or ["(no output)"])[-1], out.stderr[-500:] if out.returncode else ""
        )


if __name__ == "__main__":
    main()
