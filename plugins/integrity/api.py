"""API of the integrity domain (队伍建设与廉政), mounted by the core under /api/v1/plugins/integrity/.

Views take ``**_url_values``: the core mounts the blueprint a second time under /api/v1/tenants/<tenant>/…
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from core.plugin_api import (
    ANY,
    SCHEMA_ERRORS,
    TEXT_ERRORS,
    Caller,
    NotFound,
    list_schema,
    listing,
    object_loader,
    require,
    send_workbook,
    today_in_shanghai,
)
from core.plugin_api import ApiBlueprint as Blueprint
from plugins.integrity import service as staff_service
from plugins.integrity.models import CERTIFICATE_STATES, STAFF_STATUSES, StaffMember

blp = Blueprint("integrity", __name__, description="队伍建设与廉政：人员名册与执法证件")
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
    return fields.Str(
        required=required,
        validate=validate.Length(min=1 if required else 0, max=max_length,
                                 error=f"{label}应为1到{{max}}个字符" if required else f"{label}不能超过{{max}}个字符"),
        error_messages=TEXT_ERRORS,
        metadata={"label": label},
        **kwargs,
    )  # fmt: skip


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
    within_days = fields.Integer(
        load_default=staff_service.EXPIRING_DAYS,
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


def staff_out(caller: Caller, staff: StaffMember, within_days: int = staff_service.EXPIRING_DAYS) -> dict[str, Any]:
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
    }


@blp.route("/staff")
@require(*READERS)
@blp.arguments(IntegrityStaffQuerySchema, location="query")
@blp.response(200, IntegrityStaffListSchema)
def list_staff(args, **_url_values):
    """The staff register the caller sees, each with the state of their 执法证 (即将到期 within ``within_days``)."""
    caller = Caller.current()
    staff = staff_service.list_staff(caller, args.get("unit_id"), args.get("certificate_state"), args["within_days"])
    return listing([staff_out(caller, s, args["within_days"]) for s in staff])


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
    staff = staff_service.list_staff(caller, args.get("unit_id"), args.get("certificate_state"), args["within_days"])
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
