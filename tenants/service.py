"""Create and change tenants, units and users; shared by the admin API and the spec-file sync."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from core.auth import service as auth_service
from core.auth.models import CITY_ROLES, TENANT_ROLES, ApiToken, User
from core.platform.db import db, scoped_get
from core.platform.errors import Conflict, FieldError, NotFound
from core.tenancy.models import TENANT_STATUSES, UNIT_KINDS, PluginSetting, Tenant, Unit
from core.tenancy.service import registry, set_tenant_domain, set_unit_domain, subtree_ids, units_of_tenant

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,63}$")
SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
CODE_RE = re.compile(r"^[A-Z]{1,10}$")


# --- tenants ------------------------------------------------------------------------------------------------


def create_tenant(slug: str, name: str, code: str, is_city: bool = False) -> Tenant:
    if not SLUG_RE.match(slug):
        raise FieldError("slug", "应为小写字母开头的字母、数字或连字符，2-40位")
    if not CODE_RE.match(code):
        raise FieldError("code", "编号前缀应为1-10位大写字母")
    if db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise FieldError("slug", "该标识已被使用")
    if db.session.scalar(select(Tenant.id).where(Tenant.code == code)) is not None:
        raise FieldError("code", "该编号前缀已被使用")
    tenant = Tenant(slug=slug, name=name, code=code, is_city=is_city, status="active", settings={})
    db.session.add(tenant)
    db.session.flush()
    return tenant


def update_tenant(tenant: Tenant, changes: dict[str, Any]) -> Tenant:
    if "code" in changes and changes["code"] != tenant.code:
        if not CODE_RE.match(changes["code"]):
            raise FieldError("code", "编号前缀应为1-10位大写字母")
        if db.session.scalar(select(Tenant.id).where(Tenant.code == changes["code"])) is not None:
            raise FieldError("code", "该编号前缀已被使用")
    if "status" in changes and changes["status"] not in TENANT_STATUSES:
        raise FieldError("status", "状态应为启用或停用")
    suspending = changes.get("status") == "suspended" and tenant.status != "suspended"
    for key in ("name", "code", "status"):
        if key in changes:
            setattr(tenant, key, changes[key])
    if suspending:
        # Tokens from before a suspension must not come back to life when the tenant is reactivated.
        for user in db.session.scalars(select(User).where(User.tenant_id == tenant.id)):
            auth_service.revoke_all_tokens(user)
    db.session.flush()
    return tenant


# --- units (in the tenant of the session's scope) ------------------------------------------------------------


def get_unit(unit_id: int) -> Unit:
    unit = scoped_get(Unit, unit_id)
    if unit is None:
        raise NotFound("未找到该单位")
    return unit


def _check_parent(parent_id: int | None, unit: Unit | None = None) -> None:
    if parent_id is None:
        roots = [u for u in units_of_tenant() if u.parent_id is None and (unit is None or u.id != unit.id)]
        if roots:
            raise FieldError("parent_id", "本局已有顶层单位，请指定上级单位")
        return
    if scoped_get(Unit, parent_id) is None:
        raise FieldError("parent_id", "上级单位不存在")
    if unit is not None and parent_id in subtree_ids(unit.id):
        raise FieldError("parent_id", "不能把单位移到它自己或其下级单位之下")


UNIT_CODE = re.compile(r"[A-Za-z0-9_.-]{1,40}")


def _check_unit_text(changes: dict[str, Any]) -> None:
    """The rules of the API's schema, held by the service too: the admin page posts plain form fields."""
    if "code" in changes and not UNIT_CODE.fullmatch(changes["code"] or ""):
        raise FieldError("code", "单位代码必填，1至40位，只能含字母、数字、点、下划线或连字符")
    if "name" in changes and not (1 <= len((changes["name"] or "").strip()) <= 100):
        raise FieldError("name", "单位名称必填，不能超过100个字")


def create_unit(code: str, name: str, kind: str, parent_id: int | None, sort_order: int = 0) -> Unit:
    _check_unit_text({"code": code, "name": name})
    if kind not in UNIT_KINDS:
        raise FieldError("kind", "单位类型应为：" + "、".join(UNIT_KINDS))
    if db.session.scalar(select(Unit.id).where(Unit.code == code)) is not None:
        raise FieldError("code", "本局已有该代码的单位")
    _check_parent(parent_id)
    unit = Unit(code=code, name=name, kind=kind, parent_id=parent_id, sort_order=sort_order)
    db.session.add(unit)
    db.session.flush()
    return unit


def update_unit(unit: Unit, changes: dict[str, Any]) -> Unit:
    _check_unit_text(changes)
    if "kind" in changes and changes["kind"] not in UNIT_KINDS:
        raise FieldError("kind", "单位类型应为：" + "、".join(UNIT_KINDS))
    if "code" in changes and changes["code"] != unit.code:
        if db.session.scalar(select(Unit.id).where(Unit.code == changes["code"])) is not None:
            raise FieldError("code", "本局已有该代码的单位")
    if "parent_id" in changes and changes["parent_id"] != unit.parent_id:
        _check_parent(changes["parent_id"], unit)
    for key in ("code", "name", "kind", "parent_id", "sort_order"):
        if key in changes:
            setattr(unit, key, changes[key])
    db.session.flush()
    return unit


def delete_unit(unit: Unit, tenant: Tenant) -> None:
    if db.session.scalar(select(Unit.id).where(Unit.parent_id == unit.id).limit(1)) is not None:
        raise Conflict("该单位下还有下级单位，不能删除")
    users = db.session.scalar(select(func.count(User.id)).where(User.tenant_id == tenant.id, User.unit_id == unit.id))
    if users:
        raise Conflict(f"该单位下还有{users}个用户，不能删除")
    for row in db.session.scalars(select(PluginSetting).where(PluginSetting.unit_id == unit.id)):
        db.session.delete(row)
    db.session.delete(unit)
    db.session.flush()


# --- users --------------------------------------------------------------------------------------------------


def get_user(user_id: int, tenant: Tenant | None) -> User:
    """A user of the given tenant (or a city user when tenant is None); 404 for anyone else's."""
    cond = User.tenant_id == tenant.id if tenant is not None else User.tenant_id.is_(None)
    user = db.session.scalar(select(User).where(User.id == user_id, cond))
    if user is None:
        raise NotFound("未找到该用户")
    return user


def _check_role(role: str, tenant: Tenant | None) -> None:
    allowed = TENANT_ROLES if tenant is not None else CITY_ROLES
    if role not in allowed:
        raise FieldError("role", "角色应为：" + "、".join(allowed))


def _check_unit(unit_id: int | None, tenant: Tenant | None) -> None:
    if tenant is None:
        if unit_id is not None:
            raise FieldError("unit_id", "市局用户不属于县区局的单位")
        return
    if unit_id is None:
        raise FieldError("unit_id", "必填")
    if scoped_get(Unit, unit_id) is None:
        raise FieldError("unit_id", "单位不存在")


def create_user(
    tenant: Tenant | None,
    username: str,
    name: str,
    role: str,
    unit_id: int | None = None,
    is_liaison: bool = False,
    password: str | None = None,
) -> User:
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise FieldError("username", "用户名应为3-64位小写字母、数字、点、下划线或连字符")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise FieldError("username", "该用户名已被使用")
    _check_role(role, tenant)
    _check_unit(unit_id, tenant)
    if is_liaison and tenant is None:
        raise FieldError("is_liaison", "联络员须是县区局用户")
    user = User(
        tenant_id=tenant.id if tenant else None,
        unit_id=unit_id,
        username=username,
        name=name,
        role=role,
        is_liaison=is_liaison,
        active=True,
    )
    if password is not None:
        _apply_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def _apply_password(user: User, password: str) -> None:
    reason = auth_service.check_password_strength(password)
    if reason:
        raise FieldError("password", reason)
    auth_service.set_password(user, password)


def update_user(user: User, tenant: Tenant | None, changes: dict[str, Any]) -> User:
    if "role" in changes:
        _check_role(changes["role"], tenant)
    if "unit_id" in changes:
        _check_unit(changes["unit_id"], tenant)
    if changes.get("is_liaison") and tenant is None:
        raise FieldError("is_liaison", "联络员须是县区局用户")
    for key in ("name", "role", "unit_id", "is_liaison", "active"):
        if key in changes:
            setattr(user, key, changes[key])
    if changes.get("password") is not None:
        _apply_password(user, changes["password"])
        auth_service.revoke_all_tokens(user)
    if changes.get("active") is False:
        auth_service.revoke_all_tokens(user)
    db.session.flush()
    return user


def list_users(tenant: Tenant | None) -> list[User]:
    cond = User.tenant_id == tenant.id if tenant is not None else User.tenant_id.is_(None)
    return list(db.session.scalars(select(User).where(cond).order_by(User.unit_id, User.id)))


def live_token_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(ApiToken.id)).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )


# --- plugins ------------------------------------------------------------------------------------------------


def check_domain(domain: str) -> None:
    if domain not in registry().switchable:
        raise NotFound("未安装该业务插件，或该领域不可开关")


def set_domain_for_tenant(domain: str, enabled: bool) -> None:
    check_domain(domain)
    set_tenant_domain(domain, enabled)


def set_domain_for_unit(unit: Unit, domain: str, enabled: bool | None) -> None:
    check_domain(domain)
    set_unit_domain(unit, domain, enabled)
