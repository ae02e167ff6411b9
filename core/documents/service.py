"""Each tenant's document settings (发文设置) and the numbers it gives its documents (发文登记).

Settings live in ``tenant.settings["documents"]``: the city's on the city tenant (江州市市场监督管理局（机关）), which
issues the city's 通报 and 督办单; each county's on its own tenant. A setting never given takes a default made from
the tenant's top unit (发文机关 = the bureau's name).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.audit import chain
from core.documents.gongwen import document_number
from core.documents.models import IssuedDocument
from core.platform.db import db, tenant_scope
from core.platform.errors import FieldError, NotFound
from core.tenancy.models import Tenant, Unit

KINDS = {"bulletin": "通报", "briefing": "简报", "notice": "整改通知书"}
SETTING_NAMES = (
    "issuing_body",
    "mark",
    "bulletin_code",
    "notice_code",
    "briefing_title",
    "recipients",
    "cc",
    "signature",
    "printer",
)


def _bureau_name(tenant: Tenant) -> str:
    with tenant_scope(tenant.id):
        top = db.session.scalars(
            select(Unit.name).where(Unit.parent_id.is_(None)).order_by(Unit.sort_order, Unit.id).limit(1)
        ).first()
    return top or tenant.name


def _short(body: str) -> str:
    """江州市市场监督管理局 → 江市监; 北塘区市场监督管理局 → 北市监 (the usual 代字 of a market-regulation bureau)."""
    return (body[:1] or "本") + "市监"


def defaults(tenant: Tenant) -> dict[str, Any]:
    body = _bureau_name(tenant)
    short = _short(body)
    if tenant.is_city:
        recipients = ["各县区市场监督管理局", "市局各处室、直属单位"]
        cc = ["省市场监督管理局", "市纪委监委驻市场监管局纪检监察组"]
    else:
        city = db.session.scalars(select(Tenant).where(Tenant.is_city.is_(True)).limit(1)).first()
        recipients = ["局机关各科室", "各市场监督管理所", "执法大队", "局属各单位"]
        cc = [_bureau_name(city)] if city is not None else []
    return {
        "issuing_body": body,
        "mark": f"{body}文件",
        "bulletin_code": f"{short}通",
        "notice_code": f"{short}改",
        "briefing_title": "行风建设工作简报",
        "recipients": recipients,
        "cc": cc,
        "signature": body,
        "printer": f"{body}办公室",
    }


def settings_for(tenant: Tenant) -> dict[str, Any]:
    stored = (tenant.settings or {}).get("documents") or {}
    out = defaults(tenant)
    given = {k: v for k, v in stored.items() if k in SETTING_NAMES}
    out.update(given)
    out["defaults"] = [name for name in SETTING_NAMES if name not in given]
    return out


def change_settings(tenant: Tenant, actor: str, values: dict[str, Any]) -> dict[str, Any]:
    """Store some settings (validated by DocumentSettingsSchema) and audit ``documents.settings_changed`` with
    ``{name: [before, after]}`` for each one that changes, on the tenant's own chain."""
    before = settings_for(tenant)
    stored = dict((tenant.settings or {}).get("documents") or {})
    stored.update(values)
    tenant.settings = {**(tenant.settings or {}), "documents": stored}
    db.session.flush()
    changed = {name: [before[name], value] for name, value in values.items() if before[name] != value}
    if changed:
        with tenant_scope(tenant.id):
            chain.append("documents.settings_changed", actor, changed)
    return settings_for(tenant)


def find_city() -> Tenant | None:
    """The city bureau's own tenant (is_city), which holds the city's document settings and register."""
    return db.session.scalars(select(Tenant).where(Tenant.is_city.is_(True)).order_by(Tenant.id).limit(1)).first()


def city_tenant() -> Tenant:
    city = find_city()
    if city is None:
        raise NotFound("尚未建立市局（机关）租户：请市局管理员先建立，发文设置和发文登记随之建立")
    return city


#: the city's settings where no city tenant exists yet (a deployment that has only counties)
CITY_FALLBACK = {
    "issuing_body": "市市场监督管理局",
    "mark": "市市场监督管理局文件",
    "bulletin_code": "市监通",
    "notice_code": "市监改",
    "briefing_title": "行风建设工作简报",
    "recipients": ["各县区市场监督管理局", "市局各处室、直属单位"],
    "cc": ["省市场监督管理局"],
    "signature": "市市场监督管理局",
    "printer": "市市场监督管理局办公室",
    "defaults": list(SETTING_NAMES),
}


def city_settings() -> dict[str, Any]:
    city = find_city()
    return settings_for(city) if city is not None else dict(CITY_FALLBACK)


def issue_number(
    tenant: Tenant,
    kind: str,
    title: str,
    actor: str,
    day: date,
    *,
    source: str = "",
    given: str = "",
    problem_id: int | None = None,
    body: bytes | None = None,
) -> IssuedDocument:
    """Give a document the tenant's next number of the year for its kind, and register it (发文登记).

    The number is max + 1 within the tenant, kind, code and year, in the caller's transaction: a document that is
    not made rolls its number back with it, so the register has no gaps. Two documents numbered at once collide on
    the unique key; the later one takes the next number. ``given`` records a number a person typed (a document
    numbered on paper) after checking it is not taken.
    """
    settings = settings_for(tenant)
    code = settings["notice_code"] if kind == "notice" else settings["bulletin_code"]
    if kind == "briefing":
        code = settings["briefing_title"]
    with tenant_scope(tenant.id):
        if given:
            taken = db.session.scalar(
                select(func.count()).select_from(IssuedDocument).where(IssuedDocument.number == given)
            )
            if taken:
                raise FieldError("document_number", f"文号“{given}”已使用，请换一个或留空自动编号")
        for _ in range(5):
            seq = 1 + (
                db.session.scalar(
                    select(func.max(IssuedDocument.seq)).where(
                        IssuedDocument.kind == kind, IssuedDocument.code == code, IssuedDocument.year == day.year
                    )
                )
                or 0
            )
            number = given or (f"{day.year}年第{seq}期" if kind == "briefing" else document_number(code, day.year, seq))
            issued = IssuedDocument(
                kind=kind,
                code=code if not given else "（手工）",
                year=day.year,
                seq=seq,
                number=number,
                title=title[:200],
                source=source,
                issued_by=actor,
                body=body,
            )
            try:
                with db.session.begin_nested():
                    db.session.add(issued)
                    db.session.flush()
            except IntegrityError:
                continue
            chain.append(
                "documents.numbered",
                actor,
                {"kind": kind, "number": number, "title": title[:200], "source": source},
                problem_id=problem_id,
            )
            return issued
    raise FieldError("document_number", "编号冲突，请稍后重试")


def register(tenant: Tenant, year: int | None = None) -> list[dict[str, Any]]:
    with tenant_scope(tenant.id):
        stmt = select(IssuedDocument).order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
        if year is not None:
            stmt = stmt.where(IssuedDocument.year == year)
        rows = list(db.session.scalars(stmt))
    return [{**{c: getattr(r, c) for c in REGISTER_FIELDS}, "kind_label": KINDS.get(r.kind, r.kind)} for r in rows]


REGISTER_FIELDS = ("id", "kind", "code", "year", "seq", "number", "title", "source", "issued_by", "issued_at")
