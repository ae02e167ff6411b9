"""Extra problem fields of the enforcement domain."""

from marshmallow import RAISE, Schema, fields, validate

from core.validators import NUMBER_ERRORS, SCHEMA_ERRORS, TEXT_ERRORS

CASE_TYPES = ("行政处罚", "行政强制", "其他")


class EnforcementFieldsSchema(Schema):
    """The case file a problem concerns and its review score."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    case_no = fields.Str(
        allow_none=True,
        validate=validate.Length(max=64, error="案件编号不能超过{max}个字符"),
        error_messages=TEXT_ERRORS,
        metadata={"label": "案件编号"},
    )
    case_type = fields.Str(
        allow_none=True,
        validate=validate.OneOf(CASE_TYPES, error="案件类型应为以下之一：{choices}"),
        error_messages=TEXT_ERRORS,
        metadata={"label": "案件类型", "choices": list(CASE_TYPES)},
    )
    handlers = fields.Str(
        allow_none=True,
        validate=validate.Length(max=100, error="承办人不能超过{max}个字符"),
        error_messages=TEXT_ERRORS,
        metadata={"label": "承办人", "help": "多名承办人以顿号分隔"},
    )
    review_score = fields.Float(
        allow_none=True,
        validate=validate.Range(min=0, max=100, error="评查得分应在{min}至{max}分之间"),
        error_messages=NUMBER_ERRORS,
        metadata={"label": "评查得分", "help": "满分100分"},
    )
