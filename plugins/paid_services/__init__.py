"""Paid services (有偿服务): the domain plugin of the ``xingfeng`` entry point ``paid_services``.

A registry of affiliated institutions and technical agencies, their paid services and fee records; rules that flag
over-standard charges, designated services, out-of-scope services and expiring certificates; an audit checklist.
"""

from core.plugin_api import FieldSet, PluginBlueprint, PluginPages, hookimpl
from plugins.paid_services import pages
from plugins.paid_services.api import blp
from plugins.paid_services.checklists import TEMPLATES
from plugins.paid_services.domain import DOMAIN
from plugins.paid_services.schemas import PaidServicesFieldsSchema


@hookimpl
def xingfeng_register_domains():
    """Register the paid-services domain with its categories."""
    return [DOMAIN]


@hookimpl
def xingfeng_register_fields():
    """Register the paid-services domain's extra problem fields."""
    return [FieldSet(slug=DOMAIN.slug, domain=DOMAIN.slug, schema=PaidServicesFieldsSchema)]


@hookimpl
def xingfeng_register_blueprints():
    """Register the registry, fee-record and flag API."""
    return [PluginBlueprint(slug="paid-services", domain=DOMAIN.slug, blueprint=blp)]


@hookimpl
def xingfeng_register_pages():
    """Register the agency registry, fee records and flags pages."""
    return [
        PluginPages(
            slug="paid-services",
            domain=DOMAIN.slug,
            blueprint=pages.blp,
            nav=(
                ("有偿服务机构", "/paid-services/agencies"),
                ("收费记录", "/paid-services/fees"),
                ("收费预警", "/paid-services/flags"),
            ),
        )
    ]


@hookimpl
def xingfeng_register_checklists():
    """Register the paid-service audit checklist."""
    return list(TEMPLATES)


@hookimpl
def xingfeng_sweep(tenant, today):
    """Check every agency's CMA certificate: flag near expiry; an expired one becomes a problem, once."""
    from plugins.paid_services.service import sweep

    return sweep(tenant, today)


@hookimpl
def xingfeng_register_migrations():
    """Register the paid_services plugin's Alembic branch (its tables)."""
    from pathlib import Path

    return [str(Path(__file__).resolve().parent / "migrations" / "versions")]
