"""Extra problem fields of the paid-services domain."""

import decimal

from marshmallow import RAISE, Schema, fields, validate

from core.validators import NUMBER_ERRORS, SCHEMA_ERRORS, TEXT_ERRORS, USCCField


class PaidServicesFieldsSchema(Schema):
    """The agency, the service and the fee a problem concerns."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    agency_name = fields.Str(
        allow_none=True,
        validate=validate.Length(max=200, error="机构名称不能超过{max}个字符"),
        error_messages=TEXT_ERRORS,
        metadata={"label": "机构名称"},
    )
    agency_credit_code = USCCField(
        allow_none=True,
        metadata={"label": "统一社会信用代码", "help": "机构的18位统一社会信用代码"},
    )
    service_name = fields.Str(
        allow_none=True,
        validate=validate.Length(max=200, error="服务项目不能超过{max}个字符"),
        error_messages=TEXT_ERRORS,
        metadata={"label": "服务项目"},
    )
    amount = fields.Decimal(
        places=2,
        # Fees are rounded half up (四舍五入) to the fen, as receipts are, not half to even.
        rounding=decimal.ROUND_HALF_UP,
        as_string=True,
        allow_none=True,
        validate=validate.Range(min=0, error="收费金额不能小于{min}元"),
        error_messages=NUMBER_ERRORS,
        metadata={"label": "收费金额（元）"},
    )
