"""Tables of the enforcement plugin: case files, sampling draws, reviews with their deductions, the rubric's
tenant settings and the tenant's own rubric items. All tenant-owned, prefixed ``enforcement_``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import BigId, TenantScoped, db, utcnow

#: 案件类型
CASE_TYPES = {"penalty": "行政处罚", "compulsory": "行政强制", "other": "其他"}
#: 适用裁量等级 (after 《关于规范市场监督管理行政处罚裁量权的指导意见》)
DISCRETION_LEVELS = {
    "exempt": "不予处罚",
    "mitigated": "减轻处罚",
    "lighter": "从轻处罚",
    "general": "一般处罚",
    "heavier": "从重处罚",
}
REVIEW_KINDS = {"review": "评查", "re_review": "复查"}
REVIEW_STATUSES = {"assigned": "待评查", "scored": "已评查"}


class CaseFile(TenantScoped, db.Model):
    """执法案卷: one closed (or open) enforcement case of a unit, as registered for review."""

    __tablename__ = "enforcement_case_file"
    __table_args__ = (
        UniqueConstraint("tenant_id", "case_no"),
        Index("ix_enforcement_case_file_tenant_id_unit_id_closed_on", "tenant_id", "unit_id", "closed_on"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: 案件编号, e.g. 临市监处罚〔2024〕12号; unique in the tenant and the key of an import
    case_no: Mapped[str] = mapped_column(String(64))
    case_type: Mapped[str] = mapped_column(String(20))
    #: 案由
    cause: Mapped[str] = mapped_column(String(200), default="")
    #: 承办单位
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    #: 承办人 names (at least one; usually two)
    handlers: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: 立案日期
    filed_on: Mapped[date] = mapped_column(Date)
    #: 结案日期 (None while open)
    closed_on: Mapped[date | None] = mapped_column(Date)
    #: 罚没款金额 in 分 (fen), so that money is exact on every backend
    penalty_fen: Mapped[int | None] = mapped_column(BigInteger)
    #: 适用裁量等级, one of DISCRETION_LEVELS
    discretion_level: Mapped[str | None] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RubricSetting(TenantScoped, db.Model):
    """A tenant's grade thresholds (优秀/合格) and the deadline of the problems a failing review records."""

    __tablename__ = "enforcement_rubric_setting"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    excellent_min: Mapped[float] = mapped_column(Float, default=90.0)
    pass_min: Mapped[float] = mapped_column(Float, default=70.0)
    #: working days the responsible unit gets to rectify a failing file
    problem_deadline_days: Mapped[int] = mapped_column(Integer, default=20)
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RubricLocalItem(TenantScoped, db.Model):
    """An item a tenant adds to the rubric (本局评查项目); retired, never deleted, so old reviews still read."""

    __tablename__ = "enforcement_rubric_local_item"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: local-1, local-2 … in the order added
    code: Mapped[str] = mapped_column(String(20))
    #: the item as plugins.enforcement.rubric.RubricItem.as_dict()
    item: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_by: Mapped[str | None] = mapped_column(String(80))
    retired_at: Mapped[datetime | None]


class Sampling(TenantScoped, db.Model):
    """案卷抽查: a random draw of case files, with the seed and the population it drew from, so anyone can redo it."""

    __tablename__ = "enforcement_sampling"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: {"unit_ids", "period_from", "period_to", "case_types", "proportion", "count", "reviewers", ...}
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[str] = mapped_column(String(64))
    #: ids of the eligible case files in the order the draw used (by case number, then id)
    population: Mapped[list[int]] = mapped_column(JSON)
    #: ids of the drawn files, in draw order
    selected: Mapped[list[int]] = mapped_column(JSON)
    drawn_by: Mapped[str] = mapped_column(String(80))
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)


class Review(TenantScoped, db.Model):
    """案卷评查: one review (or re-review) of one case file, pinned to a rubric version; scored once.

    The city's figures read this table: score, grade (excellent / pass / fail = 优秀 / 合格 / 不合格) per unit.
    """

    __tablename__ = "enforcement_review"
    __table_args__ = (
        Index("ix_enforcement_review_tenant_id_unit_id_reviewed_at", "tenant_id", "unit_id", "reviewed_at"),
        Index("ix_enforcement_review_tenant_id_case_file_id", "tenant_id", "case_file_id"),
        Index("ix_enforcement_review_tenant_id_problem_id", "tenant_id", "problem_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: the case file's unit, copied so that figures need no join
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    case_file_id: Mapped[int] = mapped_column(BigId, ForeignKey("enforcement_case_file.id", ondelete="RESTRICT"))
    sampling_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("enforcement_sampling.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(12), default="review")
    #: the base rubric's pinned version (core.checklists.models.TemplateVersion)
    rubric_version_id: Mapped[int] = mapped_column(BigId, ForeignKey("checklist_template_version.id"))
    rubric_version: Mapped[int] = mapped_column(Integer)
    #: the tenant's own items in force when the review was begun (pinned with the version)
    local_items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: {"excellent": 90, "pass": 70} in force when the review was begun
    thresholds: Mapped[dict[str, float]] = mapped_column(JSON)
    #: 评查人员 names; never one of the file's handlers
    reviewers: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="assigned")
    score: Mapped[float | None] = mapped_column(Float)
    #: excellent / pass / fail
    grade: Mapped[str | None] = mapped_column(String(12))
    vetoed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: section code -> {"name", "points", "deducted", "score"}
    section_scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remarks: Mapped[str] = mapped_column(Text, default="")
    #: the ledger problem a failing review recorded
    problem_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(80))
    reviewed_at: Mapped[datetime | None]


class ReviewDeduction(TenantScoped, db.Model):
    """One finding of a review against one rubric item: the points it took (0 for a veto) and the reviewer's note."""

    __tablename__ = "enforcement_review_deduction"
    __table_args__ = (
        UniqueConstraint("tenant_id", "review_id", "item_code"),
        Index("ix_enforcement_review_deduction_tenant_id_item_code", "tenant_id", "item_code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    review_id: Mapped[int] = mapped_column(BigId, ForeignKey("enforcement_review.id", ondelete="RESTRICT"))
    item_code: Mapped[str] = mapped_column(String(20))
    section: Mapped[str] = mapped_column(String(20), default="")
    count: Mapped[int] = mapped_column(Integer, default=1)
    points: Mapped[float] = mapped_column(Float, default=0)
    veto: Mapped[bool] = mapped_column(Boolean, default=False)
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text)
