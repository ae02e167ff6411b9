"""Approval services (审批服务): the domain plugin of the ``xingfeng`` entry point ``approval``.

It brings the domain and its categories, the problem fields 事项名称/办件编号/窗口/岗位, the checklist templates of
plugins/approval/checklists.py, the service-case records (办件) with their API and page, and the rule that records a
case completed (or still open) after its promised date as a 超时办结 problem, once.
"""

from pathlib import Path

from core.plugin_api import FieldSet, PluginBlueprint, PluginPages, hookimpl
from plugins.approval import pages
from plugins.approval.api import blp
from plugins.approval.checklists import TEMPLATES
from plugins.approval.domain import DOMAIN
from plugins.approval.schemas import ApprovalFieldsSchema
from plugins.approval.service import sweep


@hookimpl
def xingfeng_register_domains():
    """Register the approval domain with its categories."""
    return [DOMAIN]


@hookimpl
def xingfeng_register_fields():
    """Register the approval domain's extra problem fields."""
    return [FieldSet(slug=DOMAIN.slug, domain=DOMAIN.slug, schema=ApprovalFieldsSchema)]


@hookimpl
def xingfeng_register_checklists():
    """Register the approval domain's checklist templates."""

    return list(TEMPLATES)


@hookimpl
def xingfeng_register_blueprints():
    """Register the service-case (办件) API."""

    return [PluginBlueprint(slug="approval-cases", domain=DOMAIN.slug, blueprint=blp)]


@hookimpl
def xingfeng_register_pages():
    """Register the service-case page and its menu entry."""
    return [
        PluginPages(
            slug="approval-cases",
            domain=DOMAIN.slug,
            blueprint=pages.blp,
            nav=(("办件记录", "/approval/cases"),),
        )
    ]


@hookimpl
def xingfeng_sweep(tenant, today):
    """Record open cases past their promised date as 超时办结 problems (once each)."""

    return sweep(tenant, today)


@hookimpl
def xingfeng_register_migrations():
    """Register the approval plugin's Alembic branch (its tables)."""

    return [str(Path(__file__).resolve().parent / "migrations" / "versions")]
