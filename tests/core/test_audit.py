"""The audit chain: every change is an event; verify proves none was altered or removed."""

from __future__ import annotations

import threading

import pytest
from fixtures.app import ON_POSTGRES, OWNER_URL
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core.audit import chain
from core.audit.models import AuditEvent
from core.platform.db import db, set_tenant, tenant_scope

postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)")


def _events(tenant_id, n=5):
    with tenant_scope(tenant_id):
        for i in range(n):
            chain.append("test.note", "user:1", {"i": i, "text": f"第{i}条"})
    db.session.commit()


def _verify(runner, *args):
    return runner.invoke(args=["audit", "verify", *args])


def test_chain_links_and_verifies(db, runner, tenant, other_tenant):
    _events(tenant.tenant.id)
    _events(other_tenant.tenant.id, 3)
    with tenant_scope(tenant.tenant.id):
        rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
        assert rows[0].prev_hash == chain.GENESIS
        assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
        assert chain.chain_hash(rows[2].prev_hash, rows[2].body) == rows[2].hash
        assert '"text":"第2条"' in rows[2].body  # stored as the canonical text that was hashed
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "verified 2 tenant(s), 8 events" in result.output
    assert "broken: 0" in result.output


@pytest.fixture
def chain_tenant(app, db, tenant):
    """A tenant with five committed events, and a way to tamper with them as someone with database access.

    On PostgreSQL the application role may not change events and the owner cannot see the test's own
    transaction, so the chain is written and committed on separate connections, then cleaned up.
    """
    if not ON_POSTGRES:
        _events(tenant.tenant.id)

        def tamper(sql, params):
            db.session.execute(text(sql), params)
            db.session.commit()

        yield "alpha", tenant.tenant.id, tamper
        return
    from fixtures.app import POSTGRES_URL

    from core.platform.config import database_url

    owner = create_engine(OWNER_URL)
    with owner.begin() as conn:
        tenant_id = conn.execute(
            text(
                "INSERT INTO tenant (slug, name, code, status, is_city, settings, created_at) "
                "VALUES ('chain', '审计测试局', 'CHN', 'active', false, '{}', now()) RETURNING id"
            )
        ).scalar_one()
    engine = create_engine(database_url(POSTGRES_URL))
    with Session(engine) as session:
        db.session.registry.set(session)
        set_tenant(tenant_id, session)
        for i in range(5):
            chain.append("test.note", "user:1", {"i": i, "text": f"第{i}条"})
        session.commit()
    db.session.registry.clear()
    engine.dispose()

    def tamper(sql, params):
        with owner.begin() as conn:
            conn.execute(text(sql), params)

    try:
        yield "chain", tenant_id, tamper
    finally:
        with owner.begin() as conn:
            for table in ("problem_event", "audit_head"):
                conn.execute(text(f"DELETE FROM {table} WHERE tenant_id = :t"), {"t": tenant_id})
            conn.execute(text("DELETE FROM tenant WHERE id = :t"), {"t": tenant_id})
        owner.dispose()


def test_altered_event_is_named(runner, chain_tenant):
    slug, tenant_id, tamper = chain_tenant
    assert _verify(runner, "--tenant", slug).exit_code == 0
    tamper(
        "UPDATE problem_event SET body = replace(body, '第3条', '第三条') WHERE tenant_id = :t AND seq = 4",
        {"t": tenant_id},
    )
    result = _verify(runner, "--tenant", slug)
    assert result.exit_code == 1
    assert f"BROKEN {slug}: event 4: hash does not match the stored body" in result.output


def test_removed_event_is_named(runner, chain_tenant):
    slug, tenant_id, tamper = chain_tenant
    tamper("DELETE FROM problem_event WHERE tenant_id = :t AND seq = 3", {"t": tenant_id})
    result = _verify(runner, "--tenant", slug)
    assert result.exit_code == 1
    assert f"BROKEN {slug}: event 3: event 3 is missing" in result.output


def test_rewritten_actor_column_is_caught(runner, chain_tenant):
    slug, tenant_id, tamper = chain_tenant
    tamper("UPDATE problem_event SET actor = 'user:99' WHERE tenant_id = :t AND seq = 2", {"t": tenant_id})
    result = _verify(runner, "--tenant", slug)
    assert "event 2: columns differ from the hashed body" in result.output


def test_removed_last_event_is_caught_by_the_head(db, runner, tenant):
    _events(tenant.tenant.id)
    with tenant_scope(tenant.tenant.id):
        rows = list(chain.event_rows(tenant.tenant.id))
        head = (5, rows[-1][7])
        result = chain.verify_rows(tenant.tenant.id, rows[:-1], head)
    assert result.broken is not None
    assert "chain ends at 4, head says 5" in result.broken.reason


def test_personal_data_enters_only_as_a_keyed_hash(app):
    import hashlib

    with app.app_context():
        hashed = chain.personal("13800138000")
        assert chain.personal("13800138000") == hashed  # the same contact matches itself
    assert "13800138000" not in chain.canonical({"contact": hashed})
    assert len(hashed["hmac_sha256"]) == 64
    assert hashed["hmac_sha256"] != hashlib.sha256(b"13800138000").hexdigest()  # not reversible by trying numbers


@postgres
def test_application_role_cannot_change_or_remove_events(db, tenant):
    _events(tenant.tenant.id)
    set_tenant(tenant.tenant.id)
    for sql in ("UPDATE problem_event SET actor = 'x'", "DELETE FROM problem_event"):
        nested = db.session.begin_nested()
        with pytest.raises(DBAPIError, match="permission denied"):
            db.session.execute(text(sql))
        nested.rollback()


@postgres
def test_concurrent_appends_never_fork_the_chain(app, database_url_for_threads):
    """Two threads append to one tenant's chain at once, each in its own committed transactions."""
    owner = create_engine(OWNER_URL)
    with owner.begin() as conn:
        tenant_id = conn.execute(
            text(
                "INSERT INTO tenant (slug, name, code, status, is_city, settings, created_at) "
                "VALUES ('race', '并发测试局', 'RACE', 'active', false, '{}', now()) RETURNING id"
            )
        ).scalar_one()
    engine = create_engine(database_url_for_threads)
    errors = []

    def writer(name):
        try:
            with app.app_context():
                for i in range(40):
                    with Session(engine) as session:
                        db.session.registry.set(session)
                        set_tenant(tenant_id, session)
                        chain.append("test.note", f"system:{name}", {"i": i})
                        session.commit()
                db.session.registry.clear()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        with app.app_context(), Session(engine) as session:
            db.session.registry.set(session)
            set_tenant(tenant_id, session)
            result = chain.verify_tenant(tenant_id)
            db.session.registry.clear()
        assert result.broken is None
        assert result.events == 80
    finally:
        engine.dispose()
        with owner.begin() as conn:
            for table in ("problem_event", "audit_head"):
                conn.execute(text(f"DELETE FROM {table} WHERE tenant_id = :t"), {"t": tenant_id})
            conn.execute(text("DELETE FROM tenant WHERE id = :t"), {"t": tenant_id})
        owner.dispose()


@pytest.fixture
def database_url_for_threads():
    from fixtures.app import POSTGRES_URL

    from core.platform.config import database_url

    return database_url(POSTGRES_URL)
