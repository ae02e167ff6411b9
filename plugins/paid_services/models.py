"""The paid-services registry: agencies, their paid services, fee records and the flags raised on them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import BigId, TenantScoped, db, utcnow

#: 机构类型
AGENCY_KINDS = {
    "testing_agency": "检验检测机构",
    "technical_agency": "其他技术机构",
    "public_institution": "所属事业单位",
}
#: 预警类型 -> (Chinese name, problem category code)
FLAG_KINDS = {
    "over_standard": ("超标准收费", "illegal_fees"),
    "designated": ("指定服务", "designated_service"),
    "out_of_scope": ("超范围服务", "out_of_scope"),
    "certificate_expiring": ("资质证书即将到期", "qualification"),
    "certificate_expired": ("资质证书已过期", "qualification"),
}
FLAG_STATUSES = {"open": "待处理", "problem": "已立为问题"}
#: 资质证书状态
CERTIFICATE_STATES = {
    "valid": "有效",
    "expiring": "即将到期",
    "expired": "已过期",
    "none": "未登记",
}


class Agency(TenantScoped, db.Model):
    """An affiliated public institution or technical agency (所属事业单位、技术机构) that offers paid services."""

    __tablename__ = "paid_services_agency"
    __table_args__ = (
        UniqueConstraint("tenant_id", "credit_code"),
        Index("ix_paid_services_agency_tenant_id_unit_id", "tenant_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    #: 统一社会信用代码, normalised and checked (GB 32100-2015)
    credit_code: Mapped[str] = mapped_column(String(18))
    #: 检验检测机构资质认定 (CMA) certificate number and its expiry
    cma_number: Mapped[str] = mapped_column(String(40), default="")
    cma_expires_on: Mapped[date | None] = mapped_column(Date)
    #: 主管单位: the unit of the tenant that supervises the agency; its problems are recorded there
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PaidService(TenantScoped, db.Model):
    """One paid service (有偿服务项目) of an agency and its fee standard."""

    __tablename__ = "paid_services_service"
    __table_args__ = (
        UniqueConstraint("tenant_id", "agency_id", "name"),
        Index("ix_paid_services_service_tenant_id_agency_id", "tenant_id", "agency_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(BigId, ForeignKey("paid_services_agency.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    #: 收费标准 per unit of charge, in fen (分); None when no standard is set
    fee_standard_fen: Mapped[int | None] = mapped_column(BigId)
    #: 计费单位, e.g. 元/批次
    fee_unit: Mapped[str] = mapped_column(String(40), default="")
    #: 收费依据: the pricing document the standard comes from
    fee_basis: Mapped[str] = mapped_column(Text, default="")
    #: 是否已公示 the fee
    fee_published: Mapped[bool] = mapped_column(Boolean, default=False)
    #: 是否与行政审批、监督检查等监管行为挂钩 (a service tied to a regulatory act is 指定服务)
    regulatory_act: Mapped[bool] = mapped_column(Boolean, default=False)
    #: 是否在资质认定能力范围内
    in_certified_scope: Mapped[bool] = mapped_column(Boolean, default=True)
    #: 资质认定范围: the certified items or parameters that cover the service
    certified_scope: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeeRecord(TenantScoped, db.Model):
    """One charge (收费记录) for a paid service, keyed by its receipt number so an import can be re-run."""

    __tablename__ = "paid_services_fee_record"
    __table_args__ = (
        UniqueConstraint("tenant_id", "receipt_no"),
        Index("ix_paid_services_fee_record_tenant_id_service_id", "tenant_id", "service_id"),
        Index("ix_paid_services_fee_record_tenant_id_charged_on", "tenant_id", "charged_on"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    service_id: Mapped[int] = mapped_column(BigId, ForeignKey("paid_services_service.id", ondelete="RESTRICT"))
    #: 票据号 / 收费单号
    receipt_no: Mapped[str] = mapped_column(String(64))
    #: 委托方 (the client who paid)
    client: Mapped[str] = mapped_column(String(200))
    charged_on: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    #: 收费金额 in fen (分)
    amount_fen: Mapped[int] = mapped_column(BigId)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeeFlag(TenantScoped, db.Model):
    """A rule the registry found broken (预警): a fee record or an agency's certificate; may become a problem."""

    __tablename__ = "paid_services_flag"
    __table_args__ = (
        #: one flag per rule and record, however often the rules run
        UniqueConstraint("tenant_id", "key"),
        Index("ix_paid_services_flag_tenant_id_status", "tenant_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(30))
    agency_id: Mapped[int] = mapped_column(BigId, ForeignKey("paid_services_agency.id", ondelete="RESTRICT"))
    service_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("paid_services_service.id", ondelete="RESTRICT"))
    fee_record_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("paid_services_fee_record.id", ondelete="RESTRICT")
    )
    detail: Mapped[str] = mapped_column(Text)
    found_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    #: the ledger problem the flag became
    problem_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("problem.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
