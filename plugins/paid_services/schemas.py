"""Extra problem fields of the paid-services domain."""

import decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from core.plugin_api import (
    NUMBER_ERRORS,
    RECTIFICATION_TYPES,
    SCHEMA_ERRORS,
    SEVERITIES,
    SOURCES,
    TEXT_ERRORS,
    WORKING_DAYS_ERROR,
    WORKING_DAYS_MAX,
    WORKING_DAYS_MIN,
    USCCField,
    list_schema,
    text_field,
)
from plugins.paid_services.models import AGENCY_KINDS, CERTIFICATE_STATES, FLAG_KINDS, FLAG_STATUSES


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


# --- the plugin's API -----------------------------------------------------------------------------------------


MONEY = {
    "places": 2,
    "rounding": decimal.ROUND_HALF_UP,
    "as_string": True,
    "error_messages": NUMBER_ERRORS,
}


def _text(max_length: int, label: str, required: bool = False, **kwargs) -> fields.Str:
    return text_field(label, max_length, required, **kwargs)


class PaidAgencySchema(Schema):
    """An agency as registered (机构登记)."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    name = _text(200, "机构名称", required=True)
    kind = fields.Str(
        required=True,
        validate=validate.OneOf(list(AGENCY_KINDS), error="应为以下之一：" + "、".join(AGENCY_KINDS)),
        metadata={"label": "机构类型", "choices": list(AGENCY_KINDS)},
    )
    credit_code = USCCField(required=True, metadata={"label": "统一社会信用代码"})
    cma_number = _text(40, "资质认定证书编号", load_default="")
    cma_expires_on = fields.Date(allow_none=True, metadata={"label": "证书有效期至"})
    unit_id = fields.Integer(required=True, strict=True, metadata={"label": "主管单位"})


class PaidAgencyUpdateSchema(PaidAgencySchema):
    class Meta:
        unknown = RAISE

    def __init__(self, **kwargs):
        # Any subset of the fields: a change names only what changes.
        super().__init__(**{"partial": True, **kwargs})

    cma_number = _text(40, "资质认定证书编号")


class PaidAgencyOutSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    kind_name = fields.String()
    credit_code = fields.String()
    cma_number = fields.String()
    cma_expires_on = fields.Date(allow_none=True)
    certificate_state = fields.String(metadata={"choices": list(CERTIFICATE_STATES)})
    certificate_state_name = fields.String()
    certificate_days_left = fields.Integer(allow_none=True)
    unit_id = fields.Integer()
    unit_name = fields.String()
    services = fields.Integer(metadata={"description": "服务项目数"})


PaidAgencyListSchema = list_schema(PaidAgencyOutSchema, "PaidAgencyListSchema")


class PaidAgencyQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    unit_id = fields.Integer()
    q = fields.Str(validate=validate.Length(max=100))


class PaidServiceSchema(Schema):
    """A paid service of an agency (有偿服务项目)."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    name = _text(200, "服务项目名称", required=True)
    fee_standard = fields.Decimal(
        allow_none=True,
        validate=validate.Range(min=0, error="收费标准不能小于{min}元"),
        metadata={"label": "收费标准（元）"},
        **MONEY,
    )
    fee_unit = _text(40, "计费单位", load_default="")
    fee_basis = _text(2000, "收费依据", load_default="")
    fee_published = fields.Boolean(load_default=False, metadata={"label": "收费是否公示"})
    regulatory_act = fields.Boolean(load_default=False, metadata={"label": "是否与监管行为挂钩"})
    in_certified_scope = fields.Boolean(load_default=True, metadata={"label": "是否在资质认定范围内"})
    certified_scope = _text(2000, "资质认定范围", load_default="")


class PaidServiceUpdateSchema(PaidServiceSchema):
    class Meta:
        unknown = RAISE

    def __init__(self, **kwargs):
        # Any subset of the fields: a change names only what changes.
        super().__init__(**{"partial": True, **kwargs})

    fee_unit = _text(40, "计费单位")
    fee_basis = _text(2000, "收费依据")
    fee_published = fields.Boolean(metadata={"label": "收费是否公示"})
    regulatory_act = fields.Boolean(metadata={"label": "是否与监管行为挂钩"})
    in_certified_scope = fields.Boolean(metadata={"label": "是否在资质认定范围内"})
    certified_scope = _text(2000, "资质认定范围")


class PaidServiceOutSchema(Schema):
    id = fields.Integer()
    agency_id = fields.Integer()
    name = fields.String()
    fee_standard = fields.String(allow_none=True)
    fee_unit = fields.String()
    fee_basis = fields.String()
    fee_published = fields.Boolean()
    regulatory_act = fields.Boolean()
    in_certified_scope = fields.Boolean()
    certified_scope = fields.String()


PaidServiceListSchema = list_schema(PaidServiceOutSchema, "PaidServiceListSchema")


class FeeRecordSchema(Schema):
    """One charge (收费记录)."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    service_id = fields.Integer(required=True, strict=True, metadata={"label": "服务项目"})
    receipt_no = _text(64, "票据号", required=True)
    client = _text(200, "委托方", required=True)
    charged_on = fields.Date(required=True, metadata={"label": "收费日期"})
    quantity = fields.Integer(
        load_default=1, strict=True, validate=validate.Range(min=1, max=100000, error="数量应在{min}到{max}之间")
    )
    amount = fields.Decimal(
        required=True,
        validate=validate.Range(min=0, max=100_000_000, error="收费金额应在{min}到{max}元之间"),
        metadata={"label": "收费金额（元）"},
        **MONEY,
    )


class FeeFlagBriefSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"choices": list(FLAG_KINDS)})
    kind_name = fields.String()
    status = fields.String(metadata={"choices": list(FLAG_STATUSES)})
    problem_id = fields.Integer(allow_none=True)


class FeeRecordOutSchema(Schema):
    id = fields.Integer()
    service_id = fields.Integer()
    service_name = fields.String()
    agency_id = fields.Integer()
    agency_name = fields.String()
    receipt_no = fields.String()
    client = fields.String()
    charged_on = fields.Date()
    quantity = fields.Integer()
    amount = fields.String()
    flags = fields.List(fields.Nested(FeeFlagBriefSchema))


FeeRecordListSchema = list_schema(FeeRecordOutSchema, "FeeRecordListSchema")


class FeeRecordQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    agency_id = fields.Integer()
    service_id = fields.Integer()
    charged_from = fields.Date()
    charged_to = fields.Date()
    flagged = fields.Boolean()
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))


class FeeImportFormSchema(Schema):
    dry_run = fields.Boolean(load_default=False)


class FeeImportResultSchema(Schema):
    created = fields.Integer()
    unchanged = fields.Integer()
    flagged = fields.Integer()
    dry_run = fields.Boolean()


class FeeFlagOutSchema(FeeFlagBriefSchema):
    category = fields.String()
    category_name = fields.String()
    agency_id = fields.Integer()
    agency_name = fields.String()
    service_id = fields.Integer(allow_none=True)
    service_name = fields.String(allow_none=True)
    fee_record_id = fields.Integer(allow_none=True)
    detail = fields.String()
    found_on = fields.Date()
    status_name = fields.String()


FeeFlagListSchema = list_schema(FeeFlagOutSchema, "FeeFlagListSchema")


class FeeFlagQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.List(
        fields.Str(validate=validate.OneOf(list(FLAG_KINDS), error="应为以下之一：" + "、".join(FLAG_KINDS)))
    )
    status = fields.Str(validate=validate.OneOf(list(FLAG_STATUSES)))
    agency_id = fields.Integer()
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))


class FeeFlagProblemSchema(Schema):
    """What a staff member adds when a flag becomes a ledger problem; the rest comes from the flag."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    rectification_type = fields.Str(
        required=True,
        validate=validate.OneOf(list(RECTIFICATION_TYPES), error="应为以下之一：" + "、".join(RECTIFICATION_TYPES)),
    )
    deadline = fields.Date(allow_none=True)
    deadline_working_days = fields.Integer(
        allow_none=True,
        strict=True,
        validate=validate.Range(min=WORKING_DAYS_MIN, max=WORKING_DAYS_MAX, error=WORKING_DAYS_ERROR),
    )
    unit_id = fields.Integer(strict=True)
    title = _text(200, "问题标题")
    description = _text(5000, "问题描述")
    severity = fields.Str(validate=validate.OneOf(list(SEVERITIES)))
    source = fields.Str(validate=validate.OneOf(list(SOURCES)))
    responsible_person = _text(64, "责任人")
    responsible_leader = _text(64, "责任领导")
    measures = _text(5000, "整改措施")

    @validates_schema
    def one_deadline(self, data, **kwargs):
        if data.get("deadline") and data.get("deadline_working_days"):
            raise ValidationError("整改时限只能给日期或工作日数之一", "deadline_working_days")


class FeeFlagProblemResultSchema(Schema):
    flag = fields.Nested(FeeFlagOutSchema)
    problem_id = fields.Integer()
    problem_number = fields.String()
