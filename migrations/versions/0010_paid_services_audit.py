"""Paid-service audits of technical agencies (有偿服务): tables moved to the paid_services plugin

The paid_services tables are now created by the plugin's own Alembic branch (plugins/paid_services/migrations/versions,
revision paid_services_0001). This revision stays in the core chain and does nothing, so that a database already at or
past it keeps a valid history; it changed no core table, so there is nothing to keep.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 20:30:00

"""

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
