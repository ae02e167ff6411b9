"""Problems and what hangs off them: progress notes, evidence, extensions, referrals, local fields."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.platform.db import BigId, TenantScoped, db, utcnow

#: 问题来源
SOURCES = {
    "self_inspection": "自查自纠",
    "checklist": "清单检查",
    "case_review": "案卷评查",
    "public_report": "群众举报",
    "inspection_tour": "巡察",
    "petition": "信访",
    "proposal": "代表建议、政协提案",
    "discipline_referral": "纪检监察移交",
    "assigned": "上级交办",
    "media": "媒体曝光",
    #: found by a rule of the system itself (a case completed late, a result not published in time…)
    "system_rule": "系统监测",
    "other": "其他",
}
SEVERITIES = {"normal": "一般", "serious": "较重", "grave": "严重"}
#: 整改类型
RECTIFICATION_TYPES = {"immediate": "立行立改", "deadline": "限期整改", "long_term": "长期坚持"}
STATUSES = {
    "registered": "待交办",
    "rectifying": "整改中",
    "submitted": "已提交验收",
    "closed": "已销号",
    "ongoing": "持续整改",
    "dismissed": "不予立项",
}
OPEN_STATUSES = ("registered", "rectifying", "submitted", "ongoing")
LIGHTS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}


class Problem(TenantScoped, db.Model):
    """One conduct problem in a tenant's ledger."""

    __tablename__ = "problem"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "external_ref"),
        # One ordered scan per (unit, status) serves a list page (core/ledger/query.py); the other two serve
        # whole-tenant lists by status or by deadline.
        Index("ix_problem_tenant_id_unit_id_status_deadline", "tenant_id", "unit_id", "status", "deadline", "id"),
        Index("ix_problem_tenant_id_status_deadline", "tenant_id", "status", "deadline", "id"),
        Index("ix_problem_tenant_id_deadline", "tenant_id", "deadline", "id"),
        Index("ix_problem_tenant_id_source_checklist_id", "tenant_id", "source_checklist_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Every index of this table starts with tenant_id; a lone tenant_id index would only tempt the planner into
    # reading a whole tenant's ledger (see docs/performance.md).
    tenant_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.id", ondelete="RESTRICT"))
    #: 编号, e.g. DH-2024-0042: per tenant, never reused
    number: Mapped[str] = mapped_column(String(32))
    #: optimistic-concurrency version, exposed as the ETag; raised by SQLAlchemy on every UPDATE
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Every UPDATE says WHERE version = <the one loaded> and raises it: a change made against a stale copy fails
    # (StaleDataError -> 412) instead of silently overwriting another's.
    __mapper_args__ = {"version_id_col": version}
    source: Mapped[str] = mapped_column(String(30))
    domain: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(10), default="normal")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    #: 责任单位
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    responsible_person: Mapped[str] = mapped_column(String(64), default="")
    responsible_leader: Mapped[str] = mapped_column(String(64), default="")
    rectification_type: Mapped[str] = mapped_column(String(20))
    measures: Mapped[str] = mapped_column(Text, default="")
    #: 整改时限 in force (an approved extension replaces it)
    deadline: Mapped[date | None] = mapped_column(Date)
    #: the deadline first set, kept for on-time counting when an extension was not approved in time
    original_deadline: Mapped[date | None] = mapped_column(Date)
    #: N working days from assignment, when the deadline was given that way
    deadline_working_days: Mapped[int | None] = mapped_column(Integer)
    #: the deadline was computed for a year whose official holidays were not yet loaded
    deadline_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    phase: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="registered")
    #: 上级交办 by the city: only a city_supervisor closes it
    city_assigned: Mapped[bool] = mapped_column(Boolean, default=False)
    #: 整改进展 and 完成情况, free text kept current by the responsible unit
    progress: Mapped[str] = mapped_column(Text, default="")
    completion: Mapped[str] = mapped_column(Text, default="")
    #: 验收意见
    verification_opinion: Mapped[str] = mapped_column(Text, default="")
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    next_review_on: Mapped[date | None] = mapped_column(Date)
    dismissed_reason: Mapped[str] = mapped_column(Text, default="")
    #: a recurrence links to the closed problem it repeats
    recurrence_of: Mapped[int | None] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"))
    #: key of the row in an imported workbook (外部编号); re-importing the same row changes nothing
    external_ref: Mapped[str | None] = mapped_column(String(64))
    #: the checklist (检查清单) whose failing answer this problem was recorded from, and that answer's item code;
    #: named by table only, the ledger sits below the checklists
    source_checklist_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("checklist.id"))
    source_item: Mapped[str | None] = mapped_column(String(40))
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    local_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    local_fields_version: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_at: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    submitted_by: Mapped[str | None] = mapped_column(String(80))
    #: 销号时间
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(80))
    #: closed after the deadline in force: counts as late in every rate
    closed_late: Mapped[bool | None] = mapped_column(Boolean)


class ProgressNote(TenantScoped, db.Model):
    """整改进展: what the responsible unit did, with its evidence files."""

    __tablename__ = "progress_note"
    __table_args__ = (Index("ix_progress_note_tenant_id_problem_id", "tenant_id", "problem_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    problem_id: Mapped[int] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"))
    author: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(TenantScoped, db.Model):
    """佐证材料: an evidence file, stored once by its SHA-256."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_tenant_id_problem_id", "tenant_id", "problem_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    problem_id: Mapped[int] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"))
    note_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("progress_note.id", ondelete="RESTRICT"))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigId)
    content_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Extension(TenantScoped, db.Model):
    """延期: asked before the deadline, decided by the closing level."""

    __tablename__ = "problem_extension"
    __table_args__ = (Index("ix_problem_extension_tenant_id_problem_id", "tenant_id", "problem_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    problem_id: Mapped[int] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"))
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    current_deadline: Mapped[date] = mapped_column(Date)
    new_deadline: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")


class Referral(TenantScoped, db.Model):
    """移送纪检监察: recorded on a problem without ending it."""

    __tablename__ = "problem_referral"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    problem_id: Mapped[int] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"), index=True)
    referred_on: Mapped[date] = mapped_column(Date)
    receiving_body: Mapped[str] = mapped_column(String(100))
    document_number: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LocalFieldSet(TenantScoped, db.Model):
    """A version of the tenant's own extra problem fields; problems keep the version they were written under."""

    __tablename__ = "local_field_set"
    __table_args__ = (UniqueConstraint("tenant_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    #: [{"code", "label", "type", "required", "choices"}]
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProblemCounter(TenantScoped, db.Model):
    """The last number given in a tenant's year; locked while numbering, so numbers are never reused."""

    __tablename__ = "problem_counter"
    __table_args__ = (UniqueConstraint("tenant_id", "year"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer, default=0)
