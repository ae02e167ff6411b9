"""Snapshots: a period's figures frozen when taken, the rankings, the 通报 (.docx) and the figures (.xlsx).

A snapshot copies numbers, never references: editing a problem afterwards changes the rollups, not the snapshot.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from core.documents import service as documents
from core.documents.gongwen import Gongwen, chinese_date
from core.documents.gongwen import document_number as numbered
from core.figures import providers, ranking, service
from core.figures.models import FigureSnapshot, FigureSnapshotUnit
from core.figures.periods import Period
from core.ledger.models import OPEN_STATUSES, Problem
from core.oversight.models import SweepRun
from core.platform.calendar import local_date
from core.platform.db import city_wide, db, tenant_scope, utcnow
from core.platform.xlsx import SheetWriter
from core.tenancy.models import Tenant, Unit

#: the figures a snapshot shows, in order (ledger figures, then the providers installed)
SHOWN = (
    "found", "closed", "completion_rate", "due", "due_on_time", "on_time_rate", "overdue_now", "avg_close_days",
    "median_close_days", "ongoing", "dismissed", "merged", "returned", "repeats",
)  # fmt: skip


def last_sweep() -> datetime | None:
    """When ``xingfeng sweep`` last finished (the clock-dependent figures are as of then), if it ever ran."""
    return db.session.scalar(select(func.max(SweepRun.finished_at)))


def shown_figures() -> list[str]:
    return [*SHOWN, *providers.registered()]


def tenant_rows(period: Period, today: date, tenants: list[Tenant]) -> dict[int, dict[str, Any]]:
    """Each tenant's figures (ledger and providers) for the period, and its units' figures, read tenant by tenant."""
    coarse = service.by_tenant(period, today, [t.id for t in tenants])
    out: dict[int, dict[str, Any]] = {}
    for tenant in tenants:
        with tenant_scope(tenant.id):
            units = list(db.session.scalars(select(Unit).order_by(Unit.sort_order, Unit.id)))
            fine = service.by_dimensions(period, today, ("unit_id",))
            values = providers.compute(db.session, period, [tenant.id], by_unit=True)
        keys = [(u.id,) for u in units]
        service.attach(fine, {n: {(k[1],): v for k, v in vals.items()} for n, vals in values.items()}, keys)
        sums = coarse[tenant.id]
        totals: dict[str, Any] = {}
        for name, vals in values.items():
            for value in vals.values():
                totals[name] = service.add_values(totals.get(name), value)
            if name not in totals:
                totals[name] = (0, 0) if providers.registered()[name].kind in ("rate", "average") else 0
        sums.extra = totals
        out[tenant.id] = {
            "figures": sums.figures(),
            "units": [(u, fine[(u.id,)].figures()) for u in units],
        }
    return out


def take(
    period: Period,
    actor: str,
    today: date,
    weights: dict[str, float] | None = None,
    top_n: int = 3,
    bottom_n: int = 3,
    document_number: str = "",
    issuing_body: str = "",
    requirements: str = "",
) -> FigureSnapshot:
    """Freeze every county's figures for the period, rank them, and archive the bulletin and the workbook."""
    tenants = list(db.session.scalars(select(Tenant).where(Tenant.status == "active").order_by(Tenant.id)))
    labels = {name: f.label for name, f in service.all_figures().items()}
    kinds = {name: f.kind for name, f in service.all_figures().items()}
    # Only rates where more is better can be weighted (a share of failed files would reward failing).
    available = {n for n, f in service.all_figures().items() if f.kind == "rate" and f.higher_is_better is not False}
    used = ranking.effective_weights(weights, available)
    rows = tenant_rows(period, today, tenants)
    counties = [t for t in tenants if not t.is_city]
    ranked = ranking.rank([(t.id, t.name, rows[t.id]["figures"]) for t in counties], used, labels)
    top, bottom = ranking.commended_and_criticised(ranked, top_n, bottom_n)
    shown = shown_figures()
    city = documents.find_city()
    settings = documents.city_settings()
    title = f"关于{period.label}行风建设问题整改情况的通报"
    if city is not None:
        issued = documents.issue_number(city, "bulletin", title, actor, today, given=document_number)
        number = issued.number
    else:
        issued, number = None, document_number or _next_number(settings["bulletin_code"], today.year)
    data = {
        "figures": shown,
        "labels": {n: labels[n] for n in shown},
        "kinds": {n: kinds[n] for n in shown},
        "missing": providers.missing(),
        "tenants": [
            {
                "tenant_id": r.key,
                "name": r.name,
                "figures": r.figures,
                "score": r.score,
                "rank": r.rank,
                "missing": r.missing,
                "detail": r.detail,
                "explain": r.explain(),
            }
            for r in ranked
        ],  # fmt: skip
        "commended": [r.key for r in top],
        "criticised": [r.key for r in bottom],
        "summary": summary(period, ranked, rows, counties),
        "typical": typical_problems(period, today, counties, actor),
        # the document's settings as they were, so the archived 通报 can be made again alike
        "document": {
            "title": title,
            "mark": settings["mark"],
            "recipients": settings["recipients"],
            "cc": settings["cc"],
            "signature": settings["signature"],
            "printer": settings["printer"],
            "dated": today.isoformat(),
        },
    }
    snapshot = FigureSnapshot(
        kind=period.kind,
        period=period.code,
        label=period.label,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        weights=used,
        top_n=top_n,
        bottom_n=bottom_n,
        data=data,
        document_number=number,
        issuing_body=issuing_body or settings["issuing_body"],
        requirements=requirements or DEFAULT_REQUIREMENTS,
        bulletin_docx=b"",
        figures_xlsx=b"",
        taken_by=actor,
        taken_at=utcnow(),
        swept_at=last_sweep(),
    )
    snapshot.bulletin_docx = bulletin(snapshot)
    snapshot.figures_xlsx = workbook(snapshot)
    db.session.add(snapshot)
    db.session.flush()
    if issued is not None:
        # the 文号 is printed in the bulletin, so it is drawn before the snapshot exists; the link follows
        with tenant_scope(city.id):
            issued.source = f"snapshot:{snapshot.id}"
            db.session.flush()
    for tenant in tenants:
        unit_rows = [(u.id, u.name, figures) for u, figures in rows[tenant.id]["units"]]
        with tenant_scope(tenant.id):
            objects = [
                FigureSnapshotUnit(
                    snapshot_id=snapshot.id, unit_id=r.key, figures=r.figures, score=r.score, rank=r.rank,
                    detail=[asdict_detail(r)],
                )
                for r in ranking.rank(unit_rows, used, labels)
            ]  # fmt: skip
            db.session.add_all(objects)
            db.session.flush()
    return snapshot


def _next_number(code: str, year: int) -> str:
    """With no city tenant to keep the register, the bulletins are numbered from the snapshots taken this year."""
    prefix = f"{code}〔{year}〕"
    taken = db.session.scalars(
        select(FigureSnapshot.document_number).where(FigureSnapshot.document_number.startswith(prefix))
    ).all()
    seqs = [int(n[len(prefix) : -1]) for n in taken if n.endswith("号") and n[len(prefix) : -1].isdigit()]
    return numbered(code, year, max(seqs, default=0) + 1)


def asdict_detail(r: ranking.Ranked) -> dict[str, Any]:
    return {"detail": r.detail, "missing": r.missing, "explain": r.explain()}


DEFAULT_REQUIREMENTS = (
    "各县区局要对照通报问题，逐项建立整改台账，明确责任单位、责任人和整改时限。\n"
    "被通报批评的单位要在10个工作日内向市局报送整改情况。\n"
    "各单位要举一反三，深入开展自查自纠，确保问题整改到位、不反弹。"
)
#: a number a person typed before a point (一、 （一） 1. （1） ① …), taken off: the document numbers its own points
POINT_NUMBER = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．)）]|[①-⑳])\s*"
)
#: how many typical problems a 通报 names
TYPICAL = 5
TYPICAL_PER_TENANT = 2


def _typical_rows(session, period: Period, today: date, tenant_ids: list[int]) -> list[tuple]:
    """(tenant_id, number, title, deadline, unit name) of the two longest-overdue open problems of each tenant."""
    order = func.row_number().over(partition_by=Problem.tenant_id, order_by=(Problem.deadline, Problem.id))
    ranked = (
        select(Problem.tenant_id, Problem.number, Problem.title, Problem.deadline, Unit.name.label("unit"))
        .add_columns(order.label("place"))
        .join(Unit, Unit.id == Problem.unit_id)
        .where(
            Problem.tenant_id.in_(tenant_ids),
            Problem.status.in_(OPEN_STATUSES),
            Problem.deadline.is_not(None),
            Problem.deadline < today,
            Problem.deadline <= period.ends_on,
        )
        .subquery()
    )
    stmt = select(ranked.c.tenant_id, ranked.c.number, ranked.c.title, ranked.c.deadline, ranked.c.unit).where(
        ranked.c.place <= TYPICAL_PER_TENANT
    )
    return list(session.execute(stmt).all())


def typical_problems(period: Period, today: date, counties: list[Tenant], actor: str = "system") -> list[dict]:
    """The problems the 通报 names as typical: those due by the period's end and still open, the longest overdue
    first, at most two per county and five in all.

    One windowed query through the city-wide reader where PostgreSQL has it configured (as the figures do, see
    ``providers.every_tenant``); otherwise one query per county under its own scope.
    """
    from flask import current_app

    names = {t.id: t.name for t in counties}
    ids = list(names)
    if not ids:
        return []
    if db.session.get_bind().dialect.name == "postgresql" and current_app.config.get("READER_DATABASE_URL"):
        with city_wide("typical problems of the bulletin", actor=actor) as session:
            rows = _typical_rows(session, period, today, ids)
    else:
        rows = []
        for tenant_id in ids:
            with tenant_scope(tenant_id):
                rows += _typical_rows(db.session, period, today, [tenant_id])
    found = [
        {"tenant": names[tenant_id], "unit": unit, "number": number, "title": title, "deadline": deadline.isoformat()}
        for tenant_id, number, title, deadline, unit in rows
    ]
    found.sort(key=lambda r: (r["deadline"], r["number"]))
    return found[:TYPICAL]


def requirement_points(text: str) -> list[str]:
    return [POINT_NUMBER.sub("", line).strip() for line in text.splitlines() if POINT_NUMBER.sub("", line).strip()]


def summary(period: Period, ranked: list[ranking.Ranked], rows: dict[int, dict[str, Any]], counties) -> str:
    found = sum(rows[t.id]["figures"]["found"] for t in counties)
    closed = sum(rows[t.id]["figures"]["closed"] for t in counties)
    rate = service.show(service.rate(closed, found), "rate") if found else "—"
    return (
        f"{period.label}，全市{len(counties)}个县区局共发现问题{found}个，已销号{closed}个，"
        f"按发现数计销号比例{rate}。按加权得分排名如下。"
    )


def _value(snapshot_row: dict[str, Any], name: str, kinds: dict[str, str]) -> str:
    return service.show(snapshot_row["figures"].get(name), kinds.get(name, "count"))


def bulletin(snapshot: FigureSnapshot) -> bytes:
    """The 通报 in the 公文 format (GB/T 9704-2012, core.documents.gongwen): red 版头 with the city's mark and the
    document number, title, 主送, the overall figures and the ranking table, 通报表彰, 通报批评, typical problems,
    工作要求 numbered (一)(二)(三), 落款 and 成文日期, 版记."""
    data = snapshot.data
    doc_settings = data.get("document") or {}
    dated = date.fromisoformat(doc_settings["dated"]) if doc_settings.get("dated") else local_date(snapshot.taken_at)
    by_id = {r["tenant_id"]: r for r in data["tenants"]}
    kinds = data["kinds"]

    def score(row) -> str:
        return "—" if row["score"] is None else f"{row['score']:.2f}分"

    doc = Gongwen()
    doc.red_header(doc_settings.get("mark") or f"{snapshot.issuing_body}文件", snapshot.document_number)
    doc.title(doc_settings.get("title") or f"关于{snapshot.label}行风建设问题整改情况的通报")
    doc.recipients(doc_settings.get("recipients") or ["各县区市场监督管理局"])
    doc.paragraph(
        f"为推进行风建设三年攻坚专项行动，压实问题整改责任，现将{snapshot.label}各县区局问题整改情况通报如下。"
    )
    doc.heading(1, "总体情况")
    doc.paragraph(data["summary"])
    columns = ["排名", "县区局", "得分", *[data["labels"][f] for f in snapshot.weights], "发现问题", "已销号"]
    doc.table(
        columns,
        [
            [
                str(row["rank"]),
                row["name"],
                "—" if row["score"] is None else f"{row['score']:.2f}",
                *[service.show(row["figures"].get(f), "rate") for f in snapshot.weights],
                _value(row, "found", kinds),
                _value(row, "closed", kinds),
            ]
            for row in data["tenants"]
        ],
    )
    weights = "，".join(f"{data['labels'][f]}{w:g}" for f, w in snapshot.weights.items())
    doc.paragraph(f"得分 = Σ（权重 × 比率 × 100）÷ Σ权重；权重：{weights}；分母为零的比率记“—”，排名靠后。")
    doc.heading(1, "通报表彰")
    commended = [by_id[key] for key in data["commended"] or []]
    doc.paragraph(
        "对" + "、".join(f"{r['name']}（{score(r)}）" for r in commended) + "予以通报表彰。"
        if commended
        else "本期无通报表彰单位。"
    )
    doc.heading(1, "通报批评")
    criticised = [by_id[key] for key in data["criticised"] or []]
    doc.paragraph(
        "对" + "、".join(f"{r['name']}（{score(r)}）" for r in criticised) + "予以通报批评，限期整改。"
        if criticised
        else "本期无通报批评单位。"
    )
    typical = data.get("typical") or []
    if typical:
        doc.heading(1, "典型问题")
        for item in typical:
            deadline = chinese_date(date.fromisoformat(item["deadline"]))
            doc.heading(
                2,
                f"{item['tenant']}{item['unit']}：",
                f"{item['title']}（{item['number']}），整改时限{deadline}，至今未完成整改。",
            )
    doc.heading(1, "工作要求")
    for point in requirement_points(snapshot.requirements):
        doc.heading(2, point)
    doc.signature(doc_settings.get("signature") or snapshot.issuing_body, dated)
    doc.record(
        cc=doc_settings.get("cc") or [],
        printer=doc_settings.get("printer") or f"{snapshot.issuing_body}办公室",
        printed_on=dated,
    )
    return doc.bytes()


def workbook(snapshot: FigureSnapshot) -> bytes:
    """The snapshot's figures as one sheet: a row per county with every figure, its score and rank."""
    data = snapshot.data
    figures = data["figures"]
    out = io.BytesIO()
    header = ["排名", "县区局", "得分", "得分计算", *[data["labels"][f] for f in figures]]
    sheet = SheetWriter(out, "统计", [6, 24, 8, 60, *[12] * len(figures)], header)
    for row in data["tenants"]:
        values = [row["figures"].get(f) for f in figures]
        shown = [
            "—" if v is None else (round(v * 100, 2) if data["kinds"][f] == "rate" else v)
            for f, v in zip(figures, values, strict=True)
        ]
        sheet.append([row["rank"], row["name"], row["score"], row["explain"], *shown])
    sheet.close()
    return out.getvalue()
