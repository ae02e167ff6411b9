"""Log in and out with a password and an opaque bearer token."""

from __future__ import annotations

from flask import g
from flask_smorest import abort

from core.auth import service
from core.auth.guard import authenticate, require
from core.auth.models import ROLE_NAMES, User
from core.auth.schemas import CallerSchema, LoginSchema, PasswordChangeSchema, TokenSchema
from core.auth.throttle import limit_logins
from core.platform.api import Blueprint
from core.platform.db import db, scoped_get, tenant_scope
from core.tenancy.models import Tenant, Unit

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="登录、注销与当前用户")


def describe_caller(user: User) -> dict:
    tenant = db.session.get(Tenant, user.tenant_id) if user.tenant_id else None
    unit = None
    if user.unit_id and tenant is not None:
        with tenant_scope(tenant.id):
            found = scoped_get(Unit, user.unit_id)
        unit = {"id": found.id, "slug": found.code, "name": found.name} if found else None
    return {
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "role": user.role,
        "role_name": ROLE_NAMES[user.role],
        "is_liaison": user.is_liaison,
        "tenant": {"id": tenant.id, "slug": tenant.slug, "name": tenant.name} if tenant else None,
        "unit": unit,
    }


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, description="用户名或密码错误（两者不区分），或账户已停用")
@blp.alt_response(429, description="登录尝试过于频繁")
@limit_logins
def login(args):
    """Log in with username and password; returns a bearer token."""
    user = service.user_by_username(args["username"])
    # Unknown user and wrong password are one answer, so the API does not tell which accounts exist.
    if not service.verify_password(user, args["password"]):
        abort(401, message="用户名或密码错误")
    if not service.may_log_in(user):
        abort(401, message="账户已停用，或所在单位已暂停使用")
    token, record = service.issue_token(user)
    return {
        "token": token,
        "token_type": "Bearer",
        "expires_at": record.expires_at,
        "user": describe_caller(user),
    }


@blp.route("/logout", methods=["POST"])
@blp.response(204)
def logout():
    """Revoke the token used for this request."""
    authenticate()
    service.revoke_token(g.token)


@blp.route("/me", methods=["GET"])
@require(tenant=False)
@blp.response(200, CallerSchema)
def me():
    """The caller: name, role, tenant and unit."""
    return describe_caller(g.user)


@blp.route("/password", methods=["POST"])
@require(tenant=False)
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
def change_password(args):
    """Change one's own password; every other token of the user is revoked."""
    user = g.user
    if not service.verify_password(user, args["old_password"]):
        abort(422, message="原密码不正确", errors={"json": {"old_password": ["原密码不正确"]}})
    reason = service.check_password_strength(args["new_password"])
    if reason:
        abort(422, message=reason, errors={"json": {"new_password": [reason]}})
    service.set_password(user, args["new_password"])
    current = g.token
    service.revoke_all_tokens(user)
    current.revoked_at = None
