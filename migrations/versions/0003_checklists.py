"""Checklists: templates pinned by version, city and local items, filled checklists and findings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 20:30:00

"""

import sqlalchemy as sa
from alembic import op

from core.platform import rls
from core.platform.db import BigId, UTCDateTime

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TENANT_TABLES = ("checklist_local_item", "checklist", "checklist_evidence", "checklist_finding")


def _extra_item_columns():
    return [
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("template_code", sa.String(length=80), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("item", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("retired_by", sa.String(length=80), nullable=True),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
    ]


def upgrade():
    op.create_table(
        "checklist_template_version",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_template_version")),
        sa.UniqueConstraint("code", "fingerprint", name=op.f("uq_checklist_template_version_code_fingerprint")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_checklist_template_version_code_version")),
    )
    op.create_table(
        "checklist_city_item",
        *_extra_item_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_city_item")),
    )
    op.create_index("ix_checklist_city_item_template_code", "checklist_city_item", ["template_code"])
    op.create_table(
        "checklist_local_item",
        *_extra_item_columns(),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_checklist_local_item_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_local_item")),
    )
    op.create_index(op.f("ix_checklist_local_item_tenant_id"), "checklist_local_item", ["tenant_id"])
    op.create_index(
        "ix_checklist_local_item_tenant_id_template_code", "checklist_local_item", ["tenant_id", "template_code"]
    )
    op.create_table(
        "checklist",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("template_version_id", BigId, nullable=False),
        sa.Column("template_code", sa.String(length=80), nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("inspector", sa.String(length=100), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("target_name", sa.String(length=200), nullable=False),
        sa.Column("target_ref", sa.String(length=100), nullable=False),
        sa.Column("extra_items", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("max_score", sa.Float(), nullable=True),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("corrects_id", BigId, nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(length=80), nullable=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["checklist.id"], name=op.f("fk_checklist_corrects_id_checklist"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["template_version_id"],
            ["checklist_template_version.id"],
            name=op.f("fk_checklist_template_version_id_checklist_template_version"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_checklist_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_checklist_unit_id_unit"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist")),
    )
    op.create_index(op.f("ix_checklist_tenant_id"), "checklist", ["tenant_id"])
    op.create_index("ix_checklist_tenant_id_unit_id_status", "checklist", ["tenant_id", "unit_id", "status"])
    op.create_index("ix_checklist_tenant_id_domain_submitted_at", "checklist", ["tenant_id", "domain", "submitted_at"])
    op.create_table(
        "checklist_evidence",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("checklist_id", BigId, nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", BigId, nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("uploaded_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["checklist_id"],
            ["checklist.id"],
            name=op.f("fk_checklist_evidence_checklist_id_checklist"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_checklist_evidence_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_evidence")),
    )
    op.create_index(op.f("ix_checklist_evidence_tenant_id"), "checklist_evidence", ["tenant_id"])
    op.create_index("ix_checklist_evidence_tenant_id_checklist_id", "checklist_evidence", ["tenant_id", "checklist_id"])
    op.create_table(
        "checklist_finding",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("checklist_id", BigId, nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=False),
        sa.Column("problem_id", BigId, nullable=False),
        sa.Column("template_code", sa.String(length=80), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["checklist_id"],
            ["checklist.id"],
            name=op.f("fk_checklist_finding_checklist_id_checklist"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_checklist_finding_problem_id_problem"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_checklist_finding_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_finding")),
        sa.UniqueConstraint(
            "tenant_id", "checklist_id", "item_code", name=op.f("uq_checklist_finding_tenant_id_checklist_id_item_code")
        ),
        sa.UniqueConstraint("tenant_id", "problem_id", name=op.f("uq_checklist_finding_tenant_id_problem_id")),
    )
    op.create_index(op.f("ix_checklist_finding_tenant_id"), "checklist_finding", ["tenant_id"])
    rls.grant_existing()
    for table in TENANT_TABLES:
        rls.enable(table)


def downgrade():
    for table in reversed(TENANT_TABLES):
        rls.disable(table)
    op.drop_table("checklist_finding")
    op.drop_table("checklist_evidence")
    op.drop_table("checklist")
    op.drop_table("checklist_local_item")
    op.drop_table("checklist_city_item")
    op.drop_table("checklist_template_version")
