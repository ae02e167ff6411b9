"""Enforcement case-file review (执法案卷评查): tables moved to the enforcement plugin

The enforcement tables are now created by the plugin's own Alembic branch (plugins/enforcement/migrations/versions,
revision enforcement_0001). This revision stays in the core chain and does nothing, so that a database already at or
past it keeps a valid history; it changed no core table, so there is nothing to keep.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 20:30:00

"""

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
