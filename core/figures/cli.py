"""``xingfeng figures``: rebuild the rollups from the ledger, check them, take a snapshot."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from core.platform.db import db


@click.group("figures")
def figures_group() -> None:
    """City oversight figures: rollups and snapshots."""


def _tenants(slugs: tuple[str, ...]):
    from core.tenancy.models import Tenant

    stmt = select(Tenant).order_by(Tenant.id)
    if slugs:
        stmt = stmt.where(Tenant.slug.in_(slugs))
    tenants = list(db.session.scalars(stmt))
    unknown = set(slugs) - {t.slug for t in tenants}
    if unknown:
        raise click.BadParameter(f"unknown tenant(s): {', '.join(sorted(unknown))}", param_hint="--tenant")
    return tenants


@figures_group.command("recount")
@click.option("--tenant", "slugs", multiple=True, help="Only this tenant (slug); repeatable. Default: every tenant.")
@click.option("--check", is_flag=True, help="Compare the kept rollups with a recount; change nothing.")
@with_appcontext
def recount_command(slugs: tuple[str, ...], check: bool) -> None:
    """Rebuild the rollups of every tenant (or those named) from the ledger, one transaction per tenant."""
    from core.figures import rollup
    from core.ledger.service import work_calendar
    from core.platform.cache import forget

    forget("work_calendar")
    cal = work_calendar()
    started, total, differing = time.monotonic(), 0, []
    for tenant in _tenants(slugs):
        if check:
            kept = rollup.stored_cells(tenant.id)
            rollup.recount(tenant.id, cal)
            if rollup.stored_cells(tenant.id) != kept:
                differing.append(tenant.slug)
            db.session.rollback()
            continue
        total += rollup.recount(tenant.id, cal)
        db.session.commit()
    if check:
        if differing:
            raise click.ClickException(f"rollups differ from a recount: {', '.join(differing)}")
        click.echo("rollups equal a recount")
        return
    click.echo(f"recounted {total} problems in {time.monotonic() - started:.1f} s")


@figures_group.command("snapshot")
@click.option("--period", required=True, help="2024-05, 2024Q2, 2024, 2024-01..2024-06 or phase:<code>")
@click.option("--top", "top_n", default=3, show_default=True, help="How many are commended.")
@click.option("--bottom", "bottom_n", default=3, show_default=True, help="How many are criticised.")
@click.option("--number", "document_number", default="", help="The bulletin's 文号.")
@with_appcontext
def snapshot_command(period: str, top_n: int, bottom_n: int, document_number: str) -> None:
    """Freeze every county's figures for a period, rank them and archive the bulletin (run after the period)."""
    from core.figures import periods, snapshot
    from core.ledger.service import _phases, today_in_shanghai
    from core.platform.errors import FieldError

    started = time.monotonic()
    try:
        chosen = periods.parse(period, _phases())
    except FieldError as exc:
        raise click.BadParameter(exc.fields["period"][0], param_hint="--period") from exc
    taken = snapshot.take(
        chosen, "system:cli", today_in_shanghai(), top_n=top_n, bottom_n=bottom_n, document_number=document_number
    )
    db.session.commit()
    click.echo(f"snapshot {taken.id} of {taken.label}: {len(taken.data['tenants'])} counties in "
               f"{time.monotonic() - started:.1f} s")  # fmt: skip
