"""Extra problem fields of the supervision domain, and the schemas of its credit-code check endpoint."""

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from core.plugin_api import SCHEMA_ERRORS, TEXT_ERRORS, USCCField, text_field
from plugins.supervision.models import OUTCOMES, TASK_STATUSES

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


# --- random-inspection tasks (双随机抽查) -----------------------------------------------------------------------


def _text(label: str, max_length: int, required: bool = True, **kwargs) -> fields.Str:
    return text_field(label, max_length, required, **kwargs)


class SupervisionTaskCreateSchema(Schema):
    """A new 双随机 task: who draws, what is inspected, how many targets and inspectors, the planned period."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    unit_id = fields.Int(required=True, strict=True, metadata={"label": "组织单位"})
    name = _text("任务名称", 200)
    matter = _text("抽查事项", 200)
    description = _text("说明", 2000, required=False, load_default="")
    starts_on = fields.Date(required=True, metadata={"label": "检查开始日期"})
    ends_on = fields.Date(required=True, metadata={"label": "检查结束日期（计划）"})
    target_count = fields.Int(
        required=True, strict=True, validate=validate.Range(min=1, max=1000), metadata={"label": "抽取检查对象数"}
    )
    inspectors_per_target = fields.Int(
        load_default=2, strict=True, validate=validate.Range(min=1, max=10), metadata={"label": "每户检查人员数"}
    )

    @validates_schema
    def _period(self, data, **kwargs):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("检查结束日期不能早于开始日期", "ends_on")


class SupervisionEnterpriseSchema(Schema):
    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    name = _text("企业名称", 200)
    credit_code = USCCField(required=True, metadata={"label": "统一社会信用代码"})
    address = _text("地址", 300, required=False, load_default="")


class SupervisionInspectorSchema(Schema):
    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    name = _text("姓名", 80)
    card_number = fields.Str(
        required=True,
        validate=validate.Regexp(r"^[0-9A-Za-z-]{1,40}$", error="执法证号应为1至40位数字、字母或连字符"),
        error_messages=TEXT_ERRORS,
        metadata={"label": "执法证号"},
    )
    unit_name = _text("所在单位", 200, required=False, load_default="")


class SupervisionEnterprisePoolSchema(Schema):
    """Enterprises to add to the task's pool (or, with replace, the whole pool)."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    enterprises = fields.List(
        fields.Nested(SupervisionEnterpriseSchema), required=True, validate=validate.Length(min=1, max=5000)
    )
    replace = fields.Bool(load_default=False, metadata={"label": "替换整个名录库"})


class SupervisionInspectorPoolSchema(Schema):
    """Inspectors to add to the task's pool (or, with replace, the whole pool)."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    inspectors = fields.List(
        fields.Nested(SupervisionInspectorSchema), required=True, validate=validate.Length(min=1, max=2000)
    )
    replace = fields.Bool(load_default=False, metadata={"label": "替换整个名录库"})


class SupervisionPoolImportFormSchema(Schema):
    replace = fields.Bool(load_default=False, metadata={"label": "替换整个名录库"})


class SupervisionPoolImportFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class SupervisionDrawSchema(Schema):
    """The seed: given (e.g. drawn in public) or left out for a random one."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    seed = fields.Str(
        validate=[
            validate.Length(min=1, max=128),
            validate.Regexp(r"^[^\x00-\x1f\x7f]+$", error="种子不能含控制字符"),
        ],
        error_messages=TEXT_ERRORS,
        metadata={"label": "随机种子"},
    )


class SupervisionResultItemSchema(Schema):
    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    credit_code = USCCField(required=True, metadata={"label": "统一社会信用代码"})
    outcome = fields.Str(
        required=True,
        validate=validate.OneOf(list(OUTCOMES), error="检查结果应为以下之一：{choices}"),
        metadata={"label": "检查结果", "choices": list(OUTCOMES)},
    )
    findings = _text("检查发现", 2000, required=False, load_default="")


class SupervisionResultsSchema(Schema):
    """Results of some or all drawn targets, and the day the inspections ended."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    inspection_ended_on = fields.Date(required=True, metadata={"label": "检查结束日期"})
    results = fields.List(
        fields.Nested(SupervisionResultItemSchema), required=True, validate=validate.Length(min=1, max=1000)
    )


class SupervisionPublicationSchema(Schema):
    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    published_on = fields.Date(required=True, metadata={"label": "公示日期"})
    channel = _text("公示渠道", 200)


class SupervisionInspectorOutSchema(Schema):
    name = fields.Str()
    card_number = fields.Str()
    unit_name = fields.Str()


class SupervisionEnterpriseOutSchema(Schema):
    name = fields.Str()
    credit_code = fields.Str()
    address = fields.Str()


class SupervisionTargetInspectorSchema(Schema):
    card_number = fields.Str()
    name = fields.Str()


class SupervisionTargetSchema(Schema):
    id = fields.Int()
    position = fields.Int()
    enterprise_name = fields.Str()
    credit_code = fields.Str()
    inspectors = fields.List(fields.Nested(SupervisionTargetInspectorSchema))
    outcome = fields.Str(allow_none=True)
    outcome_name = fields.Str()
    findings = fields.Str()


class SupervisionLateProblemSchema(Schema):
    id = fields.Int()
    number = fields.Str()


class SupervisionTaskSchema(Schema):
    id = fields.Int()
    unit_id = fields.Int()
    unit_name = fields.Str()
    name = fields.Str()
    matter = fields.Str()
    starts_on = fields.Date()
    ends_on = fields.Date()
    target_count = fields.Int()
    inspectors_per_target = fields.Int()
    status = fields.Str(metadata={"choices": list(TASK_STATUSES)})
    status_name = fields.Str()
    seed = fields.Str(allow_none=True)
    algorithm = fields.Str(allow_none=True)
    inspection_ended_on = fields.Date(allow_none=True)
    publication_due = fields.Date(allow_none=True)
    published_on = fields.Date(allow_none=True)


class SupervisionTaskDetailSchema(SupervisionTaskSchema):
    description = fields.Str()
    enterprises = fields.List(fields.Nested(SupervisionEnterpriseOutSchema))
    inspectors = fields.List(fields.Nested(SupervisionInspectorOutSchema))
    targets = fields.List(fields.Nested(SupervisionTargetSchema))
    pool_digest = fields.Str(allow_none=True)
    draw_digest = fields.Str(allow_none=True)
    drawn_at = fields.DateTime(allow_none=True)
    drawn_by = fields.Str(allow_none=True)
    publication_channel = fields.Str()
    late_problem = fields.Nested(SupervisionLateProblemSchema, allow_none=True)


class SupervisionPoolCountSchema(Schema):
    added = fields.Int()
    enterprises = fields.Int()
    inspectors = fields.Int()


class SupervisionVerifyTargetSchema(Schema):
    credit_code = fields.Str()
    inspectors = fields.List(fields.Str())


class SupervisionVerifySchema(Schema):
    seed = fields.Str()
    algorithm = fields.Str()
    pool_digest = fields.Str()
    recorded_pool_digest = fields.Str()
    draw_digest = fields.Str()
    recorded_draw_digest = fields.Str()
    matches = fields.Bool()
    targets = fields.List(fields.Nested(SupervisionVerifyTargetSchema))
