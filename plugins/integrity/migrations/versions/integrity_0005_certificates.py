"""Team conduct and integrity (队伍建设与廉政): certificate settings, past certificates, leaving the register

Revision ID: integrity_0005_certificates
Revises: integrity_0003_training
Create Date: 2026-12-10 10:00:00

"""

import sqlalchemy as sa
from alembic import op

from core.plugin_api import BigId, UTCDateTime, disable_row_level_security, enable_row_level_security, grant_to_app_role

# revision identifiers, used by Alembic.
revision = "integrity_0005_certificates"
down_revision = "integrity_0003_training"
branch_labels = None
depends_on = None

TABLES = ("integrity_setting", "integrity_past_certificate")


def upgrade():
    with op.batch_alter_table("integrity_staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("left_reason", sa.String(length=200), nullable=True))
    op.create_table(
        "integrity_setting",
        sa.Column("id", BigId, nullable=False),
        sa.Column("expiring_days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_integrity_setting_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_setting")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_integrity_setting_tenant_id")),
    )
    with op.batch_alter_table("integrity_setting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_integrity_setting_tenant_id"), ["tenant_id"], unique=False)
    op.create_table(
        "integrity_past_certificate",
        sa.Column("id", BigId, nullable=False),
        sa.Column("staff_id", BigId, nullable=False),
        sa.Column("certificate_no", sa.String(length=40), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("replaced_by", sa.String(length=64), nullable=False),
        sa.Column("replaced_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["integrity_staff.id"],
            name=op.f("fk_integrity_past_certificate_staff_id_integrity_staff"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_integrity_past_certificate_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_past_certificate")),
    )
    with op.batch_alter_table("integrity_past_certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_integrity_past_certificate_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_integrity_past_certificate_tenant_id_staff_id", ["tenant_id", "staff_id"], unique=False
        )
    for table in TABLES:
        enable_row_level_security(table)
    grant_to_app_role()


def downgrade():
    for table in reversed(TABLES):
        disable_row_level_security(table)
        op.drop_table(table)
    with op.batch_alter_table("integrity_staff", schema=None) as batch_op:
        batch_op.drop_column("left_reason")
        batch_op.drop_column("left_on")
