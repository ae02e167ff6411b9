"""A tenant's own problem fields (本局自定义字段): versioned definitions and validation of values."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import g
from marshmallow import Schema, ValidationError, fields
from marshmallow import validate as checks
from sqlalchemy import select

from core.ledger.models import LocalFieldSet
from core.platform.db import db
from core.platform.errors import FieldError, ServiceError

FIELD_TYPES = {"text": "文本", "number": "数字", "date": "日期", "choice": "单选", "boolean": "是/否"}
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def current() -> LocalFieldSet | None:
    """The newest definition version, read once per request."""
    if "local_fields" not in g:
        g.local_fields = db.session.scalar(select(LocalFieldSet).order_by(LocalFieldSet.version.desc()).limit(1))
    return g.local_fields


def version(number: int) -> LocalFieldSet | None:
    return db.session.scalar(select(LocalFieldSet).where(LocalFieldSet.version == number))


def _field(definition: dict[str, Any]) -> fields.Field:
    required = bool(definition.get("required"))
    meta = {"label": definition["label"]}
    kind = definition["type"]
    if kind == "number":
        return fields.Float(required=required, allow_none=not required, metadata=meta)
    if kind == "date":
        return fields.Date(required=required, allow_none=not required, metadata=meta)
    if kind == "boolean":
        return fields.Boolean(required=required, allow_none=not required, metadata=meta)
    if kind == "choice":
        return fields.String(
            required=required, allow_none=not required, validate=checks.OneOf(definition["choices"]), metadata=meta
        )
    return fields.String(required=required, allow_none=not required, validate=checks.Length(max=2000), metadata=meta)


def schema_for(definitions: list[dict[str, Any]]) -> type[Schema]:
    return Schema.from_dict({d["code"]: _field(d) for d in definitions}, name="LocalFieldsSchema")


def validate(values: dict[str, Any], at_version: int | None = None) -> tuple[dict[str, Any], int | None]:
    """Check values against a definition version (the newest by default); returns JSON-ready values."""
    fieldset = version(at_version) if at_version else current()
    if fieldset is None:
        if values:
            raise FieldError("local_fields", "本局尚未定义自定义字段")
        return {}, None
    cache = g.setdefault("local_field_schemas", {})
    if fieldset.version not in cache:
        cache[fieldset.version] = schema_for(fieldset.fields)()
    schema = cache[fieldset.version]
    try:
        loaded = schema.load(values)
    except ValidationError as exc:
        raise ServiceError(
            "自定义字段有误",
            {f"local_fields.{k}": v if isinstance(v, list) else [str(v)] for k, v in exc.messages.items()},
        ) from exc
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in loaded.items()}, fieldset.version


def define(definitions: list[dict[str, Any]], actor: str) -> LocalFieldSet:
    """Save a new version of the tenant's field definitions; older versions stay for the problems that use them."""
    seen = set()
    for i, d in enumerate(definitions):
        if not CODE_RE.match(d["code"]):
            raise FieldError(f"fields[{i}].code", "代码应为小写字母开头的字母、数字或下划线")
        if d["code"] in seen:
            raise FieldError(f"fields[{i}].code", "代码重复")
        seen.add(d["code"])
        if d["type"] not in FIELD_TYPES:
            raise FieldError(f"fields[{i}].type", "类型应为：" + "、".join(FIELD_TYPES))
        if d["type"] == "choice" and not d.get("choices"):
            raise FieldError(f"fields[{i}].choices", "单选字段须给出选项")
    latest = current()
    fieldset = LocalFieldSet(version=(latest.version + 1) if latest else 1, fields=definitions, created_by=actor)
    db.session.add(fieldset)
    db.session.flush()
    g.local_fields = fieldset
    return fieldset
