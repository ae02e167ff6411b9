"""The enforcement plugin's rules: the case-file registry, random sampling, reviews scored by the rubric, the
problems a failing review records, the re-review gate on closing them, and the statistics.

Services flush; the request boundary commits. Every function takes the ledger's ``Caller`` explicitly.
"""

from __future__ import annotations

import math
import random
import re
import secrets
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select

from core.plugin_api import (
    SHANGHAI,
    Caller,
    Conflict,
    FieldError,
    NotFound,
    Problem,
    ServiceError,
    TemplateVersion,
    Tenant,
    Unit,
    append_event,
    create_system_problem,
    db,
    may_record,
    pin_template_version,
    scoped_get,
    subtree_ids,
    utcnow,
    visible_unit_ids,
)
from plugins.enforcement import rubric
from plugins.enforcement.domain import DOMAIN
from plugins.enforcement.models import (
    CASE_TYPES,
    CaseFile,
    Review,
    ReviewDeduction,
    RubricLocalItem,
    RubricSetting,
    Sampling,
)

#: the rule under which a failing review's problem is recorded (its key is the review id)
PROBLEM_RULE = "enforcement.case_review"
#: a tenant's own items at most
MAX_LOCAL_ITEMS = 50
NAME_SEPARATORS = re.compile(r"[、,，;；/／\s]+")


# --- who sees which files -----------------------------------------------------------------------------------


def split_names(value: str | list[str] | None) -> list[str]:
    """Names from "张三、李四" (or a list), stripped, empty ones and repeats dropped, order kept."""
    parts = value if isinstance(value, list) else NAME_SEPARATORS.split(value or "")
    out: list[str] = []
    for part in parts:
        name = str(part).strip()
        if name and name not in out:
            out.append(name)
    return out


def enabled_unit_ids(caller: Caller) -> set[int]:
    """Units where the enforcement domain is on and whose files the caller may see (its unit and below)."""
    visible = visible_unit_ids(caller.user, caller.units)
    return {
        u.id for u in caller.units if (visible is None or u.id in visible) and DOMAIN.slug in caller.enabled_domains(u)
    }


def get_case_file(caller: Caller, case_file_id: int) -> CaseFile:
    """A case file the caller may see; 404 for another tenant's, or one outside the caller's units."""
    case_file = scoped_get(CaseFile, case_file_id)
    if case_file is None or case_file.unit_id not in enabled_unit_ids(caller):
        raise NotFound("未找到该案卷")
    return case_file


def get_review(caller: Caller, review_id: int) -> Review:
    review = scoped_get(Review, review_id)
    if review is None or review.unit_id not in enabled_unit_ids(caller):
        raise NotFound("未找到该评查记录")
    return review


def get_sampling(caller: Caller, sampling_id: int) -> Sampling:
    sampling = scoped_get(Sampling, sampling_id)
    if sampling is None:
        raise NotFound("未找到该抽查记录")
    return sampling


# --- the registry -------------------------------------------------------------------------------------------


def yuan(fen: int | None) -> str | None:
    """分 as a decimal string of 元, e.g. 123450 -> "1234.50"."""
    if fen is None:
        return None
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


def to_fen(amount: Decimal | float | str | None) -> int | None:
    if amount is None or amount == "":
        return None
    return int((Decimal(str(amount)) * 100).to_integral_value(ROUND_HALF_UP))


def check_case_file(caller: Caller, data: dict[str, Any], field_names: dict[str, str] | None = None) -> None:
    """The rules a case file's values must meet beyond their types: a unit the caller may record for, where the
    enforcement domain is on; at least one handler; closed on or after it was filed."""
    name = (field_names or {}).get
    unit = caller.unit(data["unit_id"]) if data.get("unit_id") is not None else None
    if unit is None:
        raise FieldError(name("unit_id", "unit_id"), "承办单位不存在")
    if not may_record(caller.user, unit.id, caller.units):
        raise ServiceError(
            "只能为本单位或下级单位登记案卷",
            {name("unit_id", "unit_id"): ["只能为本单位或下级单位登记案卷"]},
            status=403,
        )
    if DOMAIN.slug not in caller.enabled_domains(unit):
        raise FieldError(name("unit_id", "unit_id"), "该单位未启用执法案卷评查")
    if not split_names(data.get("handlers")):
        raise FieldError(name("handlers", "handlers"), "至少填写一名承办人")
    closed, filed = data.get("closed_on"), data.get("filed_on")
    if closed is not None and filed is not None and closed < filed:
        raise FieldError(name("closed_on", "closed_on"), "结案日期不能早于立案日期")


def _case_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "case_no": data["case_no"].strip(),
        "case_type": data["case_type"],
        "cause": (data.get("cause") or "").strip(),
        "unit_id": data["unit_id"],
        "handlers": split_names(data["handlers"]),
        "filed_on": data["filed_on"],
        "closed_on": data.get("closed_on"),
        "penalty_fen": to_fen(data.get("penalty_amount")),
        "discretion_level": data.get("discretion_level") or None,
    }


def create_case_file(caller: Caller, data: dict[str, Any]) -> CaseFile:
    """Register a case file; its number is unique in the tenant (409 if it is already registered)."""
    check_case_file(caller, data)
    values = _case_values(data)
    if db.session.scalar(select(CaseFile.id).where(CaseFile.case_no == values["case_no"])) is not None:
        raise Conflict("该案件编号已登记", {"case_no": ["该案件编号已登记"]})
    case_file = CaseFile(**values, created_by=caller.actor)
    db.session.add(case_file)
    db.session.flush()
    append_event(
        "enforcement.case_file_registered", caller.actor, {"case_file_id": case_file.id, "case_no": case_file.case_no}
    )
    from plugins.enforcement.certificates import record_lapsed

    record_lapsed(caller, case_file)  # a handler whose 执法证 had lapsed on the case's day: a problem, once
    return case_file


def list_case_files(caller: Caller, filters: dict[str, Any]) -> list[CaseFile]:
    query = select(CaseFile).where(CaseFile.unit_id.in_(enabled_unit_ids(caller)))
    if filters.get("unit_id") is not None:
        caller.filter_unit(filters["unit_id"])
        query = query.where(CaseFile.unit_id.in_(subtree_ids(filters["unit_id"], caller.units)))
    if filters.get("case_type"):
        query = query.where(CaseFile.case_type == filters["case_type"])
    if filters.get("closed_from"):
        query = query.where(CaseFile.closed_on >= filters["closed_from"])
    if filters.get("closed_to"):
        query = query.where(CaseFile.closed_on <= filters["closed_to"])
    if filters.get("q"):
        query = query.where(CaseFile.case_no.contains(filters["q"]) | CaseFile.cause.contains(filters["q"]))
    limit = filters.get("limit", 200)
    return list(db.session.scalars(query.order_by(CaseFile.filed_on.desc(), CaseFile.id.desc()).limit(limit)))


# --- the rubric in force ------------------------------------------------------------------------------------


def settings(tenant: Tenant) -> RubricSetting:
    """The tenant's thresholds (defaults until a tenant admin sets them; not stored until then)."""
    row = db.session.scalar(select(RubricSetting))
    if row is None:
        row = RubricSetting(
            excellent_min=rubric.DEFAULT_THRESHOLDS["excellent"],
            pass_min=rubric.DEFAULT_THRESHOLDS["pass"],
            problem_deadline_days=20,
            updated_by="default",
        )
    return row


def update_settings(caller: Caller, data: dict[str, Any]) -> RubricSetting:
    """Set the grade thresholds: 优秀 at or above ``excellent_min``, 合格 at or above ``pass_min``."""
    current = settings(caller.tenant)
    excellent = data.get("excellent_min", current.excellent_min)
    passing = data.get("pass_min", current.pass_min)
    if passing > excellent:
        raise FieldError("pass_min", "合格分数线不能高于优秀分数线")
    row = db.session.scalar(select(RubricSetting))
    if row is None:
        row = RubricSetting()
        db.session.add(row)
    row.excellent_min, row.pass_min = excellent, passing
    row.problem_deadline_days = data.get("problem_deadline_days", current.problem_deadline_days)
    row.updated_by, row.updated_at = caller.actor, utcnow()
    db.session.flush()
    append_event(
        "enforcement.case_review_settings",
        caller.actor,
        {"excellent_min": excellent, "pass_min": passing, "problem_deadline_days": row.problem_deadline_days},
    )
    return row


def local_items(include_retired: bool = False) -> list[RubricLocalItem]:
    query = select(RubricLocalItem).order_by(RubricLocalItem.id)
    if not include_retired:
        query = query.where(RubricLocalItem.retired_at.is_(None))
    return list(db.session.scalars(query))


def add_local_item(caller: Caller, data: dict[str, Any]) -> RubricLocalItem:
    """A tenant's own item: a veto item, or a deduction item of one section with its points."""
    active = local_items()
    if len(active) >= MAX_LOCAL_ITEMS:
        raise Conflict(f"本局评查项目最多{MAX_LOCAL_ITEMS}项")
    veto = data.get("veto", False)
    section = data.get("section") or ""
    if veto:
        section, points, max_count = "", 0.0, 1
    else:
        if section not in rubric.SECTIONS:
            names = "、".join(f"{code}（{name}）" for code, (name, _) in rubric.SECTIONS.items())
            raise FieldError("section", f"扣分项须指定评查部分：{names}")
        points = data.get("points")
        if not points:
            raise FieldError("points", "扣分项须给出每处扣分分值")
        if points > rubric.SECTIONS[section][1]:
            raise FieldError("points", f"每处扣分不能超过该部分满分{rubric.SECTIONS[section][1]}分")
        max_count = data.get("max_count", 1)
    taken = len(local_items(include_retired=True))
    code = f"local-{taken + 1}"
    item = rubric.RubricItem(
        code=code,
        text=data["text"].strip(),
        basis=data["basis"].strip(),
        section=section,
        points=float(points),
        max_count=max_count,
        veto=veto,
        category=data.get("category") or "other",
        serious=data.get("serious", False),
        origin="local",
    )
    row = RubricLocalItem(code=code, item=item.as_dict(), created_by=caller.actor)
    db.session.add(row)
    db.session.flush()
    append_event("enforcement.case_review_item_added", caller.actor, {"code": code, "item": item.as_dict()})
    return row


def retire_local_item(caller: Caller, item_id: int) -> RubricLocalItem:
    row = scoped_get(RubricLocalItem, item_id)
    if row is None:
        raise NotFound("未找到该评查项目")
    if row.retired_at is not None:
        raise Conflict("该评查项目已停用")
    row.retired_by, row.retired_at = caller.actor, utcnow()
    db.session.flush()
    append_event("enforcement.case_review_item_retired", caller.actor, {"code": row.code})
    return row


def current_rubric(caller: Caller) -> dict[str, Any]:
    """The rubric a review begun now is pinned to: the base version, the tenant's own items, the thresholds."""
    version = pin_template_version(rubric.CODE, rubric.DOMAIN, rubric.base_content())
    setting = settings(caller.tenant)
    return {
        "version": version,
        "local_items": [row.item for row in local_items()],
        "thresholds": {"excellent": setting.excellent_min, "pass": setting.pass_min},
    }


def describe_rubric(version_content: dict[str, Any], local: list[dict[str, Any]], thresholds: dict) -> dict:
    """Sections with their items (base then local), the veto items, and the thresholds, as the API shows them."""
    items = [rubric.RubricItem.from_dict(d) for d in version_content["items"]] + [
        rubric.RubricItem.from_dict(d) for d in local
    ]
    categories = {c.code: c.name for c in DOMAIN.categories}

    def show(item: rubric.RubricItem) -> dict[str, Any]:
        return {**item.as_dict(), "rule": item.rule, "category_name": categories.get(item.category, item.category)}

    return {
        "code": version_content["code"],
        "title": version_content["title"],
        "basis": version_content["basis"],
        "vetoes": [show(i) for i in items if i.veto],
        "sections": [
            {**s, "items": [show(i) for i in items if not i.veto and i.section == s["code"]]}
            for s in version_content["sections"]
        ],
        "thresholds": thresholds,
        "grades": rubric.GRADES,
    }


def review_rubric(review: Review) -> tuple[list[dict[str, Any]], dict[str, rubric.RubricItem], dict[str, Any]]:
    """The sections, items and version content a review is pinned to."""
    version = db.session.get(TemplateVersion, review.rubric_version_id)
    content = version.content
    items = {d["code"]: rubric.RubricItem.from_dict(d) for d in content["items"]}
    items.update({d["code"]: rubric.RubricItem.from_dict(d) for d in review.local_items or []})
    return content["sections"], items, content


# --- conflicts of interest ----------------------------------------------------------------------------------


def handler_names(case_file: CaseFile) -> set[str]:
    """The handlers as written and by name alone (张三（33010219001） is 张三 too), for the 回避 checks."""
    from plugins.enforcement.certificates import parse_handler

    written = set(case_file.handlers or [])
    return written | {parse_handler(h)[0] for h in written}


def check_conflicts(case_file: CaseFile, reviewers: list[str], field: str = "reviewers") -> None:
    """A reviewer is never one of the file's handlers (回避): 409 naming each one who is."""
    handlers = handler_names(case_file)
    clashing = [name for name in reviewers if name in handlers]
    if clashing:
        names = "」「".join(clashing)
        message = f"评查人员「{names}」是案卷「{case_file.case_no}」的承办人，应当回避"
        raise Conflict(message, {field: [message]})


def check_scorer(caller: Caller, case_file: CaseFile) -> None:
    """The person scoring a file is not one of its handlers either."""
    name = (caller.user.name or "").strip()
    if name and name in handler_names(case_file):
        message = f"评分人「{name}」是案卷「{case_file.case_no}」的承办人，应当回避"
        raise Conflict(message, {"reviewer": [message]})


# --- reviews ------------------------------------------------------------------------------------------------


def create_review(
    caller: Caller,
    case_file: CaseFile,
    reviewers: list[str],
    kind: str = "review",
    sampling: Sampling | None = None,
    pinned: dict[str, Any] | None = None,
) -> Review:
    """Begin a review (or re-review) of a file, pinned to the rubric in force, with reviewers who are not its
    handlers."""
    reviewers = split_names(reviewers)
    if not reviewers:
        raise FieldError("reviewers", "至少指定一名评查人员")
    check_conflicts(case_file, reviewers)
    if kind == "re_review":
        earlier = db.session.scalar(
            select(Review.id).where(Review.case_file_id == case_file.id, Review.status == "scored").limit(1)
        )
        if earlier is None:
            raise Conflict("该案卷尚未评查，不能复查", {"kind": ["该案卷尚未评查，不能复查"]})
    pending = db.session.scalar(
        select(Review.id).where(Review.case_file_id == case_file.id, Review.status == "assigned").limit(1)
    )
    if pending is not None:
        raise Conflict(f"该案卷已有待评分的评查（编号{pending}）")
    pinned = pinned or current_rubric(caller)
    review = Review(
        unit_id=case_file.unit_id,
        case_file_id=case_file.id,
        sampling_id=sampling.id if sampling else None,
        kind=kind,
        rubric_version_id=pinned["version"].id,
        rubric_version=pinned["version"].version,
        local_items=pinned["local_items"],
        thresholds=pinned["thresholds"],
        reviewers=reviewers,
        status="assigned",
        created_by=caller.actor,
    )
    db.session.add(review)
    db.session.flush()
    return review


def _findings(items: dict[str, rubric.RubricItem], data: dict[str, Any]) -> list[rubric.Finding]:
    """The deductions and vetoes of a scoring, checked against the pinned rubric (422 naming the field)."""
    findings: list[rubric.Finding] = []
    seen: set[str] = set()
    for key, want_veto in (("vetoes", True), ("deductions", False)):
        for i, entry in enumerate(data.get(key) or []):
            code = entry["item"]
            item = items.get(code)
            if item is None:
                raise FieldError(f"{key}.{i}.item", f"评查标准中没有项目「{code}」")
            if item.veto != want_veto:
                where = "一票否决项" if item.veto else "扣分项"
                raise FieldError(f"{key}.{i}.item", f"项目「{code}」应填在 {where} 中")
            if code in seen:
                raise FieldError(f"{key}.{i}.item", f"项目「{code}」重复")
            seen.add(code)
            count = entry.get("count", 1)
            if not item.veto and count > item.max_count:
                raise FieldError(f"{key}.{i}.count", f"该项目最多计{item.max_count}处")
            note = entry["note"].strip()
            if not note:
                raise FieldError(f"{key}.{i}.note", "须写明扣分理由")
            findings.append(rubric.Finding(code, count, bool(entry.get("serious", False)), note))
    return findings


def score_review(caller: Caller, review: Review, data: dict[str, Any]) -> Review:
    """Score a review: the system computes the score and grade from the findings; a 不合格 file or a serious
    finding records a ledger problem (source 案卷评查) for the file's unit."""
    if review.status != "assigned":
        raise Conflict("该评查已评分；如需更正，请对案卷发起复查")
    case_file = scoped_get(CaseFile, review.case_file_id)
    check_scorer(caller, case_file)
    sections, items, _content = review_rubric(review)
    findings = _findings(items, data)
    category = data.get("problem_category")
    if category and DOMAIN.category(category) is None:
        names = "、".join(f"{c.code}（{c.name}）" for c in DOMAIN.categories)
        raise FieldError("problem_category", f"问题类别不属于执法案卷评查领域，可选：{names}")
    result = rubric.evaluate(sections, items, findings, review.thresholds)
    for line in result.lines:
        db.session.add(
            ReviewDeduction(
                review_id=review.id,
                item_code=line["item"],
                section=line["section"],
                count=line["count"],
                points=line["points"],
                veto=line["veto"],
                serious=line["serious"],
                note=line["note"],
            )
        )
    review.score, review.grade, review.vetoed = result.score, result.grade, result.vetoed
    review.section_scores = result.sections
    review.remarks = (data.get("remarks") or "").strip()
    review.status = "scored"
    review.reviewed_by, review.reviewed_at = caller.actor, utcnow()
    db.session.flush()
    append_event(
        "enforcement.case_review_scored",
        caller.actor,
        {
            "review_id": review.id,
            "case_file_id": case_file.id,
            "case_no": case_file.case_no,
            "kind": review.kind,
            "rubric_version": review.rubric_version,
            "score": review.score,
            "grade": review.grade,
            "lines": result.lines,
        },
    )
    if result.grade == "fail" or result.serious:
        problem = _record_problem(caller, review, case_file, items, result, category)
        review.problem_id = problem.id if problem is not None else None
        db.session.flush()
    return review


def _problem_category(items: dict[str, rubric.RubricItem], result: rubric.Result) -> str:
    """The category of the first veto, else of the first serious finding, else of the largest deduction."""
    for test in (lambda line: line["veto"], lambda line: line["serious"]):
        line = next((line for line in result.lines if test(line)), None)
        if line is not None:
            return items[line["item"]].category
    if result.lines:
        biggest = max(result.lines, key=lambda line: line["points"])
        return items[biggest["item"]].category
    return "other"


def _record_problem(
    caller: Caller,
    review: Review,
    case_file: CaseFile,
    items: dict[str, rubric.RubricItem],
    result: rubric.Result,
    category: str | None,
) -> Problem | None:
    grade = rubric.GRADES[result.grade]
    lines = []
    for line in result.lines:
        if not (line["veto"] or line["serious"] or result.grade == "fail"):
            continue
        item = items[line["item"]]
        what = "一票否决" if line["veto"] else f"扣{rubric._plain(line['points'])}分"
        lines.append(f"{item.code} {item.text}（{what}）：{line['note']}")
    kind = "复查" if review.kind == "re_review" else "评查"
    if result.grade == "fail":
        title = f"案卷{kind}不合格：{case_file.case_no}"
    else:
        title = f"案卷{kind}发现严重问题：{case_file.case_no}"
    description = f"案卷「{case_file.case_no}」{kind}得分{rubric._plain(result.score)}分，等次{grade}。\n" + "\n".join(
        lines
    )
    setting = settings(caller.tenant)
    data = {
        "unit_id": case_file.unit_id,
        "domain": DOMAIN.slug,
        "category": category or _problem_category(items, result),
        "title": title[:200],
        "description": description,
        "rectification_type": "deadline",
        "deadline_working_days": setting.problem_deadline_days,
        "severity": "grave" if result.vetoed else "serious",
        "source": "case_review",
        "responsible_person": "、".join(case_file.handlers)[:64],
        "custom_fields": {
            "case_no": case_file.case_no,
            "case_type": CASE_TYPES[case_file.case_type],
            "handlers": "、".join(case_file.handlers)[:100],
            "review_score": result.score,
        },
    }
    return create_system_problem(caller.tenant, data, PROBLEM_RULE, str(review.id))


def deductions_of(review_ids: list[int]) -> dict[int, list[ReviewDeduction]]:
    out: dict[int, list[ReviewDeduction]] = defaultdict(list)
    if review_ids:
        rows = db.session.scalars(
            select(ReviewDeduction).where(ReviewDeduction.review_id.in_(review_ids)).order_by(ReviewDeduction.id)
        )
        for row in rows:
            out[row.review_id].append(row)
    return out


def passes(review: Review) -> bool:
    """A passing (re-)review: scored, 合格 or better, and no serious finding."""
    if review.status != "scored" or review.grade == "fail":
        return False
    serious = db.session.scalar(
        select(ReviewDeduction.id).where(ReviewDeduction.review_id == review.id, ReviewDeduction.serious.is_(True))
    )
    return serious is None


def closure_refusal(problem: Problem) -> str | None:
    """Why a case-review problem may not be closed yet: its file needs a passing re-review after the review that
    found it. None for any other problem, or once the latest such re-review passes."""
    if problem.domain != DOMAIN.slug or problem.source != "case_review":
        return None
    origin = db.session.scalar(select(Review).where(Review.problem_id == problem.id))
    if origin is not None:
        case_file = scoped_get(CaseFile, origin.case_file_id)
        since, exclude = origin.reviewed_at, origin.id
    else:
        # Recorded by hand with source 案卷评查: the file its case number names, re-reviewed after the problem.
        case_no = (problem.custom_fields or {}).get("case_no")
        case_file = db.session.scalar(select(CaseFile).where(CaseFile.case_no == case_no)) if case_no else None
        if case_file is None:
            return None
        since, exclude = problem.created_at, None
    query = select(Review).where(
        Review.case_file_id == case_file.id,
        Review.kind == "re_review",
        Review.status == "scored",
        Review.reviewed_at >= since,
    )
    if exclude is not None:
        query = query.where(Review.id != exclude)
    latest = db.session.scalar(query.order_by(Review.reviewed_at.desc(), Review.id.desc()).limit(1))
    if latest is None:
        return f"该问题来自案卷评查，须对案卷「{case_file.case_no}」复查合格后方可销号"
    if not passes(latest):
        return f"案卷「{case_file.case_no}」最近一次复查未通过（不合格或有严重问题），须复查合格后方可销号"
    return None


# --- sampling -----------------------------------------------------------------------------------------------


def draw_order(population: list[int], seed: str, size: int) -> list[int]:
    """The draw itself: ``random.Random(seed).sample(population, size)`` — anyone with Python can redo it."""
    return random.Random(seed).sample(population, size)


def eligible(caller: Caller, criteria: dict[str, Any]) -> list[int]:
    """Ids of the files a draw chooses from, in case-number order: closed in the period, of the units (and the
    units below them) and the case types asked for."""
    allowed = enabled_unit_ids(caller)
    if criteria.get("unit_ids"):
        wanted: set[int] = set()
        for unit_id in criteria["unit_ids"]:
            wanted |= subtree_ids(unit_id, caller.units)
        allowed &= wanted
    query = select(CaseFile.id, CaseFile.case_no).where(
        CaseFile.unit_id.in_(allowed),
        CaseFile.closed_on.is_not(None),
        CaseFile.closed_on >= date.fromisoformat(criteria["period_from"]),
        CaseFile.closed_on <= date.fromisoformat(criteria["period_to"]),
    )
    if criteria.get("case_types"):
        query = query.where(CaseFile.case_type.in_(criteria["case_types"]))
    rows = db.session.execute(query).all()
    return [r.id for r in sorted(rows, key=lambda r: (r.case_no, r.id))]


def _assign(files: list[CaseFile], reviewers: list[str], per_file: int) -> list[list[str]]:
    """Reviewers for each drawn file in turn, skipping any who handled it; 409 naming them if too few are left."""
    out = []
    for index, case_file in enumerate(files):
        start = (index * per_file) % len(reviewers)
        rotation = reviewers[start:] + reviewers[:start]
        handlers = handler_names(case_file)
        chosen = [name for name in rotation if name not in handlers][:per_file]
        if len(chosen) < per_file:
            clashing = "」「".join(name for name in reviewers if name in handlers)
            message = f"案卷「{case_file.case_no}」的承办人与评查人员「{clashing}」相同，回避后评查人员不足{per_file}名"
            raise Conflict(message, {"reviewers": [message]})
        out.append(chosen)
    return out


def draw(caller: Caller, data: dict[str, Any]) -> Sampling:
    """Draw files at random for review: the seed (given or made here) and the population are recorded, so the
    same draw can be redone and checked; each drawn file gets reviewers who did not handle it."""
    visible = enabled_unit_ids(caller)
    for i, unit_id in enumerate(data.get("unit_ids") or []):
        if unit_id not in visible:
            raise FieldError(f"unit_ids.{i}", "单位不存在或未启用执法案卷评查")
    if data["period_to"] < data["period_from"]:
        raise FieldError("period_to", "结束日期不能早于开始日期")
    has_count, has_share = data.get("count") is not None, data.get("proportion") is not None
    if has_count == has_share:
        raise FieldError("count", "抽取数量与抽取比例须且只能填一项")
    reviewers = split_names(data.get("reviewers") or [])
    per_file = data.get("reviewers_per_file", 1)
    if reviewers and per_file > len(reviewers):
        raise FieldError("reviewers_per_file", "每卷评查人数不能多于评查人员总数")
    criteria = {
        "unit_ids": sorted(data.get("unit_ids") or []),
        "period_from": data["period_from"].isoformat(),
        "period_to": data["period_to"].isoformat(),
        "case_types": sorted(data.get("case_types") or []),
        "proportion": float(data["proportion"]) if has_share else None,
        "count": data.get("count"),
        "reviewers": reviewers,
        "reviewers_per_file": per_file,
    }
    population = eligible(caller, criteria)
    if not population:
        raise FieldError("period_from", "所选单位、期间和案件类型内没有已结案的案卷")
    if has_count:
        size = data["count"]
        if size > len(population):
            raise FieldError("count", f"抽取数量超过符合条件的案卷数（{len(population)}件）")
    else:
        # A share rounds up: 10% of 15 files is 2 files, and any share of one file is that file.
        size = max(1, math.ceil(Decimal(str(data["proportion"])) * len(population)))
    seed = (data.get("seed") or "").strip() or secrets.token_hex(8)
    selected = draw_order(population, seed, size)
    sampling = Sampling(criteria=criteria, seed=seed, population=population, selected=selected, drawn_by=caller.actor)
    db.session.add(sampling)
    db.session.flush()
    if reviewers:
        files = {f.id: f for f in db.session.scalars(select(CaseFile).where(CaseFile.id.in_(selected)))}
        ordered = [files[i] for i in selected]
        assignments = _assign(ordered, reviewers, per_file)
        pinned = current_rubric(caller)
        for case_file, names in zip(ordered, assignments, strict=True):
            create_review(caller, case_file, names, "review", sampling, pinned)
    append_event(
        "enforcement.case_sampling_drawn",
        caller.actor,
        {
            "sampling_id": sampling.id,
            "seed": seed,
            "criteria": criteria,
            "population": population,
            "selected": selected,
        },
    )
    return sampling


def verify(caller: Caller, sampling: Sampling) -> dict[str, Any]:
    """Redo a draw from its recorded seed and population; also say whether the registry would give the same
    population today (files registered or changed later)."""
    redone = draw_order(list(sampling.population), sampling.seed, len(sampling.selected))
    today = eligible(caller, sampling.criteria)
    return {
        "sampling_id": sampling.id,
        "seed": sampling.seed,
        "selected": list(sampling.selected),
        "redone": redone,
        "same": redone == list(sampling.selected),
        "population_unchanged": today == list(sampling.population),
        "method": "random.Random(seed).sample(population, size)",
    }


# --- statistics ---------------------------------------------------------------------------------------------


def _round(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _summary(scores: list[tuple[float, str]]) -> dict[str, Any]:
    grades = Counter(grade for _, grade in scores)
    count = len(scores)
    return {
        "count": count,
        "average": _round(sum(s for s, _ in scores) / count) if count else None,
        "grades": {code: grades.get(code, 0) for code in rubric.GRADES},
        "fail_share": _round(grades.get("fail", 0) / count) if count else None,
    }


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def statistics(caller: Caller, filters: dict[str, Any]) -> dict[str, Any]:
    """Average score and grade distribution per unit, per handler and per section; the most frequent deductions."""
    units = enabled_unit_ids(caller)
    if filters.get("unit_id") is not None:
        caller.filter_unit(filters["unit_id"])
        units &= subtree_ids(filters["unit_id"], caller.units)
    query = select(Review).where(Review.status == "scored", Review.unit_id.in_(units))
    if filters.get("kind"):
        query = query.where(Review.kind == filters["kind"])
    if filters.get("period_from"):
        query = query.where(Review.reviewed_at >= _day_start(filters["period_from"]))
    if filters.get("period_to"):
        query = query.where(Review.reviewed_at < _day_start(filters["period_to"]) + timedelta(days=1))
    reviews = list(db.session.scalars(query.order_by(Review.id)))
    files = {}
    ids = sorted({r.case_file_id for r in reviews})
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        files.update({f.id: f for f in db.session.scalars(select(CaseFile).where(CaseFile.id.in_(chunk)))})
    names = {u.id: u.name for u in caller.units}
    by_unit: dict[int, list[tuple[float, str]]] = defaultdict(list)
    by_handler: dict[str, list[tuple[float, str]]] = defaultdict(list)
    sections: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for review in reviews:
        entry = (review.score, review.grade)
        by_unit[review.unit_id].append(entry)
        for handler in files[review.case_file_id].handlers or []:
            by_handler[handler].append(entry)
        for code, values in (review.section_scores or {}).items():
            sections[code].append(values)
    top = _top_deductions([r.id for r in reviews], filters.get("top", 10))
    return {
        "overall": _summary([(r.score, r.grade) for r in reviews]),
        "units": [
            {"unit_id": unit_id, "unit_name": names.get(unit_id, ""), **_summary(entries)}
            for unit_id, entries in sorted(by_unit.items(), key=lambda kv: names.get(kv[0], ""))
        ],
        "handlers": [
            {"handler": handler, **_summary(entries)}
            for handler, entries in sorted(by_handler.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ],
        "sections": [
            {
                "section": code,
                "name": name,
                "points": points,
                "average_score": _round(sum(v["score"] for v in sections[code]) / len(sections[code]))
                if sections[code]
                else None,
                "average_deducted": _round(sum(v["deducted"] for v in sections[code]) / len(sections[code]))
                if sections[code]
                else None,
            }
            for code, (name, points) in rubric.SECTIONS.items()
        ],
        "top_deductions": top,
    }


def _top_deductions(review_ids: list[int], limit: int) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    points: dict[str, Decimal] = defaultdict(Decimal)
    for start in range(0, len(review_ids), 1000):
        chunk = review_ids[start : start + 1000]
        for row in db.session.execute(
            select(ReviewDeduction.item_code, ReviewDeduction.points).where(ReviewDeduction.review_id.in_(chunk))
        ):
            counts[row.item_code] += 1
            points[row.item_code] += Decimal(str(row.points))
    texts = {item.code: item for item in rubric.BASE_ITEMS}
    texts.update({row.code: rubric.RubricItem.from_dict(row.item) for row in local_items(include_retired=True)})
    ranked = sorted(counts, key=lambda code: (-counts[code], -points[code], code))[:limit]
    out = []
    for code in ranked:
        item = texts.get(code)
        out.append(
            {
                "item": code,
                "text": item.text if item else code,
                "section": item.section if item else "",
                "veto": item.veto if item else False,
                "times": counts[code],
                "points": float(points[code]),
            }
        )
    return out


def unit_name(caller: Caller, unit_id: int) -> str:
    unit: Unit | None = caller.unit(unit_id)
    return unit.name if unit else ""
