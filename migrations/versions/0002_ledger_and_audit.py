"""The problem ledger, the audit hash chain and loaded holiday years

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 07:07:02.246761

"""

import sqlalchemy as sa
from alembic import op

from core.platform import rls
from core.platform.db import APP_ROLE, BigId, UTCDateTime

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


TENANT_TABLES = (
    "problem",
    "problem_counter",
    "local_field_set",
    "progress_note",
    "attachment",
    "problem_extension",
    "problem_referral",
    "problem_event",
    "audit_head",
)


def upgrade():
    op.create_table(
        "holiday_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("workdays", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", UTCDateTime(), nullable=False),
        sa.Column("loaded_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_holiday_year")),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", BigId, nullable=False),
        sa.Column("seq", BigId, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_audit_head_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_audit_head_tenant_id")),
    )
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_head_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "local_field_set",
        sa.Column("id", BigId, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_local_field_set_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_field_set")),
        sa.UniqueConstraint("tenant_id", "version", name=op.f("uq_local_field_set_tenant_id_version")),
    )
    with op.batch_alter_table("local_field_set", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_local_field_set_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "problem_counter",
        sa.Column("id", BigId, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_problem_counter_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_counter")),
        sa.UniqueConstraint("tenant_id", "year", name=op.f("uq_problem_counter_tenant_id_year")),
    )
    with op.batch_alter_table("problem_counter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_counter_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "problem",
        sa.Column("id", BigId, nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("responsible_person", sa.String(length=64), nullable=False),
        sa.Column("responsible_leader", sa.String(length=64), nullable=False),
        sa.Column("rectification_type", sa.String(length=20), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("original_deadline", sa.Date(), nullable=True),
        sa.Column("deadline_working_days", sa.Integer(), nullable=True),
        sa.Column("deadline_provisional", sa.Boolean(), nullable=False),
        sa.Column("phase", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("city_assigned", sa.Boolean(), nullable=False),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("completion", sa.Text(), nullable=False),
        sa.Column("verification_opinion", sa.Text(), nullable=False),
        sa.Column("return_count", sa.Integer(), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("dismissed_reason", sa.Text(), nullable=False),
        sa.Column("recurrence_of", BigId, nullable=True),
        sa.Column("external_ref", sa.String(length=64), nullable=True),
        sa.Column("custom_fields", sa.JSON(), nullable=False),
        sa.Column("local_fields", sa.JSON(), nullable=False),
        sa.Column("local_fields_version", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("assigned_at", UTCDateTime(), nullable=True),
        sa.Column("signed_at", UTCDateTime(), nullable=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("submitted_by", sa.String(length=80), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=80), nullable=True),
        sa.Column("closed_late", sa.Boolean(), nullable=True),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["recurrence_of"], ["problem.id"], name=op.f("fk_problem_recurrence_of_problem"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_problem_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_problem_unit_id_unit"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem")),
        sa.UniqueConstraint("tenant_id", "external_ref", name=op.f("uq_problem_tenant_id_external_ref")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_problem_tenant_id_number")),
    )
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.create_index(
            "ix_problem_tenant_id_status_deadline", ["tenant_id", "status", "deadline", "id"], unique=False
        )
        batch_op.create_index(
            "ix_problem_tenant_id_unit_id_status_deadline",
            ["tenant_id", "unit_id", "status", "deadline", "id"],
            unique=False,
        )
        batch_op.create_index("ix_problem_tenant_id_deadline", ["tenant_id", "deadline", "id"], unique=False)

    op.create_table(
        "problem_event",
        sa.Column("id", BigId, nullable=False),
        sa.Column("seq", BigId, nullable=False),
        sa.Column("problem_id", BigId, nullable=True),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_problem_event_problem_id_problem"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_problem_event_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_event")),
        sa.UniqueConstraint("tenant_id", "seq", name=op.f("uq_problem_event_tenant_id_seq")),
    )
    with op.batch_alter_table("problem_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_event_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_problem_event_tenant_id_problem_id_seq", ["tenant_id", "problem_id", "seq"], unique=False
        )

    op.create_table(
        "problem_extension",
        sa.Column("id", BigId, nullable=False),
        sa.Column("problem_id", BigId, nullable=False),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("current_deadline", sa.Date(), nullable=False),
        sa.Column("new_deadline", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_problem_extension_problem_id_problem"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_problem_extension_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_extension")),
    )
    with op.batch_alter_table("problem_extension", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_extension_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_problem_extension_tenant_id_problem_id", ["tenant_id", "problem_id"], unique=False)

    op.create_table(
        "problem_referral",
        sa.Column("id", BigId, nullable=False),
        sa.Column("problem_id", BigId, nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("receiving_body", sa.String(length=100), nullable=False),
        sa.Column("document_number", sa.String(length=64), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_problem_referral_problem_id_problem"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_problem_referral_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_referral")),
    )
    with op.batch_alter_table("problem_referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_referral_problem_id"), ["problem_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_problem_referral_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "progress_note",
        sa.Column("id", BigId, nullable=False),
        sa.Column("problem_id", BigId, nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_progress_note_problem_id_problem"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_progress_note_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_note")),
    )
    with op.batch_alter_table("progress_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_progress_note_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_progress_note_tenant_id_problem_id", ["tenant_id", "problem_id"], unique=False)

    op.create_table(
        "attachment",
        sa.Column("id", BigId, nullable=False),
        sa.Column("problem_id", BigId, nullable=False),
        sa.Column("note_id", BigId, nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", BigId, nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("uploaded_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"], ["progress_note.id"], name=op.f("fk_attachment_note_id_progress_note"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_attachment_problem_id_problem"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_attachment_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_attachment_tenant_id_problem_id", ["tenant_id", "problem_id"], unique=False)
    rls.grant_existing()
    for table in TENANT_TABLES:
        rls.enable(table)
    if op.get_bind().dialect.name == "postgresql":
        # The audit chain is append-only for the application: it may add events, never change or remove one.
        op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON problem_event FROM {APP_ROLE}")


def downgrade():
    for table in TENANT_TABLES:
        rls.disable(table)
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index("ix_attachment_tenant_id_problem_id")
        batch_op.drop_index(batch_op.f("ix_attachment_tenant_id"))

    op.drop_table("attachment")
    with op.batch_alter_table("progress_note", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_note_tenant_id_problem_id")
        batch_op.drop_index(batch_op.f("ix_progress_note_tenant_id"))

    op.drop_table("progress_note")
    with op.batch_alter_table("problem_referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_referral_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_problem_referral_problem_id"))

    op.drop_table("problem_referral")
    with op.batch_alter_table("problem_extension", schema=None) as batch_op:
        batch_op.drop_index("ix_problem_extension_tenant_id_problem_id")
        batch_op.drop_index(batch_op.f("ix_problem_extension_tenant_id"))

    op.drop_table("problem_extension")
    with op.batch_alter_table("problem_event", schema=None) as batch_op:
        batch_op.drop_index("ix_problem_event_tenant_id_problem_id_seq")
        batch_op.drop_index(batch_op.f("ix_problem_event_tenant_id"))

    op.drop_table("problem_event")
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.drop_index("ix_problem_tenant_id_deadline")
        batch_op.drop_index("ix_problem_tenant_id_unit_id_status_deadline")
        batch_op.drop_index("ix_problem_tenant_id_status_deadline")

    op.drop_table("problem")
    with op.batch_alter_table("problem_counter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_counter_tenant_id"))

    op.drop_table("problem_counter")
    with op.batch_alter_table("local_field_set", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_local_field_set_tenant_id"))

    op.drop_table("local_field_set")
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_head_tenant_id"))

    op.drop_table("audit_head")
    op.drop_table("holiday_year")
