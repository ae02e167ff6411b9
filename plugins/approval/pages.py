"""The service-case (办件) pages: the list with its filters, the import form and the template downloads.

Registered on the core's web blueprint with ``domain="approval"``: each answers 404 where the domain is off at the
user's unit (for a city user: where the tenant does not allow it).
"""

from __future__ import annotations

from flask import Response, g, render_template, request
from flask_babel import gettext as _
from marshmallow import ValidationError

from core.plugin_api import SHANGHAI, PageBlueprint, ServiceError, db, download_headers, send_workbook
from plugins.approval import excel, service
from plugins.approval.api import present
from plugins.approval.models import APPLICANT_TYPES
from plugins.approval.schemas import CASE_STATES, CaseListQuerySchema

#: The approval pages, mounted by the core behind the per-unit check (404 where the domain is off).
blp = PageBlueprint("approval_pages", __name__, template_folder="templates")

READERS = ("city_admin", "city_supervisor", "tenant_admin", "officer", "reviewer", "viewer")
WRITERS = ("city_supervisor", "tenant_admin", "officer")
PAGE_SIZE = 50


def _prefix() -> str:
    slug = g.get("tenant_slug")
    return f"/tenants/{slug}" if slug else ""


def _local(moment) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def _render(result=None, errors=None, status: int = 200):

    args = {k: v for k, v in request.args.items() if v}
    filter_errors = {}
    try:
        filters = CaseListQuerySchema().load(args)
    except ValidationError as exc:
        filter_errors = exc.messages
        filters = CaseListQuerySchema().load({})
    filters["limit"] = PAGE_SIZE
    access = service.Access.current()
    cases, total = service.list_cases(access, filters)
    visible = access.visible()
    units = [u for u in access.caller.units if visible is None or u.id in visible]
    shown = present(cases, access)
    for case in shown:
        case["received_text"] = _local(case["received_at"])
        case["completed_text"] = _local(case["completed_at"])
    html = render_template(
        "approval/cases.html",
        cases=shown,
        total=total,
        filters=filters,
        filter_errors=filter_errors,
        states=CASE_STATES,
        units=units,
        applicant_types=APPLICANT_TYPES,
        may_import=g.user.role in WRITERS,
        offset=filters.get("offset", 0),
        page_size=PAGE_SIZE,
        result=result,
        errors=errors,
        prefix=_prefix(),
    )
    return html, status


@blp.tenant_page("/approval/cases", *READERS)
def approval_cases():
    """办件记录: the cases the user sees, late ones linked to the problem they became."""
    return _render()


@blp.tenant_page("/approval/cases/import", *WRITERS, methods=["POST"])
def approval_cases_import():
    """Import a workbook or CSV of cases: every bad cell is listed before anything is written."""

    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ServiceError(_("请选择要导入的 Excel 或 CSV 文件"), {"file": [_("必填")]})
        result = excel.import_cases(
            service.Access.current(), upload.stream, upload.filename, request.form.get("dry_run") == "1"
        )
        if not result["dry_run"]:
            db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        payload = error.payload()
        errors = {"message": error.message, "rows": payload.get("errors", {}).get("rows", []), "fields": error.fields}
        return _render(errors=errors, status=422)
    return _render(result=result)


@blp.tenant_page("/approval/cases/template.xlsx", *READERS)
def approval_cases_template_xlsx():
    """The blank import template (Excel)."""

    access = service.Access.current()
    return send_workbook(lambda out: excel.write_template(access, out), "办件导入模板.xlsx")


@blp.tenant_page("/approval/cases/template.csv", *READERS)
def approval_cases_template_csv():
    """The blank import template (CSV, UTF-8 with a BOM)."""

    response = Response(excel.template_csv(service.Access.current()), mimetype="text/csv")
    response.headers.update(download_headers("办件导入模板.csv", excel.CSV_TYPE))
    response.headers["Content-Type"] = excel.CSV_TYPE
    return response
