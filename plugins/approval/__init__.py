"""Approval services (审批服务): the domain plugin of the ``xingfeng`` entry point ``approval``."""

from core import hookimpl
from core.domains import FieldSet
from plugins.approval.domain import DOMAIN
from plugins.approval.schemas import ApprovalFieldsSchema


@hookimpl
def xingfeng_register_domains():
    """Register the approval domain with its categories."""
    return [DOMAIN]


@hookimpl
def xingfeng_register_fields():
    """Register the approval domain's extra problem fields."""
    return [FieldSet(slug=DOMAIN.slug, domain=DOMAIN.slug, schema=ApprovalFieldsSchema)]
