"""Daily supervision (日常监管): the domain plugin of the ``xingfeng`` entry point ``supervision``.

It brings the domain and its categories, extra problem fields, six checklist templates, random-inspection tasks
(双随机: pools, a redoable draw, results and their publication) with their API and pages, and the rule that a
result not published within 20 working days becomes a ledger problem by itself.
"""

from pathlib import Path

from core.plugin_api import EventKind, FieldSet, PluginBlueprint, PluginPages, hookimpl
from plugins.supervision import pages
from plugins.supervision.api import blp
from plugins.supervision.checklists import TEMPLATES
from plugins.supervision.domain import DOMAIN
from plugins.supervision.schemas import SupervisionFieldsSchema
from plugins.supervision.service import sweep

#: The audit events this plugin appends, with their labels.
EVENT_KINDS = {"supervision.draw": "双随机抽取"}


@hookimpl
def xingfeng_register_domains():
    """Register the supervision domain with its categories."""
    return [DOMAIN]


@hookimpl
def xingfeng_register_fields():
    """Register the supervision domain's extra problem fields."""
    return [FieldSet(slug=DOMAIN.slug, domain=DOMAIN.slug, schema=SupervisionFieldsSchema)]


@hookimpl
def xingfeng_register_blueprints():
    """Register the API: credit-code check and random-inspection tasks."""
    return [PluginBlueprint(slug="supervision-credit-code", domain=DOMAIN.slug, blueprint=blp)]


@hookimpl
def xingfeng_register_pages():
    """Register the random-inspection task pages and their menu entry."""
    return [
        PluginPages(
            slug="supervision",
            domain=DOMAIN.slug,
            blueprint=pages.blp,
            nav=(("双随机抽查", "/supervision/tasks"),),
        )
    ]


@hookimpl
def xingfeng_register_checklists():
    """Register the daily-supervision checklist templates."""
    return list(TEMPLATES)


@hookimpl
def xingfeng_sweep(tenant, today):
    """Record a 结果未公示 problem for each task whose results passed their publication limit unpublished."""

    return sweep(tenant, today)


@hookimpl
def xingfeng_register_event_kinds():
    """Declare the audit events of this domain with their Chinese labels."""
    return [EventKind(slug, label) for slug, label in EVENT_KINDS.items()]


@hookimpl
def xingfeng_register_migrations():
    """Register the supervision plugin's Alembic branch (its tables)."""

    return [str(Path(__file__).resolve().parent / "migrations" / "versions")]
