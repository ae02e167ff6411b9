"""The pages 教育培训 (sessions, 学时统计, 未参加警示教育, import) and 责任书 (statements, 未签订单位), on the
integrity page blueprint. The forms go through the API's schemas and the same services as the API."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request
from flask_babel import gettext as _

from core.plugin_api import Caller, ServiceError, db, send_evidence, send_workbook, today_in_shanghai
from plugins.integrity import responsibility, training
from plugins.integrity.pages import _form, _int_arg, _load, _prefix, _query_string, _refused, blp
from plugins.integrity.training_api import (
    IntegrityStatementSchema,
    IntegrityStatementUpdateSchema,
    IntegrityTrainingSessionSchema,
    session_out,
    sessions_out,
    statement_out,
    statements_out,
)
from plugins.integrity.training_models import RESPONSIBILITY_KINDS, TRAINING_CATEGORIES

SESSION_FIELDS = ("unit_id", "topic", "category", "held_on", "hours", "organiser", "summary")
STATEMENT_FIELDS = ("unit_id", "year", "kind", "signer_staff_id", "signed_on")
CATEGORY_CLASSES = {"integrity": "primary", "warning": "danger", "business": "secondary", "case_reform": "warning"}


def _writer() -> bool:
    return g.user.role in training.WRITERS


def _only_writers() -> None:
    if not _writer():
        abort(403)


def _year() -> int:
    year = _int_arg("year")
    return year if year and 2000 <= year <= 2100 else today_in_shanghai().year


def _units(caller: Caller) -> list:
    seen = training.visible_units(caller)
    return [u for u in caller.units if u.id in seen]


def _staff_ids() -> list[int]:
    return [int(v) for v in request.form.getlist("staff_ids") if v.isdigit()]


def _register(caller: Caller) -> list:
    """The people a writer may pick as attendees or signers (the register the caller sees)."""
    return training.staff_of(caller) if _writer() else []


# --- 教育培训 -----------------------------------------------------------------------------------------------


def _session_filters() -> dict[str, Any]:
    category = request.args.get("category")
    return {
        "year": _year(),
        "unit_id": _int_arg("unit_id"),
        "category": category if category in TRAINING_CATEGORIES else None,
        "q": (request.args.get("q") or "").strip()[:50] or None,
    }


@blp.tenant_page("/integrity/training", methods=["GET", "POST"])
def integrity_training():
    """Sessions of the year with their attendees; writers record a session here."""
    caller = Caller.current()
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict()
    if request.method == "POST":
        _only_writers()
        data, errors = _load(IntegrityTrainingSessionSchema(), _form(SESSION_FIELDS) | {"staff_ids": _staff_ids()})
        if not errors:
            try:
                found = training.create_session(caller, data)
                db.session.commit()
                flash(_("已登记培训：%(topic)s", topic=found.topic), "success")
                return redirect(f"{_prefix()}/integrity/training/{found.id}")
            except ServiceError as error:
                errors = _refused(error)
    filters = _session_filters()
    return render_template(
        "integrity/training.html",
        sessions=sessions_out(caller, training.list_sessions(caller, filters)),
        filters=filters,
        units=_units(caller),
        writable=training.writable_units(caller) if _writer() else [],
        staff=_register(caller),
        chosen={int(v) for v in request.form.getlist("staff_ids") if v.isdigit()},
        categories=TRAINING_CATEGORIES,
        category_classes=CATEGORY_CLASSES,
        values=values,
        errors=errors,
        writer=_writer(),
        query=_query_string(),
        prefix=_prefix(),
    ), (422 if errors else 200)


@blp.tenant_page("/integrity/training/export.xlsx")
def integrity_training_export():
    """The sessions as filtered on the page, as Excel (importable again)."""
    caller = Caller.current()
    found = training.list_sessions(caller, _session_filters())
    return send_workbook(lambda out: training.write_sessions_workbook(caller, found, out), "培训记录.xlsx")


@blp.tenant_page("/integrity/training/import", *training.WRITERS, methods=["GET", "POST"])
def integrity_training_import():
    """Import sessions from .xlsx or .csv: every bad cell is listed before anything is written."""
    caller = Caller.current()
    result, errors = None, None
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise ServiceError(_("请选择要导入的文件"), {"file": [_("必填")]})
            dry_run = request.form.get("dry_run") == "1"
            result = training.import_sessions(caller, upload.stream, upload.filename, dry_run)
            if not result["dry_run"]:
                db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            rows = error.payload().get("errors", {}).get("rows", [])
            errors = {"message": error.message, "rows": rows, "fields": error.fields}
    return render_template(
        "integrity/import.html",
        title=_("导入教育培训"),
        back="/integrity/training",
        key_note=_("以举办单位、培训日期和主题为键：再次导入同一文件不会产生任何变化。参训人员填姓名或执法证号，用顿号或逗号分隔；重名人员请填执法证号。"),
        active="training",
        columns=[(header, required) for _key, header, required, _limit in training.COLUMNS],
        result=result,
        errors=errors,
        prefix=_prefix(),
    ), (422 if errors else 200)


@blp.tenant_page("/integrity/training/hours")
def integrity_training_hours():
    """学时统计 of a year, per unit and per person."""
    caller = Caller.current()
    year, unit_id = _year(), _int_arg("unit_id")
    units = training.hours_by_unit(caller, year)
    return render_template(
        "integrity/training_hours.html",
        year=year,
        unit_id=unit_id,
        units=_units(caller),
        by_unit=[u for u in units if not unit_id or u["unit_id"] == unit_id],
        people=training.hours_by_person(caller, year, unit_id),
        categories=TRAINING_CATEGORIES,
        active="training",
        query=_query_string(),
        prefix=_prefix(),
    )


@blp.tenant_page("/integrity/training/hours.xlsx")
def integrity_training_hours_export():
    """学时统计 as on the page, as Excel."""
    caller = Caller.current()
    year, unit_id = _year(), _int_arg("unit_id")
    units = [u for u in training.hours_by_unit(caller, year) if not unit_id or u["unit_id"] == unit_id]
    people = training.hours_by_person(caller, year, unit_id)
    return send_workbook(lambda out: training.write_hours_workbook(units, people, year, out), f"{year}年学时统计.xlsx")


@blp.tenant_page("/integrity/training/gaps")
def integrity_training_gaps():
    """The people in post with no 警示教育 in the year."""
    caller = Caller.current()
    year, unit_id = _year(), _int_arg("unit_id")
    return render_template(
        "integrity/training_gaps.html",
        year=year,
        unit_id=unit_id,
        units=_units(caller),
        gaps=training.warning_gaps(caller, year, unit_id),
        active="training",
        query=_query_string(),
        prefix=_prefix(),
    )


@blp.tenant_page("/integrity/training/gaps.xlsx")
def integrity_training_gaps_export():
    """未参加警示教育人员 as on the page, as Excel."""
    caller = Caller.current()
    year = _year()
    gaps = training.warning_gaps(caller, year, _int_arg("unit_id"))
    return send_workbook(lambda out: training.write_gaps_workbook(gaps, year, out), f"{year}年未参加警示教育人员.xlsx")


@blp.tenant_page("/integrity/training/<int:integrity_training_session_id>", methods=["GET", "POST"])
def integrity_training_session(integrity_training_session_id):
    """One session: attendees and materials; writers of the holding unit change it, add files or delete it."""
    caller = Caller.current()
    found = training.get_session(caller, integrity_training_session_id)  # 404 outside the caller's view
    errors: dict[str, list[str]] = {}
    page = f"{_prefix()}/integrity/training/{found.id}"
    if request.method == "POST":
        _only_writers()
        action = request.form.get("action")
        try:
            if action == "delete":
                training.delete_session(caller, found, request.form.get("reason", ""))
                db.session.commit()
                flash(_("已删除该培训记录"), "success")
                return redirect(f"{_prefix()}/integrity/training")
            if action == "upload":
                upload = request.files.get("file")
                if upload is None or not upload.filename:
                    raise ServiceError(_("请选择要上传的文件"), {"file": [_("必填")]})
                training.add_material(caller, found, upload.stream, upload.filename)
                db.session.commit()
                flash(_("已上传材料"), "success")
                return redirect(page)
            data, errors = _load(IntegrityTrainingSessionSchema(), _form(SESSION_FIELDS) | {"staff_ids": _staff_ids()})
            if not errors:
                training.update_session(caller, found, data)
                db.session.commit()
                flash(_("已保存"), "success")
                return redirect(page)
        except ServiceError as error:
            errors = _refused(error)
            found = training.get_session(caller, integrity_training_session_id)
        shown = request.form.to_dict()
        chosen = set(_staff_ids())
    shown_out = session_out(caller, found)
    if request.method == "GET":
        shown = {k: ("" if v is None else str(v)) for k, v in shown_out.items()}
        chosen = {p["id"] for p in shown_out["attendees"]}
    return render_template(
        "integrity/training_session.html",
        session=shown_out,
        values=shown,
        chosen=chosen,
        writable=training.writable_units(caller) if _writer() else [],
        staff=_register(caller),
        categories=TRAINING_CATEGORIES,
        category_classes=CATEGORY_CLASSES,
        errors=errors,
        writer=training.may_change(caller, found),
        active="training",
        prefix=_prefix(),
    ), (422 if errors else 200)


@blp.tenant_page("/integrity/training/<int:integrity_training_session_id>/materials/<int:integrity_material_id>")
def integrity_training_material(integrity_training_session_id, integrity_material_id):
    """Download a material of the session (always as an attachment)."""
    caller = Caller.current()
    row = training.get_material(training.get_session(caller, integrity_training_session_id), integrity_material_id)
    return send_evidence(row.sha256, row.content_type, row.filename)


# --- 责任书 -------------------------------------------------------------------------------------------------


@blp.tenant_page("/integrity/responsibility", methods=["GET", "POST"])
def integrity_responsibility():
    """The statements of a year and the units that lack one; writers record a statement here."""
    caller = Caller.current()
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict()
    year = _year()
    if request.method == "POST":
        _only_writers()
        posted = _form(STATEMENT_FIELDS, ("unit_id", "signer_staff_id", "year"))
        data, errors = _load(IntegrityStatementSchema(), posted)
        if not errors:
            try:
                found = responsibility.create_statement(caller, data)
                db.session.commit()
                flash(_("已登记责任书"), "success")
                return redirect(f"{_prefix()}/integrity/responsibility/{found.id}")
            except ServiceError as error:
                errors = _refused(error)
    unit_id = _int_arg("unit_id")
    statements = responsibility.list_statements(caller, {"year": year, "unit_id": unit_id})
    return render_template(
        "integrity/responsibility.html",
        year=year,
        unit_id=unit_id,
        statements=statements_out(caller, statements),
        unsigned=[r for r in responsibility.unsigned(caller, year) if not unit_id or r["unit_id"] == unit_id],
        units=_units(caller),
        writable=training.writable_units(caller) if _writer() else [],
        staff=[s for s in _register(caller) if s.status == "active"],
        kinds=RESPONSIBILITY_KINDS,
        values=values,
        errors=errors,
        writer=_writer(),
        active="responsibility",
        query=_query_string(),
        prefix=_prefix(),
    ), (422 if errors else 200)


@blp.tenant_page("/integrity/responsibility/export.xlsx")
def integrity_responsibility_export():
    """The statements of the year as Excel."""
    caller = Caller.current()
    found = responsibility.list_statements(caller, {"year": _year(), "unit_id": _int_arg("unit_id")})
    return send_workbook(lambda out: responsibility.write_statements_workbook(caller, found, out),
                         "党风廉政建设责任书.xlsx")  # fmt: skip


@blp.tenant_page("/integrity/responsibility/unsigned")
def integrity_responsibility_unsigned():
    """The units that lack either statement of the year."""
    caller = Caller.current()
    year = _year()
    return render_template(
        "integrity/responsibility_unsigned.html",
        year=year,
        unsigned=responsibility.unsigned(caller, year),
        active="responsibility",
        prefix=_prefix(),
    )


@blp.tenant_page("/integrity/responsibility/unsigned.xlsx")
def integrity_responsibility_unsigned_export():
    """未签订责任书单位 of the year as Excel."""
    caller = Caller.current()
    year = _year()
    rows = responsibility.unsigned(caller, year)
    return send_workbook(lambda out: responsibility.write_unsigned_workbook(rows, year, out),
                         f"{year}年度未签订责任书单位.xlsx")  # fmt: skip


@blp.tenant_page("/integrity/responsibility/<int:integrity_statement_id>", methods=["GET", "POST"])
def integrity_responsibility_statement(integrity_statement_id):
    """One statement; writers correct it, upload the signed copy or delete it."""
    caller = Caller.current()
    found = responsibility.get_statement(caller, integrity_statement_id)  # 404 outside the caller's view
    errors: dict[str, list[str]] = {}
    page = f"{_prefix()}/integrity/responsibility/{found.id}"
    if request.method == "POST":
        _only_writers()
        action = request.form.get("action")
        try:
            if action == "delete":
                year = found.year
                responsibility.delete_statement(caller, found, request.form.get("reason", ""))
                db.session.commit()
                flash(_("已删除该责任书"), "success")
                return redirect(f"{_prefix()}/integrity/responsibility?year={year}")
            if action == "upload":
                upload = request.files.get("file")
                if upload is None or not upload.filename:
                    raise ServiceError(_("请选择要上传的文件"), {"file": [_("必填")]})
                responsibility.attach_file(caller, found, upload.stream, upload.filename)
                db.session.commit()
                flash(_("已上传签字扫描件"), "success")
                return redirect(page)
            posted = _form(("signer_staff_id", "signed_on"), ("signer_staff_id",))
            data, errors = _load(IntegrityStatementUpdateSchema(), posted)
            if not errors:
                responsibility.update_statement(caller, found, data)
                db.session.commit()
                flash(_("已保存"), "success")
                return redirect(page)
        except ServiceError as error:
            errors = _refused(error)
            found = responsibility.get_statement(caller, integrity_statement_id)
        shown = request.form.to_dict()
    out = statement_out(caller, found)
    if request.method == "GET":
        shown = {k: ("" if v is None else str(v)) for k, v in out.items()}
    return render_template(
        "integrity/responsibility_statement.html",
        statement=out,
        values=shown,
        staff=[s for s in _register(caller) if s.status == "active" and s.unit_id == found.unit_id],
        errors=errors,
        writer=responsibility.may_change(caller, found),
        active="responsibility",
        prefix=_prefix(),
    ), (422 if errors else 200)


@blp.tenant_page("/integrity/responsibility/<int:integrity_statement_id>/file")
def integrity_responsibility_file(integrity_statement_id):
    """Download the signed copy (always as an attachment)."""
    caller = Caller.current()
    found = responsibility.get_statement(caller, integrity_statement_id)
    if not found.file_sha256:
        abort(404)
    return send_evidence(found.file_sha256, found.file_content_type, found.file_name)
