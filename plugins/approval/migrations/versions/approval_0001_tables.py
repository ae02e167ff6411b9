"""Approval services: service-case records (办件)

The approval plugin's first revision: its tables, which core revision 0004 created before they moved here.

Revision ID: approval_0001
Revises:
Create Date: 2026-12-02 12:40:00

"""

import sqlalchemy as sa
from alembic import op

from core.plugin_api import BigId, UTCDateTime, disable_row_level_security, enable_row_level_security, grant_to_app_role

# revision identifiers, used by Alembic.
revision = "approval_0001"
down_revision = None
branch_labels = ("approval",)
depends_on = "0003"  # tenant, unit, problem (0002) and checklist_template_version (0003)

TABLES = ("approval_case",)


def _create_tables():
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


def upgrade():
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    # A database made before the split already has these tables (core revision 0004 made them): adopt them as they are.
    if not existing.issuperset(TABLES):
        _create_tables()
    for table in TABLES:
        disable_row_level_security(table)  # drops the policies if they exist, so that enabling is repeatable
        enable_row_level_security(table)
    grant_to_app_role()


def downgrade():
    disable_row_level_security("approval_case")
    with op.batch_alter_table("approval_case", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_case_tenant_id_unit_id_received_at")
        batch_op.drop_index("ix_approval_case_tenant_id_completed_at_due_on")
    op.drop_table("approval_case")
