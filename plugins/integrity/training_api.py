"""API of 教育培训与警示教育 and 党风廉政建设责任书, on the integrity blueprint (/api/v1/plugins/integrity/).

Views take ``**_url_values``: the core mounts the blueprint a second time under /api/v1/tenants/<tenant>/…
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from core.plugin_api import (
    ANY,
    NUMBER_ERRORS,
    SCHEMA_ERRORS,
    Caller,
    NotFound,
    object_loader,
    require,
    scoped_get,
    send_evidence,
    send_workbook,
    today_in_shanghai,
)
from plugins.integrity import responsibility, training
from plugins.integrity.api import (
    IntegrityStaffImportFormSchema,
    IntegrityStaffImportResultSchema,
    IntegrityStaffUploadSchema,
    _text,
    blp,
)
from plugins.integrity.training_models import (
    RESPONSIBILITY_KINDS,
    TRAINING_CATEGORIES,
    ResponsibilityStatement,
    TrainingMaterial,
    TrainingSession,
)

READERS = ANY


def _exists(get):
    def check(ident: int) -> bool:
        try:
            get(Caller.current(), ident)
        except NotFound:
            return False
        return True

    return check


object_loader("integrity_training_session_id")(_exists(training.get_session))
object_loader("integrity_statement_id")(_exists(responsibility.get_statement))
object_loader("integrity_material_id")(lambda ident: scoped_get(TrainingMaterial, ident) is not None)


def _one_decimal(value: Decimal) -> None:
    if value != value.quantize(Decimal("0.1")):
        raise ValidationError(training.HOURS_ERROR)


def _year(strict: bool = False, **kwargs) -> fields.Integer:
    return fields.Integer(strict=strict, validate=validate.Range(min=2000, max=2100, error="年度应为2000到2100之间"),
                          metadata={"label": "年度"}, **kwargs)  # fmt: skip


def _one_of(choices: dict[str, str], label: str, **kwargs) -> fields.Str:
    error = "应为以下之一：" + "、".join(f"{code}（{name}）" for code, name in choices.items())
    return fields.Str(validate=validate.OneOf(list(choices), error=error),
                      metadata={"label": label, "choices": list(choices)}, **kwargs)  # fmt: skip


# --- 教育培训与警示教育 ------------------------------------------------------------------------------------------


class IntegrityTrainingSessionSchema(Schema):
    """A session as recorded: 举办单位, 主题, 类别, date, 课时, 组织者, attendees from the staff register."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    unit_id = fields.Integer(required=True, strict=True, metadata={"label": "举办单位"})
    topic = _text(200, "主题", required=True)
    category = _one_of(TRAINING_CATEGORIES, "类别", required=True)
    held_on = fields.Date(required=True, metadata={"label": "培训日期"})
    hours = fields.Decimal(
        required=True,
        error_messages=NUMBER_ERRORS,
        validate=[validate.Range(min=0, min_inclusive=False, max=24, error=training.HOURS_ERROR), _one_decimal],
        metadata={"label": "课时"},
    )
    organiser = _text(100, "组织者", load_default="")
    summary = _text(4000, "内容摘要", load_default="")
    staff_ids = fields.List(fields.Integer(strict=True), load_default=list,
                            metadata={"label": "参训人员（人员名册编号）"})  # fmt: skip


class IntegrityTrainingSessionUpdateSchema(IntegrityTrainingSessionSchema):
    class Meta:
        unknown = RAISE

    def __init__(self, **kwargs):
        # Any subset of the fields: a change names only what changes (staff_ids, when given, is the whole list).
        super().__init__(partial=True, **kwargs)
        for field in self.fields.values():
            field.load_default = None


class IntegrityReasonSchema(Schema):
    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    reason = _text(200, "删除原因", required=True)


class IntegrityTrainingQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    year = _year()
    unit_id = fields.Integer(metadata={"label": "单位"})
    category = _one_of(TRAINING_CATEGORIES, "类别")
    staff_id = fields.Integer(metadata={"label": "参训人员"})
    q = fields.Str(validate=validate.Length(max=50, error="不能超过{max}个字符"), metadata={"label": "关键词"})


class IntegrityAttendeeSchema(Schema):
    id = fields.Integer()
    name = fields.Str()
    unit_id = fields.Integer()
    unit_name = fields.Str()
    post = fields.Str()
    certificate_no = fields.Str(allow_none=True)


class IntegrityMaterialSchema(Schema):
    id = fields.Integer()
    filename = fields.Str()
    size = fields.Integer()
    content_type = fields.Str()
    uploaded_by = fields.Str()
    created_at = fields.DateTime()


class IntegrityTrainingSessionOutSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.Str()
    topic = fields.Str()
    category = fields.Str()
    category_name = fields.Str()
    held_on = fields.Date()
    hours = fields.Float()
    organiser = fields.Str()
    summary = fields.Str()
    attendee_count = fields.Integer()
    attendees = fields.List(fields.Nested(IntegrityAttendeeSchema))
    materials = fields.List(fields.Nested(IntegrityMaterialSchema))
    created_by = fields.Str()
    created_at = fields.DateTime()
    updated_by = fields.Str()
    updated_at = fields.DateTime()


class IntegrityTrainingSessionListSchema(Schema):
    items = fields.List(fields.Nested(IntegrityTrainingSessionOutSchema))


def attendee_out(caller: Caller, s) -> dict[str, Any]:
    unit = caller.unit(s.unit_id)
    return {"id": s.id, "name": s.name, "unit_id": s.unit_id, "unit_name": unit.name if unit else "",
            "post": s.post, "certificate_no": s.certificate_no}  # fmt: skip


def material_out(m: TrainingMaterial) -> dict[str, Any]:
    return {"id": m.id, "filename": m.filename, "size": m.size, "content_type": m.content_type,
            "uploaded_by": m.uploaded_by, "created_at": m.created_at}  # fmt: skip


def session_out(caller: Caller, s: TrainingSession, attendees=None, materials=None) -> dict[str, Any]:
    unit = caller.unit(s.unit_id)
    present = training.attendees_of([s.id]).get(s.id, []) if attendees is None else attendees
    files = training.materials_of(s) if materials is None else materials
    return {
        "id": s.id, "unit_id": s.unit_id, "unit_name": unit.name if unit else "", "topic": s.topic,
        "category": s.category, "category_name": TRAINING_CATEGORIES[s.category], "held_on": s.held_on,
        "hours": float(s.hours), "organiser": s.organiser, "summary": s.summary, "attendee_count": len(present),
        "attendees": [attendee_out(caller, p) for p in present], "materials": [material_out(m) for m in files],
        "created_by": s.created_by, "created_at": s.created_at, "updated_by": s.updated_by,
        "updated_at": s.updated_at,
    }  # fmt: skip


def sessions_out(caller: Caller, sessions: list[TrainingSession]) -> list[dict[str, Any]]:
    people = training.attendees_of([s.id for s in sessions])
    return [session_out(caller, s, people.get(s.id, []), []) for s in sessions]


@blp.route("/training-sessions")
@require(*READERS)
@blp.arguments(IntegrityTrainingQuerySchema, location="query")
@blp.response(200, IntegrityTrainingSessionListSchema)
def list_training_sessions(args, **_url_values):
    """Sessions the caller sees (held by its units or attended by their people), newest first, with attendees."""
    caller = Caller.current()
    return {"items": sessions_out(caller, training.list_sessions(caller, args))}


@blp.route("/training-sessions", methods=["POST"])
@require(*training.WRITERS)
@blp.arguments(IntegrityTrainingSessionSchema)
@blp.response(201, IntegrityTrainingSessionOutSchema)
def create_training_session(data, **_url_values):
    """Record a session; attendees are people of the staff register (``staff_ids``); 组织者 defaults to the unit."""
    caller = Caller.current()
    return session_out(caller, training.create_session(caller, data))


@blp.route("/training-sessions/export")
@require(*READERS)
@blp.arguments(IntegrityTrainingQuerySchema, location="query")
def export_training_sessions(args, **_url_values):
    """The sessions as Excel (培训记录.xlsx), filtered as the list is; it can be imported again."""
    caller = Caller.current()
    found = training.list_sessions(caller, args)
    return send_workbook(lambda out: training.write_sessions_workbook(caller, found, out), "培训记录.xlsx")


@blp.route("/training-sessions/import", methods=["POST"])
@require(*training.WRITERS)
@blp.arguments(IntegrityStaffImportFormSchema, location="form")
@blp.arguments(IntegrityStaffUploadSchema, location="files")
@blp.response(200, IntegrityStaffImportResultSchema)
def import_training_sessions(form, files, **_url_values):
    """Import sessions from .xlsx or .csv.

    Columns: 举办单位 (name or code), 主题, 类别 (廉政教育/警示教育/业务培训/以案促改), 培训日期, 课时, 组织者, 参训人员
    (姓名 or 执法证号, separated by 、 or commas), 内容摘要. Any bad cell refuses the whole file with 422, each error
    named by row and column under ``errors.rows``, and nothing is written. A row whose unit, date and 主题 are
    recorded already updates that session. ``dry_run`` only checks.
    """
    caller = Caller.current()
    upload = files["file"]
    return training.import_sessions(caller, upload.stream, upload.filename or "", form["dry_run"])


@blp.route("/training-sessions/<int:integrity_training_session_id>")
@require(*READERS)
@blp.response(200, IntegrityTrainingSessionOutSchema)
def get_training_session(integrity_training_session_id, **_url_values):
    """One session with its attendees and materials."""
    caller = Caller.current()
    return session_out(caller, training.get_session(caller, integrity_training_session_id))


@blp.route("/training-sessions/<int:integrity_training_session_id>", methods=["PATCH"])
@require(*training.WRITERS)
@blp.arguments(IntegrityTrainingSessionUpdateSchema)
@blp.response(200, IntegrityTrainingSessionOutSchema)
def update_training_session(changes, integrity_training_session_id, **_url_values):
    """Change a session; ``staff_ids``, when given, is the whole list of attendees."""
    caller = Caller.current()
    found = training.get_session(caller, integrity_training_session_id)
    changes = {k: v for k, v in changes.items() if v is not None}
    return session_out(caller, training.update_session(caller, found, changes))


@blp.route("/training-sessions/<int:integrity_training_session_id>", methods=["DELETE"])
@require(*training.WRITERS)
@blp.arguments(IntegrityReasonSchema)
@blp.response(204)
def delete_training_session(data, integrity_training_session_id, **_url_values):
    """Delete a session recorded by mistake, with a reason (kept in the audit chain)."""
    caller = Caller.current()
    training.delete_session(caller, training.get_session(caller, integrity_training_session_id), data["reason"])


@blp.route("/training-sessions/<int:integrity_training_session_id>/materials", methods=["POST"])
@require(*training.WRITERS)
@blp.arguments(IntegrityStaffUploadSchema, location="files")
@blp.response(201, IntegrityMaterialSchema)
def add_training_material(files, integrity_training_session_id, **_url_values):
    """Upload a file of the session (课件、签到表、照片: images, PDF, Office, OFD), its type checked by content."""
    caller = Caller.current()
    found = training.get_session(caller, integrity_training_session_id)
    upload = files["file"]
    return material_out(training.add_material(caller, found, upload.stream, upload.filename or ""))


@blp.route("/training-sessions/<int:integrity_training_session_id>/materials/<int:integrity_material_id>")
@require(*READERS)
@blp.response(200)
def download_training_material(integrity_training_session_id, integrity_material_id, **_url_values):
    """Download a material: always as an attachment, never rendered inline."""
    caller = Caller.current()
    row = training.get_material(training.get_session(caller, integrity_training_session_id), integrity_material_id)
    return send_evidence(row.sha256, row.content_type, row.filename)


class IntegrityYearQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    year = _year()
    unit_id = fields.Integer(metadata={"label": "单位"})


class IntegrityUnitHoursSchema(Schema):
    unit_id = fields.Integer()
    unit_name = fields.Str()
    active_staff = fields.Integer()
    sessions_held = fields.Integer()
    sessions_attended = fields.Integer()
    attendances = fields.Integer()
    hours = fields.Float()
    hours_per_head = fields.Float(allow_none=True)
    warning_covered = fields.Integer()
    warning_coverage = fields.Float(allow_none=True)


class IntegrityPersonHoursSchema(Schema):
    staff_id = fields.Integer()
    name = fields.Str()
    unit_id = fields.Integer()
    unit_name = fields.Str()
    post = fields.Str()
    certificate_no = fields.Str(allow_none=True)
    status = fields.Str()
    status_name = fields.Str()
    sessions = fields.Integer()
    hours = fields.Float()
    by_category = fields.Dict(keys=fields.Str(), values=fields.Float())
    warning_sessions = fields.Integer()


class IntegrityTrainingHoursSchema(Schema):
    year = fields.Integer()
    units = fields.List(fields.Nested(IntegrityUnitHoursSchema))
    people = fields.List(fields.Nested(IntegrityPersonHoursSchema))


class IntegrityWarningGapsSchema(Schema):
    year = fields.Integer()
    items = fields.List(fields.Nested(IntegrityPersonHoursSchema))


def _floats(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: float(v) if isinstance(v, Decimal) else v for k, v in row.items()}
    if "by_category" in out:
        out["by_category"] = {k: float(v) for k, v in out["by_category"].items()}
    return out


def year_of(args: dict[str, Any]) -> int:
    return args.get("year") or today_in_shanghai().year


@blp.route("/training-hours")
@require(*READERS)
@blp.arguments(IntegrityYearQuerySchema, location="query")
@blp.response(200, IntegrityTrainingHoursSchema)
def training_hours(args, **_url_values):
    """学时统计 of a year (this year by default): per unit and per person, sessions and 课时 of the people seen."""
    caller = Caller.current()
    year = year_of(args)
    units = training.hours_by_unit(caller, year)
    if args.get("unit_id"):
        units = [u for u in units if u["unit_id"] == args["unit_id"]]
    people = training.hours_by_person(caller, year, args.get("unit_id"))
    return {"year": year, "units": [_floats(u) for u in units], "people": [_floats(p) for p in people]}


@blp.route("/training-hours/export")
@require(*READERS)
@blp.arguments(IntegrityYearQuerySchema, location="query")
def export_training_hours(args, **_url_values):
    """学时统计 as Excel: a sheet per unit and a sheet per person."""
    caller = Caller.current()
    year = year_of(args)
    units = training.hours_by_unit(caller, year)
    if args.get("unit_id"):
        units = [u for u in units if u["unit_id"] == args["unit_id"]]
    people = training.hours_by_person(caller, year, args.get("unit_id"))
    return send_workbook(lambda out: training.write_hours_workbook(units, people, year, out), f"{year}年学时统计.xlsx")


@blp.route("/training-gaps")
@require(*READERS)
@blp.arguments(IntegrityYearQuerySchema, location="query")
@blp.response(200, IntegrityWarningGapsSchema)
def warning_gaps(args, **_url_values):
    """The people in post who attended no 警示教育 session in the year (this year by default)."""
    caller = Caller.current()
    year = year_of(args)
    return {"year": year, "items": [_floats(r) for r in training.warning_gaps(caller, year, args.get("unit_id"))]}


@blp.route("/training-gaps/export")
@require(*READERS)
@blp.arguments(IntegrityYearQuerySchema, location="query")
def export_warning_gaps(args, **_url_values):
    """未参加警示教育人员 as Excel."""
    caller = Caller.current()
    year = year_of(args)
    gaps = training.warning_gaps(caller, year, args.get("unit_id"))
    return send_workbook(lambda out: training.write_gaps_workbook(gaps, year, out), f"{year}年未参加警示教育人员.xlsx")


# --- 党风廉政建设责任书 ------------------------------------------------------------------------------------------


class IntegrityStatementSchema(Schema):
    """A unit's statement of a year: 主体责任 (signed by its head) or 监督责任 (by its discipline officer)."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    unit_id = fields.Integer(required=True, strict=True, metadata={"label": "单位"})
    year = _year(strict=True, required=True)
    kind = _one_of(RESPONSIBILITY_KINDS, "类别", required=True)
    signer_staff_id = fields.Integer(required=True, strict=True, metadata={"label": "签订人（人员名册）"})
    signed_on = fields.Date(required=True, metadata={"label": "签订日期"})


class IntegrityStatementUpdateSchema(Schema):
    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    signer_staff_id = fields.Integer(strict=True, metadata={"label": "签订人（人员名册）"})
    signed_on = fields.Date(metadata={"label": "签订日期"})


class IntegrityStatementQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    year = _year()
    unit_id = fields.Integer(metadata={"label": "单位"})
    kind = _one_of(RESPONSIBILITY_KINDS, "类别")


class IntegrityStatementOutSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.Str()
    year = fields.Integer()
    kind = fields.Str()
    kind_name = fields.Str()
    signer_staff_id = fields.Integer()
    signer_name = fields.Str()
    signer_post = fields.Str()
    signed_on = fields.Date()
    has_file = fields.Boolean()
    file_name = fields.Str(allow_none=True)
    file_size = fields.Integer(allow_none=True)
    created_by = fields.Str()
    created_at = fields.DateTime()
    updated_by = fields.Str()
    updated_at = fields.DateTime()


class IntegrityStatementListSchema(Schema):
    items = fields.List(fields.Nested(IntegrityStatementOutSchema))


class IntegrityUnsignedSchema(Schema):
    unit_id = fields.Integer()
    unit_name = fields.Str()
    missing = fields.List(fields.Str())
    missing_names = fields.List(fields.Str())


class IntegrityUnsignedListSchema(Schema):
    year = fields.Integer()
    items = fields.List(fields.Nested(IntegrityUnsignedSchema))


def statement_out(caller: Caller, s: ResponsibilityStatement, people=None) -> dict[str, Any]:
    unit = caller.unit(s.unit_id)
    signer = (responsibility.signers([s]) if people is None else people).get(s.signer_staff_id)
    return {
        "id": s.id, "unit_id": s.unit_id, "unit_name": unit.name if unit else "", "year": s.year, "kind": s.kind,
        "kind_name": RESPONSIBILITY_KINDS[s.kind], "signer_staff_id": s.signer_staff_id,
        "signer_name": signer.name if signer else "", "signer_post": signer.post if signer else "",
        "signed_on": s.signed_on, "has_file": bool(s.file_sha256), "file_name": s.file_name,
        "file_size": s.file_size, "created_by": s.created_by, "created_at": s.created_at,
        "updated_by": s.updated_by, "updated_at": s.updated_at,
    }  # fmt: skip


def statements_out(caller: Caller, statements: list[ResponsibilityStatement]) -> list[dict[str, Any]]:
    people = responsibility.signers(statements)
    return [statement_out(caller, s, people) for s in statements]


@blp.route("/responsibility-statements")
@require(*READERS)
@blp.arguments(IntegrityStatementQuerySchema, location="query")
@blp.response(200, IntegrityStatementListSchema)
def list_statements(args, **_url_values):
    """党风廉政建设责任书 of the units the caller sees, newest year first, by unit and kind."""
    caller = Caller.current()
    return {"items": statements_out(caller, responsibility.list_statements(caller, args))}


@blp.route("/responsibility-statements", methods=["POST"])
@require(*responsibility.WRITERS)
@blp.arguments(IntegrityStatementSchema)
@blp.response(201, IntegrityStatementOutSchema)
def create_statement(data, **_url_values):
    """Record a unit's statement of a year and kind; the signer is a person in post of that unit (409 if recorded)."""
    caller = Caller.current()
    return statement_out(caller, responsibility.create_statement(caller, data))


@blp.route("/responsibility-statements/export")
@require(*READERS)
@blp.arguments(IntegrityStatementQuerySchema, location="query")
def export_statements(args, **_url_values):
    """The statements as Excel (党风廉政建设责任书.xlsx), filtered as the list is."""
    caller = Caller.current()
    found = responsibility.list_statements(caller, args)
    return send_workbook(lambda out: responsibility.write_statements_workbook(caller, found, out),
                         "党风廉政建设责任书.xlsx")  # fmt: skip


@blp.route("/responsibility-statements/<int:integrity_statement_id>")
@require(*READERS)
@blp.response(200, IntegrityStatementOutSchema)
def get_statement(integrity_statement_id, **_url_values):
    """One statement."""
    caller = Caller.current()
    return statement_out(caller, responsibility.get_statement(caller, integrity_statement_id))


@blp.route("/responsibility-statements/<int:integrity_statement_id>", methods=["PATCH"])
@require(*responsibility.WRITERS)
@blp.arguments(IntegrityStatementUpdateSchema)
@blp.response(200, IntegrityStatementOutSchema)
def update_statement(changes, integrity_statement_id, **_url_values):
    """Correct the signer or the signed date."""
    caller = Caller.current()
    found = responsibility.get_statement(caller, integrity_statement_id)
    return statement_out(caller, responsibility.update_statement(caller, found, changes))


@blp.route("/responsibility-statements/<int:integrity_statement_id>", methods=["DELETE"])
@require(*responsibility.WRITERS)
@blp.arguments(IntegrityReasonSchema)
@blp.response(204)
def delete_statement(data, integrity_statement_id, **_url_values):
    """Delete a statement recorded by mistake, with a reason (kept in the audit chain)."""
    caller = Caller.current()
    found = responsibility.get_statement(caller, integrity_statement_id)
    responsibility.delete_statement(caller, found, data["reason"])


@blp.route("/responsibility-statements/<int:integrity_statement_id>/file", methods=["POST"])
@require(*responsibility.WRITERS)
@blp.arguments(IntegrityStaffUploadSchema, location="files")
@blp.response(200, IntegrityStatementOutSchema)
def upload_statement_file(files, integrity_statement_id, **_url_values):
    """Upload the signed copy (PDF, image, Office, OFD), its type checked by content; it replaces an earlier one."""
    caller = Caller.current()
    found = responsibility.get_statement(caller, integrity_statement_id)
    upload = files["file"]
    return statement_out(caller, responsibility.attach_file(caller, found, upload.stream, upload.filename or ""))


@blp.route("/responsibility-statements/<int:integrity_statement_id>/file")
@require(*READERS)
@blp.response(200)
def download_statement_file(integrity_statement_id, **_url_values):
    """Download the signed copy: always as an attachment (404 before one is uploaded)."""
    caller = Caller.current()
    found = responsibility.get_statement(caller, integrity_statement_id)
    if not found.file_sha256:
        raise NotFound("尚未上传签字扫描件")
    return send_evidence(found.file_sha256, found.file_content_type, found.file_name)


@blp.route("/responsibility-gaps")
@require(*READERS)
@blp.arguments(IntegrityYearQuerySchema, location="query")
@blp.response(200, IntegrityUnsignedListSchema)
def unsigned_units(args, **_url_values):
    """The units that lack either statement of the year (this year by default), with what they lack."""
    caller = Caller.current()
    year = year_of(args)
    rows = responsibility.unsigned(caller, year)
    if args.get("unit_id"):
        rows = [r for r in rows if r["unit_id"] == args["unit_id"]]
    return {"year": year, "items": rows}


@blp.route("/responsibility-gaps/export")
@require(*READERS)
@blp.arguments(IntegrityYearQuerySchema, location="query")
def export_unsigned_units(args, **_url_values):
    """未签订责任书单位 as Excel."""
    caller = Caller.current()
    year = year_of(args)
    rows = responsibility.unsigned(caller, year)
    if args.get("unit_id"):
        rows = [r for r in rows if r["unit_id"] == args["unit_id"]]
    return send_workbook(lambda out: responsibility.write_unsigned_workbook(rows, year, out),
                         f"{year}年度未签订责任书单位.xlsx")  # fmt: skip
