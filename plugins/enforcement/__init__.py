"""Enforcement case-file review (执法案卷评查): the plugin of the ``xingfeng`` entry point ``enforcement``."""

from core import hookimpl
from core.domains import FieldSet
from plugins.enforcement.domain import DOMAIN
from plugins.enforcement.schemas import EnforcementFieldsSchema


@hookimpl
def xingfeng_register_domains():
    """Register the enforcement domain with its categories."""
    return [DOMAIN]


@hookimpl
def xingfeng_register_fields():
    """Register the enforcement domain's extra problem fields."""
    return [FieldSet(slug=DOMAIN.slug, domain=DOMAIN.slug, schema=EnforcementFieldsSchema)]
