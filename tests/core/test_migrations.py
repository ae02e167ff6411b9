"""The migrations build the schema the models describe."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url

from core.platform.db import db


def test_models_and_migrations_agree(app, db_url):
    from fixtures.app import ON_POSTGRES, OWNER_URL
    from sqlalchemy import create_engine

    engine = create_engine(OWNER_URL) if ON_POSTGRES else create_engine(db_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, db.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_default_campaign_phases_are_seeded(db):
    from core.tenancy.models import CampaignPhase

    phases = db.session.scalars(db.select(CampaignPhase).order_by(CampaignPhase.starts_on)).all()
    assert [(p.code, p.name) for p in phases] == [("2023", "排查治理"), ("2024", "深化拓展"), ("2025", "巩固提升")]


LEGACY = Path(__file__).resolve().parent.parent / "fixtures" / "legacy_migrations"
PLUGIN_HEADS = {
    "approval_0001",
    "enforcement_0001",
    # the integrity branch: 0001, 0002, 0003_training, 0005_certificates, 0004_leads (in the order they landed)
    "integrity_0004_leads",
    "paid_services_0001",
    "supervision_0001",
}
ROWS = {
    "tenant": "SELECT id, slug, name, code, status, is_city, settings, created_at FROM tenant",
    "unit": "SELECT id, tenant_id, code, name, kind, sort_order, created_at FROM unit",
    "paid_services_agency": "SELECT * FROM paid_services_agency",
}


def _legacy_upgrade() -> None:
    """Build the schema as it was before the split: the frozen copy of the linear core chain 0001..0010."""
    from alembic import command
    from alembic.config import Config

    from core.app import MIGRATIONS_DIR

    config = Config(str(Path(MIGRATIONS_DIR) / "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS_DIR)
    config.set_main_option("version_locations", str(LEGACY))
    command.upgrade(config, "head")


@pytest.fixture
def legacy_url(tmp_path):
    """An empty database for the legacy chain: a file on SQLite; on PostgreSQL a schema of its own."""
    from fixtures.app import ON_POSTGRES, OWNER_URL
    from sqlalchemy import create_engine, text

    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'legacy.sqlite3'}"
        return
    schema = f"legacy_{uuid.uuid4().hex[:8]}"
    owner = create_engine(OWNER_URL)
    with owner.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(OWNER_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with owner.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        owner.dispose()


def test_database_from_before_the_split_is_adopted(app, legacy_url, monkeypatch):
    """A database at the old head 0010 reaches the new heads with every row as it was, and the models' schema.

    Runs on SQLite, and on PostgreSQL (as the owner, in a schema of its own) when DATABASE_URL is set."""
    from fixtures.app import app_config
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from core.app import create_app
    from core.platform.extensions import limiter

    url = legacy_url
    for name in ("DATABASE_URL", "MIGRATIONS_DATABASE_URL"):  # the environment would win over the test's settings
        monkeypatch.delenv(name, raising=False)
    other = create_app(app_config(url, MIGRATIONS_DATABASE_URL=url))
    try:
        with other.app_context():
            _legacy_upgrade()
            engine = create_engine(url)
            with engine.begin() as conn:
                assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == ["0010"]
                conn.execute(
                    text(
                        "INSERT INTO tenant (id, slug, name, code, status, is_city, settings, created_at) VALUES "
                        "(901, 'legacy', '旧区', '330199', 'active', :no, '{}', '2026-11-30 08:00:00.000000')"
                    ),
                    {"no": False},
                )
                conn.execute(
                    text(
                        "INSERT INTO unit (id, tenant_id, code, name, kind, sort_order, created_at) VALUES "
                        "(902, 901, 'u1', '窗口', 'station', 1, '2026-11-30 08:00:00.000000')"
                    )
                )
                conn.execute(
                    text(
                        "INSERT INTO paid_services_agency (id, tenant_id, unit_id, name, kind, credit_code, cma_number,"
                        " cma_expires_on, created_by, created_at, updated_at) VALUES (903, 901, 902, '检测所',"
                        " 'testing', '91330100MA2AAAAA1X', 'CMA-1', '2027-01-31', 'admin',"
                        " '2026-11-30 08:00:00.000000', '2026-11-30 08:00:00.000000')"
                    )
                )
                before = {table: conn.execute(text(sql)).all() for table, sql in ROWS.items()}

            upgrade(revision="heads")

            with engine.connect() as conn:
                heads = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
                after = {table: conn.execute(text(sql)).all() for table, sql in ROWS.items()}
                ctx = MigrationContext.configure(conn, opts={"compare_type": True})
                diff = compare_metadata(ctx, db.metadata)
            engine.dispose()
            db.engine.dispose()
    finally:
        limiter.init_app(app)  # the limiter is one object: give it back the session app's storage
    assert heads == {"0014"} | PLUGIN_HEADS
    assert after == before
    assert all(before.values())
    assert diff == []


def test_hook_xingfeng_register_migrations(app):
    """Each bundled plugin registers its own versions folder; Alembic sees the core's chain and every branch."""
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    registry = app.extensions["xingfeng"]
    for name in ("approval", "enforcement", "integrity", "paid_services", "supervision"):
        folder = Path(__file__).resolve().parents[2] / "plugins" / name / "migrations" / "versions"
        assert str(folder) in registry.migrations
    with app.app_context():
        migrate: Migrate = app.extensions["migrate"].migrate
        script = ScriptDirectory.from_config(migrate.get_config())
        assert set(script.get_heads()) == {"0014"} | PLUGIN_HEADS
        for name in ("approval", "enforcement", "integrity", "paid_services", "supervision"):
            first = script.get_revision(f"{name}_0001")
            assert first.branch_labels == {name}
            assert first.down_revision is None


def test_db_upgrade_defaults_to_every_head(app):
    from flask_migrate.cli import db as db_group

    revision = next(p for p in db_group.commands["upgrade"].params if p.name == "revision")
    assert revision.default == "heads"


def test_plugin_migrations_import_only_the_plugin_api():
    import re

    root = Path(__file__).resolve().parents[2] / "plugins"
    for path in root.glob("*/migrations/versions/*.py"):
        for module in re.findall(r"^(?:from|import) (\S+)", path.read_text(encoding="utf-8"), re.M):
            assert module in {"sqlalchemy", "alembic", "core.plugin_api"}, (path.name, module)
