"""The oversight API: supervision orders, accountability measures, self-checks (举一反三), notifications and
information reporting (with file uploads).

Tenant users use ``/api/v1/oversight/...``; city users ``/api/v1/tenants/<tenant>/oversight/...`` (see docs/api.md).
"""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from sqlalchemy import select

from core.auth.guard import object_loader, require
from core.auth.models import TENANT_ROLES
from core.documents.delivery import send_docx, send_pdf
from core.ledger.api import READERS
from core.ledger.schemas import TenantSettingsSchema
from core.ledger.service import Caller, get_problem, send_evidence
from core.oversight import documents, notify, service
from core.oversight.models import CitySelfCheck, ReportingTask
from core.oversight.schemas import (
    AccountabilityMeasureSchema,
    CitySelfCheckCreateSchema,
    CitySelfCheckSchema,
    NotificationReadSchema,
    OversightNotificationListSchema,
    ReportingMatrixRowSchema,
    ReportingTaskChangeSchema,
    ReportingTaskCreateSchema,
    ReportingTaskSchema,
    ReportSubmissionCreateSchema,
    ReportSubmissionFormSchema,
    ReportSubmissionSchema,
    ReportSubmissionWithFilesSchema,
    ReportUploadSchema,
    SelfCheckAnswerCreateSchema,
    SelfCheckAnswerSchema,
    SelfCheckCreateSchema,
    SelfCheckMatrixRowSchema,
    SelfCheckSchema,
    SupervisionOrderAnswerSchema,
    SupervisionOrderCreateSchema,
    SupervisionOrderQuerySchema,
    SupervisionOrderSchema,
)
from core.oversight.service import change_thresholds, tenant_thresholds
from core.platform.api import Blueprint, list_schema, listing
from core.platform.db import db
from core.platform.errors import FieldError, NotFound

blp = Blueprint("oversight", __name__, url_prefix="/api/v1", description="督办、问责、信息报送与通知")

RECEIVERS = ("tenant_admin", "officer")
CITY = ("city_admin", "city_supervisor")


@object_loader("order_id")
def _order_exists(order_id: int) -> bool:
    try:
        service.get_order(Caller.current(), order_id)
    except NotFound:
        return False
    return True


@object_loader("task_id")
def _task_exists(task_id: int) -> bool:
    task = db.session.get(ReportingTask, task_id)
    tenant = g.get("tenant")
    return task is not None and (tenant is None or tenant.id in (task.tenant_ids or []))


@object_loader("check_id")
def _self_check_exists(check_id: int) -> bool:
    try:
        service.get_self_check(Caller.current(), check_id)
    except NotFound:
        return False
    return True


@object_loader("city_check_id")
def _city_self_check_exists(city_check_id: int) -> bool:
    city_check = db.session.get(CitySelfCheck, city_check_id)
    tenant = g.get("tenant")
    return city_check is not None and (tenant is None or tenant.id in (city_check.tenant_ids or []))


def _order(order, caller: Caller) -> dict:
    data = {name: getattr(order, name) for name in SupervisionOrderSchema().fields if name != "light"}
    data["light"] = service.order_light(order, caller.tenant)
    return data


@blp.tenant_route("/oversight/orders")
class SupervisionOrders(MethodView):
    @require(*READERS)
    @blp.arguments(SupervisionOrderQuerySchema, location="query")
    @blp.response(200, list_schema(SupervisionOrderSchema))
    def get(self, args):
        """督办单 the caller may see (its unit and below; the whole tenant for city and tenant admins)."""
        caller = Caller.current()
        return listing([_order(o, caller) for o in service.list_orders(caller, args.get("status"))])

    @require(*service.ISSUERS)
    @blp.arguments(SupervisionOrderCreateSchema)
    @blp.response(201, SupervisionOrderSchema)
    def post(self, args):
        """Issue a 督办单 on a problem (to its responsible unit) or on a unit."""
        caller = Caller.current()
        return _order(service.issue_order(caller, args), caller)


@blp.tenant_route("/oversight/orders/<int:order_id>")
@require(*READERS)
@blp.response(200, SupervisionOrderSchema)
def supervision_order(order_id):
    """One 督办单 with its light."""
    caller = Caller.current()
    return _order(service.get_order(caller, order_id), caller)


@blp.tenant_route("/oversight/orders/<int:order_id>/document.docx")
@require(*READERS)
@blp.response(200, description="督办单（Word 文档）")
def supervision_order_document(order_id):
    """督办单（.docx，公文版式）：编号、督办事项、督办要求、办理时限、承办单位，附回执。"""
    order = service.get_order(Caller.current(), order_id)
    return send_docx(documents.order_docx(g.tenant, order), documents.order_filename(order))


@blp.tenant_route("/oversight/orders/<int:order_id>/document.pdf")
@require(*READERS)
@blp.response(200, description="督办单的 PDF 预览")
@blp.alt_response(409, description="服务器未安装 PDF 转换程序，请下载 Word 文件")
def supervision_order_pdf(order_id):
    """督办单的 PDF 预览（服务器端由 LibreOffice 离线生成）。"""
    order = service.get_order(Caller.current(), order_id)
    return send_pdf(documents.order_docx(g.tenant, order), documents.order_filename(order))


@blp.tenant_route("/oversight/orders/<int:order_id>/acknowledge", methods=["POST"])
@require(*RECEIVERS)
@blp.response(200, SupervisionOrderSchema)
def acknowledge_supervision_order(order_id):
    """签收: the receiving unit confirms it has the order."""
    caller = Caller.current()
    return _order(service.acknowledge_order(caller, service.get_order(caller, order_id)), caller)


@blp.tenant_route("/oversight/orders/<int:order_id>/answer", methods=["POST"])
@require(*RECEIVERS)
@blp.arguments(SupervisionOrderAnswerSchema)
@blp.response(200, SupervisionOrderSchema)
def answer_supervision_order(args, order_id):
    """回复: the receiving unit answers; after the deadline the answer stays late."""
    caller = Caller.current()
    return _order(service.answer_order(caller, service.get_order(caller, order_id), args["answer"]), caller)


@blp.tenant_route("/oversight/accountability")
class AccountabilityMeasures(MethodView):
    @require(*service.MEASURE_READERS)
    @blp.response(200, list_schema(AccountabilityMeasureSchema))
    def get(self):
        """问责 records of the tenant: interviews, criticism and accountability measures."""
        return listing(service.list_measures())

    @require(*service.MEASURE_RECORDERS)
    @blp.arguments(AccountabilityMeasureSchema)
    @blp.response(201, AccountabilityMeasureSchema)
    def post(self, args):
        """Record an interview (约谈), a criticism or an accountability measure with its linked problems and orders."""
        return service.record_measure(Caller.current(), args)


def _source_problem(caller: Caller, args: dict):
    try:
        return get_problem(caller, args["problem_id"])
    except NotFound:
        raise FieldError("problem_id", "未找到该问题") from None


def _self_check(check, with_answers: bool = False) -> dict:
    answers = service.self_check_answers(check)
    data = {name: getattr(check, name) for name in SelfCheckSchema().fields if hasattr(check, name)}
    data.update(answered=sum(1 for a in answers if a.answer), total=len(answers))
    if with_answers:
        data["answers"] = answers
    return data


@blp.tenant_route("/oversight/self-checks")
class SelfChecks(MethodView):
    @require(*READERS)
    @blp.response(200, list_schema(SelfCheckSchema))
    def get(self):
        """举一反三 the caller sees (those sent to its unit and below; all of the tenant for tenant and city roles),
        with how many of the chosen units have answered."""
        return listing([_self_check(c) for c in service.visible_self_checks(Caller.current())])

    @require("tenant_admin", "reviewer")
    @blp.arguments(SelfCheckCreateSchema)
    @blp.response(201, SelfCheckSchema)
    def post(self, args):
        """A county's 举一反三 from one of its problems to chosen units of its own (a reviewer: below its unit)."""
        caller = Caller.current()
        return _self_check(service.create_self_check(caller, _source_problem(caller, args), args), True)


@blp.tenant_route("/oversight/self-checks/<int:check_id>")
@require(*READERS)
@blp.response(200, SelfCheckSchema)
def self_check(check_id):
    """One 举一反三 with every chosen unit's answer (null: not answered yet)."""
    return _self_check(service.get_self_check(Caller.current(), check_id), True)


@blp.tenant_route("/oversight/self-checks/<int:check_id>/answer", methods=["POST"])
@require(*RECEIVERS)
@blp.arguments(SelfCheckAnswerCreateSchema)
@blp.response(200, SelfCheckAnswerSchema)
def answer_self_check(args, check_id):
    """A chosen unit answers 无此问题 (``none``) or names the problem it recorded (``problem`` + ``problem_id``)."""
    caller = Caller.current()
    check = service.get_self_check(caller, check_id)
    return service.answer_self_check(caller, check, args.get("unit_id", caller.user.unit_id), args)


@blp.tenant_route("/oversight/city-self-checks", methods=["POST"])
@require("city_supervisor")
@blp.arguments(CitySelfCheckCreateSchema)
@blp.response(201, CitySelfCheckSchema)
def create_city_self_check(args):
    """The city's 举一反三 from a problem of the named tenant to chosen tenants (each bureau's root unit answers)."""
    caller = Caller.current()
    return service.create_city_self_check(caller, _source_problem(caller, args), args)


@blp.route("/city-self-checks")
@require(*CITY, tenant=False)
@blp.response(200, list_schema(CitySelfCheckSchema))
def city_self_checks():
    """The city's 举一反三, newest first."""
    return listing(db.session.scalars(select(CitySelfCheck).order_by(CitySelfCheck.id.desc())).all())


@blp.route("/city-self-checks/<int:city_check_id>/matrix")
@require(*CITY, tenant=False)
@blp.response(200, list_schema(SelfCheckMatrixRowSchema))
def city_self_check_matrix(city_check_id):
    """The city's matrix: for each chosen tenant, its answer (none / problem) or pending — who has not answered."""
    return listing(service.city_self_check_matrix(db.session.get(CitySelfCheck, city_check_id)))


@blp.route("/notifications")
class Notifications(MethodView):
    @require(tenant=False)
    @blp.response(200, OversightNotificationListSchema)
    def get(self):
        """The caller's own in-app notifications, newest first, with the unread count."""
        return listing(notify.list_for(g.user), unread=notify.unread_count(g.user))

    @require(tenant=False)
    @blp.arguments(NotificationReadSchema)
    @blp.response(200, OversightNotificationListSchema)
    def post(self, args):
        """Mark one notification (``id``) or all of them read."""
        notify.mark_read(g.user, args.get("id"))
        return listing(notify.list_for(g.user), unread=notify.unread_count(g.user))


def _reporting_task(task: ReportingTask) -> dict:
    """A task as the caller sees it: a tenant (a tenant user's own, or the one a city user names) gets its own
    ``state``; the city without a tenant sees every tenant the task concerns and no state."""
    row = {name: getattr(task, name) for name in ReportingTaskSchema().fields if hasattr(task, name)}
    tenant = g.get("tenant")
    if tenant is None:
        row["state"] = None
    else:
        row["state"] = service.submission_state(task, service.submission_of(task))
        if not g.user.is_city:
            row["tenant_ids"] = [tenant.id]  # which other tenants are asked is the city's business
    return row


def _task(task_id: int) -> ReportingTask:
    tenant = g.get("tenant")
    if tenant is not None:
        return service.get_task_for_tenant(tenant, task_id)
    task = db.session.get(ReportingTask, task_id)
    if task is None:
        raise NotFound("未找到该报送任务")
    return task


@blp.tenant_route("/reporting/tasks")
@require(*READERS, tenant=False)
@blp.response(200, list_schema(ReportingTaskSchema))
def reporting_tasks():
    """信息报送 tasks that apply to the tenant, with its own state for each (open and closed); a city user without a
    tenant in the path gets every task (``state`` null)."""
    tenant = g.get("tenant")
    tasks = service.tasks_for_tenant(tenant) if tenant is not None else service.all_tasks()
    return listing([_reporting_task(task) for task in tasks])


@blp.route("/reporting/tasks", methods=["POST"])
@require(*service.REPORT_MANAGERS, tenant=False)
@blp.arguments(ReportingTaskCreateSchema)
@blp.response(201, ReportingTaskSchema)
def create_reporting_task(args):
    """The city sets a task for chosen tenants (``tenant_ids``); their liaisons are told. A ``due_on`` before today
    (a task recorded afterwards) needs ``confirm_past_due: true``, else 422 naming ``due_on``."""
    return _reporting_task(service.create_task(g.user, args))


@blp.tenant_route("/reporting/tasks/<int:task_id>")
@require(*READERS, tenant=False)
@blp.response(200, ReportingTaskSchema)
def reporting_task(task_id):
    """One task (404 when it does not concern the tenant), with the tenant's state."""
    return _reporting_task(_task(task_id))


@blp.route("/reporting/tasks/<int:task_id>", methods=["PATCH"])
@require(*service.REPORT_MANAGERS, tenant=False)
@blp.arguments(ReportingTaskChangeSchema)
@blp.response(200, ReportingTaskSchema)
def change_reporting_task(args, task_id):
    """Change an open task: the fields given; a new past ``due_on`` needs ``confirm_past_due: true``; a tenant that
    has submitted cannot be taken off (409), nor the kind changed once anyone submitted (409); closed: 409."""
    return _reporting_task(service.change_task(g.user, _task(task_id), args))


@blp.route("/reporting/tasks/<int:task_id>/close", methods=["POST"])
@require(*service.REPORT_MANAGERS, tenant=False)
@blp.response(200, ReportingTaskSchema)
def close_reporting_task(task_id):
    """Close a task (已关闭): no further submissions or returns; what was submitted stays. Twice: 409."""
    return _reporting_task(service.close_task(g.user, _task(task_id)))


@blp.tenant_route("/reporting/tasks/<int:task_id>/submission", methods=["POST"])
@require(*TENANT_ROLES)
@blp.arguments(ReportSubmissionCreateSchema)
@blp.response(201, ReportSubmissionSchema)
def submit_report(args, task_id):
    """The tenant's liaison (联络员) submits text, or resubmits after a return (with files: ``.../upload``)."""
    task = service.get_task_for_tenant(g.tenant, task_id)
    return service.submit_report(Caller.current(), task, args["text"], [])


@blp.tenant_route("/reporting/tasks/<int:task_id>/submission/upload", methods=["POST"])
@require(*TENANT_ROLES)
@blp.arguments(ReportSubmissionFormSchema, location="form")
@blp.arguments(ReportUploadSchema, location="files")
@blp.response(201, ReportSubmissionWithFilesSchema)
def upload_report(form, files, task_id):
    """The liaison submits (or resubmits) as multipart/form-data: ``text`` and any number of ``files``; each file's
    type is checked by content. A resubmission keeps the files sent before and adds the new ones."""
    task = service.get_task_for_tenant(g.tenant, task_id)
    uploads = [(f.stream, f.filename or "") for f in files["files"] if f]
    try:
        return service.submit_report(Caller.current(), task, form["text"], uploads)
    except FieldError as error:
        if "file" in error.fields:  # the evidence store names its one upload "file"; here they are "files"
            error.fields = {"files": error.fields.pop("file"), **error.fields}
        raise


@blp.tenant_route("/reporting/tasks/<int:task_id>/submission")
@require(*READERS)
@blp.response(200, ReportSubmissionWithFilesSchema)
def report_submission(task_id):
    """The tenant's submission to the task, with its files (404 while nothing is submitted)."""
    row = service.submission_of(service.get_task_for_tenant(g.tenant, task_id))
    if row is None:
        raise NotFound("尚未报送")
    return row


@blp.tenant_route("/reporting/tasks/<int:task_id>/submission/files/<int:file_index>")
@require(*READERS)
@blp.response(200)
def report_submission_file(task_id, file_index):
    """Download a file of the submission (``file_index`` from 0 in ``files``): always as an attachment."""

    row = service.submission_of(service.get_task_for_tenant(g.tenant, task_id))
    files = row.files if row is not None else []
    if not 0 <= file_index < len(files or []):
        raise NotFound("未找到该文件")
    entry = files[file_index]
    return send_evidence(entry["sha256"], entry["content_type"], entry["filename"])


@blp.route("/reporting/tasks/<int:task_id>/matrix")
@require(*CITY, tenant=False)
@blp.response(200, list_schema(ReportingMatrixRowSchema))
def reporting_matrix(task_id):
    """The city's matrix: for each tenant the task applies to, submitted / late / returned / missing / pending."""
    task = db.session.get(ReportingTask, task_id)
    if task is None:
        raise NotFound("未找到该报送任务")
    return listing(service.reporting_matrix(task))


@blp.tenant_route("/ledger/settings")
class LedgerSettings(MethodView):
    @require(*READERS)
    @blp.response(200, TenantSettingsSchema)
    def get(self):
        """Deadline and oversight thresholds: yellow light, escalation, interview flags, reporting reminders."""
        return tenant_thresholds(g.tenant)

    @require("city_admin", "tenant_admin")
    @blp.arguments(TenantSettingsSchema)
    @blp.response(200, TenantSettingsSchema)
    def put(self, args):
        """Change any of the tenant's thresholds (the keys given); answers all of them."""
        return change_thresholds(g.tenant, Caller.current().actor, args)
