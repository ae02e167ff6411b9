"""Snapshots: a period's figures frozen when taken, the rankings, the 通报 (.docx) and the figures (.xlsx).

A snapshot copies numbers, never references: editing a problem afterwards changes the rollups, not the snapshot.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from sqlalchemy import func, select

from core.figures import providers, ranking, service
from core.figures.models import FigureSnapshot, FigureSnapshotUnit
from core.figures.periods import Period
from core.oversight.models import SweepRun
from core.platform.calendar import local_date
from core.platform.db import db, tenant_scope, utcnow
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
    issuing_body: str = "市市场监督管理局",
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
    number = document_number or f"行风通报〔{today.year}〕{period.code}号"
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
        issuing_body=issuing_body,
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


def asdict_detail(r: ranking.Ranked) -> dict[str, Any]:
    return {"detail": r.detail, "missing": r.missing, "explain": r.explain()}


DEFAULT_REQUIREMENTS = (
    "一、各县区局要对照通报问题，逐项建立整改台账，明确责任单位、责任人和整改时限。\n"
    "二、被通报批评的单位要在10个工作日内向市局报送整改情况。\n"
    "三、各单位要举一反三，深入开展自查自纠，确保问题整改到位、不反弹。"
)


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
    """The 通报 in the usual layout: title, issuing body, document number, date, summary, ranking table, lists."""
    data = snapshot.data
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(12)
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(snapshot.issuing_body)
    run.bold, run.font.size = True, Pt(22)
    number = doc.add_paragraph(snapshot.document_number)
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(f"关于{snapshot.label}行风建设问题整改情况的通报")
    run.bold, run.font.size = True, Pt(18)
    doc.add_paragraph("各县区市场监督管理局：")
    doc.add_paragraph(data["summary"])
    columns = ["排名", "县区局", "得分", *[data["labels"][f] for f in snapshot.weights], "发现问题", "已销号"]
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, columns, strict=True):
        cell.text = text
    kinds = data["kinds"]
    for row in data["tenants"]:
        cells = table.add_row().cells
        values = [
            str(row["rank"]),
            row["name"],
            "—" if row["score"] is None else f"{row['score']:.2f}",
            *[service.show(row["figures"].get(f), "rate") for f in snapshot.weights],
            _value(row, "found", kinds),
            _value(row, "closed", kinds),
        ]
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    by_id = {r["tenant_id"]: r for r in data["tenants"]}
    doc.add_paragraph("一、通报表彰").runs[0].bold = True
    for key in data["commended"] or []:
        doc.add_paragraph(f"{by_id[key]['name']}（得分 {by_id[key]['score']:.2f}）", style="List Bullet")
    if not data["commended"]:
        doc.add_paragraph("无")
    doc.add_paragraph("二、通报批评").runs[0].bold = True
    for key in data["criticised"] or []:
        score = by_id[key]["score"]
        doc.add_paragraph(
            f"{by_id[key]['name']}（得分 {'—' if score is None else f'{score:.2f}'}）", style="List Bullet"
        )
    if not data["criticised"]:
        doc.add_paragraph("无")
    doc.add_paragraph("三、工作要求").runs[0].bold = True
    for line in snapshot.requirements.splitlines():
        doc.add_paragraph(line)
    weights = "，".join(f"{data['labels'][f]}{w:g}" for f, w in snapshot.weights.items())
    doc.add_paragraph(f"说明：得分 = Σ(权重 × 比率 × 100) ÷ Σ权重；权重：{weights}；分母为零的比率记“—”，排名靠后。")
    sign = doc.add_paragraph(f"{snapshot.issuing_body}\n{_chinese_date(snapshot.taken_at)}")
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _chinese_date(moment: datetime) -> str:

    day = local_date(moment)
    return f"{day.year}年{day.month}月{day.day}日"


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
