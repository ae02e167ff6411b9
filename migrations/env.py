"""Alembic environment: runs as the schema owner (MIGRATIONS_DATABASE_URL) when one is configured."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import create_engine, pool

config = context.config
if config.config_file_name is not None and not current_app.testing:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

# The app's db: create_app imported the core's models and loaded the plugins, whose models register on the same
# metadata, so autogenerate sees the whole schema without this file importing any plugin.
target_db = current_app.extensions["migrate"].db


def get_engine():
    # The app's own role owns nothing and cannot run DDL; migrations use the owner when told which.
    owner_url = current_app.config.get("MIGRATIONS_DATABASE_URL")
    if owner_url:
        return create_engine(owner_url, poolclass=pool.NullPool)
    return target_db.engine


def get_metadata():
    return target_db.metadata


def run_migrations_offline():
    """Emit SQL instead of running it."""
    url = str(get_engine().url)
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on a live connection."""

    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)

    engine = get_engine()
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
        with context.begin_transaction():
            context.run_migrations()
    if engine is not target_db.engine:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
