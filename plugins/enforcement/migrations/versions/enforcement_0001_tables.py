"""Enforcement case-file review (执法案卷评查)

The enforcement plugin's first revision: its tables, which core revision 0009 created before they moved here.

Revision ID: enforcement_0001
Revises:
Create Date: 2026-12-02 12:40:00

"""

import sqlalchemy as sa
from alembic import op

from core.plugin_api import BigId, UTCDateTime, disable_row_level_security, enable_row_level_security, grant_to_app_role

# revision identifiers, used by Alembic.
revision = "enforcement_0001"
down_revision = None
branch_labels = ("enforcement",)
depends_on = "0003"  # tenant, unit, problem (0002) and checklist_template_version (0003)


TABLES = (
    "enforcement_case_file",
    "enforcement_rubric_local_item",
    "enforcement_rubric_setting",
    "enforcement_sampling",
    "enforcement_review",
    "enforcement_review_deduction",
)


def _tenant(table):
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenant.id"], name=op.f(f"fk_{table}_tenant_id_tenant"), ondelete="RESTRICT"
    )


def _tenant_index(table):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_tenant_id"), ["tenant_id"], unique=False)


def _create_tables():
    op.create_table(
        "enforcement_case_file",
        sa.Column("id", BigId, nullable=False),
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("case_type", sa.String(length=20), nullable=False),
        sa.Column("cause", sa.String(length=200), nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("handlers", sa.JSON(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("penalty_fen", sa.BigInteger(), nullable=True),
        sa.Column("discretion_level", sa.String(length=20), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        _tenant("enforcement_case_file"),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_enforcement_case_file_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_case_file")),
        sa.UniqueConstraint("tenant_id", "case_no", name=op.f("uq_enforcement_case_file_tenant_id_case_no")),
    )
    _tenant_index("enforcement_case_file")
    with op.batch_alter_table("enforcement_case_file", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enforcement_case_file_tenant_id_unit_id_closed_on", ["tenant_id", "unit_id", "closed_on"], unique=False
        )

    op.create_table(
        "enforcement_rubric_local_item",
        sa.Column("id", BigId, nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("item", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("retired_by", sa.String(length=80), nullable=True),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.Column("tenant_id", BigId, nullable=False),
        _tenant("enforcement_rubric_local_item"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_rubric_local_item")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_enforcement_rubric_local_item_tenant_id_code")),
    )
    _tenant_index("enforcement_rubric_local_item")

    op.create_table(
        "enforcement_rubric_setting",
        sa.Column("id", BigId, nullable=False),
        sa.Column("excellent_min", sa.Float(), nullable=False),
        sa.Column("pass_min", sa.Float(), nullable=False),
        sa.Column("problem_deadline_days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        _tenant("enforcement_rubric_setting"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_rubric_setting")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_enforcement_rubric_setting_tenant_id")),
    )
    _tenant_index("enforcement_rubric_setting")

    op.create_table(
        "enforcement_sampling",
        sa.Column("id", BigId, nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("population", sa.JSON(), nullable=False),
        sa.Column("selected", sa.JSON(), nullable=False),
        sa.Column("drawn_by", sa.String(length=80), nullable=False),
        sa.Column("drawn_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        _tenant("enforcement_sampling"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_sampling")),
    )
    _tenant_index("enforcement_sampling")

    op.create_table(
        "enforcement_review",
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("case_file_id", BigId, nullable=False),
        sa.Column("sampling_id", BigId, nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("rubric_version_id", BigId, nullable=False),
        sa.Column("rubric_version", sa.Integer(), nullable=False),
        sa.Column("local_items", sa.JSON(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("reviewers", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("grade", sa.String(length=12), nullable=True),
        sa.Column("vetoed", sa.Boolean(), nullable=False),
        sa.Column("section_scores", sa.JSON(), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("problem_id", BigId, nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=80), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.Column("tenant_id", BigId, nullable=False),
        _tenant("enforcement_review"),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_enforcement_review_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["case_file_id"],
            ["enforcement_case_file.id"],
            name=op.f("fk_enforcement_review_case_file_id_enforcement_case_file"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sampling_id"],
            ["enforcement_sampling.id"],
            name=op.f("fk_enforcement_review_sampling_id_enforcement_sampling"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["rubric_version_id"],
            ["checklist_template_version.id"],
            name=op.f("fk_enforcement_review_rubric_version_id_checklist_template_version"),
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_enforcement_review_problem_id_problem"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_review")),
    )
    _tenant_index("enforcement_review")
    with op.batch_alter_table("enforcement_review", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enforcement_review_tenant_id_unit_id_reviewed_at", ["tenant_id", "unit_id", "reviewed_at"], unique=False
        )
        batch_op.create_index(
            "ix_enforcement_review_tenant_id_case_file_id", ["tenant_id", "case_file_id"], unique=False
        )
        batch_op.create_index("ix_enforcement_review_tenant_id_problem_id", ["tenant_id", "problem_id"], unique=False)

    op.create_table(
        "enforcement_review_deduction",
        sa.Column("id", BigId, nullable=False),
        sa.Column("review_id", BigId, nullable=False),
        sa.Column("item_code", sa.String(length=20), nullable=False),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("veto", sa.Boolean(), nullable=False),
        sa.Column("serious", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        _tenant("enforcement_review_deduction"),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["enforcement_review.id"],
            name=op.f("fk_enforcement_review_deduction_review_id_enforcement_review"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_review_deduction")),
        sa.UniqueConstraint(
            "tenant_id",
            "review_id",
            "item_code",
            name=op.f("uq_enforcement_review_deduction_tenant_id_review_id_item_code"),
        ),
    )
    _tenant_index("enforcement_review_deduction")
    with op.batch_alter_table("enforcement_review_deduction", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enforcement_review_deduction_tenant_id_item_code", ["tenant_id", "item_code"], unique=False
        )


def upgrade():
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    # A database made before the split already has these tables (core revision 0009 made them): adopt them as they are.
    if not existing.issuperset(TABLES):
        _create_tables()
    for table in TABLES:
        disable_row_level_security(table)  # drops the policies if they exist, so that enabling is repeatable
        enable_row_level_security(table)
    grant_to_app_role()


def downgrade():
    for table in reversed(TABLES):
        disable_row_level_security(table)
        op.drop_table(table)
