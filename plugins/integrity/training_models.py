"""Training and 警示教育 sessions (教育培训与警示教育) with their attendees and materials, and the yearly
党风廉政建设责任书 (两个责任) of each unit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import BigId, TenantScoped, db, utcnow

#: 培训类别
TRAINING_CATEGORIES = {
    "integrity": "廉政教育",
    "warning": "警示教育",
    "business": "业务培训",
    "case_reform": "以案促改",
}
#: 责任书类别: 主体责任 is signed by the unit's head, 监督责任 by its discipline officer (纪检)
RESPONSIBILITY_KINDS = {"main": "主体责任", "supervision": "监督责任"}


class TrainingSession(TenantScoped, db.Model):
    """One training or education session (一次培训/教育活动) held by a unit, with its 课时."""

    __tablename__ = "integrity_training_session"
    __table_args__ = (
        Index("ix_integrity_training_session_tenant_id_unit_id", "tenant_id", "unit_id"),
        Index("ix_integrity_training_session_tenant_id_held_on", "tenant_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: 举办单位: who records and answers for the session
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    #: 主题
    topic: Mapped[str] = mapped_column(String(200))
    #: 类别: integrity / warning / business / case_reform
    category: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[date] = mapped_column(Date)
    #: 课时 (hours), more than 0 and at most 24
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    #: 组织者 / 主讲, as written
    organiser: Mapped[str] = mapped_column(String(100))
    #: 内容摘要
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainingAttendance(TenantScoped, db.Model):
    """A person of the staff register who attended a session (参训人员)."""

    __tablename__ = "integrity_training_attendance"
    __table_args__ = (
        UniqueConstraint("tenant_id", "session_id", "staff_id"),
        Index("ix_integrity_training_attendance_tenant_id_staff_id", "tenant_id", "staff_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(BigId, ForeignKey("integrity_training_session.id", ondelete="CASCADE"))
    staff_id: Mapped[int] = mapped_column(BigId, ForeignKey("integrity_staff.id", ondelete="RESTRICT"))


class TrainingMaterial(TenantScoped, db.Model):
    """A file of a session (课件、签到表、照片), stored once by its SHA-256 in the evidence store."""

    __tablename__ = "integrity_training_material"
    __table_args__ = (Index("ix_integrity_training_material_tenant_id_session_id", "tenant_id", "session_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(BigId, ForeignKey("integrity_training_session.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigId)
    content_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ResponsibilityStatement(TenantScoped, db.Model):
    """A unit's 党风廉政建设责任书 of one year and kind (主体责任 or 监督责任), its signer and the signed copy."""

    __tablename__ = "integrity_responsibility_statement"
    __table_args__ = (
        UniqueConstraint("tenant_id", "unit_id", "year", "kind"),
        Index("ix_integrity_responsibility_statement_tenant_id_year", "tenant_id", "year"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(Integer)
    #: main (主体责任) / supervision (监督责任)
    kind: Mapped[str] = mapped_column(String(20))
    #: 签订人, a person of the unit in the staff register
    signer_staff_id: Mapped[int] = mapped_column(BigId, ForeignKey("integrity_staff.id", ondelete="RESTRICT"))
    signed_on: Mapped[date] = mapped_column(Date)
    #: the signed copy (扫描件), once uploaded
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_size: Mapped[int | None] = mapped_column(BigId)
    file_content_type: Mapped[str | None] = mapped_column(String(100))
    file_name: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
