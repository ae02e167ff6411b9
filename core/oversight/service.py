"""Oversight actions: supervision orders (督办), accountability (问责), self-checks (举一反三), reporting (信息报送).

Services flush; the request or CLI boundary commits. Every function takes the ledger's ``Caller`` explicitly (for
the city across tenants, the tenant is named and its scope set by the caller).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.audit import chain
from core.auth.models import User
from core.ledger import permissions as perm
from core.ledger.models import Problem
from core.ledger.service import Caller, evidence_store, get_problem, work_calendar, yellow_days
from core.oversight import notify
from core.oversight.models import (
    MEASURE_KINDS,
    OPEN_ORDER_STATUSES,
    REPORT_KINDS,
    AccountabilityMeasure,
    CitySelfCheck,
    InterviewFlag,
    PublishedExperience,
    ReportingTask,
    ReportSubmission,
    SelfCheck,
    SelfCheckAnswer,
    SupervisionOrder,
)
from core.platform.calendar import light, local_date, today_in_shanghai
from core.platform.db import db, scoped_get, tenant_scope, utcnow
from core.platform.errors import Conflict, FieldError, NotFound, ServiceError
from core.tenancy.models import Tenant, Unit
from core.tenancy.service import subtree_ids

# --- per-tenant thresholds (tenant.settings), with their defaults --------------------------------------------

#: documented in docs/operations.md ("Oversight thresholds")
DEFAULT_SETTINGS = {
    #: a problem red for more than this many working days gets a supervision order from the next level
    "escalation_days": 5,
    #: working days an escalated order gives the unit to answer
    "escalation_order_days": 3,
    #: a unit red in this many consecutive months is flagged for an interview (约谈)
    "interview_periods": 3,
    #: working days before a reporting task's due date that the liaison is reminded
    "report_reminder_days": 2,
}


def setting(tenant: Tenant, name: str) -> int:
    value = (tenant.settings or {}).get(name, DEFAULT_SETTINGS[name])
    try:
        value = int(value)
    except (TypeError, ValueError):
        return DEFAULT_SETTINGS[name]
    return value if value >= 1 else DEFAULT_SETTINGS[name]


def tenant_thresholds(tenant: Tenant) -> dict[str, int]:
    """The tenant's deadline and oversight thresholds in force: yellow_days and every DEFAULT_SETTINGS key."""
    return {"yellow_days": yellow_days(tenant), **{name: setting(tenant, name) for name in DEFAULT_SETTINGS}}


def change_thresholds(tenant: Tenant, actor: str, values: dict[str, int]) -> dict[str, int]:
    """Store some thresholds (already validated: core.ledger.schemas.TenantSettingsSchema) and audit the change as
    ``settings_changed`` with ``{key: [before, after]}`` for each key given."""
    before = tenant_thresholds(tenant)
    tenant.settings = {**(tenant.settings or {}), **values}
    db.session.flush()
    chain.append("oversight.settings_changed", actor, {name: [before[name], value] for name, value in values.items()})
    return tenant_thresholds(tenant)


def _text(value: Any, field: str, label: str, max_length: int = 4000) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise FieldError(field, f"{label}必填")
    if len(text) > max_length:
        raise FieldError(field, f"{label}不能超过{max_length}字")
    return text


def _date(value: Any, field: str, label: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise FieldError(field, f"{label}应为日期（年-月-日）") from None


def _int(value: Any, field: str, label: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise FieldError(field, f"请选择{label}") from None


# --- supervision orders (督办) ---------------------------------------------------------------------------------

ISSUERS = ("city_supervisor", "tenant_admin", "reviewer")


def issuable_unit_ids(caller: Caller) -> set[int]:
    """Units the caller may issue orders to: the city and tenant admins any unit; a reviewer the units below it."""
    role = caller.user.role
    if role in ("city_supervisor", "tenant_admin"):
        return {u.id for u in caller.units}
    if role == "reviewer" and caller.user.unit_id:
        return subtree_ids(caller.user.unit_id, caller.units) - {caller.user.unit_id}
    return set()


def order_visible_unit_ids(caller: Caller) -> set[int] | None:
    return perm.visible_unit_ids(caller.user, caller.units)


def get_order(caller: Caller, order_id: int) -> SupervisionOrder:
    order = scoped_get(SupervisionOrder, order_id)
    visible = order_visible_unit_ids(caller)
    if order is None or (visible is not None and order.unit_id not in visible):
        raise NotFound("未找到该督办单")
    return order


def list_orders(caller: Caller, status: str | None = None) -> list[SupervisionOrder]:
    query = select(SupervisionOrder).order_by(SupervisionOrder.id.desc())
    visible = order_visible_unit_ids(caller)
    if visible is not None:
        query = query.where(SupervisionOrder.unit_id.in_(visible))
    if status == "open":
        query = query.where(SupervisionOrder.status.in_(OPEN_ORDER_STATUSES))
    elif status:
        query = query.where(SupervisionOrder.status == status)
    return list(db.session.scalars(query))


def order_light(order: SupervisionOrder, tenant: Tenant, today: date | None = None) -> str | None:
    """An order's own light: red past its deadline, yellow within the tenant's yellow days, none once answered."""
    today = today or today_in_shanghai()
    return light(order.deadline, today, yellow_days(tenant), work_calendar(), order.status in OPEN_ORDER_STATUSES)


def _order_number(tenant: Tenant, year: int) -> str:
    # Numbers are counted, so two issuers at once take turns on the tenant row (the sweep already holds it).
    db.session.scalars(select(Tenant).where(Tenant.id == tenant.id).with_for_update()).all()
    count = db.session.scalar(
        select(func.count(SupervisionOrder.id)).where(SupervisionOrder.number.like(f"督-{tenant.code}-{year}-%"))
    )
    return f"督-{tenant.code}-{year}-{(count or 0) + 1:03d}"


def _order_link(order: SupervisionOrder) -> str:
    return f"/oversight/orders/{order.id}"


def _new_order(
    tenant: Tenant, unit_id: int, problem_id: int | None, level: str, demand: str, deadline: date, actor: str,
    escalation_key: str | None = None,
) -> SupervisionOrder:  # fmt: skip
    now = utcnow()
    order = SupervisionOrder(
        number=_order_number(tenant, local_date(now).year),
        problem_id=problem_id,
        unit_id=unit_id,
        level=level,
        demand=demand,
        deadline=deadline,
        status="issued",
        issued_by=actor,
        issued_at=now,
        escalation_key=escalation_key,
        answer="",
    )
    db.session.add(order)
    db.session.flush()
    chain.append(
        "oversight.order_issued",
        actor,
        {"order_id": order.id, "number": order.number, "unit_id": unit_id, "level": level, "demand": demand,
         "deadline": deadline.isoformat(), "escalation": escalation_key},
        problem_id=problem_id,
    )  # fmt: skip
    notify.notify_unit(
        unit_id, f"order:{order.id}", "escalation" if escalation_key else "order",
        f"督办单 {order.number}：{demand[:80]}（{deadline.isoformat()} 前回复）", _order_link(order),
    )  # fmt: skip
    return order


def issue_order(caller: Caller, data: dict[str, Any]) -> SupervisionOrder:
    """Issue a 督办单 on a problem (to its responsible unit) or on a unit, with a demand and a deadline."""
    if caller.user.role not in ISSUERS:
        raise ServiceError("当前角色无权下发督办单", status=403)
    demand = _text(data.get("demand"), "demand", "督办要求")
    deadline = _date(data.get("deadline"), "deadline", "回复时限")
    if deadline < today_in_shanghai():
        raise FieldError("deadline", "回复时限不能早于今天")
    problem = None
    if data.get("problem_id"):
        problem = get_problem(caller, _int(data["problem_id"], "problem_id", "问题"))
        if problem.status in ("closed", "dismissed"):
            raise Conflict("问题已办结，不能再督办")
        unit_id = problem.unit_id
    elif data.get("unit_id"):
        unit_id = _int(data["unit_id"], "unit_id", "被督办单位")
        if caller.unit(unit_id) is None:
            raise FieldError("unit_id", "被督办单位不存在")
    else:
        raise FieldError("unit_id", "请选择被督办单位或问题")
    if unit_id not in issuable_unit_ids(caller):
        raise ServiceError("只能督办本单位以下的单位", {"unit_id": ["只能督办本单位以下的单位"]}, status=403)
    level = "city" if caller.user.is_city else "county"
    return _new_order(caller.tenant, unit_id, problem.id if problem else None, level, demand, deadline, caller.actor)


def _is_receiver(user: User, order: SupervisionOrder) -> bool:
    return user.role in notify.UNIT_ROLES and user.unit_id == order.unit_id


def acknowledge_order(caller: Caller, order: SupervisionOrder) -> SupervisionOrder:
    """签收: the receiving unit confirms it has the order."""
    if not _is_receiver(caller.user, order):
        raise ServiceError("只有被督办单位才能签收", status=403)
    if order.status != "issued":
        raise Conflict("该督办单已签收")
    order.status, order.acknowledged_by, order.acknowledged_at = "acknowledged", caller.actor, utcnow()
    db.session.flush()
    chain.append("oversight.order_acknowledged", caller.actor, {"order_id": order.id}, problem_id=order.problem_id)
    return order


def answer_order(caller: Caller, order: SupervisionOrder, answer: Any) -> SupervisionOrder:
    """回复: the receiving unit answers; an answer after the deadline stays late."""
    text = _text(answer, "answer", "回复内容")
    if not _is_receiver(caller.user, order):
        raise ServiceError("只有被督办单位才能回复", status=403)
    if order.status == "answered":
        raise Conflict("该督办单已回复")
    now = utcnow()
    if order.status == "issued":
        order.acknowledged_by, order.acknowledged_at = caller.actor, now
    order.status, order.answer, order.answered_by, order.answered_at = "answered", text, caller.actor, now
    order.answered_late = local_date(now) > order.deadline
    db.session.flush()
    chain.append(
        "oversight.order_answered", caller.actor, {"order_id": order.id, "answer": text, "late": order.answered_late},
        problem_id=order.problem_id,
    )  # fmt: skip
    title = f"督办单 {order.number} 已回复"
    if order.issued_by.startswith("user:"):
        issuer = db.session.get(User, int(order.issued_by.split(":")[1]))
        if issuer is not None and issuer.is_city:
            slug = caller.tenant.slug
            notify.notify_city([issuer.id], f"order_answered:{order.id}", "order_answered", title,
                               f"/tenants/{slug}{_order_link(order)}")  # fmt: skip
        elif issuer is not None:
            notify.notify_users([issuer.id], f"order_answered:{order.id}", "order_answered", title, _order_link(order))
    return order


# --- accountability (问责) -------------------------------------------------------------------------------------

MEASURE_RECORDERS = ("city_supervisor", "tenant_admin", "reviewer")
MEASURE_READERS = ("city_admin", "city_supervisor", "tenant_admin", "reviewer", "viewer")


def record_measure(caller: Caller, data: dict[str, Any]) -> AccountabilityMeasure:
    """Record an interview, a criticism or an accountability measure, linked to problems and orders."""
    if caller.user.role not in MEASURE_RECORDERS:
        raise ServiceError("当前角色无权记录问责", status=403)
    kind = data.get("kind")
    if kind not in MEASURE_KINDS:
        raise FieldError("kind", "类型应为：" + "、".join(MEASURE_KINDS.values()))
    unit_id = _int(data.get("unit_id"), "unit_id", "单位")
    if caller.unit(unit_id) is None:
        raise FieldError("unit_id", "单位不存在")
    measure = _text(data.get("measure"), "measure", "问责措施")
    person = (data.get("person") or "").strip()[:100]
    decided_on = _date(data.get("decided_on"), "decided_on", "决定日期")
    if decided_on > today_in_shanghai():
        raise FieldError("decided_on", "决定日期不能晚于今天")
    problem_ids = [_int(p, "problem_ids", "问题") for p in data.get("problem_ids") or [] if str(p).strip()]
    for pid in problem_ids:
        try:
            get_problem(caller, pid)
        except NotFound:
            raise FieldError("problem_ids", f"问题 {pid} 不存在") from None
    order_ids = [_int(o, "order_ids", "督办单") for o in data.get("order_ids") or [] if str(o).strip()]
    for oid in order_ids:
        if scoped_get(SupervisionOrder, oid) is None:
            raise FieldError("order_ids", f"督办单 {oid} 不存在")
    flag_id = None
    if data.get("flag_id"):
        flag = scoped_get(InterviewFlag, _int(data["flag_id"], "flag_id", "约谈提示"))
        if flag is None or flag.unit_id != unit_id:
            raise FieldError("flag_id", "约谈提示不属于该单位")
        flag_id = flag.id
    row = AccountabilityMeasure(
        unit_id=unit_id, kind=kind, measure=measure, person=person, decided_on=decided_on,
        decided_by=caller.actor, problem_ids=problem_ids, order_ids=order_ids, flag_id=flag_id,
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    chain.append(
        "oversight.accountability_recorded", caller.actor,
        {"measure_id": row.id, "unit_id": unit_id, "kind": kind, "measure": measure, "decided_on": decided_on,
         "problem_ids": problem_ids, "order_ids": order_ids},
    )  # fmt: skip
    return row


def list_measures() -> list[AccountabilityMeasure]:
    return list(db.session.scalars(select(AccountabilityMeasure).order_by(AccountabilityMeasure.decided_on.desc())))


def open_flags() -> list[InterviewFlag]:
    """Interview flags no interview has answered yet."""
    answered = select(AccountabilityMeasure.flag_id).where(AccountabilityMeasure.flag_id.is_not(None))
    return list(
        db.session.scalars(select(InterviewFlag).where(InterviewFlag.id.not_in(answered)).order_by(InterviewFlag.id))
    )


# --- self-checks (举一反三) -------------------------------------------------------------------------------------

SELF_CHECK_ISSUERS = ("city_supervisor", "tenant_admin", "reviewer")


def _self_check_fields(data: dict[str, Any], problem: Problem) -> tuple[str, str, date]:
    title = _text(data.get("title") or f"举一反三：{problem.title}", "title", "标题", 200)
    description = _text(data.get("description"), "description", "自查要求")
    due_on = _date(data.get("due_on"), "due_on", "完成时限")
    if due_on < today_in_shanghai():
        raise FieldError("due_on", "完成时限不能早于今天")
    return title, description, due_on


def create_self_check(caller: Caller, problem: Problem, data: dict[str, Any]) -> SelfCheck:
    """A county's self-check from one of its problems to chosen units of its own."""
    if caller.user.role not in ("tenant_admin", "reviewer"):
        raise ServiceError("当前角色无权发起举一反三", status=403)
    title, description, due_on = _self_check_fields(data, problem)
    allowed = issuable_unit_ids(caller) | ({caller.user.unit_id} if caller.user.role == "tenant_admin" else set())
    unit_ids = sorted({_int(u, "unit_ids", "单位") for u in data.get("unit_ids") or []})
    if not unit_ids:
        raise FieldError("unit_ids", "请至少选择一个单位")
    for unit_id in unit_ids:
        if caller.unit(unit_id) is None or unit_id not in allowed:
            raise FieldError("unit_ids", "只能选择本单位以下的单位")
    check = SelfCheck(
        source_problem_id=problem.id, title=title, description=description, due_on=due_on, created_by=caller.actor
    )
    db.session.add(check)
    db.session.flush()
    for unit_id in unit_ids:
        db.session.add(SelfCheckAnswer(self_check_id=check.id, unit_id=unit_id, note=""))
        notify.notify_unit(unit_id, f"self_check:{check.id}", "self_check", f"{title}（{due_on} 前答复）",
                           f"/oversight/self-checks/{check.id}")  # fmt: skip
    db.session.flush()
    chain.append("oversight.self_check_sent", caller.actor, {"self_check_id": check.id, "unit_ids": unit_ids},
                 problem_id=problem.id)  # fmt: skip
    return check


def _root_unit_id() -> int:
    root = db.session.scalar(select(Unit.id).where(Unit.parent_id.is_(None)).order_by(Unit.sort_order, Unit.id))
    if root is None:
        raise Conflict("该县区局没有单位")
    return root


def create_city_self_check(caller: Caller, problem: Problem, data: dict[str, Any]) -> CitySelfCheck:
    """The city's self-check from one problem to chosen tenants: each tenant's bureau (root unit) answers."""
    if caller.user.role != "city_supervisor":
        raise ServiceError("只有市局督查可向县区局发起举一反三", status=403)
    title, description, due_on = _self_check_fields(data, problem)
    tenant_ids = sorted({_int(t, "tenant_ids", "县区局") for t in data.get("tenant_ids") or []})
    if not tenant_ids:
        raise FieldError("tenant_ids", "请至少选择一个县区局")
    tenants = db.session.scalars(select(Tenant).where(Tenant.id.in_(tenant_ids))).all()
    if len(tenants) != len(tenant_ids):
        raise FieldError("tenant_ids", "县区局不存在")
    city_check = CitySelfCheck(
        title=title, description=description, due_on=due_on, source_tenant_id=caller.tenant.id,
        source_problem_id=problem.id, tenant_ids=tenant_ids, created_by=caller.actor,
    )  # fmt: skip
    db.session.add(city_check)
    db.session.flush()
    chain.append("oversight.self_check_sent", caller.actor,
                 {"city_self_check_id": city_check.id, "tenant_ids": tenant_ids}, problem_id=problem.id)  # fmt: skip
    for tenant in tenants:
        with tenant_scope(tenant.id):
            root = _root_unit_id()
            check = SelfCheck(
                city_check_id=city_check.id, source_problem_id=problem.id if tenant.id == caller.tenant.id else None,
                title=title, description=description, due_on=due_on, created_by=caller.actor,
            )  # fmt: skip
            db.session.add(check)
            db.session.flush()
            db.session.add(SelfCheckAnswer(self_check_id=check.id, unit_id=root, note=""))
            db.session.flush()
            chain.append("oversight.self_check_received", caller.actor, {"self_check_id": check.id,
                                                               "city_self_check_id": city_check.id})  # fmt: skip
            notify.notify_unit(root, f"self_check:{check.id}", "self_check", f"{title}（{due_on} 前答复）",
                               f"/oversight/self-checks/{check.id}")  # fmt: skip
    return city_check


def visible_self_checks(caller: Caller) -> list[SelfCheck]:
    query = select(SelfCheck).order_by(SelfCheck.id.desc())
    visible = perm.visible_unit_ids(caller.user, caller.units)
    if visible is not None:
        mine = select(SelfCheckAnswer.self_check_id).where(SelfCheckAnswer.unit_id.in_(visible))
        query = query.where(SelfCheck.id.in_(mine))
    return list(db.session.scalars(query))


def get_self_check(caller: Caller, check_id: int) -> SelfCheck:
    check = scoped_get(SelfCheck, check_id)
    if check is None or check.id not in {c.id for c in visible_self_checks(caller)}:
        raise NotFound("未找到该举一反三")
    return check


def self_check_answers(check: SelfCheck) -> list[SelfCheckAnswer]:
    return list(
        db.session.scalars(
            select(SelfCheckAnswer).where(SelfCheckAnswer.self_check_id == check.id).order_by(SelfCheckAnswer.unit_id)
        )
    )


def answer_self_check(caller: Caller, check: SelfCheck, unit_id: Any, data: dict[str, Any]) -> SelfCheckAnswer:
    """A chosen unit answers 无此问题, or names the problem it recorded (in its own ledger)."""
    unit_id = _int(unit_id, "unit_id", "单位")
    row = db.session.scalar(
        select(SelfCheckAnswer).where(SelfCheckAnswer.self_check_id == check.id, SelfCheckAnswer.unit_id == unit_id)
    )
    if row is None:
        raise FieldError("unit_id", "该单位不在自查范围内")
    if not (caller.user.role in notify.UNIT_ROLES and caller.user.unit_id == unit_id):
        raise ServiceError("只有被要求自查的单位才能答复", status=403)
    if row.answer is not None:
        raise Conflict("该单位已答复")
    answer = data.get("answer")
    if answer == "none":
        row.problem_id = None
    elif answer == "problem":
        problem_id = _int(data.get("problem_id"), "problem_id", "登记的问题")
        try:
            problem = get_problem(caller, problem_id)
        except NotFound:
            raise FieldError("problem_id", "问题不存在") from None
        if problem.unit_id not in subtree_ids(unit_id, caller.units):
            raise FieldError("problem_id", "问题应由本单位或下级单位负责")
        row.problem_id = problem.id
    else:
        raise FieldError("answer", "答复应为「无此问题」或「已登记问题」")
    row.answer, row.note = answer, (data.get("note") or "").strip()[:2000]
    row.answered_by, row.answered_at = caller.actor, utcnow()
    db.session.flush()
    chain.append("oversight.self_check_answered", caller.actor,
                 {"self_check_id": check.id, "unit_id": unit_id, "answer": answer, "problem_id": row.problem_id},
                 problem_id=row.problem_id)  # fmt: skip
    return row


@dataclass
class MatrixRow:
    """One line of a matrix: who, its state, and when."""

    tenant: str
    unit: str
    state: str
    at: Any = None
    problem_id: int | None = None
    extra: str = ""


def city_self_check_matrix(city_check: CitySelfCheck) -> list[MatrixRow]:
    """Every chosen tenant's answer to a city self-check, each read in that tenant's own scope.

    As ``xingfeng plugins`` does: the application role sees one tenant at a time, so no city-wide opt-out is
    needed for a matrix of one row per tenant.
    """
    tenants = {t.id: t for t in db.session.scalars(select(Tenant).where(Tenant.id.in_(city_check.tenant_ids)))}
    out = []
    for tenant_id in city_check.tenant_ids:
        tenant = tenants.get(tenant_id)
        row = None
        if tenant is not None:
            with tenant_scope(tenant_id):
                row = db.session.execute(
                    select(SelfCheckAnswer.answer, SelfCheckAnswer.answered_at, SelfCheckAnswer.problem_id, Unit.name)
                    .join(SelfCheck, SelfCheck.id == SelfCheckAnswer.self_check_id)
                    .join(Unit, Unit.id == SelfCheckAnswer.unit_id)
                    .where(SelfCheck.city_check_id == city_check.id)
                ).first()
        out.append(
            MatrixRow(
                tenant=tenant.name if tenant else str(tenant_id),
                unit=row.name if row else "",
                state=(row.answer or "pending") if row else "pending",
                at=row.answered_at if row else None,
                problem_id=row.problem_id if row else None,
                extra=tenant.slug if tenant else "",
            )
        )
    return out


# --- information reporting (信息报送) ----------------------------------------------------------------------------

REPORT_MANAGERS = ("city_admin", "city_supervisor")


#: why a past due date is refused without a confirmation (the API's ``confirm_past_due``, the form's checkbox)
PAST_DUE_REASON = "报送时限早于今天；如确为补录以往的报送任务，请确认后再提交"
#: the fields a task has, in the order a change lists them
TASK_FIELDS = ("kind", "title", "description", "due_on", "tenant_ids")


def _manager(user: User, what: str) -> None:
    if user.role not in REPORT_MANAGERS:
        raise ServiceError(f"只有市局可以{what}信息报送任务", status=403)


def _task_kind(value: Any) -> str:
    if value not in REPORT_KINDS:
        raise FieldError("kind", "类型应为：" + "、".join(REPORT_KINDS.values()))
    return value


def _task_due_on(value: Any, confirmed: Any) -> tuple[date, bool]:
    """The due date, and whether it is before today (then only with ``confirmed``: a task recorded afterwards)."""
    due_on = _date(value, "due_on", "报送时限")
    past = due_on < today_in_shanghai()
    if past and confirmed is not True:
        error = FieldError("due_on", PAST_DUE_REASON)
        error.extra = {"confirm": "confirm_past_due"}
        raise error
    return due_on, past


def _task_tenants(value: Any) -> list[Tenant]:
    tenant_ids = sorted({_int(t, "tenant_ids", "县区局") for t in value or []})
    if not tenant_ids:
        raise FieldError("tenant_ids", "请至少选择一个县区局")
    tenants = db.session.scalars(select(Tenant).where(Tenant.id.in_(tenant_ids)).order_by(Tenant.id)).all()
    if len(tenants) != len(tenant_ids):
        raise FieldError("tenant_ids", "县区局不存在")
    return list(tenants)


def _confirmed(data: dict[str, Any]) -> bool:
    value = data.get("confirm_past_due")
    return value is True or (isinstance(value, str) and value.strip().lower() in ("1", "true", "on", "yes"))


def _tell_liaisons(task: ReportingTask, tenant: Tenant, actor: str, past: bool) -> None:
    """In the tenant's scope: the audited receipt of the task, and its liaisons told."""
    with tenant_scope(tenant.id):
        data: dict[str, Any] = {"task_id": task.id, "title": task.title}
        if past:
            data["confirmed_past_due"] = True
        chain.append("oversight.report_task_received", actor, data)
        when = f"补录，时限 {task.due_on}" if past else f"{task.due_on} 前报送"
        notify.notify_users(notify.role_user_ids((), liaison=True), f"report_task:{task.id}", "report_task",
                            f"信息报送：{task.title}（{when}）", f"/reporting/{task.id}")  # fmt: skip


def create_task(user: User, data: dict[str, Any]) -> ReportingTask:
    """The city sets a reporting task with a due date for chosen tenants; their liaisons are told.

    A due date before today (a task for last month's report, recorded afterwards) needs ``confirm_past_due``."""
    _manager(user, "布置")
    kind = _task_kind(data.get("kind"))
    title = _text(data.get("title"), "title", "标题", 200)
    due_on, past = _task_due_on(data.get("due_on"), _confirmed(data))
    tenants = _task_tenants(data.get("tenant_ids"))
    task = ReportingTask(
        kind=kind, title=title, description=(data.get("description") or "").strip()[:4000], due_on=due_on,
        tenant_ids=[t.id for t in tenants], created_by=f"user:{user.id}",
    )  # fmt: skip
    db.session.add(task)
    db.session.flush()
    for tenant in tenants:
        _tell_liaisons(task, tenant, f"user:{user.id}", past)
    return task


def _submitted_tenant_ids(task: ReportingTask, tenant_ids: list[int]) -> list[int]:
    """The tenants (of those named) that have a submission to the task, each read in its own scope."""
    out = []
    for tenant_id in tenant_ids:
        with tenant_scope(tenant_id):
            if submission_of(task) is not None:
                out.append(tenant_id)
    return out


def _open_task(task: ReportingTask, what: str) -> None:
    if task.closed_at is not None:
        raise Conflict(f"该报送任务已关闭，不能{what}")


def change_task(user: User, task: ReportingTask, data: dict[str, Any]) -> ReportingTask:
    """The city changes an open task: any of kind, title, description, due_on (a past one confirmed as at creation,
    unless it stays as it was) and tenant_ids (a tenant that has submitted stays; an added one is told).

    Audited as ``oversight.report_task_changed`` ``{"task_id", "changes": {field: [before, after]}}`` in every
    tenant the task concerned or now concerns."""
    _manager(user, "修改")
    _open_task(task, "修改")
    before = {name: getattr(task, name) for name in TASK_FIELDS}
    after = dict(before)
    if "kind" in data:
        after["kind"] = _task_kind(data.get("kind"))
    if "title" in data:
        after["title"] = _text(data.get("title"), "title", "标题", 200)
    if "description" in data:
        after["description"] = (data.get("description") or "").strip()[:4000]
    past = False
    if "due_on" in data:
        due_on = _date(data.get("due_on"), "due_on", "报送时限")
        if due_on != task.due_on:
            due_on, past = _task_due_on(due_on, _confirmed(data))
        after["due_on"] = due_on
    added: list[Tenant] = []
    if "tenant_ids" in data:
        tenants = _task_tenants(data.get("tenant_ids"))
        after["tenant_ids"] = [t.id for t in tenants]
        added = [t for t in tenants if t.id not in before["tenant_ids"]]
        removed = [t for t in before["tenant_ids"] if t not in after["tenant_ids"]]
        submitted = _submitted_tenant_ids(task, removed)
        if submitted:
            names = "、".join(db.session.scalars(select(Tenant.name).where(Tenant.id.in_(submitted))))
            message = f"{names}已报送，不能移出该任务"
            raise ServiceError(message, {"tenant_ids": [message]}, status=409)
    if after["kind"] != before["kind"] and _submitted_tenant_ids(task, before["tenant_ids"]):
        message = "已有县区局报送，不能修改类型"
        raise ServiceError(message, {"kind": [message]}, status=409)
    changes = {name: [before[name], after[name]] for name in TASK_FIELDS if before[name] != after[name]}
    if not changes:
        return task
    for name in changes:
        setattr(task, name, after[name])
    db.session.flush()
    actor = f"user:{user.id}"
    logged = {name: [v.isoformat() if isinstance(v, date) else v for v in pair] for name, pair in changes.items()}
    event: dict[str, Any] = {"task_id": task.id, "changes": logged}
    if past:
        event["confirmed_past_due"] = True
    for tenant_id in sorted(set(before["tenant_ids"]) | set(after["tenant_ids"])):
        with tenant_scope(tenant_id):
            chain.append("oversight.report_task_changed", actor, event)
    for tenant in added:
        _tell_liaisons(task, tenant, actor, task.due_on < today_in_shanghai())
    return task


def close_task(user: User, task: ReportingTask) -> ReportingTask:
    """The city closes a task (已关闭): no further submissions or returns; what was submitted stays readable and
    a typical experience may still be published. Audited as ``oversight.report_task_closed`` in every tenant."""
    _manager(user, "关闭")
    _open_task(task, "再次关闭")
    task.closed_at, task.closed_by = utcnow(), f"user:{user.id}"
    db.session.flush()
    for tenant_id in task.tenant_ids or []:
        with tenant_scope(tenant_id):
            chain.append("oversight.report_task_closed", task.closed_by, {"task_id": task.id, "title": task.title})
    return task


def all_tasks() -> list[ReportingTask]:
    """Every reporting task, latest due date first (the city's list)."""
    query = select(ReportingTask).order_by(ReportingTask.due_on.desc(), ReportingTask.id.desc())
    return list(db.session.scalars(query))


def tasks_for_tenant(tenant: Tenant) -> list[ReportingTask]:
    tasks = db.session.scalars(select(ReportingTask).order_by(ReportingTask.due_on.desc(), ReportingTask.id.desc()))
    return [t for t in tasks if tenant.id in (t.tenant_ids or [])]


def get_task_for_tenant(tenant: Tenant, task_id: int) -> ReportingTask:
    task = db.session.get(ReportingTask, task_id) if isinstance(task_id, int) else None
    if task is None or tenant.id not in (task.tenant_ids or []):
        raise NotFound("未找到该报送任务")
    return task


def submission_of(task: ReportingTask) -> ReportSubmission | None:
    return db.session.scalar(select(ReportSubmission).where(ReportSubmission.task_id == task.id))


def submit_report(caller: Caller, task: ReportingTask, text: Any, uploads: list[tuple[Any, str]]) -> ReportSubmission:
    """The tenant's liaison submits (or, after a return, resubmits) text and files."""

    if not caller.user.is_liaison or caller.user.tenant_id != caller.tenant.id:
        raise ServiceError("只有本局联络员才能报送", status=403)
    _open_task(task, "报送")
    body = _text(text, "text", "报送内容", 20000)
    row = submission_of(task)
    if row is not None and row.status != "returned":
        raise Conflict("已报送；市局退回后才能修改")
    store = evidence_store()
    files = [] if row is None else list(row.files or [])
    for stream, filename in uploads:
        stored = store.save(stream, filename)
        files.append({"sha256": stored.sha256, "filename": stored.original_name,
                      "content_type": stored.kind.content_type, "size": stored.size})  # fmt: skip
    now = utcnow()
    if row is None:
        row = ReportSubmission(task_id=task.id, text=body, status="submitted", first_submitted_at=now,
                               submitted_at=now, submitted_by=caller.actor, revision=1, files=files)  # fmt: skip
        db.session.add(row)
    else:
        row.text, row.status, row.submitted_at, row.submitted_by = body, "submitted", now, caller.actor
        row.revision, row.files = row.revision + 1, files
    db.session.flush()
    chain.append("oversight.report_submitted", caller.actor,
                 {"task_id": task.id, "submission_id": row.id, "revision": row.revision,
                  "files": [f["sha256"] for f in files]})  # fmt: skip
    notify.notify_city(None, f"report_submitted:{row.id}:{row.revision}", "report_task",
                       f"{caller.tenant.name} 已报送：{task.title}", f"/city/reporting/{task.id}")  # fmt: skip
    return row


def return_submission(user: User, tenant: Tenant, task: ReportingTask, reason: Any) -> ReportSubmission:
    """The city returns a tenant's submission for revision (in that tenant's scope)."""
    if user.role not in REPORT_MANAGERS:
        raise ServiceError("只有市局可以退回报送", status=403)
    _open_task(task, "退回")
    why = _text(reason, "reason", "退回理由")
    with tenant_scope(tenant.id):
        row = submission_of(task)
        if row is None:
            raise Conflict("该县区局尚未报送")
        if row.status == "returned":
            raise Conflict("已退回，等待重新报送")
        row.status, row.return_reason, row.returned_by, row.returned_at = "returned", why, f"user:{user.id}", utcnow()
        db.session.flush()
        chain.append("oversight.report_returned", f"user:{user.id}", {"task_id": task.id, "submission_id": row.id,
                                                            "reason": why})  # fmt: skip
        notify.notify_users(notify.role_user_ids((), liaison=True), f"report_returned:{row.id}:{row.revision}",
                            "report_returned", f"报送被退回修改：{task.title}（{why[:60]}）",
                            f"/reporting/{task.id}")  # fmt: skip
    return row


def submission_state(task: ReportingTask, row: Any, today: date | None = None) -> str:
    """submitted (on time), late (submitted after the due date), returned, missing (not yet, due passed) or
    pending (not yet, still due)."""
    today = today or today_in_shanghai()
    if row is None:
        return "missing" if today > task.due_on else "pending"
    if row.status == "returned":
        return "returned"
    return "late" if local_date(row.first_submitted_at) > task.due_on else "submitted"


def reporting_matrix(task: ReportingTask, today: date | None = None) -> list[MatrixRow]:
    """Each tenant the task applies to: submitted / late / returned / missing / pending, read in its own scope."""
    tenants = {t.id: t for t in db.session.scalars(select(Tenant).where(Tenant.id.in_(task.tenant_ids)))}
    out = []
    for tenant_id in task.tenant_ids:
        tenant = tenants.get(tenant_id)
        row = None
        if tenant is not None:
            with tenant_scope(tenant_id):
                row = submission_of(task)
        out.append(
            MatrixRow(
                tenant=tenant.name if tenant else str(tenant_id),
                unit="",
                state=submission_state(task, row, today),
                at=row.submitted_at if row else None,
                extra=tenant.slug if tenant else "",
            )
        )
    return out


def read_submission(tenant: Tenant, task: ReportingTask) -> ReportSubmission | None:
    with tenant_scope(tenant.id):
        return submission_of(task)


def publish_experience(user: User, tenant: Tenant, task: ReportingTask) -> PublishedExperience:
    """Publish a tenant's 典型经验 to every tenant: the city copies it into a table every tenant reads."""
    if user.role not in REPORT_MANAGERS:
        raise ServiceError("只有市局可以发布典型经验", status=403)
    if task.kind != "typical_experience":
        raise Conflict("只有典型经验类报送可以发布")
    with tenant_scope(tenant.id):
        row = submission_of(task)
        if row is None or row.status != "submitted":
            raise Conflict("该县区局尚无可发布的报送")
        text, files = row.text, list(row.files or [])
    published = PublishedExperience(
        task_id=task.id, from_tenant_id=tenant.id, title=f"{tenant.name}：{task.title}", text=text, files=files,
        published_by=f"user:{user.id}",
    )  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(published)
            db.session.flush()
    except IntegrityError:
        raise Conflict("已发布") from None
    return published


def published_experiences() -> list[PublishedExperience]:
    return list(db.session.scalars(select(PublishedExperience).order_by(PublishedExperience.published_at.desc())))
