"""Platform and tenancy tables, with row-level security on the tenant-owned ones

Revision ID: 0001
Revises:
Create Date: 2026-11-27 06:54:40.946303

"""

from datetime import date

import sqlalchemy as sa
from alembic import op

from core.platform import rls
from core.platform.db import BigId, UTCDateTime

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


TENANT_TABLES = ("unit", "plugin_setting")


def upgrade():
    rls.ensure_roles()
    op.create_table(
        "campaign_phase",
        sa.Column("id", BigId, nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_phase")),
        sa.UniqueConstraint("code", name=op.f("uq_campaign_phase_code")),
    )
    op.create_table(
        "tenant",
        sa.Column("id", BigId, nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("is_city", sa.Boolean(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant")),
        sa.UniqueConstraint("code", name=op.f("uq_tenant_code")),
        sa.UniqueConstraint("slug", name=op.f("uq_tenant_slug")),
    )
    op.create_table(
        "unit",
        sa.Column("id", BigId, nullable=False),
        sa.Column("parent_id", BigId, nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["unit.id"], name=op.f("fk_unit_parent_id_unit"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_unit_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_unit_tenant_id_code")),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_unit_tenant_id_parent_id", ["tenant_id", "parent_id"], unique=False)

    op.create_table(
        "plugin_setting",
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=True),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_plugin_setting_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_plugin_setting_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plugin_setting")),
        sa.UniqueConstraint("tenant_id", "unit_id", "domain", name=op.f("uq_plugin_setting_tenant_id_unit_id_domain")),
    )
    with op.batch_alter_table("plugin_setting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plugin_setting_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "uq_plugin_setting_tenant_default",
            ["tenant_id", "domain"],
            unique=True,
            sqlite_where=sa.text("unit_id IS NULL"),
            postgresql_where=sa.text("unit_id IS NULL"),
        )

    op.create_table(
        "user_account",
        sa.Column("id", BigId, nullable=False),
        sa.Column("tenant_id", BigId, nullable=True),
        sa.Column("unit_id", BigId, nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("is_liaison", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_user_account_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_user_account_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index("ix_user_account_tenant_id_unit_id", ["tenant_id", "unit_id"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_api_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    phases = sa.table(
        "campaign_phase",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("starts_on", sa.Date),
        sa.column("ends_on", sa.Date),
    )
    op.bulk_insert(
        phases,
        [
            {
                "code": "2023",
                "name": "排查治理",
                "starts_on": date(2023, 1, 1),
                "ends_on": date(2023, 12, 31),
            },
            {
                "code": "2024",
                "name": "深化拓展",
                "starts_on": date(2024, 1, 1),
                "ends_on": date(2024, 12, 31),
            },
            {
                "code": "2025",
                "name": "巩固提升",
                "starts_on": date(2025, 1, 1),
                "ends_on": date(2025, 12, 31),
            },
        ],
    )
    rls.grant_existing()
    for table in TENANT_TABLES:
        rls.enable(table)


def downgrade():
    for table in TENANT_TABLES:
        rls.disable(table)
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index("ix_user_account_tenant_id_unit_id")

    op.drop_table("user_account")
    with op.batch_alter_table("plugin_setting", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_plugin_setting_tenant_default",
            sqlite_where=sa.text("unit_id IS NULL"),
            postgresql_where=sa.text("unit_id IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_plugin_setting_tenant_id"))

    op.drop_table("plugin_setting")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_tenant_id_parent_id")
        batch_op.drop_index(batch_op.f("ix_unit_tenant_id"))

    op.drop_table("unit")
    op.drop_table("tenant")
    op.drop_table("campaign_phase")
