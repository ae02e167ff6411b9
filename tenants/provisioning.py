"""Apply tenant spec files to the database: create what is missing, change what differs, nothing else."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from core.auth import service as auth_service
from core.auth.models import User
from core.platform.db import db, tenant_scope
from core.platform.errors import Conflict
from core.tenancy.models import PluginSetting, Tenant, Unit
from core.tenancy.service import registry
from tenants import service
from tenants.specs import TenantSpec


@dataclass
class SyncReport:
    """What a sync changed, counted by kind (``tenant created``, ``unit updated``...)."""

    changes: Counter = field(default_factory=Counter)
    created_users: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        self.changes[what] += 1

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def summary(self) -> str:
        if not self.changed:
            return "无变化（数据库已与规格文件一致）"
        return "；".join(f"{what} {n}" for what, n in sorted(self.changes.items()))


def _update(obj: object, values: dict, report: SyncReport, what: str) -> None:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    if changed:
        report.note(what)


def apply_specs(specs: list[TenantSpec], default_password: str | None = None) -> SyncReport:
    """Bring the database in line with the specs; the caller commits (or rolls back on error)."""
    report = SyncReport()
    for spec in specs:
        _apply_tenant(spec.data, report, default_password)
        for user in spec.data["city_users"]:
            _apply_user(None, user, {}, report, default_password)
    db.session.flush()
    return report


def _apply_tenant(data: dict, report: SyncReport, default_password: str | None) -> None:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == data["slug"]))
    if tenant is None:
        tenant = service.create_tenant(data["slug"], data["name"], data["code"], data["is_city"])
        report.note("县区局 新建")
    else:
        _update(
            tenant,
            {"name": data["name"], "code": data["code"], "is_city": data["is_city"]},
            report,
            "县区局 更新",
        )
    with tenant_scope(tenant.id):
        units = _apply_units(data["units"], report)
        _apply_plugins(data, units, report)
        for user in data["users"]:
            _apply_user(tenant, user, units, report, default_password)
    db.session.flush()


def _apply_units(specs: list[dict], report: SyncReport) -> dict[str, Unit]:
    existing = {u.code: u for u in db.session.scalars(select(Unit))}
    by_code = {u["code"]: u for u in specs}
    order: list[str] = []

    def visit(code: str) -> None:
        if code in order:
            return
        parent = by_code[code]["parent"]
        if parent is not None:
            visit(parent)
        order.append(code)

    for spec in specs:
        visit(spec["code"])
    for code, unit in existing.items():
        if code not in by_code and unit.parent_id is None:
            raise Conflict(
                f"数据库中的顶层单位 {code}（{unit.name}）不在规格文件中；改动顶层单位代码前请先在管理接口中处理"
            )
    for code in order:
        spec = by_code[code]
        parent_id = existing[spec["parent"]].id if spec["parent"] else None
        sort_order = specs.index(spec)
        unit = existing.get(code)
        if unit is None:
            unit = Unit(code=code, name=spec["name"], kind=spec["kind"], parent_id=parent_id, sort_order=sort_order)
            db.session.add(unit)
            db.session.flush()
            existing[code] = unit
            report.note("单位 新建")
        else:
            values = {
                "name": spec["name"],
                "kind": spec["kind"],
                "parent_id": parent_id,
                "sort_order": sort_order,
            }
            _update(unit, values, report, "单位 更新")
    db.session.flush()
    return existing


def _apply_plugins(data: dict, units: dict[str, Unit], report: SyncReport) -> None:
    desired: dict[int | None, dict[str, bool]] = {None: {d: d in data["plugins"] for d in registry().switchable}}
    for spec in data["units"]:
        if spec["plugins"]:
            desired[units[spec["code"]].id] = dict(spec["plugins"])
    rows = {(r.unit_id, r.domain): r for r in db.session.scalars(select(PluginSetting))}
    for unit_id, states in desired.items():
        for domain, enabled in states.items():
            row = rows.pop((unit_id, domain), None)
            if row is None:
                if unit_id is None and not enabled:
                    continue  # a tenant without a row has the domain off already
                db.session.add(PluginSetting(unit_id=unit_id, domain=domain, enabled=enabled))
                report.note("插件设置 新建")
            elif row.enabled != enabled:
                row.enabled = enabled
                report.note("插件设置 更新")
    for (unit_id, _domain), row in rows.items():
        # Unit overrides the spec does not name go; tenant rows left here belong to uninstalled plugins and stay.
        if unit_id is not None:
            db.session.delete(row)
            report.note("插件设置 删除")
    db.session.flush()


def _apply_user(
    tenant: Tenant | None,
    spec: dict,
    units: dict[str, Unit],
    report: SyncReport,
    default_password: str | None,
) -> None:
    user = db.session.scalar(select(User).where(User.username == spec["username"]))
    unit_id = units[spec["unit"]].id if tenant is not None else None
    liaison = spec.get("liaison", False)
    if user is None:
        user = service.create_user(tenant, spec["username"], spec["name"], spec["role"], unit_id, liaison)
        if default_password:
            auth_service.set_password(user, default_password)
        report.note("用户 新建")
        report.created_users.append(user.username)
        return
    if user.tenant_id != (tenant.id if tenant else None):
        raise service.FieldError("username", f"用户名 {user.username} 已属于其他单位")
    values = {"name": spec["name"], "role": spec["role"], "unit_id": unit_id, "is_liaison": liaison}
    _update(user, values, report, "用户 更新")
