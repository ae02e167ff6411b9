"""Extra problem fields of the approval domain."""

from marshmallow import RAISE, Schema, fields, validate

from core.validators import SCHEMA_ERRORS, TEXT_ERRORS


class ApprovalFieldsSchema(Schema):
    """The service case (办件) a problem concerns."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    matter_name = fields.Str(
        allow_none=True,
        validate=validate.Length(max=200, error="事项名称不能超过{max}个字符"),
        error_messages=TEXT_ERRORS,
        metadata={"label": "事项名称", "help": "办理的政务服务事项名称"},
    )
    case_no = fields.Str(
        allow_none=True,
        validate=validate.Length(max=64, error="办件编号不能超过{max}个字符"),
        error_messages=TEXT_ERRORS,
        metadata={"label": "办件编号"},
    )
    window = fields.Str(
        allow_none=True,
        validate=validate.Length(max=100, error="窗口/岗位不能超过{max}个字符"),
        error_messages=TEXT_ERRORS,
        metadata={"label": "窗口/岗位"},
    )
