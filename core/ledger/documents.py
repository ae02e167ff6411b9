"""The 整改通知书 (rectification notice) sent to the unit responsible for a problem, numbered in the tenant's register
(e.g. 北市监改〔2026〕3号) when it is issued, and printable again with the same number."""

from __future__ import annotations

from sqlalchemy import select

from core.documents import service as documents
from core.documents.gongwen import Gongwen, chinese_date
from core.documents.models import IssuedDocument
from core.ledger.models import OPEN_STATUSES, RECTIFICATION_TYPES, SOURCES, STATUSES, Problem
from core.platform.calendar import local_date
from core.platform.db import db
from core.platform.errors import Conflict, NotFound
from core.tenancy.models import Tenant, Unit


def _source(problem: Problem) -> str:
    return f"problem:{problem.id}"


def issued_notice(problem: Problem) -> IssuedDocument | None:
    return db.session.scalars(
        select(IssuedDocument)
        .where(IssuedDocument.kind == "notice", IssuedDocument.source == _source(problem))
        .order_by(IssuedDocument.id.desc())
        .limit(1)
    ).first()


def issue_notice(tenant: Tenant, problem: Problem, actor: str, today) -> IssuedDocument:
    """Number the notice (once per problem: a second call answers the first number) and audit it."""
    found = issued_notice(problem)
    if found is not None:
        return found
    if problem.status not in OPEN_STATUSES:
        raise Conflict(f"问题当前为「{STATUSES[problem.status]}」，不再发出整改通知书")
    return documents.issue_number(
        tenant, "notice", f"关于{problem.title}的整改通知书", actor, today, source=_source(problem),
        problem_id=problem.id,
    )  # fmt: skip


def notice_docx(tenant: Tenant, problem: Problem) -> bytes:
    issued = issued_notice(problem)
    if issued is None:
        raise NotFound("该问题尚未发出整改通知书")
    settings = documents.settings_for(tenant)
    unit = db.session.get(Unit, problem.unit_id)
    dated = local_date(issued.issued_at)
    doc = Gongwen()
    doc.red_header(settings["mark"], issued.number)
    doc.title("整改通知书")
    doc.recipients([unit.name if unit else ""])
    source = SOURCES.get(problem.source, problem.source)
    doc.paragraph(f"经{source}，发现你单位存在以下问题，现通知如下：")
    doc.heading(1, "问题情况")
    doc.paragraph(f"问题编号：{problem.number}。")
    doc.paragraph(f"问题概述：{problem.title}。")
    if problem.description.strip():
        doc.paragraph(problem.description)
    doc.heading(1, "整改要求")
    kind = RECTIFICATION_TYPES.get(problem.rectification_type, "")
    if problem.measures.strip():
        doc.heading(2, "整改措施。", problem.measures.strip())
    if problem.deadline:
        doc.heading(2, "整改时限。", f"请于{chinese_date(problem.deadline)}前完成整改（{kind or '限期整改'}）。")
    else:
        doc.heading(2, "整改时限。", f"{kind or '长期整改'}，按月报告进展。")
    doc.heading(
        2,
        "报送要求。",
        f"整改完成后，请将整改情况及佐证材料报送{settings['issuing_body']}，逾期未完成的将按规定督办、问责。",
    )
    doc.signature(settings["signature"], dated)
    doc.record(cc=settings["cc"], printer=settings["printer"], printed_on=dated)
    return doc.bytes()


def notice_filename(problem: Problem) -> str:
    return f"整改通知书-{problem.number}.docx"
