"""Checklist pages: the list, beginning one, filling it (conditions and the score follow the answers), submitting,
correcting, Excel forms, and the city's and tenant's own items of a template."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, send_file
from flask_babel import gettext as _
from sqlalchemy import select

from core.checklists import documents, excel
from core.checklists import service as checklists
from core.checklists.api import XLSX, detail, present
from core.checklists.models import STATUSES, CityItem, LocalItem
from core.checklists.templates import ANSWER_TYPES, EVIDENCE, TARGETS
from core.documents.pages import send_document
from core.ledger import service as ledger
from core.ledger.api import READERS
from core.ledger.excel import ImportRefused
from core.ledger.models import SEVERITIES
from core.ledger.pages import PROBLEM_ORIGINS
from core.platform.db import db
from core.platform.errors import ServiceError
from core.platform.tabular import download_response
from core.platform.validators import parse_form_date
from core.tenancy.service import registry
from core.web.auth import tenant_page
from core.web.blueprint import flash_refusal

INSPECTORS = checklists.INSPECTORS


def _prefix() -> str:
    slug = g.get("tenant_slug")
    return f"/tenants/{slug}" if slug else ""


def _errors(error: ServiceError) -> dict[str, list[str]]:
    out = {k.split(".", 1)[-1] if k.startswith(("answers.", "evidence.")) else k: v for k, v in error.fields.items()}
    if not out:
        out["_"] = [error.message]
    return out


def _inspectable_units(caller: ledger.Caller):
    return [u for u in caller.units if checklists.may_inspect(caller, u.id)]


@tenant_page("/checklists", *READERS)
def checklist_list():
    """The checklists of the units the user sees, the templates offered at the user's unit, Excel forms."""
    caller = ledger.Caller.current()
    filters = {k: v for k, v in request.args.items() if v and k in ("status", "template", "unit_id")}
    if "unit_id" in filters:
        filters["unit_id"] = int(filters["unit_id"]) if filters["unit_id"].isdigit() else None
    rows = [present(c) for c in checklists.listing(caller, filters)]
    offered = checklists.offered(caller, g.get("unit"))
    return render_template(
        "web/checklist_list.html",
        rows=rows,
        offered=offered,
        statuses=STATUSES,
        filters=filters,
        prefix=_prefix(),
        may_fill=g.user.role in INSPECTORS,
        units=caller.units,
    )


@tenant_page("/checklists/new", *INSPECTORS, methods=["GET", "POST"])
def checklist_new():
    """Begin a checklist: the template, the unit inspected, the inspector, the date and the target."""
    caller = ledger.Caller.current()
    units = _inspectable_units(caller)
    values = {**request.args.to_dict(), **request.form.to_dict()}
    unit = caller.unit(int(values["unit_id"])) if values.get("unit_id", "").isdigit() else (g.get("unit") or None)
    if unit is None and units:
        unit = units[0]
    offered = checklists.offered(caller, unit) if unit else []
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            inspected_on = parse_form_date(values.get("inspected_on", ""))
        except ValueError as error:
            blank = not values.get("inspected_on", "").strip()
            errors["inspected_on"] = [_("请填写检查日期") if blank else _(str(error))]
        for name, label in (("inspector", _("请填写检查人")), ("target_name", _("请填写检查对象"))):
            if not values.get(name, "").strip():
                errors[name] = [label]
        if not errors:
            data = {
                "template": values.get("template", ""),
                "unit_id": unit.id if unit else 0,
                "inspector": values["inspector"].strip()[:100],
                "inspected_on": inspected_on,
                "target_name": values["target_name"].strip()[:200],
                "target_ref": values.get("target_ref", "").strip()[:100],
            }
            try:
                checklist = checklists.create(caller, data)
                db.session.commit()
                return redirect(f"{_prefix()}/checklists/{checklist.id}")
            except ServiceError as error:
                db.session.rollback()
                errors = _errors(error)
    values.setdefault("inspected_on", ledger.today_in_shanghai().isoformat())
    values.setdefault("inspector", g.user.name)
    return render_template(
        "web/checklist_new.html",
        units=units,
        unit=unit,
        offered=offered,
        values=values,
        errors=errors,
        targets=TARGETS,
        prefix=_prefix(),
    ), (422 if errors else 200)


def _answers_from_form(items) -> tuple[dict, dict]:
    answers, notes = {}, {}
    for item in items:
        key = f"a_{item.code}"
        if item.answer == "multiple":
            answers[item.code] = request.form.getlist(key)
        elif key in request.form:
            answers[item.code] = request.form.get(key, "")
        note = request.form.get(f"n_{item.code}")
        if note is not None:
            notes[item.code] = note.strip()
    return answers, notes


@tenant_page("/checklists/<int:checklist_id>", *READERS, methods=["GET", "POST"])
def checklist_fill(checklist_id: int):
    """A checklist: filled in while a draft (saved, evidence uploaded, submitted); read only once submitted."""
    caller = ledger.Caller.current()
    checklist = checklists.get_checklist(caller, checklist_id)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        action = request.form.get("action", "save")
        try:
            if action == "correct":
                new = checklists.correct(caller, checklist)
                db.session.commit()
                return redirect(f"{_prefix()}/checklists/{new.id}")
            if action == "evidence":
                upload = request.files.get("file")
                if upload is None or not upload.filename:
                    raise ServiceError(_("请选择文件"), {"file": [_("请选择文件")]})
                checklists.add_evidence(caller, checklist, request.form.get("item_code", ""), upload.stream,
                                        upload.filename)  # fmt: skip
                db.session.commit()
                return redirect(f"{_prefix()}/checklists/{checklist.id}#item-{request.form.get('item_code', '')}")
            answers, notes = _answers_from_form(checklists.pinned_items(checklist))
            checklists.update(caller, checklist, {"answers": answers, "notes": notes,
                                                  "remarks": request.form.get("remarks", "")})  # fmt: skip
            if action == "submit":
                # The answers are kept as a draft even if the submission is refused for a gap.
                db.session.commit()
                problems = checklists.submit(caller, checklist)
                db.session.commit()
                flash(_("清单已提交，发现问题 %(n)s 个，已登记入台账", n=len(problems)), "success")
                return redirect(f"{_prefix()}/checklists/{checklist.id}")
            db.session.commit()
            flash(_("草稿已保存"), "success")
            return redirect(f"{_prefix()}/checklists/{checklist.id}")
        except ServiceError as error:
            if error.status == 403:
                abort(403)
            if action in ("correct", "evidence"):
                flash_refusal(error)
                return redirect(f"{_prefix()}/checklists/{checklist_id}")
            db.session.rollback()
            checklist = checklists.get_checklist(caller, checklist_id)
            errors = _errors(error)
            status = 422
    data = detail(checklist)
    inspector = g.user.role in INSPECTORS and checklists.may_inspect(caller, checklist.unit_id)
    return render_template(
        "web/checklist_fill.html",
        c=data,
        checklist=checklist,
        errors=errors,
        answer_types=ANSWER_TYPES,
        evidence_rules=EVIDENCE,
        editable=inspector and checklist.status == "draft",
        may_correct=inspector and checklist.status == "submitted",
        evidence_by_item={e.item_code: e for e in data["evidence"]},
        categories={c.code: c.name for c in registry().domains[checklist.domain].categories},
        severities=SEVERITIES,
        prefix=_prefix(),
    ), status


@tenant_page("/checklists/<int:checklist_id>/export.xlsx", *READERS)
def checklist_export(checklist_id: int):
    """The filled checklist as an Excel workbook."""
    checklist = checklists.get_checklist(ledger.Caller.current(), checklist_id)
    data = excel.filled(checklist, detail(checklist))
    return download_response(send_file(data, mimetype=XLSX, max_age=0), f"检查清单-{checklist.id}.xlsx", XLSX)


@tenant_page("/checklists/<int:checklist_id>/evidence/<int:evidence_id>", *READERS)
def checklist_evidence(checklist_id: int, evidence_id: int):
    """Download an item's evidence file."""
    checklist = checklists.get_checklist(ledger.Caller.current(), checklist_id)
    row = checklists.get_evidence(checklist, evidence_id)
    return ledger.send_evidence(row.sha256, row.content_type, row.filename)


@tenant_page("/checklists/templates/<template_code>/blank.xlsx", *READERS)
def checklist_blank(template_code: str):
    """The blank form of a template offered at the user's unit."""
    template = checklists.template_at(ledger.Caller.current(), g.get("unit"), template_code)
    data = excel.blank(template, checklists.form(template))
    return download_response(send_file(data, mimetype=XLSX, max_age=0), f"{template.title}（空白）.xlsx", XLSX)


@tenant_page("/checklists/import", *INSPECTORS, methods=["POST"])
def checklist_import():
    """Import a filled form as a draft, or go back to the list with every error by row and column."""

    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ServiceError(_("请选择文件"), {"file": [_("请选择文件")]})
        checklist = excel.import_filled(ledger.Caller.current(), upload.stream)
        db.session.commit()
        flash(_("已导入为草稿，请核对后提交"), "success")
        return redirect(f"{_prefix()}/checklists/{checklist.id}")
    except ImportRefused as error:
        db.session.rollback()
        rows = "；".join(f"第{r['row']}行“{r['column']}”：{r['message']}" for r in error.rows[:20])
        flash(f"{error.message}：{rows}", "danger")
    except ServiceError as error:
        flash_refusal(error)
    return redirect(f"{_prefix()}/checklists")


@tenant_page("/checklists/templates/<template_code>", *READERS, methods=["GET", "POST"])
def checklist_template(template_code: str):
    """A template's items, with the city's (city admin) and the tenant's own (tenant admin) added or retired."""
    caller = ledger.Caller.current()
    template = checklists.template_at(caller, g.get("unit"), template_code)
    role = g.user.role
    may_local = role in ("city_admin", "tenant_admin")
    may_city = role == "city_admin"
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict()
    if request.method == "POST":
        if not (may_local or may_city):
            abort(403)
        try:
            if values.get("action") == "retire":
                model = CityItem if values.get("origin") == "city" else LocalItem
                if model is CityItem and not may_city:
                    raise ServiceError(_("只有市局管理员可以停用市局补充项"), status=403)
                row = checklists.get_extra_item(model, int(values.get("item_id") or 0))
                if row.template_code != template_code:
                    abort(404)
                checklists.retire_item(caller.actor, row)
            else:
                data = {
                    "text": values.get("text", "").strip(),
                    "basis": values.get("basis", "").strip(),
                    "answer": "yes_no",
                    "points": float(values.get("points") or 0),
                    "category": values.get("category", "other"),
                    "severity": values.get("severity", "normal"),
                    "evidence": values.get("evidence", ""),
                }
                if len(data["text"]) < 2:
                    raise ServiceError(_("请填写检查内容"), {"text": [_("请填写检查内容")]})
                city = values.get("scope") == "city" and may_city
                checklists.add_item(caller.actor, template, data, city=city)
            db.session.commit()
            flash(_("检查项已更新"), "success")
            return redirect(f"{_prefix()}/checklists/templates/{template_code}")
        except (ServiceError, ValueError) as error:
            db.session.rollback()
            errors = _errors(error) if isinstance(error, ServiceError) else {"points": [_("分值应为数字")]}

    city_rows = db.session.scalars(select(CityItem).where(CityItem.template_code == template_code).order_by("id"))
    local_rows = db.session.scalars(select(LocalItem).where(LocalItem.template_code == template_code).order_by("id"))
    form = checklists.form(template)
    return render_template(
        "web/checklist_template.html",
        template=template,
        form=form,
        city_rows=list(city_rows),
        local_rows=list(local_rows),
        may_local=may_local,
        may_city=may_city,
        categories=registry().domains[template.domain].categories,
        severities=SEVERITIES,
        evidence_rules=EVIDENCE,
        answer_types=ANSWER_TYPES,
        errors=errors,
        values=values,
        prefix=_prefix(),
    ), (422 if errors else 200)


PROBLEM_ORIGINS.append(checklists.origin_of)


@tenant_page("/checklists/<int:checklist_id>/record.<fmt>", *READERS)
def checklist_record(checklist_id: int, fmt: str):
    """The printable 检查记录表 as a Word file, or its PDF for the preview."""
    checklist = checklists.get_checklist(ledger.Caller.current(), checklist_id)
    body, name = documents.record_docx(g.tenant, checklist), documents.record_filename(checklist)
    return send_document(fmt, body, name)
