"""API of the approval domain, mounted by the core under /api/v1/plugins/approval/ (and per tenant for city users).

Service-case records (办件): record, list, read, record completion, import from .xlsx or CSV, the blank template.
"""

from __future__ import annotations

from datetime import UTC

from flask import Response
from sqlalchemy import select

from core.plugin_api import ApiBlueprint as Blueprint
from core.plugin_api import (
    Problem,
    UploadSchema,
    db,
    download_headers,
    listing,
    object_loader,
    require,
    scoped_get,
    send_workbook,
)
from plugins.approval import excel, service
from plugins.approval.models import APPLICANT_TYPES, ApprovalCase
from plugins.approval.schemas import (
    CaseCompleteSchema,
    CaseCreateSchema,
    CaseImportFormSchema,
    CaseImportResultSchema,
    CaseListQuerySchema,
    CasePageSchema,
    CaseSchema,
)

blp = Blueprint("approval", __name__, description="审批服务：办件记录")

READERS = ("city_admin", "city_supervisor", "tenant_admin", "officer", "reviewer", "viewer")
#: who records cases; an officer only for its unit and the units below it
WRITERS = ("city_supervisor", "tenant_admin", "officer")


@object_loader("case_record_id")
def _case_exists(case_record_id: int) -> bool:
    case = scoped_get(ApprovalCase, case_record_id)
    return case is not None and service.Access.current().sees(case)


def present(cases: list[ApprovalCase], access: service.Access) -> list[dict]:
    """Cases as the API shows them: names, the promised date, working days late and the problem they became."""
    problem_ids = [c.late_problem_id for c in cases if c.late_problem_id]
    numbers = (
        dict(db.session.execute(select(Problem.id, Problem.number).where(Problem.id.in_(problem_ids))).all())
        if problem_ids
        else {}
    )
    today = service.today_in_shanghai()
    out = []
    for case in cases:
        unit = access.caller.unit(case.unit_id)
        data = {name: getattr(case, name) for name in CaseSchema().fields if hasattr(case, name)}
        data.update(
            # Times read the same whether just written (in the caller's zone) or read back (UTC).
            received_at=case.received_at.astimezone(UTC),
            completed_at=case.completed_at.astimezone(UTC) if case.completed_at else None,
            unit_name=unit.name if unit else "",
            applicant_type_name=APPLICANT_TYPES.get(case.applicant_type, case.applicant_type),
            working_days_late=service.lateness(case, today),
            late_problem_number=numbers.get(case.late_problem_id),
        )
        out.append(data)
    return out


@blp.route("/cases", methods=["GET"])
@require(*READERS)
@blp.arguments(CaseListQuerySchema, location="query")
@blp.response(200, CasePageSchema)
def list_cases(args, **_url_values):
    """Service cases (办件) of the caller's unit and below (the whole tenant for its admins), newest first."""
    access = service.Access.current()
    cases, total = service.list_cases(access, args)
    return listing(present(cases, access), total=total)


@blp.route("/cases", methods=["POST"])
@require(*WRITERS)
@blp.arguments(CaseCreateSchema)
@blp.response(201, CaseSchema)
def create_case(args, **_url_values):
    """Record a service case; one completed after its promised date becomes a 超时办结 problem at once."""
    access = service.Access.current()
    case = service.create_case(access, args)
    return present([case], access)[0]


@blp.route("/cases/<int:case_record_id>", methods=["GET"])
@require(*READERS)
@blp.response(200, CaseSchema)
def get_case(case_record_id, **_url_values):
    """One service case."""
    access = service.Access.current()
    return present([service.get_case(access, case_record_id)], access)[0]


@blp.route("/cases/<int:case_record_id>/completion", methods=["POST"])
@require(*WRITERS)
@blp.arguments(CaseCompleteSchema)
@blp.response(200, CaseSchema)
def complete_case(args, case_record_id, **_url_values):
    """Record when an open case was completed (办结); later than promised, it becomes a problem at once."""
    access = service.Access.current()
    case = service.get_case(access, case_record_id)
    case = service.complete_case(access, case, args["completed_at"])
    return present([case], access)[0]


@blp.route("/cases/import", methods=["POST"])
@require(*WRITERS)
@blp.arguments(CaseImportFormSchema, location="form")
@blp.arguments(UploadSchema, location="files")
@blp.response(200, CaseImportResultSchema)
def import_cases(form, files, **_url_values):
    """Import cases from an .xlsx or CSV file in the template's columns.

    Every cell is checked first: any error refuses the whole file (422, each error with its row and column) and
    nothing is written. The 办件编号 is the key: the same file again changes nothing; a 办结时间 added to a case
    recorded open completes it. Late cases become 超时办结 problems, once each.
    """
    upload = files["file"]
    return excel.import_cases(service.Access.current(), upload.stream, upload.filename or "", form["dry_run"])


@blp.route("/cases/import-template.xlsx", methods=["GET"])
@require(*READERS)
@blp.response(200, description="办件导入模板（Excel）")
def import_template_xlsx(**_url_values):
    """The blank import template as Excel, with an example row and a 说明 sheet."""
    access = service.Access.current()
    return send_workbook(lambda out: excel.write_template(access, out), "办件导入模板.xlsx")


@blp.route("/cases/import-template.csv", methods=["GET"])
@require(*READERS)
@blp.response(200, description="办件导入模板（CSV，UTF-8 带 BOM）")
def import_template_csv(**_url_values):
    """The blank import template as CSV."""
    body = excel.template_csv(service.Access.current())
    response = Response(body, mimetype="text/csv")
    response.headers.update(download_headers("办件导入模板.csv", excel.CSV_TYPE))
    response.headers["Content-Type"] = excel.CSV_TYPE
    return response
