"""Reporting tasks (信息报送) can be closed: closed_at / closed_by on oversight_reporting_task

A closed task takes no further submissions or returns (issue 13, item 2). The table is city-owned (no tenant_id,
no row-level security), so only the two columns are added.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 10:00:00

"""

import sqlalchemy as sa
from alembic import op

from core.platform.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("oversight_reporting_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("closed_by", sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table("oversight_reporting_task", schema=None) as batch_op:
        batch_op.drop_column("closed_by")
        batch_op.drop_column("closed_at")
