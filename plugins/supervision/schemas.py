"""Extra problem fields of the supervision domain, and the schemas of its credit-code check endpoint."""

from marshmallow import RAISE, Schema, fields, validate

from core.validators import SCHEMA_ERRORS, TEXT_ERRORS, USCCField

INSPECTION_TYPES = ("双随机抽查", "重点检查", "专项检查", "投诉举报核查", "其他")


class SupervisionFieldsSchema(Schema):
    """The enterprise and the inspection a problem concerns."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    enterprise_name = fields.Str(
        allow_none=True,
        validate=validate.Length(max=200, error="企业名称不能超过{max}个字符"),
        error_messages=TEXT_ERRORS,
        metadata={"label": "企业名称"},
    )
    credit_code = USCCField(
        allow_none=True,
        metadata={"label": "统一社会信用代码", "help": "18位，按GB 32100-2015核验校验码"},
    )
    inspection_type = fields.Str(
        allow_none=True,
        validate=validate.OneOf(INSPECTION_TYPES, error="检查类型应为以下之一：{choices}"),
        error_messages=TEXT_ERRORS,
        metadata={"label": "检查类型", "choices": list(INSPECTION_TYPES)},
    )


class CreditCodeCheckArgsSchema(Schema):
    """A code an officer wants checked before recording a problem."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    code = fields.Str(
        required=True,
        validate=validate.Length(max=32, error="代码不能超过{max}个字符"),
        error_messages=TEXT_ERRORS,
        metadata={"label": "统一社会信用代码"},
    )


class CreditCodeCheckResultSchema(Schema):
    """The outcome of a credit-code check."""

    code = fields.Str(metadata={"label": "规范化后的代码"})
    valid = fields.Bool(metadata={"label": "是否有效"})
    error = fields.Str(allow_none=True, metadata={"label": "错误说明"})
    position = fields.Int(allow_none=True, metadata={"label": "出错位置（第几位）"})
