"""Administration pages: a tenant's units, users, plugin switches and ledger settings; the city's tenants.

Every change goes through the same service functions as the admin API (tenants.service, core.tenancy.service,
core.ledger), so the pages enforce exactly the API's rules.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from core.audit import chain
from core.auth.models import ROLE_NAMES, TENANT_ROLES
from core.ledger import fields as local_fields
from core.ledger.schemas import SETTING_RANGES, TenantSettingsSchema
from core.oversight.service import change_thresholds, tenant_thresholds
from core.platform.db import db
from core.platform.errors import ServiceError
from core.tenancy.models import UNIT_KINDS, Tenant
from core.tenancy.service import domain_states, registry, tenant_settings, units_of_tenant
from core.web.auth import page, tenant_page
from core.web.blueprint import blp, flash_refusal
from tenants import service

MANAGERS = ("city_admin", "tenant_admin")


def _prefix() -> str:
    slug = g.get("tenant_slug")
    return f"/tenants/{slug}" if slug else ""


TYPE_NAMES = {"文本": "text", "数字": "number", "日期": "date", "单选": "choice", "是否": "boolean"}


def _parse_local_fields(text: str) -> list[dict]:
    """One field a line: 代码,名称,类型(文本/数字/日期/单选/是否),必填(是/否),选项(用|分隔)."""
    definitions = []
    for number, line in enumerate((x.strip() for x in text.splitlines()), start=1):
        if not line:
            continue
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if len(parts) < 3:
            raise ServiceError(_("第%(n)s行：至少要有代码、名称和类型", n=number), {"definitions": [line]})
        kind = TYPE_NAMES.get(parts[2], parts[2])
        definitions.append(
            {
                "code": parts[0],
                "label": parts[1],
                "type": kind,
                "required": len(parts) > 3 and parts[3] in ("是", "必填", "yes", "true"),
                "choices": [c for c in parts[4].split("|") if c] if len(parts) > 4 else [],
            }
        )
    return definitions


def _local_text() -> str:
    current = local_fields.current()
    names = {v: k for k, v in TYPE_NAMES.items()}
    lines = []
    for d in current.fields if current else []:
        line = f"{d['code']},{d['label']},{names.get(d['type'], d['type'])},{'是' if d.get('required') else '否'}"
        if d.get("choices"):
            line += "," + "|".join(d["choices"])
        lines.append(line)
    return "\n".join(lines)


def _settings_from(form) -> dict[str, int]:
    """The thresholds in the form, validated by the API's schema; a refusal keeps each field's reason and the values
    typed for the page shown after the redirect (errors beside each field)."""
    values = {name: form[name].strip() for name in SETTING_RANGES if name in form}
    try:
        return TenantSettingsSchema().load(values)
    except ValidationError as error:
        fields = {name: list(messages) for name, messages in error.messages.items()}
        session["settings_errors"], session["settings_values"] = fields, values
        raise ServiceError(_("时限设置有误"), fields) from None


def _admin():
    """Units, users, plugin switches and settings of the tenant, on one page with a form for each change."""
    if request.method == "POST":
        form = request.form
        action = form.get("action")
        try:
            if action == "add_unit":
                parent = form.get("parent_id", type=int)
                service.create_unit(
                    form.get("code", "").strip(), form.get("name", "").strip(), form.get("kind", ""), parent
                )
            elif action == "move_unit":
                unit = service.get_unit(form.get("unit_id", type=int))
                service.update_unit(unit, {"parent_id": form.get("parent_id", type=int)})
            elif action == "delete_unit":
                service.delete_unit(service.get_unit(form.get("unit_id", type=int)), g.tenant)
            elif action == "rename_unit":
                service.update_unit(
                    service.get_unit(form.get("unit_id", type=int)), {"name": form.get("name", "").strip()}
                )
            elif action == "add_user":
                service.create_user(
                    g.tenant, form.get("username", ""), form.get("name", "").strip(), form.get("role", ""),
                    form.get("unit_id", type=int), form.get("is_liaison") == "1", form.get("password") or None,
                )  # fmt: skip
            elif action == "edit_user":
                user = service.get_user(form.get("user_id", type=int), g.tenant)
                changes = {"role": form.get("role", user.role), "unit_id": form.get("unit_id", type=int),
                           "is_liaison": form.get("is_liaison") == "1"}  # fmt: skip
                if form.get("password"):
                    changes["password"] = form["password"]
                service.update_user(user, g.tenant, changes)
            elif action == "user_active":
                user = service.get_user(form.get("user_id", type=int), g.tenant)
                service.update_user(user, g.tenant, {"active": form.get("active") == "1"})
            elif action == "unit_plugin":
                value = {"on": True, "off": False}.get(form.get("state", ""))
                unit = service.get_unit(form.get("unit_id", type=int))
                if value and not tenant_settings().get(form.get("domain", ""), False):
                    raise ServiceError(_("市局未对本局开放该业务插件，不能在单位启用"), status=409)
                service.set_domain_for_unit(unit, form.get("domain", ""), value)
            elif action == "tenant_plugin" and g.user.role == "city_admin":
                service.set_domain_for_tenant(form.get("domain", ""), form.get("state") == "on")
            elif action == "local_fields":
                definitions = _parse_local_fields(form.get("definitions", ""))
                fieldset = local_fields.define(definitions, f"user:{g.user.id}")
                chain.append(
                    "ledger.local_fields_defined",
                    f"user:{g.user.id}",
                    {"version": fieldset.version, "fields": definitions},
                )
            elif action == "yellow_days":  # the thresholds form (时限设置), named after its first field
                change_thresholds(g.tenant, f"user:{g.user.id}", _settings_from(form))
            else:
                raise ServiceError(_("不支持该操作"), status=400)
            db.session.commit()
            flash(_("已保存"), "success")
        except ServiceError as error:
            flash_refusal(error)
        return redirect(f"{_prefix()}/admin")
    units = units_of_tenant()
    users = service.list_users(g.tenant)
    states = {u.id: domain_states(u, units) for u in units}
    return render_template(
        "web/admin.html",
        units=units,
        users=users,
        states=states,
        tenant_switches=tenant_settings(),
        domains={s: d for s, d in registry().domains.items() if d.switchable},
        kinds=UNIT_KINDS,
        roles={r: ROLE_NAMES[r] for r in TENANT_ROLES},
        thresholds={**tenant_thresholds(g.tenant), **session.pop("settings_values", {})},
        settings_errors=session.pop("settings_errors", {}),
        local_text=_local_text(),
        prefix=_prefix(),
    )


@tenant_page("/admin", *MANAGERS, methods=["GET", "POST"])
def admin():
    return _admin()


@blp.route("/city/tenants", methods=["GET", "POST"])
@page("city_admin", tenant=False)
def city_tenants():
    """The city's tenants: create one, suspend or reactivate it, and open its administration."""
    if request.method == "POST":
        form = request.form
        try:
            if form.get("action") == "add_tenant":
                service.create_tenant(
                    form.get("slug", "").strip(), form.get("name", "").strip(), form.get("code", "").strip()
                )
            else:
                tenant = db.session.scalar(select(Tenant).where(Tenant.slug == form.get("slug", "")))
                if tenant is None:
                    raise ServiceError(_("未找到该县区局"), status=404)
                service.update_tenant(tenant, {"status": "active" if form.get("active") == "1" else "suspended"})
            db.session.commit()
            flash(_("已保存"), "success")
        except ServiceError as error:
            flash_refusal(error)
        return redirect("/city/tenants")
    tenants = db.session.scalars(select(Tenant).order_by(Tenant.id)).all()
    return render_template("web/city_tenants.html", tenants=tenants)
