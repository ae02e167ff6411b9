"""Enforcement case-file review (执法案卷评查): the plugin of the ``xingfeng`` entry point ``enforcement``.

Case files are registered (or imported), drawn at random for review with a recorded seed, and scored by a versioned
rubric; a failing file becomes a ledger problem that closes only after a passing re-review.
"""

from pathlib import Path

from core.plugin_api import EventKind, FieldSet, PluginBlueprint, PluginPages, hookimpl
from plugins.enforcement import figures, pages
from plugins.enforcement.api import blp
from plugins.enforcement.domain import DOMAIN
from plugins.enforcement.schemas import EnforcementFieldsSchema
from plugins.enforcement.service import closure_refusal

#: The audit events this plugin appends, with their labels; the bare names are those of events recorded before
#: kinds were namespaced (the chain is never rewritten, so they keep reading in Chinese).
EVENT_KINDS = {
    "case_file_registered": "登记案卷",
    "case_files_imported": "导入案卷",
    "case_review_settings": "修改评查等次与整改时限设置",
    "case_review_item_added": "增加本地评查项",
    "case_review_item_retired": "停用本地评查项",
    "case_review_scored": "案卷评查打分",
    "case_sampling_drawn": "随机抽取评查案卷",
}


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
def xingfeng_register_figures():
    """Register the case-file review figures (average score, share 不合格)."""
    return list(figures.FIGURES)


@hookimpl
def xingfeng_validate_transition(tenant, unit, actor, problem, action, payload):
    """A problem found by case-file review closes only after a passing re-review of the file."""
    if action != "close":
        return None

    return closure_refusal(problem)


@hookimpl
def xingfeng_register_event_kinds():
    """Declare the audit events of this domain with their Chinese labels."""
    return [EventKind(f"enforcement.{name}", label, legacy=(name,)) for name, label in EVENT_KINDS.items()]


@hookimpl
def xingfeng_register_migrations():
    """Register the enforcement plugin's Alembic branch (its tables)."""

    return [str(Path(__file__).resolve().parent / "migrations" / "versions")]
