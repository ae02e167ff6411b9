"""Approval services: service-case records (办件)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 20:30:00

"""

import sqlalchemy as sa
from alembic import op

from core.platform import rls
from core.platform.db import BigId, UTCDateTime

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "approval_case",
        sa.Column("id", BigId, nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("matter_name", sa.String(length=200), nullable=False),
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("applicant_type", sa.String(length=30), nullable=False),
        sa.Column("window", sa.String(length=100), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("promised_days", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("intermediary", sa.Boolean(), nullable=False),
        sa.Column("late_problem_id", BigId, nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["late_problem_id"],
            ["problem.id"],
            name=op.f("fk_approval_case_late_problem_id_problem"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_approval_case_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_approval_case_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_case")),
        sa.UniqueConstraint("tenant_id", "case_no", name=op.f("uq_approval_case_tenant_id_case_no")),
    )
    with op.batch_alter_table("approval_case", schema=None) as batch_op:
        batch_op.create_index(
            "ix_approval_case_tenant_id_completed_at_due_on", ["tenant_id", "completed_at", "due_on"], unique=False
        )
        batch_op.create_index(
            "ix_approval_case_tenant_id_unit_id_received_at", ["tenant_id", "unit_id", "received_at"], unique=False
        )
    rls.grant_existing()
    rls.enable("approval_case")


def downgrade():
    rls.disable("approval_case")
    with op.batch_alter_table("approval_case", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_case_tenant_id_unit_id_received_at")
        batch_op.drop_index("ix_approval_case_tenant_id_completed_at_due_on")
    op.drop_table("approval_case")
