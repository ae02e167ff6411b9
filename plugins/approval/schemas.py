"""Extra problem fields of the approval domain, and the schemas of its service-case (办件) API."""

from marshmallow import RAISE, Schema, fields, validate

from core.plugin_api import NUMBER_ERRORS, SCHEMA_ERRORS, SHANGHAI, TEXT_ERRORS, list_schema, text_field
from plugins.approval.models import APPLICANT_TYPES


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
        metadata={"label": "办件编号", "help": "政务服务平台或业务系统中的办件编号"},
    )
    window = fields.Str(
        allow_none=True,
        validate=validate.Length(max=100, error="窗口/岗位不能超过{max}个字符"),
        error_messages=TEXT_ERRORS,
        metadata={"label": "窗口/岗位", "help": "受理或办理该事项的窗口、岗位，如 综合受理3号窗口"},
    )


# --- service-case records (办件) ---------------------------------------------------------------------------

TIME_ERRORS = {
    "required": "必填",
    "null": "不能为空",
    "invalid": "时间无效，应为 YYYY-MM-DDTHH:MM（北京时间）或带时区的 ISO 8601 时间",
    "invalid_awareness": "时间无效",
}
BOOL_ERRORS = {"required": "必填", "null": "不能为空", "invalid": "应为 true 或 false"}
CASE_STATES = {"open": "未办结", "completed": "已办结", "late": "已转超时问题"}


_text = text_field


class CaseCreateSchema(Schema):
    """A service case (办件) to record; times without a zone are Beijing time."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    unit_id = fields.Int(
        load_default=None,
        allow_none=True,
        strict=True,
        error_messages=NUMBER_ERRORS,
        metadata={"label": "办理单位", "help": "不填为本人所在单位；市局用户必填"},
    )
    matter_name = _text("事项名称", 200, required=True)
    case_no = _text("办件编号", 64, required=True)
    applicant_type = fields.Str(
        required=True,
        validate=validate.OneOf(list(APPLICANT_TYPES), error="申请人类型应为以下之一：{choices}"),
        error_messages=TEXT_ERRORS,
        metadata={"label": "申请人类型", "choices": APPLICANT_TYPES},
    )
    window = _text("窗口/岗位", 100, load_default="")
    received_at = fields.AwareDateTime(
        required=True, default_timezone=SHANGHAI, error_messages=TIME_ERRORS, metadata={"label": "受理时间"}
    )
    promised_days = fields.Int(
        required=True,
        strict=True,
        validate=validate.Range(min=0, max=365, error="承诺办结时限应为0到365个工作日"),
        error_messages=NUMBER_ERRORS,
        metadata={"label": "承诺办结时限（工作日）", "help": "0 表示即办件"},
    )
    completed_at = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        default_timezone=SHANGHAI,
        error_messages=TIME_ERRORS,
        metadata={"label": "办结时间"},
    )
    intermediary = fields.Bool(load_default=False, error_messages=BOOL_ERRORS, metadata={"label": "是否有中介参与"})


class CaseCompleteSchema(Schema):
    """When an open case was completed (办结)."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    completed_at = fields.AwareDateTime(
        required=True, default_timezone=SHANGHAI, error_messages=TIME_ERRORS, metadata={"label": "办结时间"}
    )


class CaseSchema(Schema):
    """A service case as the API shows it."""

    id = fields.Int()
    unit_id = fields.Int()
    unit_name = fields.Str()
    matter_name = fields.Str()
    case_no = fields.Str()
    applicant_type = fields.Str()
    applicant_type_name = fields.Str()
    window = fields.Str()
    received_at = fields.DateTime()
    promised_days = fields.Int()
    due_on = fields.Date(metadata={"label": "承诺办结日期"})
    completed_at = fields.DateTime(allow_none=True)
    intermediary = fields.Bool()
    working_days_late = fields.Int(metadata={"label": "超期工作日数"})
    late_problem_id = fields.Int(allow_none=True)
    late_problem_number = fields.Str(allow_none=True)
    created_by = fields.Str()
    created_at = fields.DateTime()


class CaseListQuerySchema(Schema):
    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    unit_id = fields.Int(error_messages=NUMBER_ERRORS, metadata={"label": "办理单位"})
    q = fields.Str(validate=validate.Length(max=100), error_messages=TEXT_ERRORS, metadata={"label": "事项名称或编号"})
    state = fields.Str(
        validate=validate.OneOf(list(CASE_STATES), error="状态应为以下之一：{choices}"),
        error_messages=TEXT_ERRORS,
        metadata={"label": "状态", "choices": CASE_STATES},
    )
    limit = fields.Int(
        load_default=50,
        validate=validate.Range(min=1, max=500),
        error_messages=NUMBER_ERRORS,
        metadata={"label": "每页条数"},
    )
    offset = fields.Int(load_default=0, validate=validate.Range(min=0), error_messages=NUMBER_ERRORS)


CasePageSchema = list_schema(CaseSchema, "CasePageSchema")


class CaseImportFormSchema(Schema):
    dry_run = fields.Bool(load_default=False, error_messages=BOOL_ERRORS, metadata={"label": "只检查，不写入"})


class CaseImportResultSchema(Schema):
    created = fields.Int()
    updated = fields.Int()
    unchanged = fields.Int()
    late_problems = fields.Int()
    dry_run = fields.Bool()
