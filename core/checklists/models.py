"""Checklists: pinned template versions, the city's and tenants' own items, filled checklists and their findings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.platform.db import BigId, TenantScoped, db, utcnow

STATUSES = {"draft": "草稿", "submitted": "已提交"}


class TemplateVersion(db.Model):
    """One content of a template (or of anything "versioned like checklists"), numbered per code.

    Written the first time the content is offered; never changed afterwards, so a filled checklist that points
    here reads exactly as it was filled. Shared by every tenant (templates come from plugins, not tenants).
    """

    __tablename__ = "checklist_template_version"
    __table_args__ = (UniqueConstraint("code", "version"), UniqueConstraint("code", "fingerprint"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(80))
    domain: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the canonical content
    fingerprint: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class _ExtraItem:
    """An item a city admin (every tenant) or a tenant admin (its own tenant) adds to a template."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    template_code: Mapped[str] = mapped_column(String(80))
    #: the item's code inside the template, e.g. city-3 or local-12
    code: Mapped[str] = mapped_column(String(40))
    #: the item as core.checklists.templates.Item.as_dict()
    item: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_by: Mapped[str | None] = mapped_column(String(80))
    retired_at: Mapped[datetime | None]


class CityItem(_ExtraItem, db.Model):
    __tablename__ = "checklist_city_item"
    __table_args__ = (Index("ix_checklist_city_item_template_code", "template_code"),)


class LocalItem(_ExtraItem, TenantScoped, db.Model):
    __tablename__ = "checklist_local_item"
    __table_args__ = (Index("ix_checklist_local_item_tenant_id_template_code", "tenant_id", "template_code"),)


class Checklist(TenantScoped, db.Model):
    """A checklist filled for a unit: a draft until submitted, then never edited (a correction is a new one)."""

    __tablename__ = "checklist"
    __table_args__ = (
        Index("ix_checklist_tenant_id_unit_id_status", "tenant_id", "unit_id", "status"),
        Index("ix_checklist_tenant_id_domain_submitted_at", "tenant_id", "domain", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    template_version_id: Mapped[int] = mapped_column(BigId, ForeignKey("checklist_template_version.id"))
    template_code: Mapped[str] = mapped_column(String(80))
    domain: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    #: 检查人
    inspector: Mapped[str] = mapped_column(String(100))
    inspected_on: Mapped[date] = mapped_column(Date)
    #: 检查对象: a service hall, an enterprise, a case file…
    target_name: Mapped[str] = mapped_column(String(200))
    #: its reference: a credit code, a case number
    target_ref: Mapped[str] = mapped_column(String(100), default="")
    #: the city's and the tenant's own items in force when the checklist was begun (pinned with the version)
    extra_items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: item code -> answer (normalised)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: item code -> the inspector's note
    notes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    remarks: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="draft")
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    #: the submitted checklist this one corrects
    corrects_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("checklist.id", ondelete="RESTRICT"))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by: Mapped[str | None] = mapped_column(String(80))
    submitted_at: Mapped[datetime | None]


class ChecklistEvidence(TenantScoped, db.Model):
    """An evidence file for one item of a checklist, stored once by its SHA-256 (core.platform.evidence)."""

    __tablename__ = "checklist_evidence"
    __table_args__ = (Index("ix_checklist_evidence_tenant_id_checklist_id", "tenant_id", "checklist_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    checklist_id: Mapped[int] = mapped_column(BigId, ForeignKey("checklist.id", ondelete="RESTRICT"))
    item_code: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigId)
    content_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChecklistFinding(TenantScoped, db.Model):
    """The ledger problem a failing answer became, with the template, version and item it came from."""

    __tablename__ = "checklist_finding"
    __table_args__ = (
        UniqueConstraint("tenant_id", "checklist_id", "item_code"),
        UniqueConstraint("tenant_id", "problem_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    checklist_id: Mapped[int] = mapped_column(BigId, ForeignKey("checklist.id", ondelete="RESTRICT"))
    item_code: Mapped[str] = mapped_column(String(40))
    problem_id: Mapped[int] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"))
    template_code: Mapped[str] = mapped_column(String(80))
    template_version: Mapped[int] = mapped_column(Integer)
