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


#: The audit events the core appends: ``<owner>.<event>``, the owner being the core package that appends it and the
#: event in the past tense, with the Chinese label and the bare name the kind had before kinds were namespaced
#: (events already in a chain keep that name: the chain is never rewritten; they read with the same label).
CORE_EVENT_KINDS = (
    # the ledger (a move's kind is Transition.event in core.ledger.service)
    ("ledger.created", "登记", "created"),
    ("ledger.updated", "修改", "updated"),
    ("ledger.assigned", "交办", "assign"),
    ("ledger.signed", "签收", "sign"),
    ("ledger.submitted", "提交验收", "submit"),
    ("ledger.closed", "销号", "close"),
    ("ledger.returned", "退回", "return"),
    ("ledger.made_ongoing", "转为长期坚持", "ongoing"),
    ("ledger.dismissed", "不予立项", "dismiss"),
    ("ledger.note_added", "填写整改进展", "note_added"),
    ("ledger.evidence_added", "上传佐证材料", "evidence_added"),
    ("ledger.extension_requested", "申请延期", "extension_requested"),
    ("ledger.extension_decided", "审批延期", "extension_decided"),
    ("ledger.referred", "移送纪检监察", "referred"),
    ("ledger.deadline_recomputed", "重算整改时限", "deadline_recomputed"),
    ("ledger.import_applied", "导入更新", "imported_update"),
    ("ledger.local_fields_defined", "设置本局自定义字段", "local_fields_defined"),
    # checklists (检查清单)
    ("checklists.item_added", "增加本地检查项", "checklist_item_added"),
    ("checklists.item_retired", "停用本地检查项", "checklist_item_retired"),
    ("checklists.created", "新建检查清单", "checklist_created"),
    ("checklists.submitted", "提交检查清单", "checklist_submitted"),
    ("checklists.evidence_added", "上传检查佐证材料", "checklist_evidence_added"),
    # public supervision (群众监督)
    ("public.channels_changed", "修改群众监督渠道", "public_channels_changed"),
    ("public.solicitation_opened", "发起意见征集", "solicitation_opened"),
    ("public.solicitation_changed", "修改意见征集", "solicitation_changed"),
    ("public.report_received", "收到群众反映", "public_report_received"),
    ("public.report_contact_read", "查看反映人联系方式", "public_report_contact_read"),
    ("public.report_accepted", "受理群众反映", "public_report_accepted"),
    ("public.report_merged", "合并群众反映", "public_report_merged"),
    ("public.report_replied", "答复群众反映", "public_report_replied"),
    ("public.report_rated", "群众评价答复", "public_report_rated"),
    ("public.report_dismissed", "不予受理群众反映", "public_report_dismissed"),
    ("public.report_referred", "群众反映转有关部门办理", "public_report_referred"),
    # oversight (督办、问责、自查、报送、红黄灯)
    ("oversight.settings_changed", "修改时限设置", "settings_changed"),
    ("oversight.order_issued", "下发督办单", "order_issued"),
    ("oversight.order_acknowledged", "签收督办单", "order_acknowledged"),
    ("oversight.order_answered", "回复督办单", "order_answered"),
    ("oversight.accountability_recorded", "登记问责处理", "accountability_recorded"),
    ("oversight.self_check_sent", "下发自查任务", "self_check_sent"),
    ("oversight.self_check_received", "收到自查任务", "self_check_received"),
    ("oversight.self_check_answered", "填报自查结果", "self_check_answered"),
    ("oversight.report_task_received", "收到报送任务", "report_task_received"),
    ("oversight.report_task_changed", "修改报送任务", "report_task_changed"),
    ("oversight.report_task_closed", "关闭报送任务", "report_task_closed"),
    ("oversight.report_submitted", "报送材料", "report_submitted"),
    ("oversight.report_returned", "退回报送材料", "report_returned"),
    ("oversight.light_changed", "红黄灯变化", "light_changed"),
    ("oversight.interview_flagged", "列入约谈提醒", "interview_flagged"),
    # documents (发文设置、发文登记)
    ("documents.settings_changed", "修改发文设置", None),
    ("documents.numbered", "发文编号", None),
)


@hookimpl(trylast=True)
def xingfeng_register_event_kinds():
    return [EventKind(slug, label, (legacy,) if legacy else ()) for slug, label, legacy in CORE_EVENT_KINDS]


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


@hookimpl(trylast=True)
def xingfeng_load_demo_data(tenant, today):
    return 0
