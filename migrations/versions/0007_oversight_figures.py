"""City oversight figures: rollups, snapshots, rankings and bulletins

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 20:30:00

"""

import sqlalchemy as sa
from alembic import op

from core.platform import rls
from core.platform.db import BigId, UTCDateTime

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: tenant-owned: row-level security
TENANT_TABLES = ("figure_fact", "figure_rollup", "figure_close_days", "figure_open_due", "figure_snapshot_unit")
#: platform tables (per-tenant totals only, and the city's snapshots)
PLATFORM_TABLES = ("figure_tenant_month", "figure_tenant_close_days", "figure_tenant_open_due", "figure_snapshot")


def upgrade():
    op.create_table(
        "figure_fact",
        sa.Column("id", BigId, nullable=False),
        sa.Column("problem_id", BigId, nullable=False),
        sa.Column("applied", sa.JSON(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_figure_fact_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_figure_fact_problem_id_problem"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("tenant_id", "problem_id", name=op.f("uq_figure_fact_tenant_id_problem_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_fact")),
    )
    op.create_index(op.f("ix_figure_fact_tenant_id"), "figure_fact", ["tenant_id"], unique=False)
    op.create_table(
        "figure_rollup",
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("phase", sa.String(length=40), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("dismissed", sa.Integer(), nullable=False),
        sa.Column("merged", sa.Integer(), nullable=False),
        sa.Column("ongoing", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.Column("close_days", sa.Integer(), nullable=False),
        sa.Column("due_on_time", sa.Integer(), nullable=False),
        sa.Column("due_late", sa.Integer(), nullable=False),
        sa.Column("due_open", sa.Integer(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_figure_rollup_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_figure_rollup_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.UniqueConstraint(
            "tenant_id", "month", "unit_id", "domain", "source", "phase", name=op.f("uq_figure_rollup_cell")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_rollup")),
    )
    op.create_index(op.f("ix_figure_rollup_tenant_id"), "figure_rollup", ["tenant_id"], unique=False)
    op.create_table(
        "figure_close_days",
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("phase", sa.String(length=40), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_figure_close_days_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_figure_close_days_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.UniqueConstraint(
            "tenant_id", "month", "unit_id", "domain", "source", "phase", "days", name=op.f("uq_figure_close_days_cell")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_close_days")),
    )
    op.create_index(op.f("ix_figure_close_days_tenant_id"), "figure_close_days", ["tenant_id"], unique=False)
    op.create_table(
        "figure_open_due",
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("phase", sa.String(length=40), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_figure_open_due_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_figure_open_due_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.UniqueConstraint(
            "tenant_id", "due_on", "unit_id", "domain", "source", "phase", name=op.f("uq_figure_open_due_cell")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_open_due")),
    )
    op.create_index(op.f("ix_figure_open_due_tenant_id"), "figure_open_due", ["tenant_id"], unique=False)
    op.create_table(
        "figure_tenant_month",
        sa.Column("id", BigId, nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("dismissed", sa.Integer(), nullable=False),
        sa.Column("merged", sa.Integer(), nullable=False),
        sa.Column("ongoing", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.Column("close_days", sa.Integer(), nullable=False),
        sa.Column("due_on_time", sa.Integer(), nullable=False),
        sa.Column("due_late", sa.Integer(), nullable=False),
        sa.Column("due_open", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_figure_tenant_month_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.UniqueConstraint("month", "tenant_id", name=op.f("uq_figure_tenant_month_month_tenant_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_tenant_month")),
    )
    op.create_table(
        "figure_tenant_close_days",
        sa.Column("id", BigId, nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_figure_tenant_close_days_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.UniqueConstraint(
            "month", "tenant_id", "days", name=op.f("uq_figure_tenant_close_days_month_tenant_id_days")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_tenant_close_days")),
    )
    op.create_table(
        "figure_tenant_open_due",
        sa.Column("id", BigId, nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_figure_tenant_open_due_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.UniqueConstraint("due_on", "tenant_id", name=op.f("uq_figure_tenant_open_due_due_on_tenant_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_tenant_open_due")),
    )
    op.create_table(
        "figure_snapshot",
        sa.Column("id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("period", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("top_n", sa.Integer(), nullable=False),
        sa.Column("bottom_n", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("document_number", sa.String(length=60), nullable=False),
        sa.Column("issuing_body", sa.String(length=100), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("bulletin_docx", sa.LargeBinary(), nullable=False),
        sa.Column("figures_xlsx", sa.LargeBinary(), nullable=False),
        sa.Column("taken_by", sa.String(length=80), nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=False),
        sa.Column("swept_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_snapshot")),
    )
    op.create_index(op.f("ix_figure_snapshot_period"), "figure_snapshot", ["period"], unique=False)
    op.create_table(
        "figure_snapshot_unit",
        sa.Column("id", BigId, nullable=False),
        sa.Column("snapshot_id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_figure_snapshot_unit_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_figure_snapshot_unit_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["figure_snapshot.id"],
            name=op.f("fk_figure_snapshot_unit_snapshot_id_figure_snapshot"),
            ondelete="RESTRICT",
        ),
        sa.UniqueConstraint(
            "tenant_id", "snapshot_id", "unit_id", name=op.f("uq_figure_snapshot_unit_tenant_id_snapshot_id_unit_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_snapshot_unit")),
    )
    op.create_index(op.f("ix_figure_snapshot_unit_tenant_id"), "figure_snapshot_unit", ["tenant_id"], unique=False)
    for table in TENANT_TABLES:
        rls.enable(table)
    rls.grant_existing()


def downgrade():
    for table in TENANT_TABLES:
        rls.disable(table)
    for table in ("figure_snapshot_unit", "figure_snapshot", *PLATFORM_TABLES[:3], *TENANT_TABLES[:4]):
        op.drop_table(table)
