"""The platform under every feature: database, row-level security, configuration, errors, files, calendar, tables."""

from core.platform import messages  # noqa: F401 - marshmallow speaks Chinese before any schema is defined
