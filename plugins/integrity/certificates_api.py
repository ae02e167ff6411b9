"""API of 执法证件 (证件到期预警, the tenant's warning window, retiring and transferring a person), on the integrity
blueprint of plugins.integrity.api, so under /api/v1/plugins/integrity/ (and /api/v1/tenants/<tenant>/… for the city).
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from core.plugin_api import (
    ANY,
    NUMBER_ERRORS,
    SCHEMA_ERRORS,
    TEXT_ERRORS,
    Caller,
    require,
    send_workbook,
    today_in_shanghai,
)
from plugins.integrity import certificates
from plugins.integrity import service as staff_service
from plugins.integrity.api import IntegrityStaffOutSchema, blp, staff_out


class IntegritySettingSchema(Schema):
    """The tenant's settings of the domain: 证件到期提前预警天数."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    expiring_days = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=certificates.MIN_EXPIRING_DAYS, max=certificates.MAX_EXPIRING_DAYS,
                                error="应为{min}到{max}之间的天数"),
        error_messages=NUMBER_ERRORS,
        metadata={"label": "证件到期提前预警天数"},
    )  # fmt: skip


class IntegritySettingOutSchema(Schema):
    expiring_days = fields.Integer()
    default_expiring_days = fields.Integer()
    updated_by = fields.Str(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)


class IntegrityDueQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    unit_id = fields.Integer(metadata={"label": "单位"})
    state = fields.Str(
        validate=validate.OneOf(
            list(certificates.DUE_STATES), error="应为以下之一：expiring（即将到期）、expired（已过期）"
        ),
        metadata={"label": "证件状态"},
    )
    within_days = fields.Integer(
        validate=validate.Range(min=1, max=3650, error="应为1到3650之间的天数"),
        metadata={"label": "提前预警天数"},
    )


class IntegrityDueListSchema(Schema):
    #: the window used: the request's ``within_days`` or the tenant's setting
    within_days = fields.Integer()
    items = fields.List(fields.Nested(IntegrityStaffOutSchema))


def _reason(label: str) -> fields.Str:
    return fields.Str(load_default="", validate=validate.Length(max=200, error=f"{label}不能超过{{max}}个字符"),
                      error_messages=TEXT_ERRORS, metadata={"label": label})  # fmt: skip


class IntegrityRetireSchema(Schema):
    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    left_on = fields.Date(allow_none=True, load_default=None, metadata={"label": "离岗日期"})
    reason = _reason("说明")


class IntegrityTransferSchema(IntegrityRetireSchema):
    class Meta:
        unknown = RAISE

    #: the unit of the tenant the person moves to; none: 调离 out of the bureau
    unit_id = fields.Integer(strict=True, allow_none=True, load_default=None, metadata={"label": "调入单位"})


@blp.route("/settings")
@require(*ANY)
@blp.response(200, IntegritySettingOutSchema)
def get_settings(**_url_values):
    """The tenant's 证件到期提前预警天数 (60 until a tenant admin sets another)."""
    return certificates.setting_out()


@blp.route("/settings", methods=["PUT"])
@require(*certificates.MANAGERS)
@blp.arguments(IntegritySettingSchema)
@blp.response(200, IntegritySettingOutSchema)
def put_settings(data, **_url_values):
    """Set how many days ahead (1–365) a certificate counts as 即将到期; audited with the value before and after."""
    certificates.update_setting(Caller.current(), data["expiring_days"])
    return certificates.setting_out()


@blp.route("/certificates")
@require(*ANY)
@blp.arguments(IntegrityDueQuerySchema, location="query")
@blp.response(200, IntegrityDueListSchema)
def list_due_certificates(args, **_url_values):
    """证件到期预警: people in post whose 执法证 expires within the window or has expired, soonest first."""
    caller = Caller.current()
    within = args.get("within_days") or certificates.expiring_days()
    found = certificates.due_certificates(caller, args.get("unit_id"), args.get("state"), within)
    return {"within_days": within, "items": [staff_out(caller, s, within) for s in found]}


@blp.route("/certificates/export")
@require(*ANY)
@blp.arguments(IntegrityDueQuerySchema, location="query")
def export_due_certificates(args, **_url_values):
    """The same list as Excel (证件到期预警.xlsx)."""
    caller = Caller.current()
    within = args.get("within_days") or certificates.expiring_days()
    found = certificates.due_certificates(caller, args.get("unit_id"), args.get("state"), within)
    today = today_in_shanghai()
    return send_workbook(lambda out: certificates.write_due_workbook(caller, found, out, today, within),
                         "证件到期预警.xlsx")  # fmt: skip


@blp.route("/staff/<int:integrity_staff_id>/retire", methods=["POST"])
@require(*staff_service.WRITERS)
@blp.arguments(IntegrityRetireSchema)
@blp.response(200, IntegrityStaffOutSchema)
def retire_staff(data, integrity_staff_id, **_url_values):
    """退休: the person stays on the register, no longer in post, and their certificate is no longer checked."""
    caller = Caller.current()
    staff = staff_service.get_staff(caller, integrity_staff_id)
    return staff_out(caller, certificates.retire_staff(caller, staff, data["left_on"], data["reason"]))


@blp.route("/staff/<int:integrity_staff_id>/transfer", methods=["POST"])
@require(*staff_service.WRITERS)
@blp.arguments(IntegrityTransferSchema)
@blp.response(200, IntegrityStaffOutSchema)
def transfer_staff(data, integrity_staff_id, **_url_values):
    """调动 to another unit of the tenant (``unit_id``: still in post there), or 调离 out of the bureau (no unit)."""
    caller = Caller.current()
    staff = staff_service.get_staff(caller, integrity_staff_id)
    moved = certificates.transfer_staff(caller, staff, data["left_on"], data["reason"], data["unit_id"])
    return staff_out(caller, moved)
