"""Enforcement case-file review (执法案卷评查): the plugin of the ``xingfeng`` entry point ``enforcement``.

Case files are registered (or imported), drawn at random for review with a recorded seed, and scored by a versioned
rubric; a failing file becomes a ledger problem that closes only after a passing re-review.
"""

from core.plugin_api import FieldSet, PluginBlueprint, PluginPages, hookimpl
from plugins.enforcement import pages
from plugins.enforcement.api import blp
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


@hookimpl
def xingfeng_register_blueprints():
    """Register the case-file review API."""
    return [PluginBlueprint(slug="enforcement-case-review", domain=DOMAIN.slug, blueprint=blp)]


@hookimpl
def xingfeng_register_pages():
    """Register the registry, sampling, rubric and statistics pages."""
    return [
        PluginPages(
            slug="enforcement-case-review",
            domain=DOMAIN.slug,
            blueprint=pages.blp,
            nav=(("执法案卷", "/enforcement/case-files"), ("案卷抽查", "/enforcement/samplings"),
                 ("评查统计", "/enforcement/statistics")),
        )
    ]  # fmt: skip


@hookimpl
def xingfeng_validate_transition(tenant, unit, actor, problem, action, payload):
    """A problem found by case-file review closes only after a passing re-review of the file."""
    if action != "close":
        return None
    from plugins.enforcement.service import closure_refusal

    return closure_refusal(problem)


@hookimpl
def xingfeng_register_migrations():
    """Register the enforcement plugin's Alembic branch (its tables)."""
    from pathlib import Path

    return [str(Path(__file__).resolve().parent / "migrations" / "versions")]
