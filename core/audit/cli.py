"""``xingfeng audit verify``: prove that no event of any tenant's chain was altered or removed."""

from __future__ import annotations

import sys
import time

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from core.audit.chain import verify_tenant
from core.db import db, tenant_scope
from core.tenancy.models import Tenant


@click.group("audit")
def audit_group() -> None:
    """The audit trail (hash chain per tenant)."""


@audit_group.command("verify")
@click.option("--tenant", "slug", help="Only this tenant (slug); all tenants by default.")
@with_appcontext
def verify_command(slug: str | None) -> None:
    """Verify every tenant's chain; name the first broken event and exit 1 if one is found."""
    query = select(Tenant).order_by(Tenant.id)
    if slug:
        query = query.where(Tenant.slug == slug)
    tenants = [(t.id, t.slug) for t in db.session.scalars(query)]
    if slug and not tenants:
        raise click.ClickException(f"no such tenant: {slug}")
    started, total, broken = time.perf_counter(), 0, 0
    for tenant_id, tenant_slug in tenants:
        with tenant_scope(tenant_id):
            result = verify_tenant(tenant_id)
        db.session.rollback()  # end the read transaction, so a long run holds no snapshot
        total += result.events
        if result.broken:
            broken += 1
            click.echo(f"BROKEN {tenant_slug}: event {result.broken.seq}: {result.broken.reason}")
    elapsed = time.perf_counter() - started
    rate = total / elapsed if elapsed else 0
    click.echo(
        f"verified {len(tenants)} tenant(s), {total} events in {elapsed:.2f}s ({rate:,.0f} events/s); broken: {broken}"
    )
    if broken:
        sys.exit(1)
