"""The JSON API's shared parts: Chinese error messages, the error shape, and routes for both kinds of caller.

Every error answers ``{"code": <status>, "status": <reason>, "message": <Chinese>, "errors": {...}}``;
validation errors name each field under ``errors.json`` (or ``errors.query``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import flask_smorest
from flask import g
from marshmallow import Schema, fields, validate
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


def _chinese_validation_messages() -> None:
    """Say marshmallow's standard validation messages in Chinese: users read them beside the field."""
    fields.Field.default_error_messages.update({"required": "必填", "null": "不能为空", "validator_failed": "取值无效"})
    messages = {
        fields.String: {"invalid": "应为文本", "invalid_utf8": "不是有效的 UTF-8 文本"},
        fields.Number: {"invalid": "应为数字", "too_large": "数值过大"},
        fields.Integer: {"invalid": "应为整数"},
        fields.Decimal: {"special": "不接受 NaN 或无穷大"},
        fields.Boolean: {"invalid": "应为 true 或 false"},
        fields.Date: {"invalid": "日期无效，应为 YYYY-MM-DD", "format": "日期格式无效"},
        fields.DateTime: {"invalid": "时间无效，应为 ISO 8601 格式", "format": "时间格式无效"},
        fields.Email: {"invalid": "邮箱地址无效"},
        fields.List: {"invalid": "应为列表"},
        fields.Mapping: {"invalid": "应为对象"},
        fields.Nested: {"type": "应为对象"},
    }
    for cls, msgs in messages.items():
        cls.default_error_messages = {**cls.default_error_messages, **msgs}
    Schema._default_error_messages = {"type": "应为 JSON 对象", "unknown": "不允许的字段"}
    validate.Length.message_min = "长度至少为{min}"
    validate.Length.message_max = "长度不能超过{max}"
    validate.Length.message_all = "长度应在{min}到{max}之间"
    validate.Length.message_equal = "长度应为{equal}"
    validate.Range.message_min = "应{min_op}{{min}}"
    validate.Range.message_max = "应{max_op}{{max}}"
    validate.Range.message_all = "应{min_op}{{min}}且{max_op}{{max}}"
    validate.Range.message_gte, validate.Range.message_gt = "不小于", "大于"
    validate.Range.message_lte, validate.Range.message_lt = "不大于", "小于"
    validate.OneOf.default_message = "应为以下之一：{choices}"
    validate.Regexp.default_message = "格式无效"


_chinese_validation_messages()


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
        return super().handle_http_exception(error)


def pop_tenant_slug(endpoint: str | None, values: dict | None) -> None:
    """Take ``<tenant>`` out of every route's arguments; the auth guard resolves it."""
    if values and "tenant" in values:
        g.tenant_slug = values.pop("tenant")


class MessageSchema(Schema):
    message = fields.String()
