"""The public channel's API.

``/api/v1/public/...`` needs no login: a bureau's (or the city's) report form data, the anti-automation challenge,
submission, and tracking with the code and secret. ``/api/v1/public-reports`` and ``/api/v1/public-solicitations``
(also under ``/api/v1/tenants/<tenant>/``) are the staff's: the triage queue, triage, figures and solicitations.
"""

from __future__ import annotations

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import ValidationError

from core.auth.guard import CITY_READ, object_loader, require
from core.ledger import service as ledger
from core.platform.api import Blueprint, list_schema, listing
from core.platform.db import db, scoped_get, set_tenant
from core.platform.errors import ServiceError
from core.platform.extensions import limiter
from core.public import service
from core.public.models import CATEGORIES, PublicReport, ReportFile
from core.public.schemas import (
    PublicChallengeSchema,
    PublicChannelsSchema,
    PublicCityReportSubmitSchema,
    PublicCitySchema,
    PublicFormCityReportSubmitSchema,
    PublicFormReportSubmitSchema,
    PublicRatingSchema,
    PublicReceiptSchema,
    PublicReportAcceptSchema,
    PublicReportDismissSchema,
    PublicReportListQuerySchema,
    PublicReportMergeSchema,
    PublicReportNewReplySchema,
    PublicReportPageSchema,
    PublicReportReferSchema,
    PublicReportReplySchema,
    PublicReportSchema,
    PublicReportStatsQuerySchema,
    PublicReportStatsSchema,
    PublicReportSubmitSchema,
    PublicSolicitationStaffSchema,
    PublicSolicitationUpdateSchema,
    PublicTenantSchema,
    PublicTrackedReportSchema,
    PublicTrackSchema,
    ReporterContactSchema,
    SimilarSuggestionSchema,
)
from core.tenancy.models import Tenant

public_blp = Blueprint(
    "public", __name__, url_prefix="/api/v1/public", description="公开举报渠道与公开征集（无需登录）"
)
public_blp.cli.help = "The public channel: publish the demo bureaus' reporting channels."
blp = Blueprint("public_reports", __name__, url_prefix="/api/v1", description="群众举报分办、公开征集与统计")

NO_AUTH = {"security": []}
READERS = ("city_admin", "city_supervisor", "tenant_admin", "officer", "reviewer", "viewer")
MANAGERS = ("city_admin", "tenant_admin")
CITY_MANAGERS = ("city_admin", "city_supervisor")
SUBMIT_DOC = {
    "requestBody": {
        "content": {
            "multipart/form-data": {"schema": PublicReportSubmitSchema},
            "application/json": {"schema": PublicReportSubmitSchema},
        }
    },
    **NO_AUTH,
}


# --- rate-limit keys ----------------------------------------------------------------------------------------


def _limit(name: str):
    return lambda: service.setting(name)


def _tenant_key() -> str:
    """The bureau a submission is for: from the path, or the city form's ``tenant`` field.

    On each submitting view the address limit is declared last, so that it is checked first: a request it refuses
    does not use up the bureau's budget.
    """
    slug = (request.view_args or {}).get("tenant_slug")
    if slug is None:
        body = request.get_json(silent=True) if request.is_json else None
        slug = body.get("tenant") if isinstance(body, dict) else request.form.get("tenant")
    return f"public-tenant:{str(slug or '-')[:40]}"


# --- parsing a submission -----------------------------------------------------------------------------------


def _check_size() -> None:
    limit = int(service.setting("PUBLIC_MAX_REQUEST_BYTES"))
    if request.content_length is not None and request.content_length > limit:
        abort(413, message=f"提交内容过大（不超过 {limit // (1024 * 1024)} MB）")
    request.max_content_length = limit


def parse_submission(city: bool) -> tuple[dict, list[service.Upload]]:
    """The fields (JSON or multipart form) and the uploaded files; a 422 names each bad field."""
    _check_size()
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            abort(400, message="请求体不是有效的 JSON 对象")
        schema, uploads = (PublicCityReportSubmitSchema if city else PublicReportSubmitSchema)(), []
    else:
        body = {k: v for k, v in request.form.items() if v != "" or k == "website"}
        schema = (PublicFormCityReportSubmitSchema if city else PublicFormReportSubmitSchema)()
        uploads = [service.Upload(f.stream, f.filename or "") for f in request.files.getlist("files") if f.filename]
    try:
        data = schema.load(body)
    except ValidationError as exc:
        raise ServiceError("输入有误，请按字段提示修改", exc.messages) from exc
    return data, uploads


def _receipt_response(receipt: service.Receipt):
    body = {
        "tracking_code": receipt.report.tracking_code,
        "secret": receipt.secret,
        "received_at": receipt.report.received_at,
        "tenant": receipt.tenant.name,
        "status": receipt.report.status,
    }
    headers = {"Cache-Control": "no-store"}
    if receipt.replayed:
        headers["Idempotent-Replayed"] = "true"
    return body, 201, headers


def file_report(tenant: Tenant, data: dict, uploads: list[service.Upload]) -> service.Receipt:
    set_tenant(tenant.id)
    key = request.headers.get("Idempotency-Key")
    return service.submit(tenant, data, uploads, key.strip() if key is not None else None)


# --- public endpoints ---------------------------------------------------------------------------------------


@public_blp.route("/challenge")
@public_blp.doc(**NO_AUTH)
@public_blp.response(200, PublicChallengeSchema)
@limiter.limit(_limit("PUBLIC_CHALLENGE_LIMIT_PER_ADDRESS"), scope="public-challenge")
def challenge():
    """A fresh anti-automation question; send its token and your answer with the report."""
    return service.new_challenge(), 200, {"Cache-Control": "no-store"}


def tenant_page_data(tenant: Tenant) -> dict:
    set_tenant(tenant.id)
    return {
        "slug": tenant.slug,
        "name": tenant.name,
        "channels": service.channels(tenant),
        "units": [{"id": u.id, "name": u.name} for u in service.reportable_units(tenant)],
        "categories": CATEGORIES,
        "solicitations": [solicitation_public(s) for s in service.open_solicitations(tenant)],
        "max_files": int(service.setting("PUBLIC_MAX_FILES")),
        "max_file_bytes": int(service.setting("PUBLIC_FILE_MAX_BYTES")),
    }


def solicitation_public(s) -> dict:
    return {
        "id": s.id,
        "scope": "city" if s.tenant_id is None else "tenant",
        "title": s.title,
        "description": s.description,
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
    }


def counties() -> list[Tenant]:
    from sqlalchemy import select

    return list(db.session.scalars(select(Tenant).where(Tenant.status == "active").order_by(Tenant.is_city, Tenant.id)))


@public_blp.route("/city")
@public_blp.doc(**NO_AUTH)
@public_blp.response(200, PublicCitySchema)
def city_channel():
    """The city-wide form's data: the counties to choose from (with their channels), categories, city solicitations."""
    return {
        "counties": [{"slug": t.slug, "name": t.name, "channels": service.channels(t)} for t in counties()],
        "categories": CATEGORIES,
        "solicitations": [solicitation_public(s) for s in service.open_solicitations(None)],
    }


@public_blp.route("/city/reports", methods=["POST"])
@public_blp.doc(**SUBMIT_DOC)
@public_blp.response(201, PublicReceiptSchema)
@public_blp.alt_response(422, description="输入有误、验证题未通过，或同一 Idempotency-Key 用于不同内容")
@public_blp.alt_response(429, description="提交过于频繁")
@limiter.limit(_limit("PUBLIC_REPORT_LIMIT_PER_TENANT"), key_func=_tenant_key, scope="public-report-tenant")
@limiter.limit(_limit("PUBLIC_REPORT_LIMIT_PER_ADDRESS"), scope="public-report-address")
def city_report():
    """File a report through the city's form, naming the county (``tenant``); JSON or multipart with ``files``."""
    data, uploads = parse_submission(city=True)
    from sqlalchemy import select

    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == data.pop("tenant")))
    if tenant is None or not tenant.active:
        raise ServiceError("请选择县区", {"tenant": ["没有该县区"]})
    return _receipt_response(file_report(tenant, data, uploads))


@public_blp.route("/bureau/<tenant_slug>")
@public_blp.doc(**NO_AUTH)
@public_blp.response(200, PublicTenantSchema)
def bureau_channel(tenant_slug):
    """One bureau's form data: its published channels, units, categories and open solicitations."""
    return tenant_page_data(service.public_tenant(tenant_slug))


@public_blp.route("/bureau/<tenant_slug>/reports", methods=["POST"])
@public_blp.doc(**SUBMIT_DOC)
@public_blp.response(201, PublicReceiptSchema)
@public_blp.alt_response(422, description="输入有误、验证题未通过，或同一 Idempotency-Key 用于不同内容")
@public_blp.alt_response(429, description="提交过于频繁")
@limiter.limit(_limit("PUBLIC_REPORT_LIMIT_PER_TENANT"), key_func=_tenant_key, scope="public-report-tenant")
@limiter.limit(_limit("PUBLIC_REPORT_LIMIT_PER_ADDRESS"), scope="public-report-address")
def bureau_report(tenant_slug):
    """File a report with one bureau: JSON, or multipart form fields with up to 5 evidence ``files``.

    Send an ``Idempotency-Key`` header to make retries safe: the same key with the same content answers the
    stored receipt again; with different content, 422.
    """
    tenant = service.public_tenant(tenant_slug)
    data, uploads = parse_submission(city=False)
    return _receipt_response(file_report(tenant, data, uploads))


@public_blp.route("/track", methods=["POST"])
@public_blp.doc(**NO_AUTH)
@public_blp.arguments(PublicTrackSchema)
@public_blp.response(200, PublicTrackedReportSchema)
@public_blp.alt_response(404, description="查询码或查询密码不正确（两者不区分）")
@limiter.limit(_limit("PUBLIC_TRACK_LIMIT_PER_ADDRESS"), scope="public-track")
def track(args):
    """The status of a report and the replies meant for the reporter, for its tracking code and secret."""
    tenant, report = service.find_for_reporter(args["tracking_code"], args["secret"])
    return service.tracked(tenant, report), 200, {"Cache-Control": "no-store"}


@public_blp.route("/track/rating", methods=["POST"])
@public_blp.doc(**NO_AUTH)
@public_blp.arguments(PublicRatingSchema)
@public_blp.response(200, PublicTrackedReportSchema)
@public_blp.alt_response(409, description="尚未答复或已评价")
@limiter.limit(_limit("PUBLIC_TRACK_LIMIT_PER_ADDRESS"), scope="public-track")
def rate(args):
    """Rate the reply once: satisfied 满意, basically_satisfied 基本满意, dissatisfied 不满意."""
    tenant, report = service.find_for_reporter(args["tracking_code"], args["secret"])
    service.rate(report, args["rating"])
    return service.tracked(tenant, report), 200, {"Cache-Control": "no-store"}


# --- staff: the triage queue --------------------------------------------------------------------------------


@object_loader("public_report_id")
def _report_exists(public_report_id: int) -> bool:
    return scoped_get(PublicReport, public_report_id) is not None


@object_loader("public_report_file_id")
def _file_exists(public_report_file_id: int) -> bool:
    return scoped_get(ReportFile, public_report_file_id) is not None


@object_loader("solicitation_id")
def _solicitation_visible(solicitation_id: int) -> bool:
    return service.visible_solicitation(solicitation_id, g.get("tenant")) is not None


@blp.tenant_route("/public-reports")
@require(*READERS)
@blp.arguments(PublicReportListQuerySchema, location="query")
@blp.response(200, PublicReportPageSchema)
def list_reports(args):
    """The tenant's public reports, newest first; filter by status, category or solicitation. No contact data."""
    caller = ledger.Caller.current()
    rows, total = service.list_reports(args)
    items = []
    for report in rows:
        item = service.present(report, caller.units)
        item.update(files=[], replies=[])
        items.append(item)
    return listing(items, total=total)


@blp.tenant_route("/public-reports/stats")
@require(*READERS)
@blp.arguments(PublicReportStatsQuerySchema, location="query")
@blp.response(200, PublicReportStatsSchema)
def report_stats(args):
    """Per category: received, accepted, merged, dismissed, median working days to first reply, satisfaction."""
    day_from, day_to = args.get("date_from"), args.get("date_to")
    if day_from and day_to and day_to < day_from:
        raise ServiceError("截止日期不能早于起始日期", {"to": ["截止日期不能早于起始日期"]})
    return {"tenant": g.tenant.slug, **service.stats(day_from, day_to)}


@blp.tenant_route("/public-reports/<int:public_report_id>")
@require(*READERS)
@blp.response(200, PublicReportSchema)
def get_report(public_report_id):
    """One report with its files and the replies sent to the reporter (never the reporter's contact)."""
    caller = ledger.Caller.current()
    return service.detail(service.get_report(public_report_id), caller.units)


@blp.tenant_route("/public-reports/<int:public_report_id>/similar")
@require(*READERS)
@blp.response(200, list_schema(SimilarSuggestionSchema))
def similar_reports(public_report_id):
    """Open reports and open problems like this one (same unit and category; alike by character bigrams)."""
    caller = ledger.Caller.current()
    return listing(service.similar(caller, service.get_report(public_report_id)))


@blp.tenant_route("/public-reports/<int:public_report_id>/contact")
@require("reviewer")
@blp.response(200, ReporterContactSchema)
def report_contact(public_report_id):
    """The reporter's name and contact: the tenant's reviewers only; every read is recorded in the audit chain."""
    caller = ledger.Caller.current()
    contact = service.read_contact(caller, service.get_report(public_report_id))
    return contact, 200, {"Cache-Control": "no-store"}


@blp.tenant_route("/public-reports/<int:public_report_id>/files/<int:public_report_file_id>")
@require(*READERS)
@blp.response(200, description="证据文件（下载，不在浏览器中打开）")
def report_file(public_report_id, public_report_file_id):
    """Download an evidence file sent with the report."""
    report = service.get_report(public_report_id)
    found = service.get_file(report, public_report_file_id)
    return ledger.send_evidence(found.sha256, found.content_type, found.filename)


@blp.tenant_route("/public-reports/<int:public_report_id>/accept", methods=["POST"])
@require(*service.TRIAGERS)
@blp.arguments(PublicReportAcceptSchema)
@blp.response(200, PublicReportSchema)
@blp.alt_response(409, description="该举报已分办")
def accept_report(args, public_report_id):
    """受理: record a ledger problem (source = public report) for a unit the caller may record for, linked back."""
    caller = ledger.Caller.current()
    report = service.get_report(public_report_id)
    service.accept(caller, report, args)
    return service.detail(report, caller.units)


@blp.tenant_route("/public-reports/<int:public_report_id>/merge", methods=["POST"])
@require(*service.TRIAGERS)
@blp.arguments(PublicReportMergeSchema)
@blp.response(200, PublicReportSchema)
@blp.alt_response(409, description="该举报已分办")
def merge_report(args, public_report_id):
    """并案: join the report to an existing problem the caller may see, as a duplicate."""
    caller = ledger.Caller.current()
    report = service.get_report(public_report_id)
    service.merge(caller, report, args["problem_id"], args["reply"])
    return service.detail(report, caller.units)


@blp.tenant_route("/public-reports/<int:public_report_id>/dismiss", methods=["POST"])
@require(*service.TRIAGERS)
@blp.arguments(PublicReportDismissSchema)
@blp.response(200, PublicReportSchema)
@blp.alt_response(409, description="该举报已分办")
def dismiss_report(args, public_report_id):
    """不予受理, with a reason the reporter reads when tracking."""
    caller = ledger.Caller.current()
    report = service.get_report(public_report_id)
    service.dismiss(caller, report, args["reason"])
    return service.detail(report, caller.units)


@blp.tenant_route("/public-reports/<int:public_report_id>/refer", methods=["POST"])
@require(*service.TRIAGERS)
@blp.arguments(PublicReportReferSchema)
@blp.response(200, PublicReportSchema)
@blp.alt_response(409, description="该举报已分办")
def refer_report(args, public_report_id):
    """转办: hand the report to a plugin's register (``referral``, e.g. ``integrity.lead`` 转为问题线索) with the
    ``data`` that register asks for; the reporter reads only 已转有关部门办理, and from then on only the referral's
    roles and the city's supervisors read the report."""
    caller = ledger.Caller.current()
    report = service.get_report(public_report_id)
    service.refer(caller, report, args["referral"], args["data"])
    return service.detail(report, caller.units)


@blp.tenant_route("/public-reports/<int:public_report_id>/replies", methods=["POST"])
@require(*service.TRIAGERS)
@blp.arguments(PublicReportNewReplySchema)
@blp.response(201, PublicReportReplySchema)
def reply_report(args, public_report_id):
    """A further reply to the reporter (e.g. the outcome once the problem is closed)."""
    caller = ledger.Caller.current()
    return service.reply(caller, service.get_report(public_report_id), args["text"])


# --- staff: channels and solicitations ----------------------------------------------------------------------


@blp.tenant_route("/public-channels")
class Channels(MethodView):
    @require(*READERS)
    @blp.response(200, PublicChannelsSchema)
    def get(self):
        """The tenant's published channels: 举报电话, 邮箱, 地址, 接待日."""
        return service.channels(g.tenant)

    @require(*MANAGERS)
    @blp.arguments(PublicChannelsSchema)
    @blp.response(200, PublicChannelsSchema)
    def put(self, args):
        """Publish the channels shown on the tenant's public report page."""
        return service.set_channels(g.tenant, args, ledger.Caller.current().actor)


def present_solicitations(rows, counts) -> list[dict]:
    today = service.today_in_shanghai()
    return [
        {**solicitation_public(s), "is_open": service.is_open(s, today), "reports": counts.get(s.id, 0)} for s in rows
    ]


@blp.tenant_route("/public-solicitations")
class Solicitations(MethodView):
    @require(*READERS)
    @blp.response(200, list_schema(PublicSolicitationStaffSchema))
    def get(self):
        """The tenant's solicitations and the city's, with the number of reports this tenant received for each."""
        rows = service.solicitations_for(g.tenant)
        return listing(present_solicitations(rows, service.solicitation_counts([s.id for s in rows])))

    @require(*MANAGERS)
    @blp.arguments(PublicSolicitationStaffSchema)
    @blp.response(201, PublicSolicitationStaffSchema)
    def post(self, args):
        """Open a solicitation (公开征集) of the tenant: reports tagged to it are taken only inside its period."""
        solicitation = service.create_solicitation(g.tenant, args, ledger.Caller.current().actor)
        return present_solicitations([solicitation], {})[0]


@blp.tenant_route("/public-solicitations/<int:solicitation_id>")
class SolicitationItem(MethodView):
    @require(*READERS)
    @blp.response(200, PublicSolicitationStaffSchema)
    def get(self, solicitation_id):
        """One solicitation with this tenant's report count."""
        found = service.visible_solicitation(solicitation_id, g.tenant)
        return present_solicitations([found], service.solicitation_counts([found.id]))[0]

    @require(*MANAGERS)
    @blp.arguments(PublicSolicitationUpdateSchema)
    @blp.response(200, PublicSolicitationStaffSchema)
    def patch(self, args, solicitation_id):
        """Change the tenant's own solicitation (e.g. end it early); the city's are changed by the city."""
        found = service.visible_solicitation(solicitation_id, g.tenant)
        service.update_solicitation(found, g.tenant, args, ledger.Caller.current().actor)
        return present_solicitations([found], service.solicitation_counts([found.id]))[0]


@blp.route("/city/public-solicitations")
class CitySolicitations(MethodView):
    @require(*CITY_READ, tenant=False)
    @blp.response(200, list_schema(PublicSolicitationStaffSchema))
    def get(self):
        """The city's solicitations for every county, with report counts summed over the counties."""
        rows = service.solicitations_for(None)
        counts = service.city_solicitation_counts([s.id for s in rows])
        return listing(present_solicitations(rows, counts))

    @require(*CITY_MANAGERS, tenant=False)
    @blp.arguments(PublicSolicitationStaffSchema)
    @blp.response(201, PublicSolicitationStaffSchema)
    def post(self, args):
        """Open a city-wide solicitation: every county's form offers it during its period."""
        solicitation = service.create_solicitation(None, args, f"user:{g.user.id}")
        current_app.logger.info("city solicitation %s opened by user:%s", solicitation.id, g.user.id)
        return present_solicitations([solicitation], {})[0]


@blp.route("/city/public-solicitations/<int:solicitation_id>", methods=["PATCH"])
@require(*CITY_MANAGERS, tenant=False)
@blp.arguments(PublicSolicitationUpdateSchema)
@blp.response(200, PublicSolicitationStaffSchema)
def update_city_solicitation(args, solicitation_id):
    """Change a city-wide solicitation (e.g. end it early)."""
    found = service.visible_solicitation(solicitation_id, None)
    service.update_solicitation(found, None, args, f"user:{g.user.id}")
    counts = service.city_solicitation_counts([found.id])
    return present_solicitations([found], counts)[0]


# --- CLI: `xingfeng public demo-channels` --------------------------------------------------------------------


@public_blp.cli.command("demo-channels")
def demo_channels_command() -> None:
    """Publish the demo city's reporting channels for every bureau that has none yet."""
    import tomllib
    from pathlib import Path

    import click
    from sqlalchemy import select

    demo = tomllib.loads((Path(__file__).with_name("demo_channels.toml")).read_text(encoding="utf-8"))
    for tenant in db.session.scalars(select(Tenant).order_by(Tenant.id)).all():
        values = demo.get(tenant.slug)
        if not values or any(service.channels(tenant).values()):
            continue
        service.set_channels(tenant, values, "system:demo")
        click.echo(f"{tenant.slug}: {values['phone']}")
    db.session.commit()
