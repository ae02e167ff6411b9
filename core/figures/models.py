"""Rollups of the ledger kept up to date as events happen, and the frozen snapshots rankings are read from.

Two grains. The fine grain (per unit, domain, source and phase) is tenant-owned and under row-level security. The
tenant grain (``figure_tenant_*``) holds only per-tenant totals, the numbers the city publishes side by side; it is
a platform table so that the city's all-tenant figures are one indexed read, never 1,000 scoped ones (docs/
performance.md). Both grains are written together from the same delta and a test recounts both from ``problem``.

A rollup row of month ``m`` holds two groups of counts: those of the problems *found* in ``m`` (found, closed, ...)
and those of the problems *due* in ``m`` (due_on_time, due_late, due_open) by their on-time deadline.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.platform.db import BigId, TenantScoped, db, utcnow

#: the counted columns of a rollup row, in the order of the delta tuples
COUNTS = (
    "found",
    "closed",
    "dismissed",
    "merged",
    "ongoing",
    "returned",
    "repeats",
    "close_days",
    "due_on_time",
    "due_late",
    "due_open",
)


class RollupCounts:
    """The counted columns of a rollup row (see the module's docstring for which month each group is keyed by)."""

    found: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    dismissed: Mapped[int] = mapped_column(Integer, default=0)
    #: 并案: no ledger status yet; counted when one lands
    merged: Mapped[int] = mapped_column(Integer, default=0)
    ongoing: Mapped[int] = mapped_column(Integer, default=0)
    #: found problems returned at verification (退回) at least once
    returned: Mapped[int] = mapped_column(Integer, default=0)
    #: found problems that repeat (反弹) a closed one
    repeats: Mapped[int] = mapped_column(Integer, default=0)
    #: sum of working days to close of the closed ones (the average's numerator)
    close_days: Mapped[int] = mapped_column(Integer, default=0)
    due_on_time: Mapped[int] = mapped_column(Integer, default=0)
    due_late: Mapped[int] = mapped_column(Integer, default=0)
    #: due in the month and still open (overdue once the deadline has passed)
    due_open: Mapped[int] = mapped_column(Integer, default=0)


class FigureFact(TenantScoped, db.Model):
    """What one problem last contributed to the rollups, so that the next event applies only the difference."""

    __tablename__ = "figure_fact"
    __table_args__ = (UniqueConstraint("tenant_id", "problem_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    problem_id: Mapped[int] = mapped_column(BigId, ForeignKey("problem.id", ondelete="CASCADE"))
    #: {"dims": [unit_id, domain, source, phase], "r": {month: {column: n}}, "d": [month, days], "o": due_on}
    applied: Mapped[list[Any]] = mapped_column(JSON, default=list)


class FigureRollup(RollupCounts, TenantScoped, db.Model):
    """Counts per (unit, domain, source, phase, month)."""

    __tablename__ = "figure_rollup"
    __table_args__ = (
        UniqueConstraint("tenant_id", "month", "unit_id", "domain", "source", "phase", name="uq_figure_rollup_cell"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    domain: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(30))
    phase: Mapped[str] = mapped_column(String(40))
    #: yyyymm in Asia/Shanghai
    month: Mapped[int] = mapped_column(Integer)


class FigureCloseDays(TenantScoped, db.Model):
    """How many problems found in a month were closed in ``days`` working days (for the median)."""

    __tablename__ = "figure_close_days"
    __table_args__ = (
        UniqueConstraint(
            "tenant_id", "month", "unit_id", "domain", "source", "phase", "days", name="uq_figure_close_days_cell"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    domain: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(30))
    phase: Mapped[str] = mapped_column(String(40))
    month: Mapped[int] = mapped_column(Integer)
    days: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)


class FigureOpenDue(TenantScoped, db.Model):
    """Open problems by their on-time deadline, to the day (overdue now = those before today)."""

    __tablename__ = "figure_open_due"
    __table_args__ = (
        UniqueConstraint("tenant_id", "due_on", "unit_id", "domain", "source", "phase", name="uq_figure_open_due_cell"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    domain: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(30))
    phase: Mapped[str] = mapped_column(String(40))
    due_on: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer, default=0)


class FigureTenantMonth(RollupCounts, db.Model):
    """Per-tenant totals by month (platform table: counts only, what the city reads side by side)."""

    __tablename__ = "figure_tenant_month"
    __table_args__ = (UniqueConstraint("month", "tenant_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.id", ondelete="RESTRICT"))
    month: Mapped[int] = mapped_column(Integer)


class FigureTenantCloseDays(db.Model):
    """Per-tenant working days to close by month found (platform table: counts only)."""

    __tablename__ = "figure_tenant_close_days"
    __table_args__ = (UniqueConstraint("month", "tenant_id", "days"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.id", ondelete="RESTRICT"))
    month: Mapped[int] = mapped_column(Integer)
    days: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)


class FigureTenantOpenDue(db.Model):
    """Per-tenant open problems by on-time deadline, to the day (platform table: counts only)."""

    __tablename__ = "figure_tenant_open_due"
    __table_args__ = (UniqueConstraint("due_on", "tenant_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.id", ondelete="RESTRICT"))
    due_on: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer, default=0)


class FigureSnapshot(db.Model):
    """通报 basis: the figures of every tenant for a period, frozen when taken; later edits do not change it."""

    __tablename__ = "figure_snapshot"
    __table_args__ = (Index("ix_figure_snapshot_period", "period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: month, quarter, year or phase
    kind: Mapped[str] = mapped_column(String(10))
    #: e.g. 2024-05, 2024Q2, 2024, phase:deepen
    period: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: the weights the scores were computed with, and how many are commended and criticised
    weights: Mapped[dict[str, Any]] = mapped_column(JSON)
    top_n: Mapped[int] = mapped_column(Integer)
    bottom_n: Mapped[int] = mapped_column(Integer)
    #: {"figures": [...], "tenants": [{tenant_id, name, figures, score, rank, detail}], "missing": [...]}
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: 文号 of the bulletin
    document_number: Mapped[str] = mapped_column(String(60))
    issuing_body: Mapped[str] = mapped_column(String(100))
    requirements: Mapped[str] = mapped_column(Text, default="")
    #: the bulletin (.docx) and the figures (.xlsx), archived with the snapshot
    bulletin_docx: Mapped[bytes] = mapped_column(LargeBinary)
    figures_xlsx: Mapped[bytes] = mapped_column(LargeBinary)
    taken_by: Mapped[str] = mapped_column(String(80))
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the time of the last ``xingfeng sweep`` the clock-dependent figures were read at
    swept_at: Mapped[datetime | None]


class FigureSnapshotUnit(TenantScoped, db.Model):
    """A snapshot's figures of one unit of a tenant, with its rank within the tenant (tenant-owned)."""

    __tablename__ = "figure_snapshot_unit"
    __table_args__ = (UniqueConstraint("tenant_id", "snapshot_id", "unit_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(BigId, ForeignKey("figure_snapshot.id", ondelete="RESTRICT"))
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[float | None]
    rank: Mapped[int] = mapped_column(Integer)
    detail: Mapped[list[Any]] = mapped_column(JSON)
