"""The staff register with law-enforcement certificates (执法证件)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import BigId, TenantScoped, db, utcnow

#: 人员状态
STAFF_STATUSES = {"active": "在岗", "transferred": "调离", "retired": "退休", "suspended": "暂扣证件"}
#: 执法证件状态
CERTIFICATE_STATES = {"valid": "有效", "expiring": "即将到期", "expired": "已过期", "none": "未持证"}


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
