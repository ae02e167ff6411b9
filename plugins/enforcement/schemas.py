"""Extra problem fields of the enforcement domain."""

from marshmallow import RAISE, Schema, fields, validate

from core.plugin_api import NUMBER_ERRORS, SCHEMA_ERRORS, TEXT_ERRORS

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


# --- the plugin's API -----------------------------------------------------------------------------------------

from plugins.enforcement.models import (  # noqa: E402
    CASE_TYPES as CASE_TYPE_CODES,
)
from plugins.enforcement.models import (  # noqa: E402
    DISCRETION_LEVELS,
    REVIEW_KINDS,
)
from plugins.enforcement.rubric import SECTIONS  # noqa: E402

NAME_LIST = fields.List(fields.Str(validate=validate.Length(min=1, max=32)), validate=validate.Length(max=20))


class EnforcementCaseFileCreateSchema(Schema):
    """A case file to register (执法案卷)."""

    class Meta:
        unknown = RAISE

    case_no = fields.Str(required=True, validate=validate.Length(min=1, max=64), metadata={"description": "案件编号"})
    case_type = fields.Str(
        required=True,
        validate=validate.OneOf(list(CASE_TYPE_CODES)),
        metadata={"description": "案件类型：penalty 行政处罚、compulsory 行政强制、other 其他"},
    )
    cause = fields.Str(load_default="", validate=validate.Length(max=200), metadata={"description": "案由"})
    unit_id = fields.Int(required=True, metadata={"description": "承办单位"})
    handlers = fields.List(
        fields.Str(validate=validate.Length(min=1, max=32)),
        required=True,
        validate=validate.Length(min=1, max=10),
        metadata={"description": "承办人姓名"},
    )
    filed_on = fields.Date(required=True, metadata={"description": "立案日期"})
    closed_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "结案日期"})
    penalty_amount = fields.Decimal(
        load_default=None,
        allow_none=True,
        places=2,
        validate=validate.Range(min=0, max=10**12 - 1),
        metadata={"description": "罚没款金额（元）"},
    )
    discretion_level = fields.Str(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(list(DISCRETION_LEVELS)),
        metadata={"description": "适用裁量等级：" + "、".join(f"{k} {v}" for k, v in DISCRETION_LEVELS.items())},
    )


class EnforcementCaseFileSchema(Schema):
    id = fields.Int()
    case_no = fields.Str()
    case_type = fields.Str()
    case_type_name = fields.Str()
    cause = fields.Str()
    unit_id = fields.Int()
    unit_name = fields.Str()
    handlers = fields.List(fields.Str())
    filed_on = fields.Date()
    closed_on = fields.Date(allow_none=True)
    penalty_amount = fields.Str(allow_none=True, metadata={"description": "罚没款金额（元），两位小数"})
    discretion_level = fields.Str(allow_none=True)
    discretion_level_name = fields.Str(allow_none=True)
    created_at = fields.DateTime()
    #: one case file only (not in lists): each handler's 执法证 on the filing and closing days, from the staff
    #: register when a plugin keeps one; ``flagged`` when it had lapsed
    handler_certificates = fields.List(fields.Dict())
    #: one case file only: a handler's certificate had lapsed on the case's day
    certificate_flagged = fields.Boolean()


class EnforcementCaseFileQuerySchema(Schema):
    unit_id = fields.Int(metadata={"description": "承办单位（含下级单位）"})
    case_type = fields.Str(validate=validate.OneOf(list(CASE_TYPE_CODES)))
    closed_from = fields.Date()
    closed_to = fields.Date()
    q = fields.Str(validate=validate.Length(max=64), metadata={"description": "案件编号或案由中的文字"})
    limit = fields.Int(load_default=200, validate=validate.Range(min=1, max=1000))


class EnforcementImportFormSchema(Schema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "只检查并统计，不写入任何数据"})


class EnforcementImportResultSchema(Schema):
    created = fields.Int()
    updated = fields.Int()
    unchanged = fields.Int()
    dry_run = fields.Boolean()


class EnforcementSamplingCreateSchema(Schema):
    """A random draw of case files: by unit, period (结案日期), type, and a count or a proportion."""

    class Meta:
        unknown = RAISE

    unit_ids = fields.List(fields.Int(), load_default=list, metadata={"description": "单位（含下级）；空为全部"})
    period_from = fields.Date(required=True, metadata={"description": "结案日期起"})
    period_to = fields.Date(required=True, metadata={"description": "结案日期止"})
    case_types = fields.List(fields.Str(validate=validate.OneOf(list(CASE_TYPE_CODES))), load_default=list)
    count = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1, max=10000))
    proportion = fields.Decimal(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=1, min_inclusive=False),
        metadata={"description": "抽取比例，0 到 1 之间，如 0.1 即 10%（向上取整）"},
    )
    seed = fields.Str(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "随机种子；不填由系统生成。同一种子与条件总得到同一结果"},
    )
    reviewers = NAME_LIST
    reviewers_per_file = fields.Int(load_default=1, validate=validate.Range(min=1, max=5))


class EnforcementSamplingSchema(Schema):
    id = fields.Int()
    criteria = fields.Dict()
    seed = fields.Str()
    population = fields.List(fields.Int())
    selected = fields.List(fields.Int())
    drawn_by = fields.Str()
    drawn_at = fields.DateTime()
    files = fields.List(
        fields.Nested(lambda: EnforcementCaseFileSchema()), metadata={"description": "抽中的案卷（按抽取顺序）"}
    )
    reviews = fields.List(
        fields.Nested(lambda: EnforcementReviewSchema()), metadata={"description": "为抽中案卷生成的评查"}
    )


class EnforcementVerifySchema(Schema):
    sampling_id = fields.Int()
    seed = fields.Str()
    selected = fields.List(fields.Int())
    redone = fields.List(fields.Int())
    same = fields.Boolean()
    population_unchanged = fields.Boolean()
    method = fields.Str()


class EnforcementReviewCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    reviewers = fields.List(
        fields.Str(validate=validate.Length(min=1, max=32)), required=True, validate=validate.Length(min=1, max=10)
    )
    kind = fields.Str(load_default="review", validate=validate.OneOf(list(REVIEW_KINDS)))


class EnforcementDeductionInputSchema(Schema):
    class Meta:
        unknown = RAISE

    item = fields.Str(required=True, validate=validate.Length(min=1, max=20))
    count = fields.Int(load_default=1, validate=validate.Range(min=1, max=100))
    serious = fields.Boolean(load_default=False)
    note = fields.Str(required=True, validate=validate.Length(min=1, max=2000))


class EnforcementVetoInputSchema(Schema):
    class Meta:
        unknown = RAISE

    item = fields.Str(required=True, validate=validate.Length(min=1, max=20))
    note = fields.Str(required=True, validate=validate.Length(min=1, max=2000))


class EnforcementScoreSchema(Schema):
    """The findings of a review; the score and grade are computed, never given."""

    class Meta:
        unknown = RAISE

    deductions = fields.List(fields.Nested(EnforcementDeductionInputSchema), load_default=list)
    vetoes = fields.List(fields.Nested(EnforcementVetoInputSchema), load_default=list)
    remarks = fields.Str(load_default="", validate=validate.Length(max=2000))
    problem_category = fields.Str(
        load_default=None, allow_none=True, metadata={"description": "问题类别（不填按扣分项目确定）"}
    )


class EnforcementReviewSchema(Schema):
    id = fields.Int()
    case_file_id = fields.Int()
    case_no = fields.Str()
    unit_id = fields.Int()
    unit_name = fields.Str()
    sampling_id = fields.Int(allow_none=True)
    kind = fields.Str()
    rubric_version = fields.Int()
    reviewers = fields.List(fields.Str())
    status = fields.Str()
    score = fields.Float(allow_none=True)
    grade = fields.Str(allow_none=True, metadata={"description": "excellent 优秀、pass 合格、fail 不合格"})
    grade_name = fields.Str(allow_none=True)
    vetoed = fields.Boolean()
    section_scores = fields.Dict()
    thresholds = fields.Dict()
    remarks = fields.Str()
    problem_id = fields.Int(allow_none=True)
    deductions = fields.List(fields.Dict())
    reviewed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class EnforcementReviewQuerySchema(Schema):
    unit_id = fields.Int()
    case_file_id = fields.Int()
    status = fields.Str(validate=validate.OneOf(["assigned", "scored"]))
    limit = fields.Int(load_default=200, validate=validate.Range(min=1, max=1000))


class EnforcementRubricSchema(Schema):
    code = fields.Str()
    version = fields.Int()
    title = fields.Str()
    basis = fields.Str()
    vetoes = fields.List(fields.Dict())
    sections = fields.List(fields.Dict())
    thresholds = fields.Dict()
    grades = fields.Dict()
    problem_deadline_days = fields.Int()


class EnforcementRubricSettingsSchema(Schema):
    class Meta:
        unknown = RAISE

    excellent_min = fields.Float(validate=validate.Range(min=0, max=100))
    pass_min = fields.Float(validate=validate.Range(min=0, max=100))
    problem_deadline_days = fields.Int(validate=validate.Range(min=1, max=250))


class EnforcementLocalItemCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    text = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    basis = fields.Str(required=True, validate=validate.Length(min=1, max=200), metadata={"description": "依据"})
    veto = fields.Boolean(load_default=False)
    section = fields.Str(validate=validate.OneOf(list(SECTIONS)))
    points = fields.Float(validate=validate.Range(min=0.5, max=40))
    max_count = fields.Int(load_default=1, validate=validate.Range(min=1, max=20))
    category = fields.Str(load_default="other")
    serious = fields.Boolean(load_default=False)


class EnforcementLocalItemSchema(Schema):
    id = fields.Int()
    code = fields.Str()
    item = fields.Dict()
    retired_at = fields.DateTime(allow_none=True)


class EnforcementStatisticsQuerySchema(Schema):
    unit_id = fields.Int()
    period_from = fields.Date(metadata={"description": "评查日期起"})
    period_to = fields.Date(metadata={"description": "评查日期止"})
    kind = fields.Str(validate=validate.OneOf(list(REVIEW_KINDS)))
    top = fields.Int(load_default=10, validate=validate.Range(min=1, max=100))


class EnforcementStatisticsSchema(Schema):
    overall = fields.Dict()
    units = fields.List(fields.Dict())
    handlers = fields.List(fields.Dict())
    sections = fields.List(fields.Dict())
    top_deductions = fields.List(fields.Dict())
