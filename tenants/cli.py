"""``xingfeng tenants …`` and ``xingfeng users …``: provisioning from spec files and account chores."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from core.auth import service as auth_service
from core.auth.models import User
from core.platform.db import db
from core.platform.errors import ServiceError
from core.tenancy.service import registry
from tenants.provisioning import apply_specs
from tenants.specs import load_specs


@click.group("tenants")
def tenants_group() -> None:
    """Tenants (county bureaus): provisioning from spec files."""


@tenants_group.command("sync")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--default-password",
    envvar="XINGFENG_DEFAULT_PASSWORD",
    help="Password given to users created by this run (existing users keep theirs).",
)
@click.option("--check", is_flag=True, help="Only check the files; write nothing.")
@with_appcontext
def sync_command(path: Path, default_password: str | None, check: bool) -> None:
    """Apply the tenant spec files under PATH; running it twice changes nothing."""
    specs, errors = load_specs(path, registry().switchable)
    if errors:
        for error in errors:
            click.echo(f"错误 {error}", err=True)
        click.echo(f"规格文件有 {len(errors)} 处错误，未写入任何数据。", err=True)
        sys.exit(1)
    if check:
        click.echo(f"{len(specs)} 个规格文件检查通过。")
        return
    if default_password:
        reason = auth_service.check_password_strength(default_password)
        if reason:
            raise click.BadParameter(reason, param_hint="--default-password")
    try:
        report = apply_specs(specs, default_password)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        click.echo(f"错误 {exc.message} {exc.fields or ''}；未写入任何数据。", err=True)
        sys.exit(1)
    click.echo(f"已同步 {len(specs)} 个规格文件：{report.summary()}")


@click.group("users")
def users_group() -> None:
    """User accounts."""


@users_group.command("set-password")
@click.argument("username")
@click.password_option()
@with_appcontext
def set_password_command(username: str, password: str) -> None:
    """Set a user's password (and revoke the user's tokens)."""
    user = db.session.scalar(select(User).where(User.username == username.lower()))
    if user is None:
        raise click.ClickException(f"no such user: {username}")
    reason = auth_service.check_password_strength(password)
    if reason:
        raise click.ClickException(reason)
    auth_service.set_password(user, password)
    auth_service.revoke_all_tokens(user)
    db.session.commit()
    click.echo(f"password set for {user.username}")


@users_group.command("list")
@click.option("--tenant", help="Only this tenant's users (slug).")
@with_appcontext
def list_command(tenant: str | None) -> None:
    """List users with tenant, role and liaison mark."""
    from core.auth.models import ROLE_NAMES
    from core.tenancy.models import Tenant

    tenants = {t.id: t for t in db.session.scalars(select(Tenant))}
    query = select(User).order_by(User.tenant_id.is_(None).desc(), User.tenant_id, User.id)
    for user in db.session.scalars(query):
        t = tenants.get(user.tenant_id)
        if tenant and (t is None or t.slug != tenant):
            continue
        mark = " 联络员" if user.is_liaison else ""
        click.echo(f"{user.username:<22} {t.slug if t else '(市局)':<12} {ROLE_NAMES[user.role]}{mark}  {user.name}")
