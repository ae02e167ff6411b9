"""Declarative tenant spec files (one TOML file per bureau): read and check them before anything is written."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from core.auth.models import CITY_ROLES, TENANT_ROLES
from core.tenancy.models import UNIT_KINDS
from tenants.service import CODE_RE, SLUG_RE, USERNAME_RE

KEY_RE = r"^[A-Za-z0-9_.-]{1,40}$"


class UnitSpecSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=validate.Regexp(KEY_RE, error="只能含字母、数字、点、下划线或连字符"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(required=True, validate=validate.OneOf(list(UNIT_KINDS)))
    parent = fields.String(load_default=None)
    plugins = fields.Dict(keys=fields.String(), values=fields.Boolean(), load_default=dict)


class UserSpecSchema(Schema):
    class Meta:
        unknown = RAISE

    username = fields.String(
        required=True,
        validate=validate.Regexp(USERNAME_RE.pattern, error="用户名应为3-64位小写字母、数字、点、下划线或连字符"),
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    role = fields.String(required=True, validate=validate.OneOf(TENANT_ROLES))
    unit = fields.String(required=True)
    liaison = fields.Boolean(load_default=False)


class CityUserSpecSchema(Schema):
    class Meta:
        unknown = RAISE

    username = fields.String(
        required=True,
        validate=validate.Regexp(USERNAME_RE.pattern, error="用户名应为3-64位小写字母、数字、点、下划线或连字符"),
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    role = fields.String(required=True, validate=validate.OneOf(CITY_ROLES))


class TenantSpecSchema(Schema):
    class Meta:
        unknown = RAISE

    slug = fields.String(
        required=True,
        validate=validate.Regexp(SLUG_RE.pattern, error="应为小写字母开头的字母、数字或连字符，2-40位"),
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    code = fields.String(required=True, validate=validate.Regexp(CODE_RE.pattern, error="编号前缀应为1-10位大写字母"))
    is_city = fields.Boolean(load_default=False)
    plugins = fields.List(fields.String(), load_default=list)
    units = fields.List(fields.Nested(UnitSpecSchema), required=True, validate=validate.Length(min=1))
    users = fields.List(fields.Nested(UserSpecSchema), load_default=list)
    city_users = fields.List(fields.Nested(CityUserSpecSchema), load_default=list)

    @validates_schema(skip_on_field_errors=False)
    def check_references(self, data: dict[str, Any], **kwargs: Any) -> None:
        # Runs even when some fields failed, so one pass reports every problem of the file.
        errors: dict[str, Any] = {}
        units = [u for u in data.get("units") or [] if isinstance(u, dict) and "code" in u]
        data = {**data, "units": [{"parent": None, **u} for u in units], "users": data.get("users") or []}
        codes = [u["code"] for u in data["units"]]
        seen: set[str] = set()
        roots = []
        for i, unit in enumerate(data["units"]):
            if unit["code"] in seen:
                errors[f"units[{i}].code"] = [f"单位代码 {unit['code']} 重复"]
            seen.add(unit["code"])
            if unit["parent"] is None:
                roots.append(unit["code"])
            elif unit["parent"] not in codes:
                errors[f"units[{i}].parent"] = [f"上级单位 {unit['parent']} 未在本文件中定义"]
        if units and len(roots) != 1:
            errors["units"] = [f"应恰有一个顶层单位（没有 parent），实有{len(roots)}个"]
        elif not errors:
            parents = {u["code"]: u["parent"] for u in data["units"]}
            for code in codes:
                chain, current = [], code
                while current is not None and current not in chain:
                    chain.append(current)
                    current = parents[current]
                if current is not None:
                    errors["units"] = [f"上下级关系成环：{' → '.join([*chain, current])}"]
                    break
        for i, user in enumerate(data["users"]):
            if isinstance(user, dict) and "unit" in user and user["unit"] not in codes:
                errors[f"users[{i}].unit"] = [f"单位 {user['unit']} 未在本文件中定义"]
        if errors:
            raise ValidationError(errors)


@dataclass
class SpecError:
    """One problem in one spec file: the file, the key and the reason."""

    path: Path
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.key}: {self.reason}"


@dataclass
class TenantSpec:
    path: Path
    data: dict[str, Any] = field(default_factory=dict)


def _flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested error dict -> (dotted key, reason) pairs, list indexes as [i]."""
    out: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                name = f"{prefix}[{key}]"
            elif key == "_schema":
                name = prefix or "(文件)"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_flatten(value, name))
    elif isinstance(messages, list):
        for item in messages:
            if isinstance(item, dict | list):
                out.extend(_flatten(item, prefix))
            else:
                out.append((prefix, str(item)))
    else:
        out.append((prefix, str(messages)))
    return out


def load_specs(directory: Path, known_domains: list[str]) -> tuple[list[TenantSpec], list[SpecError]]:
    """Read every ``*.toml`` under a directory (or one file) and report every problem across all of them."""
    paths = [directory] if directory.is_file() else sorted(directory.glob("*.toml"))
    specs, errors = [], []
    if not paths:
        errors.append(SpecError(directory, "(目录)", "没有找到 .toml 规格文件"))
    for path in paths:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            errors.append(SpecError(path, "(文件)", f"不是有效的 TOML：{exc}"))
            continue
        try:
            data = TenantSpecSchema().load(raw)
        except ValidationError as exc:
            errors.extend(SpecError(path, key, reason) for key, reason in _flatten(exc.messages))
            errors.extend(_plugin_errors(path, raw, known_domains))
            continue
        errors.extend(_plugin_errors(path, data, known_domains))
        specs.append(TenantSpec(path, data))
    errors.extend(_cross_file_errors(specs))
    return specs, errors


def _plugin_errors(path: Path, data: dict[str, Any], known_domains: list[str]) -> list[SpecError]:
    """Plugins named in a spec must be installed; a unit may not switch on what its tenant does not have."""
    errors = []
    plugins = data.get("plugins") if isinstance(data.get("plugins"), list) else []
    for i, name in enumerate(plugins):
        if name not in known_domains:
            reason = f"未安装的业务插件 {name}（可用：{', '.join(known_domains)}）"
            errors.append(SpecError(path, f"plugins[{i}]", reason))
    for i, unit in enumerate(data.get("units") or []):
        overrides = unit.get("plugins") if isinstance(unit, dict) else None
        for name, enabled in (overrides if isinstance(overrides, dict) else {}).items():
            if name not in known_domains:
                errors.append(SpecError(path, f"units[{i}].plugins.{name}", "未安装的业务插件"))
            elif enabled and name not in plugins:
                errors.append(SpecError(path, f"units[{i}].plugins.{name}", "本局未启用该插件，单位不能单独启用"))
    if data.get("city_users") and not data.get("is_city"):
        errors.append(SpecError(path, "city_users", "市局用户只能写在市局机关的规格文件（is_city = true）中"))
    return errors


def _cross_file_errors(specs: list[TenantSpec]) -> list[SpecError]:
    errors = []
    city = [spec.path.name for spec in specs if spec.data["is_city"]]
    if len(city) > 1:
        errors.extend(
            SpecError(spec.path, "is_city", f"只能有一个市局机关，实有：{'、'.join(city)}")
            for spec in specs
            if spec.data["is_city"]
        )
    owners: dict[tuple[str, str], Path] = {}
    for spec in specs:
        keys = [("slug", spec.data["slug"]), ("code", spec.data["code"])]
        keys += [("users", u["username"]) for u in spec.data["users"] + spec.data["city_users"]]
        for kind, value in keys:
            other = owners.setdefault((kind, value), spec.path)
            if other != spec.path or keys.count((kind, value)) > 1:
                errors.append(SpecError(spec.path, kind, f"{value} 与 {other.name} 重复"))
    return errors
