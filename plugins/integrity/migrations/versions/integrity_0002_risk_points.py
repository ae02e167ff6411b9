"""Team conduct and integrity (队伍建设与廉政): integrity risk points per post (廉政风险点)

Revision ID: integrity_0002
Revises: integrity_0001
Create Date: 2026-12-09 10:00:00

"""

import sqlalchemy as sa
from alembic import op

from core.plugin_api import BigId, UTCDateTime, disable_row_level_security, enable_row_level_security, grant_to_app_role

# revision identifiers, used by Alembic.
revision = "integrity_0002"
down_revision = "integrity_0001"
branch_labels = None
depends_on = None

TABLE = "integrity_risk_point"


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("post", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("responsible", sa.String(length=50), nullable=False),
        sa.Column("responsible_staff_id", BigId, nullable=True),
        sa.Column("review_due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("retired_reason", sa.String(length=200), nullable=False),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["responsible_staff_id"],
            ["integrity_staff.id"],
            name=op.f("fk_integrity_risk_point_responsible_staff_id_integrity_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_integrity_risk_point_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_integrity_risk_point_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_risk_point")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_integrity_risk_point_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_integrity_risk_point_tenant_id_unit_id", ["tenant_id", "unit_id"], unique=False)
        batch_op.create_index("ix_integrity_risk_point_tenant_id_review_due", ["tenant_id", "review_due"], unique=False)
    enable_row_level_security(TABLE)
    grant_to_app_role()


def downgrade():
    disable_row_level_security(TABLE)
    op.drop_table(TABLE)
