"""The ledger API: problems, their lifecycle, progress, evidence, extensions, referrals and history.

Tenant users use ``/api/v1/problems``; city users ``/api/v1/tenants/<tenant>/problems`` (see docs/api.md).
"""

from __future__ import annotations

import json

import orjson
from flask import current_app, request
from flask.views import MethodView
from sqlalchemy import select

from core.audit import chain
from core.auth.guard import object_loader, require
from core.auth.models import User
from core.documents.delivery import send_docx, send_pdf
from core.documents.schemas import IssuedDocumentSchema
from core.documents.service import REGISTER_FIELDS
from core.ledger import documents, service
from core.ledger import fields as local_fields
from core.ledger import query as ledger_query
from core.ledger.models import (
    LIGHTS,
    OPEN_STATUSES,
    RECTIFICATION_TYPES,
    SEVERITIES,
    SOURCES,
    STATUSES,
    Attachment,
    Extension,
    Problem,
    ProgressNote,
    Referral,
)
from core.ledger.schemas import (
    ActionSchema,
    AttachmentSchema,
    CountsSchema,
    EventSchema,
    ExtensionDecisionSchema,
    ExtensionRequestSchema,
    ExtensionSchema,
    ListQuerySchema,
    LocalFieldSetSchema,
    NoteSchema,
    PageQuerySchema,
    ProblemCreateSchema,
    ProblemDetailSchema,
    ProblemPageSchema,
    ProblemSchema,
    ProblemUpdateSchema,
    ReferralSchema,
    UploadFormSchema,
    UploadSchema,
)
from core.platform.api import Blueprint, list_schema, listing
from core.platform.db import db, scoped_get
from core.platform.errors import NotFound
from core.tenancy.service import registry

blp = Blueprint("ledger", __name__, url_prefix="/api/v1", description="问题台账")


@object_loader("problem_id")
def _problem_exists(problem_id: int) -> bool:
    try:
        service.get_problem(service.Caller.current(), problem_id)
    except NotFound:
        return False
    return True


@object_loader("attachment_id")
def _attachment_exists(attachment_id: int) -> bool:
    return scoped_get(Attachment, attachment_id) is not None


@object_loader("extension_id")
def _extension_exists(extension_id: int) -> bool:
    return scoped_get(Extension, extension_id) is not None


#: roles that read the ledger; what each sees is narrowed by core.ledger.permissions
READERS = ("city_admin", "city_supervisor", "tenant_admin", "officer", "reviewer", "viewer")
WRITERS = ("city_supervisor", "tenant_admin", "officer", "reviewer")


#: the stored columns the API shows as they are
SHOWN_COLUMNS = tuple(name for name in ProblemSchema().fields if name in Problem.__table__.columns)
#: what a list page selects: plain rows, not ORM objects
LIST_COLUMNS = tuple(getattr(Problem, name) for name in SHOWN_COLUMNS)


class Presenter:
    """Turns problems into what the API shows, with the lookups one request needs done once."""

    def __init__(self, caller: service.Caller, today=None):
        self.caller = caller
        self.today = today or service.today_in_shanghai()
        self.window = ledger_query.light_window(caller, self.today)
        self.phases = service.phase_names()
        self.domains = {slug: d.name for slug, d in registry().domains.items()}
        self.categories = {(slug, c.code): c.name for slug, d in registry().domains.items() for c in d.categories}
        self.moves = {
            status: [t.action for t in service.TRANSITIONS.values() if status in t.sources] for status in STATUSES
        }

    def light(self, deadline, status: str) -> str | None:
        """The same answer as ``core.platform.calendar.light``, from today's window (no calendar walk per row)."""
        if status not in OPEN_STATUSES:
            return None
        if deadline is None:
            return "green"
        if deadline < self.window.today:
            return "red"
        return "yellow" if deadline <= self.window.yellow_until else "green"

    def __call__(self, problem) -> dict:
        if hasattr(problem, "_mapping"):  # a row of the list's column select
            data = dict(problem._mapping)
        else:
            data = {name: getattr(problem, name) for name in SHOWN_COLUMNS}
        status, domain = data["status"], data["domain"]
        unit = self.caller.unit(data["unit_id"])
        data.update(
            source_name=SOURCES.get(data["source"], data["source"]),
            domain_name=self.domains.get(domain, domain),
            category_name=self.categories.get((domain, data["category"]), data["category"]),
            unit_name=unit.name if unit else "",
            phase_name=self.phases.get(data["phase"], data["phase"]),
            status_name=STATUSES[status],
            light=self.light(data["deadline"], status),
            allowed_moves=[m for m in self.moves[status] if not (m == "sign" and data["signed_at"] is not None)],
        )
        return data


def present(problem: Problem, caller: service.Caller, today=None) -> dict:
    """A problem as the API shows it: stored fields plus names, light and the moves open to it."""
    return Presenter(caller, today)(problem)


def _etagged(problem: Problem, body: dict, status: int = 200):
    return body, status, {"ETag": service.etag(problem)}


def _rows(model, problem_id):
    return list(db.session.scalars(select(model).where(model.problem_id == problem_id).order_by(model.id)))


def detail(problem: Problem, caller: service.Caller) -> dict:
    data = present(problem, caller)
    data["repeats"] = service.repeats(problem)
    data["notes"] = NoteSchema(many=True).dump(_rows(ProgressNote, problem.id))
    data["attachments"] = AttachmentSchema(many=True).dump(_rows(Attachment, problem.id))
    data["extensions"] = ExtensionSchema(many=True).dump(_rows(Extension, problem.id))
    data["referrals"] = ReferralSchema(many=True).dump(_rows(Referral, problem.id))
    return data


@blp.tenant_route("/problems")
class Problems(MethodView):
    @require(*READERS)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, ProblemPageSchema)
    def get(self, args):
        """List the ledger with filters, sorted by deadline or number, one keyset page at a time."""
        caller = service.Caller.current()
        today = service.today_in_shanghai()
        window = ledger_query.light_window(caller, today)
        rows, cursor = ledger_query.page(
            caller, args, window, args["sort"], args["limit"], args.get("cursor"), LIST_COLUMNS
        )
        # The hot path of the ledger: rows are turned into JSON directly rather than through the schema, which
        # documents the same shape (ProblemPageSchema) and is checked against it in the tests.
        presenter = Presenter(caller, today)
        body = orjson.dumps(listing([presenter(p) for p in rows], total=None, next_cursor=cursor))
        return current_app.response_class(body, mimetype="application/json")

    @require(*WRITERS)
    @blp.arguments(ProblemCreateSchema)
    @blp.response(201, ProblemSchema)
    def post(self, args):
        """Record a problem (待交办) for the caller's unit or a unit below it."""
        caller = service.Caller.current()
        problem = service.create_problem(caller, args)
        return _etagged(problem, present(problem, caller), 201)


@blp.tenant_route("/problems/counts")
@require(*READERS)
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, CountsSchema)
def problem_counts(args):
    """Counts by status and by light for the same filters as the list."""
    caller = service.Caller.current()
    return ledger_query.counts(caller, args, ledger_query.light_window(caller, service.today_in_shanghai()))


@blp.tenant_route("/problems/<int:problem_id>")
class ProblemItem(MethodView):
    @require(*READERS)
    @blp.response(200, ProblemDetailSchema)
    def get(self, problem_id):
        """One problem with its notes, evidence, extensions and referrals; the ETag is its version."""
        caller = service.Caller.current()
        problem = service.get_problem(caller, problem_id)
        return _etagged(problem, detail(problem, caller))

    @require(*WRITERS)
    @blp.arguments(ProblemUpdateSchema)
    @blp.response(200, ProblemSchema)
    def patch(self, args, problem_id):
        """Change an open problem's fields; needs If-Match with the current ETag (412 if stale, 428 if missing)."""
        caller = service.Caller.current()
        problem = service.get_problem(caller, problem_id)
        problem = service.update_problem(caller, problem, args, request.headers.get("If-Match"))
        return _etagged(problem, present(problem, caller))


@blp.tenant_route("/problems/<int:problem_id>/actions/<action>", methods=["POST"])
@require(*WRITERS)
@blp.arguments(ActionSchema)
@blp.response(200, ProblemSchema)
def problem_action(args, problem_id, action):
    """Move a problem along its lifecycle.

    assign 交办, sign 签收, submit 提交验收, close 销号, return 退回, ongoing 长期坚持, dismiss 不予立项.

    Needs If-Match. A move the current state does not allow is refused with 409 naming the state and the moves
    that are allowed.
    """
    caller = service.Caller.current()
    problem = service.get_problem(caller, problem_id)
    problem = service.transition(caller, problem, action, args, request.headers.get("If-Match"))
    return _etagged(problem, present(problem, caller))


NOTICE_ISSUERS = ("city_admin", "city_supervisor", "tenant_admin", "reviewer")


@blp.tenant_route("/problems/<int:problem_id>/notice", methods=["POST"])
@require(*NOTICE_ISSUERS)
@blp.response(201, IssuedDocumentSchema)
def issue_problem_notice(problem_id):
    """发出整改通知书：在本局发文登记中取下一个文号（如 北市监改〔2026〕3号），留痕于问题的历史。

    同一问题再发，答原文号。
    """
    caller = service.Caller.current()
    problem = service.get_problem(caller, problem_id)
    issued = documents.issue_notice(caller.tenant, problem, caller.actor, service.today_in_shanghai())
    return {**{c: getattr(issued, c) for c in REGISTER_FIELDS}, "kind_label": "整改通知书"}


@blp.tenant_route("/problems/<int:problem_id>/notice.docx")
@require(*READERS)
@blp.response(200, description="整改通知书（Word 文档）")
def problem_notice(problem_id):
    """下载已发出的整改通知书（.docx，公文版式）；未发出时 404。"""
    caller = service.Caller.current()
    problem = service.get_problem(caller, problem_id)
    return send_docx(documents.notice_docx(caller.tenant, problem), documents.notice_filename(problem))


@blp.tenant_route("/problems/<int:problem_id>/notice.pdf")
@require(*READERS)
@blp.response(200, description="整改通知书的 PDF 预览")
@blp.alt_response(409, description="服务器未安装 PDF 转换程序，请下载 Word 文件")
def problem_notice_pdf(problem_id):
    """整改通知书的 PDF 预览（服务器端由 LibreOffice 离线生成）。"""
    caller = service.Caller.current()
    problem = service.get_problem(caller, problem_id)
    return send_pdf(documents.notice_docx(caller.tenant, problem), documents.notice_filename(problem))


@blp.tenant_route("/problems/<int:problem_id>/history")
@require(*READERS)
@blp.response(200, list_schema(EventSchema))
def problem_history(problem_id):
    """Every event of the problem from the audit chain, oldest first."""
    caller = service.Caller.current()
    problem = service.get_problem(caller, problem_id)
    events = chain.history(problem.id)
    registry = current_app.extensions["xingfeng"]
    ids = {int(e.actor.split(":")[1]) for e in events if e.actor.startswith("user:")}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    out = []

    for e in events:
        body = json.loads(e.body)
        who = names.get(int(e.actor.split(":")[1])) if e.actor.startswith("user:") else None
        out.append(
            {"seq": e.seq, "at": e.at, "actor": e.actor, "actor_name": who or e.actor, "kind": e.kind,
             "label": registry.event_label(e.kind), "data": body["data"], "hash": e.hash}
        )  # fmt: skip
    return listing(out)


@blp.tenant_route("/problems/<int:problem_id>/notes")
class Notes(MethodView):
    @require(*READERS)
    @blp.response(200, list_schema(NoteSchema))
    def get(self, problem_id):
        """The problem's progress notes (整改进展)."""
        problem = service.get_problem(service.Caller.current(), problem_id)
        return listing(_rows(ProgressNote, problem.id))

    @require(*WRITERS)
    @blp.arguments(NoteSchema)
    @blp.response(201, NoteSchema)
    def post(self, args, problem_id):
        """Report progress on an open problem."""
        caller = service.Caller.current()
        problem = service.get_problem(caller, problem_id)
        return service.add_note(caller, problem, args["text"])


@blp.tenant_route("/problems/<int:problem_id>/attachments")
class Attachments(MethodView):
    @require(*READERS)
    @blp.response(200, list_schema(AttachmentSchema))
    def get(self, problem_id):
        """The problem's evidence files (佐证材料)."""
        problem = service.get_problem(service.Caller.current(), problem_id)
        return listing(_rows(Attachment, problem.id))

    @require(*WRITERS)
    @blp.arguments(UploadFormSchema, location="form")
    @blp.arguments(UploadSchema, location="files")
    @blp.response(201, AttachmentSchema)
    def post(self, form, files, problem_id):
        """Upload an evidence file (photo, PDF, Office document, OFD); its type is checked by content."""
        caller = service.Caller.current()
        problem = service.get_problem(caller, problem_id)
        upload = files["file"]
        return service.add_attachment(caller, problem, upload.stream, upload.filename or "", form.get("note_id"))


@blp.tenant_route("/problems/<int:problem_id>/attachments/<int:attachment_id>")
@require(*READERS)
@blp.response(200)
def download_attachment(problem_id, attachment_id):
    """Download an evidence file: always as an attachment, never rendered inline."""
    caller = service.Caller.current()
    problem = service.get_problem(caller, problem_id)
    attachment = service.get_attachment(caller, problem, attachment_id)
    return service.send_evidence(attachment.sha256, attachment.content_type, attachment.filename)


@blp.tenant_route("/problems/<int:problem_id>/extensions", methods=["POST"])
@require(*WRITERS)
@blp.arguments(ExtensionRequestSchema)
@blp.response(201, ExtensionSchema)
def request_extension(args, problem_id):
    """Ask for a later deadline (延期), before the current one passes."""
    caller = service.Caller.current()
    problem = service.get_problem(caller, problem_id)
    return service.request_extension(caller, problem, args["new_deadline"], args["reason"])


@blp.tenant_route("/problems/<int:problem_id>/extensions/<int:extension_id>/decision", methods=["POST"])
@require(*WRITERS)
@blp.arguments(ExtensionDecisionSchema)
@blp.response(200, ExtensionSchema)
def decide_extension(args, problem_id, extension_id):
    """Approve or reject an extension request (the closing level decides)."""
    caller = service.Caller.current()
    problem = service.get_problem(caller, problem_id)
    return service.decide_extension(caller, problem, extension_id, args["approve"], args["note"])


@blp.tenant_route("/problems/<int:problem_id>/referrals", methods=["POST"])
@require(*WRITERS)
@blp.arguments(ReferralSchema)
@blp.response(201, ReferralSchema)
def add_referral(args, problem_id):
    """Record a referral to discipline inspection (移送纪检监察); the problem goes on."""
    caller = service.Caller.current()
    problem = service.get_problem(caller, problem_id)
    return service.add_referral(caller, problem, args)


@blp.tenant_route("/ledger/local-fields")
class LocalFields(MethodView):
    @require(*READERS)
    @blp.response(200, LocalFieldSetSchema)
    def get(self):
        """The tenant's own problem fields (newest version)."""
        current = local_fields.current()
        return current or {"version": 0, "fields": []}

    @require("city_admin", "tenant_admin")
    @blp.arguments(LocalFieldSetSchema)
    @blp.response(200, LocalFieldSetSchema)
    def put(self, args):
        """Define the tenant's own fields as a new version; problems keep the version they were written under."""
        actor = service.Caller.current().actor
        fieldset = local_fields.define(args["fields"], actor)
        chain.append("ledger.local_fields_defined", actor, {"version": fieldset.version, "fields": args["fields"]})
        return fieldset


@blp.route("/ledger/vocabulary")
@require(tenant=False)
@blp.response(200)
def vocabulary():
    """The ledger's fixed lists with Chinese names: sources, statuses, lights, types, severities."""

    return {
        "sources": SOURCES,
        "statuses": STATUSES,
        "lights": LIGHTS,
        "rectification_types": RECTIFICATION_TYPES,
        "severities": SEVERITIES,
        "phases": service.phase_names(),
        "transitions": {
            t.action: {"label": t.label, "from": t.sources, "to": t.target} for t in service.TRANSITIONS.values()
        },
    }
