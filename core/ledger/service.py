"""The ledger's rules: recording, editing and moving problems, each change an event in the audit chain.

Services flush; the request (or CLI) boundary commits. Every function takes the ``Caller`` explicitly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from flask import current_app, g
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.audit import chain
from core.audit.models import AuditEvent
from core.auth.caller import Caller
from core.ledger import bounds
from core.ledger import fields as local_fields
from core.ledger import permissions as perm
from core.ledger.models import (
    OPEN_STATUSES,
    STATUSES,
    Attachment,
    Extension,
    Problem,
    ProblemCounter,
    ProgressNote,
    Referral,
)
from core.platform.cache import cached, forget
from core.platform.calendar import WorkCalendar, light, local_date, today_in_shanghai
from core.platform.db import db, locked_row, scoped_get, tenant_scope, utcnow
from core.platform.errors import Conflict, FieldError, NotFound, ServiceError
from core.platform.evidence import KINDS, EvidenceStore, download_headers
from core.tenancy.models import CampaignPhase, Tenant, Unit
from core.tenancy.service import registry, units_of_tenant

DEFAULT_YELLOW_DAYS = 3
AFTER_LAST_PHASE = ("normal", "常态化")


# --- calendar, phases and lights ----------------------------------------------------------------------------


def work_calendar() -> WorkCalendar:
    """Working days with the holiday years the city loaded (cached per process, see core.platform.cache)."""
    return cached("work_calendar", lambda: WorkCalendar.from_db(db.session))


def yellow_days(tenant: Tenant) -> int:
    return int((tenant.settings or {}).get("yellow_days", DEFAULT_YELLOW_DAYS))


def _phases() -> list[SimpleNamespace]:
    def load() -> list[SimpleNamespace]:
        rows = db.session.scalars(select(CampaignPhase).order_by(CampaignPhase.starts_on))
        return [SimpleNamespace(code=p.code, name=p.name, starts_on=p.starts_on, ends_on=p.ends_on) for p in rows]

    return cached("phases", load)


def phase_for(day: date) -> str:
    """The campaign phase a date falls in; after the last phase the work is routine (常态化), never an error."""
    phases = _phases()
    for phase in phases:
        if phase.starts_on <= day and (phase.ends_on is None or day <= phase.ends_on):
            return phase.code
    if phases and day < phases[0].starts_on:
        return phases[0].code
    return AFTER_LAST_PHASE[0]


# --- sane deadlines (issue 13, item 4; the bounds in core.ledger.bounds) ----------------------------------------


def campaign_start() -> date | None:
    phases = _phases()
    return phases[0].starts_on if phases else None


def deadline_refusal(deadline: date, rectification_type: str | None, today: date) -> str | None:
    return bounds.deadline_refusal(deadline, rectification_type, today, campaign_start())


def _check_deadline_bounds(
    deadline: date | None, working_days: int | None, rectification_type: str | None, today: date
) -> None:
    """Refuse (422, naming the field) an implausible deadline or working-day count."""
    refusal = bounds.working_days_refusal(working_days)
    if refusal:
        raise FieldError("deadline_working_days", refusal)
    if deadline is not None and not working_days:
        refusal = deadline_refusal(deadline, rectification_type, today)
        if refusal:
            raise FieldError("deadline", refusal)


def phase_names() -> dict[str, str]:
    """Phase code -> name, read once per request."""
    names = {p.code: p.name for p in _phases()}
    names[AFTER_LAST_PHASE[0]] = AFTER_LAST_PHASE[1]
    return names


def light_of(problem: Problem, tenant: Tenant, today: date | None = None) -> str | None:
    today = today or today_in_shanghai()
    return light(problem.deadline, today, yellow_days(tenant), work_calendar(), problem.status in OPEN_STATUSES)


# --- numbering and events -----------------------------------------------------------------------------------


def next_number(tenant: Tenant, year: int) -> str:
    """The next number of a tenant's year, e.g. DH-2024-0042; the counter row is locked while it is taken."""
    counter = locked_row(ProblemCounter, {"tenant_id": tenant.id, "year": year}, {"last": 0})
    counter.last += 1
    return f"{tenant.code}-{year}-{counter.last:04d}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _as_caller(caller_or_actor: Caller | str, problem: Problem) -> tuple[Caller, str, Any]:
    if isinstance(caller_or_actor, Caller):
        return caller_or_actor, caller_or_actor.actor, caller_or_actor.user
    caller = g.get("system_caller")
    if caller is None or caller.tenant.id != problem.tenant_id:
        caller = g.system_caller = Caller(None, db.session.get(Tenant, problem.tenant_id), units_of_tenant())
    return caller, caller_or_actor, caller_or_actor


def notify(caller_or_actor: Caller | str, problem: Problem, event) -> None:
    """Tell the plugins enabled at the problem's unit about an event already in the chain."""
    caller, _, who = _as_caller(caller_or_actor, problem)
    unit = caller.unit(problem.unit_id)
    hook = registry().hook_for("xingfeng_after_problem_event", caller.enabled_domains(unit))
    hook(tenant=caller.tenant, unit=unit, actor=who, problem=problem, event=event)


def record(caller_or_actor: Caller | str, problem: Problem, kind: str, data: dict[str, Any]):
    """Append the change to the audit chain and tell the plugins enabled at the problem's unit."""
    _, actor, _ = _as_caller(caller_or_actor, problem)
    event = chain.append(kind, actor, data, problem_id=problem.id)
    notify(caller_or_actor, problem, event)
    return event


# --- reading ------------------------------------------------------------------------------------------------


def get_problem(caller: Caller, problem_id: int) -> Problem:
    """A problem the caller may see; 404 for one of another tenant or outside the caller's units."""
    problem = scoped_get(Problem, problem_id)
    visible = perm.visible_unit_ids(caller.user, caller.units)
    if problem is None or (visible is not None and problem.unit_id not in visible):
        raise NotFound("未找到该问题")
    return problem


def etag(problem: Problem) -> str:
    return f'"{problem.id}-{problem.version}"'


def lock(problem: Problem) -> Problem:
    """Re-read the problem and hold its row until the transaction ends, so that checks and change agree.

    On PostgreSQL a concurrent change waits here; on SQLite writers are serialised by the database. The
    version column guards the UPDATE in any case.
    """
    db.session.scalars(
        select(Problem).where(Problem.id == problem.id).with_for_update().execution_options(populate_existing=True)
    ).all()  # the rows must be read for the refresh to happen
    return problem


def check_if_match(problem: Problem, header: str | None) -> None:
    """Optimistic concurrency: a change must name the version it was made against."""
    if not header:
        raise ServiceError("修改问题须带 If-Match 请求头（取自 ETag）", status=428)
    lock(problem)
    tags = {t.strip() for t in header.split(",")}
    if etag(problem) not in tags and f"W/{etag(problem)}" not in tags:
        raise ServiceError("该问题已被他人修改，请刷新后重试", status=412)


# --- recording and editing ----------------------------------------------------------------------------------

EDITABLE = (
    "title",
    "description",
    "category",
    "severity",
    "responsible_person",
    "responsible_leader",
    "measures",
    "progress",
    "completion",
    "custom_fields",
    "local_fields",
)
#: can change only before the problem is assigned (交办)
EDITABLE_WHILE_REGISTERED = ("unit_id", "domain", "rectification_type", "deadline", "deadline_working_days")


def _check_domain(caller: Caller, unit: Unit, domain: str, category: str) -> None:
    states = caller.domain_states(unit)
    if domain not in states or not states[domain].enabled:
        raise FieldError("domain", "该业务领域未在责任单位启用")
    if registry().domains[domain].category(category) is None:
        names = "、".join(c.name for c in registry().domains[domain].categories)
        raise FieldError("category", f"问题类别不属于该领域，可选：{names}")


#: one instance per plugin field schema: building a marshmallow schema costs more than loading with it
_schemas: dict[type, Any] = {}


def _validate_custom(domain: str, values: dict[str, Any]) -> dict[str, Any]:
    fieldsets = [fs for fs in registry().fieldsets.values() if fs.domain == domain]
    if not fieldsets:
        if values:
            raise FieldError("custom_fields", "该领域没有扩展字段")
        return {}
    out: dict[str, Any] = {}
    for fs in fieldsets:
        schema = _schemas.get(fs.schema)
        if schema is None:
            schema = _schemas[fs.schema] = fs.schema()
        try:
            loaded = schema.load(values)
        except ValidationError as exc:
            raise ServiceError(
                "扩展字段有误",
                {f"custom_fields.{k}": v if isinstance(v, list) else [str(v)] for k, v in exc.messages.items()},
            ) from exc
        out.update(schema.dump(loaded))
    return out


def _deadline(caller: Caller, data: dict[str, Any], start: date) -> tuple[date | None, bool]:
    if data.get("deadline_working_days"):
        due = work_calendar().add_working_days(start, data["deadline_working_days"])
        return due.due, due.provisional
    return data.get("deadline"), False


def create_problem(
    caller: Caller, data: dict[str, Any], actor_override: str | None = None, *, checked: bool = False
) -> Problem:
    """Record a problem in the caller's tenant (待交办).

    :param checked: the caller's right to record at the unit was already checked by a rule of its own (e.g. a
        reviewer inspecting a unit below it with a checklist).
    """
    problem = _build_problem(caller, data, actor_override, system=checked)
    db.session.flush()
    record(actor_override or caller, problem, "ledger.created", {"after": snapshot(problem)})
    return problem


def create_problems(caller: Caller, rows: list[tuple[int, dict[str, Any]]]) -> list[Problem]:
    """Record many problems at once (an import): one batched INSERT for the problems, one for their events.

    :param rows: (row number, data) pairs; a refusal names its row in ``error.extra["row"]``.
    """
    problems = []
    for number, data in rows:
        try:
            problems.append(_build_problem(caller, data))
        except ServiceError as error:
            error.extra["row"] = number
            raise
    db.session.flush()
    events = [chain.append("ledger.created", caller.actor, {"after": snapshot(p)}, p.id, flush=False) for p in problems]
    db.session.flush()
    for problem, event in zip(problems, events, strict=True):
        notify(caller, problem, event)
    return problems


def create_system_problem(tenant: Tenant, data: dict[str, Any], rule: str, key: str) -> Problem | None:
    """Record a problem found by a rule of the system itself (e.g. a case completed after its promised date).

    The problem starts as registered (待交办), its actor is ``system:<rule>`` and it is keyed by (rule, key) in
    ``external_ref``: however often the rule runs, the problem is recorded once. Returns None when it already was.
    """
    ref = f"{rule}:{key}"
    if len(ref) > 64:
        raise ValueError(f"rule key too long: {ref!r}")
    if db.session.scalar(select(Problem.id).where(Problem.external_ref == ref)) is not None:
        return None
    caller = Caller(None, tenant, units_of_tenant())
    actor = f"system:{rule}"
    try:
        with db.session.begin_nested():
            values = {"source": "system_rule", **data, "external_ref": ref}
            problem = _build_problem(caller, values, actor, system=True)
            db.session.flush()
    except IntegrityError:
        # Another transaction recorded it first (the unique (tenant, external_ref) decides).
        return None
    record(actor, problem, "ledger.created", {"after": snapshot(problem), "rule": rule, "key": key})
    return problem


def _build_problem(
    caller: Caller, data: dict[str, Any], actor_override: str | None = None, system: bool = False
) -> Problem:
    """Check a new problem and add it to the session (not yet flushed)."""
    unit = caller.unit(data["unit_id"])
    if unit is None:
        raise FieldError("unit_id", "责任单位不存在")
    refusal = None if system else perm.record_refusal(caller.user, unit.id, caller.units)
    if refusal:
        raise ServiceError(refusal, {"unit_id": [refusal]}, status=403)
    _check_domain(caller, unit, data["domain"], data["category"])
    rect_type = data["rectification_type"]
    if rect_type != "long_term" and not (data.get("deadline") or data.get("deadline_working_days")):
        raise FieldError("deadline", "立行立改和限期整改须有整改时限（日期或工作日数）")
    if data.get("deadline") and data.get("deadline_working_days"):
        raise FieldError("deadline_working_days", "整改时限只能给日期或工作日数之一")
    _check_deadline_bounds(data.get("deadline"), data.get("deadline_working_days"), rect_type, today_in_shanghai())
    if data.get("recurrence_of"):
        old = get_problem(caller, data["recurrence_of"])
        if old.status != "closed":
            raise FieldError("recurrence_of", "只有已销号的问题才能登记为反弹复发")
    custom = _validate_custom(data["domain"], data.get("custom_fields") or {})
    local, local_version = local_fields.validate(data.get("local_fields") or {})
    now = utcnow()
    today = local_date(now)
    # A deadline in working days runs from assignment (交办); until then it is only an estimate.
    deadline, provisional = _deadline(caller, data, today)
    city = caller.user is not None and caller.user.role == "city_supervisor"
    problem = Problem(
        number=next_number(caller.tenant, today.year),
        source=data.get("source") or ("assigned" if city else "self_inspection"),
        domain=data["domain"],
        category=data["category"],
        severity=data.get("severity", "normal"),
        title=data["title"],
        description=data["description"],
        unit_id=unit.id,
        responsible_person=data.get("responsible_person", ""),
        responsible_leader=data.get("responsible_leader", ""),
        rectification_type=rect_type,
        measures=data.get("measures", ""),
        deadline=deadline,
        original_deadline=deadline,
        deadline_working_days=data.get("deadline_working_days"),
        deadline_provisional=provisional,
        phase=phase_for(today),
        status="registered",
        city_assigned=city,
        recurrence_of=data.get("recurrence_of"),
        external_ref=data.get("external_ref"),
        source_checklist_id=data.get("source_checklist_id"),
        source_item=data.get("source_item"),
        custom_fields=custom,
        local_fields=local,
        local_fields_version=local_version,
        created_by=actor_override or caller.actor,
        created_at=now,
        updated_at=now,
        version=1,
    )
    db.session.add(problem)
    return problem


SNAPSHOT_FIELDS = (
    "number", "source", "domain", "category", "severity", "title", "description", "unit_id",
    "responsible_person", "responsible_leader", "rectification_type", "measures", "deadline",
    "deadline_working_days", "deadline_provisional", "phase", "status", "city_assigned", "progress",
    "completion", "recurrence_of", "external_ref", "source_checklist_id", "source_item", "custom_fields",
    "local_fields", "local_fields_version",
)  # fmt: skip


def snapshot(problem: Problem) -> dict[str, Any]:
    return {name: _jsonable(getattr(problem, name)) for name in SNAPSHOT_FIELDS}


def _changed(problem: Problem, values: dict[str, Any]) -> dict[str, list[Any]]:
    diff = {}
    for name, value in values.items():
        before = getattr(problem, name)
        if before != value:
            diff[name] = [_jsonable(before), _jsonable(value)]
            setattr(problem, name, value)
    return diff


def _bump(problem: Problem) -> None:
    """Mark a change: the UPDATE raises the version (the mapper's version counter) and the time."""
    problem.updated_at = utcnow()


def update_problem(caller: Caller, problem: Problem, changes: dict[str, Any], if_match: str | None) -> Problem:
    """Change an open problem's fields; the before and after of each changed field go into the chain."""
    check_if_match(problem, if_match)
    if problem.status in ("closed", "dismissed"):
        raise Conflict(f"问题当前为「{STATUSES[problem.status]}」，不能再修改")
    if not perm.may_edit(caller.user, problem, caller.units):
        raise ServiceError("无权修改该问题", status=403)
    late = [k for k in EDITABLE_WHILE_REGISTERED if k in changes and problem.status != "registered"]
    if late:
        raise ServiceError(
            "交办后不能再改责任单位、领域、整改类型或时限（时限请走延期申请）",
            {k: ["交办后不能修改"] for k in late},
            status=409,
        )
    values = dict(changes)
    unit = caller.unit(values.get("unit_id", problem.unit_id))
    if unit is None:
        raise FieldError("unit_id", "责任单位不存在")
    if (
        "unit_id" in values
        and values["unit_id"] != problem.unit_id
        and not perm.may_record(caller.user, unit.id, caller.units)
    ):
        raise ServiceError(
            "只能把问题交给本单位或下级单位", {"unit_id": ["只能把问题交给本单位或下级单位"]}, status=403
        )
    domain = values.get("domain", problem.domain)
    if "domain" in values or "category" in values or "unit_id" in values:
        _check_domain(caller, unit, domain, values.get("category", problem.category))
    if "custom_fields" in values or "domain" in values:
        values["custom_fields"] = _validate_custom(domain, values.get("custom_fields", problem.custom_fields) or {})
    if "local_fields" in values:
        values["local_fields"], values["local_fields_version"] = local_fields.validate(values["local_fields"] or {})
    if {"deadline", "deadline_working_days", "rectification_type"} & values.keys():
        given_date, given_days = "deadline" in values, "deadline_working_days" in values
        # One way of giving the deadline replaces the other; a change of type alone keeps the one in force.
        kept_days = None if given_date else problem.deadline_working_days
        _check_deadline_bounds(
            values.get("deadline") if given_date else (None if given_days else problem.deadline),
            values.get("deadline_working_days") if given_days else kept_days,
            values.get("rectification_type", problem.rectification_type),
            today_in_shanghai(),
        )
    if "deadline" in values or "deadline_working_days" in values:
        if values.get("deadline") and values.get("deadline_working_days"):
            raise FieldError("deadline_working_days", "整改时限只能给日期或工作日数之一")
        # One way of giving the deadline replaces the other.
        values.setdefault("deadline_working_days", None)
        values["deadline"], values["deadline_provisional"] = _deadline(caller, values, today_in_shanghai())
        values["original_deadline"] = values["deadline"]
    rect_type = values.get("rectification_type", problem.rectification_type)
    has_deadline = values.get("deadline", problem.deadline) or values.get(
        "deadline_working_days", problem.deadline_working_days
    )
    if rect_type != "long_term" and not has_deadline:
        raise FieldError("deadline", "立行立改和限期整改须有整改时限（日期或工作日数）")
    diff = _changed(problem, values)
    if diff:
        _bump(problem)
        db.session.flush()
        record(caller, problem, "ledger.updated", {"changes": diff})
    return problem


# --- the lifecycle ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """One allowed move: from which states, to which state, and what it needs."""

    action: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change (签收)
    event: str  # the audit event kind the move appends (namespaced, past tense; declared in core.default_hooks)


TRANSITIONS = {
    t.action: t
    for t in (
        Transition("assign", "交办", ("registered",), "rectifying", "ledger.assigned"),
        Transition("sign", "签收", ("rectifying", "ongoing"), None, "ledger.signed"),
        Transition("submit", "提交验收", ("rectifying", "ongoing"), "submitted", "ledger.submitted"),
        Transition("close", "销号", ("submitted",), "closed", "ledger.closed"),
        Transition("return", "退回", ("submitted",), "rectifying", "ledger.returned"),
        Transition("ongoing", "转为长期坚持", ("rectifying",), "ongoing", "ledger.made_ongoing"),
        Transition("dismiss", "不予立项", ("registered",), "dismissed", "ledger.dismissed"),
    )
}


def allowed_moves(problem: Problem) -> list[str]:
    """The moves the problem's state allows (签收 only until it is signed)."""
    return [
        t.action
        for t in TRANSITIONS.values()
        if problem.status in t.sources and not (t.action == "sign" and problem.signed_at is not None)
    ]


def _state_conflict(problem: Problem, message: str, fields: dict | None = None) -> ServiceError:
    error = ServiceError(message, fields, status=409)
    error.extra = {"current": problem.status, "allowed": allowed_moves(problem)}
    return error


def _refuse_state(problem: Problem, action: str) -> None:
    moves = allowed_moves(problem)
    if action not in TRANSITIONS:  # a move the lifecycle does not have: named in Chinese, never echoed back
        can = "、".join(TRANSITIONS[m].label for m in moves) or "无"
        error = NotFound(f"没有这个办理操作；问题当前可办理：{can}")
        error.extra = {"current": problem.status, "allowed": moves}
        raise error
    error = Conflict(f"问题当前为「{STATUSES[problem.status]}」，不能{TRANSITIONS[action].label}")
    error.extra = {"current": problem.status, "allowed": moves}
    raise error


def _require(payload: dict[str, Any], name: str, label: str) -> Any:
    value = payload.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FieldError(name, f"{label}必填")
    return value


RESUBMIT_NEEDS_NEW_MATERIAL = "退回后重新提交须补充新的整改说明或佐证材料"
#: the kinds of a return (退回), as written now and before kinds were namespaced
RETURN_KINDS = ("ledger.returned", "return")
#: events that add material (a progress note or an evidence file)
MATERIAL_KINDS = ("ledger.note_added", "note_added", "ledger.evidence_added", "evidence_added")
#: an imported update adds a progress note when it changes 整改进展 (its data names the note)
IMPORT_KINDS = ("ledger.import_applied", "imported_update")


def _new_material_since_return(problem: Problem) -> bool:
    """After a 退回 the responsible unit must add something: a note or an evidence file later in the chain than the
    last return. A problem never returned needs nothing more than the first submission's material."""
    last_return = db.session.scalar(
        select(func.max(AuditEvent.seq)).where(AuditEvent.problem_id == problem.id, AuditEvent.kind.in_(RETURN_KINDS))
    )
    if last_return is None:
        return True
    later = db.session.execute(
        select(AuditEvent.kind, AuditEvent.body).where(
            AuditEvent.problem_id == problem.id,
            AuditEvent.seq > last_return,
            AuditEvent.kind.in_(MATERIAL_KINDS + IMPORT_KINDS),
        )
    ).all()
    for kind, body in later:
        if kind in MATERIAL_KINDS:
            return True
        data = json.loads(body).get("data") or {}
        if data.get("note_id"):
            return True
    return False


def transition(caller: Caller, problem: Problem, action: str, payload: dict[str, Any], if_match: str | None) -> Problem:
    """Move a problem along the declared lifecycle; any other move is refused with 409 and the allowed moves."""
    lock(problem)
    if action not in TRANSITIONS or problem.status not in TRANSITIONS[action].sources:
        _refuse_state(problem, action)
    check_if_match(problem, if_match)
    user, units = caller.user, caller.units
    rule = TRANSITIONS[action]
    allowed = {
        "assign": perm.may_assign,
        "dismiss": perm.may_assign,
        "ongoing": perm.may_assign,
        "close": perm.may_close,
        "return": perm.may_close,
    }
    if action in allowed and not allowed[action](user, problem, units):
        raise ServiceError("当前用户无权对该问题执行此操作", status=403)
    if action in ("sign", "submit") and not perm.is_responsible(user, problem):
        raise ServiceError("只有责任单位才能签收或提交验收", status=403)

    values: dict[str, Any] = {}
    now = utcnow()
    if action == "assign":
        values["assigned_at"] = now
        if problem.deadline_working_days:
            due = work_calendar().add_working_days(local_date(now), problem.deadline_working_days)
            values.update(deadline=due.due, original_deadline=due.due, deadline_provisional=due.provisional)
    elif action == "sign":
        if problem.signed_at is not None:
            raise _state_conflict(problem, "该问题已签收")
        values["signed_at"] = now
    elif action == "submit":
        if problem.signed_at is None:
            raise _state_conflict(problem, "责任单位须先签收")
        notes = db.session.scalar(select(func.count(ProgressNote.id)).where(ProgressNote.problem_id == problem.id))
        files = db.session.scalar(select(func.count(Attachment.id)).where(Attachment.problem_id == problem.id))
        missing = {}
        if not notes:
            missing["progress_note"] = ["提交验收前须填写整改进展"]
        if not files:
            missing["evidence"] = ["提交验收前须上传至少一份佐证材料"]
        if missing:
            raise _state_conflict(problem, "提交验收的材料不全", missing)
        if not _new_material_since_return(problem):
            raise FieldError("progress_note", RESUBMIT_NEEDS_NEW_MATERIAL)
        values.update(submitted_at=now, submitted_by=caller.actor)
    elif action == "close":
        opinion = _require(payload, "opinion", "验收意见")
        if problem.submitted_by == caller.actor:
            raise ServiceError("提交验收的人不能自己销号", status=403)
        closed_on = local_date(now)
        values.update(
            closed_at=now,
            closed_by=caller.actor,
            verification_opinion=opinion,
            closed_late=bool(problem.deadline and closed_on > problem.deadline),
        )
    elif action == "return":
        values.update(
            verification_opinion=_require(payload, "reason", "退回理由"), return_count=problem.return_count + 1
        )
    elif action == "ongoing":
        review = _require(payload, "next_review_on", "下次复查日期")
        if review <= today_in_shanghai():
            raise FieldError("next_review_on", "下次复查日期须晚于今天")
        values["next_review_on"] = review
        if payload.get("measures"):
            values["measures"] = payload["measures"]
    elif action == "dismiss":
        values["dismissed_reason"] = _require(payload, "reason", "不予立项理由")

    unit = caller.unit(problem.unit_id)
    enabled = caller.enabled_domains(unit)
    reasons = [
        r
        for r in registry().hook_for("xingfeng_validate_transition", enabled)(
            tenant=caller.tenant, unit=unit, actor=user, problem=problem, action=action, payload=dict(payload)
        )
        if r
    ]
    if reasons:
        error = Conflict("；".join(reasons))
        error.extra = {"current": problem.status, "allowed": allowed_moves(problem), "reasons": reasons}
        raise error

    before = problem.status
    if rule.target is not None:
        values["status"] = rule.target
    if rule.target in ("closed", "dismissed"):
        # A finished problem has no deadline left to extend.
        for ext in db.session.scalars(
            select(Extension).where(Extension.problem_id == problem.id, Extension.status == "pending")
        ):
            ext.status, ext.decided_at, ext.decision_note = "cancelled", now, "问题已办结，申请自动撤销"
    diff = _changed(problem, values)
    _bump(problem)
    db.session.flush()
    data = {"from": before, "to": problem.status, "changes": diff, "payload": _plain(payload)}
    record(caller, problem, rule.event, data)
    return problem


def _plain(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: _jsonable(v) for k, v in payload.items()}


# --- notes, evidence, extensions, referrals -----------------------------------------------------------------


def _require_open(problem: Problem) -> None:
    if problem.status in ("closed", "dismissed"):
        raise Conflict(f"问题当前为「{STATUSES[problem.status]}」，不能再办理")


def add_note(caller: Caller, problem: Problem, text: str) -> ProgressNote:
    """整改进展: the responsible unit (or the level above it) reports what was done."""
    lock(problem)
    _require_open(problem)
    if not perm.may_edit(caller.user, problem, caller.units):
        raise ServiceError("无权为该问题填写进展", status=403)
    note = ProgressNote(problem_id=problem.id, author=caller.actor, text=text)
    db.session.add(note)
    before = problem.progress
    problem.progress = text
    _bump(problem)  # 整改进展 changed: a version held from before must not overwrite it
    db.session.flush()
    data = {"note_id": note.id, "text": text, "changes": {"progress": [before, text]}}
    record(caller, problem, "ledger.note_added", data)
    return note


def evidence_store():

    cfg = current_app.config
    return EvidenceStore(cfg["EVIDENCE_FOLDER"], cfg["EVIDENCE_MAX_BYTES"])


def send_evidence(sha256: str, content_type: str, filename: str):
    """A stored evidence file as a download: always an attachment under its original name, never rendered."""
    from flask import send_file

    store = evidence_store()
    if not store.exists(sha256):
        raise NotFound("文件已不在存储中，请联系管理员")
    response = send_file(store.open(sha256), mimetype=content_type, max_age=0)
    response.headers.update(download_headers(filename, content_type))
    return response


def add_attachment(caller: Caller, problem: Problem, stream, filename: str, note_id: int | None = None) -> Attachment:
    """Store an evidence file by content hash, after checking its type by content and its size."""
    lock(problem)
    _require_open(problem)
    if not perm.may_edit(caller.user, problem, caller.units):
        raise ServiceError("无权为该问题上传佐证材料", status=403)
    if note_id is not None:
        note = scoped_get(ProgressNote, note_id)
        if note is None or note.problem_id != problem.id:
            raise FieldError("note_id", "该进展不属于此问题")
    stored = evidence_store().save(stream, filename)
    attachment = Attachment(
        problem_id=problem.id,
        note_id=note_id,
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.kind.content_type,
        kind=stored.kind.code,
        filename=stored.original_name,
        uploaded_by=caller.actor,
    )
    db.session.add(attachment)
    db.session.flush()
    record(
        caller,
        problem,
        "ledger.evidence_added",
        {
            "attachment_id": attachment.id,
            "sha256": stored.sha256,
            "size": stored.size,
            "filename": stored.original_name,
        },
    )
    return attachment


def copy_evidence(caller: Caller, problem: Problem, files: list, source: str) -> list[Attachment]:
    """Attach files already in the evidence store (e.g. a checklist answer's) to a problem, without copying bytes.

    :param files: objects with ``sha256``, ``size``, ``content_type``, ``filename`` and ``uploaded_by``.
    :param source: where they come from, kept in the audit event (e.g. ``checklist:12:a3``).
    """
    kinds = {kind.content_type: kind.code for kind in KINDS.values()}
    out = []
    for f in files:
        attachment = Attachment(
            problem_id=problem.id,
            sha256=f.sha256,
            size=f.size,
            content_type=f.content_type,
            kind=kinds.get(f.content_type, "ole"),
            filename=f.filename,
            uploaded_by=f.uploaded_by,
        )
        db.session.add(attachment)
        out.append(attachment)
    db.session.flush()
    for attachment in out:
        record(
            caller,
            problem,
            "ledger.evidence_added",
            {
                "attachment_id": attachment.id,
                "sha256": attachment.sha256,
                "size": attachment.size,
                "filename": attachment.filename,
                "from": source,
            },
        )
    return out


def get_attachment(caller: Caller, problem: Problem, attachment_id: int) -> Attachment:
    attachment = scoped_get(Attachment, attachment_id)
    if attachment is None or attachment.problem_id != problem.id:
        raise NotFound("未找到该佐证材料")
    return attachment


def request_extension(caller: Caller, problem: Problem, new_deadline: date, reason: str) -> Extension:
    """延期申请: made by the responsible unit before the deadline passes."""
    lock(problem)
    if problem.status not in ("rectifying", "ongoing"):
        raise Conflict(f"问题当前为「{STATUSES[problem.status]}」，不能申请延期")
    if not perm.is_responsible(caller.user, problem):
        raise ServiceError("只有责任单位才能申请延期", status=403)
    if problem.deadline is None:
        raise Conflict("该问题没有整改时限")
    if today_in_shanghai() > problem.deadline:
        raise Conflict("已超过整改时限，不能再申请延期")
    if new_deadline <= problem.deadline:
        raise FieldError("new_deadline", "新的时限须晚于现有时限")
    refusal = deadline_refusal(new_deadline, problem.rectification_type, today_in_shanghai())
    if refusal:
        raise FieldError("new_deadline", refusal.replace("整改时限", "新的时限", 1))
    pending = db.session.scalar(
        select(Extension.id).where(Extension.problem_id == problem.id, Extension.status == "pending")
    )
    if pending:
        raise Conflict("已有待审批的延期申请")
    ext = Extension(
        problem_id=problem.id,
        requested_by=caller.actor,
        current_deadline=problem.deadline,
        new_deadline=new_deadline,
        reason=reason,
        status="pending",
    )
    db.session.add(ext)
    db.session.flush()
    record(
        caller,
        problem,
        "ledger.extension_requested",
        {"extension_id": ext.id, "new_deadline": new_deadline.isoformat(), "reason": reason},
    )
    return ext


def decide_extension(caller: Caller, problem: Problem, extension_id: int, approve: bool, note: str) -> Extension:
    """The closing level approves (the new deadline replaces the old for on-time counting) or rejects."""
    lock(problem)
    _require_open(problem)
    ext = scoped_get(Extension, extension_id)
    if ext is None or ext.problem_id != problem.id:
        raise NotFound("未找到该延期申请")
    if ext.status != "pending":
        raise Conflict("该延期申请已处理")
    if not perm.may_close(caller.user, problem, caller.units):
        raise ServiceError("只有销号层级才能审批延期", status=403)
    ext.status = "approved" if approve else "rejected"
    ext.decided_by, ext.decided_at, ext.decision_note = caller.actor, utcnow(), note
    diff = {}
    if approve:
        diff = _changed(problem, {"deadline": ext.new_deadline, "deadline_provisional": False})
        _bump(problem)
    db.session.flush()
    record(
        caller,
        problem,
        "ledger.extension_decided",
        {"extension_id": ext.id, "status": ext.status, "note": note, "changes": diff},
    )
    return ext


def add_referral(caller: Caller, problem: Problem, data: dict[str, Any]) -> Referral:
    """移送纪检监察: recorded on the problem, which goes on."""
    lock(problem)
    if not (perm.may_assign(caller.user, problem, caller.units) or perm.may_close(caller.user, problem, caller.units)):
        raise ServiceError("无权记录移送", status=403)
    referral = Referral(problem_id=problem.id, recorded_by=caller.actor, **data)
    db.session.add(referral)
    db.session.flush()
    record(caller, problem, "ledger.referred", {"referral_id": referral.id, **_plain(data)})
    return referral


def repeats(problem: Problem) -> int:
    """How many later problems were recorded as recurrences of this one."""
    return db.session.scalar(select(func.count(Problem.id)).where(Problem.recurrence_of == problem.id)) or 0


def recompute_provisional(year: int) -> int:
    """After the city loads a year's holidays, recompute every open deadline that was only an estimate for it."""

    forget("work_calendar")
    cal = work_calendar()
    changed = 0
    for tenant in db.session.scalars(select(Tenant).order_by(Tenant.id)).all():
        with tenant_scope(tenant.id):
            rows = db.session.scalars(
                select(Problem).where(
                    Problem.deadline_provisional.is_(True),
                    Problem.deadline_working_days.is_not(None),
                    Problem.status.in_(OPEN_STATUSES),
                )
            ).all()
            for problem in rows:
                # Every estimate is recomputed, not only those ending in ``year``: a span across it changes too.
                start = local_date(problem.assigned_at or problem.created_at)
                due = cal.add_working_days(start, problem.deadline_working_days)
                extended = problem.deadline != problem.original_deadline
                values = {"deadline_provisional": due.provisional, "original_deadline": due.due}
                if not extended:
                    values["deadline"] = due.due
                diff = _changed(problem, values)
                if diff:
                    _bump(problem)
                    db.session.flush()
                    record("system:calendar", problem, "ledger.deadline_recomputed", {"year": year, "changes": diff})
                    changed += 1
    return changed
