"""The oversight API's request and response shapes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.oversight.models import MEASURE_KINDS, ORDER_STATUSES, REPORT_KINDS
from core.platform.api import list_schema


class SupervisionOrderSchema(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "督办单编号，如 督-LJ-2024-003"})
    problem_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer(metadata={"description": "被督办单位"})
    level = fields.String(metadata={"description": "city 市局督办 / county 县区局督办"})
    demand = fields.String(metadata={"description": "督办要求"})
    deadline = fields.Date(metadata={"description": "回复时限"})
    status = fields.String(metadata={"description": "issued 已下发 / acknowledged 已签收 / answered 已回复"})
    issued_by = fields.String(metadata={"description": "user:<id> 或 system:escalation（自动升级）"})
    issued_at = fields.DateTime()
    escalation_key = fields.String(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    answer = fields.String()
    answered_at = fields.DateTime(allow_none=True)
    answered_late = fields.Boolean(allow_none=True)
    light = fields.String(allow_none=True, metadata={"description": "督办单自身的灯色；已回复为 null"})


class SupervisionOrderQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(["open", *ORDER_STATUSES]))


class SupervisionOrderCreateSchema(Schema):
    problem_id = fields.Integer(metadata={"description": "督办某个问题（发给其责任单位）"})
    unit_id = fields.Integer(metadata={"description": "督办某个单位（不给 problem_id 时必填）"})
    demand = fields.String(required=True, validate=validate.Length(min=1, max=4000), metadata={"label": "督办要求"})
    deadline = fields.Date(required=True, metadata={"label": "回复时限"})


class SupervisionOrderAnswerSchema(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=4000), metadata={"label": "回复内容"})


class AccountabilityMeasureSchema(Schema):
    id = fields.Integer(dump_only=True)
    tenant_id = fields.Integer(dump_only=True)
    unit_id = fields.Integer(required=True)
    kind = fields.String(
        required=True,
        validate=validate.OneOf(list(MEASURE_KINDS)),
        metadata={"description": "interview 约谈 / criticism 批评 / accountability 问责处理"},
    )
    measure = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    person = fields.String(load_default="", validate=validate.Length(max=100))
    decided_on = fields.Date(required=True)
    decided_by = fields.String(dump_only=True)
    problem_ids = fields.List(fields.Integer(), load_default=list)
    order_ids = fields.List(fields.Integer(), load_default=list)
    flag_id = fields.Integer(allow_none=True, load_default=None)


class OversightNotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    link = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


OversightNotificationListSchema = list_schema(
    OversightNotificationSchema, "OversightNotificationListSchema", unread=fields.Integer()
)


class NotificationReadSchema(Schema):
    id = fields.Integer(allow_none=True, load_default=None, metadata={"description": "省略则全部标为已读"})


class ReportingTaskSchema(Schema):
    id = fields.Integer()
    kind = fields.String(
        metadata={"description": "monthly 月度进展 / phase_summary 阶段总结 / typical_experience 典型经验 / "
                                 "special 专项报告"}
    )  # fmt: skip
    title = fields.String()
    description = fields.String()
    due_on = fields.Date()
    tenant_ids = fields.List(fields.Integer(), metadata={"description": "报送的县区局（市局用户可见）"})
    status = fields.String(metadata={"description": "open 进行中 / closed 已关闭（不再接受报送）"})
    closed_at = fields.DateTime(allow_none=True)
    closed_by = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    state = fields.String(
        allow_none=True,
        metadata={
            "description": "本局的报送状态 submitted / late / returned / missing / pending；市局不指明县区局时为 null"
        },
    )


class _ReportingTaskFields(Schema):
    kind = fields.String(validate=validate.OneOf(list(REPORT_KINDS)), metadata={"label": "类型"})
    title = fields.String(validate=validate.Length(min=1, max=200), metadata={"label": "标题"})
    description = fields.String(validate=validate.Length(max=4000), metadata={"label": "要求"})
    due_on = fields.Date(metadata={"label": "报送时限"})
    tenant_ids = fields.List(fields.Integer(), metadata={"label": "报送的县区局"})
    confirm_past_due = fields.Boolean(
        load_default=False, metadata={"description": "报送时限早于今天（补录以往的任务）时必须为 true，否则 422"}
    )


class ReportingTaskCreateSchema(_ReportingTaskFields):
    kind = fields.String(required=True, validate=validate.OneOf(list(REPORT_KINDS)), metadata={"label": "类型"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"label": "标题"})
    due_on = fields.Date(required=True, metadata={"label": "报送时限"})
    tenant_ids = fields.List(fields.Integer(), required=True, metadata={"label": "报送的县区局"})


class ReportingTaskChangeSchema(_ReportingTaskFields):
    """Any of the task's fields; those left out stay as they are."""


class ReportSubmissionCreateSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=20000), metadata={"label": "报送内容"})


class ReportSubmissionSchema(Schema):
    id = fields.Integer()
    task_id = fields.Integer()
    text = fields.String()
    status = fields.String()
    revision = fields.Integer()
    submitted_at = fields.DateTime()
    first_submitted_at = fields.DateTime()
    return_reason = fields.String()


class ReportingMatrixRowSchema(Schema):
    tenant = fields.String()
    slug = fields.String(attribute="extra")
    state = fields.String()
    at = fields.DateTime(allow_none=True)


class ReportSubmissionFormSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=20000), metadata={"label": "报送内容"})


class ReportUploadSchema(Schema):
    files = fields.List(
        fields.Raw(metadata={"type": "string", "format": "binary"}),
        load_default=list,
        metadata={"description": "附件（可多个；类型按内容检查，大小受限）"},
    )


class ReportFileSchema(Schema):
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()


class ReportSubmissionWithFilesSchema(ReportSubmissionSchema):
    files = fields.List(fields.Nested(ReportFileSchema), metadata={"description": "附件，按序号下载"})


class SelfCheckAnswerSchema(Schema):
    unit_id = fields.Integer()
    answer = fields.String(
        allow_none=True, metadata={"description": "none 无此问题 / problem 已登记问题；未答复为 null"}
    )
    problem_id = fields.Integer(allow_none=True)
    note = fields.String()
    answered_by = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)


class SelfCheckSchema(Schema):
    id = fields.Integer()
    city_check_id = fields.Integer(allow_none=True, metadata={"description": "市局发起时为市局举一反三的编号"})
    source_problem_id = fields.Integer(allow_none=True)
    title = fields.String()
    description = fields.String()
    due_on = fields.Date()
    created_by = fields.String()
    created_at = fields.DateTime()
    answered = fields.Integer(metadata={"description": "已答复的单位数"})
    total = fields.Integer(metadata={"description": "要求自查的单位数"})
    answers = fields.List(fields.Nested(SelfCheckAnswerSchema), metadata={"description": "各单位的答复（单个查询时）"})


class _SelfCheckCreateBase(Schema):
    problem_id = fields.Integer(required=True, metadata={"description": "由哪个问题举一反三"})
    title = fields.String(validate=validate.Length(max=200), metadata={"description": "省略则为「举一反三：问题标题」"})
    description = fields.String(
        required=True, validate=validate.Length(min=1, max=4000), metadata={"label": "自查要求"}
    )
    due_on = fields.Date(required=True, metadata={"label": "完成时限"})


class SelfCheckCreateSchema(_SelfCheckCreateBase):
    unit_ids = fields.List(fields.Integer(), required=True, metadata={"description": "要求自查的本局单位"})


class CitySelfCheckCreateSchema(_SelfCheckCreateBase):
    tenant_ids = fields.List(fields.Integer(), required=True, metadata={"description": "要求自查的县区局"})


class SelfCheckAnswerCreateSchema(Schema):
    unit_id = fields.Integer(metadata={"description": "答复的单位；省略为本人所在单位"})
    answer = fields.String(required=True, validate=validate.OneOf(["none", "problem"]),
                           metadata={"description": "none 无此问题 / problem 已登记问题"})  # fmt: skip
    problem_id = fields.Integer(metadata={"description": "answer 为 problem 时：本单位或下级单位登记的问题"})
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class CitySelfCheckSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    due_on = fields.Date()
    source_tenant_id = fields.Integer()
    source_problem_id = fields.Integer()
    tenant_ids = fields.List(fields.Integer())
    created_by = fields.String()
    created_at = fields.DateTime()


class SelfCheckMatrixRowSchema(Schema):
    tenant = fields.String()
    slug = fields.String(attribute="extra")
    unit = fields.String(metadata={"description": "答复的单位（县区局本级）"})
    state = fields.String(metadata={"description": "none 无此问题 / problem 已登记问题 / pending 未答复"})
    at = fields.DateTime(allow_none=True)
    problem_id = fields.Integer(allow_none=True)
