"""The ``xingfeng`` command: a Flask CLI group whose subcommands run the service's chores."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from core.platform.db import db, tenant_scope


def _create_app() -> Flask:
    from core.app import ConfigurationError, create_app  # the composition root, imported when a command runs

    try:
        return create_app()
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def main() -> None:
    """Xingfeng 行风建设 — management commands."""


@click.command("plugins")
@with_appcontext
def plugins_command() -> None:
    """List installed plugins with their domain, version and where each is enabled."""
    from core.tenancy.models import PluginSetting, Tenant, Unit

    registry = current_app.extensions["xingfeng"]
    dists = registry.distributions()
    tenants = db.session.scalars(select(Tenant).order_by(Tenant.id)).all()
    settings: list[tuple[str, str | None, str, bool]] = []  # (tenant slug, unit name, domain, enabled)
    for tenant in tenants:
        # Each tenant in its own scope, as the application role sees it: no city-wide opt-out needed.
        with tenant_scope(tenant.id):
            units = {u.id: u.name for u in db.session.scalars(select(Unit))}
            for s in db.session.scalars(select(PluginSetting).order_by(PluginSetting.id)):
                settings.append((tenant.slug, units.get(s.unit_id) if s.unit_id else None, s.domain, s.enabled))
    for plugin_name, slugs in registry.plugin_domains.items():
        dist, version = dists.get(plugin_name, ("xingfeng (core)", "-"))
        for slug in slugs:
            domain = registry.domains[slug]
            click.echo(f"{plugin_name}  {domain.name} ({domain.name_en})  [{dist} {version}]")
            if not domain.switchable:
                click.echo("    enabled everywhere (core domain)")
                continue
            on = [t for t, unit, d, enabled in settings if d == slug and unit is None and enabled]
            click.echo(f"    tenants: {', '.join(on) if on else '(none)'}")
            for t, unit, d, enabled in settings:
                if d == slug and unit is not None:
                    click.echo(f"    override {'on' if enabled else 'off'}: {t} / {unit}")


@click.command("sweep")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Sweep as of this date (YYYY-MM-DD, Asia/Shanghai); default today.")  # fmt: skip
@with_appcontext
def sweep_command(on) -> None:
    """Record light changes, raise escalations and reminders, send mail; run by cron (safe to repeat)."""
    from core.oversight.sweep import run_sweep

    run = run_sweep(on.date() if on else None)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(run.counts.items())) or "nothing new"
    click.echo(f"sweep {run.id} for {run.today}: {counts}")


@click.command("demo-data")
@with_appcontext
def demo_data_command() -> None:
    """Add the plugins' demo records to every active tenant (``make run``); a tenant that has them is left as it is."""
    from core.platform.calendar import today_in_shanghai
    from core.tenancy.models import Tenant
    from core.tenancy.service import domain_states, units_of_tenant

    registry = current_app.extensions["xingfeng"]
    today = today_in_shanghai()
    for tenant_id in db.session.scalars(select(Tenant.id).where(Tenant.status == "active").order_by(Tenant.id)).all():
        tenant = db.session.get(Tenant, tenant_id)
        with tenant_scope(tenant.id):
            units = units_of_tenant()
            enabled: set[str] = set()
            for unit in units:
                enabled |= {slug for slug, state in domain_states(unit, units).items() if state.enabled}
            results = registry.hook_for("xingfeng_load_demo_data", enabled)(tenant=tenant, today=today)
            added = sum(r for r in results if isinstance(r, int))
            db.session.commit()
        if added:
            click.echo(f"{tenant.slug}: {added} demo records added")


def register_commands(app: Flask) -> None:
    """Attach the subcommands; Flask-Migrate adds ``db`` itself."""
    from core.audit.cli import audit_group
    from core.figures.cli import figures_group
    from tenants.cli import tenants_group, users_group

    app.cli.add_command(audit_group)
    app.cli.add_command(figures_group)
    app.cli.add_command(plugins_command)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(sweep_command)
    app.cli.add_command(tenants_group)
    app.cli.add_command(users_group)
    _upgrade_every_head()


def _upgrade_every_head() -> None:
    """``xingfeng db upgrade`` with no revision upgrades the core and every plugin branch: ``heads``, not ``head``.

    Each plugin keeps its tables in its own Alembic branch, so there are several heads and ``head`` would fail.
    """
    from flask_migrate.cli import db as db_group

    for name in ("upgrade",):
        for param in db_group.commands[name].params:
            if param.name == "revision":
                param.default = "heads"
