"""API of the supervision domain, mounted by the core under /api/v1/plugins/supervision/.

City users reach it under /api/v1/tenants/<tenant>/plugins/supervision/; it answers 404 wherever the domain is off
at the caller's unit. Views take ``**_url_values``: whatever path parameters the prefix adds (the core pops the
tenant slug before the view runs).
"""

from __future__ import annotations

from flask.views import MethodView

from core.plugin_api import ApiBlueprint as Blueprint
from core.plugin_api import (
    Caller,
    NotFound,
    USCCError,
    list_schema,
    listing,
    normalise_uscc,
    object_loader,
    require,
    validate_uscc,
)
from plugins.supervision import service
from plugins.supervision.schemas import (
    CreditCodeCheckArgsSchema,
    CreditCodeCheckResultSchema,
    SupervisionDrawSchema,
    SupervisionEnterprisePoolSchema,
    SupervisionInspectorPoolSchema,
    SupervisionPoolCountSchema,
    SupervisionPoolImportFileSchema,
    SupervisionPoolImportFormSchema,
    SupervisionPublicationSchema,
    SupervisionResultsSchema,
    SupervisionTaskCreateSchema,
    SupervisionTaskDetailSchema,
    SupervisionTaskSchema,
    SupervisionVerifySchema,
)

blp = Blueprint("supervision", __name__, description="日常监管")

#: who reads tasks (officers, reviewers and viewers: their unit and below) and who runs them
READERS = ("city_admin", "city_supervisor", "tenant_admin", "officer", "reviewer", "viewer")
WRITERS = ("tenant_admin", "officer")


@object_loader("supervision_task_id")
def _task_exists(task_id: int) -> bool:
    try:
        service.get_task(Caller.current(), task_id)
    except NotFound:
        return False
    return True


def check_credit_code(code: str) -> dict:
    """Normalise and validate a unified social credit code, reporting the first error and its position."""
    normalised = normalise_uscc(code)
    try:
        validate_uscc(normalised)
    except USCCError as error:
        return {"code": normalised, "valid": False, "error": error.messages[0], "position": error.position}
    return {"code": normalised, "valid": True, "error": None, "position": None}


@blp.route("/credit-code/check", methods=["POST"])
@blp.arguments(CreditCodeCheckArgsSchema)
@blp.response(200, CreditCodeCheckResultSchema)
def post_credit_code_check(args, **_url_values):
    """Check a unified social credit code (统一社会信用代码) before recording a problem."""
    # A malformed code is the answer here, not a bad request: the officer asked whether it is valid.
    # _url_values absorbs any path parameters of the prefix the core mounts us under (e.g. a tenant slug).
    return check_credit_code(args["code"])


def _detail(task):
    caller = Caller.current()
    return service.detail(caller, task)


@blp.route("/tasks")
class Tasks(MethodView):
    @require(*READERS)
    @blp.response(200, list_schema(SupervisionTaskSchema))
    def get(self, **_url_values):
        """List the random-inspection tasks (双随机抽查任务) of the caller's units, newest first."""
        caller = Caller.current()
        names = {u.id: u.name for u in caller.units}
        return listing([service.summary(t, names.get(t.unit_id, "")) for t in service.list_tasks(caller)])

    @require(*WRITERS)
    @blp.arguments(SupervisionTaskCreateSchema)
    @blp.response(201, SupervisionTaskDetailSchema)
    def post(self, args, **_url_values):
        """Open a task for a unit where daily supervision is enabled; its pools are filled next."""
        caller = Caller.current()
        return _detail(service.create_task(caller, args))


@blp.route("/tasks/<int:supervision_task_id>")
@require(*READERS)
@blp.response(200, SupervisionTaskDetailSchema)
def get_task(supervision_task_id, **_url_values):
    """A task with its pools, the draw (seed shown), the results and the publication."""
    return _detail(service.get_task(Caller.current(), supervision_task_id))


@blp.route("/tasks/<int:supervision_task_id>/enterprises", methods=["POST"])
@require(*WRITERS)
@blp.arguments(SupervisionEnterprisePoolSchema)
@blp.response(200, SupervisionPoolCountSchema)
def post_enterprises(args, supervision_task_id, **_url_values):
    """Add enterprises (name, 统一社会信用代码 checked by its check digit) to the pool; replace swaps the pool."""
    task = service.get_task(Caller.current(), supervision_task_id)
    added = service.add_enterprises(task, args["enterprises"], args["replace"])
    return _counts(task, added)


@blp.route("/tasks/<int:supervision_task_id>/inspectors", methods=["POST"])
@require(*WRITERS)
@blp.arguments(SupervisionInspectorPoolSchema)
@blp.response(200, SupervisionPoolCountSchema)
def post_inspectors(args, supervision_task_id, **_url_values):
    """Add enforcement officers (name, 执法证号) to the inspectors' pool; replace swaps the pool."""
    task = service.get_task(Caller.current(), supervision_task_id)
    added = service.add_inspectors(task, args["inspectors"], args["replace"])
    return _counts(task, added)


def _counts(task, added: int) -> dict:
    return {
        "added": added,
        "enterprises": len(service.enterprises_of(task)),
        "inspectors": len(service.inspectors_of(task)),
    }


def _import(kind: str, form: dict, files: dict, task_id: int) -> dict:
    task = service.get_task(Caller.current(), task_id)
    upload = files["file"]
    added = service.import_pool(task, kind, upload.stream, upload.filename or "", form["replace"])
    return _counts(task, added)


@blp.route("/tasks/<int:supervision_task_id>/enterprises/import", methods=["POST"])
@require(*WRITERS)
@blp.arguments(SupervisionPoolImportFormSchema, location="form")
@blp.arguments(SupervisionPoolImportFileSchema, location="files")
@blp.response(200, SupervisionPoolCountSchema)
def import_enterprises(form, files, supervision_task_id, **_url_values):
    """Import the enterprises' pool from .xlsx or CSV (columns 企业名称, 统一社会信用代码, 地址).

    Every bad cell is named by row and column and nothing is written unless every row is good.
    """
    return _import("enterprises", form, files, supervision_task_id)


@blp.route("/tasks/<int:supervision_task_id>/inspectors/import", methods=["POST"])
@require(*WRITERS)
@blp.arguments(SupervisionPoolImportFormSchema, location="form")
@blp.arguments(SupervisionPoolImportFileSchema, location="files")
@blp.response(200, SupervisionPoolCountSchema)
def import_inspectors(form, files, supervision_task_id, **_url_values):
    """Import the inspectors' pool from .xlsx or CSV (columns 姓名, 执法证号, 所在单位); all rows or none."""
    return _import("inspectors", form, files, supervision_task_id)


@blp.route("/tasks/<int:supervision_task_id>/draw", methods=["POST"])
@require(*WRITERS)
@blp.arguments(SupervisionDrawSchema)
@blp.response(200, SupervisionTaskDetailSchema)
def post_draw(args, supervision_task_id, **_url_values):
    """Draw the targets and their inspectors, once, with the given seed or a random one (recorded and shown).

    Algorithm ``hmac-sha256-v1`` (documented in docs/plugins.md): anyone with the seed and the pools can redo it.
    """
    caller = Caller.current()
    task = service.get_task(caller, supervision_task_id)
    return _detail(service.run_draw(caller, task, args.get("seed")))


@blp.route("/tasks/<int:supervision_task_id>/verify")
@require(*READERS)
@blp.response(200, SupervisionVerifySchema)
def get_verify(supervision_task_id, **_url_values):
    """Redo the recorded draw from its seed over the pools; ``matches`` tells whether it gives the recorded result."""
    return service.verify(service.get_task(Caller.current(), supervision_task_id))


@blp.route("/tasks/<int:supervision_task_id>/results", methods=["POST"])
@require(*WRITERS)
@blp.arguments(SupervisionResultsSchema)
@blp.response(200, SupervisionTaskDetailSchema)
def post_results(args, supervision_task_id, **_url_values):
    """Record the results of drawn targets (passed / problems found / not located) and the inspections' end."""
    caller = Caller.current()
    task = service.get_task(caller, supervision_task_id)
    service.record_results(caller, task, args)
    return _detail(task)


@blp.route("/tasks/<int:supervision_task_id>/publication", methods=["POST"])
@require(*WRITERS)
@blp.arguments(SupervisionPublicationSchema)
@blp.response(200, SupervisionTaskDetailSchema)
def post_publication(args, supervision_task_id, **_url_values):
    """Record the results' publication (公示); later than 20 working days after the end makes a ledger problem."""
    caller = Caller.current()
    task = service.get_task(caller, supervision_task_id)
    service.publish(caller, task, args)
    return _detail(task)
