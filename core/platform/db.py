"""Database base classes and the tenant scope that every ORM query goes through."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, MetaData, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    declared_attr,
    mapped_column,
    registry,
    with_loader_criteria,
)
from sqlalchemy.types import TypeDecorator

from core.platform.config import database_url

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: PostgreSQL role that city-wide reads switch to (SELECT only; sees every tenant through its own policy).
READER_ROLE = "xingfeng_reader"
#: PostgreSQL role the application logs in as (owns nothing, no BYPASSRLS, NOINHERIT).
APP_ROLE = "xingfeng_app"

# BigInteger on PostgreSQL, but INTEGER on SQLite so that the column is the rowid alias and autoincrements.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every backend (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


db = SQLAlchemy(model_class=Base)


class TenantError(RuntimeError):
    """A write or read that does not belong to the tenant the session is scoped to."""


class TenantScoped:
    """Mixin for every tenant-owned table: a ``tenant_id`` column, filled on flush, filtered on every query."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr takes the class
        return mapped_column(BigId, ForeignKey("tenant.id", ondelete="RESTRICT"), nullable=False, index=True)


def tenant_scoped_tables() -> list[str]:
    """Names of the tables that carry tenant_id and row-level security."""
    return sorted(
        m.local_table.name
        for m in Base.registry.mappers
        if issubclass(m.class_, TenantScoped) and m.local_table is not None
    )


# --- the tenant of the current session ----------------------------------------------------------------------


def current_tenant_id(session: Session | None = None) -> int | None:
    return (session or db.session).info.get("tenant_id")


def _push_setting(session: Session, connection: Any = None) -> None:
    """Tell PostgreSQL which tenant this transaction belongs to (row-level security reads it)."""
    bind = connection if connection is not None else session.connection()
    if bind.dialect.name != "postgresql":
        return
    value = session.info.get("tenant_id")
    bind.execute(
        text("SELECT set_config('app.tenant_id', :tenant, true)"),
        {"tenant": "" if value is None else str(value)},
    )


def set_tenant(tenant_id: int | None, session: Session | None = None) -> None:
    """Scope the session (and, on PostgreSQL, the transaction) to one tenant; None scopes it to none."""
    session = session or db.session()
    session.info["tenant_id"] = tenant_id
    if session.in_transaction():
        _push_setting(session)


@contextmanager
def tenant_scope(tenant_id: int | None, session: Session | None = None):
    """Run a block scoped to another tenant, then restore the previous scope (CLI and provisioning)."""
    session = session or db.session()
    previous = session.info.get("tenant_id")
    set_tenant(tenant_id, session)
    try:
        yield
    finally:
        set_tenant(previous, session)


_reader_engines: dict[str, Any] = {}


def _reader_engine() -> Engine:
    """The engine of the read-only reader login (PostgreSQL), or a query-only one on the same SQLite file."""
    from flask import current_app

    main = db.engine
    if main.dialect.name == "postgresql":
        url = database_url(current_app.config.get("READER_DATABASE_URL"))
        if not url:
            raise RuntimeError("READER_DATABASE_URL is not set: city-wide reads need the xingfeng_reader login")
    else:
        url = main.url.render_as_string(hide_password=False)
    if url not in _reader_engines:
        from sqlalchemy import create_engine

        engine = create_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":

            @event.listens_for(engine, "connect")
            def _query_only(dbapi_connection: Any, connection_record: Any) -> None:
                dbapi_connection.execute("PRAGMA query_only = 1")

        _reader_engines[url] = engine
    return _reader_engines[url]


@contextmanager
def city_wide(reason: str, actor: str = "system"):
    """The one named opt-out from the tenant scope: a read-only view of every tenant, logged on each use.

    It yields its own session on a separate login, ``xingfeng_reader`` (SELECT only, and a policy that shows it
    every tenant's rows), never the owner. The application's role is not a member of it, so nothing run on the
    application's connection can switch to it. On SQLite the session's connection is query-only. Read with the
    yielded session; its objects are for reading and are gone when the block ends.
    """
    log.info("city-wide read by %s: %s", actor, reason)
    session = Session(_reader_engine())
    session.info["all_tenants"] = True
    try:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET TRANSACTION READ ONLY"))
        yield session
    finally:
        session.rollback()
        session.close()


@event.listens_for(Session, "after_begin")
def _after_begin(session: Session, transaction: Any, connection: Any) -> None:
    if transaction.nested or session.info.get("all_tenants"):
        return
    # A transaction of our own starts with no tenant set (the setting is transaction-local), so saying "none"
    # would cost a round trip on every request. A session joined to an outer transaction (the tests) must say
    # it: a setting from an earlier "request" would still be in force there.
    if "tenant_id" in session.info or session.info.get("outer_transaction"):
        _push_setting(session, connection)


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state: Any) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.session.info.get("all_tenants"):
        return
    tenant_id = state.session.info.get("tenant_id")
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session: Session, flush_context: Any, instances: Any) -> None:
    tenant_id = session.info.get("tenant_id")
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantError(f"{type(obj).__name__} written with no tenant in scope")
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id:
            raise TenantError(f"{type(obj).__name__} of tenant {obj.tenant_id} written in scope {tenant_id}")


# --- SQLite: WAL, busy timeout, foreign keys, and real SAVEPOINTs --------------------------------------------


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy issue BEGIN itself (below) so that SAVEPOINT works; pysqlite's own handling breaks it.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA busy_timeout = 10000")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Any) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")


def scoped_get(model: type, ident: int) -> Any:
    """Load a tenant-owned row by id through the tenant filter.

    ``Session.get`` may answer from the identity map without asking the database, and so without the filter.
    """
    if not isinstance(ident, int) or not -(2**63) <= ident < 2**63:
        return None
    return db.session.scalar(select(model).where(model.id == ident))


def locked_row(model: type, key: dict[str, Any], defaults: dict[str, Any]) -> Any:
    """The row of ``model`` with ``key``, created with ``defaults`` if missing, locked until the transaction ends.

    Used for counters and chain heads that concurrent writers must take in turn: INSERT … ON CONFLICT DO NOTHING
    then SELECT … FOR UPDATE (SQLite serialises writers by itself and ignores FOR UPDATE).
    """
    session = db.session()
    held = session.info.setdefault("locked_rows", {})
    cache_key = (model, tuple(sorted(key.items())))
    if cache_key in held:
        # Already locked by this transaction: the lock holds until it ends, so the row can be reused.
        return held[cache_key]
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(model).values(**key, **defaults).on_conflict_do_nothing(index_elements=list(key)))
    query = select(model).filter_by(**key).with_for_update().execution_options(populate_existing=True)
    held[cache_key] = row = session.scalar(query)
    return row


@event.listens_for(Session, "after_transaction_end")
def _release_locked_rows(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop("locked_rows", None)


# --- prepared statements for hot read paths (PostgreSQL) -----------------------------------------------------

_PREPARED_KEY = "xingfeng_prepared"
#: id of a long-lived statement object -> (prepared name, SQL with $n, parameter names in order)
_prepared_sql: dict[int, tuple[str, str, tuple[str, ...]]] = {}


@event.listens_for(Engine, "connect")
def _forget_prepared(dbapi_connection: Any, connection_record: Any) -> None:
    # A new server connection has no prepared statements, whatever the pool record remembers.
    connection_record.info.pop(_PREPARED_KEY, None)
    if not isinstance(dbapi_connection, sqlite3.Connection):
        # Timestamps come back in UTC whatever the server's default, also on the raw (prepared) path.
        cursor = dbapi_connection.cursor()
        cursor.execute("SET TIME ZONE 'UTC'")
        cursor.close()
        dbapi_connection.commit()


def execute_prepared(statement: Any, params: dict[str, Any]) -> Any:
    """Run a statement that is built once (with bind parameters) as a server-side prepared statement.

    PostgreSQL then plans it once per connection instead of on every call, which for the ledger's list page costs
    more than running it. The statement must filter by tenant itself: raw execution bypasses the ORM's tenant
    criteria (row-level security still applies). Elsewhere it runs as an ordinary ORM statement.
    """
    import re

    session = db.session()
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return session.execute(statement, params)
    entry = _prepared_sql.get(id(statement))
    if entry is None:
        compiled = str(statement.compile(dialect=conn.dialect))
        order: list[str] = []

        def number(match: Any) -> str:
            name = match.group(1)
            if name not in order:
                order.append(name)
            return f"${order.index(name) + 1}"

        sql = re.sub(r"%\((\w+)\)s", number, compiled).replace("%%", "%")
        entry = _prepared_sql[id(statement)] = (f"xf_{len(_prepared_sql)}", sql, tuple(order))
    name, sql, order = entry
    prepared = conn.connection.info.setdefault(_PREPARED_KEY, set())
    if name not in prepared:
        conn.exec_driver_sql(f"PREPARE {name} AS {sql}")
        prepared.add(name)
    placeholders = ", ".join(["%s"] * len(order))
    return conn.exec_driver_sql(f"EXECUTE {name}({placeholders})", tuple(params[key] for key in order))
