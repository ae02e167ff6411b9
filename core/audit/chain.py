"""Append to and verify the per-tenant hash chain.

Each event's body is canonical JSON (sorted keys, no spaces, UTF-8) holding every column but the hashes;
``hash = SHA-256(prev_hash + "\\n" + body)``. The first event's prev_hash is 64 zeros.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.audit.models import AuditEvent, AuditHead
from core.domains import NAMESPACED_KIND
from core.platform.db import current_tenant_id, db, locked_row, utcnow

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot put {type(value).__name__} in an audit event")


def canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_default)


def chain_hash(prev_hash: str, body: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def personal(value: str | None) -> dict[str, str] | None:
    """How personal data (a reporter's contact) enters the chain: only as a keyed hash.

    A plain SHA-256 of a phone number is reversed by trying every number; an HMAC under the server's secret is
    not, yet the same contact still gives the same value (so repeats can be matched).
    """
    if value is None:
        return None
    from flask import current_app

    key = current_app.config["SECRET_KEY"].encode()
    return {"hmac_sha256": hmac.new(key, value.encode(), hashlib.sha256).hexdigest()}


def _head_for_update(tenant_id: int) -> AuditHead:
    return locked_row(AuditHead, {"tenant_id": tenant_id}, {"seq": 0, "hash": GENESIS, "count": 0})


def append(
    kind: str, actor: str, data: dict[str, Any], problem_id: int | None = None, flush: bool = True
) -> AuditEvent:
    """Add one event to the chain of the tenant in scope; the caller's transaction commits it.

    ``flush=False`` leaves the INSERT to the next flush, so that many events (an import) go in one batch.
    ``kind`` is namespaced ``<owner>.<event>`` and declared with its label through ``xingfeng_register_event_kinds``;
    a bare kind is refused (bare names live on only in events written before kinds were namespaced).
    """
    if not NAMESPACED_KIND.fullmatch(kind):
        raise ValueError(f"audit event kind {kind!r} must be namespaced as '<owner>.<event>'")
    return _append(kind, actor, data, problem_id, flush)


def _append(kind: str, actor: str, data: dict[str, Any], problem_id: int | None, flush: bool) -> AuditEvent:
    """Link one event of any kind, as releases before namespacing did too (tests write such events with it)."""
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise RuntimeError("audit event with no tenant in scope")
    head = _head_for_update(tenant_id)
    at = utcnow()
    seq = head.seq + 1
    body = canonical(
        {
            "seq": seq,
            "tenant_id": tenant_id,
            "problem_id": problem_id,
            "actor": actor,
            "at": at.isoformat(),
            "kind": kind,
            "data": data,
        }
    )
    digest = chain_hash(head.hash, body)
    event = AuditEvent(
        tenant_id=tenant_id,
        seq=seq,
        problem_id=problem_id,
        actor=actor,
        at=at,
        kind=kind,
        body=body,
        prev_hash=head.hash,
        hash=digest,
    )
    db.session.add(event)
    head.seq, head.hash, head.count = seq, digest, head.count + 1
    if flush:
        db.session.flush()
    return event


@dataclass(frozen=True)
class Break:
    """The first event at which a chain stops proving itself."""

    tenant_id: int
    seq: int
    reason: str


@dataclass
class VerifyResult:
    tenant_id: int
    events: int
    broken: Break | None = None


Row = tuple[int, int | None, str, datetime, str, str, str, str]


def verify_rows(tenant_id: int, rows: Iterable[Row], head: tuple[int, str] | None) -> VerifyResult:
    """Check a tenant's events in seq order: no gap, each links to the one before, each hash and column matches."""
    expected_seq, prev = 1, GENESIS
    count = 0
    for seq, problem_id, actor, at, kind, body, prev_hash, digest in rows:
        count += 1
        if seq != expected_seq:
            return VerifyResult(tenant_id, count, Break(tenant_id, expected_seq, f"event {expected_seq} is missing"))
        if prev_hash != prev:
            return VerifyResult(tenant_id, count, Break(tenant_id, seq, "prev_hash does not match the event before"))
        if chain_hash(prev, body) != digest:
            return VerifyResult(tenant_id, count, Break(tenant_id, seq, "hash does not match the stored body"))
        try:
            fields = json.loads(body)
        except ValueError:
            return VerifyResult(tenant_id, count, Break(tenant_id, seq, "body is not JSON"))
        if (
            fields.get("seq") != seq
            or fields.get("tenant_id") != tenant_id
            or fields.get("problem_id") != problem_id
            or fields.get("actor") != actor
            or fields.get("kind") != kind
            or fields.get("at") != at.isoformat()
        ):
            return VerifyResult(tenant_id, count, Break(tenant_id, seq, "columns differ from the hashed body"))
        expected_seq, prev = seq + 1, digest
    if head is not None and (head[0] != expected_seq - 1 or head[1] != prev):
        return VerifyResult(
            tenant_id, count, Break(tenant_id, expected_seq, f"chain ends at {expected_seq - 1}, head says {head[0]}")
        )
    return VerifyResult(tenant_id, count)


def event_rows(tenant_id: int, batch: int = 20000) -> Iterator[Row]:
    """Stream a tenant's events in chain order (a server-side cursor on PostgreSQL)."""
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        # Straight from the driver: at millions of events the ORM's row handling would cost more than hashing.
        # The WHERE names the tenant; row-level security holds the transaction to it as well.
        cursor = conn.connection.dbapi_connection.cursor(name=f"audit_verify_{tenant_id}")
        cursor.itersize = batch
        try:
            cursor.execute(
                "SELECT seq, problem_id, actor, at, kind, body, prev_hash, hash FROM problem_event "
                "WHERE tenant_id = %s ORDER BY seq",
                (tenant_id,),
            )
            yield from cursor
        finally:
            cursor.close()
        return
    query = (
        select(
            AuditEvent.seq,
            AuditEvent.problem_id,
            AuditEvent.actor,
            AuditEvent.at,
            AuditEvent.kind,
            AuditEvent.body,
            AuditEvent.prev_hash,
            AuditEvent.hash,
        )
        .where(AuditEvent.tenant_id == tenant_id)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=batch)
    )
    for row in db.session.execute(query):
        yield tuple(row)


def verify_tenant(tenant_id: int) -> VerifyResult:
    """Verify the chain of the tenant in scope (the caller sets the scope)."""
    head = db.session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.tenant_id == tenant_id)).first()
    return verify_rows(tenant_id, event_rows(tenant_id), tuple(head) if head else None)


def history(problem_id: int) -> list[AuditEvent]:
    """A problem's events, oldest first."""
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.problem_id == problem_id).order_by(AuditEvent.seq))
    )
