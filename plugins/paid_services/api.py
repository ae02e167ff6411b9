"""API of the paid-services domain, mounted by the core under /api/v1/plugins/paid_services/.

Views take ``**_url_values``: the core mounts the blueprint a second time under /api/v1/tenants/<tenant>/…
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.plugin_api import (
    ANY,
    Caller,
    NotFound,
    Problem,
    db,
    listing,
    object_loader,
    require,
    today_in_shanghai,
)
from core.plugin_api import ApiBlueprint as Blueprint
from plugins.paid_services import excel
from plugins.paid_services import service as paid
from plugins.paid_services.domain import DOMAIN
from plugins.paid_services.models import (
    AGENCY_KINDS,
    CERTIFICATE_STATES,
    FLAG_KINDS,
    FLAG_STATUSES,
    Agency,
    FeeFlag,
    FeeRecord,
    PaidService,
)
from plugins.paid_services.schemas import (
    FeeFlagListSchema,
    FeeFlagOutSchema,
    FeeFlagProblemResultSchema,
    FeeFlagProblemSchema,
    FeeFlagQuerySchema,
    FeeImportFormSchema,
    FeeImportResultSchema,
    FeeRecordListSchema,
    FeeRecordOutSchema,
    FeeRecordQuerySchema,
    FeeRecordSchema,
    PaidAgencyListSchema,
    PaidAgencyOutSchema,
    PaidAgencyQuerySchema,
    PaidAgencySchema,
    PaidAgencyUpdateSchema,
    PaidServiceListSchema,
    PaidServiceOutSchema,
    PaidServiceSchema,
    PaidServiceUpdateSchema,
)

blp = Blueprint("paid_services", __name__, description="有偿服务：机构登记、收费记录与预警")
READERS = ANY
WRITERS = paid.WRITERS


def _exists(getter) -> Any:
    def load(ident: int) -> bool:
        try:
            getter(Caller.current(), ident)
        except NotFound:
            return False
        return True

    return load


object_loader("paid_agency_id")(_exists(paid.get_agency))
object_loader("paid_service_id")(_exists(paid.get_service))
object_loader("fee_record_id")(_exists(paid.get_fee_record))
object_loader("fee_flag_id")(_exists(paid.get_flag))


# --- presenting ---------------------------------------------------------------------------------------------


def agency_out(caller: Caller, agency: Agency, services: int | None = None) -> dict[str, Any]:
    state, days = paid.certificate_state(agency, today_in_shanghai())
    unit = caller.unit(agency.unit_id)
    if services is None:
        services = db.session.scalar(select(func.count(PaidService.id)).where(PaidService.agency_id == agency.id))
    return {
        "id": agency.id,
        "name": agency.name,
        "kind": agency.kind,
        "kind_name": AGENCY_KINDS.get(agency.kind, agency.kind),
        "credit_code": agency.credit_code,
        "cma_number": agency.cma_number,
        "cma_expires_on": agency.cma_expires_on,
        "certificate_state": state,
        "certificate_state_name": CERTIFICATE_STATES[state],
        "certificate_days_left": days,
        "unit_id": agency.unit_id,
        "unit_name": unit.name if unit else "",
        "services": services,
    }


def agencies_out(caller: Caller, agencies: list[Agency]) -> list[dict[str, Any]]:
    counts = dict(
        db.session.execute(
            select(PaidService.agency_id, func.count(PaidService.id))
            .where(PaidService.agency_id.in_([a.id for a in agencies]))
            .group_by(PaidService.agency_id)
        ).all()
    )
    return [agency_out(caller, a, counts.get(a.id, 0)) for a in agencies]


def service_out(service: PaidService) -> dict[str, Any]:
    return {
        "id": service.id,
        "agency_id": service.agency_id,
        "name": service.name,
        "fee_standard": paid.yuan(service.fee_standard_fen),
        "fee_unit": service.fee_unit,
        "fee_basis": service.fee_basis,
        "fee_published": service.fee_published,
        "regulatory_act": service.regulatory_act,
        "in_certified_scope": service.in_certified_scope,
        "certified_scope": service.certified_scope,
    }


def _names(model, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def flag_brief(flag: FeeFlag) -> dict[str, Any]:
    return {
        "id": flag.id,
        "kind": flag.kind,
        "kind_name": FLAG_KINDS[flag.kind][0],
        "status": flag.status,
        "problem_id": flag.problem_id,
    }


def records_out(records: list[FeeRecord]) -> list[dict[str, Any]]:
    services = {
        s.id: s
        for s in db.session.scalars(select(PaidService).where(PaidService.id.in_({r.service_id for r in records})))
    }
    agencies = _names(Agency, {s.agency_id for s in services.values()})
    flags = paid.flags_of_records([r.id for r in records])
    out = []
    for r in records:
        service = services[r.service_id]
        out.append(
            {
                "id": r.id,
                "service_id": r.service_id,
                "service_name": service.name,
                "agency_id": service.agency_id,
                "agency_name": agencies.get(service.agency_id, ""),
                "receipt_no": r.receipt_no,
                "client": r.client,
                "charged_on": r.charged_on,
                "quantity": r.quantity,
                "amount": paid.yuan(r.amount_fen),
                "flags": [flag_brief(f) for f in flags.get(r.id, [])],
            }
        )
    return out


def flags_out(flags: list[FeeFlag]) -> list[dict[str, Any]]:
    agencies = _names(Agency, {f.agency_id for f in flags})
    services = _names(PaidService, {f.service_id for f in flags})
    out = []
    for f in flags:
        category = FLAG_KINDS[f.kind][1]
        out.append(
            {
                **flag_brief(f),
                "status_name": FLAG_STATUSES[f.status],
                "category": category,
                "category_name": DOMAIN.category(category).name,
                "agency_id": f.agency_id,
                "agency_name": agencies.get(f.agency_id, ""),
                "service_id": f.service_id,
                "service_name": services.get(f.service_id),
                "fee_record_id": f.fee_record_id,
                "detail": f.detail,
                "found_on": f.found_on,
            }
        )
    return out


# --- agencies -----------------------------------------------------------------------------------------------


@blp.route("/agencies")
@require(*READERS)
@blp.arguments(PaidAgencyQuerySchema, location="query")
@blp.response(200, PaidAgencyListSchema)
def list_agencies(args, **_url_values):
    """The agencies (所属事业单位、技术机构) the caller sees, with the state of each one's CMA certificate."""
    caller = Caller.current()
    return listing(agencies_out(caller, paid.list_agencies(caller, args.get("unit_id"), args.get("q"))))


@blp.route("/agencies", methods=["POST"])
@require(*WRITERS)
@blp.arguments(PaidAgencySchema)
@blp.response(201, PaidAgencyOutSchema)
def create_agency(data, **_url_values):
    """Register an agency; an expired or soon-expiring certificate is flagged at once (expired: a problem too)."""
    caller = Caller.current()
    return agency_out(caller, paid.create_agency(caller, data))


@blp.route("/agencies/<int:paid_agency_id>")
@require(*READERS)
@blp.response(200, PaidAgencyOutSchema)
def get_agency(paid_agency_id, **_url_values):
    """One agency."""
    caller = Caller.current()
    return agency_out(caller, paid.get_agency(caller, paid_agency_id))


@blp.route("/agencies/<int:paid_agency_id>", methods=["PATCH"])
@require(*WRITERS)
@blp.arguments(PaidAgencyUpdateSchema)
@blp.response(200, PaidAgencyOutSchema)
def update_agency(changes, paid_agency_id, **_url_values):
    """Change an agency (e.g. a renewed certificate); the certificate is checked again."""
    caller = Caller.current()
    agency = paid.get_agency(caller, paid_agency_id)
    return agency_out(caller, paid.update_agency(caller, agency, changes))


@blp.route("/agencies/<int:paid_agency_id>/services")
@require(*READERS)
@blp.response(200, PaidServiceListSchema)
def list_services(paid_agency_id, **_url_values):
    """An agency's paid services (有偿服务项目) and their fee standards."""
    caller = Caller.current()
    agency = paid.get_agency(caller, paid_agency_id)
    return listing([service_out(s) for s in paid.list_services(caller, agency)])


@blp.route("/agencies/<int:paid_agency_id>/services", methods=["POST"])
@require(*WRITERS)
@blp.arguments(PaidServiceSchema)
@blp.response(201, PaidServiceOutSchema)
def create_service(data, paid_agency_id, **_url_values):
    """Add a paid service: fee standard and its basis, publicised or not, tied to a regulatory act or not, scope."""
    caller = Caller.current()
    agency = paid.get_agency(caller, paid_agency_id)
    return service_out(paid.create_service(caller, agency, data))


@blp.route("/services/<int:paid_service_id>")
@require(*READERS)
@blp.response(200, PaidServiceOutSchema)
def get_service(paid_service_id, **_url_values):
    """One paid service."""
    return service_out(paid.get_service(Caller.current(), paid_service_id))


@blp.route("/services/<int:paid_service_id>", methods=["PATCH"])
@require(*WRITERS)
@blp.arguments(PaidServiceUpdateSchema)
@blp.response(200, PaidServiceOutSchema)
def update_service(changes, paid_service_id, **_url_values):
    """Change a paid service; its recorded fees are checked again against the new terms."""
    caller = Caller.current()
    service = paid.get_service(caller, paid_service_id)
    return service_out(paid.update_service(caller, service, changes))


# --- fee records --------------------------------------------------------------------------------------------


@blp.route("/fee-records")
@require(*READERS)
@blp.arguments(FeeRecordQuerySchema, location="query")
@blp.response(200, FeeRecordListSchema)
def list_fee_records(args, **_url_values):
    """Fee records (收费记录), newest first, with the flags each one raised."""
    caller = Caller.current()
    return listing(records_out(paid.list_fee_records(caller, args)))


@blp.route("/fee-records", methods=["POST"])
@require(*WRITERS)
@blp.arguments(FeeRecordSchema)
@blp.response(201, FeeRecordOutSchema)
def create_fee_record(data, **_url_values):
    """Record a charge: above the standard, a designated service or out of the certified scope is flagged at once."""
    caller = Caller.current()
    return records_out([paid.create_fee_record(caller, data)])[0]


@blp.route("/fee-records/<int:fee_record_id>")
@require(*READERS)
@blp.response(200, FeeRecordOutSchema)
def get_fee_record(fee_record_id, **_url_values):
    """One fee record with its flags."""
    return records_out([paid.get_fee_record(Caller.current(), fee_record_id)])[0]


@blp.route("/fee-records/import", methods=["POST"])
@require(*WRITERS)
@blp.arguments(FeeImportFormSchema, location="form")
@blp.arguments(excel.FeeUploadSchema, location="files")
@blp.response(200, FeeImportResultSchema)
def import_fee_records(form, files, **_url_values):
    """Import fee records from .xlsx or .csv.

    Columns: 票据号, 机构统一社会信用代码, 服务项目, 委托方, 收费日期, 数量 (optional), 收费金额（元）.

    Every cell is checked first: any bad cell refuses the whole file with 422, each error named by row and column
    under ``errors.rows``, and nothing is written. A known 票据号 with the same content is left unchanged, so the
    same file can be imported again. ``dry_run`` checks and counts only.
    """
    caller = Caller.current()
    upload = files["file"]
    return excel.import_fee_records(caller, upload.stream, upload.filename or "", form["dry_run"])


# --- flags --------------------------------------------------------------------------------------------------


@blp.route("/flags")
@require(*READERS)
@blp.arguments(FeeFlagQuerySchema, location="query")
@blp.response(200, FeeFlagListSchema)
def list_flags(args, **_url_values):
    """Flags (预警): over-standard charges, designated services, out-of-scope services, certificates."""
    return listing(flags_out(paid.list_flags(Caller.current(), args)))


@blp.route("/flags/<int:fee_flag_id>")
@require(*READERS)
@blp.response(200, FeeFlagOutSchema)
def get_flag(fee_flag_id, **_url_values):
    """One flag."""
    return flags_out([paid.get_flag(Caller.current(), fee_flag_id)])[0]


@blp.route("/flags/<int:fee_flag_id>/problem", methods=["POST"])
@require(*WRITERS)
@blp.arguments(FeeFlagProblemSchema)
@blp.response(201, FeeFlagProblemResultSchema)
def flag_problem(data, fee_flag_id, **_url_values):
    """Record a ledger problem for a flag (违规收费, 指定服务, 超范围服务 or 资质问题), linked to it.

    The problem is recorded as the caller; a flag that already has its problem answers 409.
    """
    caller = Caller.current()
    flag = paid.get_flag(caller, fee_flag_id)
    problem: Problem = paid.flag_problem(caller, flag, data)
    return {"flag": flags_out([flag])[0], "problem_id": problem.id, "problem_number": problem.number}
