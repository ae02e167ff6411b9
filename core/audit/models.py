"""Audit events and the head of each tenant's chain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.platform.db import BigId, TenantScoped, db


class AuditEvent(TenantScoped, db.Model):
    """One change, stored as the canonical JSON text that was hashed, chained to the event before it."""

    __tablename__ = "problem_event"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seq"),
        Index("ix_problem_event_tenant_id_problem_id_seq", "tenant_id", "problem_id", "seq"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: position in the tenant's chain, 1, 2, 3 … with no gaps
    seq: Mapped[int] = mapped_column(BigId)
    problem_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"))
    #: "user:<id>", "system:<rule>" or "public"
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    #: canonical JSON exactly as hashed; never re-encoded
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(TenantScoped, db.Model):
    """The last event of a tenant's chain; appends lock this row so that concurrent writers never fork."""

    __tablename__ = "audit_head"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    seq: Mapped[int] = mapped_column(BigId, default=0)
    hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)
