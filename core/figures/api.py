"""The figures API: a county's figures and the lists behind them, every county side by side, and the snapshots with
their rankings, bulletins (通报, .docx) and workbooks (.xlsx).

County figures are ``/api/v1/figures…`` for tenant users and ``/api/v1/tenants/<tenant>/figures…`` for city users;
the city's views are ``/api/v1/city/…`` (city roles only). The numbers come from the same functions as the pages
(core.figures.tables, service, snapshot), so a page and the API never disagree.
"""

from __future__ import annotations

from flask import Response, g
from flask.views import MethodView
from sqlalchemy import select

from core.auth.guard import actor, object_loader, require
from core.auth.models import CITY_ROLES
from core.documents.delivery import send_docx, send_pdf
from core.figures import briefing, providers, ranking, service, snapshot, tables
from core.figures.models import FigureSnapshot
from core.figures.schemas import (
    GROUP_BY,
    BriefingCreateSchema,
    BriefingSchema,
    CityFiguresQuerySchema,
    CityFiguresSchema,
    DrillQuerySchema,
    DrillSchema,
    FiguresQuerySchema,
    SnapshotCreateSchema,
    SnapshotDetailSchema,
    SnapshotSchema,
    TenantFiguresSchema,
    TenantSnapshotDetailSchema,
    TenantSnapshotSchema,
)
from core.ledger import service as ledger
from core.ledger.api import READERS, Presenter
from core.platform.api import Blueprint, list_schema, listing
from core.platform.db import db
from core.platform.errors import FieldError, NotFound
from core.platform.evidence import download_headers
from core.tenancy.models import Tenant

blp = Blueprint("figures", __name__, url_prefix="/api/v1", description="统计分析、快照、排名与通报")

#: who takes a snapshot (the city's page allows the same)
TAKERS = ("city_admin", "city_supervisor")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@object_loader("snapshot_id")
def _snapshot_exists(snapshot_id: int) -> bool:
    """Snapshots belong to the platform (every county is ranked in each): one exists for every caller or none."""
    return db.session.scalar(select(FigureSnapshot.id).where(FigureSnapshot.id == snapshot_id)) is not None


def _period(period) -> dict:
    return {
        "code": period.code,
        "kind": period.kind,
        "label": period.label,
        "starts_on": period.starts_on,
        "ends_on": period.ends_on,
    }


def _monthly(period, counts: dict[int, dict[str, int]]) -> list[dict]:
    return [{"month": m, **counts.get(m, {"found": 0, "closed": 0})} for m in service.months(period)]


# --- a county's figures ----------------------------------------------------------------------------------------


@blp.tenant_route("/figures")
@require(*READERS)
@blp.arguments(FiguresQuerySchema, location="query")
@blp.response(200, TenantFiguresSchema)
def tenant_figures(args):
    """一个县区局某统计期的指标，按单位（或业务领域、问题来源、攻坚阶段）分组，附合计与每月发现、销号。

    Officers see their unit and below; other county roles the whole tenant; city roles name the tenant in the path.
    Every count with a list behind it (``figures[].drill``) is the length of ``GET …/figures/problems``.
    """
    period, by = args["period"], GROUP_BY[args["by"]]
    today = ledger.today_in_shanghai()
    table = tables.tenant_figures(period, by, ledger.Caller.current(), today)
    return {
        "period": _period(period),
        "by": by,
        "today": today,
        "swept_at": snapshot.last_sweep(),
        "figures": tables.figure_meta(),
        "missing": providers.missing(),
        "rows": [{"key": key, "label": label, "figures": figures} for key, label, figures in table.rows],
        "total": table.total,
        "monthly": _monthly(period, table.monthly),
    }


@blp.tenant_route("/figures/problems")
@require(*READERS)
@blp.arguments(DrillQuerySchema, location="query")
@blp.response(200, DrillSchema)
def figure_problems(args):
    """下钻：某指标所计的问题清单，参数与统计页相同；清单长度等于该指标的数值。

    Narrow to one group with ``unit_id``, ``domain``, ``source`` or ``phase``. A unit outside what the caller may
    see (or of another tenant) is 404.
    """
    caller = ledger.Caller.current()
    today = ledger.today_in_shanghai()
    filters = {
        name: args[name] for name in ("unit_id", "domain", "source", "phase") if args.get(name) not in (None, "")
    }
    problems = tables.drill(args["figure"], args["period"], caller, today, filters)
    figure = service.FIGURES[args["figure"]]
    presenter = Presenter(caller, today)
    return listing(
        [presenter(p) for p in problems],
        period=_period(args["period"]),
        figure={"name": figure.name, "label": figure.label, "kind": figure.kind, "drill": figure.drill},
        filters=filters,
    )


# --- the city: every county side by side -----------------------------------------------------------------------


@blp.route("/city/figures")
@require(*CITY_ROLES, tenant=False)
@blp.arguments(CityFiguresQuerySchema, location="query")
@blp.response(200, CityFiguresSchema)
def city_figures(args):
    """市局：各县区局某统计期的指标并列，附全市每月发现、销号和最近一次巡检时间。"""
    period = args["period"]
    today = ledger.today_in_shanghai()
    rows = tables.city_rows(period, today, actor())
    return {
        "period": _period(period),
        "today": today,
        "swept_at": snapshot.last_sweep(),
        "figures": tables.figure_meta(),
        "missing": providers.missing(),
        "rows": [
            {"tenant_id": t.id, "slug": t.slug, "name": t.name, "is_city": t.is_city, "figures": figures}
            for t, figures in rows
        ],
        "monthly": _monthly(period, service.by_month_city(period, [t.id for t, _figures in rows])),
    }


# --- snapshots, rankings, bulletins ----------------------------------------------------------------------------


def _slugs() -> dict[int, str]:
    return dict(db.session.execute(select(Tenant.id, Tenant.slug)).all())


def _ranked_tenant(row: dict | None, slugs: dict[int, str]) -> dict | None:
    return None if row is None else {**row, "slug": slugs.get(row["tenant_id"])}


def _snapshot_detail(taken: FigureSnapshot) -> dict:
    data, slugs = taken.data, _slugs()
    body = {name: getattr(taken, name) for name in SnapshotSchema().fields}
    body.update(
        requirements=taken.requirements,
        summary=data["summary"],
        shown=data["figures"],
        labels=data["labels"],
        kinds=data["kinds"],
        missing=data.get("missing", {}),
        tenants=[_ranked_tenant(r, slugs) for r in data["tenants"]],
        commended=data["commended"],
        criticised=data["criticised"],
    )
    return body


def _weights(given: dict[str, float]) -> dict[str, float]:
    """The default weights with the given ones in their place; only rate figures where more is better can be
    weighted (a default one whose provider is not installed is accepted, and dropped when the snapshot is taken)."""
    figures = service.all_figures()
    for name in given:
        if name in ranking.DEFAULT_WEIGHTS:
            continue
        if name not in figures or figures[name].kind != "rate" or figures[name].higher_is_better is False:
            raise FieldError("weights", f"“{name}”不是可加权的比率指标")
    return {**ranking.DEFAULT_WEIGHTS, **given}


@blp.route("/city/snapshots")
class CitySnapshots(MethodView):
    @require(*CITY_ROLES, tenant=False)
    @blp.response(200, list_schema(SnapshotSchema))
    def get(self):
        """市局：已生成的快照，新的在前。"""
        return listing(tables.snapshots())

    @require(*TAKERS, tenant=False)
    @blp.arguments(SnapshotCreateSchema)
    @blp.response(201, SnapshotDetailSchema)
    def post(self, args):
        """生成快照：冻结各县区局该统计期的指标，按加权得分排名，归档通报（.docx）和统计表（.xlsx）。

        Later edits of the ledger change the rollups, never a snapshot. Weights not given keep their defaults;
        a weight of 0 leaves a figure out.
        """
        taken = snapshot.take(
            args["period"],
            actor(),
            ledger.today_in_shanghai(),
            weights=_weights(args["weights"]),
            top_n=args["top_n"],
            bottom_n=args["bottom_n"],
            document_number=args["document_number"].strip(),
            requirements=args["requirements"].strip(),
        )
        return _snapshot_detail(taken)


@blp.route("/city/snapshots/<int:snapshot_id>")
@require(*CITY_ROLES, tenant=False)
@blp.response(200, SnapshotDetailSchema)
def city_snapshot(snapshot_id):
    """一个快照：各县区局的指标、名次、得分及其计算过程，通报表彰与批评名单。"""
    return _snapshot_detail(tables.get_snapshot(snapshot_id))


def _download(taken: FigureSnapshot, what: str):
    if what == "docx":
        body, kind, name = taken.bulletin_docx, DOCX, f"通报-{taken.period}.docx"
    else:
        body, kind, name = taken.figures_xlsx, XLSX, f"统计-{taken.period}.xlsx"
    headers = download_headers(name, kind)
    headers["Content-Type"] = kind
    return Response(body, headers=headers)


@blp.route("/city/snapshots/<int:snapshot_id>/bulletin.docx")
@require(*CITY_ROLES, tenant=False)
@blp.response(200, description="通报（Word 文档），与快照一同归档")
def city_snapshot_bulletin(snapshot_id):
    """下载快照的通报（.docx）：标题、发文机关、文号、日期、摘要、排名表、表彰与批评名单、工作要求。"""
    return _download(tables.get_snapshot(snapshot_id), "docx")


@blp.route("/city/briefings")
class CityBriefings(MethodView):
    @require(*CITY_ROLES, tenant=False)
    @blp.response(200, list_schema(BriefingSchema))
    def get(self):
        """工作简报：各期，新的在前。"""
        return listing(briefing.listing())

    @require("city_admin", "city_supervisor", tenant=False)
    @blp.arguments(BriefingCreateSchema)
    @blp.response(201, BriefingSchema)
    def post(self, args):
        """编发一期工作简报：期号按年连续（2026年第3期），刊登选用的典型经验、一个快照的数据和下一步工作安排，
        版记列报、送、发；归档后下载不变。"""
        return briefing.make(actor(), ledger.today_in_shanghai(), args)


@blp.route("/city/briefings/<int:briefing_id>/briefing.<fmt>")
@require(*CITY_ROLES, tenant=False)
@blp.response(200, description="工作简报（Word 文档或 PDF 预览）")
@blp.alt_response(409, description="服务器未安装 PDF 转换程序，请下载 Word 文件")
def city_briefing_document(briefing_id, fmt):
    """下载一期工作简报（.docx），或其 PDF 预览（.pdf）。"""
    return _briefing(briefing_id, fmt)


@blp.tenant_route("/briefings/<int:briefing_id>/briefing.<fmt>")
@require(*READERS)
@blp.response(200, description="工作简报（Word 文档或 PDF 预览）")
@blp.alt_response(409, description="服务器未安装 PDF 转换程序，请下载 Word 文件")
def tenant_briefing_document(briefing_id, fmt):
    """市局发至各县区局的工作简报（.docx 或 .pdf）。"""
    return _briefing(briefing_id, fmt)


def _briefing(briefing_id: int, fmt: str):
    issued, body = briefing.get(briefing_id)
    name = f"简报-{issued.year}-{issued.seq}.docx"
    if fmt == "docx":
        return send_docx(body, name)
    if fmt == "pdf":
        return send_pdf(body, name)
    raise NotFound("未找到")


@blp.route("/city/snapshots/<int:snapshot_id>/bulletin.pdf")
@require(*CITY_ROLES, tenant=False)
@blp.response(200, description="通报的 PDF 预览")
@blp.alt_response(409, description="服务器未安装 PDF 转换程序，请下载 Word 文件")
def city_snapshot_bulletin_pdf(snapshot_id):
    """通报的 PDF 预览（服务器端由 LibreOffice 离线生成，与归档的 Word 文件一致）。"""
    taken = tables.get_snapshot(snapshot_id)
    return send_pdf(taken.bulletin_docx, f"通报-{taken.period}.docx")


@blp.route("/city/snapshots/<int:snapshot_id>/figures.xlsx")
@require(*CITY_ROLES, tenant=False)
@blp.response(200, description="快照统计表（Excel）")
def city_snapshot_workbook(snapshot_id):
    """下载快照的统计表（.xlsx）：每个县区局一行，含各项指标、得分及其计算和名次。"""
    return _download(tables.get_snapshot(snapshot_id), "xlsx")


# --- a county's view of the snapshots ---------------------------------------------------------------------------


def _tenant_snapshot(taken: FigureSnapshot, slugs: dict[int, str]) -> dict:
    body = {name: getattr(taken, name) for name in SnapshotSchema().fields}
    body["mine"] = _ranked_tenant(tables.tenant_row(taken, g.tenant.id), slugs)
    body["tenant_count"] = len(taken.data["tenants"])
    return body


@blp.tenant_route("/figures/snapshots")
@require(*READERS)
@blp.response(200, list_schema(TenantSnapshotSchema))
def tenant_snapshots():
    """本局在各快照中的得分、名次及其计算，新的在前。"""
    slugs = _slugs()
    return listing([_tenant_snapshot(taken, slugs) for taken in tables.snapshots()])


@blp.tenant_route("/figures/snapshots/<int:snapshot_id>")
@require(*READERS)
@blp.response(200, TenantSnapshotDetailSchema)
def tenant_snapshot(snapshot_id):
    """本局在一个快照中：得分及其计算，本局各单位的排名（官员只见本单位及下级）。"""
    taken = tables.get_snapshot(snapshot_id)
    caller = ledger.Caller.current()
    names = {u.id: u.name for u in caller.units}
    body = _tenant_snapshot(taken, _slugs())
    body.update(shown=taken.data["figures"], labels=taken.data["labels"], kinds=taken.data["kinds"])
    body["units"] = [
        {
            "unit_id": row.unit_id,
            "unit_name": names.get(row.unit_id, ""),
            "rank": row.rank,
            "score": row.score,
            "figures": row.figures,
            **{k: (row.detail[0] if row.detail else {}).get(k) for k in ("detail", "missing", "explain")},
        }
        for row in tables.unit_rows(taken, caller)
    ]
    return body


@blp.tenant_route("/figures/snapshots/<int:snapshot_id>/bulletin.docx")
@require(*READERS)
@blp.response(200, description="通报（Word 文档），与快照一同归档")
def tenant_snapshot_bulletin(snapshot_id):
    """下载快照的通报（.docx）：通报发至各县区局。"""
    return _download(tables.get_snapshot(snapshot_id), "docx")


@blp.tenant_route("/figures/snapshots/<int:snapshot_id>/bulletin.pdf")
@require(*READERS)
@blp.response(200, description="通报的 PDF 预览")
@blp.alt_response(409, description="服务器未安装 PDF 转换程序，请下载 Word 文件")
def tenant_snapshot_bulletin_pdf(snapshot_id):
    """通报的 PDF 预览。"""
    taken = tables.get_snapshot(snapshot_id)
    return send_pdf(taken.bulletin_docx, f"通报-{taken.period}.docx")


@blp.tenant_route("/figures/snapshots/<int:snapshot_id>/figures.xlsx")
@require(*READERS)
@blp.response(200, description="快照统计表（Excel）")
def tenant_snapshot_workbook(snapshot_id):
    """下载快照的统计表（.xlsx），与通报一同发至各县区局。"""
    return _download(tables.get_snapshot(snapshot_id), "xlsx")
