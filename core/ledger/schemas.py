"""Schemas of the ledger API."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.ledger.bounds import WORKING_DAYS_ERROR, WORKING_DAYS_MAX, WORKING_DAYS_MIN
from core.ledger.fields import FIELD_TYPES
from core.ledger.models import LIGHTS, RECTIFICATION_TYPES, SEVERITIES, SOURCES, STATUSES
from core.platform.api import list_schema

Text = validate.Length(max=5000)
#: the bounds core.ledger.service checks too (the pages and the import do not pass through this schema)
WorkingDays = validate.Range(min=WORKING_DAYS_MIN, max=WORKING_DAYS_MAX, error=WORKING_DAYS_ERROR)


class ProblemCreateSchema(Schema):
    source = fields.String(validate=validate.OneOf(list(SOURCES)), metadata={"label": "问题来源"})
    domain = fields.String(required=True, validate=validate.Length(max=40), metadata={"label": "业务领域"})
    category = fields.String(required=True, validate=validate.Length(max=60), metadata={"label": "问题类别"})
    severity = fields.String(
        load_default="normal", validate=validate.OneOf(list(SEVERITIES)), metadata={"label": "严重程度"}
    )
    title = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"label": "问题标题"})
    description = fields.String(
        required=True, validate=validate.Length(min=1, max=5000), metadata={"label": "问题描述"}
    )
    unit_id = fields.Integer(required=True, metadata={"label": "责任单位"})
    responsible_person = fields.String(load_default="", validate=validate.Length(max=64), metadata={"label": "责任人"})
    responsible_leader = fields.String(
        load_default="", validate=validate.Length(max=64), metadata={"label": "责任领导"}
    )
    rectification_type = fields.String(
        required=True, validate=validate.OneOf(list(RECTIFICATION_TYPES)), metadata={"label": "整改类型"}
    )
    measures = fields.String(load_default="", validate=Text, metadata={"label": "整改措施"})
    deadline = fields.Date(allow_none=True, metadata={"label": "整改时限"})
    deadline_working_days = fields.Integer(
        allow_none=True, validate=WorkingDays, metadata={"label": "整改时限（工作日）"}
    )
    recurrence_of = fields.Integer(allow_none=True, metadata={"label": "复发自（已销号问题）"})
    external_ref = fields.String(
        allow_none=True, validate=validate.Length(min=1, max=64), metadata={"label": "外部编号"}
    )
    custom_fields = fields.Dict(keys=fields.String(), load_default=dict, metadata={"label": "领域扩展字段"})
    local_fields = fields.Dict(keys=fields.String(), load_default=dict, metadata={"label": "本局自定义字段"})


class ProblemUpdateSchema(Schema):
    domain = fields.String(validate=validate.Length(max=40))
    category = fields.String(validate=validate.Length(max=60))
    severity = fields.String(validate=validate.OneOf(list(SEVERITIES)))
    title = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(min=1, max=5000))
    unit_id = fields.Integer()
    responsible_person = fields.String(validate=validate.Length(max=64))
    responsible_leader = fields.String(validate=validate.Length(max=64))
    rectification_type = fields.String(validate=validate.OneOf(list(RECTIFICATION_TYPES)))
    measures = fields.String(validate=Text)
    progress = fields.String(validate=Text, metadata={"label": "整改进展"})
    completion = fields.String(validate=Text, metadata={"label": "完成情况"})
    deadline = fields.Date(allow_none=True)
    deadline_working_days = fields.Integer(allow_none=True, validate=WorkingDays)
    custom_fields = fields.Dict(keys=fields.String())
    local_fields = fields.Dict(keys=fields.String())


class ProblemSchema(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "编号"})
    version = fields.Integer()
    source = fields.String()
    source_name = fields.String()
    domain = fields.String()
    domain_name = fields.String()
    category = fields.String()
    category_name = fields.String()
    severity = fields.String()
    title = fields.String()
    description = fields.String()
    unit_id = fields.Integer()
    unit_name = fields.String()
    responsible_person = fields.String()
    responsible_leader = fields.String()
    rectification_type = fields.String()
    measures = fields.String()
    deadline = fields.Date(allow_none=True)
    original_deadline = fields.Date(allow_none=True)
    deadline_working_days = fields.Integer(allow_none=True)
    deadline_provisional = fields.Boolean(metadata={"description": "时限按未公布放假安排的年份估算，公布后重算"})
    phase = fields.String()
    phase_name = fields.String()
    status = fields.String()
    status_name = fields.String()
    light = fields.String(allow_none=True, metadata={"description": "red / yellow / green；已办结为 null"})
    city_assigned = fields.Boolean()
    progress = fields.String()
    completion = fields.String()
    verification_opinion = fields.String()
    return_count = fields.Integer()
    next_review_on = fields.Date(allow_none=True)
    dismissed_reason = fields.String()
    recurrence_of = fields.Integer(allow_none=True)
    external_ref = fields.String(allow_none=True)
    source_checklist_id = fields.Integer(
        allow_none=True, metadata={"description": "问题来自哪份检查清单的不符合项（清单编号）", "readOnly": True}
    )
    source_item = fields.String(
        allow_none=True, metadata={"description": "该清单中不符合的检查项编码", "readOnly": True}
    )
    custom_fields = fields.Dict()
    local_fields = fields.Dict()
    local_fields_version = fields.Integer(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    assigned_at = fields.DateTime(allow_none=True)
    signed_at = fields.DateTime(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    closed_late = fields.Boolean(allow_none=True)
    allowed_moves = fields.List(fields.String())


class ProblemDetailSchema(ProblemSchema):
    repeats = fields.Integer(metadata={"description": "登记为该问题复发的次数"})
    notes = fields.List(fields.Dict())
    attachments = fields.List(fields.Dict())
    extensions = fields.List(fields.Dict())
    referrals = fields.List(fields.Dict())


ProblemPageSchema = list_schema(ProblemSchema, "ProblemPageSchema")


class ListQuerySchema(Schema):
    status = fields.List(fields.String(validate=validate.OneOf(list(STATUSES))))
    light = fields.List(fields.String(validate=validate.OneOf(list(LIGHTS))))
    domain = fields.List(fields.String(validate=validate.Length(max=40)))
    category = fields.List(fields.String(validate=validate.Length(max=60)))
    source = fields.List(fields.String(validate=validate.OneOf(list(SOURCES))))
    phase = fields.List(fields.String(validate=validate.Length(max=40)))
    severity = fields.List(fields.String(validate=validate.OneOf(list(SEVERITIES))))
    rectification_type = fields.List(fields.String(validate=validate.OneOf(list(RECTIFICATION_TYPES))))
    unit_id = fields.Integer(metadata={"description": "该单位及其下级单位"})
    include_below = fields.Boolean(load_default=True)
    deadline_from = fields.Date()
    deadline_to = fields.Date()
    responsible_person = fields.String(validate=validate.Length(max=64))
    city_assigned = fields.Boolean()
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "标题、描述或编号中的文字"})


class PageQuerySchema(ListQuerySchema):
    sort = fields.String(load_default="deadline", validate=validate.OneOf(["deadline", "number"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=500))


class CountsSchema(Schema):
    status = fields.Dict(keys=fields.String(), values=fields.Integer())
    light = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Integer()


class ActionSchema(Schema):
    opinion = fields.String(validate=validate.Length(min=1, max=2000), metadata={"description": "验收意见（销号）"})
    reason = fields.String(
        validate=validate.Length(min=1, max=2000), metadata={"description": "理由（退回、不予立项）"}
    )
    next_review_on = fields.Date(metadata={"description": "下次复查日期（长期坚持）"})
    measures = fields.String(validate=Text)


class NoteSchema(Schema):
    id = fields.Integer(dump_only=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000), metadata={"label": "整改进展"})
    author = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class UploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class UploadFormSchema(Schema):
    note_id = fields.Integer()


class AttachmentSchema(Schema):
    id = fields.Integer()
    problem_id = fields.Integer()
    note_id = fields.Integer(allow_none=True)
    sha256 = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    kind = fields.String()
    filename = fields.String()
    uploaded_by = fields.String()
    created_at = fields.DateTime()


class ExtensionRequestSchema(Schema):
    new_deadline = fields.Date(required=True, metadata={"label": "申请延至"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000), metadata={"label": "延期理由"})


class ExtensionDecisionSchema(Schema):
    approve = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ExtensionSchema(Schema):
    id = fields.Integer()
    problem_id = fields.Integer()
    requested_by = fields.String()
    requested_at = fields.DateTime()
    current_deadline = fields.Date()
    new_deadline = fields.Date()
    reason = fields.String()
    status = fields.String()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String()


class ReferralSchema(Schema):
    id = fields.Integer(dump_only=True)
    referred_on = fields.Date(required=True, metadata={"label": "移送日期"})
    receiving_body = fields.String(
        required=True, validate=validate.Length(min=1, max=100), metadata={"label": "接收机关"}
    )
    document_number = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={"label": "文号"})
    recorded_by = fields.String(dump_only=True)


class EventSchema(Schema):
    seq = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    actor_name = fields.String()
    kind = fields.String(
        metadata={
            "description": "the kind as stored in the chain: <owner>.<event>, or the bare "
            "name of an event written before kinds were namespaced"
        }
    )
    label = fields.String(metadata={"description": "the kind's Chinese label, e.g. 销号"})
    data = fields.Dict()
    hash = fields.String()


class LocalFieldDefinitionSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    label = fields.String(required=True, validate=validate.Length(min=1, max=40))
    type = fields.String(required=True, validate=validate.OneOf(list(FIELD_TYPES)))
    required = fields.Boolean(load_default=False)
    choices = fields.List(fields.String(validate=validate.Length(min=1, max=60)), load_default=list)


class LocalFieldSetSchema(Schema):
    version = fields.Integer(dump_only=True)
    fields_ = fields.List(
        fields.Nested(LocalFieldDefinitionSchema), required=True, data_key="fields", attribute="fields"
    )


#: Per-tenant deadline and oversight thresholds (tenant.settings): key -> (label, min, max). Defaults: yellow_days
#: in core.ledger.service, the others in core.oversight.service.DEFAULT_SETTINGS.
SETTING_RANGES = {
    "yellow_days": ("黄灯提前工作日数", 0, 30),
    "escalation_days": ("红灯升级督办工作日数", 1, 60),
    "escalation_order_days": ("升级督办回复工作日数", 1, 30),
    "interview_periods": ("连续红灯约谈月数", 1, 12),
    "report_reminder_days": ("报送提醒提前工作日数", 1, 30),
}


def _setting_field(name: str) -> fields.Integer:
    label, low, high = SETTING_RANGES[name]
    return fields.Integer(
        validate=validate.Range(min=low, max=high, error=f"{label}应为{low}到{high}"),
        error_messages={"invalid": f"{label}应为整数"},
        metadata={"label": label, "description": f"{label}（{low}–{high}）"},
    )


class TenantSettingsSchema(Schema):
    """GET answers every key; PUT takes any subset of them (at least one)."""

    yellow_days = _setting_field("yellow_days")
    escalation_days = _setting_field("escalation_days")
    escalation_order_days = _setting_field("escalation_order_days")
    interview_periods = _setting_field("interview_periods")
    report_reminder_days = _setting_field("report_reminder_days")

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("至少填写一项设置")


class PhaseSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(allow_none=True, load_default=None)


class PhaseListSchema(Schema):
    phases = fields.List(fields.Nested(PhaseSchema), required=True, validate=validate.Length(min=1))


class HolidayYearSchema(Schema):
    year = fields.Integer(dump_only=True)
    holidays = fields.List(fields.Date(), required=True, metadata={"description": "放假的日期"})
    workdays = fields.List(fields.Date(), load_default=list, metadata={"description": "调休上班的周末日期"})
    source = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"label": "依据文件"})
    recomputed = fields.Integer(dump_only=True, metadata={"description": "重新计算时限的问题数"})
    origin = fields.String(
        dump_only=True, metadata={"description": "loaded 市局载入 / package 内置数据 / weekdays 暂按周一至周五"}
    )
    provisional = fields.Boolean(dump_only=True)
