"""The public channel's rules: challenges, submissions, tracking, triage into the ledger, solicitations, figures.

Services flush; the request boundary commits. The reporter's contact lives in its own table, is read only through
``read_contact`` (reviewers, audited) and enters the audit chain only as ``chain.personal`` hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import statistics
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, BinaryIO

from flask import current_app, g
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import case, func, literal, select
from sqlalchemy.exc import IntegrityError

from core.audit import chain
from core.domains import ReferredReport
from core.ledger import permissions as perm
from core.ledger import service as ledger
from core.ledger.models import OPEN_STATUSES, Problem
from core.ledger.models import STATUSES as LEDGER_STATUSES
from core.platform.calendar import SHANGHAI, local_date, today_in_shanghai
from core.platform.db import db, scoped_get, set_tenant, tenant_scope, utcnow
from core.platform.errors import Conflict, FieldError, NotFound, ServiceError
from core.platform.evidence import EvidenceStore
from core.public.models import (
    CATEGORIES,
    LEDGER_CATEGORY,
    RATINGS,
    STATUSES,
    PublicReport,
    ReportContact,
    ReportFile,
    ReportReply,
    Solicitation,
)
from core.public.similarity import Candidate, Scorer, tokens
from core.tenancy.models import Tenant, Unit
from core.tenancy.service import enabled_domains as domains_at
from core.tenancy.service import registry, units_of_tenant

#: defaults of the settings this module reads (each may be set in the app's config)
DEFAULTS = {
    "PUBLIC_REPORT_LIMIT_PER_ADDRESS": "5 per minute; 30 per day",
    "PUBLIC_REPORT_LIMIT_PER_TENANT": "200 per hour",
    "PUBLIC_TRACK_LIMIT_PER_ADDRESS": "20 per minute",
    "PUBLIC_CHALLENGE_LIMIT_PER_ADDRESS": "60 per minute",
    "PUBLIC_MIN_FILL_SECONDS": 3,
    "PUBLIC_CHALLENGE_TTL_SECONDS": 1800,
    "PUBLIC_MAX_FILES": 5,
    "PUBLIC_FILE_MAX_BYTES": 5 * 1024 * 1024,
    "PUBLIC_MAX_REQUEST_BYTES": 24 * 1024 * 1024,
}
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U to misread
NOT_FOUND = "查询码或查询密码不正确"
DEFAULT_ACCEPT_REPLY = "您反映的问题已受理，已交责任单位整改，办理结果将在此答复。"
DEFAULT_MERGE_REPLY = "您反映的问题已有其他群众反映，已并入同一问题一并办理，办理结果将在此答复。"
#: what the reporter reads for each ledger status of the problem the report became or joined: the ledger's own
#: label where the public understands it, the public wording where the ledger's is internal (已提交验收, 已销号)
HANDLING = {
    "registered": "待交办",
    "rectifying": "整改中",
    "submitted": "待验收",
    "closed": "已办结",
    "ongoing": "持续整改",
    "dismissed": "不予立项",
}


def setting(name: str) -> Any:
    return current_app.config.get(name, DEFAULTS[name])


# --- the anti-automation challenge --------------------------------------------------------------------------

NUMERALS = "零一二三四五六七八九十"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="xingfeng-public-challenge")


def _answer_mac(nonce: str, answer: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"challenge:{nonce}:{answer}".encode(), hashlib.sha256).hexdigest()


def new_challenge() -> dict[str, Any]:
    """A small sum in words and digits; the token carries an HMAC of the answer, a nonce and when it was issued."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    if secrets.randbelow(2):
        question, answer = f"{NUMERALS[a]} 加 {b} 等于多少？", a + b
    else:
        a, b = max(a, b) + 5, min(a, b)
        question, answer = f"{a} 减 {NUMERALS[b]} 等于多少？", a - b
    nonce = secrets.token_hex(12)
    token = _serializer().dumps({"n": nonce, "h": _answer_mac(nonce, str(answer)), "t": int(time.time())})
    ttl = int(setting("PUBLIC_CHALLENGE_TTL_SECONDS"))
    return {
        "question": question + "（请填写阿拉伯数字）",
        "token": token,
        "expires_at": utcnow() + timedelta(seconds=ttl),
        "min_seconds": int(setting("PUBLIC_MIN_FILL_SECONDS")),
    }


def check_challenge(token: str, answer: str) -> str:
    """The challenge's nonce if the answer is right, in time and not too fast; else a 422 naming the field."""
    try:
        payload = _serializer().loads(token, max_age=int(setting("PUBLIC_CHALLENGE_TTL_SECONDS")))
        nonce, mac, issued = str(payload["n"]), str(payload["h"]), int(payload["t"])
    except SignatureExpired as exc:
        raise FieldError("challenge_token", "验证题已过期，请刷新后重新作答") from exc
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise FieldError("challenge_token", "验证题无效，请刷新后重新作答") from exc
    if time.time() - issued < int(setting("PUBLIC_MIN_FILL_SECONDS")):
        raise FieldError("challenge_answer", "提交过快，请确认内容后再提交")
    given = unicodedata.normalize("NFKC", answer or "").strip()
    if not hmac.compare_digest(_answer_mac(nonce, given), mac):
        raise FieldError("challenge_answer", "验证题答案不正确")
    return nonce


# --- tenants, units, solicitations, channels ----------------------------------------------------------------

CHANNEL_FIELDS = ("phone", "mailbox", "address", "reception_days")


def public_tenant(slug: str) -> Tenant:
    """An active tenant by slug, or 404 (a suspended bureau takes no reports here)."""
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None or not tenant.active:
        raise NotFound("未找到该单位")
    return tenant


def channels(tenant: Tenant) -> dict[str, str]:
    stored = (tenant.settings or {}).get("public_channels") or {}
    return {name: str(stored.get(name, "")) for name in CHANNEL_FIELDS}


def set_channels(tenant: Tenant, values: dict[str, str], actor: str) -> dict[str, str]:
    """Publish the tenant's channels (phone, mailbox, address, reception days); audited."""
    before = channels(tenant)
    after = {name: values.get(name, "").strip() for name in CHANNEL_FIELDS}
    tenant.settings = {**(tenant.settings or {}), "public_channels": after}
    db.session.flush()
    with tenant_scope(tenant.id):
        chain.append("public.channels_changed", actor, {"before": before, "after": after})
    return after


def reportable_units(tenant: Tenant) -> list[Unit]:
    with tenant_scope(tenant.id):
        return units_of_tenant()


def is_open(solicitation: Solicitation, today: date | None = None) -> bool:
    today = today or today_in_shanghai()
    return solicitation.starts_on <= today <= solicitation.ends_on


def open_solicitations(tenant: Tenant | None) -> list[Solicitation]:
    """Solicitations taking reports today: the tenant's own and the city's (only the city's for None)."""
    today = today_in_shanghai()
    owners = Solicitation.tenant_id.is_(None)
    if tenant is not None:
        owners = owners | (Solicitation.tenant_id == tenant.id)
    query = select(Solicitation).where(owners, Solicitation.starts_on <= today, Solicitation.ends_on >= today)
    return list(db.session.scalars(query.order_by(Solicitation.ends_on, Solicitation.id)))


def solicitations_for(tenant: Tenant | None) -> list[Solicitation]:
    owners = Solicitation.tenant_id.is_(None)
    if tenant is not None:
        owners = owners | (Solicitation.tenant_id == tenant.id)
    return list(db.session.scalars(select(Solicitation).where(owners).order_by(Solicitation.starts_on.desc())))


def visible_solicitation(solicitation_id: int, tenant: Tenant | None) -> Solicitation | None:
    """A solicitation of the tenant or of the city; with no tenant (a city user), the city's only."""
    found = db.session.get(Solicitation, solicitation_id) if isinstance(solicitation_id, int) else None
    if found is None:
        return None
    if found.tenant_id is None or (tenant is not None and found.tenant_id == tenant.id):
        return found
    return None


def create_solicitation(tenant: Tenant | None, data: dict[str, Any], actor: str) -> Solicitation:
    """Open a solicitation for one tenant, or (tenant None) for every county."""
    solicitation = Solicitation(tenant_id=tenant.id if tenant else None, created_by=actor, **data)
    db.session.add(solicitation)
    db.session.flush()
    if tenant is not None:
        with tenant_scope(tenant.id):
            chain.append("public.solicitation_opened", actor, {"solicitation_id": solicitation.id, **data})
    return solicitation


def update_solicitation(solicitation: Solicitation, tenant: Tenant | None, changes: dict[str, Any], actor: str):
    """Change a solicitation's text or period; only its owner may (a county cannot change the city's)."""
    owner = tenant.id if tenant is not None else None
    if solicitation.tenant_id != owner:
        raise ServiceError("由市局发起的征集只能由市局修改", status=403)
    starts = changes.get("starts_on", solicitation.starts_on)
    ends = changes.get("ends_on", solicitation.ends_on)
    if ends < starts:
        raise FieldError("ends_on", "结束日期不能早于开始日期")
    diff = {}
    for name, value in changes.items():
        if getattr(solicitation, name) != value:
            diff[name] = [getattr(solicitation, name), value]
            setattr(solicitation, name, value)
    db.session.flush()
    if tenant is not None and diff:
        with tenant_scope(tenant.id):
            chain.append("public.solicitation_changed", actor, {"solicitation_id": solicitation.id, "changes": diff})
    return solicitation


def solicitation_counts(ids: list[int]) -> dict[int, int]:
    """Reports per solicitation in the tenant in scope."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(PublicReport.solicitation_id, func.count(PublicReport.id))
        .where(PublicReport.solicitation_id.in_(ids))
        .group_by(PublicReport.solicitation_id)
    )
    return dict(rows.all())


def city_solicitation_counts(ids: list[int]) -> dict[int, int]:
    """Reports per city-wide solicitation summed over every county, read tenant by tenant (city code only)."""
    if not ids:
        return {}
    totals: dict[int, int] = {}
    for tenant_id in db.session.scalars(select(Tenant.id).order_by(Tenant.id)).all():
        with tenant_scope(tenant_id):
            for solicitation_id, count in solicitation_counts(ids).items():
                totals[solicitation_id] = totals.get(solicitation_id, 0) + count
    return totals


# --- submitting ---------------------------------------------------------------------------------------------


@dataclass
class Upload:
    stream: BinaryIO
    filename: str


@dataclass
class Receipt:
    report: PublicReport
    secret: str
    tenant: Tenant
    #: True when an earlier request with the same Idempotency-Key stored it
    replayed: bool = False


def _secret_for(code: str, salt: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"public-report-secret:{code}:{salt}".encode(), hashlib.sha256).digest()
    value = int.from_bytes(digest[:10], "big")
    chars = "".join(CODE_ALPHABET[(value >> (5 * i)) & 31] for i in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def _clean_secret(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "").upper().replace("-", "").replace(" ", "")
    return "-".join(value[i : i + 4] for i in range(0, len(value), 4))


def _new_code(tenant: Tenant) -> str:
    return f"{tenant.code}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def request_fingerprint(tenant: Tenant, data: dict[str, Any], file_hashes: list[str]) -> str:
    """What makes two submissions the same: the report's content and files, not the challenge or the honeypot."""
    content = {k: v for k, v in data.items() if k not in ("challenge_token", "challenge_answer", "website")}
    body = json.dumps(
        {"tenant": tenant.id, "data": content, "files": file_hashes}, sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _store_files(uploads: list[Upload]) -> list[Any]:

    if len(uploads) > int(setting("PUBLIC_MAX_FILES")):
        raise FieldError("files", f"最多上传 {setting('PUBLIC_MAX_FILES')} 个文件")
    store = EvidenceStore(current_app.config["EVIDENCE_FOLDER"], int(setting("PUBLIC_FILE_MAX_BYTES")))
    stored = []
    for upload in uploads:
        try:
            stored.append(store.save(upload.stream, upload.filename))
        except FieldError as error:
            raise FieldError("files", f"{upload.filename or '文件'}：{error.message}") from error
    return stored


def _replay(tenant: Tenant, key: str, fingerprint: str) -> Receipt | None:
    report = db.session.scalar(select(PublicReport).where(PublicReport.idempotency_key == key))
    if report is None:
        return None
    if report.request_hash != fingerprint:
        raise FieldError("Idempotency-Key", "该 Idempotency-Key 已用于内容不同的提交")
    return Receipt(report, _secret_for(report.tracking_code, report.secret_salt), tenant, replayed=True)


def submit(tenant: Tenant, data: dict[str, Any], uploads: list[Upload], idempotency_key: str | None) -> Receipt:
    """File a report in the tenant (scoped by the caller); the receipt carries the secret, shown once."""
    if data.get("website"):
        raise FieldError("website", "提交未通过校验")
    if data.get("unit_id") is not None and scoped_get(Unit, data["unit_id"]) is None:
        raise FieldError("unit_id", "涉及单位不存在")
    solicitation = None
    if data.get("solicitation_id") is not None:
        solicitation = visible_solicitation(data["solicitation_id"], tenant)
        if solicitation is None:
            raise FieldError("solicitation_id", "没有该公开征集")
        if not is_open(solicitation):
            raise FieldError("solicitation_id", "该公开征集不在征集期内")
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 100:
        raise FieldError("Idempotency-Key", "Idempotency-Key 长度应在 1 到 100 之间")
    # The challenge is checked before any file is stored: a refused robot leaves nothing on disk.
    nonce = check_challenge(data["challenge_token"], data["challenge_answer"])
    stored = _store_files(uploads)
    fingerprint = request_fingerprint(tenant, data, [f.sha256 for f in stored])
    if idempotency_key:
        earlier = _replay(tenant, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier
    if db.session.scalar(select(PublicReport.id).where(PublicReport.challenge_nonce == nonce)) is not None:
        raise FieldError("challenge_token", "验证题已使用，请刷新后重新作答")
    contact = data.get("contact", "").strip()
    name = data.get("contact_name", "").strip()
    code = _new_code(tenant)
    report = PublicReport(
        tracking_code=code,
        secret_salt=secrets.token_hex(16),
        category=data["category"],
        description=data["description"].strip(),
        unit_id=data.get("unit_id"),
        concerned=data.get("concerned", "").strip(),
        location=data.get("location", "").strip(),
        occurred=data.get("occurred", "").strip(),
        anonymous=not contact,
        solicitation_id=solicitation.id if solicitation else None,
        status="received",
        received_at=utcnow(),
        idempotency_key=idempotency_key or None,
        request_hash=fingerprint,
        challenge_nonce=nonce,
    )
    try:
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
    except IntegrityError:
        # A concurrent retry with the same key (or challenge) got there first.
        if idempotency_key:
            earlier = _replay(tenant, idempotency_key, fingerprint)
            if earlier is not None:
                return earlier
        raise FieldError("challenge_token", "验证题已使用，请刷新后重新作答") from None
    if contact:
        db.session.add(ReportContact(report_id=report.id, name=name, contact=contact))
    for f in stored:
        db.session.add(
            ReportFile(
                report_id=report.id,
                sha256=f.sha256,
                size=f.size,
                content_type=f.kind.content_type,
                kind=f.kind.code,
                filename=f.original_name,
            )
        )
    db.session.flush()
    chain.append(
        "public.report_received",
        "public",
        {
            "report_id": report.id,
            "tracking_code": code,
            "category": report.category,
            "solicitation_id": report.solicitation_id,
            "files": [f.sha256 for f in stored],
            # The reporter's identity is in the chain only as keyed hashes.
            "contact": chain.personal(contact) if contact else None,
            "contact_name": chain.personal(name) if name else None,
        },
    )
    return Receipt(report, _secret_for(code, report.secret_salt), tenant)


# --- the reporter's view ------------------------------------------------------------------------------------


def find_for_reporter(tracking_code: str, secret: str) -> tuple[Tenant, PublicReport]:
    """The report for a code and secret, with the session scoped to its tenant; one 404 for any mismatch."""
    code = unicodedata.normalize("NFKC", tracking_code or "").strip().upper()
    prefix = code.partition("-")[0]
    tenant = db.session.scalar(select(Tenant).where(Tenant.code == prefix)) if prefix else None
    report = None
    if tenant is not None:
        set_tenant(tenant.id)
        report = db.session.scalar(select(PublicReport).where(PublicReport.tracking_code == code))
    # Compare against something even when the code is unknown, so a wrong code takes as long as a wrong secret.
    expected = _secret_for(code, report.secret_salt if report is not None else "-")
    # compare_digest takes ASCII text only: compare the UTF-8 bytes, so a secret typed in Chinese is just wrong
    given = _clean_secret(secret).encode("utf-8", "replace")
    if not hmac.compare_digest(expected.encode("utf-8"), given) or report is None:
        raise NotFound(NOT_FOUND)
    return tenant, report


def replies(report: PublicReport) -> list[ReportReply]:
    return list(
        db.session.scalars(
            select(ReportReply)
            .where(ReportReply.report_id == report.id)
            .order_by(ReportReply.created_at, ReportReply.id)
        )
    )


def tracked(tenant: Tenant, report: PublicReport) -> dict[str, Any]:
    """What the reporter sees: status, the replies meant for them, the rating; nothing internal."""
    handling_status = handling = None
    if report.problem_id is not None:
        handling_status = db.session.scalar(select(Problem.status).where(Problem.id == report.problem_id))
        if handling_status is not None:
            # The ledger's state as it is; a status this table does not know yet shows the ledger's own label.
            handling = HANDLING.get(handling_status) or LEDGER_STATUSES.get(handling_status, handling_status)
    return {
        "tracking_code": report.tracking_code,
        "tenant_name": tenant.name,
        "category": report.category,
        "category_name": CATEGORIES.get(report.category, report.category),
        "status": report.status,
        "status_name": STATUSES[report.status],
        "handling": handling,
        "handling_status": handling_status,
        "received_at": report.received_at,
        "replies": [{"text": r.text, "at": r.created_at} for r in replies(report)],
        "rating": report.rating,
        "rating_name": RATINGS.get(report.rating) if report.rating else None,
        "may_rate": report.first_reply_at is not None and report.rating is None,
    }


def rate(report: PublicReport, rating: str) -> PublicReport:
    """The reporter rates the reply once, and only once there is a reply."""
    if report.first_reply_at is None:
        raise Conflict("尚未答复，暂不能评价")
    if report.rating is not None:
        raise Conflict("已评价过，不能重复评价")
    report.rating, report.rated_at = rating, utcnow()
    db.session.flush()
    chain.append("public.report_rated", "public", {"report_id": report.id, "rating": rating})
    return report


# --- staff --------------------------------------------------------------------------------------------------

#: who triages (accepting still follows the ledger's recording rules)
TRIAGERS = ("officer", "reviewer")
#: who reads the reporter's contact
CONTACT_READERS = ("reviewer",)


#: besides the referrals' own roles, who still reads a report once it was referred (已转有关部门办理)
REFERRED_READERS = ("city_supervisor",)


def referral_readers() -> frozenset[str]:
    """The roles that read a referred report: the city's supervisors and every referral's roles."""
    roles = {r for item in registry().referrals.values() for r in item.roles}
    return frozenset(roles | set(REFERRED_READERS))


def _reader_role() -> str | None:
    user = g.get("user")
    return getattr(user, "role", None)


def get_report(report_id: int) -> PublicReport:
    """A report of the tenant in scope; a referred one only for those who read referrals (404 for the others)."""
    report = scoped_get(PublicReport, report_id)
    if report is None or (report.status == "referred" and _reader_role() not in referral_readers()):
        raise NotFound("未找到该举报")
    return report


def files_of(report: PublicReport) -> list[ReportFile]:
    return list(db.session.scalars(select(ReportFile).where(ReportFile.report_id == report.id).order_by(ReportFile.id)))


def get_file(report: PublicReport, file_id: int) -> ReportFile:
    found = scoped_get(ReportFile, file_id)
    if found is None or found.report_id != report.id:
        raise NotFound("未找到该文件")
    return found


def read_contact(caller: ledger.Caller, report: PublicReport) -> dict[str, str]:
    """The reporter's name and contact, for the tenant's reviewers; every read is an audited event."""
    if caller.user.role not in CONTACT_READERS or caller.user.tenant_id != report.tenant_id:
        raise ServiceError("只有本局纪检（验收）人员可以查看举报人信息", status=403)
    row = db.session.scalar(select(ReportContact).where(ReportContact.report_id == report.id))
    contact = {"name": row.name, "contact": row.contact} if row else {"name": "", "contact": ""}
    chain.append(
        "public.report_contact_read",
        caller.actor,
        {
            "report_id": report.id,
            "tracking_code": report.tracking_code,
            "contact": chain.personal(contact["contact"]) if contact["contact"] else None,
        },
    )
    return contact


def list_reports(filters: dict[str, Any]) -> tuple[list[PublicReport], int]:
    query = select(PublicReport)
    if _reader_role() not in referral_readers():
        # A report referred to a confidential register (问题线索) leaves the queue of everyone else.
        query = query.where(PublicReport.status != "referred")
    for name in ("status", "category", "solicitation_id"):
        if filters.get(name) is not None:
            query = query.where(getattr(PublicReport, name) == filters[name])
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(PublicReport.received_at.desc(), PublicReport.id.desc())
        .limit(filters.get("limit", 50))
        .offset(filters.get("offset", 0))
    )
    return list(rows), total or 0


def _require_received(report: PublicReport) -> None:
    if report.status != "received":
        error = Conflict(f"该举报当前为「{STATUSES[report.status]}」，不能再分办")
        error.extra = {"current": report.status}
        raise error


def _lock(report: PublicReport) -> PublicReport:
    db.session.scalars(
        select(PublicReport)
        .where(PublicReport.id == report.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return report


def add_reply(caller_actor: str, report: PublicReport, text: str) -> ReportReply:
    """A reply meant for the reporter; the first one sets the time of first reply."""
    now = utcnow()
    reply = ReportReply(report_id=report.id, text=text, author=caller_actor, created_at=now)
    db.session.add(reply)
    if report.first_reply_at is None:
        report.first_reply_at = now
    db.session.flush()
    chain.append("public.report_replied", caller_actor, {"report_id": report.id, "reply_id": reply.id, "text": text})
    return reply


def _triaged(caller: ledger.Caller, report: PublicReport, status: str) -> None:
    report.status, report.triaged_by, report.triaged_at = status, caller.actor, utcnow()


def _check_triager(caller: ledger.Caller) -> None:
    if caller.user.role not in TRIAGERS:
        raise ServiceError("只有业务人员或纪检（验收）人员可以分办举报", status=403)


def accept(caller: ledger.Caller, report: PublicReport, data: dict[str, Any]) -> Problem:
    """受理: a new ledger problem (source = public report) with the report's text and files, linked both ways."""
    _check_triager(caller)
    _lock(report)
    _require_received(report)
    details = [report.description]
    for label, value in (("涉及单位或人员", report.concerned), ("地点", report.location), ("时间", report.occurred)):
        if value:
            details.append(f"{label}：{value}")
    details.append(f"（群众举报，查询码 {report.tracking_code}）")
    problem_data = {
        "source": "public_report",
        "domain": data.get("domain") or "general",
        "category": data["category"],
        "severity": data.get("severity", "normal"),
        "title": data.get("title") or _title(report.description),
        "description": "\n".join(details)[:5000],
        "unit_id": data["unit_id"],
        "rectification_type": data.get("rectification_type", "deadline"),
        "responsible_person": data.get("responsible_person", ""),
    }
    for name in ("deadline", "deadline_working_days"):
        if data.get(name) is not None:
            problem_data[name] = data[name]
    problem = ledger.create_problem(caller, problem_data)
    store = ledger.evidence_store()
    for f in files_of(report):
        with store.open(f.sha256) as stream:
            ledger.add_attachment(caller, problem, stream, f.filename)
    report.problem_id = problem.id
    _triaged(caller, report, "accepted")
    db.session.flush()
    chain.append(
        "public.report_accepted",
        caller.actor,
        {"report_id": report.id, "tracking_code": report.tracking_code, "problem_id": problem.id},
        problem_id=problem.id,
    )
    add_reply(caller.actor, report, data.get("reply") or DEFAULT_ACCEPT_REPLY)
    return problem


def _title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 40 else line[:39] + "…"


def merge(caller: ledger.Caller, report: PublicReport, problem_id: int, reply: str) -> Problem:
    """并案: the report joins a problem the caller may see; the problem's history notes it."""
    _check_triager(caller)
    _lock(report)
    _require_received(report)
    try:
        problem = ledger.get_problem(caller, problem_id)
    except NotFound:
        raise FieldError("problem_id", "未找到该问题，或无权查看") from None
    if problem.status == "dismissed":
        raise FieldError("problem_id", "不能并入不予立项的问题")
    report.problem_id = problem.id
    _triaged(caller, report, "merged")
    db.session.flush()
    chain.append(
        "public.report_merged",
        caller.actor,
        {"report_id": report.id, "tracking_code": report.tracking_code, "problem_id": problem.id},
        problem_id=problem.id,
    )
    add_reply(caller.actor, report, reply or DEFAULT_MERGE_REPLY)
    return problem


def dismiss(caller: ledger.Caller, report: PublicReport, reason: str) -> PublicReport:
    """不予受理, with a reason the reporter reads."""
    _check_triager(caller)
    _lock(report)
    _require_received(report)
    _triaged(caller, report, "dismissed")
    db.session.flush()
    chain.append("public.report_dismissed", caller.actor, {"report_id": report.id, "reason": reason})
    add_reply(caller.actor, report, reason)
    return report


def referrals_for(caller: ledger.Caller, enabled: set[str] | frozenset[str] | None = None) -> list[Any]:
    """The referrals (``ReportReferral``) the caller may use: its role is theirs and their domain is on."""
    if enabled is None:
        unit = caller.unit(caller.user.unit_id) if caller.user.unit_id else None
        enabled = domains_at(unit)
    on = set(enabled)
    return [r for r in registry().referrals.values() if caller.user.role in r.roles and r.domain in on]


def refer(caller: ledger.Caller, report: PublicReport, slug: str, data: dict[str, Any],
          enabled: set[str] | frozenset[str] | None = None) -> str:
    """转办: hand the report to a plugin's register (e.g. 问题线索); the reporter reads only 已转有关部门办理."""
    referral = next((r for r in referrals_for(caller, enabled) if r.slug == slug), None)
    if referral is None:
        if slug in registry().referrals:
            raise ServiceError("当前角色不能这样转办，或该业务未启用", status=403)
        raise FieldError("referral", "没有这种转办方式")
    _lock(report)
    _require_received(report)
    snapshot = ReferredReport(
        report_id=report.id, tracking_code=report.tracking_code, category=report.category,
        category_name=CATEGORIES.get(report.category, report.category), description=report.description,
        unit_id=report.unit_id, concerned=report.concerned, location=report.location, occurred=report.occurred,
        received_at=report.received_at,
    )  # fmt: skip
    reference = referral.refer(caller, snapshot, dict(data or {}))
    _triaged(caller, report, "referred")
    db.session.flush()
    # The chain names the referral, not what it became: the plugin's own event says that, in its own register.
    chain.append(
        "public.report_referred",
        caller.actor,
        {"report_id": report.id, "tracking_code": report.tracking_code, "referral": referral.slug},
    )
    add_reply(caller.actor, report, referral.reply)
    return str(reference or "")


def reply(caller: ledger.Caller, report: PublicReport, text: str) -> ReportReply:
    _check_triager(caller)
    return add_reply(caller.actor, report, text)


# --- similar reports and problems ---------------------------------------------------------------------------

#: a suggestion scores at least this: text likeness plus the bonuses below (see ``similar``)
SIMILAR_THRESHOLD = 0.35
#: and its text alone at least this, so that the same unit and category never suggest an unrelated text
SIMILAR_MIN_TEXT = 0.15
SAME_UNIT_BONUS = 0.1
SAME_CATEGORY_BONUS = 0.05
#: candidates read per kind of match (same unit, same category, the newest of the rest); a problem's text is read
#: up to DESCRIPTION_CHARS, enough for what a paraphrase shares
CANDIDATE_LIMIT = 1000
DESCRIPTION_CHARS = 300
#: the report's rarest words looked for in every open problem's title, and how many of the best titles are read
TITLE_TERMS = 24
TITLE_MATCHES = 300


def _problem_candidates(caller: ledger.Caller, report: PublicReport, mine: frozenset[str]) -> list[Any]:
    """Open problems of the tenant the caller sees, read in bounded pieces instead of the whole ledger.

    The newest of the report's unit, of its category and of the whole tenant, where a duplicate most likely is;
    then, however old, the problems whose titles hold most of the report's rarest words (the database counts them,
    so a tenant with tens of thousands of open problems is still answered at once).
    """
    domain, category = LEDGER_CATEGORY.get(report.category, ("general", "other"))
    columns = (Problem.id, Problem.number, Problem.title, func.substr(Problem.description, 1, DESCRIPTION_CHARS),
               Problem.unit_id, Problem.domain, Problem.category)  # fmt: skip
    base = select(*columns).where(Problem.status.in_(OPEN_STATUSES))
    visible = perm.visible_unit_ids(caller.user, caller.units)
    if visible is not None:
        base = base.where(Problem.unit_id.in_(visible))
    reads = [base.where(Problem.domain == domain, Problem.category == category), base]
    if report.unit_id is not None:
        reads.insert(0, base.where(Problem.unit_id == report.unit_id))
    rows: dict[int, Any] = {}
    for query in reads:
        for row in db.session.execute(query.order_by(Problem.id.desc()).limit(CANDIDATE_LIMIT)):
            rows.setdefault(row[0], row)
    # How common each of the report's words is among the titles just read: the rarest say most.
    seen: Counter[str] = Counter()
    for row in rows.values():
        seen.update(tokens(row[2]) & mine)
    terms = sorted((t for t in mine if len(t) >= 2), key=lambda t: (seen[t], t))[:TITLE_TERMS]
    if len(terms) >= 2:
        hits = sum((case((Problem.title.contains(t), 1), else_=0) for t in terms), start=literal(0))
        query = base.where(hits >= 2).order_by(hits.desc(), Problem.id.desc()).limit(TITLE_MATCHES)
        for row in db.session.execute(query):
            rows.setdefault(row[0], row)
    return list(rows.values())


def similar(caller: ledger.Caller, report: PublicReport, limit: int = 10) -> list[dict[str, Any]]:
    """Open reports and open problems of the report's tenant like this report, most alike first.

    Likeness is by CJK character bigrams and Latin words (``core.public.similarity``); the same unit adds
    SAME_UNIT_BONUS and the same category SAME_CATEGORY_BONUS to the score; a suggestion needs SIMILAR_THRESHOLD
    overall and SIMILAR_MIN_TEXT from the text alone.
    """
    mine = tokens(" ".join(v for v in (report.description, report.concerned) if v))
    ledger_category = LEDGER_CATEGORY.get(report.category, ("general", "other"))
    candidates: list[Candidate] = []
    facts: dict[tuple[str, int], tuple[str, str, bool, bool]] = {}
    others = db.session.execute(
        select(PublicReport.id, PublicReport.tracking_code, PublicReport.description, PublicReport.concerned,
               PublicReport.unit_id, PublicReport.category)
        .where(PublicReport.status == "received", PublicReport.id != report.id)
        .order_by(PublicReport.id.desc())
        .limit(CANDIDATE_LIMIT)
    )  # fmt: skip
    for rid, code, text, concerned, unit_id, category in others:
        full = tokens(f"{text} {concerned or ''}")
        candidates.append(Candidate(("report", rid), frozenset(), full))
        same_unit = report.unit_id is not None and unit_id == report.unit_id
        facts["report", rid] = (code, text, same_unit, category == report.category)
    for pid, number, title, text, unit_id, domain, category in _problem_candidates(caller, report, mine):
        title_tokens = tokens(title)
        candidates.append(Candidate(("problem", pid), title_tokens, title_tokens | tokens(text)))
        same_unit = report.unit_id is not None and unit_id == report.unit_id
        facts["problem", pid] = (number, title, same_unit, (domain, category) == ledger_category)
    scorer = Scorer(mine, candidates)
    chosen = []
    for candidate in candidates:
        text_score = scorer.text_score(candidate)
        if text_score < SIMILAR_MIN_TEXT:
            continue
        label, text, same_unit, same_category = facts[candidate.key]
        score = min(1.0, text_score + SAME_UNIT_BONUS * same_unit + SAME_CATEGORY_BONUS * same_category)
        if score >= SIMILAR_THRESHOLD:
            kind, ident = candidate.key
            chosen.append(_suggestion(kind, ident, label, text, score, text_score, same_unit, same_category))
    chosen.sort(key=lambda s: (-s["score"], s["kind"], -s["id"]))
    return chosen[:limit]


def _suggestion(kind, ident, label, text, score, text_score, same_unit, same_category) -> dict[str, Any]:
    return {
        "kind": kind,
        "id": ident,
        "label": label,
        "text": _title(text),
        "score": round(score, 3),
        "text_score": round(text_score, 3),
        "same_unit": bool(same_unit),
        "same_category": bool(same_category),
    }


# --- figures ------------------------------------------------------------------------------------------------


def _day_bounds(day_from: date | None, day_to: date | None) -> tuple[datetime | None, datetime | None]:

    start = datetime.combine(day_from, datetime.min.time(), SHANGHAI).astimezone(UTC) if day_from else None
    end = (
        datetime.combine(day_to + timedelta(days=1), datetime.min.time(), SHANGHAI).astimezone(UTC) if day_to else None
    )
    return start, end


def stats(day_from: date | None = None, day_to: date | None = None) -> dict[str, Any]:
    """Per category of the tenant in scope: received, the three outcomes, median working days to first reply,
    and satisfaction (满意 + 基本满意 over the ratings given)."""
    start, end = _day_bounds(day_from, day_to)
    query = select(PublicReport.category, PublicReport.status, PublicReport.received_at, PublicReport.first_reply_at,
                   PublicReport.rating)  # fmt: skip
    if start is not None:
        query = query.where(PublicReport.received_at >= start)
    if end is not None:
        query = query.where(PublicReport.received_at < end)
    calendar = ledger.work_calendar()
    rows: dict[str, dict[str, Any]] = {}
    spans: dict[str, list[int]] = {}
    for category, status, received_at, first_reply_at, rating in db.session.execute(query):
        for key in (category, None):
            row = rows.setdefault(key, _empty_row(key))
            row["received"] += 1
            row["pending" if status == "received" else status] += 1
            if first_reply_at is not None:
                row["replied"] += 1
                spans.setdefault(key, []).append(
                    calendar.working_days_between(local_date(received_at), local_date(first_reply_at))
                )
            if rating:
                row["rated"] += 1
                row[rating] += 1
    for key, row in rows.items():
        row["median_reply_working_days"] = float(statistics.median(spans[key])) if spans.get(key) else None
        good = row["satisfied"] + row["basically_satisfied"]
        row["satisfaction_rate"] = round(good / row["rated"], 4) if row["rated"] else None
    total = rows.pop(None, _empty_row(None))
    ordered = [rows[c] for c in CATEGORIES if c in rows]
    return {"rows": ordered, "total": total, "date_from": day_from, "date_to": day_to}


def _empty_row(category: str | None) -> dict[str, Any]:
    return {
        "category": category,
        "category_name": CATEGORIES.get(category, category) if category else "全部类型合计",
        "received": 0,
        "pending": 0,
        "accepted": 0,
        "merged": 0,
        "dismissed": 0,
        "referred": 0,
        "replied": 0,
        "median_reply_working_days": None,
        "rated": 0,
        "satisfied": 0,
        "basically_satisfied": 0,
        "dissatisfied": 0,
        "satisfaction_rate": None,
    }


def problem_number(problem_id: int | None) -> str | None:
    if problem_id is None:
        return None
    return db.session.scalar(select(Problem.number).where(Problem.id == problem_id))


def present(report: PublicReport, units: list[Unit] | None = None) -> dict[str, Any]:
    """A report as staff see it (never the contact)."""
    unit = next((u for u in units or [] if u.id == report.unit_id), None) if report.unit_id else None
    return {
        "id": report.id,
        "tracking_code": report.tracking_code,
        "category": report.category,
        "category_name": CATEGORIES.get(report.category, report.category),
        "description": report.description,
        "unit_id": report.unit_id,
        "unit_name": unit.name if unit else None,
        "concerned": report.concerned,
        "location": report.location,
        "occurred": report.occurred,
        "anonymous": report.anonymous,
        "solicitation_id": report.solicitation_id,
        "status": report.status,
        "status_name": STATUSES[report.status],
        "received_at": report.received_at,
        "first_reply_at": report.first_reply_at,
        "problem_id": report.problem_id,
        "problem_number": problem_number(report.problem_id),
        "triaged_by": report.triaged_by,
        "triaged_at": report.triaged_at,
        "rating": report.rating,
    }


def detail(report: PublicReport, units: list[Unit] | None = None) -> dict[str, Any]:
    data = present(report, units)
    data["files"] = files_of(report)
    data["replies"] = replies(report)
    return data
