"""The admin API: the city bureau manages tenants; city and tenant admins manage units, users and plugins.

Tenant users act in their own tenant (``/api/v1/units``); city users name it (``/api/v1/tenants/<tenant>/units``).
"""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy import select

from core.auth.caller import Caller
from core.auth.guard import CITY_READ, TENANT_MANAGERS, object_loader, require
from core.auth.models import User
from core.ledger.permissions import visible_unit_ids
from core.ledger.schemas import HolidayYearSchema, PhaseListSchema, PhaseSchema
from core.ledger.service import recompute_provisional
from core.platform.api import Blueprint, list_schema, listing
from core.platform.cache import forget
from core.platform.calendar import WorkCalendar, load_year
from core.platform.calendar_models import HolidayYear
from core.platform.db import db, scoped_get
from core.platform.errors import NotFound
from core.tenancy.models import CampaignPhase, Tenant, Unit
from core.tenancy.service import domain_states, hook_for_unit, tenant_settings, units_of_tenant
from tenants import service
from tenants.schemas import (
    DomainQuerySchema,
    DomainSchema,
    PluginOverviewSchema,
    SwitchSchema,
    TenantSchema,
    TenantUpdateSchema,
    UnitSchema,
    UnitSwitchSchema,
    UnitUpdateSchema,
    UserSchema,
    UserUpdateSchema,
)

blp = Blueprint("admin", __name__, url_prefix="/api/v1", description="市局与县区局的管理接口")


@object_loader("unit_id")
def _unit_exists(unit_id: int) -> bool:
    return scoped_get(Unit, unit_id) is not None


@object_loader("user_id")
def _user_exists(user_id: int) -> bool:
    tenant = g.get("tenant")
    cond = User.tenant_id == tenant.id if tenant is not None else User.tenant_id.is_(None)
    return db.session.scalar(select(User.id).where(User.id == user_id, cond)) is not None


# --- tenants (the city's) -----------------------------------------------------------------------------------


@blp.route("/tenants")
class Tenants(MethodView):
    @require(*CITY_READ, tenant=False)
    @blp.response(200, list_schema(TenantSchema))
    def get(self):
        """List every tenant (county bureau)."""
        return listing(db.session.scalars(select(Tenant).order_by(Tenant.id)).all())

    @require("city_admin", tenant=False)
    @blp.arguments(TenantSchema)
    @blp.response(201, TenantSchema)
    def post(self, args):
        """Create a tenant; build its unit tree next."""
        return service.create_tenant(args["slug"], args["name"], args["code"], args["is_city"])


@blp.route("/tenants/<tenant>")
class TenantItem(MethodView):
    @require()
    @blp.response(200, TenantSchema)
    def get(self):
        """One tenant: city users any, tenant users their own."""
        return g.tenant

    @require("city_admin")
    @blp.arguments(TenantUpdateSchema)
    @blp.response(200, TenantSchema)
    def patch(self, args):
        """Rename a tenant, change its number prefix, or suspend and reactivate it."""
        return service.update_tenant(g.tenant, args)


# --- units --------------------------------------------------------------------------------------------------


@blp.tenant_route("/units")
class Units(MethodView):
    @require()
    @blp.response(200, list_schema(UnitSchema))
    def get(self):
        """The tenant's unit tree, parents before children."""
        return listing(units_of_tenant())

    @require(*TENANT_MANAGERS)
    @blp.arguments(UnitSchema)
    @blp.response(201, UnitSchema)
    def post(self, args):
        """Add a unit under a parent (the first unit is the tenant's root)."""
        return service.create_unit(args["code"], args["name"], args["kind"], args["parent_id"], args["sort_order"])


@blp.tenant_route("/units/<int:unit_id>")
class UnitItem(MethodView):
    @require()
    @blp.response(200, UnitSchema)
    def get(self, unit_id):
        """One unit."""
        return service.get_unit(unit_id)

    @require(*TENANT_MANAGERS)
    @blp.arguments(UnitUpdateSchema)
    @blp.response(200, UnitSchema)
    def patch(self, args, unit_id):
        """Rename a unit, change its kind, or move it under another parent."""
        return service.update_unit(service.get_unit(unit_id), args)

    @require(*TENANT_MANAGERS)
    @blp.response(204)
    def delete(self, unit_id):
        """Remove a unit that has no units and no users below it."""
        service.delete_unit(service.get_unit(unit_id), g.tenant)


# --- users --------------------------------------------------------------------------------------------------


@blp.tenant_route("/users")
class Users(MethodView):
    @require("city_admin", "city_supervisor", "tenant_admin")
    @blp.response(200, list_schema(UserSchema))
    def get(self):
        """The tenant's users."""
        return listing(service.list_users(g.tenant))

    @require(*TENANT_MANAGERS)
    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    def post(self, args):
        """Create a user with a role in one unit; without a password the account cannot log in yet."""
        return service.create_user(g.tenant, **args)


@blp.tenant_route("/users/<int:user_id>")
class UserItem(MethodView):
    @require("city_admin", "city_supervisor", "tenant_admin")
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One user of the tenant."""
        return service.get_user(user_id, g.tenant)

    @require(*TENANT_MANAGERS)
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, args, user_id):
        """Change a user's name, role, unit, liaison mark or password, or deactivate the account."""
        return service.update_user(service.get_user(user_id, g.tenant), g.tenant, args)


@blp.route("/city-users")
class CityUsers(MethodView):
    @require("city_admin", tenant=False)
    @blp.response(200, list_schema(UserSchema))
    def get(self):
        """The city bureau's own platform users (city_admin, city_supervisor)."""
        return listing(service.list_users(None))

    @require("city_admin", tenant=False)
    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    def post(self, args):
        """Create a city user."""
        return service.create_user(None, **args)


@object_loader("city_user_id")
def _city_user_exists(user_id: int) -> bool:
    # Tenant users are told nothing about city accounts: for them none exists.
    if g.user.tenant_id is not None:
        return False
    return db.session.scalar(select(User.id).where(User.id == user_id, User.tenant_id.is_(None))) is not None


@blp.route("/city-users/<int:city_user_id>")
class CityUserItem(MethodView):
    @require("city_admin", tenant=False)
    @blp.response(200, UserSchema)
    def get(self, city_user_id):
        """One city user."""
        return service.get_user(city_user_id, None)

    @require("city_admin", tenant=False)
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, args, city_user_id):
        """Change or deactivate a city user."""
        return service.update_user(service.get_user(city_user_id, None), None, args)


# --- plugins and domains ------------------------------------------------------------------------------------


@blp.tenant_route("/plugins")
class Plugins(MethodView):
    @require()
    @blp.response(200, PluginOverviewSchema)
    def get(self):
        """Which domain plugins the tenant may use, and the effective state at every unit."""
        units = units_of_tenant()
        return {
            "tenant": tenant_settings(),
            "units": [
                {
                    "unit_id": unit.id,
                    "unit_name": unit.name,
                    "domains": [vars(s) for s in domain_states(unit, units).values()],
                }
                for unit in units
            ],
        }


@blp.tenant_route("/plugins/<domain>", methods=["PUT"])
@require("city_admin")
@blp.arguments(SwitchSchema)
@blp.response(204)
def set_tenant_plugin(args, domain):
    """Allow or forbid a domain plugin for the whole tenant (the city's decision)."""
    service.set_domain_for_tenant(domain, args["enabled"])


@blp.tenant_route("/units/<int:unit_id>/plugins/<domain>", methods=["PUT"])
@require(*TENANT_MANAGERS)
@blp.arguments(UnitSwitchSchema)
@blp.response(204)
def set_unit_plugin(args, unit_id, domain):
    """Override a domain at a unit and the units below it; null returns to the inherited setting."""
    unit = service.get_unit(unit_id)
    if args["enabled"] and not tenant_settings().get(domain, False):
        service.check_domain(domain)
        abort(409, message="市局未对本局开放该业务插件，不能在单位启用")
    service.set_domain_for_unit(unit, domain, args["enabled"])


def _visible_unit(unit_id: int) -> Unit:
    caller = Caller.current()
    unit = caller.filter_unit(unit_id)
    visible = visible_unit_ids(caller.user, caller.units)
    if visible is not None and unit.id not in visible:
        raise NotFound("未找到该单位")
    return unit


@blp.tenant_route("/domains")
@require()
@blp.arguments(DomainQuerySchema, location="query")
@blp.response(200, list_schema(DomainSchema))
def domains(args):
    """The work domains enabled at a unit, with their categories and extra fields (for forms and imports).

    A unit outside the caller's view (an officer's sibling unit) is not found, like another tenant's.
    """
    unit = _visible_unit(args["unit_id"]) if "unit_id" in args else g.unit
    found = [d for result in hook_for_unit("xingfeng_register_domains", unit)() for d in result or []]
    fieldsets = [f for result in hook_for_unit("xingfeng_register_fields", unit)() for f in result or []]
    out = []
    for domain in found:
        described = [fld for fs in fieldsets if fs.domain == domain.slug for fld in fs.describe()]
        out.append(
            {
                "slug": domain.slug,
                "name": domain.name,
                "name_en": domain.name_en,
                "description": domain.description,
                "categories": [vars(c) for c in domain.categories],
                "fields_": described,
            }
        )
    return listing(out)


# --- campaign phases and the holiday calendar (the city's) --------------------------------------------------


@blp.route("/phases")
class Phases(MethodView):
    @require(tenant=False)
    @blp.response(200, list_schema(PhaseSchema, "PhasesSchema"))
    def get(self):
        """The campaign phases (2023 排查治理, 2024 深化拓展, 2025 巩固提升 …); after the last one: 常态化."""
        return listing(db.session.scalars(select(CampaignPhase).order_by(CampaignPhase.starts_on)).all())

    @require("city_admin", tenant=False)
    @blp.arguments(PhaseListSchema)
    @blp.response(200, list_schema(PhaseSchema, "PhasesSchema"))
    def put(self, args):
        """Replace the phase list; phases may not overlap. Problems keep the phase they were recorded in."""
        phases = sorted(args["phases"], key=lambda p: p["starts_on"])
        for i, phase in enumerate(phases):
            if phase["ends_on"] is not None and phase["ends_on"] < phase["starts_on"]:
                abort(
                    422,
                    message="结束日期早于开始日期",
                    errors={"json": {f"phases.{i}.ends_on": ["结束日期早于开始日期"]}},
                )
            if i and (phases[i - 1]["ends_on"] is None or phases[i - 1]["ends_on"] >= phase["starts_on"]):
                abort(422, message="阶段的日期不能重叠", errors={"json": {f"phases.{i}.starts_on": ["与上一阶段重叠"]}})
        codes = [p["code"] for p in phases]
        if len(set(codes)) != len(codes):
            abort(422, message="阶段代码重复", errors={"json": {"phases": ["阶段代码重复"]}})
        existing = {p.code: p for p in db.session.scalars(select(CampaignPhase))}
        for code, row in existing.items():
            if code not in codes:
                db.session.delete(row)
        for phase in phases:
            row = existing.get(phase["code"]) or CampaignPhase(code=phase["code"])
            row.name, row.starts_on, row.ends_on = phase["name"], phase["starts_on"], phase["ends_on"]
            db.session.add(row)
        db.session.flush()
        forget("phases")
        return listing(db.session.scalars(select(CampaignPhase).order_by(CampaignPhase.starts_on)).all())


@blp.route("/calendar/<int:year>")
class CalendarYear(MethodView):
    @require(tenant=False)
    @blp.response(200, HolidayYearSchema)
    def get(self, year):
        """The holidays and adjusted working days in force for a year, and where they come from."""
        if not 2000 <= year <= 2100:
            abort(404, message="年份超出范围")
        row = db.session.get(HolidayYear, year)
        if row is not None:
            return {**_holiday_year(row), "origin": "loaded", "provisional": False}
        from datetime import date, timedelta

        cal = WorkCalendar()
        if not cal.covers(year):
            return {
                "year": year,
                "holidays": [],
                "workdays": [],
                "source": "",
                "origin": "weekdays",
                "provisional": True,
            }
        days = [date(year, 1, 1) + timedelta(days=i) for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]
        return {
            "year": year,
            "holidays": [d for d in days if d.weekday() < 5 and not cal.is_workday(d)],
            "workdays": [d for d in days if d.weekday() >= 5 and cal.is_workday(d)],
            "source": "chinese-calendar",
            "origin": "package",
            "provisional": False,
        }

    @require("city_admin", tenant=False)
    @blp.arguments(HolidayYearSchema)
    @blp.response(200, HolidayYearSchema)
    def put(self, args, year):
        """Load a year's official holidays and adjusted working days; open deadlines estimated for it are recomputed."""

        row = load_year(db.session, year, args["holidays"], args["workdays"], args["source"], f"user:{g.user.id}")
        recomputed = recompute_provisional(year)
        return {**_holiday_year(row), "recomputed": recomputed}


def _holiday_year(row: HolidayYear) -> dict:
    from datetime import date

    return {
        "year": row.year,
        "holidays": [date.fromisoformat(d) for d in row.holidays],
        "workdays": [date.fromisoformat(d) for d in row.workdays],
        "source": row.source,
    }
