"""Passwords (argon2id), bearer tokens and the caller of the current request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select

from core.auth.models import ApiToken, User
from core.platform.db import db, utcnow
from core.tenancy.models import Tenant

TOKEN_PREFIX = "xf_"


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["PASSWORD_TIME_COST"],
        memory_cost=cfg["PASSWORD_MEMORY_COST"],
        parallelism=cfg["PASSWORD_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password_strength(password: str) -> str | None:
    """The reason a password is refused, in Chinese, or None when it is acceptable."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return f"密码至少{minimum}位"
    if password.isdigit() or password.isalpha():
        return "密码须同时包含字母和数字"
    return None


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)


def verify_password(user: User | None, password: str) -> bool:
    """Check a password in the same time whether or not the user exists."""
    hasher = _hasher()
    stored = user.password_hash if user is not None and user.password_hash else None
    try:
        # An unknown user still costs one verification, so timing does not tell who exists.
        hasher.verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    if stored is None:
        return False
    if hasher.check_needs_rehash(stored):
        user.password_hash = hasher.hash(password)
    return True


def _dummy_hash() -> str:
    cache = current_app.extensions.setdefault("xingfeng_dummy_hash", {})
    key = (current_app.config["PASSWORD_TIME_COST"], current_app.config["PASSWORD_MEMORY_COST"])
    if key not in cache:
        cache[key] = _hasher().hash(secrets.token_hex(16))
    return cache[key]


def normalise_username(username: str) -> str:
    """A username as it is stored and looked up (and as the login limit counts it)."""
    return username.strip().lower()


def user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == normalise_username(username)))


def may_log_in(user: User) -> bool:
    """Active account, and for tenant users an active tenant."""
    if not user.active:
        return False
    if user.tenant_id is None:
        return True
    tenant = db.session.get(Tenant, user.tenant_id)
    return tenant is not None and tenant.active


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    """Create a bearer token; the plain value is returned once and never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ttl = timedelta(seconds=current_app.config["TOKEN_TTL_SECONDS"])
    return plain, _store(user, plain, "api", ttl)


def issue_web_session(user: User) -> tuple[str, ApiToken]:
    """Start a web session: a random id for the cookie, stored hashed, which the API never takes as a token."""
    plain = secrets.token_urlsafe(32)
    return plain, _store(user, plain, "web", current_app.permanent_session_lifetime)


def _store(user: User, plain: str, kind: str, ttl: timedelta) -> ApiToken:
    record = ApiToken(user_id=user.id, token_hash=token_digest(plain), kind=kind, expires_at=utcnow() + ttl)
    db.session.add(record)
    db.session.flush()
    return record


def user_for_token(plain: str, kind: str = "api") -> tuple[User, ApiToken] | None:
    """The user a live token (or, with ``kind="web"``, a web session id) belongs to; None for an unknown, expired
    or revoked one, or one of the other kind."""
    # One round trip for token, user and tenant: this runs on every request.
    found = db.session.execute(
        select(ApiToken, User, Tenant)
        .join(User, User.id == ApiToken.user_id)
        .outerjoin(Tenant, Tenant.id == User.tenant_id)
        .where(ApiToken.token_hash == token_digest(plain), ApiToken.kind == kind)
    ).first()
    if found is None:
        return None
    record, user, _tenant = found
    if record.revoked_at is not None or record.expires_at <= utcnow() or not may_log_in(user):
        return None
    return user, record


def user_for_web_session(session_id: str) -> tuple[User, ApiToken] | None:
    """The user of a live web session, or None."""
    return user_for_token(session_id, kind="web")


def revoke_token(record: ApiToken) -> None:
    record.revoked_at = utcnow()
    db.session.flush()


def revoke_all_tokens(user: User) -> None:
    """Revoke every live token and web session of a user (password change, deactivation)."""
    now = utcnow()
    for record in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        record.revoked_at = now
    db.session.flush()
