"""Public reports (举报), what hangs off them, and public solicitations (公开征集).

Column names are read by the city's figures as they are: tenant_id, unit_id, category, status, received_at,
first_reply_at, rating, solicitation_id, problem_id.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.platform.db import BigId, TenantScoped, db, utcnow

#: what a reporter may choose; staff map it to a ledger domain and category when accepting
CATEGORIES = {
    "attitude": "服务态度差、门难进脸难看",
    "delay": "推诿扯皮、不作为慢作为",
    "fees": "乱收费、乱罚款、乱摊派",
    "inspection": "乱检查、干预企业经营",
    "integrity": "吃拿卡要、收受财物",
    "enforcement": "执法不公、滥用自由裁量权",
    "intermediary": "指定中介、勾连黄牛",
    "other": "其他",
}
#: the ledger's (domain, category) that a public category suggests
LEDGER_CATEGORY = {
    "attitude": ("general", "attitude"),
    "delay": ("general", "inaction"),
    "fees": ("general", "other"),
    "inspection": ("general", "other"),
    "integrity": ("general", "integrity"),
    "enforcement": ("general", "other"),
    "intermediary": ("general", "integrity"),
    "other": ("general", "other"),
}
STATUSES = {"received": "待处理", "accepted": "已受理", "merged": "已并案办理", "dismissed": "不予受理",
            "referred": "已转有关部门办理"}
RATINGS = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}


class Solicitation(db.Model):
    """公开征集: a time-boxed call for reports, by one tenant or (tenant_id NULL) by the city for every county.

    Not tenant-scoped: its title, text and period are published; who may change it is checked by the service.
    """

    __tablename__ = "public_solicitation"
    __table_args__ = (Index("ix_public_solicitation_tenant_id_ends_on", "tenant_id", "ends_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: NULL: opened by the city bureau for every county
    tenant_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("tenant.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    #: first and last day (Asia/Shanghai) on which reports are taken, both included
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PublicReport(TenantScoped, db.Model):
    """One report from the public; the reporter follows it with its tracking code and secret."""

    __tablename__ = "public_report"
    __table_args__ = (
        UniqueConstraint("tracking_code"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        UniqueConstraint("tenant_id", "challenge_nonce"),
        Index("ix_public_report_tenant_id_status_received_at", "tenant_id", "status", "received_at"),
        Index("ix_public_report_tenant_id_solicitation_id", "tenant_id", "solicitation_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: 查询码, e.g. LJ-7K3M9Q2X: the tenant's code, then random letters
    tracking_code: Mapped[str] = mapped_column(String(24))
    #: random salt; the reporter's secret is an HMAC of code and salt under the server key (never stored)
    secret_salt: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    #: the unit the reporter chose, if any
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    #: the unit or person concerned, in the reporter's words
    concerned: Mapped[str] = mapped_column(String(200), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    #: when it happened, in the reporter's words ("上周三上午")
    occurred: Mapped[str] = mapped_column(String(100), default="")
    anonymous: Mapped[bool] = mapped_column(default=True)
    solicitation_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("public_solicitation.id", ondelete="RESTRICT")
    )
    status: Mapped[str] = mapped_column(String(20), default="received")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_reply_at: Mapped[datetime | None]
    #: the ledger problem it became (accepted) or joined (merged)
    problem_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"))
    triaged_by: Mapped[str | None] = mapped_column(String(80))
    triaged_at: Mapped[datetime | None]
    rating: Mapped[str | None] = mapped_column(String(30))
    rated_at: Mapped[datetime | None]
    #: the client's Idempotency-Key and a hash of what it sent with it
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    #: the anti-automation challenge used, so that one solved challenge files one report
    challenge_nonce: Mapped[str] = mapped_column(String(32))


class ReportContact(TenantScoped, db.Model):
    """The reporter's name and contact: a table of its own, read only by the tenant's reviewers, each read audited."""

    __tablename__ = "public_report_contact"
    __table_args__ = (UniqueConstraint("tenant_id", "report_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(BigId, ForeignKey("public_report.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(64), default="")
    contact: Mapped[str] = mapped_column(String(200))


class ReportFile(TenantScoped, db.Model):
    """An evidence file sent with a report, stored by SHA-256 like the ledger's."""

    __tablename__ = "public_report_file"
    __table_args__ = (Index("ix_public_report_file_tenant_id_report_id", "tenant_id", "report_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(BigId, ForeignKey("public_report.id", ondelete="RESTRICT"))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigId)
    content_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportReply(TenantScoped, db.Model):
    """A reply meant for the reporter (the only text of the staff's that the reporter sees)."""

    __tablename__ = "public_report_reply"
    __table_args__ = (Index("ix_public_report_reply_tenant_id_report_id", "tenant_id", "report_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(BigId, ForeignKey("public_report.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
