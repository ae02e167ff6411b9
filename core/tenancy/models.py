"""Tenants (county bureaus), their unit trees, plugin switches and campaign phases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.platform.db import BigId, TenantScoped, db, utcnow

TENANT_STATUSES = ("active", "suspended")
UNIT_KINDS = {
    "bureau": "局机关",
    "station": "市场监管所",
    "division": "科室",
    "brigade": "执法大队",
    "agency": "技术机构",
    "other": "其他",
}


class Tenant(db.Model):
    """A county or district bureau (县区局); the city bureau's own divisions are a tenant too."""

    __tablename__ = "tenant"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    #: prefix of the tenant's problem numbers, e.g. DH in DH-2024-0042
    code: Mapped[str] = mapped_column(String(10), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    #: whether this tenant is the city bureau's own (市局机关)
    is_city: Mapped[bool] = mapped_column(Boolean, default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def active(self) -> bool:
        return self.status == "active"


class Unit(TenantScoped, db.Model):
    """An organisational unit inside a tenant: the bureau itself, a station, division, brigade or agency."""

    __tablename__ = "unit"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index("ix_unit_tenant_id_parent_id", "tenant_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    #: stable key used by tenant spec files, unique within the tenant
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PluginSetting(TenantScoped, db.Model):
    """Whether a domain plugin is on for a tenant (unit_id NULL, set by the city) or overridden at a unit."""

    __tablename__ = "plugin_setting"
    __table_args__ = (
        UniqueConstraint("tenant_id", "unit_id", "domain"),
        # NULLs are distinct in unique constraints, so the tenant-level row needs its own partial index.
        Index(
            "uq_plugin_setting_tenant_default",
            "tenant_id",
            "domain",
            unique=True,
            sqlite_where=db.text("unit_id IS NULL"),
            postgresql_where=db.text("unit_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CampaignPhase(db.Model):
    """A phase of the three-year campaign (2023 排查治理, 2024 深化拓展, 2025 巩固提升); platform-wide."""

    __tablename__ = "campaign_phase"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
