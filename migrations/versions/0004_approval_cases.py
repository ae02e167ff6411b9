"""Approval services: service-case records (办件): tables moved to the approval plugin

The approval tables are now created by the plugin's own Alembic branch (plugins/approval/migrations/versions,
revision approval_0001). This revision stays in the core chain and does nothing, so that a database already at or
past it keeps a valid history; it changed no core table, so there is nothing to keep.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 20:30:00

"""

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
