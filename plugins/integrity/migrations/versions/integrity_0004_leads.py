"""Team conduct and integrity (队伍建设与廉政): confidential leads (问题线索) and interference records (干预执法记录)

Revision ID: integrity_0004_leads
Revises: integrity_0005_certificates
Create Date: 2026-12-10 10:00:00

"""

import sqlalchemy as sa
from alembic import op

from core.plugin_api import BigId, UTCDateTime, disable_row_level_security, enable_row_level_security, grant_to_app_role

# revision identifiers, used by Alembic.
revision = "integrity_0004_leads"
down_revision = "integrity_0005_certificates"
branch_labels = None
depends_on = "0006"  # public_report: a lead may come from a public report

LEADS = "integrity_lead"
INTERFERENCE = "integrity_interference"


def upgrade():
    op.create_table(
        LEADS,
        sa.Column("id", BigId, nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("public_report_id", BigId, nullable=True),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("person", sa.String(length=50), nullable=False),
        sa.Column("post", sa.String(length=100), nullable=False),
        sa.Column("staff_id", BigId, nullable=True),
        sa.Column("unit_id", BigId, nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("disposal", sa.String(length=20), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("handling", sa.Text(), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=True),
        sa.Column("result_note", sa.Text(), nullable=False),
        sa.Column("concluded_on", sa.Date(), nullable=True),
        sa.Column("accountability_ids", sa.JSON(), nullable=False),
        sa.Column("problem_id", BigId, nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_integrity_lead_problem_id_problem"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["public_report_id"],
            ["public_report.id"],
            name=op.f("fk_integrity_lead_public_report_id_public_report"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["integrity_staff.id"], name=op.f("fk_integrity_lead_staff_id_integrity_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_integrity_lead_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_integrity_lead_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_lead")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_integrity_lead_tenant_id_number")),
    )
    with op.batch_alter_table(LEADS, schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_integrity_lead_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_integrity_lead_tenant_id_status_deadline", ["tenant_id", "status", "deadline"], unique=False
        )
    op.create_table(
        INTERFERENCE,
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("requester", sa.String(length=50), nullable=False),
        sa.Column("requester_post", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("case_ref", sa.String(length=200), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("handling", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.String(length=50), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_integrity_interference_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_integrity_interference_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_interference")),
    )
    with op.batch_alter_table(INTERFERENCE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_integrity_interference_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_integrity_interference_tenant_id_occurred_on", ["tenant_id", "occurred_on"], unique=False
        )
    enable_row_level_security(LEADS)
    enable_row_level_security(INTERFERENCE)
    grant_to_app_role()


def downgrade():
    disable_row_level_security(INTERFERENCE)
    disable_row_level_security(LEADS)
    op.drop_table(INTERFERENCE)
    op.drop_table(LEADS)
