"""Service-case records (办件) of the approval domain: promised and actual completion of each case."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import BigId, TenantScoped, db, utcnow

#: 申请人类型
APPLICANT_TYPES = {
    "natural_person": "自然人",
    "legal_person": "法人",
    "unincorporated": "非法人组织",
    "individual_business": "个体工商户",
}


class ApprovalCase(TenantScoped, db.Model):
    """One service case (办件) handled at a unit: when it was received, what was promised, when it was done."""

    __tablename__ = "approval_case"
    __table_args__ = (
        UniqueConstraint("tenant_id", "case_no"),
        # The sweep reads the open cases whose promised date has passed.
        Index("ix_approval_case_tenant_id_completed_at_due_on", "tenant_id", "completed_at", "due_on"),
        Index("ix_approval_case_tenant_id_unit_id_received_at", "tenant_id", "unit_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.id", ondelete="RESTRICT"))
    #: the unit that handles the case (its window or division)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    #: 事项名称
    matter_name: Mapped[str] = mapped_column(String(200))
    #: 办件编号, unique in the tenant
    case_no: Mapped[str] = mapped_column(String(64))
    #: 申请人类型, a key of APPLICANT_TYPES
    applicant_type: Mapped[str] = mapped_column(String(30))
    #: 窗口/岗位
    window: Mapped[str] = mapped_column(String(100), default="")
    #: 受理时间
    received_at: Mapped[datetime]
    #: 承诺办结时限（工作日）; 0 for a case done on the spot (即办件)
    promised_days: Mapped[int] = mapped_column(Integer)
    #: the promised date, in working days from the day received (holidays and adjusted workdays counted)
    due_on: Mapped[date] = mapped_column(Date)
    #: 办结时间
    completed_at: Mapped[datetime | None]
    #: 是否有中介参与
    intermediary: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the ledger problem (超时办结) the case became, once
    late_problem_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
