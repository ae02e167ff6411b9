"""Daily supervision: random-inspection tasks, pools and draws (双随机): tables moved to the supervision plugin

The supervision tables are now created by the plugin's own Alembic branch (plugins/supervision/migrations/versions,
revision supervision_0001). This revision stays in the core chain and does nothing, so that a database already at or
past it keeps a valid history; it changed no core table, so there is nothing to keep.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 20:30:00

"""

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
