"""Team conduct and integrity (队伍建设与廉政): the staff register with certificates

Revision ID: integrity_0001
Revises:
Create Date: 2026-12-02 22:50:00

"""

import sqlalchemy as sa
from alembic import op

from core.plugin_api import BigId, UTCDateTime, disable_row_level_security, enable_row_level_security, grant_to_app_role

# revision identifiers, used by Alembic.
revision = "integrity_0001"
down_revision = None
branch_labels = ("integrity",)
depends_on = "0003"  # tenant, unit, problem

TABLES = ("integrity_staff",)


def upgrade():
    op.create_table(
        "integrity_staff",
        sa.Column("id", BigId, nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("post", sa.String(length=100), nullable=False),
        sa.Column("certificate_no", sa.String(length=40), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_integrity_staff_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_integrity_staff_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_staff")),
        sa.UniqueConstraint("tenant_id", "certificate_no", name=op.f("uq_integrity_staff_tenant_id_certificate_no")),
    )
    with op.batch_alter_table("integrity_staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_integrity_staff_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_integrity_staff_tenant_id_unit_id", ["tenant_id", "unit_id"], unique=False)
    for table in TABLES:
        enable_row_level_security(table)
    grant_to_app_role()


def downgrade():
    for table in reversed(TABLES):
        disable_row_level_security(table)
        op.drop_table(table)
