"""Service-case records (办件) and the rule that turns a late case into a ledger problem by itself.

A case is due on the ``promised_days``-th working day after the day it was received (Chinese holidays and adjusted
working weekends counted by the core's work calendar; 0 days means it is due the same day). A case completed after
that day, or still open once that day has passed, becomes one problem (超时办结, category ``late_completion``) keyed
by (rule, case): however often the rule runs — at recording, at import, in every sweep — it is recorded once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from core.plugin_api import (
    Caller,
    Conflict,
    FieldError,
    NotFound,
    Problem,
    ServiceError,
    Tenant,
    Unit,
    create_system_problem,
    db,
    domain_states,
    local_date,
    may_record,
    scoped_get,
    today_in_shanghai,
    units_of_tenant,
    utcnow,
    visible_unit_ids,
    work_calendar,
)
from plugins.approval.domain import DOMAIN
from plugins.approval.models import APPLICANT_TYPES, ApprovalCase

log = logging.getLogger(__name__)

#: the rule's name in the problem's actor (system:<rule>) and key
LATE_RULE = "approval.late_completion"
LATE_CATEGORY = "late_completion"
#: working days the responsible unit gets to put a late case right (explain, hold to account, fix the process)
RECTIFY_WORKING_DAYS = 10
#: a system-found problem is the bureau's own finding (自查自纠)
LATE_SOURCE = "system_rule"
MAX_PROMISED_DAYS = 365
#: what a case record carries, in the order of the API, the workbook and the page
FIELDS = (
    "unit_id", "matter_name", "case_no", "applicant_type", "window", "received_at", "promised_days",
    "completed_at", "intermediary",
)  # fmt: skip


def due_date(received_at: datetime, promised_days: int) -> date:
    """The promised date: the ``promised_days``-th working day after the day received (that day for 0)."""
    received = local_date(received_at)
    if promised_days == 0:
        return received
    return work_calendar().add_working_days(received, promised_days).due


def working_days_late(due: date, on: date) -> int:
    """Working days from the promised date to ``on`` (0 when not later)."""
    return work_calendar().working_days_between(due, on)


# --- who may see and record which cases -------------------------------------------------------------------


@dataclass
class Access:
    """The caller's view of the tenant's cases: visible units, and where the domain is switched on."""

    caller: Caller

    @classmethod
    def current(cls) -> Access:
        return cls(Caller.current())

    def visible(self) -> set[int] | None:
        return visible_unit_ids(self.caller.user, self.caller.units)

    def enabled_at(self, unit: Unit) -> bool:
        state = self.caller.domain_states(unit).get(DOMAIN.slug)
        return state is not None and state.enabled

    def sees(self, case: ApprovalCase) -> bool:
        visible = self.visible()
        return visible is None or case.unit_id in visible

    def writable_unit(self, unit_id: int | None) -> Unit:
        """The unit a new case is recorded for: given, or the caller's own; refused if not the caller's to record."""
        user = self.caller.user
        if unit_id is None:
            unit_id = user.unit_id
            if unit_id is None:
                raise FieldError("unit_id", "市局用户须指明办件所属单位")
        unit = self.caller.unit(unit_id)
        visible = self.visible()
        if unit is None or (visible is not None and unit_id not in visible):
            raise FieldError("unit_id", "单位不存在")
        if not may_record(user, unit_id, self.caller.units):
            raise ServiceError("只能为本单位或下级单位登记办件", {"unit_id": ["只能为本单位或下级单位登记办件"]}, 403)
        if not self.enabled_at(unit):
            raise FieldError("unit_id", "该单位未启用审批服务")
        return unit


def get_case(access: Access, case_id: int) -> ApprovalCase:
    case = scoped_get(ApprovalCase, case_id)
    if case is None or not access.sees(case):
        raise NotFound("未找到该办件")
    return case


def list_cases(access: Access, filters: dict[str, Any]) -> tuple[list[ApprovalCase], int]:
    """Cases the caller sees, newest first, one page at a time (offset paging: a window's list is short)."""
    query = select(ApprovalCase)
    visible = access.visible()
    if visible is not None:
        query = query.where(ApprovalCase.unit_id.in_(visible))
    if filters.get("unit_id") is not None:
        access.caller.filter_unit(filters["unit_id"])
        query = query.where(ApprovalCase.unit_id == filters["unit_id"])
    if filters.get("q"):
        like = f"%{filters['q']}%"
        query = query.where(ApprovalCase.matter_name.like(like) | ApprovalCase.case_no.like(like))
    state = filters.get("state")
    if state == "open":
        query = query.where(ApprovalCase.completed_at.is_(None))
    elif state == "completed":
        query = query.where(ApprovalCase.completed_at.is_not(None))
    elif state == "late":
        query = query.where(ApprovalCase.late_problem_id.is_not(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(ApprovalCase.received_at.desc(), ApprovalCase.id.desc())
        .limit(filters.get("limit", 50))
        .offset(filters.get("offset", 0))
    ).all()
    return list(rows), int(total or 0)


def check_times(data: dict[str, Any]) -> None:
    """Refuse a completion before receipt."""
    completed, received = data.get("completed_at"), data.get("received_at")
    if completed is not None and received is not None and completed < received:
        raise FieldError("completed_at", "办结时间不能早于受理时间")


def case_exists(case_no: str) -> bool:
    return db.session.scalar(select(ApprovalCase.id).where(ApprovalCase.case_no == case_no)) is not None


def build_case(access: Access, data: dict[str, Any], unit: Unit) -> ApprovalCase:
    """A new case, checked, added to the session (not flushed)."""
    check_times(data)
    now = utcnow()
    case = ApprovalCase(
        unit_id=unit.id,
        matter_name=data["matter_name"],
        case_no=data["case_no"],
        applicant_type=data["applicant_type"],
        window=data.get("window") or "",
        received_at=data["received_at"],
        promised_days=data["promised_days"],
        due_on=due_date(data["received_at"], data["promised_days"]),
        completed_at=data.get("completed_at"),
        intermediary=bool(data.get("intermediary", False)),
        created_by=access.caller.actor,
        created_at=now,
        updated_at=now,
    )
    db.session.add(case)
    return case


def create_case(access: Access, data: dict[str, Any]) -> ApprovalCase:
    """Record a case; one already completed late (or open past its date) becomes a problem at once."""
    unit = access.writable_unit(data.get("unit_id"))
    if case_exists(data["case_no"]):
        raise Conflict("办件编号已存在", {"case_no": ["本局已有该办件编号"]})
    case = build_case(access, data, unit)
    db.session.flush()
    check_late(access.caller.tenant, case)
    return case


def complete_case(access: Access, case: ApprovalCase, completed_at: datetime) -> ApprovalCase:
    """Record when an open case was completed (办结); late completion becomes a problem at once."""
    if case.completed_at is not None:
        raise Conflict("该办件已登记办结时间", {"completed_at": ["已登记办结时间，不能更改"]})
    if not may_record(access.caller.user, case.unit_id, access.caller.units):
        raise ServiceError("只能为本单位或下级单位登记办结", status=403)
    check_times({"received_at": case.received_at, "completed_at": completed_at})
    case.completed_at = completed_at
    case.updated_at = utcnow()
    db.session.flush()
    check_late(access.caller.tenant, case)
    return case


# --- the rule -----------------------------------------------------------------------------------------------


def lateness(case: ApprovalCase, today: date | None = None) -> int:
    """Working days the case is late: completed after its date, or still open after it (0 if not late)."""
    due = due_date(case.received_at, case.promised_days)
    if case.completed_at is not None:
        return working_days_late(due, local_date(case.completed_at))
    today = today or today_in_shanghai()
    return working_days_late(due, today)


def _problem_data(case: ApprovalCase, late_days: int, unit: Unit, today: date) -> dict[str, Any]:
    due = due_date(case.received_at, case.promised_days)
    received = local_date(case.received_at)
    applicant = APPLICANT_TYPES.get(case.applicant_type, case.applicant_type)
    promise = "即办件（当日办结）" if case.promised_days == 0 else f"承诺{case.promised_days}个工作日内办结"
    if case.completed_at is not None:
        done = f"实际于{local_date(case.completed_at).isoformat()}办结"
    else:
        done = f"截至{today.isoformat()}仍未办结"
    description = (
        f"办件「{case.matter_name}」（办件编号{case.case_no}，申请人类型：{applicant}）于{received.isoformat()}受理，"
        f"{promise}，应于{due.isoformat()}前办结，{done}，超出承诺时限{late_days}个工作日"
        f"（节假日及调休工作日已按工作日历计算）。"
    )
    if case.intermediary:
        description += "该办件有中介机构参与，请一并核查是否存在中介、黄牛勾连。"
    return {
        "unit_id": unit.id,
        "domain": DOMAIN.slug,
        "category": LATE_CATEGORY,
        "title": f"办件超时办结：{case.matter_name}（{case.case_no}）"[:200],
        "description": description,
        "rectification_type": "deadline",
        "deadline_working_days": RECTIFY_WORKING_DAYS,
        "severity": "serious" if late_days > 5 else "normal",
        "source": LATE_SOURCE,
        "custom_fields": {
            "matter_name": case.matter_name,
            "case_no": case.case_no,
            "window": case.window or None,
        },
    }


def check_late(tenant: Tenant, case: ApprovalCase, today: date | None = None, units: list[Unit] | None = None):
    """Record the case as a 超时办结 problem if it is late and not yet recorded; the problem, or None.

    Nothing is recorded where the approval domain is off at the case's unit.
    """
    if case.late_problem_id is not None:
        return None
    today = today or today_in_shanghai()
    late_days = lateness(case, today)
    if late_days <= 0:
        return None
    units = units if units is not None else units_of_tenant()
    unit = next((u for u in units if u.id == case.unit_id), None)
    if unit is None:
        return None
    state = domain_states(unit, units).get(DOMAIN.slug)
    if state is None or not state.enabled:
        return None
    problem = create_system_problem(tenant, _problem_data(case, late_days, unit, today), LATE_RULE, str(case.id))
    if problem is None:
        # Recorded before (by another run that committed first): link the case to it and record nothing more.
        case.late_problem_id = db.session.scalar(
            select(Problem.id).where(Problem.external_ref == f"{LATE_RULE}:{case.id}")
        )
        db.session.flush()
    else:
        case.late_problem_id = problem.id
        db.session.flush()
        log.info("case %s of tenant %s is late by %s working days: problem %s", case.id, tenant.slug, late_days,
                 problem.number)  # fmt: skip
    return problem


def sweep(tenant: Tenant, today: date) -> int:
    """Record every open case of the tenant in scope past its promised date (completed ones are checked when
    their completion is recorded)."""
    units = units_of_tenant()
    candidates = db.session.scalars(
        select(ApprovalCase)
        .where(ApprovalCase.completed_at.is_(None), ApprovalCase.late_problem_id.is_(None), ApprovalCase.due_on < today)
        .order_by(ApprovalCase.id)
    ).all()
    recorded = 0
    for case in candidates:
        if check_late(tenant, case, today, units) is not None:
            recorded += 1
    return recorded
