"""Paid services (有偿服务): the domain plugin of the ``xingfeng`` entry point ``paid_services``."""

from core import hookimpl
from core.domains import FieldSet
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
