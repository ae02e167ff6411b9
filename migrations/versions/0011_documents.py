"""Documents: the register of issued document numbers (发文登记), numbered per tenant, kind, code and year

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:00:00

Row-level security like every tenant table. Document settings (发文机关、代字、主送、抄送) live in tenant.settings.
"""

import sqlalchemy as sa
from alembic import op

from core.platform import rls
from core.platform.db import BigId, UTCDateTime

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "document_issued",
        sa.Column("id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "kind", "code", "year", "seq", name="uq_document_issued_number"),
    )
    op.create_index("ix_document_issued_tenant_id", "document_issued", ["tenant_id"])
    rls.grant_existing()
    rls.enable("document_issued")


def downgrade():
    rls.disable("document_issued")
    op.drop_index("ix_document_issued_tenant_id", table_name="document_issued")
    op.drop_table("document_issued")
