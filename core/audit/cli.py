"""``xingfeng audit verify``: prove that no event of any tenant's chain was altered or removed."""

from __future__ import annotations

import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from core.audit.chain import verify_tenant
from core.platform.db import db, tenant_scope
from core.tenancy.models import Tenant


@click.group("audit")
def audit_group() -> None:
    """The audit trail (hash chain per tenant)."""


def _verify_many(tenants: list[tuple[int, str]]) -> list[tuple[str, int, str | None]]:
    """Verify some tenants' chains in the current app context: (slug, events, "seq: reason" or None) each."""
    out = []
    for tenant_id, tenant_slug in tenants:
        with tenant_scope(tenant_id):
            result = verify_tenant(tenant_id)
        db.session.rollback()  # end the read transaction, so a long run holds no snapshot
        broken = f"{result.broken.seq}: {result.broken.reason}" if result.broken else None
        out.append((tenant_slug, result.events, broken))
    return out


def _verify_in_worker(tenants: list[tuple[int, str]]) -> list[tuple[str, int, str | None]]:
    # A forked worker inherits the parent's app; its pool was emptied before the fork, so it connects anew.
    app = current_app._get_current_object()
    with app.app_context():
        try:
            return _verify_many(tenants)
        finally:
            db.session.remove()
            db.engine.dispose()


@audit_group.command("verify")
@click.option("--tenant", "slug", help="Only this tenant (slug); all tenants by default.")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, help="Processes to verify with (PostgreSQL).")
@with_appcontext
def verify_command(slug: str | None, jobs: int | None) -> None:
    """Verify every tenant's chain; name the first broken event and exit 1 if one is found."""
    query = select(Tenant).order_by(Tenant.id)
    if slug:
        query = query.where(Tenant.slug == slug)
    tenants = [(t.id, t.slug) for t in db.session.scalars(query)]
    db.session.rollback()
    if slug and not tenants:
        raise click.ClickException(f"no such tenant: {slug}")
    jobs = min(jobs, max(1, len(tenants))) if db.engine.dialect.name == "postgresql" else 1
    started, total, broken = time.perf_counter(), 0, 0
    if jobs == 1 or db.engine.dialect.name != "postgresql":
        results = _verify_many(tenants)
    else:
        # Chains are independent: tenants are shared out round-robin (sizes are skewed) among processes.
        shares = [tenants[i::jobs] for i in range(jobs)]
        db.engine.dispose()  # no pooled connection may cross the fork
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            results = [r for part in pool.map(_verify_in_worker, shares) for r in part]
    for tenant_slug, events, failure in results:
        total += events
        if failure:
            broken += 1
            click.echo(f"BROKEN {tenant_slug}: event {failure}")
    elapsed = time.perf_counter() - started
    rate = total / elapsed if elapsed else 0
    click.echo(
        f"verified {len(tenants)} tenant(s), {total} events in {elapsed:.2f}s ({rate:,.0f} events/s, "
        f"{jobs} job(s)); broken: {broken}"
    )
    if broken:
        sys.exit(1)
