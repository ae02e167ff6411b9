"""Tenant isolation below the ORM: row-level security on PostgreSQL, and the one named city-wide opt-out."""

from __future__ import annotations

import logging

import pytest
from fixtures.app import ON_POSTGRES
from fixtures.ledger import problem_with_objects
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

import core.models  # noqa: F401 - so that every tenant-owned table is listed
from core.db import city_wide, set_tenant, tenant_scope, tenant_scoped_tables
from core.tenancy.models import Unit

postgres = pytest.mark.skipif(not ON_POSTGRES, reason="row-level security needs PostgreSQL (DATABASE_URL)")


def test_every_tenant_owned_table_is_known():
    assert set(tenant_scoped_tables()) >= {"unit", "plugin_setting", "problem", "problem_event", "attachment"}


@postgres
def test_app_role_is_not_privileged(db):
    row = db.session.execute(
        text("SELECT rolsuper, rolbypassrls, rolinherit FROM pg_roles WHERE rolname = current_user")
    ).one()
    assert tuple(row) == (False, False, False), "run the suite as xingfeng_app (see .ci/pg-setup)"


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
    set_tenant(None)
    with city_wide("test: both tenants have rows"):
        both = {r[0] for r in db.session.execute(text(f"SELECT DISTINCT tenant_id FROM {table}"))}
    assert both == {a, b}, f"{table} needs rows of both tenants for this test to mean anything"
    query = text(f"SELECT tenant_id FROM {table}")  # no WHERE: RLS alone must filter
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


def test_city_wide_reads_every_tenant_read_only_and_is_logged(db, tenant, other_tenant, caplog):
    caplog.set_level(logging.INFO, logger="core.db")
    set_tenant(tenant.tenant.id)
    with city_wide("test: count units", actor="user:1") as session:
        tenants_seen = {u.tenant_id for u in session.scalars(db.select(Unit))}
        nested = session.begin_nested()
        with pytest.raises((DBAPIError, OperationalError)):
            session.execute(text("UPDATE unit SET name = 'x'"))
        nested.rollback()
    assert tenants_seen == {tenant.tenant.id, other_tenant.tenant.id}
    assert "city-wide read by user:1: test: count units" in caplog.text
    # Back in the tenant's scope afterwards.
    assert {u.tenant_id for u in db.session.scalars(db.select(Unit))} == {tenant.tenant.id}
    with tenant_scope(other_tenant.tenant.id):
        assert {u.tenant_id for u in db.session.scalars(db.select(Unit))} == {other_tenant.tenant.id}
