"""Daily supervision: random-inspection tasks, pools and draws (双随机)

The supervision plugin's first revision: its tables, which core revision 0005 created before they moved here.

Revision ID: supervision_0001
Revises:
Create Date: 2026-12-02 12:40:00

"""

import sqlalchemy as sa
from alembic import op

from core.plugin_api import BigId, UTCDateTime, disable_row_level_security, enable_row_level_security, grant_to_app_role

# revision identifiers, used by Alembic.
revision = "supervision_0001"
down_revision = None
branch_labels = ("supervision",)
depends_on = "0003"  # tenant, unit, problem (0002) and checklist_template_version (0003)

TABLES = ("supervision_task", "supervision_enterprise", "supervision_inspector", "supervision_target")


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenant.id"], name=op.f(f"fk_{table}_tenant_id_tenant"), ondelete="RESTRICT"
    )


def _task_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["task_id"], ["supervision_task.id"], name=op.f(f"fk_{table}_task_id_supervision_task"), ondelete="RESTRICT"
    )


def _create_tables():
    op.create_table(
        "supervision_task",
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("matter", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("target_count", sa.Integer(), nullable=False),
        sa.Column("inspectors_per_target", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("seed", sa.String(length=128), nullable=True),
        sa.Column("algorithm", sa.String(length=40), nullable=True),
        sa.Column("pool_digest", sa.String(length=64), nullable=True),
        sa.Column("draw_digest", sa.String(length=64), nullable=True),
        sa.Column("drawn_at", UTCDateTime(), nullable=True),
        sa.Column("drawn_by", sa.String(length=80), nullable=True),
        sa.Column("inspection_ended_on", sa.Date(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("publication_channel", sa.String(length=200), nullable=False),
        sa.Column("published_by", sa.String(length=80), nullable=True),
        sa.Column("late_problem_id", BigId, nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["late_problem_id"], ["problem.id"], name=op.f("fk_supervision_task_late_problem_id_problem"),
            ondelete="RESTRICT",
        ),
        _tenant_fk("supervision_task"),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_supervision_task_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_task")),
    )  # fmt: skip
    with op.batch_alter_table("supervision_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_task_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_supervision_task_tenant_id_unit_id", ["tenant_id", "unit_id"], unique=False)

    op.create_table(
        "supervision_enterprise",
        sa.Column("id", BigId, nullable=False),
        sa.Column("task_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        _task_fk("supervision_enterprise"),
        _tenant_fk("supervision_enterprise"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_enterprise")),
        sa.UniqueConstraint(
            "tenant_id", "task_id", "credit_code", name=op.f("uq_supervision_enterprise_tenant_id_task_id_credit_code")
        ),
    )
    op.create_table(
        "supervision_inspector",
        sa.Column("id", BigId, nullable=False),
        sa.Column("task_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("card_number", sa.String(length=40), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        _task_fk("supervision_inspector"),
        _tenant_fk("supervision_inspector"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_inspector")),
        sa.UniqueConstraint(
            "tenant_id", "task_id", "card_number", name=op.f("uq_supervision_inspector_tenant_id_task_id_card_number")
        ),
    )
    op.create_table(
        "supervision_target",
        sa.Column("id", BigId, nullable=False),
        sa.Column("task_id", BigId, nullable=False),
        sa.Column("enterprise_id", BigId, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("inspectors", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=True),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["supervision_enterprise.id"],
            name=op.f("fk_supervision_target_enterprise_id_supervision_enterprise"), ondelete="RESTRICT",
        ),
        _task_fk("supervision_target"),
        _tenant_fk("supervision_target"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_target")),
        sa.UniqueConstraint(
            "tenant_id", "task_id", "enterprise_id", name=op.f("uq_supervision_target_tenant_id_task_id_enterprise_id")
        ),
    )  # fmt: skip
    for table in TABLES[1:]:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_tenant_id"), ["tenant_id"], unique=False)
            batch_op.create_index(f"ix_{table}_tenant_id_task_id", ["tenant_id", "task_id"], unique=False)


def upgrade():
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    # A database made before the split already has these tables (core revision 0005 made them): adopt them as they are.
    if not existing.issuperset(TABLES):
        _create_tables()
    for table in TABLES:
        disable_row_level_security(table)  # drops the policies if they exist, so that enabling is repeatable
        enable_row_level_security(table)
    grant_to_app_role()


def downgrade():
    for table in reversed(TABLES):
        op.drop_table(table)
