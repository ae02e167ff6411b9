"""Pages of random-inspection tasks (双随机抽查): the list, and a task with its pools, draw, results and publication.

They use the same services as the API; each answers 404 where daily supervision is off at the user's unit.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError

from core.plugin_api import Caller, ImportRefused, PageBlueprint, ServiceError, db, flash_refusal, may_record
from plugins.supervision import service
from plugins.supervision.api import READERS, WRITERS
from plugins.supervision.models import OUTCOMES, TASK_STATUSES
from plugins.supervision.schemas import (
    SupervisionDrawSchema,
    SupervisionEnterpriseSchema,
    SupervisionInspectorSchema,
    SupervisionPublicationSchema,
    SupervisionResultsSchema,
    SupervisionTaskCreateSchema,
)

#: The supervision pages, mounted by the core behind the per-unit check (404 where the domain is off).
blp = PageBlueprint("supervision_pages", __name__, template_folder="templates")

DOMAIN = "supervision"


def _prefix() -> str:
    slug = g.get("tenant_slug")
    return f"/tenants/{slug}" if slug else ""


def _load(schema: Schema, data: dict):
    """Validate a form as the API validates its body; a refusal names each field."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        fields: dict[str, list[str]] = {}

        def walk(prefix: str, value) -> None:
            if isinstance(value, dict):  # nested: results.0.outcome
                for key, inner in value.items():
                    walk(f"{prefix}.{key}" if prefix else str(key), inner)
            else:
                name = prefix.split(".")[-1]
                fld = schema.fields.get(name)
                label = fld.metadata.get("label", name) if fld is not None else _labels.get(name, name)
                texts = value if isinstance(value, list) else [value]
                fields[prefix] = [f"{label}：{text}" for text in texts]

        walk("", exc.messages)
        raise ServiceError(_("输入有误，请按字段提示修改"), fields) from exc


#: labels of nested fields (results.N.outcome) for refusals told on the page
_labels = {"credit_code": "统一社会信用代码", "outcome": "检查结果", "findings": "检查发现"}


def _task_url(task_id: int) -> str:
    return f"{_prefix()}/supervision/tasks/{task_id}"


def _tasks():
    caller = Caller.current()
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict()
    if request.method == "POST":
        if g.user.role not in WRITERS:
            from flask import abort

            abort(403)
        data = {k: v for k, v in values.items() if k != "csrf_token" and v != ""}
        for key in ("unit_id", "target_count", "inspectors_per_target"):
            if key in data:
                try:
                    data[key] = int(data[key])
                except ValueError:
                    pass  # the schema names it
        try:
            task = service.create_task(caller, _load(SupervisionTaskCreateSchema(), data))
            flash(_("已建立抽查任务，请填写名录库后抽取"), "success")
            return redirect(_task_url(task.id))
        except ServiceError as error:
            db.session.rollback()
            errors = error.fields or {"_": [error.message]}
    names = {u.id: u.name for u in caller.units}
    tasks = [service.summary(t, names.get(t.unit_id, "")) for t in service.list_tasks(caller)]
    units = [u for u in caller.units if DOMAIN in caller.enabled_domains(u)]
    if g.user.role == "officer":
        units = [u for u in units if may_record(g.user, u.id, caller.units)]
    return render_template(
        "supervision/tasks.html",
        tasks=tasks,
        units=units,
        values=values,
        errors=errors,
        writer=g.user.role in WRITERS,
        prefix=_prefix(),
    ), (422 if errors else 200)


@blp.tenant_page("/supervision/tasks", *READERS, methods=["GET", "POST"])
def supervision_tasks():
    return _tasks()


@blp.tenant_page("/supervision/tasks/<int:task_id>", *READERS)
def supervision_task(task_id):
    caller = Caller.current()
    task = service.get_task(caller, task_id)
    return render_template(
        "supervision/task.html",
        t=service.detail(caller, task),
        outcomes=OUTCOMES,
        statuses=TASK_STATUSES,
        writer=g.user.role in WRITERS,
        prefix=_prefix(),
    )


def _act(task_id: int, work) -> object:
    """Run one change on a task from a form; refusals are told on the task page."""
    caller = Caller.current()
    task = service.get_task(caller, task_id)  # 404 outside the caller's view
    try:
        message = work(caller, task)
        flash(message, "success")
    except ServiceError as error:
        flash_refusal(error)
    return redirect(_task_url(task_id))


def _pool(kind: str, task_id: int):
    def work(caller, task):
        upload = request.files.get("file")
        replace = request.form.get("replace") == "1"
        if upload is not None and upload.filename:
            try:
                added = service.import_pool(task, kind, upload.stream, upload.filename, replace)
            except ImportRefused as refused:
                rows = {
                    f"{r['row']}.{r['column']}": [_("第%(row)s行%(column)s：%(message)s", **r)] for r in refused.rows
                }
                raise ServiceError(refused.message, rows) from refused
        else:
            schema = SupervisionEnterpriseSchema() if kind == "enterprises" else SupervisionInspectorSchema()
            keys = ("name", "credit_code", "address") if kind == "enterprises" else ("name", "card_number", "unit_name")
            row = _load(schema, {k: request.form.get(k, "") for k in keys if request.form.get(k, "") or k == keys[1]})
            adder = service.add_enterprises if kind == "enterprises" else service.add_inspectors
            added = adder(task, [row])
        return _("已加入名录库 %(n)s 条", n=added)

    return _act(task_id, work)


@blp.tenant_page("/supervision/tasks/<int:task_id>/enterprises", *WRITERS, methods=["POST"])
def supervision_enterprises(task_id):
    return _pool("enterprises", task_id)


@blp.tenant_page("/supervision/tasks/<int:task_id>/inspectors", *WRITERS, methods=["POST"])
def supervision_inspectors(task_id):
    return _pool("inspectors", task_id)


@blp.tenant_page("/supervision/tasks/<int:task_id>/draw", *WRITERS, methods=["POST"])
def supervision_draw(task_id):
    def work(caller, task):
        seed = request.form.get("seed", "").strip()
        args = _load(SupervisionDrawSchema(), {"seed": seed} if seed else {})
        service.run_draw(caller, task, args.get("seed"))
        return _("已抽取，随机种子：%(seed)s", seed=task.seed)

    return _act(task_id, work)


@blp.tenant_page("/supervision/tasks/<int:task_id>/results", *WRITERS, methods=["POST"])
def supervision_results(task_id):
    def work(caller, task):
        detail = service.detail(caller, task)
        results = []
        for target in detail["targets"]:
            outcome = request.form.get(f"outcome_{target['id']}", "")
            if outcome:
                findings = request.form.get(f"findings_{target['id']}", "")
                results.append({"credit_code": target["credit_code"], "outcome": outcome, "findings": findings})
        body = {"results": results, "inspection_ended_on": request.form.get("inspection_ended_on", "")}
        service.record_results(caller, task, _load(SupervisionResultsSchema(), body))
        return _("已登记检查结果")

    return _act(task_id, work)


@blp.tenant_page("/supervision/tasks/<int:task_id>/publication", *WRITERS, methods=["POST"])
def supervision_publication(task_id):
    def work(caller, task):
        body = {"published_on": request.form.get("published_on", ""), "channel": request.form.get("channel", "")}
        service.publish(caller, task, _load(SupervisionPublicationSchema(), body))
        if task.late_problem_id:
            return _("已登记公示；公示超过20个工作日，已自动登记问题")
        return _("已登记公示")

    return _act(task_id, work)
