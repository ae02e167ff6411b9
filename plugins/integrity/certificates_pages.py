"""The 执法证件 pages: 证件到期预警 (filters, Excel export, the tenant's warning window) and the 退休/调动 actions of a
person, on the integrity page blueprint of plugins.integrity.pages. They call the same services as the API."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request
from flask_babel import gettext as _

from core.plugin_api import (
    Caller,
    ServiceError,
    db,
    flash_refusal,
    may_record,
    parse_form_date,
    send_workbook,
    today_in_shanghai,
)
from plugins.integrity import certificates
from plugins.integrity import service as staff_service
from plugins.integrity.api import staff_out
from plugins.integrity.models import CERTIFICATE_STATES
from plugins.integrity.pages import CERTIFICATE_CLASSES, _int_arg, _prefix, _query_string, _visible_units, blp


def _due_filters() -> dict[str, Any]:
    state = request.args.get("state")
    return {"unit_id": _int_arg("unit_id"), "state": state if state in certificates.DUE_STATES else None}


def _manager() -> bool:
    return g.user.role in certificates.MANAGERS


@blp.tenant_page("/integrity/certificates", methods=["GET", "POST"])
def integrity_certificates():
    """证件到期预警: expiring and expired certificates of people in post; managers set the warning window here."""
    caller = Caller.current()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not _manager():
            abort(403)
        raw = request.form.get("expiring_days", "").strip()
        try:
            if not raw.isdigit():
                raise ServiceError(_("请填写天数"), {"expiring_days": [_("应为1到365之间的天数")]})
            certificates.update_setting(caller, int(raw))
            db.session.commit()
            flash(_("已将证件到期提前预警天数设为%(n)s天", n=int(raw)), "success")
            return redirect(f"{_prefix()}/integrity/certificates")
        except ServiceError as error:
            db.session.rollback()
            errors = error.fields or {"expiring_days": [error.message]}
    filters = _due_filters()
    within = certificates.expiring_days()
    found = certificates.due_certificates(caller, filters["unit_id"], filters["state"], within)
    return render_template(
        "integrity/certificates.html",
        staff=[staff_out(caller, s, within) for s in found],
        filters=filters,
        units=_visible_units(caller),
        states={k: CERTIFICATE_STATES[k] for k in certificates.DUE_STATES},
        state_classes=CERTIFICATE_CLASSES,
        within=within,
        default_within=certificates.DEFAULT_EXPIRING_DAYS,
        manager=_manager(),
        errors=errors,
        query=_query_string(),
        prefix=_prefix(),
    ), (422 if errors else 200)


@blp.tenant_page("/integrity/certificates/export.xlsx")
def integrity_certificates_export():
    """The list as filtered on the page, as Excel."""
    caller = Caller.current()
    filters = _due_filters()
    within = certificates.expiring_days()
    found = certificates.due_certificates(caller, filters["unit_id"], filters["state"], within)
    today = today_in_shanghai()
    return send_workbook(lambda out: certificates.write_due_workbook(caller, found, out, today, within),
                         "证件到期预警.xlsx")  # fmt: skip


@blp.tenant_page("/integrity/staff/<int:integrity_staff_id>/leave", *staff_service.WRITERS, methods=["POST"])
def integrity_staff_leave(integrity_staff_id):
    """退休, 调离 or 内部调动 of one person, from their page; a refusal is told there."""
    caller = Caller.current()
    staff = staff_service.get_staff(caller, integrity_staff_id)  # 404 outside the caller's view
    back = f"{_prefix()}/integrity/staff/{staff.id}"
    if not may_record(caller.user, staff.unit_id, caller.units):
        abort(403)
    action = request.form.get("action")
    reason = request.form.get("reason", "").strip()[:200]
    unit_raw = request.form.get("unit_id", "").strip()
    try:
        left_on = _left_on(request.form.get("left_on", ""))
        if action == "retire":
            certificates.retire_staff(caller, staff, left_on, reason)
            message = _("已登记退休")
        elif action == "transfer_out":
            certificates.transfer_staff(caller, staff, left_on, reason)
            message = _("已登记调离")
        elif action == "move" and unit_raw.isdigit():
            certificates.transfer_staff(caller, staff, left_on, reason, int(unit_raw))
            message = _("已调动到新单位")
        else:
            raise ServiceError(_("请选择调入单位"), {"unit_id": [_("必填")]})
        db.session.commit()
        flash(message, "success")
    except ServiceError as error:
        flash_refusal(error)
    return redirect(back)


def _left_on(raw: str):
    if not raw.strip():
        return None
    try:
        return parse_form_date(raw)
    except ValueError as exc:
        raise ServiceError(str(exc), {"left_on": [str(exc)]}) from None
