"""Paid services (有偿服务): the domain plugin of the ``xingfeng`` entry point ``paid_services``.

A registry of affiliated institutions and technical agencies, their paid services and fee records; rules that flag
over-standard charges, designated services, out-of-scope services and expiring certificates; an audit checklist.
"""

from pathlib import Path

from core.plugin_api import EventKind, FieldSet, PluginBlueprint, PluginPages, hookimpl
from plugins.paid_services import pages
from plugins.paid_services.api import blp
from plugins.paid_services.checklists import TEMPLATES
from plugins.paid_services.domain import DOMAIN
from plugins.paid_services.schemas import PaidServicesFieldsSchema
from plugins.paid_services.service import sweep

#: The audit events this plugin appends, with their labels.
EVENT_KINDS = {
    "paid_services.agency_created": "登记检验检测机构",
    "paid_services.agency_updated": "修改检验检测机构",
    "paid_services.service_created": "登记有偿服务项目",
    "paid_services.service_updated": "修改有偿服务项目",
    "paid_services.fee_recorded": "登记收费记录",
    "paid_services.fees_imported": "导入收费记录",
    "paid_services.flag_to_problem": "收费疑点转为问题",
}


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

    return sweep(tenant, today)


@hookimpl
def xingfeng_register_event_kinds():
    """Declare the audit events of this domain with their Chinese labels."""
    return [EventKind(slug, label) for slug, label in EVENT_KINDS.items()]


@hookimpl
def xingfeng_register_migrations():
    """Register the paid_services plugin's Alembic branch (its tables)."""

    return [str(Path(__file__).resolve().parent / "migrations" / "versions")]
