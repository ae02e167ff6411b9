"""Users and their bearer tokens: platform tables, read before a tenant is known (no row-level security)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.platform.db import BigId, db, utcnow

CITY_ROLES = ("city_admin", "city_supervisor")
TENANT_ROLES = ("tenant_admin", "officer", "reviewer", "viewer")
ROLES = CITY_ROLES + TENANT_ROLES
ROLE_NAMES = {
    "city_admin": "市局管理员",
    "city_supervisor": "市局督查",
    "tenant_admin": "县区局管理员",
    "officer": "经办人",
    "reviewer": "审核人（纪检/验收）",
    "viewer": "领导（只读）",
}


class User(db.Model):
    """A person who logs in: city users have no tenant; everyone else belongs to one unit of one tenant."""

    __tablename__ = "user_account"
    __table_args__ = (Index("ix_user_account_tenant_id_unit_id", "tenant_id", "unit_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("tenant.id", ondelete="RESTRICT"))
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("unit.id", ondelete="RESTRICT"))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    #: 联络员: the tenant's named liaison for information reporting to the city
    is_liaison: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: argon2id hash; NULL until a password is set (the account cannot log in)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_city(self) -> bool:
        return self.role in CITY_ROLES


#: what an ApiToken row is: a bearer token of the API, or the server side of a web session (never a bearer token)
TOKEN_KINDS = ("api", "web")


class ApiToken(db.Model):
    """An opaque bearer token, or a web session's id; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: "api" (a bearer token) or "web" (a session id, taken only from the session cookie)
    kind: Mapped[str] = mapped_column(String(8), default="api", server_default="api")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
