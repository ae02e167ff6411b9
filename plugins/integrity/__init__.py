"""Team conduct and integrity (队伍建设与廉政): the domain plugin of the ``xingfeng`` entry point ``integrity``.

Written on the plugin API alone: a staff register with law-enforcement certificates (执法证件) whose expired
certificates become ledger problems through the daily sweep, importable from .xlsx/CSV and exported to Excel.
"""

from pathlib import Path

from core.plugin_api import EventKind, FieldSet, PluginBlueprint, hookimpl
from plugins.integrity.api import IntegrityFieldsSchema, blp
from plugins.integrity.domain import DOMAIN

#: The audit events this plugin appends, with their labels.
EVENT_KINDS = {
    "integrity.staff_created": "登记执法人员",
    "integrity.staff_updated": "修改执法人员",
    "integrity.staff_imported": "导入人员名册",
}


@hookimpl
def xingfeng_register_domains():
    """Register the integrity domain with its categories."""
    return [DOMAIN]


@hookimpl
def xingfeng_register_fields():
    """Register the person a problem of this domain concerns."""
    return [FieldSet(slug=DOMAIN.slug, domain=DOMAIN.slug, schema=IntegrityFieldsSchema)]


@hookimpl
def xingfeng_register_blueprints():
    """Register the staff-register API."""
    return [PluginBlueprint(slug="integrity", domain=DOMAIN.slug, blueprint=blp)]


@hookimpl
def xingfeng_sweep(tenant, today):
    """Check every certificate: an expired one becomes a problem, once."""
    from plugins.integrity.service import sweep

    return sweep(tenant, today)


@hookimpl
def xingfeng_register_event_kinds():
    """Declare the audit events of this domain with their Chinese labels."""
    return [EventKind(slug, label) for slug, label in EVENT_KINDS.items()]


@hookimpl
def xingfeng_register_migrations():
    """Register the integrity plugin's Alembic branch (its tables)."""
    return [str(Path(__file__).resolve().parent / "migrations" / "versions")]
