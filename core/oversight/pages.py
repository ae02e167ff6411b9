"""Oversight pages: supervision orders (督办), accountability (问责), self-checks (举一反三), information reporting
(信息报送), published typical experiences and the notification list (with the unread count in the nav)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from core.auth.models import User
from core.documents.pages import send_document
from core.ledger import service as ledger
from core.ledger.api import READERS
from core.ledger.models import Problem
from core.oversight import documents, notify
from core.oversight import service as oversight
from core.oversight.models import (
    MEASURE_KINDS,
    ORDER_LEVELS,
    ORDER_STATUSES,
    REPORT_KINDS,
    SELF_CHECK_ANSWERS,
    SUBMISSION_STATUSES,
    TASK_STATUSES,
    CitySelfCheck,
    PublishedExperience,
    ReportingTask,
    SupervisionOrder,
)
from core.oversight.sweep import last_sweep
from core.platform.db import db, scoped_get, tenant_scope
from core.platform.errors import FieldError, NotFound, ServiceError
from core.platform.validators import parse_form_date
from core.tenancy.models import Tenant
from core.web.auth import page, tenant_page
from core.web.blueprint import blp

LIGHT_CLASSES = {"red": "danger", "yellow": "warning", "green": "success"}
CITY = ("city_admin", "city_supervisor")
MATRIX_STATES = {
    "submitted": "按时报送",
    "late": "逾期报送",
    "returned": "已退回修改",
    "missing": "逾期未报",
    "pending": "未报送",
    "none": "无此问题",
    "problem": "已登记问题",
}
MATRIX_CLASSES = {"submitted": "success", "late": "warning", "returned": "info", "missing": "danger",
                  "pending": "secondary", "none": "success", "problem": "primary"}  # fmt: skip


@blp.app_context_processor
def _oversight_nav() -> dict:
    """The unread notification count shown in the nav bar."""
    if not current_user.is_authenticated or g.get("user") is None:
        return {"unread_notifications": 0}
    try:
        return {"unread_notifications": notify.unread_count(g.user)}
    except Exception:  # noqa: BLE001 - an error page must render even when the session is unusable
        db.session.rollback()
        return {"unread_notifications": 0}


def _prefix() -> str:
    slug = g.get("tenant_slug")
    return f"/tenants/{slug}" if slug else ""


class _Names(dict):
    """User id -> name, looked up for the actors a page actually shows (never every user of the city)."""

    def __missing__(self, user_id: int) -> str | None:
        self[user_id] = db.session.scalar(select(User.name).where(User.id == user_id))
        return self[user_id]

    def get(self, user_id, default=None):
        return self[user_id] or default


def _names() -> dict[int, str]:
    return _Names()


def _who(actor: str | None, names: dict[int, str]) -> str:
    if not actor:
        return ""
    if actor.startswith("user:"):
        return names.get(int(actor.split(":")[1]), actor)
    return _("系统自动")


def _form_errors(error: ServiceError) -> dict[str, list[str]]:
    return error.fields or {"_": [error.message]}


def _problem_by_ref(caller: ledger.Caller, ref: str | None) -> Problem:
    """A problem named by its number (编号) or id, visible to the caller."""
    ref = (ref or "").strip()
    if not ref:
        raise FieldError("problem", _("请填写问题编号"))
    if ref.isdigit() and len(ref) < 19:
        problem_id = int(ref)
    else:
        problem_id = db.session.scalar(select(Problem.id).where(Problem.number == ref[:32]))
    try:
        return ledger.get_problem(caller, problem_id or 0)
    except NotFound:
        raise FieldError("problem", _("未找到该问题")) from None


# --- supervision orders -------------------------------------------------------------------------------------


@tenant_page("/oversight/orders", *READERS)
def oversight_orders():
    caller = ledger.Caller.current()
    status = request.args.get("status") or None
    if status not in (None, "open", *ORDER_STATUSES):
        status = None
    orders = oversight.list_orders(caller, status)
    today = ledger.today_in_shanghai()
    problems = {}
    ids = {o.problem_id for o in orders if o.problem_id}
    if ids:
        problems = {p.id: p for p in db.session.scalars(select(Problem).where(Problem.id.in_(ids)))}
    rows = [
        {"order": o, "light": oversight.order_light(o, caller.tenant, today), "unit": caller.unit(o.unit_id),
         "problem": problems.get(o.problem_id)}
        for o in orders
    ]  # fmt: skip
    return render_template(
        "web/oversight_orders.html", rows=rows, status=status, statuses=ORDER_STATUSES, levels=ORDER_LEVELS,
        light_classes=LIGHT_CLASSES, prefix=_prefix(), may_issue=g.user.role in oversight.ISSUERS,
        sweep=last_sweep(), tenant=caller.tenant,
    )  # fmt: skip


@tenant_page("/oversight/orders/new", *oversight.ISSUERS, methods=["GET", "POST"])
def oversight_order_new():
    caller = ledger.Caller.current()
    units = [u for u in caller.units if u.id in oversight.issuable_unit_ids(caller)]
    values = request.form.to_dict() if request.method == "POST" else request.args.to_dict()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = {"demand": values.get("demand"), "deadline": values.get("deadline")}
        try:
            if values.get("problem"):
                data["problem_id"] = _problem_by_ref(caller, values["problem"]).id
            else:
                data["unit_id"] = values.get("unit_id")
            order = oversight.issue_order(caller, data)
            flash(_("已下发督办单 %(number)s", number=order.number), "success")
            return redirect(f"{_prefix()}/oversight/orders/{order.id}")
        except ServiceError as error:
            db.session.rollback()
            errors = _form_errors(error)
            status = error.status
        return render_template(
            "web/oversight_order_new.html", units=units, values=values, errors=errors, prefix=_prefix()
        ), status
    return render_template("web/oversight_order_new.html", units=units, values=values, errors=errors, prefix=_prefix())


@tenant_page("/oversight/orders/<int:order_id>", *READERS, methods=["GET", "POST"])
def oversight_order(order_id):
    caller = ledger.Caller.current()
    order = oversight.get_order(caller, order_id)  # 404 outside the caller's view
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "acknowledge":
                oversight.acknowledge_order(caller, order)
                flash(_("已签收"), "success")
            elif action == "answer":
                oversight.answer_order(caller, order, request.form.get("answer"))
                flash(_("已回复"), "success")
            else:
                raise FieldError("action", _("不支持该操作"))
            return redirect(f"{_prefix()}/oversight/orders/{order.id}")
        except ServiceError as error:
            db.session.rollback()
            errors, status = _form_errors(error), error.status
            order = oversight.get_order(caller, order_id)
    problem = scoped_get(Problem, order.problem_id) if order.problem_id else None
    receiver = g.user.role in notify.UNIT_ROLES and g.user.unit_id == order.unit_id
    return render_template(
        "web/oversight_order.html", order=order, problem=problem, unit=caller.unit(order.unit_id),
        light=oversight.order_light(order, caller.tenant), light_classes=LIGHT_CLASSES, statuses=ORDER_STATUSES,
        levels=ORDER_LEVELS, receiver=receiver, errors=errors, names=_names(), who=_who, prefix=_prefix(),
    ), status  # fmt: skip


@blp.route("/city/orders")
@page(*CITY, tenant=False)
def oversight_city_orders():
    """Every tenant's supervision orders side by side (each tenant read in its own scope)."""
    today = ledger.today_in_shanghai()
    rows = []
    for tenant in db.session.scalars(select(Tenant).order_by(Tenant.id)).all():
        with tenant_scope(tenant.id):
            counts = db.session.execute(
                select(SupervisionOrder.status, SupervisionOrder.deadline < today, func.count(SupervisionOrder.id))
                .group_by(SupervisionOrder.status, SupervisionOrder.deadline < today)
            ).all()  # fmt: skip
        entry = {"slug": tenant.slug, "name": tenant.name, "open": 0, "overdue": 0, "answered": 0}
        for state, overdue, n in counts:
            if state == "answered":
                entry["answered"] += n
            else:
                entry["open"] += n
                entry["overdue"] += n if overdue else 0
        rows.append(entry)
    return render_template("web/oversight_city_orders.html", rows=rows, sweep=last_sweep())


# --- accountability -----------------------------------------------------------------------------------------


def _split_ids(value: str | None) -> list[str]:
    return [v for v in (value or "").replace("，", ",").replace(" ", ",").split(",") if v]


@tenant_page("/oversight/accountability", *oversight.MEASURE_READERS, methods=["GET", "POST"])
def oversight_accountability():
    caller = ledger.Caller.current()
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict()
    status = 200
    if request.method == "POST":
        try:
            problem_ids = []
            for ref in _split_ids(values.get("problems")):
                problem_ids.append(_problem_by_ref(caller, ref).id)
            oversight.record_measure(
                caller,
                {**values, "problem_ids": problem_ids, "order_ids": _split_ids(values.get("orders")),
                 "flag_id": values.get("flag_id") or None},
            )  # fmt: skip
            flash(_("已记录"), "success")
            return redirect(f"{_prefix()}/oversight/accountability")
        except ServiceError as error:
            db.session.rollback()
            errors, status = _form_errors(error), error.status
    measures = oversight.list_measures()
    flags = oversight.open_flags()
    return render_template(
        "web/oversight_accountability.html", measures=measures, flags=flags, kinds=MEASURE_KINDS,
        units=caller.units, unit=caller.unit, values=values, errors=errors, names=_names(), who=_who,
        may_record=g.user.role in oversight.MEASURE_RECORDERS, prefix=_prefix(),
    ), status  # fmt: skip


# --- self-checks (举一反三) -------------------------------------------------------------------------------------


@tenant_page("/oversight/self-checks", *READERS)
def oversight_self_checks():
    caller = ledger.Caller.current()
    checks = oversight.visible_self_checks(caller)
    counts = {}
    for check in checks:
        answers = oversight.self_check_answers(check)
        counts[check.id] = (sum(1 for a in answers if a.answer), len(answers))
    return render_template(
        "web/oversight_self_checks.html", checks=checks, counts=counts, prefix=_prefix(),
        may_issue=g.user.role in oversight.SELF_CHECK_ISSUERS,
    )  # fmt: skip


@tenant_page("/oversight/self-checks/new", *oversight.SELF_CHECK_ISSUERS, methods=["GET", "POST"])
def oversight_self_check_new():
    caller = ledger.Caller.current()
    values = request.form.to_dict() if request.method == "POST" else request.args.to_dict()
    errors: dict[str, list[str]] = {}
    status = 200
    city = g.user.is_city
    allowed = oversight.issuable_unit_ids(caller) | (
        {g.user.unit_id} if g.user.role == "tenant_admin" and g.user.unit_id else set()
    )
    units = [u for u in caller.units if u.id in allowed]
    tenants = db.session.scalars(select(Tenant).where(Tenant.status == "active").order_by(Tenant.id)).all()
    if request.method == "POST":
        try:
            problem = _problem_by_ref(caller, values.get("problem"))
            data = {**values, "unit_ids": request.form.getlist("unit_ids"),
                    "tenant_ids": request.form.getlist("tenant_ids")}  # fmt: skip
            if city:
                made = oversight.create_city_self_check(caller, problem, data)
                flash(_("已发起举一反三"), "success")
                return redirect(f"/city/self-checks/{made.id}")
            made = oversight.create_self_check(caller, problem, data)
            flash(_("已发起举一反三"), "success")
            return redirect(f"{_prefix()}/oversight/self-checks/{made.id}")
        except ServiceError as error:
            db.session.rollback()
            errors, status = _form_errors(error), error.status
    return render_template(
        "web/oversight_self_check_new.html", values=values, errors=errors, units=units, tenants=tenants, city=city,
        chosen_units=request.form.getlist("unit_ids"), chosen_tenants=request.form.getlist("tenant_ids"),
        prefix=_prefix(),
    ), status  # fmt: skip


@tenant_page("/oversight/self-checks/<int:check_id>", *READERS, methods=["GET", "POST"])
def oversight_self_check(check_id):
    caller = ledger.Caller.current()
    check = oversight.get_self_check(caller, check_id)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            oversight.answer_self_check(caller, check, request.form.get("unit_id"), request.form.to_dict())
            flash(_("已答复"), "success")
            return redirect(f"{_prefix()}/oversight/self-checks/{check.id}")
        except ServiceError as error:
            db.session.rollback()
            errors, status = _form_errors(error), error.status
            check = oversight.get_self_check(caller, check_id)
    answers = oversight.self_check_answers(check)
    problems = {}
    ids = {a.problem_id for a in answers if a.problem_id}
    if ids:
        problems = {p.id: p for p in db.session.scalars(select(Problem).where(Problem.id.in_(ids)))}
    mine = next((a for a in answers if a.unit_id == g.user.unit_id and a.answer is None), None)
    if mine is not None and g.user.role not in notify.UNIT_ROLES:
        mine = None
    return render_template(
        "web/oversight_self_check.html", check=check, answers=answers, unit=caller.unit, problems=problems,
        mine=mine, answer_names=SELF_CHECK_ANSWERS, errors=errors, classes=MATRIX_CLASSES, prefix=_prefix(),
    ), status  # fmt: skip


@blp.route("/city/self-checks")
@page(*CITY, tenant=False)
def oversight_city_self_checks():
    checks = db.session.scalars(select(CitySelfCheck).order_by(CitySelfCheck.id.desc())).all()
    return render_template("web/oversight_city_self_checks.html", checks=checks)


@blp.route("/city/self-checks/<int:city_check_id>")
@page(*CITY, tenant=False)
def oversight_city_self_check(city_check_id):
    city_check = db.session.get(CitySelfCheck, city_check_id)
    if city_check is None:
        abort(404)
    matrix = oversight.city_self_check_matrix(city_check)
    return render_template(
        "web/oversight_city_self_check.html", check=city_check, matrix=matrix, states=MATRIX_STATES,
        classes=MATRIX_CLASSES,
    )  # fmt: skip


# --- information reporting (信息报送) ---------------------------------------------------------------------------


def _before_today(value: str | None) -> bool:
    """Whether a form's date is before today: the form then shows the confirmation checkbox (确认补录)."""
    try:
        return parse_form_date(value) < ledger.today_in_shanghai()
    except ValueError:
        return False


def _active_tenants() -> list[Tenant]:
    return list(db.session.scalars(select(Tenant).where(Tenant.status == "active").order_by(Tenant.id)))


@blp.route("/city/reporting", methods=["GET", "POST"])
@page(*CITY, tenant=False)
def oversight_city_reporting():
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict()
    status = 200
    if request.method == "POST":
        try:
            task = oversight.create_task(g.user, {**values, "tenant_ids": request.form.getlist("tenant_ids")})
            flash(_("已布置报送任务"), "success")
            return redirect(f"/city/reporting/{task.id}")
        except ServiceError as error:
            db.session.rollback()
            errors, status = _form_errors(error), error.status
    return render_template(
        "web/oversight_city_reporting.html", tasks=oversight.all_tasks(), tenants=_active_tenants(), kinds=REPORT_KINDS,
        values=values, errors=errors, chosen=request.form.getlist("tenant_ids"),
        past_due=_before_today(values.get("due_on")), today=ledger.today_in_shanghai(), task_statuses=TASK_STATUSES,
    ), status  # fmt: skip


@blp.route("/city/reporting/<int:task_id>", methods=["GET", "POST"])
@page(*CITY, tenant=False)
def oversight_city_task(task_id):
    """The city's matrix of one task, its change form and its close button (the API's PATCH and close)."""
    task = db.session.get(ReportingTask, task_id)
    if task is None:
        abort(404)
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict()
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "change":
                oversight.change_task(g.user, task, {**values, "tenant_ids": request.form.getlist("tenant_ids")})
                flash(_("已修改报送任务"), "success")
            elif action == "close":
                oversight.close_task(g.user, task)
                flash(_("已关闭报送任务，不再接受报送"), "success")
            else:
                raise FieldError("action", _("不支持该操作"))
            return redirect(f"/city/reporting/{task.id}")
        except ServiceError as error:
            db.session.rollback()
            errors, status = _form_errors(error), error.status
            task = db.session.get(ReportingTask, task_id)
    if request.method != "POST" or values.get("action") != "change":
        values = {"kind": task.kind, "title": task.title, "description": task.description,
                  "due_on": task.due_on.isoformat()}  # fmt: skip
        chosen = [str(t) for t in task.tenant_ids]
    else:
        chosen = request.form.getlist("tenant_ids")
    matrix = oversight.reporting_matrix(task)
    past_due = _before_today(values.get("due_on")) and values.get("due_on") != task.due_on.isoformat()
    return render_template(
        "web/oversight_city_task.html", task=task, matrix=matrix, states=MATRIX_STATES, classes=MATRIX_CLASSES,
        kinds=REPORT_KINDS, task_statuses=TASK_STATUSES, errors=errors, values=values, chosen=chosen,
        tenants=_active_tenants(), past_due=past_due, today=ledger.today_in_shanghai(), names=_names(), who=_who,
    ), status  # fmt: skip


@tenant_page("/reporting", *READERS)
def oversight_reporting():
    tenant = g.tenant
    tasks = oversight.tasks_for_tenant(tenant)
    rows = [(t, oversight.submission_state(t, oversight.submission_of(t))) for t in tasks]
    return render_template(
        "web/oversight_reporting.html", rows=rows, kinds=REPORT_KINDS, states=MATRIX_STATES, classes=MATRIX_CLASSES,
        prefix=_prefix(), task_statuses=TASK_STATUSES,
    )  # fmt: skip


@tenant_page("/reporting/<int:task_id>", *READERS, methods=["GET", "POST"])
def oversight_report(task_id):
    tenant = g.tenant
    task = oversight.get_task_for_tenant(tenant, task_id)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        action = request.form.get("action", "submit")
        try:
            if action == "submit":
                uploads = [(f.stream, f.filename) for f in request.files.getlist("files") if f and f.filename]
                oversight.submit_report(ledger.Caller.current(), task, request.form.get("text"), uploads)
                flash(_("已报送"), "success")
            elif action == "return":
                oversight.return_submission(g.user, tenant, task, request.form.get("reason"))
                flash(_("已退回修改"), "success")
            elif action == "publish":
                oversight.publish_experience(g.user, tenant, task)
                flash(_("已发布典型经验"), "success")
            else:
                raise FieldError("action", _("不支持该操作"))
            return redirect(f"{_prefix()}/reporting/{task.id}")
        except ServiceError as error:
            db.session.rollback()
            errors, status = _form_errors(error), error.status
    submission = oversight.submission_of(task)
    published = db.session.scalar(
        select(PublishedExperience.id).where(
            PublishedExperience.task_id == task.id, PublishedExperience.from_tenant_id == tenant.id
        )
    )
    return render_template(
        "web/oversight_report.html", task=task, submission=submission, kinds=REPORT_KINDS,
        statuses=SUBMISSION_STATUSES, state=oversight.submission_state(task, submission), states=MATRIX_STATES,
        classes=MATRIX_CLASSES, errors=errors, prefix=_prefix(), names=_names(), who=_who, published=published,
        may_submit=bool(g.user.is_liaison and not g.user.is_city),
        may_manage=g.user.role in oversight.REPORT_MANAGERS, task_statuses=TASK_STATUSES,
    ), status  # fmt: skip


def _send_stored(entry: dict):
    return ledger.send_evidence(entry["sha256"], entry["content_type"], entry["filename"])


@tenant_page("/reporting/<int:task_id>/files/<int:index>", *READERS)
def oversight_report_file(task_id, index):
    task = oversight.get_task_for_tenant(g.tenant, task_id)
    submission = oversight.submission_of(task)
    files = submission.files if submission else []
    if not 0 <= index < len(files):
        abort(404)
    return _send_stored(files[index])


@blp.route("/experiences")
@page(tenant=False)
def oversight_experiences():
    """典型经验 the city published to every tenant."""
    items = oversight.published_experiences()
    names = dict(db.session.execute(select(Tenant.id, Tenant.name)).all())
    return render_template("web/oversight_experiences.html", items=items, tenants=names)


@blp.route("/experiences/<int:experience_id>/files/<int:index>")
@page(tenant=False)
def oversight_experience_file(experience_id, index):
    item = db.session.get(PublishedExperience, experience_id)
    if item is None or not 0 <= index < len(item.files or []):
        abort(404)
    return _send_stored(item.files[index])


# --- notifications ------------------------------------------------------------------------------------------


@blp.route("/notifications", methods=["GET", "POST"])
@page(tenant=False)
def oversight_notifications():
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        if action == "read":
            notify.mark_read(g.user, request.form.get("id", type=int))
            return redirect("/notifications")
        if action == "read_all":
            notify.mark_read(g.user)
            return redirect("/notifications")
        if action == "email":
            email = (request.form.get("email") or "").strip()
            if email and ("@" not in email or len(email) > 200 or " " in email):
                errors["email"] = [_("邮箱地址无效")]
                status = 422
            else:
                notify.set_mail_address(g.user, email or None)
                flash(_("已保存"), "success")
                return redirect("/notifications")
        else:
            errors["action"] = [_("不支持该操作")]
            status = 422
    items = notify.list_for(g.user)
    return render_template(
        "web/oversight_notifications.html", items=items, kinds=notify.KINDS, email=notify.mail_address(g.user),
        mail_on=notify.mail_configured(), errors=errors,
    ), status  # fmt: skip


@tenant_page("/oversight/orders/<int:order_id>/document.<fmt>", *READERS)
def order_document(order_id: int, fmt: str):
    """The 督办单 as a Word file, or its PDF for the preview."""
    caller = ledger.Caller.current()
    order = oversight.get_order(caller, order_id)
    body, name = documents.order_docx(g.tenant, order), documents.order_filename(order)
    return send_document(fmt, body, name)
