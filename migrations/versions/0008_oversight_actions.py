"""City oversight actions: supervision orders, escalation, accountability, self-checks, reporting tasks, notifications

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 20:30:00

Row-level security: every table with tenant_id gets the usual tenant policy (rls.enable). The city-owned tables
(oversight_reporting_task, oversight_city_self_check, oversight_published_experience) have no tenant_id: every tenant
reads them, and the application decides whom a task concerns; each tenant's answers to them are tenant rows.
City users' notifications (oversight_city_notification) are shown and accepted only in a transaction with no tenant
in scope, so that no tenant request can read what the city is told about other tenants.
"""

import sqlalchemy as sa
from alembic import op

from core.platform import rls
from core.platform.db import BigId, UTCDateTime

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TENANT_TABLES = (
    "oversight_report_submission",
    "oversight_interview_flag",
    "oversight_unit_red_period",
    "oversight_accountability",
    "oversight_notification",
    "oversight_order",
    "oversight_problem_light",
    "oversight_self_check",
    "oversight_self_check_answer",
)
#: created in this order (foreign keys first), dropped in the reverse
TABLES = (
    "oversight_reporting_task",
    "oversight_sweep_run",
    "oversight_city_self_check",
    "oversight_published_experience",
    "oversight_report_submission",
    "oversight_interview_flag",
    "oversight_unit_red_period",
    "oversight_accountability",
    "oversight_city_notification",
    "oversight_mail_address",
    "oversight_notification",
    "oversight_order",
    "oversight_problem_light",
    "oversight_self_check",
    "oversight_self_check_answer",
)
NO_TENANT = "NULLIF(current_setting('app.tenant_id', true), '') IS NULL"


def upgrade():
    op.create_table(
        "oversight_reporting_task",
        sa.Column("id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("tenant_ids", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_reporting_task")),
    )
    op.create_table(
        "oversight_sweep_run",
        sa.Column("id", BigId, nullable=False),
        sa.Column("today", sa.Date(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_sweep_run")),
    )
    op.create_table(
        "oversight_city_self_check",
        sa.Column("id", BigId, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("source_tenant_id", BigId, nullable=False),
        sa.Column("source_problem_id", BigId, nullable=False),
        sa.Column("tenant_ids", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_tenant_id"],
            ["tenant.id"],
            name=op.f("fk_oversight_city_self_check_source_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_city_self_check")),
    )
    op.create_table(
        "oversight_published_experience",
        sa.Column("id", BigId, nullable=False),
        sa.Column("task_id", BigId, nullable=False),
        sa.Column("from_tenant_id", BigId, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("published_by", sa.String(length=80), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_tenant_id"],
            ["tenant.id"],
            name=op.f("fk_oversight_published_experience_from_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["oversight_reporting_task.id"],
            name=op.f("fk_oversight_published_experience_task_id_oversight_reporting_task"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_published_experience")),
        sa.UniqueConstraint(
            "task_id", "from_tenant_id", name=op.f("uq_oversight_published_experience_task_id_from_tenant_id")
        ),
    )
    op.create_table(
        "oversight_report_submission",
        sa.Column("id", BigId, nullable=False),
        sa.Column("task_id", BigId, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("first_submitted_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(length=80), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("return_reason", sa.Text(), nullable=False),
        sa.Column("returned_by", sa.String(length=80), nullable=True),
        sa.Column("returned_at", UTCDateTime(), nullable=True),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["oversight_reporting_task.id"],
            name=op.f("fk_oversight_report_submission_task_id_oversight_reporting_task"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_oversight_report_submission_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_report_submission")),
        sa.UniqueConstraint("tenant_id", "task_id", name=op.f("uq_oversight_report_submission_tenant_id_task_id")),
    )
    with op.batch_alter_table("oversight_report_submission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oversight_report_submission_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "oversight_interview_flag",
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("periods", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_oversight_interview_flag_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_oversight_interview_flag_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_interview_flag")),
        sa.UniqueConstraint(
            "tenant_id", "unit_id", "period", name=op.f("uq_oversight_interview_flag_tenant_id_unit_id_period")
        ),
    )
    with op.batch_alter_table("oversight_interview_flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oversight_interview_flag_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "oversight_unit_red_period",
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("red_problems", sa.Integer(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_oversight_unit_red_period_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_oversight_unit_red_period_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_unit_red_period")),
        sa.UniqueConstraint(
            "tenant_id", "unit_id", "period", name=op.f("uq_oversight_unit_red_period_tenant_id_unit_id_period")
        ),
    )
    with op.batch_alter_table("oversight_unit_red_period", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oversight_unit_red_period_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "oversight_accountability",
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=False),
        sa.Column("problem_ids", sa.JSON(), nullable=False),
        sa.Column("order_ids", sa.JSON(), nullable=False),
        sa.Column("flag_id", BigId, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"],
            ["oversight_interview_flag.id"],
            name=op.f("fk_oversight_accountability_flag_id_oversight_interview_flag"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_oversight_accountability_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_oversight_accountability_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_accountability")),
    )
    with op.batch_alter_table("oversight_accountability", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oversight_accountability_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_oversight_accountability_tenant_id_unit_id_kind", ["tenant_id", "unit_id", "kind"], unique=False
        )

    op.create_table(
        "oversight_city_notification",
        sa.Column("id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("mailed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_oversight_city_notification_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_city_notification")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_oversight_city_notification_user_id_key")),
    )
    op.create_table(
        "oversight_mail_address",
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_oversight_mail_address_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_oversight_mail_address")),
    )
    op.create_table(
        "oversight_notification",
        sa.Column("id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("mailed_at", UTCDateTime(), nullable=True),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_oversight_notification_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_oversight_notification_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_notification")),
        sa.UniqueConstraint(
            "tenant_id", "user_id", "key", name=op.f("uq_oversight_notification_tenant_id_user_id_key")
        ),
    )
    with op.batch_alter_table("oversight_notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oversight_notification_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_oversight_notification_tenant_id_user_id_read_at", ["tenant_id", "user_id", "read_at"], unique=False
        )

    op.create_table(
        "oversight_order",
        sa.Column("id", BigId, nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("problem_id", BigId, nullable=True),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("demand", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("issued_by", sa.String(length=80), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("escalation_key", sa.String(length=80), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=80), nullable=True),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.String(length=80), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("answered_late", sa.Boolean(), nullable=True),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_oversight_order_problem_id_problem"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_oversight_order_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_oversight_order_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_order")),
        sa.UniqueConstraint("tenant_id", "escalation_key", name=op.f("uq_oversight_order_tenant_id_escalation_key")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_oversight_order_tenant_id_number")),
    )
    with op.batch_alter_table("oversight_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oversight_order_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_oversight_order_tenant_id_unit_id_status", ["tenant_id", "unit_id", "status"], unique=False
        )

    op.create_table(
        "oversight_problem_light",
        sa.Column("id", BigId, nullable=False),
        sa.Column("problem_id", BigId, nullable=False),
        sa.Column("light", sa.String(length=10), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problem.id"],
            name=op.f("fk_oversight_problem_light_problem_id_problem"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_oversight_problem_light_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_problem_light")),
        sa.UniqueConstraint("tenant_id", "problem_id", name=op.f("uq_oversight_problem_light_tenant_id_problem_id")),
    )
    with op.batch_alter_table("oversight_problem_light", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oversight_problem_light_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "oversight_self_check",
        sa.Column("id", BigId, nullable=False),
        sa.Column("city_check_id", BigId, nullable=True),
        sa.Column("source_problem_id", BigId, nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["city_check_id"],
            ["oversight_city_self_check.id"],
            name=op.f("fk_oversight_self_check_city_check_id_oversight_city_self_check"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["source_problem_id"],
            ["problem.id"],
            name=op.f("fk_oversight_self_check_source_problem_id_problem"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_oversight_self_check_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_self_check")),
        sa.UniqueConstraint("tenant_id", "city_check_id", name=op.f("uq_oversight_self_check_tenant_id_city_check_id")),
    )
    with op.batch_alter_table("oversight_self_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oversight_self_check_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "oversight_self_check_answer",
        sa.Column("id", BigId, nullable=False),
        sa.Column("self_check_id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=True),
        sa.Column("problem_id", BigId, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.String(length=80), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problem.id"],
            name=op.f("fk_oversight_self_check_answer_problem_id_problem"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["self_check_id"],
            ["oversight_self_check.id"],
            name=op.f("fk_oversight_self_check_answer_self_check_id_oversight_self_check"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_oversight_self_check_answer_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_oversight_self_check_answer_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_self_check_answer")),
        sa.UniqueConstraint(
            "tenant_id",
            "self_check_id",
            "unit_id",
            name=op.f("uq_oversight_self_check_answer_tenant_id_self_check_id_unit_id"),
        ),
    )
    with op.batch_alter_table("oversight_self_check_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oversight_self_check_answer_tenant_id"), ["tenant_id"], unique=False)

    rls.grant_existing()
    for table in TENANT_TABLES:
        rls.enable(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE oversight_city_notification ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE oversight_city_notification FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY city_only ON oversight_city_notification USING ({NO_TENANT}) WITH CHECK ({NO_TENANT})"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS city_only ON oversight_city_notification")
    for table in TENANT_TABLES:
        rls.disable(table)
    for table in reversed(TABLES):
        op.drop_table(table)
