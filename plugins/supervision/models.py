"""Random-inspection tasks (双随机抽查任务): the pools, the recorded draw, the results and their publication."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import BigId, TenantScoped, db, utcnow

#: a task's states: pools open (draft), drawn, results published
TASK_STATUSES = {"draft": "待抽取", "drawn": "已抽取", "published": "已公示"}
#: what an inspection of one drawn target found
OUTCOMES = {"passed": "未发现问题", "problems_found": "发现问题", "not_located": "通过登记的住所（经营场所）无法联系"}


class SupervisionTask(TenantScoped, db.Model):
    """A 双随机 task: which unit draws how many enterprises and inspectors, the seed and the publication."""

    __tablename__ = "supervision_task"
    __table_args__ = (Index("ix_supervision_task_tenant_id_unit_id", "tenant_id", "unit_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    #: 抽查事项, e.g. 食品经营者落实食品安全主体责任情况检查
    matter: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: the planned inspection period
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    target_count: Mapped[int] = mapped_column(Integer)
    inspectors_per_target: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # the draw: anyone holding the seed and the pools can redo it (see plugins.supervision.draw)
    seed: Mapped[str | None] = mapped_column(String(128))
    algorithm: Mapped[str | None] = mapped_column(String(40))
    pool_digest: Mapped[str | None] = mapped_column(String(64))
    draw_digest: Mapped[str | None] = mapped_column(String(64))
    drawn_at: Mapped[datetime | None] = mapped_column()
    drawn_by: Mapped[str | None] = mapped_column(String(80))
    #: when the inspections actually ended (recorded with the results); the planned end counts until then
    inspection_ended_on: Mapped[date | None] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    publication_channel: Mapped[str] = mapped_column(String(200), default="")
    published_by: Mapped[str | None] = mapped_column(String(80))
    #: the ledger problem recorded when the results were not published in time
    late_problem_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupervisionEnterprise(TenantScoped, db.Model):
    """An enterprise in a task's pool of inspection targets (检查对象名录库)."""

    __tablename__ = "supervision_enterprise"
    __table_args__ = (
        UniqueConstraint("tenant_id", "task_id", "credit_code"),
        Index("ix_supervision_enterprise_tenant_id_task_id", "tenant_id", "task_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("supervision_task.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18))
    address: Mapped[str] = mapped_column(String(300), default="")


class SupervisionInspector(TenantScoped, db.Model):
    """An enforcement officer in a task's pool of inspectors (执法检查人员名录库)."""

    __tablename__ = "supervision_inspector"
    __table_args__ = (
        UniqueConstraint("tenant_id", "task_id", "card_number"),
        Index("ix_supervision_inspector_tenant_id_task_id", "tenant_id", "task_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("supervision_task.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(80))
    #: 执法证号: the inspector's key in the draw
    card_number: Mapped[str] = mapped_column(String(40))
    unit_name: Mapped[str] = mapped_column(String(200), default="")


class SupervisionTarget(TenantScoped, db.Model):
    """An enterprise the draw picked, the inspectors drawn for it, and what the inspection found."""

    __tablename__ = "supervision_target"
    __table_args__ = (
        UniqueConstraint("tenant_id", "task_id", "enterprise_id"),
        Index("ix_supervision_target_tenant_id_task_id", "tenant_id", "task_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("supervision_task.id", ondelete="RESTRICT"))
    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("supervision_enterprise.id", ondelete="RESTRICT"))
    #: 1-based order in the draw
    position: Mapped[int] = mapped_column(Integer)
    #: card numbers of the inspectors drawn for this target, in draw order
    inspectors: Mapped[list] = mapped_column(JSON, default=list)
    outcome: Mapped[str | None] = mapped_column(String(20))
    findings: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str | None] = mapped_column(String(80))
    recorded_at: Mapped[datetime | None] = mapped_column()
