"""The figures' pages: a county's figures by unit (or domain, source, phase) with their lists, the city's dashboard
of every county side by side with charts, and the snapshots with their rankings, bulletins and workbooks."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from core.auth.models import CITY_ROLES
from core.documents import service as documents
from core.documents.pages import pdf_inline, send_document
from core.figures import briefing, charts, periods, providers, ranking, service, snapshot, tables
from core.figures.models import FigureSnapshot
from core.figures.schemas import BriefingCreateSchema
from core.ledger import service as ledger
from core.ledger.api import READERS
from core.ledger.models import STATUSES
from core.oversight import service as oversight
from core.platform.db import db
from core.platform.errors import FieldError, ServiceError
from core.platform.evidence import download_headers
from core.tenancy.models import Tenant
from core.web.auth import page, tenant_page
from core.web.blueprint import blp, flash_refusal

TAKERS = ("city_admin", "city_supervisor")
GROUPINGS = tables.GROUPINGS


def _period():
    code = request.args.get("period") or str(ledger.today_in_shanghai().year)
    return periods.parse(code, ledger._phases())


def _prefix() -> str:
    slug = g.get("tenant_slug")
    return f"/tenants/{slug}" if slug else ""


_figure_meta = tables.figure_meta


@tenant_page("/figures", *READERS)
def figures_tenant():
    """One county's figures for a period, grouped by unit (or domain, source, phase); every count links to its list."""
    period = _period()
    by = request.args.get("by", "unit_id")
    today = ledger.today_in_shanghai()
    table = tables.tenant_figures(period, by, ledger.Caller.current(), today)
    rows, monthly = table.rows, table.monthly
    month_labels = [f"{m % 100}月" for m in service.months(period)]
    chart = charts.columns(
        _("每月发现与销号"),
        month_labels,
        [
            (_("发现"), "#0d6efd", [monthly.get(m, {}).get("found", 0) for m in service.months(period)]),
            (_("销号"), "#198754", [monthly.get(m, {}).get("closed", 0) for m in service.months(period)]),
        ],
    )
    return render_template(
        "web/figures_tenant.html",
        period=period,
        by=by,
        groupings=GROUPINGS,
        rows=rows,
        total=table.total,
        figures=_figure_meta(),
        show=service.show,
        chart=chart,
        monthly=[
            (label, monthly.get(m, {"found": 0, "closed": 0}))
            for label, m in zip(month_labels, service.months(period), strict=True)
        ],  # fmt: skip
        prefix=_prefix(),
        drill_query=lambda figure, key=None: urlencode(
            {"figure": figure, "period": period.code, **({by: key} if key is not None else {})}
        ),
        swept_at=snapshot.last_sweep(),
        today=today,
        missing=providers.missing(),
    )


@tenant_page("/figures/problems", *READERS)
def figures_problems():
    """The list a figure counts: its length is the figure."""
    period = _period()
    figure = request.args.get("figure", "")
    if figure not in service.DRILLABLE:
        raise FieldError("figure", "该指标没有对应的问题清单")
    caller = ledger.Caller.current()
    filters = {}
    for name in ("unit_id", "domain", "source", "phase"):
        value = request.args.get(name)
        if value:
            if name == "unit_id":
                if not value.isdigit():
                    raise FieldError("unit_id", "单位编号应为数字")
                value = int(value)
            filters[name] = value
    problems = tables.drill(figure, period, caller, ledger.today_in_shanghai(), filters)
    names = {u.id: u.name for u in caller.units}
    return render_template(
        "web/figures_problems.html",
        period=period,
        figure=service.FIGURES[figure],
        problems=problems,
        unit_names=names,
        statuses=STATUSES,
        filters=filters,
        prefix=_prefix(),
    )


# --- the city: every county side by side ---------------------------------------------------------------------


def _city_rows(period, today):
    return tables.city_rows(period, today, f"user:{g.user.id}")


@blp.route("/city/figures")
@page(*CITY_ROLES, tenant=False)
def figures_city():
    """The city's dashboard: every county's figures side by side, charts with their numbers beside them."""
    period = _period()
    today = ledger.today_in_shanghai()
    rows = _city_rows(period, today)
    show = service.show
    completion = [(t.name, f["completion_rate"], show(f["completion_rate"], "rate")) for t, f in rows]
    on_time = [(t.name, f["on_time_rate"], show(f["on_time_rate"], "rate")) for t, f in rows]
    overdue = [(t.name, f["overdue_now"], str(f["overdue_now"])) for t, f in rows]
    monthly = service.by_month_city(period, [t.id for t, _f in rows])
    month_list = service.months(period)
    month_labels = [f"{m % 100}月" for m in month_list]
    return render_template(
        "web/figures_city.html",
        period=period,
        rows=rows,
        figures=_figure_meta(),
        show=show,
        charts=[
            (charts.bars(_("整改完成率"), completion, 1.0), completion),
            (charts.bars(_("按期完成率"), on_time, 1.0), on_time),
            (charts.bars(_("当前超期"), overdue), overdue),
        ],
        month_chart=charts.columns(
            _("每月发现与销号"),
            month_labels,
            [
                (_("发现"), "#0d6efd", [monthly.get(m, {}).get("found", 0) for m in month_list]),
                (_("销号"), "#198754", [monthly.get(m, {}).get("closed", 0) for m in month_list]),
            ],
        ),
        monthly=[
            (label, monthly.get(m, {"found": 0, "closed": 0}))
            for label, m in zip(month_labels, month_list, strict=True)
        ],  # fmt: skip
        swept_at=snapshot.last_sweep(),
        today=today,
        missing=providers.missing(),
    )


# --- snapshots, rankings, bulletins --------------------------------------------------------------------------


@blp.route("/city/snapshots", methods=["GET", "POST"])
@page(*CITY_ROLES, tenant=False)
def snapshots_city():
    """Snapshots taken so far, and the form to take one (city supervisors and admins)."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            period = periods.parse(request.form.get("period", ""), ledger._phases())
            weights = dict(ranking.DEFAULT_WEIGHTS)
            for name in ranking.DEFAULT_WEIGHTS:
                raw = request.form.get(f"w_{name}", "").strip()
                if raw:
                    try:
                        weights[name] = float(raw)
                    except ValueError as exc:
                        raise FieldError(f"w_{name}", "权重应为数字") from exc
                    if weights[name] < 0:
                        raise FieldError(f"w_{name}", "权重不能为负")
            top_n, bottom_n = _count("top_n"), _count("bottom_n")
            taken = snapshot.take(
                period,
                f"user:{g.user.id}",
                ledger.today_in_shanghai(),
                weights=weights,
                top_n=top_n,
                bottom_n=bottom_n,
                document_number=request.form.get("document_number", "").strip()[:60],
                requirements=request.form.get("requirements", "").strip(),
            )
            return redirect(url_for("web.snapshot_city", snapshot_id=taken.id))
        except ServiceError as error:
            flash_refusal(error)
            errors = error.fields
    snapshots = db.session.scalars(select(FigureSnapshot).order_by(FigureSnapshot.id.desc())).all()
    return render_template(
        "web/figures_snapshots.html",
        snapshots=snapshots,
        weights=ranking.DEFAULT_WEIGHTS,
        labels={n: f.label for n, f in service.all_figures().items()},
        errors=errors,
        form=request.form,
        may_take=g.user.role in TAKERS,
    ), 422 if errors else 200


def _count(name: str) -> int:
    raw = request.form.get(name, "3").strip() or "3"
    if not raw.isdigit() or int(raw) > 100:
        raise FieldError(name, "名次数应为 0 到 100 的整数")
    return int(raw)


def _snapshot(snapshot_id: int) -> FigureSnapshot:
    taken = db.session.get(FigureSnapshot, snapshot_id)
    if taken is None:
        abort(404)
    return taken


@blp.route("/city/snapshots/<int:snapshot_id>")
@page(*CITY_ROLES, tenant=False)
def snapshot_city(snapshot_id: int):
    """A snapshot: the ranking with how each score was computed, who is commended and criticised, downloads."""
    taken = _snapshot(snapshot_id)
    by_id = {r["tenant_id"]: r for r in taken.data["tenants"]}
    return render_template(
        "web/figures_snapshot.html",
        snap=taken,
        rows=taken.data["tenants"],
        commended=[by_id[k] for k in taken.data["commended"]],
        criticised=[by_id[k] for k in taken.data["criticised"]],
        show=service.show,
        slugs={t.id: t.slug for t in db.session.scalars(select(Tenant))},
    )


@blp.route("/figures/snapshots/<int:snapshot_id>/export.<fmt>")
@page(tenant=False)
def snapshot_export(snapshot_id: int, fmt: str):
    """The archived bulletin (.docx) or figures (.xlsx) of a snapshot, as taken (bulletins go to every county)."""
    taken = _snapshot(snapshot_id)
    if fmt == "docx":
        body, kind = taken.bulletin_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        name = f"通报-{taken.period}.docx"
    elif fmt == "xlsx":
        body, kind = taken.figures_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = f"统计-{taken.period}.xlsx"
    elif fmt == "pdf":
        return pdf_inline(taken.bulletin_docx, f"通报-{taken.period}.docx")
    else:
        abort(404)
    headers = download_headers(name, kind)
    headers["Content-Type"] = kind
    headers.pop("Content-Security-Policy", None)
    return body, 200, headers


@tenant_page("/figures/snapshots", *READERS)
def snapshots_tenant():
    """The snapshots with this county's score and rank in each."""
    rows = []
    for taken in db.session.scalars(select(FigureSnapshot).order_by(FigureSnapshot.id.desc())):
        mine = next((r for r in taken.data["tenants"] if r["tenant_id"] == g.tenant.id), None)
        rows.append((taken, mine, len(taken.data["tenants"])))
    briefings = briefing.listing() if documents.find_city() is not None else []
    return render_template("web/figures_snapshots_tenant.html", rows=rows, briefings=briefings, prefix=_prefix())


@tenant_page("/figures/snapshots/<int:snapshot_id>", *READERS)
def snapshot_tenant(snapshot_id: int):
    """This county in a snapshot: its score and how it was computed, and its units ranked."""
    taken = _snapshot(snapshot_id)
    mine = next((r for r in taken.data["tenants"] if r["tenant_id"] == g.tenant.id), None)
    caller = ledger.Caller.current()
    unit_rows = tables.unit_rows(taken, caller)
    return render_template(
        "web/figures_snapshot_tenant.html",
        snap=taken,
        mine=mine,
        unit_rows=unit_rows,
        unit_names={u.id: u.name for u in caller.units},
        show=service.show,
        prefix=_prefix(),
    )


# --- the city's work briefings (工作简报) ---------------------------------------------------------------------------


@blp.route("/city/briefings", methods=["GET", "POST"])
@page(*CITY_ROLES, tenant=False)
def briefings_city():
    """The briefings issued so far, and the form to issue one from published experiences, a snapshot and tasks."""
    errors: dict[str, list[str]] = {}
    city = documents.find_city()
    if request.method == "POST" and city is not None:
        if g.user.role not in TAKERS:
            abort(403)
        lines = {
            k: [x.strip() for x in request.form.get(k, "").splitlines() if x.strip()] for k in ("tasks", "also_to")
        }
        raw = {
            "experience_ids": [int(x) for x in request.form.getlist("experience_ids") if x.isdigit()],
            "foreword": request.form.get("foreword", "").strip(),
            **lines,
        }
        if request.form.get("snapshot_id", "").isdigit():
            raw["snapshot_id"] = int(request.form["snapshot_id"])
        if request.form.get("title", "").strip():
            raw["title"] = request.form["title"].strip()
        if not raw["foreword"]:
            raw.pop("foreword")
        try:
            data = BriefingCreateSchema().load(raw)
            issued = briefing.make(f"user:{g.user.id}", ledger.today_in_shanghai(), data)
        except ValidationError as error:
            db.session.rollback()
            errors = {k: (v if isinstance(v, list) else [str(v)]) for k, v in error.messages.items()}
        except ServiceError as error:
            flash_refusal(error)
            errors = error.fields
        else:
            flash(_("已编发简报：%(number)s", number=issued.number), "success")
            return redirect(url_for("web.briefings_city"))
    return render_template(
        "web/figures_briefings.html",
        no_city=city is None,
        briefings=briefing.listing() if city is not None else [],
        experiences=oversight.published_experiences(),
        snapshots=db.session.scalars(select(FigureSnapshot).order_by(FigureSnapshot.id.desc())).all(),
        errors=errors,
        form=request.form,
        may_issue=g.user.role in TAKERS and city is not None,
    ), 422 if errors else 200


@blp.route("/briefings/<int:briefing_id>/briefing.<fmt>")
@page()
def briefing_document(briefing_id: int, fmt: str):
    """A briefing (sent to every county) as a Word file, or its PDF for the preview."""
    try:
        issued, body = briefing.get(briefing_id)
    except ServiceError:
        abort(404)
    name = f"简报-{issued.year}-{issued.seq}.docx"
    return send_document(fmt, body, name)
