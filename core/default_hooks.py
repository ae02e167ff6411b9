"""The core's own behaviour, written as hook implementations like any plugin's."""

from __future__ import annotations

from core.domains import Category, Domain, EventKind
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


#: The ledger's own event kinds (bare names: they predate namespacing, and the chain is never rewritten).
LEDGER_EVENT_KINDS = {
    "created": "登记", "updated": "修改", "assign": "交办", "sign": "签收", "submit": "提交验收", "close": "销号",
    "return": "退回", "ongoing": "转为长期坚持", "dismiss": "不予立项", "note_added": "填写整改进展",
    "evidence_added": "上传佐证材料", "extension_requested": "申请延期", "extension_decided": "审批延期",
    "referred": "移送纪检监察", "deadline_recomputed": "重算整改时限", "imported_update": "导入更新",
}  # fmt: skip


@hookimpl(trylast=True)
def xingfeng_register_event_kinds():
    return [EventKind(slug, label) for slug, label in LEDGER_EVENT_KINDS.items()]


@hookimpl(trylast=True)
def xingfeng_register_checklists():
    return []


@hookimpl(trylast=True)
def xingfeng_register_figures():
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
