"""Paid-service audits of technical agencies (有偿服务)

The paid_services plugin's first revision: its tables, which core revision 0010 created before they moved here.

Revision ID: paid_services_0001
Revises:
Create Date: 2026-12-02 12:40:00

"""

import sqlalchemy as sa
from alembic import op

from core.plugin_api import BigId, UTCDateTime, disable_row_level_security, enable_row_level_security, grant_to_app_role

# revision identifiers, used by Alembic.
revision = "paid_services_0001"
down_revision = None
branch_labels = ("paid_services",)
depends_on = "0003"  # tenant, unit, problem (0002) and checklist_template_version (0003)

TABLES = ("paid_services_agency", "paid_services_service", "paid_services_fee_record", "paid_services_flag")


def _create_tables():
    op.create_table(
        "paid_services_agency",
        sa.Column("id", BigId, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("cma_number", sa.String(length=40), nullable=False),
        sa.Column("cma_expires_on", sa.Date(), nullable=True),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_paid_services_agency_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_paid_services_agency_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paid_services_agency")),
        sa.UniqueConstraint("tenant_id", "credit_code", name=op.f("uq_paid_services_agency_tenant_id_credit_code")),
    )
    with op.batch_alter_table("paid_services_agency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paid_services_agency_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_paid_services_agency_tenant_id_unit_id", ["tenant_id", "unit_id"], unique=False)
    op.create_table(
        "paid_services_service",
        sa.Column("id", BigId, nullable=False),
        sa.Column("agency_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("fee_standard_fen", BigId, nullable=True),
        sa.Column("fee_unit", sa.String(length=40), nullable=False),
        sa.Column("fee_basis", sa.Text(), nullable=False),
        sa.Column("fee_published", sa.Boolean(), nullable=False),
        sa.Column("regulatory_act", sa.Boolean(), nullable=False),
        sa.Column("in_certified_scope", sa.Boolean(), nullable=False),
        sa.Column("certified_scope", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["paid_services_agency.id"],
            name=op.f("fk_paid_services_service_agency_id_paid_services_agency"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_paid_services_service_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paid_services_service")),
        sa.UniqueConstraint(
            "tenant_id", "agency_id", "name", name=op.f("uq_paid_services_service_tenant_id_agency_id_name")
        ),
    )
    with op.batch_alter_table("paid_services_service", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paid_services_service_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_paid_services_service_tenant_id_agency_id", ["tenant_id", "agency_id"], unique=False)
    op.create_table(
        "paid_services_fee_record",
        sa.Column("id", BigId, nullable=False),
        sa.Column("service_id", BigId, nullable=False),
        sa.Column("receipt_no", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("charged_on", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount_fen", BigId, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["paid_services_service.id"],
            name=op.f("fk_paid_services_fee_record_service_id_paid_services_service"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_paid_services_fee_record_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paid_services_fee_record")),
        sa.UniqueConstraint("tenant_id", "receipt_no", name=op.f("uq_paid_services_fee_record_tenant_id_receipt_no")),
    )
    with op.batch_alter_table("paid_services_fee_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paid_services_fee_record_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_paid_services_fee_record_tenant_id_charged_on", ["tenant_id", "charged_on"], unique=False
        )
        batch_op.create_index(
            "ix_paid_services_fee_record_tenant_id_service_id", ["tenant_id", "service_id"], unique=False
        )
    op.create_table(
        "paid_services_flag",
        sa.Column("id", BigId, nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("agency_id", BigId, nullable=False),
        sa.Column("service_id", BigId, nullable=True),
        sa.Column("fee_record_id", BigId, nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("problem_id", BigId, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["paid_services_agency.id"],
            name=op.f("fk_paid_services_flag_agency_id_paid_services_agency"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["fee_record_id"],
            ["paid_services_fee_record.id"],
            name=op.f("fk_paid_services_flag_fee_record_id_paid_services_fee_record"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_paid_services_flag_problem_id_problem"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["paid_services_service.id"],
            name=op.f("fk_paid_services_flag_service_id_paid_services_service"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_paid_services_flag_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paid_services_flag")),
        sa.UniqueConstraint("tenant_id", "key", name=op.f("uq_paid_services_flag_tenant_id_key")),
    )
    with op.batch_alter_table("paid_services_flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paid_services_flag_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_paid_services_flag_tenant_id_status", ["tenant_id", "status", "id"], unique=False)


def upgrade():
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    # A database made before the split already has these tables (core revision 0010 made them): adopt them as they are.
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
