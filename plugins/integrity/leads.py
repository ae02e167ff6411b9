"""Confidential leads (问题线索): recorded by the tenant's 纪检 reviewers, or referred from a public report at triage.

Read only by reviewers of the tenant and the city's supervisors, and every read — the list, one lead, an export —
is an audited event. Nothing here notifies anyone, nothing is shown to the unit or the person concerned, and the
figures count leads per tenant only. A lead is disposed of (处置方式: 谈话函询、初步核实、暂存待查、予以了结) within
its deadline (lights as the ledger's), and concluded with a result (查实/部分查实/查否) linked to the accountability
records it led to and, when a reviewer asks for one after 查实, to a ledger problem.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, BinaryIO

from openpyxl import Workbook
from sqlalchemy import func, or_, select

from core.plugin_api import (
    LIGHTS,
    AccountabilityMeasure,
    Caller,
    Conflict,
    FieldError,
    NotFound,
    ReferredReport,
    ServiceError,
    append_event,
    create_problem,
    db,
    deadline_light,
    scoped_get,
    today_in_shanghai,
    utcnow,
)
from plugins.integrity.conduct_models import (
    DISPOSALS,
    LEAD_CATEGORIES,
    LEAD_SOURCES,
    LEAD_STATUSES,
    RESULTS,
    ConfidentialLead,
)
from plugins.integrity.models import StaffMember

#: who reads and handles leads: the tenant's 纪检 reviewers and the city's supervisors, nobody else
READERS = ("reviewer", "city_supervisor")
#: a lead's deadline when none is given: 30 days from its receipt
DEFAULT_DAYS = 30
#: the result that may produce a ledger problem
FOUND = ("substantiated", "partly")
#: fields a lead is recorded and changed with
FIELDS = ("source", "category", "person", "post", "staff_id", "unit_id", "summary", "received_on", "deadline",
          "handling")  # fmt: skip
#: what the audit chain keeps of a change: values for these, only the field's name for the rest (names, texts)
PLAIN = ("source", "category", "staff_id", "unit_id", "received_on", "deadline")


def may_read(caller: Caller) -> bool:
    """Whether the caller reads leads at all (a reviewer of this tenant, or a city supervisor)."""
    role = caller.user.role
    if role == "reviewer":
        return caller.user.tenant_id == caller.tenant.id
    return role == "city_supervisor"


def _check(caller: Caller) -> None:
    if not may_read(caller):
        raise ServiceError("问题线索仅限本局纪检人员和市局督查人员查阅", status=403)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()}


def light(caller: Caller, lead: ConfidentialLead, today: date) -> str | None:
    """红黄绿灯 on the deadline while the lead is open (none once concluded), as the ledger counts them."""
    return deadline_light(caller.tenant, lead.deadline, today, lead.status != "concluded")


# --- reading (every read is audited) --------------------------------------------------------------------------


def _query(filters: dict[str, Any]):
    query = select(ConfidentialLead)
    for name in ("status", "category", "source", "disposal", "result"):
        if filters.get(name):
            query = query.where(getattr(ConfidentialLead, name) == filters[name])
    if filters.get("q"):
        like = f"%{filters['q']}%"
        query = query.where(or_(ConfidentialLead.number.like(like), ConfidentialLead.person.like(like),
                                ConfidentialLead.summary.like(like)))  # fmt: skip
    return query.order_by(ConfidentialLead.received_on.desc(), ConfidentialLead.id.desc())


def list_leads(caller: Caller, filters: dict[str, Any] | None = None, today: date | None = None,
               purpose: str = "list") -> list[ConfidentialLead]:
    """The tenant's leads as filtered (``light`` too); the read is appended to the audit chain (``purpose``)."""
    _check(caller)
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    leads = list(db.session.scalars(_query(filters)))
    if filters.get("light"):
        today = today or today_in_shanghai()
        leads = [lead for lead in leads if light(caller, lead, today) == filters["light"]]
    kind = "integrity.leads_exported" if purpose == "export" else "integrity.leads_listed"
    append_event(kind, caller.actor, {"filters": _jsonable(filters), "count": len(leads),
                                      "lead_ids": [lead.id for lead in leads][:500]})  # fmt: skip
    return leads


def get_lead(caller: Caller, lead_id: int, audit: bool = True) -> ConfidentialLead:
    """One lead (404 in another tenant); reading it is an audited event."""
    _check(caller)
    lead = scoped_get(ConfidentialLead, lead_id)
    if lead is None:
        raise NotFound("未找到该问题线索")
    if audit:
        append_event("integrity.lead_read", caller.actor, {"lead_id": lead.id, "number": lead.number})
    return lead


def counts(caller: Caller, today: date) -> dict[str, Any]:
    """Per status and per light, for the page's summary (tenant-wide: leads are never counted per unit)."""
    _check(caller)
    by_status = dict(
        db.session.execute(select(ConfidentialLead.status, func.count()).group_by(ConfidentialLead.status)).all()
    )
    lights = dict.fromkeys(LIGHTS, 0)
    for lead in db.session.scalars(select(ConfidentialLead).where(ConfidentialLead.status != "concluded")):
        lights[light(caller, lead, today)] += 1
    return {"statuses": {s: by_status.get(s, 0) for s in LEAD_STATUSES}, "lights": lights}


# --- recording ------------------------------------------------------------------------------------------------


def _number(received_on: date) -> str:
    prefix = f"XS-{received_on.year}-"
    last = db.session.scalar(
        select(func.max(ConfidentialLead.number)).where(ConfidentialLead.number.like(prefix + "%"))
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _check_links(caller: Caller, values: dict[str, Any]) -> None:
    if values.get("unit_id") and caller.unit(values["unit_id"]) is None:
        raise FieldError("unit_id", "单位不存在")
    if values.get("staff_id"):
        staff = scoped_get(StaffMember, values["staff_id"])
        if staff is None:
            raise FieldError("staff_id", "人员名册中没有该人员")
        values["person"] = values.get("person") or staff.name
        values["unit_id"] = values.get("unit_id") or staff.unit_id
        values["post"] = values.get("post") or staff.post
    for name, choices, label in (("source", LEAD_SOURCES, "线索来源"), ("category", LEAD_CATEGORIES, "问题类别")):
        if name in values and values[name] not in choices:
            raise FieldError(name, f"{label}应为以下之一：" + "、".join(choices.values()))
    if "person" in values and not (values["person"] or "").strip():
        raise FieldError("person", "请填写被反映人")
    received, deadline = values.get("received_on"), values.get("deadline")
    if received and received > today_in_shanghai():
        raise FieldError("received_on", "受理日期不能晚于今天")
    if received and deadline and deadline < received:
        raise FieldError("deadline", "办理时限不能早于受理日期")


def create_lead(caller: Caller, data: dict[str, Any], public_report_id: int | None = None) -> ConfidentialLead:
    """Record a lead (待处置); its deadline defaults to 30 days after it was received."""
    _check(caller)
    values = {k: data.get(k) for k in FIELDS}
    values["received_on"] = values["received_on"] or today_in_shanghai()
    values["deadline"] = values["deadline"] or values["received_on"] + timedelta(days=DEFAULT_DAYS)
    values["post"] = values["post"] or ""
    values["handling"] = values["handling"] or ""
    values["source"] = values["source"] or ("public_report" if public_report_id else "other")
    _check_links(caller, values)
    now = utcnow()
    lead = ConfidentialLead(**values, number=_number(values["received_on"]), public_report_id=public_report_id,
                            status="pending", result_note="", accountability_ids=[], created_by=caller.actor,
                            created_at=now, updated_by=caller.actor, updated_at=now)  # fmt: skip
    db.session.add(lead)
    db.session.flush()
    append_event("integrity.lead_recorded", caller.actor,
                 {"lead_id": lead.id, "number": lead.number, "source": lead.source, "category": lead.category,
                  "public_report_id": public_report_id, "deadline": lead.deadline.isoformat()})  # fmt: skip
    return lead


def refer_report(caller: Caller, report: ReferredReport, data: dict[str, Any]) -> str:
    """转为问题线索 (the core's triage calls this): a lead from the report's text; returns the lead's number."""
    _check(caller)
    concerned = (report.concerned or "").strip()
    parts = [report.description]
    for label, value in (("涉及单位或人员", concerned), ("地点", report.location), ("时间", report.occurred)):
        if value:
            parts.append(f"{label}：{value}")
    parts.append(f"（群众举报转办，查询码 {report.tracking_code}）")
    note = (data.get("note") or "").strip()
    category = data.get("category") or ("eat_take_demand" if report.category in ("eat_take_demand",) else "other")
    if category not in LEAD_CATEGORIES:
        category = "other"
    lead = create_lead(
        caller,
        {"source": "public_report", "category": category, "person": (data.get("person") or concerned or "待核实")[:50],
         "unit_id": report.unit_id, "summary": "\n".join(parts)[:5000], "received_on": today_in_shanghai(),
         "handling": f"转办意见：{note}" if note else ""},
        public_report_id=report.report_id,
    )  # fmt: skip
    return f"问题线索 {lead.number}"


def _open(lead: ConfidentialLead) -> None:
    if lead.status == "concluded":
        raise Conflict("该线索已办结，不能再修改")


def update_lead(caller: Caller, lead: ConfidentialLead, changes: dict[str, Any]) -> ConfidentialLead:
    """Change what is known of an open lead (the person, the summary, the deadline, the handling notes)."""
    _check(caller)
    _open(lead)
    changes = {k: v for k, v in changes.items() if k in FIELDS and getattr(lead, k) != v}
    if not changes:
        return lead
    merged = {k: getattr(lead, k) for k in ("received_on", "deadline")} | changes
    _check_links(caller, merged)
    changes = {k: merged[k] for k in changes} | {k: merged[k] for k in ("person", "unit_id", "post") if k in merged
                                                 and k not in changes and merged[k] != getattr(lead, k)}  # fmt: skip
    before = {k: getattr(lead, k) for k in changes}
    for key, value in changes.items():
        setattr(lead, key, value)
    lead.updated_by, lead.updated_at = caller.actor, utcnow()
    db.session.flush()
    append_event("integrity.lead_updated", caller.actor,
                 {"lead_id": lead.id, "fields": sorted(changes),
                  "before": _jsonable({k: v for k, v in before.items() if k in PLAIN}),
                  "after": _jsonable({k: v for k, v in changes.items() if k in PLAIN})})  # fmt: skip
    return lead


def dispose(caller: Caller, lead: ConfidentialLead, disposal: str, deadline: date | None = None,
            note: str = "") -> ConfidentialLead:
    """处置: 谈话函询、初步核实 or 暂存待查 put the lead in hand (办理中); 予以了结 concludes it without a result."""
    _check(caller)
    _open(lead)
    if disposal not in DISPOSALS:
        raise FieldError("disposal", "处置方式应为以下之一：" + "、".join(DISPOSALS.values()))
    if deadline is not None:
        if deadline < lead.received_on:
            raise FieldError("deadline", "办理时限不能早于受理日期")
        lead.deadline = deadline
    lead.disposal = disposal
    if note.strip():
        lead.handling = (lead.handling + "\n" if lead.handling else "") + f"{DISPOSALS[disposal]}：{note.strip()}"
    if disposal == "close":
        lead.status, lead.concluded_on = "concluded", today_in_shanghai()
    else:
        lead.status = "handling"
    lead.updated_by, lead.updated_at = caller.actor, utcnow()
    db.session.flush()
    append_event("integrity.lead_disposed", caller.actor,
                 {"lead_id": lead.id, "disposal": disposal, "status": lead.status,
                  "deadline": lead.deadline.isoformat()})  # fmt: skip
    return lead


def _accountability(ids: list[int]) -> list[int]:
    out = []
    for ident in ids or []:
        if scoped_get(AccountabilityMeasure, ident) is None:
            raise FieldError("accountability_ids", f"问责记录 {ident} 不存在")
        if ident not in out:
            out.append(ident)
    return out


def conclude(caller: Caller, lead: ConfidentialLead, data: dict[str, Any]) -> ConfidentialLead:
    """办结 with a result (查实/部分查实/查否) fed back; after 查实 a reviewer may ask for a ledger problem.

    ``data``: ``result``, ``note``, ``concluded_on`` (today by default), ``accountability_ids`` and, to record a
    problem, ``problem`` with ``unit_id``, ``title``, ``description`` and optionally ``category``, ``deadline``.
    """
    _check(caller)
    _open(lead)
    result = data.get("result")
    if result not in RESULTS:
        raise FieldError("result", "核查结果应为以下之一：" + "、".join(RESULTS.values()))
    concluded_on = data.get("concluded_on") or today_in_shanghai()
    if concluded_on < lead.received_on or concluded_on > today_in_shanghai():
        raise FieldError("concluded_on", "办结日期应在受理日期和今天之间")
    ids = _accountability(data.get("accountability_ids") or [])
    problem = None
    if data.get("problem"):
        if result not in FOUND:
            raise FieldError("problem", "只有查实或部分查实的线索才能登记为台账问题")
        problem = _record_problem(caller, lead, data["problem"])
    lead.result, lead.result_note = result, (data.get("note") or "").strip()[:4000]
    lead.status, lead.concluded_on = "concluded", concluded_on
    lead.disposal = lead.disposal or "verify"
    lead.accountability_ids = ids
    if problem is not None:
        lead.problem_id = problem.id
    lead.updated_by, lead.updated_at = caller.actor, utcnow()
    db.session.flush()
    append_event("integrity.lead_concluded", caller.actor,
                 {"lead_id": lead.id, "result": result, "concluded_on": concluded_on.isoformat(),
                  "accountability_ids": ids, "problem_id": lead.problem_id})  # fmt: skip
    return lead


def _record_problem(caller: Caller, lead: ConfidentialLead, spec: dict[str, Any]):
    if lead.problem_id is not None:
        raise Conflict("该线索已登记过台账问题")
    unit_id = spec.get("unit_id") or lead.unit_id
    if not unit_id or caller.unit(unit_id) is None:
        raise FieldError("problem.unit_id", "请选择问题的责任单位")
    title = (spec.get("title") or "").strip()
    if not title:
        raise FieldError("problem.title", "请填写问题标题（将进入责任单位的台账，请勿写入线索来源）")
    values = {
        "source": "discipline_referral",
        "domain": "integrity",
        "category": spec.get("category") or lead.category,
        "severity": spec.get("severity") or "normal",
        "title": title[:200],
        "description": (spec.get("description") or title).strip()[:5000],
        "unit_id": unit_id,
        "rectification_type": "deadline",
        "responsible_person": "",
    }
    if spec.get("deadline"):
        values["deadline"] = spec["deadline"]
    else:
        values["deadline_working_days"] = 20
    # The reviewer records for a unit of its tenant as 纪检 does: the right is this rule's, not the officer's.
    problem = create_problem(caller, values, checked=True)
    append_event("integrity.lead_problem_recorded", caller.actor, {"lead_id": lead.id, "problem_id": problem.id},
                 problem_id=problem.id)  # fmt: skip
    return problem


def link_accountability(caller: Caller, lead: ConfidentialLead, ids: list[int]) -> ConfidentialLead:
    """Link the 问责 records a lead led to (also after it is concluded: a decision may come later)."""
    _check(caller)
    ids = _accountability(ids)
    if ids == list(lead.accountability_ids or []):
        return lead
    lead.accountability_ids = ids
    lead.updated_by, lead.updated_at = caller.actor, utcnow()
    db.session.flush()
    data = {"lead_id": lead.id, "fields": ["accountability_ids"], "after": {"accountability_ids": ids}}
    append_event("integrity.lead_updated", caller.actor, data)
    return lead


# --- export ---------------------------------------------------------------------------------------------------

SHEET = "问题线索"
HEADERS = ("线索编号", "线索来源", "问题类别", "被反映人", "职务/岗位", "所在单位", "反映的主要问题", "受理日期",
           "处置方式", "办理时限", "灯号", "办理状态", "办理情况", "核查结果", "结果说明", "办结日期", "问责记录",
           "台账问题")  # fmt: skip


def write_workbook(caller: Caller, leads: list[ConfidentialLead], out: BinaryIO, today: date) -> None:
    """The leads as an .xlsx (marked 内部资料: a confidential register)."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(["内部资料 注意保密"])
    sheet.append(list(HEADERS))
    for lead in leads:
        unit = caller.unit(lead.unit_id) if lead.unit_id else None
        lamp = light(caller, lead, today)
        sheet.append([
            lead.number, LEAD_SOURCES.get(lead.source, lead.source), LEAD_CATEGORIES.get(lead.category, lead.category),
            lead.person, lead.post, unit.name if unit else "", lead.summary, lead.received_on.isoformat(),
            DISPOSALS.get(lead.disposal, "") if lead.disposal else "", lead.deadline.isoformat(),
            LIGHTS.get(lamp, "") if lamp else "", LEAD_STATUSES[lead.status], lead.handling,
            RESULTS.get(lead.result, "") if lead.result else "", lead.result_note,
            lead.concluded_on.isoformat() if lead.concluded_on else "",
            "、".join(str(i) for i in lead.accountability_ids or []), lead.problem_id or "",
        ])  # fmt: skip
    for i, width in enumerate((14, 10, 14, 10, 14, 20, 48, 12, 10, 12, 8, 8, 36, 10, 30, 12, 12, 10)):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    book.save(out)
