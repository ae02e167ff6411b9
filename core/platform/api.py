"""The JSON API's shared parts: Chinese error messages, the error shape, and routes for both kinds of caller.

Every error answers ``{"code": <status>, "status": <reason>, "message": <Chinese>, "errors": {...}}``;
validation errors name each field under ``errors.json`` (or ``errors.query``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import flask_smorest
from flask import g, make_response
from marshmallow import Schema, fields
from webargs.flaskparser import FlaskParser
from webargs.flaskparser import abort as webargs_abort

log = logging.getLogger(__name__)

STATUS_MESSAGES = {
    400: "请求格式错误",
    401: "未登录或登录已失效",
    403: "当前角色无权执行此操作",
    404: "未找到",
    405: "不支持该请求方法",
    409: "与当前状态冲突",
    412: "数据已被他人修改，请刷新后重试",
    413: "上传内容过大",
    415: "不支持的内容类型",
    422: "输入有误，请按字段提示修改",
    428: "缺少 If-Match 请求头",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误",
    503: "服务暂不可用",
}


class Parser(FlaskParser):
    """webargs parser whose answer to a body that is not JSON is in Chinese too."""

    DEFAULT_VALIDATION_STATUS = 422

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):  # noqa: ANN001 - webargs signature
        webargs_abort(400, exc=error, messages={"json": ["请求体不是有效的 JSON"]})


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest Blueprint with the Chinese parser; core and plugins build their APIs on it."""

    ARGUMENTS_PARSER = Parser()

    def tenant_route(self, rule: str, **options) -> Callable:
        """Register a view at ``rule`` for tenant users and ``/tenants/<tenant>rule`` for city users."""

        def decorator(view):
            endpoint = options.pop("endpoint", None) or view.__name__.lower()
            self.route(rule, endpoint=endpoint, **options)(view)
            self.route(f"/tenants/<tenant>{rule}", endpoint=f"{endpoint}_by_tenant", **options)(view)
            return view

        return decorator


class Api(flask_smorest.Api):
    """flask-smorest Api whose error answers always carry a Chinese message."""

    def handle_http_exception(self, error):
        if error.code >= 500:
            log.exception("request failed", exc_info=getattr(error, "original_exception", None) or error)
        data = getattr(error, "data", None) or {}
        if "message" not in data:
            error.data = {**data, "message": STATUS_MESSAGES.get(error.code, error.name)}
        response = super().handle_http_exception(error)
        # RFC 9110: a 405 lists the methods the resource has (werkzeug knows them; flask-smorest drops the header)
        allowed = getattr(error, "valid_methods", None)
        if error.code == 405 and allowed:
            response = make_response(response)
            response.headers["Allow"] = ", ".join(sorted(allowed))
        return response


def pop_tenant_slug(endpoint: str | None, values: dict | None) -> None:
    """Take ``<tenant>`` out of every route's arguments; the auth guard resolves it."""
    if values and "tenant" in values:
        g.tenant_slug = values.pop("tenant")


class MessageSchema(Schema):
    message = fields.String()


# --- the list envelope: every list the API answers is {"items": [...], "total": n | null, "next_cursor": … | null}


class ListEnvelopeSchema(Schema):
    """The one shape of every list answer; ``items`` is set per list by ``list_schema``."""

    items = fields.List(fields.Dict())
    total = fields.Integer(
        allow_none=True, metadata={"description": "符合条件的总数；按游标分页的列表为 null（另有计数接口）"}
    )
    next_cursor = fields.String(allow_none=True, metadata={"description": "下一页游标；null 表示没有下一页"})


_LIST_SCHEMAS: dict[tuple[type[Schema], str], type[Schema]] = {}


def list_schema(item: type[Schema], name: str | None = None, **extra: fields.Field) -> type[Schema]:
    """The envelope schema of a list of ``item`` (one class per item schema, so OpenAPI names it once).

    :param item: the schema of one element.
    :param name: the component's name; default ``<Item>ListSchema`` without the item's ``Schema`` suffix.
    :param extra: further keys beside the envelope's, e.g. the notifications' ``unread``.
    """
    name = name or f"{item.__name__.removesuffix('Schema')}ListSchema"
    key = (item, name)
    if key not in _LIST_SCHEMAS:
        attrs = {"items": fields.List(fields.Nested(item)), **extra}
        _LIST_SCHEMAS[key] = type(name, (ListEnvelopeSchema,), attrs)
    return _LIST_SCHEMAS[key]


_COUNT = object()


def listing(items, *, total=_COUNT, next_cursor: str | None = None, **extra) -> dict:
    """A list answer: ``total`` defaults to the number of ``items`` (a list given whole); pass None when unknown."""
    items = list(items)
    return {"items": items, "total": len(items) if total is _COUNT else total, "next_cursor": next_cursor, **extra}
