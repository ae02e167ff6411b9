"""The ``xingfeng`` command: a Flask CLI group whose subcommands run the service's chores."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from core.db import city_wide, db


def _create_app() -> Flask:
    from core.app import create_app

    return create_app()


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
    with city_wide("list plugin enablement for `xingfeng plugins`", actor="cli"):
        tenants = {t.id: t for t in db.session.scalars(select(Tenant).order_by(Tenant.id))}
        units = {u.id: u for u in db.session.scalars(select(Unit))}
        settings = db.session.scalars(select(PluginSetting).order_by(PluginSetting.tenant_id)).all()
        lines = []
        for plugin_name, slugs in registry.plugin_domains.items():
            dist, version = dists.get(plugin_name, ("xingfeng (core)", "-"))
            for slug in slugs:
                domain = registry.domains[slug]
                lines.append(f"{plugin_name}  {domain.name} ({domain.name_en})  [{dist} {version}]")
                if not domain.switchable:
                    lines.append("    enabled everywhere (core domain)")
                    continue
                on = [
                    tenants[s.tenant_id].slug for s in settings if s.domain == slug and s.unit_id is None and s.enabled
                ]
                lines.append(f"    tenants: {', '.join(on) if on else '(none)'}")
                for s in settings:
                    if s.domain == slug and s.unit_id is not None:
                        unit = units.get(s.unit_id)
                        state = "on" if s.enabled else "off"
                        lines.append(
                            f"    override {state}: {tenants[s.tenant_id].slug} / {unit.name if unit else s.unit_id}"
                        )
    for line in lines:
        click.echo(line)


def register_commands(app: Flask) -> None:
    """Attach the subcommands; Flask-Migrate adds ``db`` itself."""
    from core.audit.cli import audit_group
    from tenants.cli import tenants_group, users_group

    app.cli.add_command(audit_group)
    app.cli.add_command(plugins_command)
    app.cli.add_command(tenants_group)
    app.cli.add_command(users_group)
