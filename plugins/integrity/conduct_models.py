"""Confidential leads (问题线索) about named staff, and records of interference in enforcement (干预执法记录).

A lead is read only by the tenant's 纪检 reviewers and the city's supervisors: it carries no link the unit concerned
could follow, and nothing of it reaches the unit's ledger unless a reviewer records a problem from a 查实 result.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import BigId, TenantScoped, db, utcnow

#: 线索来源
LEAD_SOURCES = {
    "public_report": "群众举报",
    "petition": "信访举报",
    "inspection_tour": "巡察移交",
    "supervision": "监督检查发现",
    "assigned": "上级交办",
    "other": "其他",
}
#: 问题类别 of a lead (the domain's categories that concern a person)
LEAD_CATEGORIES = {
    "eat_take_demand": "吃拿卡要",
    "interference": "请托说情干预办案",
    "eight_rules": "违反中央八项规定精神",
    "law_breaking": "执法犯法",
    "work_style": "作风不实",
    "other": "其他",
}
#: 处置方式 (the four ways of disposing of a lead)
DISPOSALS = {"talk": "谈话函询", "verify": "初步核实", "shelve": "暂存待查", "close": "予以了结"}
#: 办理状态
LEAD_STATUSES = {"pending": "待处置", "handling": "办理中", "concluded": "已办结"}
#: 核查结果
RESULTS = {"substantiated": "查实", "partly": "部分查实", "unfounded": "查否"}
#: 干预类型
INTERFERENCE_KINDS = {"enforcement": "执法办案", "approval": "行政审批", "other": "其他"}


class ConfidentialLead(TenantScoped, db.Model):
    """One 问题线索 about a named person: how it came, how it is disposed of, its deadline and its result."""

    __tablename__ = "integrity_lead"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_integrity_lead_tenant_id_status_deadline", "tenant_id", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: 线索编号, per tenant, never reused (XS-2026-0001)
    number: Mapped[str] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(20))
    #: the public report it was referred from at triage (转为问题线索)
    public_report_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("public_report.id", ondelete="RESTRICT"))
    category: Mapped[str] = mapped_column(String(30))
    #: 被反映人, as written; ``staff_id`` when it names a person of the staff register
    person: Mapped[str] = mapped_column(String(50))
    #: 职务/岗位 of the person
    post: Mapped[str] = mapped_column(String(100), default="")
    staff_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("integrity_staff.id", ondelete="SET NULL"))
    #: the person's unit: data of the lead only, never a reason to show it to that unit
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    #: 反映的主要问题
    summary: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    disposal: Mapped[str | None] = mapped_column(String(20))
    #: 办理时限
    deadline: Mapped[date] = mapped_column(Date)
    #: 办理情况 (notes of the handling so far)
    handling: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str | None] = mapped_column(String(20))
    result_note: Mapped[str] = mapped_column(Text, default="")
    concluded_on: Mapped[date | None] = mapped_column(Date)
    #: 问责 records (core oversight accountability ids in this tenant) the lead led to
    accountability_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: the ledger problem a 查实 result produced, at the reviewer's request
    problem_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class InterferenceRecord(TenantScoped, db.Model):
    """One 干预执法记录 under the 三个规定: who asked whom about which case, what, and how it was handled."""

    __tablename__ = "integrity_interference"
    __table_args__ = (Index("ix_integrity_interference_tenant_id_occurred_on", "tenant_id", "occurred_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: the unit whose staff was asked (where the record is kept)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    occurred_on: Mapped[date] = mapped_column(Date)
    #: 干预人 and 职务/单位
    requester: Mapped[str] = mapped_column(String(50))
    requester_post: Mapped[str] = mapped_column(String(100), default="")
    #: 被干预人 (the person asked)
    target: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20), default="enforcement")
    #: 涉及案件或事项: free text (a case number as written; never a link to another plugin's record)
    case_ref: Mapped[str] = mapped_column(String(200))
    #: 干预内容
    request: Mapped[str] = mapped_column(Text)
    #: 处理情况 (拒绝、报告、登记 …)
    handling: Mapped[str] = mapped_column(Text)
    #: 报告人
    reported_by: Mapped[str] = mapped_column(String(50))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
