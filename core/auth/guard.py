"""Who is calling, in which tenant, with which role: resolved once per request, before the view runs.

The order of refusals is fixed: no or bad token -> 401; a tenant (or object) the caller may not see -> 404;
a role that may not do this -> 403.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from flask import g, request
from flask_smorest import abort

from core.auth.models import CITY_ROLES, ROLES, User
from core.auth.service import user_for_token
from core.platform.db import db, set_tenant
from core.tenancy.models import Tenant
from core.tenancy.service import tenant_by_slug, units_of_tenant

#: any logged-in user
ANY = ROLES
#: what city roles may see of tenants
CITY_READ = CITY_ROLES
TENANT_MANAGERS = ("city_admin", "tenant_admin")


def authenticate() -> User:
    """The user behind the request's bearer token, or a 401 JSON answer."""
    if getattr(g, "user", None) is not None:
        return g.user
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, message="未登录或缺少访问令牌", headers={"WWW-Authenticate": "Bearer"})
    found = user_for_token(token.strip())
    if found is None:
        abort(401, message="访问令牌无效、已过期或已注销", headers={"WWW-Authenticate": "Bearer"})
    g.user, g.token = found
    return g.user


def resolve_tenant(user: User, required: bool) -> Tenant | None:
    """The tenant the request acts in: the user's own, or for city users the one named in the path."""
    slug = g.get("tenant_slug")
    if user.is_city:
        if slug is None:
            if required:
                abort(404, message="市局用户请在路径中指明县区局：/api/v1/tenants/<tenant>/…")
            tenant = None
        else:
            tenant = tenant_by_slug(slug)
            if tenant is None:
                abort(404, message="未找到该县区局")
    else:
        tenant = db.session.get(Tenant, user.tenant_id)
        if slug is not None and (tenant is None or slug != tenant.slug):
            abort(404, message="未找到该县区局")
    g.tenant = tenant
    set_tenant(tenant.id if tenant else None)
    if user.unit_id and tenant:
        # The whole (small) unit tree, once: views that need the caller's unit usually need the tree too.
        g.units = units_of_tenant()
        g.unit = next((u for u in g.units if u.id == user.unit_id), None)
    else:
        g.unit = None
    return tenant


#: path argument -> a function telling whether that object exists in the tenant in scope
OBJECT_LOADERS: dict[str, Callable[[int], bool]] = {}


def object_loader(argument: str) -> Callable:
    """Register how to tell whether the object a path argument names exists in the caller's tenant."""

    def decorator(fn: Callable[[int], bool]) -> Callable[[int], bool]:
        OBJECT_LOADERS[argument] = fn
        return fn

    return decorator


def _named_objects_exist(kwargs: dict) -> bool:
    return all(OBJECT_LOADERS[name](value) for name, value in kwargs.items() if name in OBJECT_LOADERS)


def require(*roles: str, tenant: bool = True) -> Callable:
    """Decorate a view: authenticate, resolve the tenant (404 if not visible), then check the role (403).

    :param roles: roles allowed; empty means any logged-in user.
    :param tenant: whether the view acts inside one tenant (city users must then name it in the path).
    """
    allowed: Iterable[str] = roles or ANY

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = authenticate()
            resolve_tenant(user, required=tenant)
            # Another tenant's object does not exist for this caller: 404 before 403, and before the body is read.
            if not _named_objects_exist(kwargs):
                abort(404, message="未找到")
            if user.role not in allowed:
                abort(403, message="当前角色无权执行此操作")
            return view(*args, **kwargs)

        wrapper._xingfeng_roles = tuple(allowed)  # read by the docs and the role tests
        return wrapper

    return decorator


def actor() -> str:
    """How the current caller appears in logs and audit events."""
    user = g.get("user")
    return f"user:{user.id}" if user is not None else "anonymous"
