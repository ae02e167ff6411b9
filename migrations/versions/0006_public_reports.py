"""Public reporting channel (举报) and public solicitations (公开征集)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 20:30:00

"""

import sqlalchemy as sa
from alembic import op

from core.platform import rls
from core.platform.db import BigId, UTCDateTime

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TENANT_TABLES = ("public_report", "public_report_contact", "public_report_file", "public_report_reply")


def _tenant_column(table: str) -> list:
    return [
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f(f"fk_{table}_tenant_id_tenant"), ondelete="RESTRICT"
        ),
    ]


def upgrade():
    op.create_table(
        "public_solicitation",
        sa.Column("id", BigId, nullable=False),
        sa.Column("tenant_id", BigId, nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_public_solicitation_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_solicitation")),
    )
    op.create_index(
        "ix_public_solicitation_tenant_id_ends_on", "public_solicitation", ["tenant_id", "ends_on"], unique=False
    )

    op.create_table(
        "public_report",
        sa.Column("id", BigId, nullable=False),
        sa.Column("tracking_code", sa.String(length=24), nullable=False),
        sa.Column("secret_salt", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("unit_id", BigId, nullable=True),
        sa.Column("concerned", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("occurred", sa.String(length=100), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("solicitation_id", BigId, nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("first_reply_at", UTCDateTime(), nullable=True),
        sa.Column("problem_id", BigId, nullable=True),
        sa.Column("triaged_by", sa.String(length=80), nullable=True),
        sa.Column("triaged_at", UTCDateTime(), nullable=True),
        sa.Column("rating", sa.String(length=30), nullable=True),
        sa.Column("rated_at", UTCDateTime(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("challenge_nonce", sa.String(length=32), nullable=False),
        *_tenant_column("public_report"),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_public_report_problem_id_problem"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["solicitation_id"],
            ["public_solicitation.id"],
            name=op.f("fk_public_report_solicitation_id_public_solicitation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_public_report_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_report")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_public_report_tracking_code")),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name=op.f("uq_public_report_tenant_id_idempotency_key")),
        sa.UniqueConstraint("tenant_id", "challenge_nonce", name=op.f("uq_public_report_tenant_id_challenge_nonce")),
    )
    op.create_index(op.f("ix_public_report_tenant_id"), "public_report", ["tenant_id"], unique=False)
    op.create_index(
        "ix_public_report_tenant_id_status_received_at",
        "public_report",
        ["tenant_id", "status", "received_at"],
        unique=False,
    )
    op.create_index(
        "ix_public_report_tenant_id_solicitation_id", "public_report", ["tenant_id", "solicitation_id"], unique=False
    )

    op.create_table(
        "public_report_contact",
        sa.Column("id", BigId, nullable=False),
        sa.Column("report_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        *_tenant_column("public_report_contact"),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["public_report.id"],
            name=op.f("fk_public_report_contact_report_id_public_report"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_report_contact")),
        sa.UniqueConstraint("tenant_id", "report_id", name=op.f("uq_public_report_contact_tenant_id_report_id")),
    )
    op.create_index(op.f("ix_public_report_contact_tenant_id"), "public_report_contact", ["tenant_id"], unique=False)

    op.create_table(
        "public_report_file",
        sa.Column("id", BigId, nullable=False),
        sa.Column("report_id", BigId, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", BigId, nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        *_tenant_column("public_report_file"),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["public_report.id"],
            name=op.f("fk_public_report_file_report_id_public_report"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_report_file")),
    )
    op.create_index(op.f("ix_public_report_file_tenant_id"), "public_report_file", ["tenant_id"], unique=False)
    op.create_index(
        "ix_public_report_file_tenant_id_report_id", "public_report_file", ["tenant_id", "report_id"], unique=False
    )

    op.create_table(
        "public_report_reply",
        sa.Column("id", BigId, nullable=False),
        sa.Column("report_id", BigId, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        *_tenant_column("public_report_reply"),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["public_report.id"],
            name=op.f("fk_public_report_reply_report_id_public_report"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_report_reply")),
    )
    op.create_index(op.f("ix_public_report_reply_tenant_id"), "public_report_reply", ["tenant_id"], unique=False)
    op.create_index(
        "ix_public_report_reply_tenant_id_report_id", "public_report_reply", ["tenant_id", "report_id"], unique=False
    )

    for table in TENANT_TABLES:
        rls.enable(table)
    rls.grant_existing()


def downgrade():
    for table in reversed(TENANT_TABLES):
        rls.disable(table)
    op.drop_table("public_report_reply")
    op.drop_table("public_report_file")
    op.drop_table("public_report_contact")
    op.drop_table("public_report")
    op.drop_index("ix_public_solicitation_tenant_id_ends_on", table_name="public_solicitation")
    op.drop_table("public_solicitation")
