"""The city's 工作简报 (work briefing): numbered 第N期 per year in the city's register, its items chosen from the
published typical experiences (典型经验), a figures item from a snapshot, and the work ahead; 报/送/发 in its 版记.

The briefing is archived as issued (document_issued.body), so it downloads again unchanged.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from core.documents import service as documents
from core.documents.gongwen import Gongwen, chinese_date
from core.documents.models import IssuedDocument
from core.figures.models import FigureSnapshot
from core.oversight.models import PublishedExperience
from core.platform.calendar import local_date
from core.platform.db import db, tenant_scope
from core.platform.errors import FieldError, NotFound


def _experiences(ids: list[int]) -> list[PublishedExperience]:
    found = {e.id: e for e in db.session.scalars(select(PublishedExperience).where(PublishedExperience.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise FieldError("experience_ids", f"没有这些已发布的典型经验：{'、'.join(map(str, missing))}")
    return [found[i] for i in ids]


def make(actor: str, today: date, data: dict[str, Any]) -> IssuedDocument:
    """Number, build and archive a briefing in the city's register; answers its register row."""
    city = documents.city_tenant()
    settings = documents.settings_for(city)
    items = _experiences(data.get("experience_ids") or [])
    taken = None
    if data.get("snapshot_id") is not None:
        taken = db.session.get(FigureSnapshot, data["snapshot_id"])
        if taken is None:
            raise FieldError("snapshot_id", "没有这个快照")
    if not items and taken is None and not data.get("tasks"):
        raise FieldError("experience_ids", "简报至少要有一条典型经验、一个快照的数据或一项工作安排")
    title = data.get("title") or (
        items[0].title if items else f"{taken.label}行风建设工作情况" if taken else "工作安排"
    )
    issued = documents.issue_number(city, "briefing", title, actor, today, source="briefing")
    doc = Gongwen()
    doc.briefing_header(settings["briefing_title"], issued.number, f"{settings['issuing_body']}编", today)
    if data.get("foreword"):
        doc.paragraph(data["foreword"])
        doc.blank()
    for item in items:
        doc.article(item.title, item.text, source=f"发布于{chinese_date(local_date(item.published_at))}")
    if taken is not None:
        rows = taken.data["tenants"]
        named = "、".join(r["name"] for r in rows if r["tenant_id"] in (taken.data.get("commended") or []))
        text = taken.data["summary"]
        if named:
            text += f"\n得分排名前列的是{named}。"
        doc.article(f"{taken.label}全市行风建设问题整改情况", text, source=f"据{taken.document_number}")
    if data.get("tasks"):
        doc.article("下一步工作安排", "\n".join(f"{n}. {t}" for n, t in enumerate(data["tasks"], start=1)))
    doc.distribution([("报", settings["cc"]), ("送", data.get("also_to") or []), ("发", settings["recipients"])])
    with tenant_scope(city.id):
        # the number is printed in the briefing itself, so the body is written once the number is drawn
        issued.body = doc.bytes()
        db.session.flush()
    return issued


def listing(year: int | None = None) -> list[IssuedDocument]:
    city = documents.city_tenant()
    with tenant_scope(city.id):
        stmt = select(IssuedDocument).where(IssuedDocument.kind == "briefing").order_by(IssuedDocument.id.desc())
        if year is not None:
            stmt = stmt.where(IssuedDocument.year == year)
        return list(db.session.scalars(stmt))


def get(briefing_id: int) -> tuple[IssuedDocument, bytes]:
    """A briefing: the city issues it to every county, so every tenant may read it (from the city's register)."""
    city = documents.find_city()
    if city is None:
        raise NotFound("没有这期简报")
    with tenant_scope(city.id):
        found = db.session.get(IssuedDocument, briefing_id)
        if found is None or found.kind != "briefing" or found.body is None:
            raise NotFound("没有这期简报")
        body = found.body
    return found, body
