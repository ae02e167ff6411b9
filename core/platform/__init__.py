"""The platform under every feature: database, row-level security, configuration, errors, files, calendar, tables."""
