"""City oversight actions: supervision orders (督办), accountability (问责), self-checks (举一反三), information
reporting (信息报送), notifications and sweep runs.

Rows a tenant owns carry ``tenant_id`` (TenantScoped, row-level security). Rows the city owns and every tenant may
read — a reporting task, a city self-check, a published typical experience — have no tenant_id; each tenant's
answers to them are tenant rows again. City users' notifications live in their own table, which row-level security
shows only to a transaction with no tenant in scope (see migrations/versions/0008_oversight_actions.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.platform.db import BigId, TenantScoped, db, utcnow

#: 督办单 states: issued → acknowledged (签收) → answered (回复)
ORDER_STATUSES = {"issued": "已下发", "acknowledged": "已签收", "answered": "已回复"}
OPEN_ORDER_STATUSES = ("issued", "acknowledged")
#: who issued an order
ORDER_LEVELS = {"city": "市局督办", "county": "县区局督办"}
#: 问责 kinds
MEASURE_KINDS = {"interview": "约谈", "criticism": "批评", "accountability": "问责处理"}
#: 信息报送 task kinds
REPORT_KINDS = {
    "monthly": "月度进展",
    "phase_summary": "阶段总结",
    "typical_experience": "典型经验",
    "special": "专项报告",
}
SUBMISSION_STATUSES = {"submitted": "已报送", "returned": "已退回修改"}
#: a reporting task's own state: open, or closed by the city (no further submissions)
TASK_STATUSES = {"open": "进行中", "closed": "已关闭"}
#: 举一反三 answers
SELF_CHECK_ANSWERS = {"none": "无此问题", "problem": "已登记问题"}


class SupervisionOrder(TenantScoped, db.Model):
    """督办单: a demand with a deadline, on a problem or on a unit, to the unit that must answer it."""

    __tablename__ = "oversight_order"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        # An escalation is raised once per rule and problem, however often the sweep runs.
        UniqueConstraint("tenant_id", "escalation_key"),
        Index("ix_oversight_order_tenant_id_unit_id_status", "tenant_id", "unit_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: e.g. 督-LJ-2024-003
    number: Mapped[str] = mapped_column(String(40))
    problem_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"))
    #: the receiving unit (the problem's responsible unit when the order is on a problem)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    level: Mapped[str] = mapped_column(String(10))
    demand: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="issued")
    #: "user:<id>" or "system:escalation"
    issued_by: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    escalation_key: Mapped[str | None] = mapped_column(String(80))
    acknowledged_by: Mapped[str | None] = mapped_column(String(80))
    acknowledged_at: Mapped[datetime | None]
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str | None] = mapped_column(String(80))
    answered_at: Mapped[datetime | None]
    #: answered after its deadline: stays late
    answered_late: Mapped[bool | None]


class AccountabilityMeasure(TenantScoped, db.Model):
    """问责: an interview (约谈), a criticism or an accountability measure, as decided; the figures count these."""

    __tablename__ = "oversight_accountability"
    __table_args__ = (Index("ix_oversight_accountability_tenant_id_unit_id_kind", "tenant_id", "unit_id", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20))
    #: the measure as decided, e.g. 约谈单位主要负责人, 通报批评, 诫勉谈话
    measure: Mapped[str] = mapped_column(Text)
    #: who it concerns (a person or the unit's leadership)
    person: Mapped[str] = mapped_column(String(100), default="")
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(80))
    #: linked problems and supervision orders (ids in this tenant)
    problem_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    order_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: the interview flag this record answers, if any
    flag_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("oversight_interview_flag.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UnitRedPeriod(TenantScoped, db.Model):
    """A unit had at least one red problem during a period (a month), as seen by the sweep."""

    __tablename__ = "oversight_unit_red_period"
    __table_args__ = (UniqueConstraint("tenant_id", "unit_id", "period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    #: YYYY-MM
    period: Mapped[str] = mapped_column(String(7))
    red_problems: Mapped[int] = mapped_column(Integer, default=0)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class InterviewFlag(TenantScoped, db.Model):
    """A unit red in N consecutive periods is flagged for an interview (约谈) — once per run of periods."""

    __tablename__ = "oversight_interview_flag"
    __table_args__ = (UniqueConstraint("tenant_id", "unit_id", "period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    #: the last of the consecutive red periods
    period: Mapped[str] = mapped_column(String(7))
    periods: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProblemLight(TenantScoped, db.Model):
    """The light the sweep last recorded for an open problem, so that each change becomes one event."""

    __tablename__ = "oversight_problem_light"
    __table_args__ = (UniqueConstraint("tenant_id", "problem_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    problem_id: Mapped[int] = mapped_column(BigId, ForeignKey("problem.id", ondelete="CASCADE"))
    light: Mapped[str] = mapped_column(String(10))
    #: the deadline the light was computed for (an extension restarts the lights)
    deadline: Mapped[date | None] = mapped_column(Date)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CitySelfCheck(db.Model):
    """举一反三 sent by the city to chosen tenants: city-owned, readable by every tenant (no tenant_id)."""

    __tablename__ = "oversight_city_self_check"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: what to look for, written from the source problem (not the problem's internals)
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    source_tenant_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.id", ondelete="RESTRICT"))
    source_problem_id: Mapped[int] = mapped_column(BigId)
    tenant_ids: Mapped[list[int]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SelfCheck(TenantScoped, db.Model):
    """举一反三 as a tenant sees it: sent by its own bureau to chosen units, or its copy of a city self-check."""

    __tablename__ = "oversight_self_check"
    __table_args__ = (UniqueConstraint("tenant_id", "city_check_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    city_check_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("oversight_city_self_check.id", ondelete="RESTRICT")
    )
    #: the problem it comes from, when it is one of this tenant's
    source_problem_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SelfCheckAnswer(TenantScoped, db.Model):
    """One chosen unit's answer to a self-check: 无此问题, or a problem it recorded; empty until answered."""

    __tablename__ = "oversight_self_check_answer"
    __table_args__ = (UniqueConstraint("tenant_id", "self_check_id", "unit_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    self_check_id: Mapped[int] = mapped_column(BigId, ForeignKey("oversight_self_check.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    answer: Mapped[str | None] = mapped_column(String(10))
    problem_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"))
    note: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str | None] = mapped_column(String(80))
    answered_at: Mapped[datetime | None]


class ReportingTask(db.Model):
    """信息报送 task set by the city: city-owned, readable by every tenant (no tenant_id)."""

    __tablename__ = "oversight_reporting_task"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date] = mapped_column(Date)
    #: the tenants it applies to
    tenant_ids: Mapped[list[int]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: closed (已关闭) by the city: no further submissions or returns (migration 0012)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(80))

    @property
    def status(self) -> str:
        """open 进行中 / closed 已关闭"""
        return "closed" if self.closed_at is not None else "open"


class ReportSubmission(TenantScoped, db.Model):
    """A tenant's submission to a reporting task, by its liaison (联络员); returned submissions are revised."""

    __tablename__ = "oversight_report_submission"
    __table_args__ = (UniqueConstraint("tenant_id", "task_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("oversight_reporting_task.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    #: the first submission: on time or late is decided by it
    first_submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by: Mapped[str] = mapped_column(String(80))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    returned_by: Mapped[str | None] = mapped_column(String(80))
    returned_at: Mapped[datetime | None]
    #: files: [{"sha256", "filename", "content_type", "size"}]
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class PublishedExperience(db.Model):
    """典型经验 published by the city to every tenant: a copy of a submission, city-owned (no tenant_id)."""

    __tablename__ = "oversight_published_experience"
    __table_args__ = (UniqueConstraint("task_id", "from_tenant_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("oversight_reporting_task.id", ondelete="RESTRICT"))
    from_tenant_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    published_by: Mapped[str] = mapped_column(String(80))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(TenantScoped, db.Model):
    """An in-app notification for a tenant user; ``key`` makes each one exist once."""

    __tablename__ = "oversight_notification"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id", "key"),
        Index("ix_oversight_notification_tenant_id_user_id_read_at", "tenant_id", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    #: claimed for e-mail (set before sending, so that a second sweep never sends it again)
    mailed_at: Mapped[datetime | None]


class CityNotification(db.Model):
    """An in-app notification for a city user (no tenant): row-level security shows it only outside any tenant."""

    __tablename__ = "oversight_city_notification"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    mailed_at: Mapped[datetime | None]


class MailAddress(db.Model):
    """Where a user wants notifications e-mailed (optional; personal data, kept apart from the account)."""

    __tablename__ = "oversight_mail_address"

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SweepRun(db.Model):
    """One run of ``xingfeng sweep``: pages say "as of the last sweep" from here."""

    __tablename__ = "oversight_sweep_run"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    today: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    #: what it recorded: {"lights": n, "escalations": n, "flags": n, "notifications": n, "mailed": n, "plugins": n}
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
