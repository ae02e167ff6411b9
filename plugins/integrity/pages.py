"""The integrity pages: 人员名册 and 廉政风险点, each with filters, a form, an edit page, import and Excel export.

Mounted by the core behind the per-unit check (404 where the domain is off). The forms go through the API's schemas,
so a page refuses what the API refuses with the same Chinese messages, and both call the same services.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError

from core.plugin_api import Caller, PageBlueprint, ServiceError, db, may_record, send_workbook, today_in_shanghai
from plugins.integrity import risks
from plugins.integrity import service as staff_service
from plugins.integrity.api import (
    IntegrityRiskPointSchema,
    IntegrityStaffSchema,
    risk_out,
    staff_out,
)
from plugins.integrity.certificates import expiring_days
from plugins.integrity.models import CERTIFICATE_STATES, REVIEW_STATES, RISK_LEVELS, STAFF_STATUSES

blp = PageBlueprint("integrity_pages", __name__, template_folder="templates")

CERTIFICATE_CLASSES = {"valid": "success", "expiring": "warning", "expired": "danger", "none": "secondary"}
REVIEW_CLASSES = {"ok": "success", "due_soon": "warning", "overdue": "danger"}
LEVEL_CLASSES = {"high": "danger", "medium": "warning", "low": "secondary"}
STAFF_FIELDS = ("name", "unit_id", "post", "certificate_no", "issued_on", "expires_on", "status")
RISK_FIELDS = ("unit_id", "post", "description", "level", "measures", "responsible", "responsible_staff_id",
               "review_due")  # fmt: skip


def _prefix() -> str:
    slug = g.get("tenant_slug")
    return f"/tenants/{slug}" if slug else ""


def _writer() -> bool:
    return g.user.role in staff_service.WRITERS


def _only_writers() -> None:
    if not _writer():
        abort(403)


def _form(names: tuple[str, ...], ints: tuple[str, ...] = ("unit_id", "responsible_staff_id")) -> dict[str, Any]:
    """The named fields of the posted form: blanks left out, whole numbers as numbers."""
    values: dict[str, Any] = {}
    for name in names:
        raw = request.form.get(name, "").strip()
        if raw == "":
            continue
        values[name] = int(raw) if name in ints and raw.isdigit() else raw
    return values


def _load(schema: Schema, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    try:
        return schema.load(values), {}
    except ValidationError as exc:
        return {}, {k: (v if isinstance(v, list) else [str(v)]) for k, v in exc.messages.items()}


def _refused(error: ServiceError) -> dict[str, list[str]]:
    db.session.rollback()
    return error.fields or {"_": [error.message]}


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() else None


def _visible_units(caller: Caller) -> list:
    on = staff_service.enabled_units(caller.units)
    return [u for u in caller.units if u.id in on]


def _query_string() -> str:
    return request.query_string.decode("utf-8", "replace")


# --- 人员名册 ---------------------------------------------------------------------------------------------------


def _staff_filters() -> dict[str, Any]:
    state = request.args.get("certificate_state")
    return {"unit_id": _int_arg("unit_id"), "certificate_state": state if state in CERTIFICATE_STATES else None}


@blp.tenant_page("/integrity/staff", methods=["GET", "POST"])
def integrity_staff():
    """The staff register with each certificate's state; writers register a person here."""
    caller = Caller.current()
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict()
    if request.method == "POST":
        _only_writers()
        data, errors = _load(IntegrityStaffSchema(), _form(STAFF_FIELDS))
        if not errors:
            try:
                staff = staff_service.create_staff(caller, data)
                db.session.commit()
                flash(_("已登记人员 %(name)s", name=staff.name), "success")
                return redirect(f"{_prefix()}/integrity/staff")
            except ServiceError as error:
                errors = _refused(error)
    filters = _staff_filters()
    within = expiring_days()
    staff = staff_service.list_staff(caller, filters["unit_id"], filters["certificate_state"], within)
    return render_template(
        "integrity/staff.html",
        staff=[staff_out(caller, s, within) for s in staff],
        filters=filters,
        units=_visible_units(caller),
        writable=risks.writable_units(caller) if _writer() else [],
        statuses=STAFF_STATUSES,
        states=CERTIFICATE_STATES,
        state_classes=CERTIFICATE_CLASSES,
        values=values,
        errors=errors,
        writer=_writer(),
        query=_query_string(),
        prefix=_prefix(),
    ), (422 if errors else 200)


@blp.tenant_page("/integrity/staff/export.xlsx")
def integrity_staff_export():
    """The register as filtered on the page, as Excel (importable again)."""
    caller = Caller.current()
    filters = _staff_filters()
    staff = staff_service.list_staff(caller, filters["unit_id"], filters["certificate_state"], expiring_days())
    today = today_in_shanghai()
    return send_workbook(lambda out: staff_service.write_staff_workbook(caller, staff, out, today), "人员名册.xlsx")


@blp.tenant_page("/integrity/staff/import", *staff_service.WRITERS, methods=["GET", "POST"])
def integrity_staff_import():
    """Import the register from .xlsx or .csv: every bad cell is listed before anything is written."""
    return _import_page("staff")


@blp.tenant_page("/integrity/staff/<int:integrity_staff_id>", methods=["GET", "POST"])
def integrity_staff_member(integrity_staff_id):
    """One person; writers change them here (a renewed certificate, a transfer)."""
    caller = Caller.current()
    staff = staff_service.get_staff(caller, integrity_staff_id)  # 404 outside the caller's view
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        _only_writers()
        values = _form(STAFF_FIELDS)
        data, errors = _load(IntegrityStaffSchema(), values)
        if not errors:
            # Cleared dates and number are changes too: the form always sends every field.
            data = {**data, **{k: data.get(k) for k in ("certificate_no", "issued_on", "expires_on")}}
            try:
                staff_service.update_staff(caller, staff, data)
                db.session.commit()
                flash(_("已保存"), "success")
                return redirect(f"{_prefix()}/integrity/staff/{staff.id}")
            except ServiceError as error:
                errors = _refused(error)
        shown = request.form.to_dict()
    else:
        shown = {k: ("" if v is None else str(v)) for k, v in staff_out(caller, staff).items()}
    return render_template(
        "integrity/staff_member.html",
        person=staff_out(caller, staff),
        values=shown,
        writable=risks.writable_units(caller) if _writer() else [],
        statuses=STAFF_STATUSES,
        state_classes=CERTIFICATE_CLASSES,
        errors=errors,
        writer=_writer() and may_record(caller.user, staff.unit_id, caller.units),
        prefix=_prefix(),
    ), (422 if errors else 200)


# --- 廉政风险点 ------------------------------------------------------------------------------------------------


def _risk_filters() -> dict[str, Any]:
    level = request.args.get("level")
    state = request.args.get("review_state")
    status = request.args.get("status") or "current"
    return {
        "unit_id": _int_arg("unit_id"),
        "level": level if level in RISK_LEVELS else None,
        "review_state": state if state in REVIEW_STATES else None,
        "status": status if status in ("current", "retired", "all") else "current",
        "q": (request.args.get("q") or "").strip()[:50] or None,
    }


def _staff_choices(caller: Caller) -> list:
    return staff_service.list_staff(caller) if _writer() else []


@blp.tenant_page("/integrity/risk-points", methods=["GET", "POST"])
def integrity_risk_points():
    """廉政风险点 by unit and post with their review state; writers record a point here."""
    caller = Caller.current()
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict()
    if request.method == "POST":
        _only_writers()
        data, errors = _load(IntegrityRiskPointSchema(), _form(RISK_FIELDS))
        if not errors:
            try:
                risk = risks.create_risk(caller, data)
                db.session.commit()
                flash(_("已登记风险点：%(post)s", post=risk.post), "success")
                return redirect(f"{_prefix()}/integrity/risk-points")
            except ServiceError as error:
                errors = _refused(error)
    filters = _risk_filters()
    today = today_in_shanghai()
    found = [risk_out(caller, r, today) for r in risks.list_risks(caller, filters, today)]
    units = _visible_units(caller)
    covered = {r["unit_id"] for r in found if r["status"] == "current"} if not any(
        filters[k] for k in ("level", "review_state", "q")) else None  # fmt: skip
    return render_template(
        "integrity/risk_points.html",
        risks=found,
        filters=filters,
        units=units,
        uncovered=[u for u in units if covered is not None and u.id not in covered and not filters["unit_id"]]
        if filters["status"] == "current"
        else [],
        writable=risks.writable_units(caller) if _writer() else [],
        staff=_staff_choices(caller),
        levels=RISK_LEVELS,
        review_states=REVIEW_STATES,
        level_classes=LEVEL_CLASSES,
        review_classes=REVIEW_CLASSES,
        window=risks.REVIEW_WINDOW_DAYS,
        values=values,
        errors=errors,
        writer=_writer(),
        query=_query_string(),
        prefix=_prefix(),
    ), (422 if errors else 200)


@blp.tenant_page("/integrity/risk-points/export.xlsx")
def integrity_risk_points_export():
    """The points as filtered on the page, as Excel (importable again)."""
    caller = Caller.current()
    today = today_in_shanghai()
    found = risks.list_risks(caller, _risk_filters(), today)
    return send_workbook(lambda out: risks.write_risk_workbook(caller, found, out, today), "廉政风险点.xlsx")


@blp.tenant_page("/integrity/risk-points/import", *risks.WRITERS, methods=["GET", "POST"])
def integrity_risk_points_import():
    """Import risk points from .xlsx or .csv: every bad cell is listed before anything is written."""
    return _import_page("risks")


@blp.tenant_page("/integrity/risk-points/<int:integrity_risk_point_id>", methods=["GET", "POST"])
def integrity_risk_point(integrity_risk_point_id):
    """One risk point; writers change it (a review, revised measures) or retire it with a reason."""
    caller = Caller.current()
    risk = risks.get_risk(caller, integrity_risk_point_id)  # 404 outside the caller's view
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        _only_writers()
        try:
            if request.form.get("action") == "retire":
                risks.retire_risk(caller, risk, request.form.get("reason", ""))
                db.session.commit()
                flash(_("已撤销该风险点"), "success")
                return redirect(f"{_prefix()}/integrity/risk-points/{risk.id}")
            values = _form(RISK_FIELDS)
            data, errors = _load(IntegrityRiskPointSchema(), values)
            if not errors:
                data.setdefault("responsible_staff_id", None)
                risks.update_risk(caller, risk, data)
                db.session.commit()
                flash(_("已保存"), "success")
                return redirect(f"{_prefix()}/integrity/risk-points/{risk.id}")
        except ServiceError as error:
            errors = _refused(error)
        shown = request.form.to_dict()
    else:
        shown = {k: ("" if v is None else str(v)) for k, v in risk_out(caller, risk).items()}
    return render_template(
        "integrity/risk_point.html",
        risk=risk_out(caller, risk),
        values=shown,
        writable=risks.writable_units(caller) if _writer() else [],
        staff=_staff_choices(caller),
        levels=RISK_LEVELS,
        level_classes=LEVEL_CLASSES,
        review_classes=REVIEW_CLASSES,
        errors=errors,
        writer=_writer() and risk.status == "current" and may_record(caller.user, risk.unit_id, caller.units),
        prefix=_prefix(),
    ), (422 if errors else 200)


# --- import (both registers) --------------------------------------------------------------------------------


def _import_page(which: str):
    caller = Caller.current()
    result, errors = None, None
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise ServiceError(_("请选择要导入的文件"), {"file": [_("必填")]})
            dry_run = request.form.get("dry_run") == "1"
            run = staff_service.import_staff if which == "staff" else risks.import_risks
            result = run(caller, upload.stream, upload.filename, dry_run)
            if not result["dry_run"]:
                db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            rows = error.payload().get("errors", {}).get("rows", [])
            errors = {"message": error.message, "rows": rows, "fields": error.fields}
    if which == "staff":
        columns = [(header, required) for _key, header, required in staff_service.COLUMNS]
        title, back = _("导入人员名册"), "/integrity/staff"
        key = _("以执法证号为键：已登记的执法证号更新该人员，无证号的行每次都新增。")
    else:
        columns = [(header, required) for _key, header, required, _limit in risks.COLUMNS]
        title, back = _("导入廉政风险点"), "/integrity/risk-points"
        key = _("以单位、岗位和风险描述为键：再次导入同一文件不会产生任何变化。")
    return render_template(
        "integrity/import.html",
        title=title,
        back=back,
        key_note=key,
        active=which,
        columns=columns,
        result=result,
        errors=errors,
        prefix=_prefix(),
    ), (422 if errors else 200)


# 教育培训 and 责任书 (issue 15, items 2 and 4): their pages on this blueprint
# 问题线索 and 干预执法记录 have their own module, on this blueprint.
from plugins.integrity import conduct_pages, training_pages  # noqa: E402, F401
