"""PostgreSQL row-level security and grants, applied by migrations (core's and plugins')."""

from __future__ import annotations

from alembic import op

from core.platform.db import APP_ROLE, READER_ROLE

TENANT_SETTING = "NULLIF(current_setting('app.tenant_id', true), '')::bigint"


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _schema() -> str:
    """The schema the migrations create tables in (``public`` unless the deployment's search_path says otherwise)."""
    name = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one()
    return '"' + name.replace('"', '""') + '"'


def ensure_roles() -> None:
    """Create the application and reader roles if the DBA has not (needs CREATEROLE), and set up grants."""
    if not _postgres():
        return
    for role in (APP_ROLE, READER_ROLE):
        op.execute(
            f"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} NOLOGIN;
              END IF;
            END $$;
            """
        )
    op.execute(f"GRANT USAGE ON SCHEMA {_schema()} TO {APP_ROLE}, {READER_ROLE}")
    # Tables created later by the owner get the same grants.
    op.execute(f"ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {READER_ROLE}")


#: tables whose rows the application may add but never change or remove
APPEND_ONLY = ("problem_event",)
#: tables the reader login must not see (credentials)
SECRET_TABLES = ("api_token", "user_account")


def grant_existing() -> None:
    """Grant on the tables and sequences that exist now (ALTER DEFAULT PRIVILEGES covers later ones).

    Re-applies the limits every time, so that a later migration calling this cannot undo them.
    """
    if not _postgres():
        return
    schema = _schema()
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {APP_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {APP_ROLE}")
    op.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {READER_ROLE}")
    op.execute(f"REVOKE ALL ON alembic_version FROM {APP_ROLE}, {READER_ROLE}")
    existing = {
        r[0]
        for r in op.get_bind().exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    }
    for table in APPEND_ONLY:
        if table in existing:
            op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {APP_ROLE}")
    for table in SECRET_TABLES:
        if table in existing:
            op.execute(f"REVOKE ALL ON {table} FROM {READER_ROLE}")


def enable(table: str) -> None:
    """Row-level security on a tenant-owned table: rows of the transaction's tenant only, even for the owner.

    The reader role (used by the named city-wide opt-out) may read every row and write none.
    """
    if not _postgres():
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} "
        f"USING (tenant_id = {TENANT_SETTING}) WITH CHECK (tenant_id = {TENANT_SETTING})"
    )
    op.execute(f"CREATE POLICY city_read ON {table} FOR SELECT TO {READER_ROLE} USING (true)")


def disable(table: str) -> None:
    if not _postgres():
        return
    op.execute(f"DROP POLICY IF EXISTS city_read ON {table}")
    op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
