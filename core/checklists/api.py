"""The checklists API: templates offered at a unit, city and local items, filling, submitting, forms in Excel.

Tenant users use ``/api/v1/checklists``; city users ``/api/v1/tenants/<tenant>/checklists`` (see docs/api.md).
"""

from __future__ import annotations

from flask import g, send_file
from flask.views import MethodView
from sqlalchemy import select

from core.auth.guard import object_loader, require
from core.checklists import documents, excel
from core.checklists import service as checklists
from core.checklists.models import Checklist, ChecklistEvidence, CityItem, LocalItem, TemplateVersion
from core.checklists.schemas import (
    ChecklistCreateSchema,
    ChecklistDetailSchema,
    ChecklistQuerySchema,
    ChecklistSchema,
    ChecklistSubmitSchema,
    ChecklistUpdateSchema,
    EvidenceFormSchema,
    EvidenceSchema,
    ExtraItemCreateSchema,
    ExtraItemSchema,
    TemplateQuerySchema,
    TemplateSchema,
    TemplateSummarySchema,
)
from core.documents.delivery import send_docx, send_pdf
from core.ledger import service as ledger
from core.ledger.api import READERS
from core.ledger.schemas import UploadSchema
from core.platform.api import Blueprint, list_schema, listing
from core.platform.db import db, scoped_get
from core.platform.errors import NotFound
from core.platform.tabular import download_response
from core.tenancy.models import Unit

blp = Blueprint("checklists", __name__, url_prefix="/api/v1", description="检查清单")

INSPECTORS = checklists.INSPECTORS
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@object_loader("checklist_id")
def _checklist_exists(checklist_id: int) -> bool:
    try:
        checklists.get_checklist(ledger.Caller.current(), checklist_id)
    except NotFound:
        return False
    return True


@object_loader("local_item_id")
def _local_item_exists(local_item_id: int) -> bool:
    return scoped_get(LocalItem, local_item_id) is not None


@object_loader("evidence_id")
def _evidence_exists(evidence_id: int) -> bool:
    return scoped_get(ChecklistEvidence, evidence_id) is not None


def _unit_for(args) -> Unit | None:
    caller = ledger.Caller.current()
    if args.get("unit_id") is None:
        return g.get("unit")
    return caller.filter_unit(args["unit_id"])


def present(checklist: Checklist) -> dict:
    caller = ledger.Caller.current()
    version = db.session.get(TemplateVersion, checklist.template_version_id)
    unit = caller.unit(checklist.unit_id)
    percent = round(checklist.score / checklist.max_score * 100, 1) if checklist.max_score else None
    return {
        **{c.name: getattr(checklist, c.name) for c in Checklist.__table__.columns},
        "template_title": version.content["title"],
        "template_version": version.version,
        "unit_name": unit.name if unit else "",
        "percent": percent,
    }


def detail(checklist: Checklist) -> dict:
    items = checklists.pinned_items(checklist)
    result = checklists.evaluate(items, checklist.answers or {})
    extras = {i["code"]: i.get("origin", "") for i in checklist.extra_items or []}
    data = present(checklist)
    if checklist.status == "draft":
        data.update(score=result.score, max_score=result.max_score, percent=result.percent)
    data.update(
        items=[i.as_dict() | {"origin": extras.get(i.code, "plugin")} for i in items],
        shown=result.shown,
        failing=result.failing,
        missing=result.missing,
        findings=[
            {
                "item_code": f.item_code,
                "problem_id": p.id,
                "problem_number": p.number,
                "problem_status": p.status,
                "template_code": f.template_code,
                "template_version": f.template_version,
            }
            for f, p in checklists.findings(checklist)
        ],
        evidence=checklists.evidence_of(checklist),
        corrected_by=checklists.corrections(checklist),
    )
    return data


# --- templates ----------------------------------------------------------------------------------------------


@blp.tenant_route("/checklist-templates")
@require(*READERS)
@blp.arguments(TemplateQuerySchema, location="query")
@blp.response(200, list_schema(TemplateSummarySchema))
def list_templates(args):
    """The templates offered at a unit: those of the domains enabled there."""
    caller = ledger.Caller.current()
    return listing([
        {"code": t.code, "domain": t.domain, "title": t.title, "basis": t.basis, "target": t.target,
         "items": len(t.items)}
        for t in checklists.offered(caller, _unit_for(args))
    ])  # fmt: skip


@blp.tenant_route("/checklist-templates/<template_code>")
@require(*READERS)
@blp.arguments(TemplateQuerySchema, location="query")
@blp.response(200, TemplateSchema)
def get_template(args, template_code):
    """A template as a checklist begun now would be: its current version with the city's and the tenant's items."""
    template = checklists.template_at(ledger.Caller.current(), _unit_for(args), template_code)
    return checklists.form(template)


@blp.tenant_route("/checklist-templates/<template_code>/blank.xlsx")
@require(*READERS)
@blp.arguments(TemplateQuerySchema, location="query")
@blp.response(200, content_type=XLSX)
def blank_form(args, template_code):
    """The blank form as an Excel workbook, to fill on paper or in Excel and import back."""
    template = checklists.template_at(ledger.Caller.current(), _unit_for(args), template_code)
    data = excel.blank(template, checklists.form(template))
    return download_response(send_file(data, mimetype=XLSX, max_age=0), f"{template.title}（空白）.xlsx", XLSX)


@blp.tenant_route("/checklist-templates/<template_code>/items")
class LocalItems(MethodView):
    @require(*READERS)
    @blp.response(200, list_schema(ExtraItemSchema))
    def get(self, template_code):
        """The tenant's own items of a template, retired ones included."""
        checklists.template_at(ledger.Caller.current(), None, template_code)
        return listing(list(db.session.scalars(select(LocalItem).where(LocalItem.template_code == template_code))))

    @require("city_admin", "tenant_admin")
    @blp.arguments(ExtraItemCreateSchema)
    @blp.response(201, ExtraItemSchema)
    def post(self, args, template_code):
        """Add an item of the tenant's own to a template (本局补充); checklists begun later include it."""
        caller = ledger.Caller.current()
        template = checklists.template_at(caller, None, template_code)
        return checklists.add_item(caller.actor, template, args, city=False)


@blp.tenant_route("/checklist-templates/<template_code>/items/<int:local_item_id>", methods=["DELETE"])
@require("city_admin", "tenant_admin")
@blp.response(200, ExtraItemSchema)
def retire_local_item(template_code, local_item_id):
    """Retire an item of the tenant's own; checklists already begun keep it."""
    row = checklists.get_extra_item(LocalItem, local_item_id)
    if row.template_code != template_code:
        raise NotFound("未找到该检查项")
    checklists.retire_item(ledger.Caller.current().actor, row)
    return row


def _city_template(template_code: str):
    template = checklists.templates().get(template_code)
    if template is None:
        raise NotFound("未找到该检查清单")
    return template


@blp.route("/checklist-templates/<template_code>/city-items")
class CityItems(MethodView):
    @require("city_admin", "city_supervisor", tenant=False)
    @blp.response(200, list_schema(ExtraItemSchema))
    def get(self, template_code):
        """The city's items of a template (市局补充), retired ones included."""
        _city_template(template_code)
        return listing(list(db.session.scalars(select(CityItem).where(CityItem.template_code == template_code))))

    @require("city_admin", tenant=False)
    @blp.arguments(ExtraItemCreateSchema)
    @blp.response(201, ExtraItemSchema)
    def post(self, args, template_code):
        """Add a city-wide item to a template; every tenant's checklists begun later include it."""
        return checklists.add_item(f"user:{g.user.id}", _city_template(template_code), args, city=True)


@blp.route("/checklist-templates/<template_code>/city-items/<int:city_item_id>", methods=["DELETE"])
@require("city_admin", tenant=False)
@blp.response(200, ExtraItemSchema)
def retire_city_item(template_code, city_item_id):
    """Retire a city-wide item; checklists already begun keep it."""
    row = checklists.get_extra_item(CityItem, city_item_id)
    if row.template_code != template_code:
        raise NotFound("未找到该检查项")
    checklists.retire_item(f"user:{g.user.id}", row)
    return row


# --- checklists ---------------------------------------------------------------------------------------------


@blp.tenant_route("/checklists")
class Checklists(MethodView):
    @require(*READERS)
    @blp.arguments(ChecklistQuerySchema, location="query")
    @blp.response(200, list_schema(ChecklistSchema))
    def get(self, args):
        """Checklists of the units the caller sees, newest first."""
        return listing([present(c) for c in checklists.listing(ledger.Caller.current(), args)])

    @require(*INSPECTORS)
    @blp.arguments(ChecklistCreateSchema)
    @blp.response(201, ChecklistDetailSchema)
    def post(self, args):
        """Begin a checklist (a draft) for a unit; answers may be given now or later."""
        return detail(checklists.create(ledger.Caller.current(), args))


@blp.tenant_route("/checklists/<int:checklist_id>")
class ChecklistItem(MethodView):
    @require(*READERS)
    @blp.response(200, ChecklistDetailSchema)
    def get(self, checklist_id):
        """A checklist with its pinned items, answers, the score so far, its findings and evidence."""
        return detail(checklists.get_checklist(ledger.Caller.current(), checklist_id))

    @require(*INSPECTORS)
    @blp.arguments(ChecklistUpdateSchema)
    @blp.response(200, ChecklistDetailSchema)
    def patch(self, args, checklist_id):
        """Save a draft: answers are merged (an empty answer clears one)."""
        caller = ledger.Caller.current()
        return detail(checklists.update(caller, checklists.get_checklist(caller, checklist_id), args))


@blp.tenant_route("/checklists/<int:checklist_id>/submit", methods=["POST"])
@require(*INSPECTORS)
@blp.response(200, ChecklistSubmitSchema)
def submit_checklist(checklist_id):
    """Submit: every shown required item answered (errors name the item), scored, failures become problems."""
    caller = ledger.Caller.current()
    checklist = checklists.get_checklist(caller, checklist_id)
    problems = checklists.submit(caller, checklist)
    data = detail(checklist)
    data["problems"] = [{"id": p.id, "number": p.number, "title": p.title, "category": p.category} for p in problems]
    return data


@blp.tenant_route("/checklists/<int:checklist_id>/correct", methods=["POST"])
@require(*INSPECTORS)
@blp.response(201, ChecklistDetailSchema)
def correct_checklist(checklist_id):
    """Begin a correction of a submitted checklist: a new draft linked to it, its answers copied."""
    caller = ledger.Caller.current()
    return detail(checklists.correct(caller, checklists.get_checklist(caller, checklist_id)))


@blp.tenant_route("/checklists/<int:checklist_id>/export.xlsx")
@require(*READERS)
@blp.response(200, content_type=XLSX)
def export_checklist(checklist_id):
    """The filled checklist as an Excel workbook (for filing)."""
    checklist = checklists.get_checklist(ledger.Caller.current(), checklist_id)
    data = excel.filled(checklist, detail(checklist))
    return download_response(send_file(data, mimetype=XLSX, max_age=0), f"检查清单-{checklist.id}.xlsx", XLSX)


@blp.tenant_route("/checklists/<int:checklist_id>/record.docx")
@require(*READERS)
@blp.response(200, description="检查记录表（Word 文档）")
def checklist_record(checklist_id):
    """打印用检查记录表（.docx，A4 公文版式）：被检查单位、对象、日期，各检查项目（中文，无内部编码）、结果、发现问题，
    检查人员和被检查单位负责人签字栏。"""
    checklist = checklists.get_checklist(ledger.Caller.current(), checklist_id)
    return send_docx(documents.record_docx(g.tenant, checklist), documents.record_filename(checklist))


@blp.tenant_route("/checklists/<int:checklist_id>/record.pdf")
@require(*READERS)
@blp.response(200, description="检查记录表的 PDF 预览")
@blp.alt_response(409, description="服务器未安装 PDF 转换程序，请下载 Word 文件")
def checklist_record_pdf(checklist_id):
    """检查记录表的 PDF 预览（服务器端由 LibreOffice 离线生成）。"""
    checklist = checklists.get_checklist(ledger.Caller.current(), checklist_id)
    return send_pdf(documents.record_docx(g.tenant, checklist), documents.record_filename(checklist))


@blp.tenant_route("/checklists/import", methods=["POST"])
@require(*INSPECTORS)
@blp.arguments(UploadSchema, location="files")
@blp.response(201, ChecklistDetailSchema)
def import_checklist(files):
    """Import a filled form (a blank form exported here, filled in Excel) as a draft to check and submit."""
    caller = ledger.Caller.current()
    return detail(excel.import_filled(caller, files["file"].stream))


@blp.tenant_route("/checklists/<int:checklist_id>/evidence")
class Evidence(MethodView):
    @require(*READERS)
    @blp.response(200, list_schema(EvidenceSchema))
    def get(self, checklist_id):
        """The evidence files of a checklist's items."""
        return listing(checklists.evidence_of(checklists.get_checklist(ledger.Caller.current(), checklist_id)))

    @require(*INSPECTORS)
    @blp.arguments(EvidenceFormSchema, location="form")
    @blp.arguments(UploadSchema, location="files")
    @blp.response(201, EvidenceSchema)
    def post(self, form, files, checklist_id):
        """Upload an evidence file for one item of a draft; its type is checked by content."""
        caller = ledger.Caller.current()
        checklist = checklists.get_checklist(caller, checklist_id)
        upload = files["file"]
        return checklists.add_evidence(caller, checklist, form["item_code"], upload.stream, upload.filename or "")


@blp.tenant_route("/checklists/<int:checklist_id>/evidence/<int:evidence_id>")
@require(*READERS)
@blp.response(200)
def download_evidence(checklist_id, evidence_id):
    """Download an item's evidence file, always as an attachment."""
    checklist = checklists.get_checklist(ledger.Caller.current(), checklist_id)
    row = checklists.get_evidence(checklist, evidence_id)
    return ledger.send_evidence(row.sha256, row.content_type, row.filename)
