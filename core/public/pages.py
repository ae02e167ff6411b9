"""The public channel's pages: the report forms (a bureau's and the city's), tracking and rating for reporters;
the triage queue, a report's page, the figures and the channel settings for staff.

The reporter's pages need no login and are built for a phone first. They go through the same service as the JSON
API, with the same challenge, honeypot, size limits, rate limits and idempotency key.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import abort, flash, g, make_response, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from core.ledger import permissions as perm
from core.ledger import service as ledger
from core.ledger.models import RECTIFICATION_TYPES, SEVERITIES
from core.platform.calendar import SHANGHAI
from core.platform.db import db, set_tenant
from core.platform.errors import NotFound, ServiceError
from core.platform.extensions import limiter
from core.platform.validators import parse_form_date
from core.public import service
from core.public.api import READERS, _check_size, _limit, _tenant_key, counties, solicitation_public
from core.public.models import CATEGORIES, LEDGER_CATEGORY, RATINGS, STATUSES, ReportContact
from core.public.schemas import (
    PublicChannelsSchema,
    PublicFormCityReportSubmitSchema,
    PublicFormReportSubmitSchema,
    PublicReportAcceptSchema,
    PublicSolicitationStaffSchema,
)
from core.tenancy.models import Tenant
from core.tenancy.service import registry
from core.web.auth import tenant_page
from core.web.blueprint import blp, flash_refusal

MANAGERS = ("city_admin", "tenant_admin")
FORM_FIELDS = ("category", "description", "unit_id", "concerned", "location", "occurred", "contact_name", "contact",
               "solicitation_id", "challenge_token", "challenge_answer", "website", "tenant")  # fmt: skip


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _form_errors(error: ServiceError) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, messages in error.fields.items():
        out[key] = messages if isinstance(messages, list) else [str(messages)]
    return out or {"_": [error.message]}


def _report_form(tenant: Tenant | None):
    """The form for one bureau (tenant) or for the city (the reporter chooses the county)."""
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict() if request.method == "POST" else {}
    if request.method == "POST":
        from marshmallow import ValidationError

        _check_size()
        raw = {k: v for k, v in request.form.items() if k in FORM_FIELDS and (v != "" or k == "website")}
        schema = PublicFormCityReportSubmitSchema() if tenant is None else PublicFormReportSubmitSchema()
        try:
            data = schema.load(raw)
            target = tenant
            if tenant is None:
                target = db.session.scalar(select(Tenant).where(Tenant.slug == data.pop("tenant")))
                if target is None or not target.active:
                    raise ServiceError(_("请选择县区"), {"tenant": [_("请选择县区")]})
            set_tenant(target.id)
            uploads = [service.Upload(f.stream, f.filename or "") for f in request.files.getlist("files") if f.filename]
            receipt = service.submit(target, data, uploads, request.form.get("idempotency_key") or None)
            db.session.commit()
            return _no_store(make_response(render_template("web/public_receipt.html", receipt=receipt)))
        except ValidationError as exc:
            errors = {k: v if isinstance(v, list) else [str(v)] for k, v in exc.messages.items()}
        except ServiceError as error:
            db.session.rollback()
            errors = _form_errors(error)
    context = {
        "tenant": tenant,
        "values": values,
        "errors": errors,
        "categories": CATEGORIES,
        "challenge": service.new_challenge(),
        "idempotency_key": values.get("idempotency_key") or secrets.token_urlsafe(16),
        "max_files": int(service.setting("PUBLIC_MAX_FILES")),
        "max_mb": int(service.setting("PUBLIC_FILE_MAX_BYTES")) // (1024 * 1024),
    }
    if tenant is None:
        context.update(
            counties=[{"slug": t.slug, "name": t.name, "channels": service.channels(t)} for t in counties()],
            solicitations=[solicitation_public(s) for s in service.open_solicitations(None)],
            units=[],
            channels=None,
        )
    else:
        set_tenant(tenant.id)
        context.update(
            counties=[],
            solicitations=[solicitation_public(s) for s in service.open_solicitations(tenant)],
            units=service.reportable_units(tenant),
            channels=service.channels(tenant),
        )
    response = make_response(render_template("web/public_form.html", **context), 422 if errors else 200)
    return _no_store(response)


_address_limit = limiter.limit(
    _limit("PUBLIC_REPORT_LIMIT_PER_ADDRESS"), scope="public-report-address", methods=["POST"]
)
_tenant_limit = limiter.limit(
    _limit("PUBLIC_REPORT_LIMIT_PER_TENANT"), key_func=_tenant_key, scope="public-report-tenant", methods=["POST"]
)


@blp.route("/report", methods=["GET", "POST"])
@_tenant_limit
@_address_limit
def public_city_form():
    """The city's report form: the reporter chooses the county."""
    return _report_form(None)


@blp.route("/report/<tenant_slug>", methods=["GET", "POST"])
@_tenant_limit
@_address_limit
def public_form(tenant_slug):
    """A bureau's report form, with its published channels."""
    try:
        tenant = service.public_tenant(tenant_slug)
    except NotFound:
        abort(404)
    return _report_form(tenant)


@blp.route("/report-status", methods=["GET", "POST"])
@limiter.limit(_limit("PUBLIC_TRACK_LIMIT_PER_ADDRESS"), scope="public-track", methods=["POST"])
def public_track():
    """Tracking: the code and the secret show the status and the replies; a rating once there is a reply."""
    code = request.form.get("tracking_code", "").strip()
    secret = request.form.get("secret", "").strip()
    report_view, error = None, None
    if request.method == "POST":
        try:
            tenant, report = service.find_for_reporter(code, secret)
            rating = request.form.get("rating")
            if rating:
                if rating not in RATINGS:
                    raise ServiceError(_("请选择评价"), {"rating": [_("请选择评价")]})
                service.rate(report, rating)
                db.session.commit()
                flash(_("感谢您的评价"), "success")
            report_view = service.tracked(tenant, report)
        except NotFound:
            db.session.rollback()
            error = _("查询码或查询密码不正确")
        except ServiceError as refusal:
            db.session.rollback()
            error = refusal.message
            tenant, report = service.find_for_reporter(code, secret)
            report_view = service.tracked(tenant, report)
    page = render_template(
        "web/public_track.html", code=code, secret=secret, report=report_view, error=error, ratings=RATINGS
    )
    status = 404 if error and report_view is None else 200
    return _no_store(make_response(page, status))


# --- staff pages --------------------------------------------------------------------------------------------


def _prefix() -> str:
    slug = g.get("tenant_slug")
    return f"/tenants/{slug}" if slug else ""


@tenant_page("/public-reports", *READERS)
def public_reports():
    """The triage queue: the tenant's reports, those waiting first."""
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        status = None
    caller = ledger.Caller.current()
    rows, total = service.list_reports({"status": status, "limit": 200, "offset": 0})
    waiting = service.list_reports({"status": "received", "limit": 1, "offset": 0})[1]
    return render_template(
        "web/public_queue.html",
        reports=[service.present(r, caller.units) for r in rows],
        total=total,
        waiting=waiting,
        status=status,
        statuses=STATUSES,
        prefix=_prefix(),
    )


def _accept_data(form) -> dict:
    from marshmallow import ValidationError

    raw = {k: v for k, v in form.items() if k in PublicReportAcceptSchema().fields and v != ""}
    try:
        return PublicReportAcceptSchema().load(raw)
    except ValidationError as exc:
        raise ServiceError(_("输入有误，请按字段提示修改"), exc.messages) from exc


@tenant_page("/public-reports/<int:public_report_id>", *READERS, methods=["GET", "POST"])
def public_report_page(public_report_id):
    """One report: its text and files, similar reports and problems, and the triage forms."""
    caller = ledger.Caller.current()
    try:
        report = service.get_report(public_report_id)
    except NotFound:
        abort(404)
    url = f"{_prefix()}/public-reports/{report.id}"
    contact = None
    if request.method == "POST":
        action = request.form.get("action", "")
        try:
            if action == "accept":
                problem = service.accept(caller, report, _accept_data(request.form))
                flash(_("已受理，登记为问题 %(number)s", number=problem.number), "success")
            elif action == "merge":
                try:
                    problem_id = int(request.form.get("problem_id", ""))
                except ValueError:
                    raise ServiceError(_("请填写问题"), {"problem_id": [_("必填")]}) from None
                service.merge(caller, report, problem_id, request.form.get("reply", "").strip())
                flash(_("已并案"), "success")
            elif action == "dismiss":
                reason = request.form.get("reason", "").strip()
                if not reason:
                    raise ServiceError(_("请填写不予受理的理由"), {"reason": [_("必填")]})
                service.dismiss(caller, report, reason)
                flash(_("已不予受理"), "success")
            elif action == "refer":
                data = {k[4:]: v.strip() for k, v in request.form.items() if k.startswith("ref_") and v.strip()}
                reference = service.refer(caller, report, request.form.get("referral", ""), data)
                flash(_("已转办：%(reference)s", reference=reference), "success")
            elif action == "reply":
                text = request.form.get("text", "").strip()
                if not text:
                    raise ServiceError(_("请填写答复"), {"text": [_("必填")]})
                service.reply(caller, report, text)
                flash(_("已答复举报人"), "success")
            elif action == "contact":
                contact = service.read_contact(caller, report)
                db.session.commit()
            else:
                abort(400)
            if action != "contact":
                return redirect(url)
        except ServiceError as error:
            flash_refusal(error)
            return redirect(url)
    suggested = LEDGER_CATEGORY.get(report.category, ("general", "other"))
    domains = {slug: registry().domains[slug] for slug in caller.enabled_domains(g.get("unit")) or registry().domains}

    recordable = [u for u in caller.units if g.user.role != "viewer" and perm.may_record(g.user, u.id, caller.units)]
    has_contact = db.session.scalar(select(ReportContact.id).where(ReportContact.report_id == report.id)) is not None
    response = make_response(
        render_template(
            "web/public_report.html",
            r=service.detail(report, caller.units),
            # Suggestions serve triage only: no scan of recent texts for a report already triaged or a reader.
            similar=service.similar(caller, report)
            if report.status == "received" and g.user.role in service.TRIAGERS
            else [],
            contact=contact,
            has_contact=has_contact,
            may_triage=g.user.role in service.TRIAGERS,
            referrals=service.referrals_for(caller) if report.status == "received" else [],
            may_read_contact=g.user.role in service.CONTACT_READERS,
            domains=domains,
            suggested=suggested,
            units=recordable,
            severities=SEVERITIES,
            rectification_types=RECTIFICATION_TYPES,
            prefix=_prefix(),
        )
    )
    return _no_store(response) if contact else response


@tenant_page("/public-reports/<int:public_report_id>/files/<int:public_report_file_id>", *READERS)
def public_report_file_page(public_report_id, public_report_file_id):

    try:
        report = service.get_report(public_report_id)
        found = service.get_file(report, public_report_file_id)
    except NotFound:
        abort(404)
    return ledger.send_evidence(found.sha256, found.content_type, found.filename)


@tenant_page("/public-reports/stats", *READERS)
def public_report_stats():
    """Figures per category: received, outcomes, median working days to first reply, satisfaction."""
    day_from, day_to, errors = None, None, {}
    for name in ("from", "to"):
        raw = request.args.get(name, "")
        if raw:
            try:
                value = parse_form_date(raw)
            except ValueError as error:
                errors[name] = _(str(error))
                continue
            if name == "from":
                day_from = value
            else:
                day_to = value
    figures = service.stats(day_from, day_to)
    return render_template(
        "web/public_stats.html", figures=figures, day_from=day_from, day_to=day_to, errors=errors, prefix=_prefix()
    )


@tenant_page("/public-settings", *READERS, methods=["GET", "POST"])
def public_settings():
    """The published channels and the solicitations, with their report counts; changed by the tenant's admins."""
    from marshmallow import ValidationError

    errors: dict = {}
    values = request.form.to_dict()
    if request.method == "POST":
        if g.user.role not in MANAGERS:
            abort(403)
        actor = ledger.Caller.current().actor
        try:
            if request.form.get("action") == "channels":
                data = PublicChannelsSchema().load(
                    {k: v for k, v in values.items() if k in PublicChannelsSchema().fields}
                )
                service.set_channels(g.tenant, data, actor)
                flash(_("已更新公开渠道"), "success")
            elif request.form.get("action") == "solicitation":
                schema = PublicSolicitationStaffSchema()
                data = schema.load({k: v for k, v in values.items() if k in schema.load_fields and v})
                service.create_solicitation(g.tenant, data, actor)
                flash(_("已发布公开征集"), "success")
            elif request.form.get("action") == "end":
                found = service.visible_solicitation(int(request.form.get("solicitation_id", "0")), g.tenant)
                if found is None:
                    abort(404)
                # Ended yesterday: from today on the form no longer offers it.
                yesterday = service.today_in_shanghai() - timedelta(days=1)
                changes = {"ends_on": yesterday, "starts_on": min(found.starts_on, yesterday)}
                service.update_solicitation(found, g.tenant, changes, actor)
                flash(_("已结束该征集"), "success")
            else:
                abort(400)
            db.session.commit()
            return redirect(f"{_prefix()}/public-settings")
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.messages
        except ServiceError as error:
            db.session.rollback()
            errors = _form_errors(error)
    rows = service.solicitations_for(g.tenant)
    counts = service.solicitation_counts([s.id for s in rows])
    today = service.today_in_shanghai()
    return render_template(
        "web/public_settings.html",
        channels=service.channels(g.tenant),
        solicitations=[
            {**solicitation_public(s), "is_open": service.is_open(s, today), "reports": counts.get(s.id, 0)}
            for s in rows
        ],  # fmt: skip
        values=values if request.method == "POST" else {},
        errors=errors,
        may_manage=g.user.role in MANAGERS,
        public_url=f"/report/{g.tenant.slug}",
        prefix=_prefix(),
    ), (422 if errors else 200)


@blp.app_template_filter("public_time")
def public_time(value) -> str:
    """A stored UTC time as Shanghai wall-clock time, to the minute."""

    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""
