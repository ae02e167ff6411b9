"""The staff register with law-enforcement certificates (执法证件), and integrity risk points (廉政风险点) per post."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import BigId, TenantScoped, db, utcnow

#: 人员状态
STAFF_STATUSES = {"active": "在岗", "transferred": "调离", "retired": "退休", "suspended": "暂扣证件"}
#: 执法证件状态
CERTIFICATE_STATES = {"valid": "有效", "expiring": "即将到期", "expired": "已过期", "none": "未持证"}
#: 风险等级
RISK_LEVELS = {"high": "高", "medium": "中", "low": "低"}
#: 风险点状态: a retired point (已撤销) stays for the record but no longer counts or is reminded of
RISK_STATUSES = {"current": "在用", "retired": "已撤销"}
#: 复核状态
REVIEW_STATES = {"ok": "正常", "due_soon": "即将复核", "overdue": "已逾期"}


class StaffMember(TenantScoped, db.Model):
    """One person of the tenant's staff register (人员名册) and their 行政执法证."""

    __tablename__ = "integrity_staff"
    __table_args__ = (
        #: the certificate number identifies a person in an import (blank numbers are stored as NULL)
        UniqueConstraint("tenant_id", "certificate_no"),
        Index("ix_integrity_staff_tenant_id_unit_id", "tenant_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    #: 岗位
    post: Mapped[str] = mapped_column(String(100), default="")
    #: 执法证号; None for a person who holds none
    certificate_no: Mapped[str | None] = mapped_column(String(40))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: 离岗日期: when a retired (退休) or transferred (调离) person left
    left_on: Mapped[date | None] = mapped_column(Date)
    #: 离岗说明 (where to, why)
    left_reason: Mapped[str | None] = mapped_column(String(200))


class RiskPoint(TenantScoped, db.Model):
    """One integrity risk point (廉政风险点) of a post (岗位) at a unit, with its controls and a yearly review."""

    __tablename__ = "integrity_risk_point"
    __table_args__ = (
        Index("ix_integrity_risk_point_tenant_id_unit_id", "tenant_id", "unit_id"),
        Index("ix_integrity_risk_point_tenant_id_review_due", "tenant_id", "review_due"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    #: 岗位
    post: Mapped[str] = mapped_column(String(100))
    #: 风险描述
    description: Mapped[str] = mapped_column(Text)
    #: 风险等级: high / medium / low
    level: Mapped[str] = mapped_column(String(10))
    #: 防控措施
    measures: Mapped[str] = mapped_column(Text)
    #: 责任人, as written; ``responsible_staff_id`` when it names a person of the staff register
    responsible: Mapped[str] = mapped_column(String(50))
    responsible_staff_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("integrity_staff.id", ondelete="SET NULL")
    )
    #: 复核日期: the next review is due by then (yearly)
    review_due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="current")
    retired_reason: Mapped[str] = mapped_column(String(200), default="")
    #: 撤销 time: the point counts towards coverage until then
    retired_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class IntegritySetting(TenantScoped, db.Model):
    """A tenant's settings of the integrity domain: how many days ahead a certificate counts as 即将到期."""

    __tablename__ = "integrity_setting"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: 证件到期提前预警天数
    expiring_days: Mapped[int] = mapped_column(Integer, default=60)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PastCertificate(TenantScoped, db.Model):
    """A certificate a person held before the one on the register (kept when it is renewed or replaced), so that
    whether they held a valid one on a past date can still be answered."""

    __tablename__ = "integrity_past_certificate"
    __table_args__ = (Index("ix_integrity_past_certificate_tenant_id_staff_id", "tenant_id", "staff_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    staff_id: Mapped[int] = mapped_column(BigId, ForeignKey("integrity_staff.id", ondelete="CASCADE"))
    certificate_no: Mapped[str] = mapped_column(String(40))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    replaced_by: Mapped[str] = mapped_column(String(64))
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)
