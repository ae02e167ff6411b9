"""Schemas of the public channel's API: the reporter's side and the staff's."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from core.ledger.bounds import WORKING_DAYS_ERROR, WORKING_DAYS_MAX, WORKING_DAYS_MIN
from core.ledger.models import RECTIFICATION_TYPES, SEVERITIES
from core.platform.api import list_schema
from core.public.models import CATEGORIES, RATINGS, STATUSES

Short = validate.Length(max=200)


class PublicReportSubmitSchema(Schema):
    """What a reporter sends (JSON, or multipart form fields beside the ``files``)."""

    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)), metadata={"label": "问题类型"})
    description = fields.String(
        required=True, validate=validate.Length(min=10, max=5000), metadata={"label": "反映的问题"}
    )
    unit_id = fields.Integer(allow_none=True, metadata={"label": "涉及单位"})
    concerned = fields.String(load_default="", validate=Short, metadata={"label": "涉及的单位或人员"})
    location = fields.String(load_default="", validate=Short, metadata={"label": "地点"})
    occurred = fields.String(load_default="", validate=validate.Length(max=100), metadata={"label": "时间"})
    contact_name = fields.String(load_default="", validate=validate.Length(max=64), metadata={"label": "称呼"})
    contact = fields.String(load_default="", validate=Short, metadata={"label": "联系方式（选填，可匿名）"})
    solicitation_id = fields.Integer(allow_none=True, metadata={"label": "公开征集"})
    challenge_token = fields.String(required=True, validate=validate.Length(max=1000), metadata={"label": "验证题"})
    challenge_answer = fields.String(required=True, validate=validate.Length(max=20), metadata={"label": "验证题答案"})
    #: must stay empty: people do not see it, form-filling robots do
    website = fields.String(load_default="", metadata={"label": "请勿填写"})


class PublicCityReportSubmitSchema(PublicReportSubmitSchema):
    tenant = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={"label": "县区"})


class PublicFormReportSubmitSchema(PublicReportSubmitSchema):
    """A multipart submission: unknown form fields (a web form's CSRF token) are left out."""

    class Meta:
        unknown = EXCLUDE


class PublicFormCityReportSubmitSchema(PublicCityReportSubmitSchema):
    class Meta:
        unknown = EXCLUDE


class PublicReceiptSchema(Schema):
    tracking_code = fields.String(metadata={"description": "查询码"})
    secret = fields.String(metadata={"description": "查询密码：只显示这一次，与查询码一起才能查看办理情况"})
    received_at = fields.DateTime()
    tenant = fields.String()
    status = fields.String()


class PublicChallengeSchema(Schema):
    question = fields.String()
    token = fields.String()
    expires_at = fields.DateTime()
    min_seconds = fields.Integer(metadata={"description": "领题后至少经过的秒数，少于此数提交将被拒绝"})


class PublicTrackSchema(Schema):
    tracking_code = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={"label": "查询码"})
    secret = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={"label": "查询密码"})


class PublicRatingSchema(PublicTrackSchema):
    rating = fields.String(required=True, validate=validate.OneOf(list(RATINGS)), metadata={"label": "评价"})


class PublicReplySchema(Schema):
    text = fields.String()
    at = fields.DateTime()


class PublicTrackedReportSchema(Schema):
    tracking_code = fields.String()
    tenant_name = fields.String()
    category = fields.String()
    category_name = fields.String()
    status = fields.String()
    status_name = fields.String()
    handling = fields.String(
        allow_none=True,
        metadata={
            "description": "受理或并案后，台账问题的办理状态：待交办、整改中、待验收、持续整改、已办结、不予立项；"
            "未受理时为 null"
        },
    )
    handling_status = fields.String(
        allow_none=True,
        metadata={
            "description": "台账问题的状态代码：registered、rectifying、submitted、ongoing、closed、dismissed；"
            "未受理时为 null"
        },
    )
    received_at = fields.DateTime()
    replies = fields.List(fields.Nested(PublicReplySchema))
    rating = fields.String(allow_none=True)
    rating_name = fields.String(allow_none=True)
    may_rate = fields.Boolean()


class PublicChannelsSchema(Schema):
    """A tenant's published channels (举报电话、邮箱、地址、接待日)."""

    phone = fields.String(load_default="", validate=validate.Length(max=64), metadata={"label": "举报电话"})
    mailbox = fields.String(load_default="", validate=validate.Length(max=120), metadata={"label": "举报邮箱"})
    address = fields.String(load_default="", validate=Short, metadata={"label": "来信来访地址"})
    reception_days = fields.String(load_default="", validate=Short, metadata={"label": "接待日"})


class PublicSolicitationStaffSchema(Schema):
    id = fields.Integer(dump_only=True)
    scope = fields.String(dump_only=True, metadata={"description": "tenant 本局；city 市局面向全市"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"label": "征集标题"})
    description = fields.String(
        required=True, validate=validate.Length(min=1, max=5000), metadata={"label": "征集说明"}
    )
    starts_on = fields.Date(required=True, metadata={"label": "开始日期"})
    ends_on = fields.Date(required=True, metadata={"label": "结束日期"})
    is_open = fields.Boolean(dump_only=True)
    reports = fields.Integer(dump_only=True, metadata={"description": "收到的举报数"})

    @validates_schema
    def _period(self, data, **kwargs):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("结束日期不能早于开始日期", "ends_on")


class PublicSolicitationUpdateSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(min=1, max=5000))
    starts_on = fields.Date()
    ends_on = fields.Date()


class PublicSolicitationSchema(Schema):
    id = fields.Integer()
    scope = fields.String()
    title = fields.String()
    description = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()


class PublicUnitChoiceSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class PublicTenantSchema(Schema):
    slug = fields.String()
    name = fields.String()
    channels = fields.Nested(PublicChannelsSchema)
    units = fields.List(fields.Nested(PublicUnitChoiceSchema))
    categories = fields.Dict(keys=fields.String(), values=fields.String())
    solicitations = fields.List(fields.Nested(PublicSolicitationSchema))
    max_files = fields.Integer()
    max_file_bytes = fields.Integer()


class PublicCountyChoiceSchema(Schema):
    slug = fields.String()
    name = fields.String()
    channels = fields.Nested(PublicChannelsSchema)


class PublicCitySchema(Schema):
    counties = fields.List(fields.Nested(PublicCountyChoiceSchema))
    categories = fields.Dict(keys=fields.String(), values=fields.String())
    solicitations = fields.List(fields.Nested(PublicSolicitationSchema))


# --- staff ----------------------------------------------------------------------------------------------------


class PublicReportListQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(list(STATUSES)), metadata={"label": "状态"})
    category = fields.String(validate=validate.OneOf(list(CATEGORIES)), metadata={"label": "问题类型"})
    solicitation_id = fields.Integer(metadata={"label": "公开征集"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class PublicReportFileSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    size = fields.Integer()
    content_type = fields.String()


class PublicReportReplySchema(Schema):
    id = fields.Integer()
    text = fields.String()
    author = fields.String()
    created_at = fields.DateTime()


class PublicReportSchema(Schema):
    """A report as staff see it; the reporter's contact is never part of it."""

    id = fields.Integer()
    tracking_code = fields.String()
    category = fields.String()
    category_name = fields.String()
    description = fields.String()
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True)
    concerned = fields.String()
    location = fields.String()
    occurred = fields.String()
    anonymous = fields.Boolean(metadata={"description": "举报人未留联系方式"})
    solicitation_id = fields.Integer(allow_none=True)
    status = fields.String()
    status_name = fields.String()
    received_at = fields.DateTime()
    first_reply_at = fields.DateTime(allow_none=True)
    problem_id = fields.Integer(allow_none=True)
    problem_number = fields.String(allow_none=True)
    triaged_by = fields.String(allow_none=True)
    triaged_at = fields.DateTime(allow_none=True)
    rating = fields.String(allow_none=True)
    files = fields.List(fields.Nested(PublicReportFileSchema))
    replies = fields.List(fields.Nested(PublicReportReplySchema))


PublicReportPageSchema = list_schema(PublicReportSchema, "PublicReportPageSchema")


class SimilarSuggestionSchema(Schema):
    kind = fields.String(metadata={"description": "report 举报；problem 台账问题"})
    id = fields.Integer()
    label = fields.String(metadata={"description": "查询码或问题编号"})
    text = fields.String()
    score = fields.Float(
        metadata={"description": "综合相似度 0–1：文本相似度，同一单位加 0.1，同一类别加 0.05；按此从高到低排列"}
    )
    text_score = fields.Float(
        metadata={"description": "文本相似度 0–1：汉字二元组与英文数字词的重合程度（按稀有程度加权）"}
    )
    same_unit = fields.Boolean()
    same_category = fields.Boolean()


class ReporterContactSchema(Schema):
    name = fields.String()
    contact = fields.String()


class PublicReportAcceptSchema(Schema):
    unit_id = fields.Integer(required=True, metadata={"label": "责任单位"})
    domain = fields.String(load_default="general", validate=validate.Length(max=40), metadata={"label": "业务领域"})
    category = fields.String(required=True, validate=validate.Length(max=60), metadata={"label": "问题类别"})
    title = fields.String(validate=validate.Length(min=1, max=200), metadata={"label": "问题标题"})
    severity = fields.String(load_default="normal", validate=validate.OneOf(list(SEVERITIES)))
    rectification_type = fields.String(
        load_default="deadline", validate=validate.OneOf(list(RECTIFICATION_TYPES)), metadata={"label": "整改类型"}
    )
    deadline = fields.Date(allow_none=True, metadata={"label": "整改时限"})
    deadline_working_days = fields.Integer(
        allow_none=True, validate=validate.Range(min=WORKING_DAYS_MIN, max=WORKING_DAYS_MAX, error=WORKING_DAYS_ERROR)
    )
    responsible_person = fields.String(load_default="", validate=validate.Length(max=64))
    reply = fields.String(load_default="", validate=validate.Length(max=2000), metadata={"label": "给举报人的答复"})


class PublicReportMergeSchema(Schema):
    problem_id = fields.Integer(required=True, metadata={"label": "并入的问题"})
    reply = fields.String(load_default="", validate=validate.Length(max=2000), metadata={"label": "给举报人的答复"})


class PublicReportDismissSchema(Schema):
    reason = fields.String(
        required=True, validate=validate.Length(min=1, max=2000), metadata={"label": "不予受理的理由（举报人可见）"}
    )


class PublicReportReferSchema(Schema):
    referral = fields.String(required=True, validate=validate.Length(min=1, max=80),
                             metadata={"label": "转办方式（如 integrity.lead）"})  # fmt: skip
    data = fields.Dict(load_default=dict, metadata={"label": "转办所需的信息（由提供转办方式的业务模块定义）"})


class PublicReportNewReplySchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000), metadata={"label": "答复"})


class PublicReportStatsQuerySchema(Schema):
    date_from = fields.Date(data_key="from", metadata={"label": "起始日期"})
    date_to = fields.Date(data_key="to", metadata={"label": "截止日期"})


class PublicReportStatsRowSchema(Schema):
    category = fields.String(allow_none=True)
    category_name = fields.String()
    received = fields.Integer()
    pending = fields.Integer()
    accepted = fields.Integer()
    merged = fields.Integer()
    dismissed = fields.Integer()
    referred = fields.Integer()
    replied = fields.Integer()
    median_reply_working_days = fields.Float(allow_none=True, metadata={"description": "首次答复用时中位数（工作日）"})
    rated = fields.Integer()
    satisfied = fields.Integer()
    basically_satisfied = fields.Integer()
    dissatisfied = fields.Integer()
    satisfaction_rate = fields.Float(allow_none=True, metadata={"description": "（满意+基本满意）/ 评价数"})


class PublicReportStatsSchema(Schema):
    tenant = fields.String()
    date_from = fields.Date(allow_none=True, data_key="from")
    date_to = fields.Date(allow_none=True, data_key="to")
    rows = fields.List(fields.Nested(PublicReportStatsRowSchema))
    total = fields.Nested(PublicReportStatsRowSchema)
