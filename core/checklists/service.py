"""Checklists: which templates a unit is offered, their items in force, filling, submitting and correcting.

Submitting scores the checklist and records a ledger problem for each failing answer, linked to the template,
its version, the item and the checklist. Every step is an event in the tenant's audit chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select

from core.audit import chain
from core.checklists import versions
from core.checklists.models import Checklist, ChecklistEvidence, ChecklistFinding, CityItem, LocalItem, TemplateVersion
from core.checklists.templates import (
    ANSWER_TYPES,
    EVIDENCE,
    Item,
    Template,
    TemplateError,
    check_template,
    evaluate,
    fails,
    normalise,
)
from core.ledger import permissions as perm
from core.ledger import service as ledger
from core.ledger.models import Problem
from core.platform.db import db, scoped_get, utcnow
from core.platform.errors import Conflict, FieldError, NotFound, ServiceError
from core.tenancy.models import Tenant, Unit
from core.tenancy.service import enabled_domains, registry, subtree_ids

#: working days a problem found by a checklist has to be put right, unless the tenant set its own
DEFAULT_DEADLINE_WORKING_DAYS = 15
#: who may fill a checklist: the unit's own officers and reviewers (for their unit and below), county admins, the city
INSPECTORS = ("city_supervisor", "tenant_admin", "officer", "reviewer")


# --- the templates the plugins declared ---------------------------------------------------------------------


def templates() -> dict[str, Template]:
    """Every template the loaded plugins declare, checked once per app."""
    app = current_app._get_current_object()
    found = app.extensions.get("xingfeng_checklists")
    if found is None:
        reg = registry()
        found = {}
        for result in reg.pm.hook.xingfeng_register_checklists():
            for template in result or []:
                if template.code in found:
                    raise TemplateError(f"duplicate checklist template {template.code!r}")
                domain = reg.domains.get(template.domain)
                if domain is None:
                    raise TemplateError(f"{template.code}: unknown domain {template.domain!r}")
                check_template(template, {c.code for c in domain.categories})
                found[template.code] = template
        app.extensions["xingfeng_checklists"] = found
    return found


def offered(caller: ledger.Caller, unit: Unit | None) -> list[Template]:
    """The templates of the domains enabled at the unit (for a city user with no unit: the tenant's)."""
    if unit is None:
        enabled = enabled_domains(None)
    else:
        enabled = caller.enabled_domains(unit)
    return [t for t in templates().values() if t.domain in enabled]


def template_at(caller: ledger.Caller, unit: Unit | None, code: str) -> Template:
    template = next((t for t in offered(caller, unit) if t.code == code), None)
    if template is None:
        raise NotFound("未找到该检查清单，或其业务领域未在本单位启用")
    return template


def extra_items(template_code: str) -> list[dict[str, Any]]:
    """The city's and the tenant's own items in force for a template, in the order they were added."""
    city = db.session.scalars(
        select(CityItem).where(CityItem.template_code == template_code, CityItem.retired_at.is_(None)).order_by("id")
    )
    local = db.session.scalars(
        select(LocalItem).where(LocalItem.template_code == template_code, LocalItem.retired_at.is_(None)).order_by("id")
    )
    out = [{**row.item, "code": row.code, "origin": "city"} for row in city]
    out += [{**row.item, "code": row.code, "origin": "local"} for row in local]
    return out


def items_of(content: dict[str, Any], extras: list[dict[str, Any]]) -> list[Item]:
    return [Item.from_dict(i) for i in content["items"]] + [Item.from_dict(i) for i in extras]


def form(template: Template) -> dict[str, Any]:
    """What a blank form shows now: the current version, with the city's and the tenant's items appended."""
    version = versions.pin(template.code, template.domain, template.content())
    extras = extra_items(template.code)
    return {
        **template.content(),
        "version": version.version,
        "release": template.release,
        "items": [i.as_dict() | {"origin": "plugin"} for i in items_of(version.content, [])] + extras,
    }


# --- the city's and the tenant's own items -------------------------------------------------------------------


def _extra_item(template: Template, data: dict[str, Any]) -> dict[str, Any]:
    """Check an added item against the template's domain (categories) and the answer rules."""
    domain = registry().domains[template.domain]
    if data.get("category", "other") not in {c.code for c in domain.categories}:
        raise FieldError("category", "问题类别不属于该清单的业务领域")
    answer = data.get("answer", "yes_no")
    if answer not in ANSWER_TYPES:
        raise FieldError("answer", "答案类型无效")
    if data.get("evidence", "") not in EVIDENCE:
        raise FieldError("evidence", "佐证要求无效")
    choices = [c for c in data.get("choices") or [] if c]
    if answer in ("single", "multiple") and len(choices) < 2:
        raise FieldError("choices", "单选、多选题至少要有两个选项")
    fail_on = list(data.get("fail_on") or (["no"] if answer == "yes_no" else []))
    allowed = choices if answer in ("single", "multiple") else ["yes", "no", "na"]
    if answer in ("single", "multiple", "yes_no") and set(fail_on) - set(allowed):
        raise FieldError("fail_on", "不合格答案必须是可选答案之一")
    item = Item(
        code="new",
        text=data["text"],
        basis=data.get("basis", ""),
        answer=answer,
        points=float(data.get("points") or 0),
        choices=tuple(choices),
        fail_on=tuple(fail_on) if answer in ("single", "multiple", "yes_no") else (),
        fail_below=data.get("fail_below"),
        fail_above=data.get("fail_above"),
        category=data.get("category", "other"),
        severity=data.get("severity", "normal"),
        evidence=data.get("evidence", ""),
        required=data.get("required", True),
    )
    out = item.as_dict()
    del out["code"]
    return out


def add_item(actor: str, template: Template, data: dict[str, Any], city: bool) -> CityItem | LocalItem:
    """A city admin's item (every tenant) or a tenant admin's (its own tenant), appended to the template."""
    model = CityItem if city else LocalItem
    row = model(template_code=template.code, code="pending", item=_extra_item(template, data), created_by=actor)
    db.session.add(row)
    db.session.flush()
    row.code = f"{'city' if city else 'local'}-{row.id}"
    db.session.flush()
    if not city:
        chain.append("checklists.item_added", actor, {"template": template.code, "code": row.code, "item": row.item})
    return row


def retire_item(actor: str, row: CityItem | LocalItem) -> None:
    if row.retired_at is not None:
        raise Conflict("该检查项已停用")
    row.retired_at, row.retired_by = utcnow(), actor
    db.session.flush()
    if isinstance(row, LocalItem):
        chain.append("checklists.item_retired", actor, {"template": row.template_code, "code": row.code})


def get_extra_item(model: type, item_id: int) -> CityItem | LocalItem:
    row = scoped_get(model, item_id) if model is LocalItem else db.session.get(model, item_id)
    if row is None:
        raise NotFound("未找到该检查项")
    return row


# --- filling -----------------------------------------------------------------------------------------------


def may_inspect(caller: ledger.Caller, unit_id: int) -> bool:
    user = caller.user
    if user.role in ("city_supervisor", "tenant_admin"):
        return True
    return (
        user.role in ("officer", "reviewer")
        and user.unit_id is not None
        and unit_id in subtree_ids(user.unit_id, caller.units)
    )


def get_checklist(caller: ledger.Caller, checklist_id: int) -> Checklist:
    """A checklist of a unit the caller sees; 404 otherwise (another tenant's does not exist)."""
    checklist = scoped_get(Checklist, checklist_id)
    visible = perm.visible_unit_ids(caller.user, caller.units)
    if checklist is None or (visible is not None and checklist.unit_id not in visible):
        raise NotFound("未找到该检查清单")
    return checklist


def pinned_items(checklist: Checklist) -> list[Item]:
    """The items the checklist was filled against: its version's and the extra items pinned with it."""
    return items_of(_version_content(checklist), checklist.extra_items or [])


def _version_content(checklist: Checklist) -> dict[str, Any]:

    return db.session.get(TemplateVersion, checklist.template_version_id).content


def _answers(items: list[Item], raw: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge raw answers into ``base``, each checked against its item; errors name ``answers.<code>``."""
    by_code = {item.code: item for item in items}
    out = dict(base or {})
    errors: dict[str, list[str]] = {}
    for code, value in (raw or {}).items():
        item = by_code.get(code)
        if item is None:
            errors[f"answers.{code}"] = ["清单中没有该检查项"]
            continue
        normalised, error = normalise(item, value)
        if error:
            errors[f"answers.{code}"] = [f"{item.text[:30]}：{error}"]
        elif normalised is None:
            out.pop(code, None)
        else:
            out[code] = normalised
    if errors:
        raise ServiceError("检查项答案有误", errors)
    return out


def _notes(items: list[Item], raw: dict[str, Any] | None, base: dict[str, str] | None = None) -> dict[str, str]:
    codes = {i.code for i in items}
    out = dict(base or {})
    for code, text in (raw or {}).items():
        if code not in codes:
            raise FieldError(f"notes.{code}", "清单中没有该检查项")
        if text:
            out[code] = str(text)[:2000]
        else:
            out.pop(code, None)
    return out


def create(
    caller: ledger.Caller, data: dict[str, Any], corrects: Checklist | None = None, version: Any = None
) -> Checklist:
    """Begin a checklist (a draft) for a unit, pinned to the template's current version and extra items.

    :param version: an earlier stored version to pin instead (a form printed before the template changed).
    """
    unit = caller.unit(data["unit_id"])
    if unit is None:
        raise FieldError("unit_id", "被检查单位不存在")
    if not may_inspect(caller, unit.id):
        raise ServiceError("只能检查本单位或下级单位", {"unit_id": ["只能检查本单位或下级单位"]}, status=403)
    template = next((t for t in offered(caller, unit) if t.code == data["template"]), None)
    if template is None:
        raise FieldError("template", "该检查清单不存在，或其业务领域未在被检查单位启用")
    if version is None:
        version = versions.pin(template.code, template.domain, template.content())
    extras = extra_items(template.code)
    items = items_of(version.content, extras)
    now = utcnow()
    checklist = Checklist(
        template_version_id=version.id,
        template_code=template.code,
        domain=template.domain,
        unit_id=unit.id,
        inspector=data["inspector"],
        inspected_on=data["inspected_on"],
        target_name=data["target_name"],
        target_ref=data.get("target_ref") or "",
        extra_items=extras,
        answers=_answers(items, data.get("answers") or {}),
        notes=_notes(items, data.get("notes")),
        remarks=data.get("remarks") or "",
        status="draft",
        corrects_id=corrects.id if corrects is not None else None,
        created_by=caller.actor,
        created_at=now,
        updated_at=now,
    )
    db.session.add(checklist)
    db.session.flush()
    chain.append(
        "checklists.created",
        caller.actor,
        {
            "checklist_id": checklist.id,
            "template": template.code,
            "version": version.version,
            "unit_id": unit.id,
            "corrects": checklist.corrects_id,
        },
    )
    return checklist


def _require_draft(checklist: Checklist) -> None:
    if checklist.status != "draft":
        raise Conflict("清单已提交，不能再修改；如需更正，请新建更正清单")


def _require_inspector(caller: ledger.Caller, checklist: Checklist) -> None:
    if not may_inspect(caller, checklist.unit_id):
        raise ServiceError("无权填写该检查清单", status=403)


def update(caller: ledger.Caller, checklist: Checklist, data: dict[str, Any]) -> Checklist:
    """Change a draft: header fields, answers (merged; an empty answer clears one) and notes."""
    _require_inspector(caller, checklist)
    _require_draft(checklist)
    items = pinned_items(checklist)
    for name in ("inspector", "inspected_on", "target_name", "target_ref", "remarks"):
        if name in data and data[name] is not None:
            setattr(checklist, name, data[name])
    if "answers" in data:
        checklist.answers = _answers(items, data["answers"], checklist.answers)
    if "notes" in data:
        checklist.notes = _notes(items, data["notes"], checklist.notes)
    checklist.updated_at = utcnow()
    db.session.flush()
    return checklist


def evaluation(checklist: Checklist):
    return evaluate(pinned_items(checklist), checklist.answers or {})


def _evidence_codes(checklist: Checklist) -> set[str]:
    return set(
        db.session.scalars(select(ChecklistEvidence.item_code).where(ChecklistEvidence.checklist_id == checklist.id))
    )


def missing_evidence(checklist: Checklist, items: list[Item], result) -> list[str]:
    have = _evidence_codes(checklist)
    need = []
    for item in items:
        if item.code not in result.shown or item.code in have:
            continue
        value = (checklist.answers or {}).get(item.code)
        if value is None or value == "na":
            continue
        if item.evidence == "always" or (item.evidence == "on_failure" and fails(item, value)):
            need.append(item.code)
    return need


def deadline_days(tenant: Tenant) -> int:
    return int((tenant.settings or {}).get("checklist_deadline_working_days", DEFAULT_DEADLINE_WORKING_DAYS))


def submit(caller: ledger.Caller, checklist: Checklist) -> list[Problem]:
    """Validate every shown answer, score, and record a ledger problem for each failing answer."""
    _require_inspector(caller, checklist)
    _require_draft(checklist)
    items = pinned_items(checklist)
    result = evaluate(items, checklist.answers or {})
    by_code = {i.code: i for i in items}
    errors = {f"answers.{code}": [f"必答：{by_code[code].text[:40]}"] for code in result.missing}
    for code in missing_evidence(checklist, items, result):
        errors.setdefault(f"evidence.{code}", []).append(f"须上传佐证材料：{by_code[code].text[:40]}")
    if errors:
        raise ServiceError("清单尚未填写完整，不能提交", errors)
    # Answers to items the conditions hid are not part of the checklist.
    checklist.answers = {k: v for k, v in checklist.answers.items() if k in result.shown}
    now = utcnow()
    checklist.status = "submitted"
    checklist.score, checklist.max_score = result.score, result.max_score
    checklist.failed_count = len(result.failing)
    checklist.submitted_at, checklist.submitted_by = now, caller.actor
    checklist.updated_at = now
    db.session.flush()
    content = _version_content(checklist)
    version = db.session.get(versions.TemplateVersion, checklist.template_version_id).version
    problems = []
    evidence = evidence_of(checklist)
    for code in result.failing:
        problem = ledger.create_problem(caller, _problem_data(caller, checklist, content, by_code[code]), checked=True)
        # The answer's evidence backs the problem too: the same stored files, listed among the problem's.
        files = [e for e in evidence if e.item_code == code]
        if files:
            ledger.copy_evidence(caller, problem, files, f"checklist:{checklist.id}:{code}")
        db.session.add(
            ChecklistFinding(
                checklist_id=checklist.id,
                item_code=code,
                problem_id=problem.id,
                template_code=checklist.template_code,
                template_version=version,
            )
        )
        problems.append(problem)
    db.session.flush()
    chain.append(
        "checklists.submitted",
        caller.actor,
        {
            "checklist_id": checklist.id,
            "template": checklist.template_code,
            "version": version,
            "unit_id": checklist.unit_id,
            "score": result.score,
            "max_score": result.max_score,
            "failing": result.failing,
            "problems": [p.id for p in problems],
        },
    )
    return problems


def _problem_data(caller: ledger.Caller, checklist: Checklist, content: dict[str, Any], item: Item) -> dict:
    answer = checklist.answers.get(item.code)
    shown_answer = "、".join(answer) if isinstance(answer, list) else {"yes": "是", "no": "否"}.get(answer, answer)
    note = (checklist.notes or {}).get(item.code, "")
    lines = [
        f"检查清单：{content['title']}（第 {checklist.id} 号，{checklist.inspected_on.isoformat()}，"
        f"检查人：{checklist.inspector}）",
        f"检查对象：{checklist.target_name}{'（' + checklist.target_ref + '）' if checklist.target_ref else ''}",
        f"检查项：{item.text}",
        f"检查结果：{shown_answer}",
    ]
    if item.basis:
        lines.append(f"依据：{item.basis}")
    if note:
        lines.append(f"说明：{note}")
    return {
        "unit_id": checklist.unit_id,
        "domain": checklist.domain,
        "category": item.category,
        "severity": item.severity,
        "source": "checklist",
        "title": f"{content['title']}：{item.text}"[:200],
        "description": "\n".join(lines),
        "rectification_type": "deadline",
        "deadline_working_days": deadline_days(caller.tenant),
        "external_ref": f"checklist:{checklist.id}:{item.code}",
        "source_checklist_id": checklist.id,
        "source_item": item.code,
    }


def correct(caller: ledger.Caller, old: Checklist) -> Checklist:
    """A correction of a submitted checklist: a new draft linked to it, with its answers copied."""
    if old.status != "submitted":
        raise Conflict("只有已提交的清单才能更正；草稿请直接修改")
    data = {
        "template": old.template_code,
        "unit_id": old.unit_id,
        "inspector": old.inspector,
        "inspected_on": old.inspected_on,
        "target_name": old.target_name,
        "target_ref": old.target_ref,
        "remarks": old.remarks,
    }
    new = create(caller, data, corrects=old)
    items = pinned_items(new)
    codes = {i.code for i in items}
    new.answers = {k: v for k, v in (old.answers or {}).items() if k in codes}
    new.notes = {k: v for k, v in (old.notes or {}).items() if k in codes}
    db.session.flush()
    return new


def findings(checklist: Checklist) -> list[tuple[ChecklistFinding, Problem]]:
    rows = db.session.execute(
        select(ChecklistFinding, Problem)
        .join(Problem, Problem.id == ChecklistFinding.problem_id)
        .where(ChecklistFinding.checklist_id == checklist.id)
        .order_by(ChecklistFinding.id)
    )
    return [(f, p) for f, p in rows]


@dataclass(frozen=True)
class ProblemOrigin:
    """The checklist answer a problem was recorded from, as its page names it."""

    checklist_id: int
    item_code: str
    template_title: str
    #: the item's place in the checklist as filled (第N项), None when the item is no longer among its items
    item_number: int | None
    item_text: str


def origin_of(problem: Problem) -> ProblemOrigin | None:
    """Where a problem came from when a failing checklist answer made it; None for any other problem."""
    if problem.source_checklist_id is None:
        return None
    checklist = scoped_get(Checklist, problem.source_checklist_id)
    if checklist is None:
        return None
    items = pinned_items(checklist)
    number = next((n for n, item in enumerate(items, 1) if item.code == problem.source_item), None)
    return ProblemOrigin(
        checklist_id=checklist.id,
        item_code=problem.source_item or "",
        template_title=_version_content(checklist)["title"],
        item_number=number,
        item_text=items[number - 1].text if number else "",
    )


def corrections(checklist: Checklist) -> list[int]:
    return list(db.session.scalars(select(Checklist.id).where(Checklist.corrects_id == checklist.id)))


def add_evidence(caller: ledger.Caller, checklist: Checklist, item_code: str, stream, filename: str):
    _require_inspector(caller, checklist)
    _require_draft(checklist)
    if item_code not in {i.code for i in pinned_items(checklist)}:
        raise FieldError("item_code", "清单中没有该检查项")
    stored = ledger.evidence_store().save(stream, filename)
    row = ChecklistEvidence(
        checklist_id=checklist.id,
        item_code=item_code,
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.kind.content_type,
        filename=stored.original_name,
        uploaded_by=caller.actor,
    )
    db.session.add(row)
    db.session.flush()
    chain.append(
        "checklists.evidence_added",
        caller.actor,
        {"checklist_id": checklist.id, "item": item_code, "sha256": stored.sha256, "filename": stored.original_name},
    )
    return row


def evidence_of(checklist: Checklist) -> list[ChecklistEvidence]:
    return list(
        db.session.scalars(
            select(ChecklistEvidence).where(ChecklistEvidence.checklist_id == checklist.id).order_by("id")
        )
    )


def get_evidence(checklist: Checklist, evidence_id: int) -> ChecklistEvidence:
    row = scoped_get(ChecklistEvidence, evidence_id)
    if row is None or row.checklist_id != checklist.id:
        raise NotFound("未找到该佐证材料")
    return row


def listing(caller: ledger.Caller, filters: dict[str, Any]) -> list[Checklist]:
    stmt = select(Checklist).order_by(Checklist.id.desc())
    visible = perm.visible_unit_ids(caller.user, caller.units)
    if visible is not None:
        stmt = stmt.where(Checklist.unit_id.in_(visible))
    if filters.get("unit_id") is not None:
        caller.filter_unit(filters["unit_id"])
    for name in ("unit_id", "status", "domain"):
        if filters.get(name):
            stmt = stmt.where(getattr(Checklist, name) == filters[name])
    if filters.get("template"):
        stmt = stmt.where(Checklist.template_code == filters["template"])
    if filters.get("date_from"):
        stmt = stmt.where(Checklist.inspected_on >= filters["date_from"])
    if filters.get("date_to"):
        stmt = stmt.where(Checklist.inspected_on <= filters["date_to"])
    return list(db.session.scalars(stmt.limit(filters.get("limit") or 200)))


def today() -> date:
    return ledger.today_in_shanghai()
