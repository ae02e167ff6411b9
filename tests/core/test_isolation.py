"""Tenant isolation below the ORM: row-level security on PostgreSQL, and the one named city-wide opt-out."""

from __future__ import annotations

import logging

import pytest
from fixtures.app import ON_POSTGRES
from fixtures.ledger import problem_with_objects
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, OperationalError

import core.models  # noqa: F401 - so that every tenant-owned table is listed
from core.db import city_wide, db, set_tenant, tenant_scoped_tables
from core.tenancy.models import Unit

postgres = pytest.mark.skipif(not ON_POSTGRES, reason="row-level security needs PostgreSQL (DATABASE_URL)")


def test_every_tenant_owned_table_is_known():
    assert set(tenant_scoped_tables()) >= {"unit", "plugin_setting", "problem", "problem_event", "attachment"}


@postgres
def test_app_role_is_not_privileged(db):
    row = db.session.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
    assert tuple(row) == (False, False), "run the suite as xingfeng_app (see .ci/pg-setup)"


def populate(client, world):
    """Give a tenant a row in every tenant-owned table, through the API as users would."""
    from datetime import date

    h = world.headers("tenant_admin")
    client.put(f"/api/v1/units/{world.station.id}/plugins/approval", json={"enabled": False}, headers=h)
    client.put(
        "/api/v1/ledger/local-fields", json={"fields": [{"code": "no", "label": "号", "type": "text"}]}, headers=h
    )
    made = problem_with_objects(client, world)
    client.post(f"/api/v1/problems/{made['problem']}/notes", json={"text": "进展"}, headers=world.headers("officer"))
    client.post(
        f"/api/v1/problems/{made['problem']}/referrals",
        json={"referred_on": date.today().isoformat(), "receiving_body": "纪委", "document_number": "1号"},
        headers=h,
    )


@postgres
@pytest.mark.parametrize("table", tenant_scoped_tables())
def test_raw_select_sees_only_the_tenant_in_scope(db, client, tenant, other_tenant, table):
    populate(client, tenant)
    populate(client, other_tenant)
    a, b = tenant.tenant.id, other_tenant.tenant.id
    query = text(f"SELECT tenant_id FROM {table}")  # no WHERE: RLS alone must filter
    set_tenant(b)
    assert {r[0] for r in db.session.execute(query)} == {b}, f"{table} needs rows of both tenants for this test"
    set_tenant(a)
    seen = {r[0] for r in db.session.execute(query)}
    assert seen == {a}
    set_tenant(None)
    assert db.session.execute(query).all() == []


@postgres
def test_rls_refuses_writing_another_tenants_rows(db, tenant, other_tenant):
    set_tenant(tenant.tenant.id)
    nested = db.session.begin_nested()
    with pytest.raises(DBAPIError):
        db.session.execute(
            text(
                "INSERT INTO unit (tenant_id, code, name, kind, sort_order, created_at) "
                "VALUES (:t, 'sneaky', 'x', 'station', 0, now())"
            ),
            {"t": other_tenant.tenant.id},
        )
    nested.rollback()
    changed = db.session.execute(
        text("UPDATE unit SET name = 'hacked' WHERE tenant_id = :t"), {"t": other_tenant.tenant.id}
    )
    assert changed.rowcount == 0


@pytest.fixture
def committed_tenants(app):
    """Two tenants with a unit each, committed for real: the city-wide login reads on its own connection."""
    from fixtures.app import OWNER_URL
    from sqlalchemy import create_engine

    engine = create_engine(OWNER_URL) if ON_POSTGRES else create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    ids = []
    with engine.begin() as conn:
        for slug in ("cwa", "cwb"):
            tenant_id = conn.execute(
                text(
                    "INSERT INTO tenant (slug, name, code, status, is_city, settings, created_at) "
                    "VALUES (:s, :s, upper(:s), 'active', false, '{}', CURRENT_TIMESTAMP) RETURNING id"
                ),
                {"s": slug},
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO unit (tenant_id, code, name, kind, sort_order, created_at) "
                    "VALUES (:t, 'root', :n, 'bureau', 0, CURRENT_TIMESTAMP)"
                ),
                {"t": tenant_id, "n": f"{slug} 局"},
            )
            ids.append(tenant_id)
    try:
        yield ids
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM unit WHERE tenant_id IN (:a, :b)"), {"a": ids[0], "b": ids[1]})
            conn.execute(text("DELETE FROM tenant WHERE id IN (:a, :b)"), {"a": ids[0], "b": ids[1]})
        engine.dispose()


def test_city_wide_reads_every_tenant_read_only_and_is_logged(app, committed_tenants, caplog):
    caplog.set_level(logging.INFO, logger="core.db")
    with app.app_context():
        set_tenant(committed_tenants[0])
        with city_wide("test: count units", actor="user:1") as session:
            tenants_seen = {u.tenant_id for u in session.scalars(select(Unit))}
            with pytest.raises((DBAPIError, OperationalError)):
                session.execute(text("UPDATE unit SET name = 'x'"))
        # The application's own session is still scoped to its tenant.
        assert {u.tenant_id for u in db.session.scalars(select(Unit))} == {committed_tenants[0]}
        db.session.remove()
    assert tenants_seen >= set(committed_tenants)
    assert "city-wide read by user:1: test: count units" in caplog.text


@postgres
def test_the_application_cannot_become_the_reader(db):
    """SET ROLE to the reader would let any SQL the app runs see every tenant: the app must not be a member."""
    row = db.session.execute(text("SELECT pg_has_role(current_user, 'xingfeng_reader', 'MEMBER')")).scalar_one()
    assert row is False
    nested = db.session.begin_nested()
    with pytest.raises(DBAPIError, match="permission denied"):
        db.session.execute(text("SET LOCAL ROLE xingfeng_reader"))
    nested.rollback()


@postgres
def test_grants_keep_events_append_only_and_credentials_from_the_reader(db):
    privileges = dict(
        db.session.execute(
            text(
                "SELECT 'app_update_events', has_table_privilege('xingfeng_app', 'problem_event', 'UPDATE') "
                "UNION ALL SELECT 'reader_tokens', has_table_privilege('xingfeng_reader', 'api_token', 'SELECT') "
                "UNION ALL SELECT 'reader_users', has_table_privilege('xingfeng_reader', 'user_account', 'SELECT') "
                "UNION ALL SELECT 'app_alembic', has_table_privilege('xingfeng_app', 'alembic_version', 'UPDATE')"
            )
        ).all()
    )
    assert privileges == {
        "app_update_events": False,
        "reader_tokens": False,
        "reader_users": False,
        "app_alembic": False,
    }
