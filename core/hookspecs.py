"""Hook specifications: the contract between the core and its plugins.

Hooks are grouped by phase. Every hook is called with keyword arguments; hooks that concern a unit are called
only for the plugins enabled at that unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from flask import Flask

    from core.domains import Domain, FieldSet, PluginBlueprint

hookspec = pluggy.HookspecMarker("xingfeng")


# --- start-up: collected once when the app is built ------------------------------------------------------------


@hookspec
def xingfeng_register_domains() -> list[Domain]:
    """Register the work domains (业务领域) a plugin brings, with their problem categories.

    Called once at start-up. Each domain's slug must be unique across all plugins; the collector refuses
    duplicates. The slug is also the name under which the city and tenant admins switch the domain on or off.

    :return: a list of :class:`core.domains.Domain`.
    """


@hookspec
def xingfeng_register_fields() -> list[FieldSet]:
    """Register the extra problem fields of a plugin's domains.

    Called once at start-up. Each :class:`core.domains.FieldSet` names its domain and carries a marshmallow
    schema; the core validates a problem's custom fields against it on every write and exports each field as
    its own column. Field metadata ``label`` gives the Chinese column title.

    :return: a list of :class:`core.domains.FieldSet`.
    """


@hookspec
def xingfeng_register_blueprints() -> list[PluginBlueprint]:
    """Register a plugin's API blueprints (flask-smorest ``Blueprint``).

    Called once at start-up. Each blueprint is served under ``/api/v1/plugins/<domain>/`` for tenant users
    and ``/api/v1/tenants/<tenant>/plugins/<domain>/`` for city users, and answers 404 wherever its domain is
    not enabled for the caller's unit.

    :return: a list of :class:`core.domains.PluginBlueprint`.
    """


@hookspec
def xingfeng_startup(app: Flask) -> None:
    """Finish a plugin's set-up once the app is built: the last step of ``create_app``.

    Must not query the database (the schema may not exist yet, e.g. before ``xingfeng db upgrade``).

    :param app: the Flask application being created.
    """
