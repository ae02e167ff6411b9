"""Team conduct and integrity (队伍建设与廉政): training and 警示教育 sessions, 党风廉政建设责任书

Revision ID: integrity_0003_training
Revises: integrity_0002
Create Date: 2026-12-10 09:00:00

"""

import sqlalchemy as sa
from alembic import op

from core.plugin_api import BigId, UTCDateTime, disable_row_level_security, enable_row_level_security, grant_to_app_role

# revision identifiers, used by Alembic.
revision = "integrity_0003_training"
down_revision = "integrity_0002"
branch_labels = None
depends_on = None

SESSION = "integrity_training_session"
ATTENDANCE = "integrity_training_attendance"
MATERIAL = "integrity_training_material"
STATEMENT = "integrity_responsibility_statement"
TABLES = (SESSION, ATTENDANCE, MATERIAL, STATEMENT)


def _tenant_fk(table):
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenant.id"], name=op.f(f"fk_{table}_tenant_id_tenant"), ondelete="RESTRICT"
    )


def _unit_fk(table):
    return sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f(f"fk_{table}_unit_id_unit"), ondelete="RESTRICT")


def upgrade():
    op.create_table(
        SESSION,
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=4, scale=1), nullable=False),
        sa.Column("organiser", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        _tenant_fk(SESSION),
        _unit_fk(SESSION),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{SESSION}")),
    )
    with op.batch_alter_table(SESSION, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{SESSION}_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(f"ix_{SESSION}_tenant_id_unit_id", ["tenant_id", "unit_id"], unique=False)
        batch_op.create_index(f"ix_{SESSION}_tenant_id_held_on", ["tenant_id", "held_on"], unique=False)

    op.create_table(
        ATTENDANCE,
        sa.Column("id", BigId, nullable=False),
        sa.Column("session_id", BigId, nullable=False),
        sa.Column("staff_id", BigId, nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], [f"{SESSION}.id"], name=op.f(f"fk_{ATTENDANCE}_session_id_{SESSION}"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["integrity_staff.id"], name=op.f(f"fk_{ATTENDANCE}_staff_id_integrity_staff"),
            ondelete="RESTRICT",
        ),  # fmt: skip
        _tenant_fk(ATTENDANCE),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{ATTENDANCE}")),
        sa.UniqueConstraint(
            "tenant_id", "session_id", "staff_id", name=op.f(f"uq_{ATTENDANCE}_tenant_id_session_id_staff_id")
        ),
    )
    with op.batch_alter_table(ATTENDANCE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{ATTENDANCE}_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(f"ix_{ATTENDANCE}_tenant_id_staff_id", ["tenant_id", "staff_id"], unique=False)

    op.create_table(
        MATERIAL,
        sa.Column("id", BigId, nullable=False),
        sa.Column("session_id", BigId, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", BigId, nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], [f"{SESSION}.id"], name=op.f(f"fk_{MATERIAL}_session_id_{SESSION}"), ondelete="CASCADE"
        ),
        _tenant_fk(MATERIAL),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{MATERIAL}")),
    )
    with op.batch_alter_table(MATERIAL, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{MATERIAL}_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(f"ix_{MATERIAL}_tenant_id_session_id", ["tenant_id", "session_id"], unique=False)

    op.create_table(
        STATEMENT,
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("signer_staff_id", BigId, nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("file_size", BigId, nullable=True),
        sa.Column("file_content_type", sa.String(length=100), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["signer_staff_id"], ["integrity_staff.id"],
            name=op.f(f"fk_{STATEMENT}_signer_staff_id_integrity_staff"), ondelete="RESTRICT",
        ),  # fmt: skip
        _tenant_fk(STATEMENT),
        _unit_fk(STATEMENT),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{STATEMENT}")),
        sa.UniqueConstraint(
            "tenant_id", "unit_id", "year", "kind", name=op.f(f"uq_{STATEMENT}_tenant_id_unit_id_year_kind")
        ),
    )
    with op.batch_alter_table(STATEMENT, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{STATEMENT}_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(f"ix_{STATEMENT}_tenant_id_year", ["tenant_id", "year"], unique=False)
    for table in TABLES:
        enable_row_level_security(table)
    grant_to_app_role()


def downgrade():
    for table in reversed(TABLES):
        disable_row_level_security(table)
        op.drop_table(table)
