"""The paid-services rules: the registry, fee records, the flags they raise and the problems flags become.

Services flush; the request (or CLI) boundary commits. Functions that act for a person take the ledger's
``Caller``; the sweep acts for the system.
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select

from core.plugin_api import (
    Caller,
    Conflict,
    FieldError,
    NotFound,
    Problem,
    ServiceError,
    Tenant,
    Unit,
    append_event,
    create_problem,
    create_system_problem,
    db,
    domain_states,
    may_record,
    personal_hash,
    scoped_get,
    today_in_shanghai,
    units_of_tenant,
    utcnow,
    visible_unit_ids,
)
from plugins.paid_services.domain import DOMAIN
from plugins.paid_services.models import FLAG_KINDS, Agency, FeeFlag, FeeRecord, PaidService

log = logging.getLogger(__name__)

#: a certificate expiring within this many days is flagged 即将到期
EXPIRY_WARNING_DAYS = 30
#: the rule (and external_ref prefix) of the system problem for an expired certificate
EXPIRED_RULE = "paid_services.cma_expired"
#: working days given to rectify a problem the system found
SYSTEM_DEADLINE_WORKING_DAYS = 10
#: roles that keep the registry and fee records, and turn flags into problems
WRITERS = ("city_supervisor", "tenant_admin", "officer")
FEN = Decimal("0.01")


# --- money --------------------------------------------------------------------------------------------------


def to_fen(amount: Decimal | int | float | str) -> int:
    """Yuan as whole fen (分), rounded half up as receipts are."""
    return int((Decimal(str(amount)).quantize(FEN, rounding=ROUND_HALF_UP) * 100).to_integral_value())


def yuan(fen: int | None) -> str | None:
    """Fen as a yuan amount with two decimals, e.g. 1250 -> "12.50"."""
    if fen is None:
        return None
    return str((Decimal(fen) / 100).quantize(FEN))


# --- who sees what ------------------------------------------------------------------------------------------


def visible_units(caller: Caller) -> set[int] | None:
    """Units whose agencies the caller sees: None for the whole tenant (as the ledger's own rule)."""
    return visible_unit_ids(caller.user, caller.units)


def _visible(caller: Caller, unit_id: int) -> bool:
    units = visible_units(caller)
    return (units is None or unit_id in units) and unit_id in enabled_unit_ids(caller)


def enabled_units(units: list[Unit]) -> set[int]:
    """Ids of the units where the paid-services domain is enabled."""
    return {u.id for u in units if domain_states(u, units)[DOMAIN.slug].enabled}


def enabled_unit_ids(caller: Caller) -> set[int]:
    """The units where the domain is on, read once per caller (request)."""
    cache = caller.__dict__.setdefault("_paid_services_units", {})
    if "on" not in cache:
        cache["on"] = enabled_units(caller.units)
    return cache["on"]


def get_agency(caller: Caller, agency_id: int) -> Agency:
    agency = scoped_get(Agency, agency_id)
    if agency is None or not _visible(caller, agency.unit_id):
        raise NotFound("未找到该机构")
    return agency


def get_service(caller: Caller, service_id: int) -> PaidService:
    service = scoped_get(PaidService, service_id)
    if service is None:
        raise NotFound("未找到该服务项目")
    get_agency(caller, service.agency_id)
    return service


def get_fee_record(caller: Caller, record_id: int) -> FeeRecord:
    record = scoped_get(FeeRecord, record_id)
    if record is None:
        raise NotFound("未找到该收费记录")
    get_service(caller, record.service_id)
    return record


def get_flag(caller: Caller, flag_id: int) -> FeeFlag:
    flag = scoped_get(FeeFlag, flag_id)
    if flag is None:
        raise NotFound("未找到该预警")
    get_agency(caller, flag.agency_id)
    return flag


def _writable_unit(caller: Caller, unit_id: int, field: str = "unit_id") -> Unit:
    """The unit an agency is kept under: it must exist, have the domain on, and be the writer's or below."""
    unit = caller.unit(unit_id)
    if unit is None:
        raise FieldError(field, "单位不存在")
    if unit.id not in enabled_unit_ids(caller):
        raise FieldError(field, "该单位未启用有偿服务业务")
    if not may_record(caller.user, unit.id, caller.units):
        raise ServiceError("只能登记本单位或下级单位主管的机构", {field: ["只能登记本单位或下级单位主管的机构"]}, 403)
    return unit


def _may_write(caller: Caller, agency: Agency) -> None:
    if not may_record(caller.user, agency.unit_id, caller.units):
        raise ServiceError("只能维护本单位或下级单位主管的机构", status=403)


# --- the registry -------------------------------------------------------------------------------------------


def list_agencies(caller: Caller, unit_id: int | None = None, q: str | None = None) -> list[Agency]:
    query = select(Agency).order_by(Agency.name, Agency.id)
    units = visible_units(caller)
    if units is not None:
        query = query.where(Agency.unit_id.in_(units))
    query = query.where(Agency.unit_id.in_(enabled_unit_ids(caller)))
    if unit_id is not None:
        caller.filter_unit(unit_id)
        query = query.where(Agency.unit_id == unit_id)
    if q:
        query = query.where(Agency.name.contains(q, autoescape=True) | (Agency.credit_code == q.upper()))
    return list(db.session.scalars(query))


def _unique_code(credit_code: str, agency_id: int | None = None) -> None:
    found = db.session.scalar(select(Agency.id).where(Agency.credit_code == credit_code))
    if found is not None and found != agency_id:
        raise FieldError("credit_code", "已登记统一社会信用代码相同的机构")


def create_agency(caller: Caller, data: dict[str, Any], today: date | None = None) -> Agency:
    """Register an agency; a certificate already expired or near expiry is flagged at once."""
    _writable_unit(caller, data["unit_id"])
    _unique_code(data["credit_code"])
    now = utcnow()
    agency = Agency(
        name=data["name"],
        kind=data["kind"],
        credit_code=data["credit_code"],
        cma_number=data.get("cma_number") or "",
        cma_expires_on=data.get("cma_expires_on"),
        unit_id=data["unit_id"],
        created_by=caller.actor,
        created_at=now,
        updated_at=now,
    )
    db.session.add(agency)
    db.session.flush()
    append_event("paid_services.agency_created", caller.actor, {"agency_id": agency.id, **_jsonable(data)})
    check_certificate(caller.tenant, agency, today or today_in_shanghai())
    return agency


def update_agency(caller: Caller, agency: Agency, changes: dict[str, Any], today: date | None = None) -> Agency:
    _may_write(caller, agency)
    if "unit_id" in changes:
        _writable_unit(caller, changes["unit_id"])
    if "credit_code" in changes:
        _unique_code(changes["credit_code"], agency.id)
    diff = _apply(agency, changes)
    if diff:
        agency.updated_at = utcnow()
        db.session.flush()
        append_event("paid_services.agency_updated", caller.actor, {"agency_id": agency.id, "changes": diff})
        check_certificate(caller.tenant, agency, today or today_in_shanghai())
    return agency


def list_services(caller: Caller, agency: Agency) -> list[PaidService]:
    return list(
        db.session.scalars(select(PaidService).where(PaidService.agency_id == agency.id).order_by(PaidService.id))
    )


def _service_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k != "fee_standard"}
    if "fee_standard" in data:
        values["fee_standard_fen"] = None if data["fee_standard"] is None else to_fen(data["fee_standard"])
    return values


def _unique_service(agency: Agency, name: str, service_id: int | None = None) -> None:
    found = db.session.scalar(
        select(PaidService.id).where(PaidService.agency_id == agency.id, PaidService.name == name)
    )
    if found is not None and found != service_id:
        raise FieldError("name", "该机构已有同名服务项目")


def create_service(caller: Caller, agency: Agency, data: dict[str, Any]) -> PaidService:
    _may_write(caller, agency)
    _unique_service(agency, data["name"])
    now = utcnow()
    service = PaidService(agency_id=agency.id, created_by=caller.actor, created_at=now, updated_at=now)
    for key, value in _service_values(data).items():
        setattr(service, key, value)
    db.session.add(service)
    db.session.flush()
    append_event(
        "paid_services.service_created", caller.actor, {"service_id": service.id, "agency_id": agency.id,
                                                         **_jsonable(data)}
    )  # fmt: skip
    return service


def update_service(
    caller: Caller, service: PaidService, changes: dict[str, Any], today: date | None = None
) -> PaidService:
    """Change a service; its recorded fees are checked again, so a rule it now breaks is flagged (never unflagged)."""
    agency = get_agency(caller, service.agency_id)
    _may_write(caller, agency)
    if "name" in changes:
        _unique_service(agency, changes["name"], service.id)
    diff = _apply(service, _service_values(changes))
    if diff:
        service.updated_at = utcnow()
        db.session.flush()
        append_event("paid_services.service_updated", caller.actor, {"service_id": service.id, "changes": diff})
        records = db.session.scalars(select(FeeRecord).where(FeeRecord.service_id == service.id)).all()
        for record in records:
            flag_fee_record(record, service, agency, today or today_in_shanghai())
    return service


def _apply(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    diff = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            diff[name] = [_plain(before), _plain(value)]
            setattr(obj, name, value)
    return diff


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in data.items()}


# --- fee records and their flags ----------------------------------------------------------------------------


def fee_rules(record: FeeRecord, service: PaidService) -> list[tuple[str, str]]:
    """The rules a charge breaks, as (flag kind, Chinese detail); an empty list for a clean record."""
    broken = []
    if service.fee_standard_fen is not None:
        limit = service.fee_standard_fen * record.quantity
        if record.amount_fen > limit:
            broken.append(
                (
                    "over_standard",
                    f"收费{yuan(record.amount_fen)}元，超过公示标准{yuan(service.fee_standard_fen)}元"
                    f"×{record.quantity}={yuan(limit)}元",
                )
            )
    if service.regulatory_act:
        broken.append(("designated", f"“{service.name}”与监管行为挂钩，属指定服务，仍向委托方收费"))
    if not service.in_certified_scope:
        broken.append(("out_of_scope", f"“{service.name}”不在资质认定能力范围内，仍对外收费"))
    return broken


def _raise_flag(key: str, kind: str, agency: Agency, detail: str, today: date, **links: Any) -> FeeFlag | None:
    """Record a flag once per key; None if it was already recorded."""
    if db.session.scalar(select(FeeFlag.id).where(FeeFlag.key == key)) is not None:
        return None
    flag = FeeFlag(key=key, kind=kind, agency_id=agency.id, detail=detail, found_on=today, status="open", **links)
    db.session.add(flag)
    db.session.flush()
    return flag


def flag_fee_record(record: FeeRecord, service: PaidService, agency: Agency, today: date) -> list[FeeFlag]:
    """Flag each rule the charge breaks (once per rule and record)."""
    raised = []
    for kind, detail in fee_rules(record, service):
        flag = _raise_flag(
            f"{kind}:fee:{record.id}", kind, agency, detail, today, service_id=service.id, fee_record_id=record.id
        )
        if flag is not None:
            raised.append(flag)
    return raised


def _check_receipt(receipt_no: str) -> None:
    if db.session.scalar(select(FeeRecord.id).where(FeeRecord.receipt_no == receipt_no)) is not None:
        raise FieldError("receipt_no", "该票据号已登记")


def create_fee_record(caller: Caller, data: dict[str, Any], today: date | None = None) -> FeeRecord:
    """Record a charge and flag at once whatever rule it breaks."""
    try:
        service = get_service(caller, data["service_id"])
    except NotFound as exc:
        raise FieldError("service_id", "服务项目不存在") from exc
    agency = get_agency(caller, service.agency_id)
    _may_write(caller, agency)
    _check_receipt(data["receipt_no"])
    record = _new_record(caller, service, data)
    db.session.add(record)
    db.session.flush()
    # The client may be a private person (个体经营户): the chain keeps only a keyed hash of the name.
    event = {**_jsonable(data), "client": personal_hash(data["client"])}
    append_event("paid_services.fee_recorded", caller.actor, {"fee_record_id": record.id, **event})
    flag_fee_record(record, service, agency, today or today_in_shanghai())
    return record


def _new_record(caller: Caller, service: PaidService, data: dict[str, Any]) -> FeeRecord:
    return FeeRecord(
        service_id=service.id,
        receipt_no=data["receipt_no"],
        client=data["client"],
        charged_on=data["charged_on"],
        quantity=data.get("quantity") or 1,
        amount_fen=to_fen(data["amount"]),
        created_by=caller.actor,
        created_at=utcnow(),
    )


def list_fee_records(caller: Caller, filters: dict[str, Any]) -> list[FeeRecord]:
    agencies = {a.id for a in list_agencies(caller)}
    query = (
        select(FeeRecord)
        .join(PaidService, PaidService.id == FeeRecord.service_id)
        .where(PaidService.agency_id.in_(agencies))
        .order_by(FeeRecord.charged_on.desc(), FeeRecord.id.desc())
        .limit(filters.get("limit", 200))
    )
    if filters.get("agency_id"):
        query = query.where(PaidService.agency_id == filters["agency_id"])
    if filters.get("service_id"):
        query = query.where(FeeRecord.service_id == filters["service_id"])
    if filters.get("charged_from"):
        query = query.where(FeeRecord.charged_on >= filters["charged_from"])
    if filters.get("charged_to"):
        query = query.where(FeeRecord.charged_on <= filters["charged_to"])
    if filters.get("flagged"):
        query = query.where(FeeRecord.id.in_(select(FeeFlag.fee_record_id).where(FeeFlag.fee_record_id.isnot(None))))
    return list(db.session.scalars(query))


def flags_of_records(record_ids: list[int]) -> dict[int, list[FeeFlag]]:
    out: dict[int, list[FeeFlag]] = {}
    if not record_ids:
        return out
    for flag in db.session.scalars(select(FeeFlag).where(FeeFlag.fee_record_id.in_(record_ids))):
        out.setdefault(flag.fee_record_id, []).append(flag)
    return out


def list_flags(caller: Caller, filters: dict[str, Any]) -> list[FeeFlag]:
    agencies = {a.id for a in list_agencies(caller)}
    query = select(FeeFlag).where(FeeFlag.agency_id.in_(agencies)).order_by(FeeFlag.id.desc())
    if filters.get("kind"):
        query = query.where(FeeFlag.kind.in_(filters["kind"]))
    if filters.get("status"):
        query = query.where(FeeFlag.status == filters["status"])
    if filters.get("agency_id"):
        query = query.where(FeeFlag.agency_id == filters["agency_id"])
    return list(db.session.scalars(query.limit(filters.get("limit", 200))))


# --- certificates (资质认定证书) -------------------------------------------------------------------------------


def certificate_state(agency: Agency, today: date) -> tuple[str, int | None]:
    """(valid | expiring | expired | none, days left): 即将到期 within :data:`EXPIRY_WARNING_DAYS` days."""
    if agency.cma_expires_on is None:
        return "none", None
    days = (agency.cma_expires_on - today).days
    if days < 0:
        return "expired", days
    if days <= EXPIRY_WARNING_DAYS:
        return "expiring", days
    return "valid", days


def check_certificate(tenant: Tenant, agency: Agency, today: date) -> int:
    """Flag an expired or soon-expiring certificate; an expired one becomes a system problem exactly once.

    Keyed on the agency and the expiry date: a renewed certificate (a new date) is watched afresh.
    :return: how many things were recorded (flags and problems).
    """
    state, days = certificate_state(agency, today)
    if state not in ("expired", "expiring"):
        return 0
    expiry = agency.cma_expires_on.isoformat()
    recorded = 0
    if state == "expiring":
        detail = f"资质认定证书（{agency.cma_number or '未填证书编号'}）将于{expiry}到期，剩余{days}天"
        if _raise_flag(f"certificate_expiring:{agency.id}:{expiry}", "certificate_expiring", agency, detail, today):
            recorded += 1
        return recorded
    detail = f"资质认定证书（{agency.cma_number or '未填证书编号'}）已于{expiry}到期，已过期{-days}天"
    flag = _raise_flag(f"certificate_expired:{agency.id}:{expiry}", "certificate_expired", agency, detail, today)
    if flag is not None:
        recorded += 1
    problem = create_system_problem(
        tenant,
        {
            "unit_id": agency.unit_id,
            "domain": DOMAIN.slug,
            "category": "qualification",
            "severity": "serious",
            "source": "system_rule",
            "title": f"{agency.name}资质认定证书已过期"[:200],
            "description": f"{agency.name}（统一社会信用代码{agency.credit_code}）{detail}，"
            "证书过期后不得继续以CMA资质出具检验检测报告，应立即停止相关业务并办理复查换证。",
            "rectification_type": "deadline",
            "deadline_working_days": SYSTEM_DEADLINE_WORKING_DAYS,
            "custom_fields": {"agency_name": agency.name[:200], "agency_credit_code": agency.credit_code},
        },
        EXPIRED_RULE,
        f"{agency.id}:{expiry}",
    )
    if problem is not None:
        recorded += 1
        link = flag or db.session.scalar(
            select(FeeFlag).where(FeeFlag.key == f"certificate_expired:{agency.id}:{expiry}")
        )
        if link is not None and link.problem_id is None:
            link.problem_id, link.status = problem.id, "problem"
            db.session.flush()
    return recorded


def sweep(tenant: Tenant, today: date) -> int:
    """The daily check of every certificate of the tenant in scope, at the units where the domain is on."""
    units = units_of_tenant()
    on = enabled_units(units)
    recorded = 0
    for agency in db.session.scalars(select(Agency).where(Agency.unit_id.in_(on)).order_by(Agency.id)):
        recorded += check_certificate(tenant, agency, today)
    if recorded:
        log.info("paid_services sweep of %s on %s recorded %d", tenant.slug, today, recorded)
    return recorded


# --- a flag becomes a problem -------------------------------------------------------------------------------


def flag_problem(caller: Caller, flag: FeeFlag, data: dict[str, Any]) -> Problem:
    """Record a ledger problem for a flag (问题类别 from the flag's kind) and link the two."""
    if flag.problem_id is not None:
        error = Conflict("该预警已立为问题")
        error.extra = {"problem_id": flag.problem_id}
        raise error
    agency = get_agency(caller, flag.agency_id)
    service = scoped_get(PaidService, flag.service_id) if flag.service_id else None
    record = scoped_get(FeeRecord, flag.fee_record_id) if flag.fee_record_id else None
    kind_name, category = FLAG_KINDS[flag.kind]
    custom: dict[str, Any] = {"agency_name": agency.name, "agency_credit_code": agency.credit_code}
    if service is not None:
        custom["service_name"] = service.name
    if record is not None:
        custom["amount"] = yuan(record.amount_fen)
    title = data.get("title") or f"{agency.name}{kind_name}"
    description = data.get("description") or _flag_description(agency, service, record, flag)
    body = {
        "unit_id": data.get("unit_id") or agency.unit_id,
        "domain": DOMAIN.slug,
        "category": category,
        "severity": data.get("severity", "serious" if flag.kind == "certificate_expired" else "normal"),
        "title": title[:200],
        "description": description,
        "source": data.get("source") or "self_inspection",
        "rectification_type": data["rectification_type"],
        "responsible_person": data.get("responsible_person", ""),
        "responsible_leader": data.get("responsible_leader", ""),
        "measures": data.get("measures", ""),
        "custom_fields": custom,
    }
    for key in ("deadline", "deadline_working_days"):
        if data.get(key) is not None:
            body[key] = data[key]
    problem = create_problem(caller, body)
    flag.problem_id, flag.status = problem.id, "problem"
    db.session.flush()
    append_event(
        "paid_services.flag_to_problem", caller.actor, {"flag_id": flag.id, "kind": flag.kind}, problem_id=problem.id
    )
    return problem


def _flag_description(agency: Agency, service: PaidService | None, record: FeeRecord | None, flag: FeeFlag) -> str:
    parts = [f"{agency.name}（统一社会信用代码{agency.credit_code}）"]
    if record is not None and service is not None:
        parts.append(
            f"于{record.charged_on.isoformat()}向{record.client}收取“{service.name}”费用{yuan(record.amount_fen)}元"
            f"（票据号{record.receipt_no}）"
        )
    parts.append(f"：{flag.detail}。")
    return "".join(parts)


def problem_visible(caller: Caller, problem_id: int | None) -> bool:
    """Whether the caller may open the linked problem (the pages link it only then)."""
    if problem_id is None:
        return False
    unit_id = db.session.scalar(select(Problem.unit_id).where(Problem.id == problem_id))
    units = visible_units(caller)
    return unit_id is not None and (units is None or unit_id in units)
