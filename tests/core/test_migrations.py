"""The migrations build the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

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
