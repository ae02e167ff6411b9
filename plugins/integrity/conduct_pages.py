"""Pages of 问题线索 (/integrity/leads: the tenant's reviewers and the city's supervisors only) and 干预执法记录
(/integrity/interference), on the integrity page blueprint. Forms go through the API's schemas and services.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, make_response, redirect, render_template, request
from flask_babel import gettext as _

from core.plugin_api import (
    LIGHTS,
    AccountabilityMeasure,
    Caller,
    Problem,
    ServiceError,
    db,
    parse_form_date,
    scoped_get,
    send_workbook,
    today_in_shanghai,
)
from plugins.integrity import interference, leads
from plugins.integrity.conduct_api import (
    IntegrityInterferenceSchema,
    IntegrityLeadDisposalSchema,
    IntegrityLeadResultSchema,
    IntegrityLeadSchema,
    IntegrityLeadUpdateSchema,
    interference_out,
    lead_out,
)
from plugins.integrity.conduct_models import (
    DISPOSALS,
    INTERFERENCE_KINDS,
    LEAD_CATEGORIES,
    LEAD_SOURCES,
    LEAD_STATUSES,
    RESULTS,
)
from plugins.integrity.pages import _form, _int_arg, _load, _prefix, _query_string, _refused, _visible_units, blp

LIGHT_CLASSES = {"red": "danger", "yellow": "warning", "green": "success"}
LEAD_FIELDS = ("source", "category", "person", "post", "staff_id", "unit_id", "summary", "received_on", "deadline",
               "handling")  # fmt: skip
INTERFERENCE_FIELDS = ("unit_id", "occurred_on", "requester", "requester_post", "target", "kind", "case_ref",
                       "request", "handling", "reported_by")  # fmt: skip


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(body, status=200):
    return _no_store(make_response(body, status))


# --- 问题线索 -------------------------------------------------------------------------------------------------


def _lead_filters() -> dict[str, Any]:
    out = {}
    for name, choices in (("status", LEAD_STATUSES), ("category", LEAD_CATEGORIES), ("source", LEAD_SOURCES),
                          ("result", RESULTS), ("light", LIGHTS)):  # fmt: skip
        value = request.args.get(name)
        out[name] = value if value in choices else None
    out["q"] = (request.args.get("q") or "").strip()[:50] or None
    return out


@blp.tenant_page("/integrity/leads", *leads.READERS, methods=["GET", "POST"])
def integrity_leads():
    """问题线索 with their deadline lights and counts; a reviewer records a lead here. Every view is audited."""
    caller = Caller.current()
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict()
    if request.method == "POST":
        data, errors = _load(IntegrityLeadSchema(), _form(LEAD_FIELDS, ("unit_id", "staff_id")))
        if not errors:
            try:
                lead = leads.create_lead(caller, data)
                db.session.commit()
                flash(_("已登记问题线索 %(number)s", number=lead.number), "success")
                return redirect(f"{_prefix()}/integrity/leads/{lead.id}")
            except ServiceError as error:
                errors = _refused(error)
    filters = _lead_filters()
    today = today_in_shanghai()
    found = [lead_out(caller, lead, today) for lead in leads.list_leads(caller, filters, today)]
    counts = leads.counts(caller, today)
    db.session.commit()  # the read is an audited event: keep it even when the page is only read
    return _page(render_template(
        "integrity/leads.html",
        leads=found,
        counts=counts,
        filters=filters,
        units=caller.units,
        sources=LEAD_SOURCES,
        categories=LEAD_CATEGORIES,
        statuses=LEAD_STATUSES,
        results=RESULTS,
        lights=LIGHTS,
        light_classes=LIGHT_CLASSES,
        values=values,
        errors=errors,
        query=_query_string(),
        prefix=_prefix(),
    ), 422 if errors else 200)  # fmt: skip


@blp.tenant_page("/integrity/leads/export.xlsx", *leads.READERS)
def integrity_leads_export():
    """The leads as filtered on the page, as Excel (内部资料); the export is audited."""
    caller = Caller.current()
    today = today_in_shanghai()
    found = leads.list_leads(caller, _lead_filters(), today, purpose="export")
    db.session.commit()
    return send_workbook(lambda out: leads.write_workbook(caller, found, out, today), "问题线索.xlsx")


def _result_data() -> dict[str, Any]:
    raw: dict[str, Any] = {k: request.form.get(k, "").strip() for k in ("result", "note", "concluded_on")}
    raw = {k: v for k, v in raw.items() if v}
    ids = [int(x) for x in request.form.getlist("accountability_ids") if x.strip().isdigit()]
    raw["accountability_ids"] = ids
    if request.form.get("make_problem") == "1":
        problem = {k: request.form.get(f"problem_{k}", "").strip() for k in ("title", "description", "deadline")}
        problem = {k: v for k, v in problem.items() if v}
        unit = request.form.get("problem_unit_id", "").strip()
        if unit.isdigit():
            problem["unit_id"] = int(unit)
        raw["problem"] = problem
    return raw


@blp.tenant_page("/integrity/leads/<int:integrity_lead_id>", *leads.READERS, methods=["GET", "POST"])
def integrity_lead(integrity_lead_id):
    """One lead: its disposal, deadline, result, and links to 问责 records and the ledger problem it produced."""
    caller = Caller.current()
    lead = leads.get_lead(caller, integrity_lead_id, audit=request.method == "GET")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.form.get("action", "")
        url = f"{_prefix()}/integrity/leads/{lead.id}"
        try:
            if action == "dispose":
                raw = {k: request.form.get(k, "").strip() for k in ("disposal", "deadline", "note")}
                data, errors = _load(IntegrityLeadDisposalSchema(), {k: v for k, v in raw.items() if v})
                if not errors:
                    leads.dispose(caller, lead, data["disposal"], data["deadline"], data["note"])
            elif action == "update":
                data, errors = _load(IntegrityLeadUpdateSchema(), _form(LEAD_FIELDS, ("unit_id", "staff_id")))
                if not errors:
                    leads.update_lead(caller, lead, {k: v for k, v in data.items() if v is not None})
            elif action == "result":
                data, errors = _load(IntegrityLeadResultSchema(), _result_data())
                if not errors:
                    leads.conclude(caller, lead, data)
            elif action == "accountability":
                ids = [int(x) for x in request.form.getlist("accountability_ids") if x.strip().isdigit()]
                leads.link_accountability(caller, lead, ids)
            else:
                abort(400)
            if not errors:
                db.session.commit()
                flash(_("已保存"), "success")
                return redirect(url)
        except ServiceError as error:
            errors = _refused(error)
        lead = leads.get_lead(caller, integrity_lead_id, audit=False)
    today = today_in_shanghai()
    measures = [m for m in (scoped_get(AccountabilityMeasure, i) for i in lead.accountability_ids or []) if m]
    out = lead_out(caller, lead, today)
    problem_number = None
    if lead.problem_id:
        found = scoped_get(Problem, lead.problem_id)
        problem_number = found.number if found else None
    db.session.commit()
    return _page(render_template(
        "integrity/lead.html",
        lead=out,
        measures=measures,
        problem_number=problem_number,
        units=caller.units,
        disposals=DISPOSALS,
        results=RESULTS,
        categories=LEAD_CATEGORIES,
        sources=LEAD_SOURCES,
        light_classes=LIGHT_CLASSES,
        errors=errors,
        values=request.form.to_dict() if request.method == "POST" else {},
        prefix=_prefix(),
    ), 422 if errors else 200)  # fmt: skip


# --- 干预执法记录 -----------------------------------------------------------------------------------------------


def _interference_filters() -> dict[str, Any]:
    out: dict[str, Any] = {"unit_id": _int_arg("unit_id")}
    kind = request.args.get("kind")
    out["kind"] = kind if kind in INTERFERENCE_KINDS else None
    for name, arg in (("date_from", "from"), ("date_to", "to")):
        try:
            out[name] = parse_form_date(request.args.get(arg) or "")
        except ValueError:
            out[name] = None
    out["q"] = (request.args.get("q") or "").strip()[:50] or None
    return out


def _interference_writer() -> bool:
    return g.user.role in interference.WRITERS


@blp.tenant_page("/integrity/interference", methods=["GET", "POST"])
def integrity_interference():
    """干预执法记录 the caller sees, with filters; those who record enter one here."""
    caller = Caller.current()
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict()
    if request.method == "POST":
        if not _interference_writer():
            abort(403)
        data, errors = _load(IntegrityInterferenceSchema(), _form(INTERFERENCE_FIELDS))
        if not errors:
            try:
                interference.create_record(caller, data)
                db.session.commit()
                flash(_("已登记干预执法记录"), "success")
                return redirect(f"{_prefix()}/integrity/interference")
            except ServiceError as error:
                errors = _refused(error)
    filters = _interference_filters()
    return render_template(
        "integrity/interference.html",
        records=[interference_out(caller, r) for r in interference.list_records(caller, filters)],
        filters=filters,
        units=_visible_units(caller),
        writable=interference.writable_units(caller),
        kinds=INTERFERENCE_KINDS,
        values=values,
        errors=errors,
        writer=_interference_writer(),
        query=_query_string(),
        prefix=_prefix(),
    ), (422 if errors else 200)


@blp.tenant_page("/integrity/interference/export.xlsx")
def integrity_interference_export():
    """The records as filtered on the page, as Excel (importable again)."""
    caller = Caller.current()
    found = interference.list_records(caller, _interference_filters())
    return send_workbook(lambda out: interference.write_workbook(caller, found, out), "干预执法记录.xlsx")


@blp.tenant_page("/integrity/interference/import", *interference.WRITERS, methods=["GET", "POST"])
def integrity_interference_import():
    """Import records from .xlsx or .csv: every bad cell is listed before anything is written."""
    caller = Caller.current()
    result, errors = None, None
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise ServiceError(_("请选择要导入的文件"), {"file": [_("必填")]})
            result = interference.import_records(caller, upload.stream, upload.filename,
                                                 request.form.get("dry_run") == "1")  # fmt: skip
            if not result["dry_run"]:
                db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            rows = error.payload().get("errors", {}).get("rows", [])
            errors = {"message": error.message, "rows": rows, "fields": error.fields}
    return render_template(
        "integrity/import.html",
        title=_("导入干预执法记录"),
        back="/integrity/interference",
        key_note=_("以单位、发生日期、干预人、被干预人和涉及案件或事项为键：再次导入同一文件不会产生任何变化。"),
        active="interference",
        columns=[(header, required) for _key, header, required, _limit in interference.COLUMNS],
        result=result,
        errors=errors,
        prefix=_prefix(),
    ), (422 if errors else 200)


@blp.tenant_page("/integrity/interference/<int:integrity_interference_id>", methods=["GET", "POST"])
def integrity_interference_record(integrity_interference_id):
    """One record; those who record change it here."""
    caller = Caller.current()
    record = interference.get_record(caller, integrity_interference_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not _interference_writer():
            abort(403)
        data, errors = _load(IntegrityInterferenceSchema(), _form(INTERFERENCE_FIELDS))
        if not errors:
            try:
                interference.update_record(caller, record, data)
                db.session.commit()
                flash(_("已保存"), "success")
                return redirect(f"{_prefix()}/integrity/interference/{record.id}")
            except ServiceError as error:
                errors = _refused(error)
        shown = request.form.to_dict()
    else:
        shown = {k: ("" if v is None else str(v)) for k, v in interference_out(caller, record).items()}
    return render_template(
        "integrity/interference_record.html",
        record=interference_out(caller, record),
        values=shown,
        writable=interference.writable_units(caller),
        kinds=INTERFERENCE_KINDS,
        errors=errors,
        writer=_interference_writer() and record.unit_id in {u.id for u in interference.writable_units(caller)},
        prefix=_prefix(),
    ), (422 if errors else 200)
