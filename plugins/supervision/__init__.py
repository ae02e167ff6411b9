"""Daily supervision (日常监管): the domain plugin of the ``xingfeng`` entry point ``supervision``."""

from core import hookimpl
from core.domains import FieldSet, PluginBlueprint
from plugins.supervision.domain import DOMAIN
from plugins.supervision.schemas import SupervisionFieldsSchema
from plugins.supervision.views import blp


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
    """Register the credit-code check API."""
    return [PluginBlueprint(slug="supervision-credit-code", domain=DOMAIN.slug, blueprint=blp)]
