"""The pages: home and the ledger list (more pages arrive with the later capabilities)."""

from __future__ import annotations

from datetime import date as _date
from urllib.parse import urlencode

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from core.audit import chain
from core.auth.models import User
from core.documents.pages import send_document
from core.ledger import documents, excel, service
from core.ledger import fields as local_fields
from core.ledger import permissions as perm
from core.ledger import query as ledger_query
from core.ledger.api import LIST_COLUMNS, NOTICE_ISSUERS, READERS, Presenter, _rows
from core.ledger.models import (
    LIGHTS,
    OPEN_STATUSES,
    RECTIFICATION_TYPES,
    SEVERITIES,
    SOURCES,
    STATUSES,
    Attachment,
    Extension,
    ProgressNote,
)
from core.ledger.schemas import ListQuerySchema, PageQuerySchema
from core.platform.calendar import SHANGHAI
from core.platform.db import db
from core.platform.errors import FieldError, ServiceError
from core.platform.tabular import send_workbook
from core.platform.validators import parse_form_date
from core.tenancy.models import Tenant
from core.tenancy.service import registry
from core.web.auth import page, tenant_page
from core.web.blueprint import blp, flash_refusal

LIGHT_CLASSES = {"red": "danger", "yellow": "warning", "green": "success"}


#: Where a problem was found, for the link back on its page: functions (problem -> an object with
#: ``checklist_id``, ``item_code``, ``template_title``, ``item_number`` and ``item_text``, or None) that features
#: above the ledger add (the checklists add theirs, reading ``Problem.source_checklist_id``).
PROBLEM_ORIGINS: list = []


@blp.route("/")
@page(tenant=False)
def home():
    """Where a user lands: a tenant user's ledger; for city users, the tenants to choose from."""
    if g.user.is_city:
        from sqlalchemy import select

        tenants = db.session.scalars(select(Tenant).order_by(Tenant.id)).all()
        return render_template("web/city_home.html", tenants=tenants)
    return redirect(url_for("web.ledger"))


def _ledger():
    """The unit's ledger: lights, the filters, counts by status and light; keyset pages as the API's."""
    args = {k: v for k, v in request.args.lists() if v and v != [""]}
    single = {"unit_id", "q", "sort", "limit", "cursor", "deadline_from", "deadline_to", "responsible_person"}
    raw = {k: (v[0] if k in single else v) for k, v in args.items()}
    errors = {}
    try:
        filters = PageQuerySchema().load(raw)
    except ValidationError as exc:
        errors = exc.messages
        filters = PageQuerySchema().load({})
    caller = service.Caller.current()
    today = service.today_in_shanghai()
    window = ledger_query.light_window(caller, today)
    rows, cursor = ledger_query.page(
        caller, filters, window, filters["sort"], filters["limit"], filters.get("cursor"), LIST_COLUMNS
    )
    presenter = Presenter(caller, today)
    counts = ledger_query.counts(caller, filters, window)
    return render_template(
        "web/ledger.html",
        problems=[presenter(r) for r in rows],
        next_cursor=cursor,
        counts=counts,
        filters=filters,
        errors=errors,
        statuses=STATUSES,
        lights=LIGHTS,
        light_classes=LIGHT_CLASSES,
        units=caller.units,
        domain_names={
            s: registry().domains[s].name for s in sorted(caller.enabled_domains(g.get("unit")) or registry().domains)
        },
        sources=SOURCES,
        phases=service.phase_names(),
        prefix=f"/tenants/{g.tenant_slug}" if g.get("tenant_slug") else "",
        export_query=urlencode(
            [(k, v) for k, values in args.items() if k not in ("cursor", "sort", "limit") for v in values]
        ),
        next_query=urlencode(
            [(k, v) for k, values in args.items() if k != "cursor" for v in values] + [("cursor", cursor or "")]
        ),
    )


@tenant_page("/ledger", *READERS)
def ledger():
    return _ledger()


# --- one problem: record, see, move -------------------------------------------------------------------------


WRITERS = ("city_supervisor", "tenant_admin", "officer", "reviewer")
#: how each audit event reads in a problem's history
#: what each move asks for, as (field, label, input type)
MOVE_INPUTS = {
    "close": [("opinion", "验收意见", "textarea")],
    "return": [("reason", "退回理由", "textarea")],
    "dismiss": [("reason", "不予立项理由", "textarea")],
    "ongoing": [("next_review_on", "下次复查日期", "date")],
}


def _prefix() -> str:
    slug = g.get("tenant_slug")
    return f"/tenants/{slug}" if slug else ""


def _problem_url(problem_id: int) -> str:
    return f"{_prefix()}/problems/{problem_id}"


FIELD_PREFIXES = {"custom_fields.": "cf_", "local_fields.": "lf_"}


def _form_errors(error: ServiceError) -> dict[str, list[str]]:
    """A service's refusal as errors keyed by the form's field names (plugin fields cf_*, own fields lf_*)."""
    out = {}
    for key, messages in error.fields.items():
        prefix = next((p for p in FIELD_PREFIXES if key.startswith(p)), None)
        out[FIELD_PREFIXES[prefix] + key.split(".")[-1] if prefix else key] = messages
    return out or {"_": [error.message]}


def _local_definitions() -> list[dict]:

    current = local_fields.current()
    return list(current.fields) if current else []


def _local_values(values: dict, definitions: list[dict]) -> dict:
    """The tenant's own fields from a form (lf_<code>), typed as the definitions say; empty ones left out."""
    out = {}
    for d in definitions:
        raw = values.get(f"lf_{d['code']}", "")
        if raw == "":
            continue
        if d["type"] == "boolean":
            out[d["code"]] = raw == "1"
        elif d["type"] == "number":
            try:
                out[d["code"]] = float(raw)
            except ValueError:
                out[d["code"]] = raw  # the schema names it
        else:
            out[d["code"]] = raw
    return out


def _new_problem():
    caller = service.Caller.current()
    recordable = [u for u in caller.units if perm.may_record(g.user, u.id, caller.units)]
    unit_id = request.values.get("unit_id", type=int) or (g.user.unit_id if g.user.unit_id else None)
    unit = caller.unit(unit_id) if unit_id else (recordable[0] if recordable else None)
    domains = [registry().domains[s] for s in caller.enabled_domains(unit)] if unit else []
    domain_slug = request.values.get("domain") or "general"
    domain = registry().domains.get(domain_slug) or registry().domains["general"]
    fieldsets = [fs for fs in registry().fieldsets.values() if fs.domain == domain.slug]
    custom = [f for fs in fieldsets for f in fs.describe()]
    local = _local_definitions()
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict()
    if request.method == "POST":
        data = {
            "domain": domain.slug,
            "category": values.get("category", ""),
            "title": values.get("title", "").strip(),
            "description": values.get("description", "").strip(),
            "unit_id": unit.id if unit else None,
            "rectification_type": values.get("rectification_type", "deadline"),
            "severity": values.get("severity", "normal"),
            "responsible_person": values.get("responsible_person", ""),
            "responsible_leader": values.get("responsible_leader", ""),
            "measures": values.get("measures", ""),
            "custom_fields": {f["code"]: values[f"cf_{f['code']}"] for f in custom if values.get(f"cf_{f['code']}")},
            "local_fields": _local_values(values, local),
        }
        if values.get("source"):
            data["source"] = values["source"]
        try:
            if values.get("deadline"):
                data["deadline"] = parse_form_date(values["deadline"])
        except ValueError as error:
            errors["deadline"] = [_(str(error))]
        try:
            if values.get("deadline_working_days"):
                data["deadline_working_days"] = int(values["deadline_working_days"])
        except ValueError:
            errors["deadline"] = [_("日期或工作日数格式无效")]
        for name in ("title", "description", "category"):
            if not data[name]:
                errors[name] = [_("必填")]
        if not errors:
            try:
                problem = service.create_problem(caller, data)
                flash(_("已登记问题 %(number)s", number=problem.number), "success")
                return redirect(_problem_url(problem.id))
            except ServiceError as error:
                errors = _form_errors(error)
    return render_template(
        "web/problem_new.html",
        units=recordable,
        unit=unit,
        domains=domains,
        domain=domain,
        custom=custom,
        local=local,
        values=values,
        errors=errors,
        sources=SOURCES,
        severities=SEVERITIES,
        rectification_types=RECTIFICATION_TYPES,
    ), (422 if errors else 200)


@tenant_page("/problems/new", *WRITERS, methods=["GET", "POST"])
def new_problem():
    return _new_problem()


def _problem(problem_id: int):
    caller = service.Caller.current()
    problem = service.get_problem(caller, problem_id)  # 404 outside the caller's view
    if request.method == "POST":
        action = request.form.get("action", "")
        etag = f'"{problem.id}-{request.form.get("version", "")}"'
        try:
            if action == "note":
                service.add_note(caller, problem, request.form.get("text", "").strip() or _raise_required("text"))
                flash(_("已填写整改进展"), "success")
            elif action == "upload":
                upload = request.files.get("file")
                if upload is None or not upload.filename:
                    _raise_required("file")
                service.add_attachment(caller, problem, upload.stream, upload.filename)
                flash(_("已上传佐证材料"), "success")
            else:
                payload = {k: v for k, v in request.form.items() if k in ("opinion", "reason", "measures") and v}
                if request.form.get("next_review_on"):
                    payload["next_review_on"] = _form_date("next_review_on")
                service.transition(caller, problem, action, payload, etag)
                flash(_("操作已完成"), "success")
            return redirect(_problem_url(problem.id))
        except ServiceError as error:
            flash_refusal(error)
            return redirect(_problem_url(problem_id))
    presenter = Presenter(caller)
    events = chain.history(problem.id)
    notes = _rows(ProgressNote, problem.id)
    attachments = _rows(Attachment, problem.id)
    extensions = _rows(Extension, problem.id)
    import json

    from sqlalchemy import select

    ids = {int(e.actor.split(":")[1]) for e in events if e.actor.startswith("user:")}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    history = []
    for e in events:
        data = json.loads(e.body)["data"]
        who = names.get(int(e.actor.split(":")[1]), e.actor) if e.actor.startswith("user:") else _("系统")
        history.append(
            {
                "at": e.at.astimezone(SHANGHAI),
                "who": who,
                "what": _(registry().event_label(e.kind)),
                "to": _(STATUSES[data["to"]]) if isinstance(data, dict) and data.get("to") in STATUSES else "",
            }
        )
    finding = next((found for found in (look(problem) for look in PROBLEM_ORIGINS) if found), None)
    return render_template(
        "web/problem.html",
        p=presenter(problem),
        problem=problem,
        finding=finding,
        notes=notes,
        attachments=attachments,
        extensions=extensions,
        history=history,
        move_inputs=MOVE_INPUTS,
        transitions=service.TRANSITIONS,
        light_classes=LIGHT_CLASSES,
        prefix=_prefix(),
        notice=documents.issued_notice(problem),
        may_issue_notice=g.user.role in NOTICE_ISSUERS and problem.status in OPEN_STATUSES,
    )


def db_rollback() -> None:

    db.session.rollback()


def _form_date(field: str) -> _date:
    """A date field of the posted form as yyyy-mm-dd, or a refusal naming the field."""
    try:
        return parse_form_date(request.form.get(field, ""))
    except ValueError as error:
        raise FieldError(field, _(str(error))) from None


def _raise_required(field: str):
    raise ServiceError(_("请填写后再提交"), {field: [_("必填")]})


@tenant_page("/problems/<int:problem_id>", *READERS, methods=["GET", "POST"])
def problem_page(problem_id):
    return _problem(problem_id)


def _download(problem_id: int, attachment_id: int):
    caller = service.Caller.current()
    problem = service.get_problem(caller, problem_id)
    attachment = service.get_attachment(caller, problem, attachment_id)
    return service.send_evidence(attachment.sha256, attachment.content_type, attachment.filename)


@tenant_page("/problems/<int:problem_id>/attachments/<int:attachment_id>", *READERS)
def attachment_download(problem_id, attachment_id):
    return _download(problem_id, attachment_id)


# --- export, extensions -------------------------------------------------------------------------------------


def _export():

    args = {k: v for k, v in request.args.lists() if v and v != [""]}
    single = {"unit_id", "q", "deadline_from", "deadline_to", "responsible_person"}
    try:
        filters = ListQuerySchema().load({k: (v[0] if k in single else v) for k, v in args.items()})
    except ValidationError:
        filters = {}
    caller = service.Caller.current()
    export = excel.prepare_export(caller, filters)
    return send_workbook(
        lambda out: excel.write_xlsx(export, out), excel.export_filename(caller.tenant.slug, "xlsx", export.today)
    )


@tenant_page("/ledger/export.xlsx", *READERS)
def ledger_export():
    """The ledger with the page's filters as an Excel workbook (the API's export, as a download)."""
    return _export()


def _extension(problem_id: int):
    caller = service.Caller.current()
    problem = service.get_problem(caller, problem_id)
    try:
        if request.form.get("extension_id"):
            service.decide_extension(
                caller,
                problem,
                int(request.form["extension_id"]),
                request.form.get("approve") == "1",
                request.form.get("note", ""),
            )
            flash(_("延期申请已处理"), "success")
        else:
            new_deadline = request.form.get("new_deadline", "")
            reason = request.form.get("reason", "").strip()
            if not new_deadline or not reason:
                raise ServiceError(_("请填写后再提交"), {"new_deadline": [_("必填")]})
            service.request_extension(caller, problem, _form_date("new_deadline"), reason)
            flash(_("已提出延期申请"), "success")
    except ServiceError as error:
        flash_refusal(error)
    except ValueError:
        flash(_("日期或工作日数格式无效"), "danger")
    return redirect(_problem_url(problem_id))


@tenant_page("/problems/<int:problem_id>/extensions", *WRITERS, methods=["POST"])
def extension(problem_id):
    return _extension(problem_id)


# --- edit and import ----------------------------------------------------------------------------------------

EDIT_FIELDS = ("title", "description", "category", "severity", "responsible_person", "responsible_leader",
               "measures", "progress", "completion")  # fmt: skip


def _edit(problem_id: int):
    caller = service.Caller.current()
    problem = service.get_problem(caller, problem_id)
    fieldsets = [fs for fs in registry().fieldsets.values() if fs.domain == problem.domain]
    custom = [f for fs in fieldsets for f in fs.describe()]
    domain = registry().domains.get(problem.domain)
    local = _local_definitions()
    errors: dict[str, list[str]] = {}
    status = 200
    values = {name: getattr(problem, name) for name in EDIT_FIELDS}
    values.update({f"cf_{k}": v for k, v in (problem.custom_fields or {}).items()})
    values.update(
        {f"lf_{k}": ("1" if v is True else "0" if v is False else v) for k, v in (problem.local_fields or {}).items()}
    )
    if request.method == "POST":
        values = request.form.to_dict()
        changes = {name: values.get(name, "").strip() for name in EDIT_FIELDS if name in values}
        changes = {k: v for k, v in changes.items() if v != (getattr(problem, k) or "")}
        custom_values = {f["code"]: values[f"cf_{f['code']}"] for f in custom if values.get(f"cf_{f['code']}")}
        if custom_values != (problem.custom_fields or {}):
            changes["custom_fields"] = custom_values
        local_values = _local_values(values, local)
        if local and local_values != (problem.local_fields or {}):
            changes["local_fields"] = local_values
        for name in ("title", "description", "category"):
            if name in changes and not changes[name]:
                errors[name] = [_("必填")]
        if not errors:
            try:
                if changes:
                    service.update_problem(caller, problem, changes, f'"{problem.id}-{values.get("version", "")}"')
                    flash(_("已保存修改"), "success")
                return redirect(_problem_url(problem.id))
            except ServiceError as error:
                db_rollback()
                errors, status = _form_errors(error), error.status
    if errors and status == 200:
        status = 422
    return render_template(
        "web/problem_edit.html", problem=problem, domain=domain, custom=custom, local=local, values=values,
        errors=errors, severities=SEVERITIES, prefix=_prefix(),
    ), status  # fmt: skip


@tenant_page("/problems/<int:problem_id>/edit", *WRITERS, methods=["GET", "POST"])
def edit_problem(problem_id):
    return _edit(problem_id)


def _import():

    result, errors = None, None
    if request.method == "POST":
        upload = request.files.get("file")
        caller = service.Caller.current()
        try:
            if upload is None or not upload.filename:
                raise ServiceError(_("请选择要导入的 Excel 文件"), {"file": [_("必填")]})
            result = excel.import_workbook(caller, upload.stream, upload.filename, request.form.get("dry_run") == "1")
            if not result["dry_run"]:
                db.session.commit()
        except ServiceError as error:
            db_rollback()
            payload = error.payload()
            errors = {
                "message": error.message,
                "rows": payload.get("errors", {}).get("rows", []),
                "fields": error.fields,
            }
    return render_template("web/import.html", result=result, errors=errors, prefix=_prefix()), (422 if errors else 200)


@tenant_page("/ledger/import", "city_supervisor", "tenant_admin", "officer", methods=["GET", "POST"])
def ledger_import():
    """Import a workbook in the export's layout: every bad cell is listed before anything is written."""
    return _import()


@tenant_page("/problems/<int:problem_id>/notice", *NOTICE_ISSUERS, methods=["POST"])
def problem_notice_issue(problem_id: int):
    """发出整改通知书 (numbered once), then back to the problem with its download and preview links."""
    caller = service.Caller.current()
    problem = service.get_problem(caller, problem_id)
    try:
        issued = documents.issue_notice(caller.tenant, problem, caller.actor, service.today_in_shanghai())
    except ServiceError as error:
        flash_refusal(error)
    else:
        flash(_("已发出整改通知书：%(number)s", number=issued.number), "success")
    slug = g.get("tenant_slug")
    return redirect(f"/tenants/{slug}/problems/{problem_id}" if slug else f"/problems/{problem_id}")


@tenant_page("/problems/<int:problem_id>/notice.<fmt>", *READERS)
def problem_notice_document(problem_id: int, fmt: str):
    """The problem's 整改通知书 as a Word file, or its PDF for the preview (404 until it is issued)."""
    caller = service.Caller.current()
    problem = service.get_problem(caller, problem_id)
    body, name = documents.notice_docx(caller.tenant, problem), documents.notice_filename(problem)
    return send_document(fmt, body, name)
