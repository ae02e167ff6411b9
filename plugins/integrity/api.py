"""API of the integrity domain (队伍建设与廉政), mounted by the core under /api/v1/plugins/integrity/.

Views take ``**_url_values``: the core mounts the blueprint a second time under /api/v1/tenants/<tenant>/…
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from core.plugin_api import (
    ANY,
    SCHEMA_ERRORS,
    Caller,
    NotFound,
    list_schema,
    listing,
    object_loader,
    require,
    send_workbook,
    text_field,
    today_in_shanghai,
)
from core.plugin_api import ApiBlueprint as Blueprint
from plugins.integrity import risks
from plugins.integrity import service as staff_service
from plugins.integrity.certificates import expiring_days
from plugins.integrity.models import (
    CERTIFICATE_STATES,
    REVIEW_STATES,
    RISK_LEVELS,
    RISK_STATUSES,
    STAFF_STATUSES,
    RiskPoint,
    StaffMember,
)

blp = Blueprint("integrity", __name__, description="队伍建设与廉政：人员名册与执法证件、廉政风险点")
READERS = ANY
WRITERS = staff_service.WRITERS


def _staff_exists(ident: int) -> bool:
    try:
        staff_service.get_staff(Caller.current(), ident)
    except NotFound:
        return False
    return True


object_loader("integrity_staff_id")(_staff_exists)


def _text(max_length: int, label: str, required: bool = False, **kwargs) -> fields.Str:
    return text_field(label, max_length, required, **kwargs)


class IntegrityFieldsSchema(Schema):
    """The person a problem of this domain concerns (extra problem fields)."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    staff_name = _text(50, "涉及人员", allow_none=True)
    post = _text(100, "岗位", allow_none=True)
    certificate_no = _text(40, "执法证号", allow_none=True)


class IntegrityStaffSchema(Schema):
    """A person as registered (人员名册)."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    name = _text(50, "姓名", required=True)
    unit_id = fields.Integer(required=True, strict=True, metadata={"label": "单位"})
    post = _text(100, "岗位", load_default="")
    certificate_no = _text(40, "执法证号", load_default="", allow_none=True)
    issued_on = fields.Date(allow_none=True, metadata={"label": "发证日期"})
    expires_on = fields.Date(allow_none=True, metadata={"label": "有效期至"})
    status = fields.Str(
        load_default="active",
        validate=validate.OneOf(list(STAFF_STATUSES), error="应为以下之一：" + "、".join(STAFF_STATUSES)),
        metadata={"label": "状态", "choices": list(STAFF_STATUSES)},
    )


class IntegrityStaffUpdateSchema(IntegrityStaffSchema):
    class Meta:
        unknown = RAISE

    def __init__(self, **kwargs):
        # Any subset of the fields: a change names only what changes.
        super().__init__(partial=True, **kwargs)
        for field in self.fields.values():
            field.load_default = None


class IntegrityStaffQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    unit_id = fields.Integer(metadata={"label": "单位"})
    certificate_state = fields.Str(
        validate=validate.OneOf(list(CERTIFICATE_STATES), error="应为以下之一：" + "、".join(CERTIFICATE_STATES)),
        metadata={"label": "证件状态"},
    )
    #: the tenant's 证件到期提前预警天数 when not given
    within_days = fields.Integer(
        validate=validate.Range(min=1, max=3650, error="应为1到3650之间的天数"),
        metadata={"label": "提前预警天数"},
    )


class IntegrityStaffOutSchema(Schema):
    id = fields.Integer()
    name = fields.Str()
    unit_id = fields.Integer()
    unit_name = fields.Str()
    post = fields.Str()
    certificate_no = fields.Str(allow_none=True)
    issued_on = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    status = fields.Str()
    status_name = fields.Str()
    certificate_state = fields.Str()
    certificate_state_name = fields.Str()
    certificate_days_left = fields.Integer(allow_none=True)
    left_on = fields.Date(allow_none=True)
    left_reason = fields.Str(allow_none=True)


IntegrityStaffListSchema = list_schema(IntegrityStaffOutSchema, "IntegrityStaffListSchema")


class IntegrityStaffImportFormSchema(Schema):
    dry_run = fields.Boolean(load_default=False)


class IntegrityStaffUploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class IntegrityStaffImportResultSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    dry_run = fields.Boolean()


def staff_out(caller: Caller, staff: StaffMember, within_days: int | None = None) -> dict[str, Any]:
    within_days = within_days or expiring_days()
    state, days = staff_service.certificate_state(staff, today_in_shanghai(), within_days)
    unit = caller.unit(staff.unit_id)
    return {
        "id": staff.id,
        "name": staff.name,
        "unit_id": staff.unit_id,
        "unit_name": unit.name if unit else "",
        "post": staff.post,
        "certificate_no": staff.certificate_no,
        "issued_on": staff.issued_on,
        "expires_on": staff.expires_on,
        "status": staff.status,
        "status_name": STAFF_STATUSES[staff.status],
        "certificate_state": state,
        "certificate_state_name": CERTIFICATE_STATES[state],
        "certificate_days_left": days,
        "left_on": staff.left_on,
        "left_reason": staff.left_reason,
    }


@blp.route("/staff")
@require(*READERS)
@blp.arguments(IntegrityStaffQuerySchema, location="query")
@blp.response(200, IntegrityStaffListSchema)
def list_staff(args, **_url_values):
    """The staff register the caller sees, each with the state of their 执法证 (即将到期 within ``within_days``)."""
    caller = Caller.current()
    within = args.get("within_days") or expiring_days()
    staff = staff_service.list_staff(caller, args.get("unit_id"), args.get("certificate_state"), within)
    return listing([staff_out(caller, s, within) for s in staff])


@blp.route("/staff", methods=["POST"])
@require(*WRITERS)
@blp.arguments(IntegrityStaffSchema)
@blp.response(201, IntegrityStaffOutSchema)
def create_staff(data, **_url_values):
    """Register a person; an expired certificate becomes a ledger problem at once (and only once)."""
    caller = Caller.current()
    return staff_out(caller, staff_service.create_staff(caller, data))


@blp.route("/staff/export")
@require(*READERS)
@blp.arguments(IntegrityStaffQuerySchema, location="query")
def export_staff(args, **_url_values):
    """The register as Excel (人员名册.xlsx), filtered as the list is; it can be imported again."""
    caller = Caller.current()
    within = args.get("within_days") or expiring_days()
    staff = staff_service.list_staff(caller, args.get("unit_id"), args.get("certificate_state"), within)
    today = today_in_shanghai()
    return send_workbook(lambda out: staff_service.write_staff_workbook(caller, staff, out, today), "人员名册.xlsx")


@blp.route("/staff/import", methods=["POST"])
@require(*WRITERS)
@blp.arguments(IntegrityStaffImportFormSchema, location="form")
@blp.arguments(IntegrityStaffUploadSchema, location="files")
@blp.response(200, IntegrityStaffImportResultSchema)
def import_staff(form, files, **_url_values):
    """Import the register from .xlsx or .csv.

    Columns: 姓名, 单位 (name or code), 岗位, 执法证号, 发证日期, 有效期至, 状态 (在岗/调离/退休/暂扣证件).
    Any bad cell refuses the whole file with 422, each error named by row and column under ``errors.rows``, and
    nothing is written. A known 执法证号 updates that person. ``dry_run`` checks and counts only.
    """
    caller = Caller.current()
    upload = files["file"]
    return staff_service.import_staff(caller, upload.stream, upload.filename or "", form["dry_run"])


@blp.route("/staff/<int:integrity_staff_id>")
@require(*READERS)
@blp.response(200, IntegrityStaffOutSchema)
def get_staff(integrity_staff_id, **_url_values):
    """One person."""
    caller = Caller.current()
    return staff_out(caller, staff_service.get_staff(caller, integrity_staff_id))


@blp.route("/staff/<int:integrity_staff_id>", methods=["PATCH"])
@require(*WRITERS)
@blp.arguments(IntegrityStaffUpdateSchema)
@blp.response(200, IntegrityStaffOutSchema)
def update_staff(changes, integrity_staff_id, **_url_values):
    """Change a person (a renewed certificate, a transfer); the certificate is checked again."""
    caller = Caller.current()
    staff = staff_service.get_staff(caller, integrity_staff_id)
    changes = {k: v for k, v in changes.items() if v is not None or k in ("certificate_no", "issued_on", "expires_on")}
    return staff_out(caller, staff_service.update_staff(caller, staff, changes))


# --- 廉政风险点 ------------------------------------------------------------------------------------------------


def _risk_exists(ident: int) -> bool:
    try:
        risks.get_risk(Caller.current(), ident)
    except NotFound:
        return False
    return True


object_loader("integrity_risk_point_id")(_risk_exists)


class IntegrityRiskPointSchema(Schema):
    """A risk point as recorded (廉政风险点): unit, post, risk, level, controls, who answers for it, next review."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    unit_id = fields.Integer(required=True, strict=True, metadata={"label": "单位"})
    post = _text(100, "岗位", required=True)
    description = _text(2000, "风险描述", required=True)
    level = fields.Str(
        required=True,
        validate=validate.OneOf(list(RISK_LEVELS), error="应为以下之一：high（高）、medium（中）、low（低）"),
        metadata={"label": "风险等级", "choices": list(RISK_LEVELS)},
    )
    measures = _text(4000, "防控措施", required=True)
    responsible = _text(50, "责任人", load_default="")
    responsible_staff_id = fields.Integer(strict=True, allow_none=True, load_default=None,
                                          metadata={"label": "责任人（人员名册）"})  # fmt: skip
    review_due = fields.Date(allow_none=True, load_default=None, metadata={"label": "复核日期"})


class IntegrityRiskPointUpdateSchema(IntegrityRiskPointSchema):
    class Meta:
        unknown = RAISE

    def __init__(self, **kwargs):
        # Any subset of the fields: a change names only what changes (None is a value only for the staff link).
        super().__init__(partial=True, **kwargs)
        for field in self.fields.values():
            field.load_default = None


class IntegrityRiskPointRetireSchema(Schema):
    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    reason = _text(200, "撤销原因", required=True)


class IntegrityRiskPointQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    unit_id = fields.Integer(metadata={"label": "单位"})
    level = fields.Str(validate=validate.OneOf(list(RISK_LEVELS), error="应为以下之一：" + "、".join(RISK_LEVELS)),
                       metadata={"label": "风险等级"})  # fmt: skip
    review_state = fields.Str(
        validate=validate.OneOf(list(REVIEW_STATES), error="应为以下之一：" + "、".join(REVIEW_STATES)),
        metadata={"label": "复核状态"},
    )
    status = fields.Str(
        load_default="current",
        validate=validate.OneOf([*RISK_STATUSES, "all"], error="应为以下之一：current、retired、all"),
        metadata={"label": "状态"},
    )
    q = fields.Str(validate=validate.Length(max=50, error="不能超过{max}个字符"), metadata={"label": "关键词"})


class IntegrityRiskPointOutSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.Str()
    post = fields.Str()
    description = fields.Str()
    level = fields.Str()
    level_name = fields.Str()
    measures = fields.Str()
    responsible = fields.Str()
    responsible_staff_id = fields.Integer(allow_none=True)
    review_due = fields.Date()
    review_state = fields.Str()
    review_state_name = fields.Str()
    review_days_left = fields.Integer()
    status = fields.Str()
    status_name = fields.Str()
    retired_reason = fields.Str()
    created_by = fields.Str()
    created_at = fields.DateTime()
    updated_by = fields.Str()
    updated_at = fields.DateTime()


class IntegrityRiskPointListSchema(Schema):
    items = fields.List(fields.Nested(IntegrityRiskPointOutSchema))


def risk_out(caller: Caller, risk: RiskPoint, today=None) -> dict[str, Any]:
    state, days = risks.review_state(risk, today or today_in_shanghai())
    unit = caller.unit(risk.unit_id)
    return {
        "id": risk.id,
        "unit_id": risk.unit_id,
        "unit_name": unit.name if unit else "",
        "post": risk.post,
        "description": risk.description,
        "level": risk.level,
        "level_name": RISK_LEVELS[risk.level],
        "measures": risk.measures,
        "responsible": risk.responsible,
        "responsible_staff_id": risk.responsible_staff_id,
        "review_due": risk.review_due,
        "review_state": state,
        "review_state_name": REVIEW_STATES[state],
        "review_days_left": days,
        "status": risk.status,
        "status_name": RISK_STATUSES[risk.status],
        "retired_reason": risk.retired_reason,
        "created_by": risk.created_by,
        "created_at": risk.created_at,
        "updated_by": risk.updated_by,
        "updated_at": risk.updated_at,
    }


@blp.route("/risk-points")
@require(*READERS)
@blp.arguments(IntegrityRiskPointQuerySchema, location="query")
@blp.response(200, IntegrityRiskPointListSchema)
def list_risk_points(args, **_url_values):
    """廉政风险点 the caller sees (current ones unless ``status`` says otherwise), each with its review state."""
    caller = Caller.current()
    today = today_in_shanghai()
    return {"items": [risk_out(caller, r, today) for r in risks.list_risks(caller, args, today)]}


@blp.route("/risk-points", methods=["POST"])
@require(*risks.WRITERS)
@blp.arguments(IntegrityRiskPointSchema)
@blp.response(201, IntegrityRiskPointOutSchema)
def create_risk_point(data, **_url_values):
    """Record a risk point of a post; 复核日期 defaults to a year from today."""
    caller = Caller.current()
    return risk_out(caller, risks.create_risk(caller, data))


@blp.route("/risk-points/export")
@require(*READERS)
@blp.arguments(IntegrityRiskPointQuerySchema, location="query")
def export_risk_points(args, **_url_values):
    """The points as Excel (廉政风险点.xlsx), filtered as the list is; it can be imported again."""
    caller = Caller.current()
    today = today_in_shanghai()
    found = risks.list_risks(caller, args, today)
    return send_workbook(lambda out: risks.write_risk_workbook(caller, found, out, today), "廉政风险点.xlsx")


@blp.route("/risk-points/import", methods=["POST"])
@require(*risks.WRITERS)
@blp.arguments(IntegrityStaffImportFormSchema, location="form")
@blp.arguments(IntegrityStaffUploadSchema, location="files")
@blp.response(200, IntegrityStaffImportResultSchema)
def import_risk_points(form, files, **_url_values):
    """Import risk points from .xlsx or .csv.

    Columns: 单位 (name or code), 岗位, 风险描述, 风险等级 (高/中/低), 防控措施, 责任人, 复核日期. Any bad cell
    refuses the whole file with 422, each error named by row and column under ``errors.rows``, and nothing is
    written. A row whose unit, post and 风险描述 are recorded already updates that point. ``dry_run`` only checks.
    """
    caller = Caller.current()
    upload = files["file"]
    return risks.import_risks(caller, upload.stream, upload.filename or "", form["dry_run"])


@blp.route("/risk-points/<int:integrity_risk_point_id>")
@require(*READERS)
@blp.response(200, IntegrityRiskPointOutSchema)
def get_risk_point(integrity_risk_point_id, **_url_values):
    """One risk point."""
    caller = Caller.current()
    return risk_out(caller, risks.get_risk(caller, integrity_risk_point_id))


@blp.route("/risk-points/<int:integrity_risk_point_id>", methods=["PATCH"])
@require(*risks.WRITERS)
@blp.arguments(IntegrityRiskPointUpdateSchema)
@blp.response(200, IntegrityRiskPointOutSchema)
def update_risk_point(changes, integrity_risk_point_id, **_url_values):
    """Change a point: a review (a new 复核日期), revised measures, another 责任人; a retired point answers 409."""
    caller = Caller.current()
    risk = risks.get_risk(caller, integrity_risk_point_id)
    changes = {k: v for k, v in changes.items() if v is not None or k == "responsible_staff_id"}
    if "responsible_staff_id" in changes and changes["responsible_staff_id"] is None and "responsible" not in changes:
        changes.pop("responsible_staff_id")  # a bare null is the schema's default, not a request to unlink
    return risk_out(caller, risks.update_risk(caller, risk, changes))


@blp.route("/risk-points/<int:integrity_risk_point_id>", methods=["DELETE"])
@require(*risks.WRITERS)
@blp.arguments(IntegrityRiskPointRetireSchema)
@blp.response(200, IntegrityRiskPointOutSchema)
def retire_risk_point(data, integrity_risk_point_id, **_url_values):
    """Retire (撤销) a point with a reason: it stays on record, no longer listed by default nor reminded of."""
    caller = Caller.current()
    risk = risks.get_risk(caller, integrity_risk_point_id)
    return risk_out(caller, risks.retire_risk(caller, risk, data["reason"]))


# 教育培训与警示教育, 党风廉政建设责任书 (issue 15, items 2 and 4): their routes on this blueprint
# 问题线索 and 干预执法记录 live in their own module, on this blueprint.
from plugins.integrity import conduct_api, training_api  # noqa: E402, F401
