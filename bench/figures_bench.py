"""Time the city's figures on the benchmark database (docs/performance.md, "City figures").

Run as the application role (``DATABASE_URL``: xingfeng_app, row-level security forced) against the data of
``bench/build_data.py``. build_data writes with COPY, past the event hook, so the rollups are built first with
``--recount`` (the same code as ``xingfeng figures recount``). Then, each timed ``--runs`` times after a warm-up:

1. the city's figures of every tenant for a year (``core.figures.service.by_tenant``);
2. one tenant's (the biggest, t0000) figures by unit and domain (``by_dimensions``, under its scope);
3. a snapshot of every tenant (``core.figures.snapshot.take``: figures, unit rows, ranking, .docx, .xlsx).

    set -a; . /tmp/bench.env; set +a
    .venv/bin/python bench/figures_bench.py --recount --year 2025
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text  # noqa: E402

TARGETS = {"city_year": 60.0, "tenant_by_unit_domain": 20.0, "snapshot_all": 60_000.0}


def timed(fn, runs: int) -> dict[str, float]:
    fn()  # warm-up: plans, caches, the calendar
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50": statistics.median(samples), "max": samples[-1], "min": samples[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--recount", action="store_true", help="rebuild the rollups of every tenant first")
    parser.add_argument("--no-snapshot", action="store_true")
    args = parser.parse_args()

    from core.app import create_app
    from core.figures import periods, rollup, service, snapshot
    from core.ledger.service import today_in_shanghai, work_calendar
    from core.platform.db import db, tenant_scope
    from core.tenancy.models import Tenant

    app = create_app()
    with app.app_context():
        role = db.session.execute(text("SELECT current_user")).scalar_one()
        print(f"connected as {role}")
        tenants = list(db.session.scalars(select(Tenant).order_by(Tenant.id)))
        if args.recount:
            started, counted = time.perf_counter(), 0
            cal = work_calendar()
            for tenant in tenants:
                counted += rollup.recount(tenant.id, cal)
                db.session.commit()
            print(f"recount: {counted} problems of {len(tenants)} tenants in {time.perf_counter() - started:.1f} s")
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        period = periods.parse(str(args.year))
        today = today_in_shanghai()
        ids = [t.id for t in tenants]
        rows = db.session.execute(
            text("SELECT count(*) FROM figure_tenant_month WHERE month BETWEEN :a AND :b"),
            {"a": period.first, "b": period.last},
        ).scalar_one()
        print(f"period {period.label}, {len(ids)} tenants, {rows} tenant-month rows in the period")

        def city_year():
            result = service.by_tenant(period, today, ids)
            db.session.rollback()
            return result

        check = city_year()
        total = service.total(check.values()).figures()
        print(f"  all tenants: found {total['found']}, closed {total['closed']}, overdue now {total['overdue_now']}")
        results = {"city_year": timed(city_year, args.runs)}

        biggest = tenants[0]

        def tenant_by_unit_domain():
            with tenant_scope(biggest.id):
                result = service.by_dimensions(period, today, ("unit_id", "domain"))
            db.session.rollback()
            return result

        groups = tenant_by_unit_domain()
        print(f"  {biggest.slug}: {len(groups)} (unit, domain) groups")
        results["tenant_by_unit_domain"] = timed(tenant_by_unit_domain, args.runs)

        from core.figures import providers

        def providers_all_tenants():
            # What the city page adds for the figures of other tables (no rollup yet).
            providers.every_tenant(period, ids, actor="system:bench")
            db.session.rollback()

        started = time.perf_counter()
        providers_all_tenants()
        print(f"  providers ({', '.join(providers.registered())}) of every tenant: "
              f"{(time.perf_counter() - started) * 1000:.0f} ms (not a target; see docs/performance.md)")  # fmt: skip

        if not args.no_snapshot:
            started = time.perf_counter()
            taken = snapshot.take(period, "system:bench", today)
            elapsed = (time.perf_counter() - started) * 1000
            print(f"  snapshot {taken.id}: {len(taken.data['tenants'])} tenants ranked, "
                  f"docx {len(taken.bulletin_docx)} B, xlsx {len(taken.figures_xlsx)} B")  # fmt: skip
            db.session.rollback()  # the benchmark does not keep it
            results["snapshot_all"] = {"p50": elapsed, "max": elapsed, "min": elapsed}

    print(f"\n{'measure':<24}{'p50 ms':>12}{'max ms':>12}{'target ms':>12}  ok")
    for name, r in results.items():
        ok = "yes" if r["p50"] <= TARGETS[name] else "NO"
        print(f"{name:<24}{r['p50']:>12.1f}{r['max']:>12.1f}{TARGETS[name]:>12.0f}  {ok}")


if __name__ == "__main__":
    main()
