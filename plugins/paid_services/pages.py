"""The paid-services pages: the agency registry, an agency's services, fee records (and their import), the flags."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError

from core.plugin_api import RECTIFICATION_TYPES, Caller, PageBlueprint, ServiceError, db, flash_refusal, may_record
from plugins.paid_services import excel
from plugins.paid_services import service as paid
from plugins.paid_services.api import agencies_out, agency_out, flags_out, records_out, service_out
from plugins.paid_services.models import AGENCY_KINDS, FLAG_KINDS, FLAG_STATUSES
from plugins.paid_services.schemas import FeeFlagProblemSchema, FeeRecordSchema, PaidAgencySchema, PaidServiceSchema

#: The paid_services pages, mounted by the core behind the per-unit check (404 where the domain is off).
blp = PageBlueprint("paid_services_pages", __name__, template_folder="templates")

READERS = (
    "city_admin",
    "city_supervisor",
    "tenant_admin",
    "officer",
    "reviewer",
    "viewer",
)
STATE_CLASSES = {"valid": "success", "expiring": "warning", "expired": "danger", "none": "secondary"}


def _prefix() -> str:
    slug = g.get("tenant_slug")
    return f"/tenants/{slug}" if slug else ""


def _writer() -> bool:
    return g.user.role in paid.WRITERS


def _only_writers() -> None:
    if not _writer():
        abort(403)


def _load(schema: Schema, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Form values through the API's schema: the same rules, the same Chinese messages."""
    try:
        return schema.load(values), {}
    except ValidationError as exc:
        return {}, {k: (v if isinstance(v, list) else [str(v)]) for k, v in exc.messages.items()}


def _form(names: tuple[str, ...], ints: tuple[str, ...] = (), bools: tuple[str, ...] = ()) -> dict[str, Any]:
    """The named fields of the posted form: blanks left out, whole numbers as numbers, checkboxes as booleans."""
    values: dict[str, Any] = {}
    for name in names:
        raw = request.form.get(name, "").strip()
        if name in bools:
            values[name] = raw == "1"
        elif raw == "":
            continue
        elif name in ints:
            values[name] = int(raw) if raw.isdigit() else raw
        else:
            values[name] = raw
    return values


def _writable_units(caller: Caller) -> list:

    on = paid.enabled_unit_ids(caller)
    return [u for u in caller.units if u.id in on and may_record(caller.user, u.id, caller.units)]


# --- the agency registry ------------------------------------------------------------------------------------


@blp.tenant_page("/paid-services/agencies", *READERS, methods=["GET", "POST"])
def paid_services_agencies():
    """The agencies, each with its certificate's state; writers register new ones here."""
    caller = Caller.current()
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict()
    if request.method == "POST":
        _only_writers()
        data, errors = _load(PaidAgencySchema(), _form(("name", "kind", "credit_code", "cma_number", "cma_expires_on",
                                                    "unit_id"), ints=("unit_id",)))  # fmt: skip
        if not errors:
            try:
                agency = paid.create_agency(caller, data)
                db.session.commit()
                flash(_("已登记机构 %(name)s", name=agency.name), "success")
                return redirect(f"{_prefix()}/paid-services/agencies/{agency.id}")
            except ServiceError as error:
                db.session.rollback()
                errors = error.fields or {"_": [error.message]}
    agencies = agencies_out(caller, paid.list_agencies(caller))
    return render_template(
        "paid_services/agencies.html",
        agencies=agencies,
        kinds=AGENCY_KINDS,
        units=_writable_units(caller) if _writer() else [],
        state_classes=STATE_CLASSES,
        warning_days=paid.EXPIRY_WARNING_DAYS,
        values=values,
        errors=errors,
        writer=_writer(),
        prefix=_prefix(),
    ), (422 if errors else 200)


@blp.tenant_page("/paid-services/agencies/<int:paid_agency_id>", *READERS, methods=["GET", "POST"])
def paid_services_agency(paid_agency_id):
    """One agency: its certificate, its paid services; writers add services and renew the certificate."""
    caller = Caller.current()
    agency = paid.get_agency(caller, paid_agency_id)  # 404 outside the caller's view
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict()
    if request.method == "POST":
        _only_writers()
        try:
            if request.form.get("action") == "certificate":
                data, errors = _load(PaidAgencySchema(partial=True), _form(("cma_number", "cma_expires_on")))
                if not errors:
                    data.setdefault("cma_expires_on", None)
                    paid.update_agency(caller, agency, data)
                    db.session.commit()
                    flash(_("已更新资质认定证书"), "success")
                    return redirect(f"{_prefix()}/paid-services/agencies/{agency.id}")
            else:
                names = ("name", "fee_standard", "fee_unit", "fee_basis", "fee_published", "regulatory_act",
                         "in_certified_scope", "certified_scope")  # fmt: skip
                data, errors = _load(
                    PaidServiceSchema(),
                    _form(names, bools=("fee_published", "regulatory_act", "in_certified_scope")),
                )
                if not errors:
                    service = paid.create_service(caller, agency, data)
                    db.session.commit()
                    flash(_("已添加服务项目 %(name)s", name=service.name), "success")
                    return redirect(f"{_prefix()}/paid-services/agencies/{agency.id}")
        except ServiceError as error:
            db.session.rollback()
            errors = error.fields or {"_": [error.message]}
    flags = flags_out(paid.list_flags(caller, {"agency_id": agency.id, "limit": 50}))
    return render_template(
        "paid_services/agency.html",
        agency=agency_out(caller, agency),
        services=[service_out(s) for s in paid.list_services(caller, agency)],
        flags=flags,
        state_classes=STATE_CLASSES,
        values=values,
        errors=errors,
        writer=_writer() and _may_write(caller, agency),
        prefix=_prefix(),
    ), (422 if errors else 200)


def _may_write(caller: Caller, agency) -> bool:

    return may_record(caller.user, agency.unit_id, caller.units)


# --- fee records --------------------------------------------------------------------------------------------


@blp.tenant_page("/paid-services/fees", *READERS, methods=["GET", "POST"])
def paid_services_fees():
    """Fee records, newest first, each with the flags it raised; writers record a charge here."""
    caller = Caller.current()
    errors: dict[str, list[str]] = {}
    values = request.form.to_dict()
    if request.method == "POST":
        _only_writers()
        data, errors = _load(
            FeeRecordSchema(),
            _form(("service_id", "receipt_no", "client", "charged_on", "quantity", "amount"),
                  ints=("service_id", "quantity")),
        )  # fmt: skip
        if not errors:
            try:
                record = paid.create_fee_record(caller, data)
                db.session.commit()
                flagged = paid.flags_of_records([record.id]).get(record.id, [])
                if flagged:
                    names = "、".join(FLAG_KINDS[f.kind][0] for f in flagged)
                    flash(_("已登记收费记录，发现预警：%(names)s", names=names), "warning")
                else:
                    flash(_("已登记收费记录"), "success")
                return redirect(f"{_prefix()}/paid-services/fees")
            except ServiceError as error:
                db.session.rollback()
                errors = error.fields or {"_": [error.message]}
    flagged_only = request.args.get("flagged") == "1"
    records = records_out(paid.list_fee_records(caller, {"flagged": flagged_only, "limit": 500}))
    services = []
    if _writer():
        writable = {a.id: a for a in paid.list_agencies(caller) if _may_write(caller, a)}
        for agency in writable.values():
            services += [(agency.name, s) for s in paid.list_services(caller, agency)]
    return render_template(
        "paid_services/fees.html",
        records=records,
        services=services,
        flagged_only=flagged_only,
        values=values,
        errors=errors,
        writer=_writer(),
        prefix=_prefix(),
    ), (422 if errors else 200)


@blp.tenant_page("/paid-services/fees/import", *paid.WRITERS, methods=["GET", "POST"])
def paid_services_fee_import():
    """Import fee records from .xlsx or .csv: every bad cell is listed before anything is written."""
    result, errors = None, None
    if request.method == "POST":
        upload = request.files.get("file")
        caller = Caller.current()
        try:
            if upload is None or not upload.filename:
                raise ServiceError(_("请选择要导入的文件"), {"file": [_("必填")]})
            result = excel.import_fee_records(
                caller, upload.stream, upload.filename, request.form.get("dry_run") == "1"
            )
            if not result["dry_run"]:
                db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            payload = error.payload()
            errors = {"message": error.message, "rows": payload.get("errors", {}).get("rows", []),
                      "fields": error.fields}  # fmt: skip
    return render_template(
        "paid_services/fee_import.html",
        result=result,
        errors=errors,
        columns=excel.COLUMNS,
        prefix=_prefix(),
    ), (422 if errors else 200)


# --- flags --------------------------------------------------------------------------------------------------


@blp.tenant_page("/paid-services/flags", *READERS)
def paid_services_flags():
    """The flags; writers turn an open one into a ledger problem."""
    caller = Caller.current()
    status = request.args.get("status") if request.args.get("status") in FLAG_STATUSES else None
    flags = flags_out(paid.list_flags(caller, {"status": status, "limit": 500}))
    for flag in flags:
        flag["problem_visible"] = paid.problem_visible(caller, flag["problem_id"])
    return render_template(
        "paid_services/flags.html",
        flags=flags,
        status=status,
        statuses=FLAG_STATUSES,
        rectification_types=RECTIFICATION_TYPES,
        writer=_writer(),
        prefix=_prefix(),
    )


@blp.tenant_page("/paid-services/flags/<int:fee_flag_id>/problem", *paid.WRITERS, methods=["POST"])
def paid_services_flag_problem(fee_flag_id):
    """Record the ledger problem of a flag, then show it."""
    caller = Caller.current()
    flag = paid.get_flag(caller, fee_flag_id)
    data, errors = _load(
        FeeFlagProblemSchema(),
        _form(("rectification_type", "deadline", "deadline_working_days", "responsible_person", "measures"),
              ints=("deadline_working_days",)),
    )  # fmt: skip
    if errors:
        details = "；".join(f"{k}：{'、'.join(v)}" for k, v in errors.items())
        flash(_("未能立为问题：%(details)s", details=details), "danger")
        return redirect(f"{_prefix()}/paid-services/flags")
    try:
        problem = paid.flag_problem(caller, flag, data)
        db.session.commit()
    except ServiceError as error:
        flash_refusal(error)
        return redirect(f"{_prefix()}/paid-services/flags")
    flash(_("已立为问题 %(number)s", number=problem.number), "success")
    if paid.problem_visible(caller, problem.id):
        return redirect(f"{_prefix()}/problems/{problem.id}")
    return redirect(f"{_prefix()}/paid-services/flags")
