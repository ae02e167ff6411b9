"""Page blueprints: CSRF on every form, errors rendered as pages, each page for tenant users and city users.

``blp`` is the core's own page blueprint (the shell: layout, static files, login); a plugin makes its own
``PageBlueprint`` and returns it from ``xingfeng_register_pages``; the core mounts it behind the per-unit check.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from core.auth.caller import Caller
from core.auth.guard import resolve_tenant
from core.platform.calendar import SHANGHAI, local_date
from core.platform.db import db
from core.platform.errors import ServiceError
from core.platform.extensions import csrf
from core.tenancy.service import enabled_domains

PAGE_ERRORS = {
    400: "请求有误",
    403: "当前角色无权查看此页面",
    404: "未找到该页面或对象",
    405: "不支持该操作",
    409: "与当前状态冲突",
    413: "上传内容过大",
    429: "操作过于频繁，请稍后再试",
}


def protect_forms() -> None:
    """Check the CSRF token of every page form (the JSON API authenticates with bearer tokens and needs none)."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def page_error(error: HTTPException):
    message = _(PAGE_ERRORS.get(error.code, "出错了"))
    return render_template("web/error.html", code=error.code, message=message), error.code


def flash_refusal(error: ServiceError) -> None:
    """Tell the user on the next page why a service refused, and undo whatever the request had begun."""
    db.session.rollback()
    # A one-field refusal usually says the same as its message: say it once.
    parts = ["、".join(m for m in reasons if m != error.message) for reasons in error.fields.values()]
    details = "；".join(part for part in parts if part)
    flash(f"{error.message}（{details}）" if details else error.message, "danger")


def service_error_page(error: ServiceError):
    db.session.rollback()
    return render_template("web/error.html", code=error.status, message=error.message), error.status


def page(*roles: str, tenant: bool = True) -> Callable:
    """Decorate a page: logged in (else the login page), tenant resolved (404), role checked (403)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("web.login", next=request.full_path))
            resolve_tenant(g.user, required=tenant)
            if roles and g.user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def domain_guard(domains: dict[str, str]) -> Callable[[], None]:
    """A ``before_request`` check: a page of a blueprint in ``domains`` (name -> domain) answers 404 wherever
    that domain is not enabled at the signed-in user's unit; a visitor not signed in goes on to the login page."""

    def check() -> None:
        domain = domains.get(request.blueprint or "")
        # A plugin's script or style file is the same for everyone, and has no tenant in its path.
        if domain is None or (request.endpoint or "").endswith(".static") or not current_user.is_authenticated:
            return
        resolve_tenant(g.user, required=True)
        if domain not in enabled_here():
            abort(404)

    return check


def enabled_here() -> set[str]:
    """The domains enabled at the user's unit (for a city user: those the tenant allows), once per request."""
    if "enabled_here" not in g:
        unit = g.get("unit")
        # The ledger's Caller keeps the unit tree and each unit's states for the rest of the request.
        g.enabled_here = Caller.current().enabled_domains(unit) if unit is not None else enabled_domains(None)
    return g.enabled_here


class PageBlueprint(Blueprint):
    """A blueprint of web pages: forms checked for CSRF, errors shown as pages, pages for both kinds of user.

    :param name: the blueprint's name, unique in the app (a plugin's: ``<domain>_pages``); endpoints are
        ``<name>.<view>`` for tenant users and ``<name>.<view>_by_tenant`` for city users.
    :param import_name: ``__name__`` of the module defining it; ``template_folder`` is relative to its folder.
    """

    def __init__(self, name: str, import_name: str, **options):
        super().__init__(name, import_name, **options)
        self.before_request(protect_forms)
        self.register_error_handler(HTTPException, page_error)
        self.register_error_handler(ServiceError, service_error_page)

    def tenant_page(self, rule: str, *roles: str, **options) -> Callable:
        """Register a page at ``rule`` for tenant users and at ``/tenants/<tenant>rule`` for city users.

        The page asks for a login (else the login page), resolves the tenant (404 when there is none) and
        checks the role (403 unless the user has one of ``roles``; any role when none are named).
        """

        def decorator(view: Callable) -> Callable:
            guarded = page(*roles)(view)
            self.add_url_rule(rule, view.__name__, guarded, **options)
            self.add_url_rule(f"/tenants/<tenant>{rule}", f"{view.__name__}_by_tenant", guarded, **options)
            return view

        return decorator


blp = PageBlueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/web/static")


@blp.app_template_global()
def lang_switch_target() -> str:
    return request.full_path.rstrip("?")


@blp.app_template_global()
def get_locale() -> str:
    from flask_babel import get_locale as babel_locale

    return str(babel_locale() or "zh")


@blp.app_template_filter("chinese_date")
def chinese_date_filter(value) -> str:
    """A date, or a stored UTC time as its Shanghai date, the Chinese way: 2026年12月3日 (no leading zeros)."""
    if value is None or value == "":
        return ""
    day = local_date(value) if isinstance(value, datetime) else value
    return f"{day.year}年{day.month}月{day.day}日"


@blp.app_template_filter("beijing_time")
def beijing_time_filter(value) -> str:
    """A stored time in Beijing time, to the minute: 2026-12-03 21:37 (stored times are UTC; naive ones too)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
