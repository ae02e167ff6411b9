"""Configuration: defaults here, then the environment, then the ``config`` mapping given to ``create_app``."""

from __future__ import annotations

import os
from typing import Any

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,  # required outside development; see create_app
    # SQLite in the instance folder unless DATABASE_URL says otherwise (filled in by create_app).
    "SQLALCHEMY_DATABASE_URI": None,
    #: owner role used by migrations on PostgreSQL; the app itself connects as a role that owns nothing
    "MIGRATIONS_DATABASE_URL": None,
    #: the read-only xingfeng_reader login for the named city-wide opt-out (core.platform.db.city_wide), PostgreSQL only
    "READER_DATABASE_URL": None,
    #: how many proxies in front of the app set X-Forwarded-For (0: none; the address rate limit needs it)
    "PROXY_FIX_X_FOR": 0,
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SQLALCHEMY_RECORD_QUERIES": False,
    # Bearer tokens
    "TOKEN_TTL_SECONDS": 12 * 3600,
    # argon2id parameters (argon2-cffi defaults: RFC 9106 low-memory profile)
    "PASSWORD_TIME_COST": 3,
    "PASSWORD_MEMORY_COST": 65536,
    "PASSWORD_PARALLELISM": 4,
    "PASSWORD_MIN_LENGTH": 8,
    # Rate limits (Flask-Limiter); storage is memory:// unless REDIS_URL is set
    "REDIS_URL": None,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    #: both: failed logins only (nobody locks a colleague out by logging in often), page and API in one bucket
    "LOGIN_LIMIT_PER_ADDRESS": "30 per minute",
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per minute; 20 per hour",
    # OpenAPI document and a Swagger UI whose assets come from the swagger-ui-bundle package
    "API_TITLE": "Xingfeng 行风建设 API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",
    "API_SPEC_OPTIONS": {"security": [{"bearerAuth": []}]},
    "JSON_AS_ASCII": False,
    "BABEL_DEFAULT_LOCALE": "zh",
    # Web pages: Bootstrap from the installed package (no CDN); CSRF checked by the web blueprint's forms only
    "BOOTSTRAP_SERVE_LOCAL": True,
    "WTF_CSRF_CHECK_DEFAULT": False,
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    #: None: Secure outside development and tests (make run serves plain http on 127.0.0.1)
    "SESSION_COOKIE_SECURE": None,
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
    #: evidence files (佐证材料), stored by SHA-256; defaults to <instance>/evidence
    "EVIDENCE_FOLDER": None,
    "EVIDENCE_MAX_BYTES": 20 * 1024 * 1024,
    # E-mail of notifications (xingfeng sweep sends them); off while MAIL_SMTP_HOST is empty
    "MAIL_SMTP_HOST": None,
    "MAIL_SMTP_PORT": 25,
    "MAIL_SMTP_STARTTLS": False,
    "MAIL_SMTP_USERNAME": None,
    "MAIL_SMTP_PASSWORD": None,
    "MAIL_SMTP_TIMEOUT": 10,
    "MAIL_FROM": "xingfeng@localhost",
    #: the site's address as users reach it, put before the links in mails (e.g. https://xingfeng.example.gov.cn)
    "MAIL_BASE_URL": "",
}


def from_environment(config: dict[str, Any]) -> None:
    """Read the well-known unprefixed variables; ``XINGFENG_*`` ones are read by Flask itself."""
    if os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    for name in ("SECRET_KEY", "REDIS_URL", "MIGRATIONS_DATABASE_URL", "READER_DATABASE_URL"):
        if os.environ.get(name):
            config[name] = os.environ[name]


def database_url(url: str | None) -> str | None:
    """Spell a PostgreSQL URL for psycopg2, the driver we install (SQLAlchemy 2.1 would pick psycopg 3)."""
    if not url:
        return url
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def normalise(config: dict[str, Any]) -> None:
    """Derive settings from others once every source has been applied."""
    for key in ("SQLALCHEMY_DATABASE_URI", "MIGRATIONS_DATABASE_URL"):
        config[key] = database_url(config.get(key))
    if (config.get("SQLALCHEMY_DATABASE_URI") or "").startswith("postgresql"):
        options = config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options.setdefault("pool_pre_ping", True)
    if config.get("REDIS_URL") and config.get("RATELIMIT_STORAGE_URI") == "memory://":
        config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"]
