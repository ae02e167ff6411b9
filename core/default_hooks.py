"""The core's own behaviour, written as hook implementations like any plugin's."""

from __future__ import annotations

from core.domains import Category, Domain
from core.hookspecs import hookimpl

GENERAL = Domain(
    slug="general",
    name="通用",
    name_en="General",
    description="不属于特定业务领域的作风问题",
    switchable=False,
    categories=(
        Category("formalism", "形式主义、官僚主义"),
        Category("attitude", "服务态度"),
        Category("inaction", "不作为、慢作为、乱作为"),
        Category("discipline", "违反工作纪律"),
        Category("integrity", "廉洁自律"),
        Category("other", "其他"),
    ),
)


@hookimpl(trylast=True)
def xingfeng_register_domains():
    return [GENERAL]


@hookimpl(trylast=True)
def xingfeng_register_fields():
    return []


@hookimpl(trylast=True)
def xingfeng_register_blueprints():
    return []


@hookimpl(trylast=True)
def xingfeng_register_pages():
    return []


@hookimpl(trylast=True)
def xingfeng_register_checklists():
    return []


@hookimpl(trylast=True)
def xingfeng_register_migrations():
    return []


@hookimpl(trylast=True)
def xingfeng_startup(app):
    app.logger.debug("xingfeng core started with domains %s", ", ".join(app.extensions["xingfeng"].domains))


@hookimpl(trylast=True)
def xingfeng_validate_transition(tenant, unit, actor, problem, action, payload):
    return None


@hookimpl(trylast=True)
def xingfeng_after_problem_event(tenant, unit, actor, problem, event):
    return None


@hookimpl(trylast=True)
def xingfeng_sweep(tenant, today):
    return 0
