"""The rules of random-inspection tasks (双随机抽查): pools, the draw, results and their publication.

Services flush; the request (or the sweep's CLI) commits. A result not published within
:data:`PUBLICATION_WORKING_DAYS` working days of the inspection's end becomes a ledger problem (结果未公示) by
itself, exactly once, keyed by (``supervision.unpublished_result``, task id): when a late publication is recorded,
when results are recorded already past the limit, and from the daily sweep for tasks still unpublished.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, BinaryIO

from sqlalchemy import func, select

from core.plugin_api import (
    Caller,
    Conflict,
    FieldError,
    ImportRefused,
    NotFound,
    Problem,
    ServiceError,
    Tenant,
    USCCError,
    append_event,
    cell_text,
    create_system_problem,
    db,
    domain_states,
    may_record,
    normalise_uscc,
    read_table,
    scoped_get,
    today_in_shanghai,
    units_of_tenant,
    utcnow,
    validate_uscc,
    visible_unit_ids,
    work_calendar,
)
from plugins.supervision import draw as drawing
from plugins.supervision.domain import DOMAIN
from plugins.supervision.models import (
    OUTCOMES,
    TASK_STATUSES,
    SupervisionEnterprise,
    SupervisionInspector,
    SupervisionTarget,
    SupervisionTask,
)

#: 抽查结果应当自抽查检查结束之日起20个工作日内公示（国发〔2019〕5号）
PUBLICATION_WORKING_DAYS = 20
RULE = "supervision.unpublished_result"
#: working days the responsible unit gets to put a late publication right
LATE_DEADLINE_WORKING_DAYS = 10
IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_ROWS = 5000
#: 执法证号: as the API's schema accepts it
CARD_NUMBER = re.compile(r"[0-9A-Za-z-]{1,40}")


# --- reading ------------------------------------------------------------------------------------------------


def _visible(caller: Caller) -> set[int] | None:
    return visible_unit_ids(caller.user, caller.units) if caller.user is not None else None


def get_task(caller: Caller, task_id: int) -> SupervisionTask:
    """A task the caller may see; 404 for another tenant's or one outside the caller's units."""
    task = scoped_get(SupervisionTask, task_id)
    visible = _visible(caller)
    if task is None or (visible is not None and task.unit_id not in visible):
        raise NotFound("未找到该抽查任务")
    return task


def list_tasks(caller: Caller) -> list[SupervisionTask]:
    query = select(SupervisionTask).order_by(SupervisionTask.starts_on.desc(), SupervisionTask.id.desc())
    visible = _visible(caller)
    if visible is not None:
        query = query.where(SupervisionTask.unit_id.in_(visible))
    return list(db.session.scalars(query))


def enterprises_of(task: SupervisionTask) -> list[SupervisionEnterprise]:
    query = select(SupervisionEnterprise).where(SupervisionEnterprise.task_id == task.id)
    return list(db.session.scalars(query.order_by(SupervisionEnterprise.id)))


def inspectors_of(task: SupervisionTask) -> list[SupervisionInspector]:
    query = select(SupervisionInspector).where(SupervisionInspector.task_id == task.id)
    return list(db.session.scalars(query.order_by(SupervisionInspector.id)))


def targets_of(task: SupervisionTask) -> list[SupervisionTarget]:
    query = select(SupervisionTarget).where(SupervisionTarget.task_id == task.id)
    return list(db.session.scalars(query.order_by(SupervisionTarget.position)))


def publication_due(task: SupervisionTask) -> date:
    """The last day the results may be published: 20 working days after the inspection's (recorded or planned) end."""
    end = task.inspection_ended_on or task.ends_on
    return work_calendar().add_working_days(end, PUBLICATION_WORKING_DAYS).due


def detail(caller: Caller, task: SupervisionTask) -> dict[str, Any]:
    """A task with its pools, the draw, the results and the publication, as the API and the pages show it."""
    enterprises = enterprises_of(task)
    by_id = {e.id: e for e in enterprises}
    inspectors = inspectors_of(task)
    names = {i.card_number: i.name for i in inspectors}
    unit = caller.unit(task.unit_id)
    late = scoped_get(Problem, task.late_problem_id) if task.late_problem_id else None
    targets = []
    for t in targets_of(task):
        enterprise = by_id[t.enterprise_id]
        targets.append(
            {
                "id": t.id,
                "position": t.position,
                "enterprise_name": enterprise.name,
                "credit_code": enterprise.credit_code,
                "inspectors": [{"card_number": c, "name": names.get(c, "")} for c in t.inspectors],
                "outcome": t.outcome,
                "outcome_name": OUTCOMES.get(t.outcome or "", ""),
                "findings": t.findings,
            }
        )
    return {
        **summary(task, unit.name if unit else ""),
        "description": task.description,
        "enterprises": [{"name": e.name, "credit_code": e.credit_code, "address": e.address} for e in enterprises],
        "inspectors": [{"name": i.name, "card_number": i.card_number, "unit_name": i.unit_name} for i in inspectors],
        "targets": targets,
        "pool_digest": task.pool_digest,
        "draw_digest": task.draw_digest,
        "drawn_at": task.drawn_at,
        "drawn_by": task.drawn_by,
        "publication_channel": task.publication_channel,
        "late_problem": {"id": late.id, "number": late.number} if late else None,
    }


def summary(task: SupervisionTask, unit_name: str = "") -> dict[str, Any]:
    return {
        "id": task.id,
        "unit_id": task.unit_id,
        "unit_name": unit_name,
        "name": task.name,
        "matter": task.matter,
        "starts_on": task.starts_on,
        "ends_on": task.ends_on,
        "target_count": task.target_count,
        "inspectors_per_target": task.inspectors_per_target,
        "status": task.status,
        "status_name": TASK_STATUSES[task.status],
        "seed": task.seed,
        "algorithm": task.algorithm,
        "inspection_ended_on": task.inspection_ended_on,
        "publication_due": publication_due(task) if task.status != "draft" else None,
        "published_on": task.published_on,
    }


# --- tasks and pools ----------------------------------------------------------------------------------------


def create_task(caller: Caller, data: dict[str, Any]) -> SupervisionTask:
    """Open a task for a unit where daily supervision is enabled (officers: their unit or one below)."""
    unit = caller.unit(data["unit_id"])
    if unit is None:
        raise FieldError("unit_id", "单位不存在")
    if not may_record(caller.user, unit.id, caller.units):
        raise ServiceError(
            "只能为本单位或下级单位建立抽查任务", {"unit_id": ["只能为本单位或下级单位建立抽查任务"]}, 403
        )
    if DOMAIN.slug not in caller.enabled_domains(unit):
        raise FieldError("unit_id", "该单位未启用日常监管")
    now = utcnow()
    task = SupervisionTask(
        unit_id=unit.id,
        name=data["name"],
        matter=data["matter"],
        description=data.get("description", ""),
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        target_count=data["target_count"],
        inspectors_per_target=data.get("inspectors_per_target", 2),
        status="draft",
        publication_channel="",
        created_by=caller.actor,
        created_at=now,
        updated_at=now,
    )
    db.session.add(task)
    db.session.flush()
    return task


def _open_pools(task: SupervisionTask) -> None:
    if task.status != "draft":
        raise Conflict("已抽取的任务不能再改动名录库（抽取结果须可复核）")


def _store_pool(task: SupervisionTask, kind: str, rows: list[dict[str, Any]], replace: bool, where) -> int:
    """Add (or with ``replace`` swap in) pool rows, refusing a key that is already there; ``where(i)`` names a row."""
    model, key = (
        (SupervisionEnterprise, "credit_code") if kind == "enterprises" else (SupervisionInspector, "card_number")
    )
    existing = {getattr(r, key): r for r in (enterprises_of(task) if kind == "enterprises" else inspectors_of(task))}
    if replace:
        for row in existing.values():
            db.session.delete(row)
        db.session.flush()
        existing = {}
    seen: set[str] = set()
    label = "统一社会信用代码" if kind == "enterprises" else "执法证号"
    for i, row in enumerate(rows):
        value = row[key]
        if value in seen or value in existing:
            field, message = where(i, key), f"{label}{value}重复"
            raise ServiceError(message, {field: [message]})
        seen.add(value)
    for row in rows:
        db.session.add(model(task_id=task.id, **row))
    task.updated_at = utcnow()
    db.session.flush()
    return len(rows)


def add_enterprises(task: SupervisionTask, rows: list[dict[str, Any]], replace: bool = False) -> int:
    _open_pools(task)
    return _store_pool(task, "enterprises", rows, replace, lambda i, k: f"enterprises.{i}.{k}")


def add_inspectors(task: SupervisionTask, rows: list[dict[str, Any]], replace: bool = False) -> int:
    _open_pools(task)
    return _store_pool(task, "inspectors", rows, replace, lambda i, k: f"inspectors.{i}.{k}")


# --- import of pools from .xlsx and CSV ---------------------------------------------------------------------

#: pool -> (header, key, required, max length)
POOL_COLUMNS = {
    "enterprises": (
        ("企业名称", "name", True, 200),
        ("统一社会信用代码", "credit_code", True, 18),
        ("地址", "address", False, 300),
    ),
    "inspectors": (
        ("姓名", "name", True, 80),
        ("执法证号", "card_number", True, 40),
        ("所在单位", "unit_name", False, 200),
    ),
}


def _read_rows(stream: BinaryIO, filename: str) -> list[tuple[Any, ...]]:
    # The first sheet (no sheet has this name) or the CSV, read as every import reads (core.platform.tabular).
    return read_table(stream, filename, "", "只接受 Excel .xlsx 或 CSV 文件")


def parse_pool(kind: str, stream: BinaryIO, filename: str) -> list[tuple[int, dict[str, Any]]]:
    """Pool rows from a workbook's first sheet or a CSV; every bad cell is named by row and column, none written."""
    columns = POOL_COLUMNS[kind]
    rows = _read_rows(stream, filename)
    header = [cell_text(v) for v in (rows[0] if rows else ())]
    errors: list[dict[str, Any]] = []
    index = {}
    for title, key, required, _limit in columns:
        if title in header:
            index[key] = header.index(title)
        elif required:
            errors.append({"row": 1, "column": title, "message": f"缺少「{title}」列"})
    if errors:
        raise ImportRefused(errors)
    out: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for number, values in enumerate(rows[1:], start=2):
        cells = {key: cell_text(values[i]) if i < len(values) else "" for key, i in index.items()}
        if not any(cells.values()):
            continue
        if len(out) >= IMPORT_MAX_ROWS:
            raise FieldError("file", f"每个文件最多导入{IMPORT_MAX_ROWS}行")
        row: dict[str, Any] = {}
        for title, key, required, limit in columns:
            value = cells.get(key, "")
            if key == "credit_code":
                value = normalise_uscc(value)
            if required and not value:
                errors.append({"row": number, "column": title, "message": "必填"})
                continue
            if len(value) > limit and key != "credit_code":
                errors.append({"row": number, "column": title, "message": f"长度不能超过{limit}"})
                continue
            if key == "credit_code":
                try:
                    validate_uscc(value)
                except USCCError as exc:
                    errors.append({"row": number, "column": title, "message": exc.messages[0]})
                    continue
            if key == "card_number" and not CARD_NUMBER.fullmatch(value):
                errors.append({"row": number, "column": title, "message": "执法证号应为1至40位数字、字母或连字符"})
                continue
            if key in ("credit_code", "card_number"):
                if value in seen:
                    errors.append({"row": number, "column": title, "message": f"与第{seen[value]}行重复"})
                    continue
                seen[value] = number
            row[key] = value
        out.append((number, row))
    if errors:
        raise ImportRefused(errors)
    if not out:
        raise FieldError("file", "文件中没有可导入的数据行")
    return out


def import_pool(task: SupervisionTask, kind: str, stream: BinaryIO, filename: str, replace: bool) -> int:
    """Add (or with ``replace`` swap in) a pool read from a file: all rows or none."""
    _open_pools(task)
    numbered = parse_pool(kind, stream, filename)
    rows = [row for _, row in numbered]
    if not replace:
        key, title = ("credit_code", "统一社会信用代码") if kind == "enterprises" else ("card_number", "执法证号")
        taken = {getattr(r, key) for r in (enterprises_of(task) if kind == "enterprises" else inspectors_of(task))}
        errors = [
            {"row": number, "column": title, "message": "名录库中已有该记录"}
            for number, row in numbered
            if row.get(key) in taken
        ]
        if errors:
            raise ImportRefused(errors)
    return _store_pool(task, kind, rows, replace, lambda i, k: k)


# --- the draw -----------------------------------------------------------------------------------------------


def _pools(task: SupervisionTask) -> tuple[list[SupervisionEnterprise], list[SupervisionInspector]]:
    return enterprises_of(task), inspectors_of(task)


def run_draw(caller: Caller, task: SupervisionTask, seed: str | None) -> SupervisionTask:
    """Draw the targets and their inspectors once, with the seed given (e.g. drawn in public) or a random one."""
    if task.status != "draft":
        raise Conflict("该任务已抽取，抽取结果不能重做；可用核验接口复核")
    enterprises, inspectors = _pools(task)
    if len(enterprises) < task.target_count:
        raise Conflict(f"检查对象名录库只有{len(enterprises)}家企业，少于抽取数量{task.target_count}")
    if len(inspectors) < task.inspectors_per_target:
        raise Conflict(f"执法检查人员名录库只有{len(inspectors)}人，少于每户检查人数{task.inspectors_per_target}")
    seed = seed or drawing.new_seed()
    codes = [e.credit_code for e in enterprises]
    cards = [i.card_number for i in inspectors]
    result = drawing.draw(seed, codes, cards, task.target_count, task.inspectors_per_target)
    by_code = {e.credit_code: e for e in enterprises}
    for position, drawn in enumerate(result, start=1):
        db.session.add(
            SupervisionTarget(
                task_id=task.id,
                enterprise_id=by_code[drawn.credit_code].id,
                position=position,
                inspectors=list(drawn.inspectors),
                findings="",
            )
        )
    now = utcnow()
    task.seed, task.algorithm = seed, drawing.ALGORITHM
    task.pool_digest = drawing.pool_digest(codes, cards)
    task.draw_digest = drawing.draw_digest(result)
    task.drawn_at, task.drawn_by, task.status, task.updated_at = now, caller.actor, "drawn", now
    db.session.flush()
    # The draw goes into the tenant's tamper-evident chain: seed, pools and result can be checked later.
    append_event(
        "supervision.draw",
        caller.actor,
        {
            "task_id": task.id,
            "seed": seed,
            "algorithm": drawing.ALGORITHM,
            "pool_digest": task.pool_digest,
            "draw_digest": task.draw_digest,
            "targets": [[d.credit_code, list(d.inspectors)] for d in result],
        },
    )
    return task


def verify(task: SupervisionTask) -> dict[str, Any]:
    """Redo the recorded draw from its seed over the pools and compare with what was recorded."""
    if task.status == "draft" or not task.seed:
        raise Conflict("该任务尚未抽取")
    enterprises, inspectors = _pools(task)
    codes = [e.credit_code for e in enterprises]
    cards = [i.card_number for i in inspectors]
    redone = drawing.draw(task.seed, codes, cards, task.target_count, task.inspectors_per_target)
    by_id = {e.id: e.credit_code for e in enterprises}
    recorded = [drawing.Drawn(by_id[t.enterprise_id], tuple(t.inspectors)) for t in targets_of(task)]
    digest = drawing.draw_digest(redone)
    pools = drawing.pool_digest(codes, cards)
    return {
        "seed": task.seed,
        "algorithm": task.algorithm,
        "pool_digest": pools,
        "recorded_pool_digest": task.pool_digest,
        "draw_digest": digest,
        "recorded_draw_digest": task.draw_digest,
        "matches": redone == recorded and digest == task.draw_digest and pools == task.pool_digest,
        "targets": [{"credit_code": d.credit_code, "inspectors": list(d.inspectors)} for d in redone],
    }


# --- results and publication --------------------------------------------------------------------------------


def record_results(caller: Caller, task: SupervisionTask, data: dict[str, Any], today: date | None = None) -> None:
    """Record what the inspections found (per drawn enterprise) and when they ended."""
    today = today or today_in_shanghai()
    if task.status == "draft":
        raise Conflict("该任务尚未抽取，不能登记检查结果")
    if task.status == "published":
        raise Conflict("检查结果已公示，不能再改动")
    ended = data["inspection_ended_on"]
    if ended > today:
        raise FieldError("inspection_ended_on", "检查结束日期不能晚于今天")
    if ended < task.starts_on:
        raise FieldError("inspection_ended_on", "检查结束日期不能早于任务开始日期")
    enterprises = {e.id: e.credit_code for e in enterprises_of(task)}
    targets = {enterprises[t.enterprise_id]: t for t in targets_of(task)}
    now = utcnow()
    for i, row in enumerate(data["results"]):
        target = targets.get(row["credit_code"])
        if target is None:
            raise FieldError(f"results.{i}.credit_code", "该企业不在本次抽取的检查对象中")
        target.outcome = row["outcome"]
        target.findings = row.get("findings", "")
        target.recorded_by, target.recorded_at = caller.actor, now
    task.inspection_ended_on = ended
    task.updated_at = now
    db.session.flush()
    check_publication(caller.tenant, task, today)


def publish(caller: Caller, task: SupervisionTask, data: dict[str, Any], today: date | None = None) -> None:
    """Record that the results were published (公示), and when; a late publication is a ledger problem at once."""
    today = today or today_in_shanghai()
    if task.status == "draft":
        raise Conflict("该任务尚未抽取")
    if task.status == "published":
        raise Conflict("该任务的检查结果已公示")
    missing = [t.position for t in targets_of(task) if t.outcome is None]
    if missing or task.inspection_ended_on is None:
        raise Conflict("请先登记全部检查对象的检查结果和检查结束日期，再登记公示")
    published = data["published_on"]
    if published > today:
        raise FieldError("published_on", "公示日期不能晚于今天")
    if published < task.inspection_ended_on:
        raise FieldError("published_on", "公示日期不能早于检查结束日期")
    task.published_on = published
    task.publication_channel = data["channel"]
    task.published_by = caller.actor
    task.status = "published"
    task.updated_at = utcnow()
    db.session.flush()
    check_publication(caller.tenant, task, today)


def is_late(task: SupervisionTask, today: date) -> bool:
    """Whether the task's results missed their publication limit (published late, or still not published)."""
    if task.status == "draft":
        return False
    due = publication_due(task)
    return (task.published_on or today) > due


def check_publication(tenant: Tenant, task: SupervisionTask, today: date) -> Problem | None:
    """Record the 结果未公示 problem of a late task, once; None if in time, already recorded or the domain is off."""
    if task.late_problem_id is not None or not is_late(task, today):
        return None
    units = units_of_tenant()
    unit = next((u for u in units if u.id == task.unit_id), None)
    if unit is None or not domain_states(unit, units)[DOMAIN.slug].enabled:
        return None
    due = publication_due(task)
    end = task.inspection_ended_on or task.ends_on
    if task.published_on:
        what = f"于{task.published_on:%Y年%m月%d日}公示，超过公示时限{due:%Y年%m月%d日}"
    else:
        what = f"截至{today:%Y年%m月%d日}仍未公示，公示时限为{due:%Y年%m月%d日}"
    data = {
        "unit_id": task.unit_id,
        "domain": DOMAIN.slug,
        "category": "results_unpublished",
        "title": f"双随机抽查结果未按时公示：{task.name}"[:200],
        "description": (
            f"抽查任务「{task.name}」（抽查事项：{task.matter}）检查于{end:%Y年%m月%d日}结束，"
            f"抽查结果应在{PUBLICATION_WORKING_DAYS}个工作日内通过国家企业信用信息公示系统公示，{what}。"
        ),
        "rectification_type": "deadline",
        "deadline_working_days": LATE_DEADLINE_WORKING_DAYS,
        "severity": "normal",
        "source": "system_rule",
        "custom_fields": {"inspection_type": "双随机抽查"},
    }
    problem = create_system_problem(tenant, data, RULE, str(task.id))
    if problem is None:
        problem = db.session.scalar(select(Problem).where(Problem.external_ref == f"{RULE}:{task.id}"))
    if problem is not None:
        task.late_problem_id = problem.id
        db.session.flush()
    return problem


def sweep(tenant: Tenant, today: date) -> int:
    """Record a problem for every drawn task of the tenant whose results are past their publication limit."""
    # 20 working days are at least 20 calendar days: older ends only are worth computing the calendar for.
    horizon = today - timedelta(days=PUBLICATION_WORKING_DAYS)
    query = select(SupervisionTask).where(
        SupervisionTask.status != "draft",
        SupervisionTask.late_problem_id.is_(None),
        func.coalesce(SupervisionTask.inspection_ended_on, SupervisionTask.ends_on) < horizon,
    )
    recorded = 0
    for task in db.session.scalars(query.order_by(SupervisionTask.id)).all():
        if check_publication(tenant, task, today) is not None:
            recorded += 1
    return recorded
