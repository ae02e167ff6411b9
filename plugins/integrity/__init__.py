"""Team conduct and integrity (队伍建设与廉政): the domain plugin of the ``xingfeng`` entry point ``integrity``.

Written on the plugin API alone: a staff register with law-enforcement certificates (执法证件) whose expired
certificates become ledger problems through the daily sweep; integrity risk points per unit and post (廉政风险点)
with a yearly review the sweep reminds of and a coverage figure; the annual self-check 年度廉政风险点自查; pages and
the JSON API for both registers, each importable from .xlsx/CSV and exported to Excel.
"""

from pathlib import Path

from core.plugin_api import EventKind, FieldSet, PluginBlueprint, PluginPages, ReportReferral, hookimpl
from plugins.integrity import (  # noqa: F401  (their routes join the API blueprint)
    certificates_api,
    responsibility_import_api,
)
from plugins.integrity.api import IntegrityFieldsSchema, blp
from plugins.integrity.domain import DOMAIN

#: The audit events this plugin appends, with their labels.
EVENT_KINDS = {
    "integrity.staff_created": "登记执法人员",
    "integrity.staff_updated": "修改执法人员",
    "integrity.staff_imported": "导入人员名册",
    "integrity.risk_point_created": "登记廉政风险点",
    "integrity.risk_point_updated": "修改廉政风险点",
    "integrity.risk_point_retired": "撤销廉政风险点",
    "integrity.risk_points_imported": "导入廉政风险点",
    "integrity.training_session_recorded": "登记教育培训",
    "integrity.training_session_updated": "修改教育培训",
    "integrity.training_session_deleted": "删除教育培训",
    "integrity.training_material_added": "上传培训材料",
    "integrity.training_sessions_imported": "导入教育培训",
    "integrity.responsibility_signed": "登记党风廉政建设责任书",
    "integrity.responsibility_updated": "修改党风廉政建设责任书",
    "integrity.responsibility_file_added": "上传责任书扫描件",
    "integrity.responsibility_deleted": "删除党风廉政建设责任书",
    "integrity.settings_updated": "修改证件到期预警天数",
    "integrity.staff_retired": "人员退休",
    "integrity.staff_transferred": "人员调动或调离",
    "integrity.lead_recorded": "登记问题线索",
    "integrity.lead_updated": "修改问题线索",
    "integrity.lead_disposed": "处置问题线索",
    "integrity.lead_concluded": "问题线索办结",
    "integrity.lead_problem_recorded": "问题线索查实转台账",
    "integrity.lead_read": "查阅问题线索",
    "integrity.leads_listed": "查阅问题线索清单",
    "integrity.leads_exported": "导出问题线索",
    "integrity.interference_recorded": "登记干预执法记录",
    "integrity.interference_updated": "修改干预执法记录",
    "integrity.interference_imported": "导入干预执法记录",
    "integrity.responsibility_imported": "导入党风廉政建设责任书",
}


@hookimpl
def xingfeng_register_domains():
    """Register the integrity domain with its categories."""
    return [DOMAIN]


@hookimpl
def xingfeng_register_fields():
    """Register the person a problem of this domain concerns."""
    return [FieldSet(slug=DOMAIN.slug, domain=DOMAIN.slug, schema=IntegrityFieldsSchema)]


@hookimpl
def xingfeng_register_blueprints():
    """Register the staff-register and risk-point API."""
    return [PluginBlueprint(slug="integrity", domain=DOMAIN.slug, blueprint=blp)]


@hookimpl
def xingfeng_register_pages():
    """Register the pages 人员名册 and 廉政风险点."""
    from plugins.integrity import (
        certificates_pages,  # noqa: F401  (its views join the page blueprint)
        pages,
        responsibility_import_pages,  # noqa: F401  (its view joins the page blueprint)
    )

    return [
        PluginPages(
            slug="integrity",
            domain=DOMAIN.slug,
            blueprint=pages.blp,
            nav=(
                ("人员名册", "/integrity/staff"),
                ("廉政风险点", "/integrity/risk-points"),
                ("证件到期预警", "/integrity/certificates"),
                ("教育培训", "/integrity/training"),
                ("责任书", "/integrity/responsibility"),
                ("干预执法记录", "/integrity/interference"),
                ("问题线索", "/integrity/leads"),
            ),  # fmt: skip
            # 问题线索 is in the menu only of those who may read it: the tenant's 纪检 and the city's supervisors.
            nav_roles={"/integrity/leads": ("reviewer", "city_supervisor")},
        )
    ]


@hookimpl
def xingfeng_register_checklists():
    """Register the annual self-check 年度廉政风险点自查."""
    from plugins.integrity.checklists import TEMPLATES

    return list(TEMPLATES)


@hookimpl
def xingfeng_register_figures():
    """Register 廉政风险点覆盖率 (units with a risk point / units where the domain is on)."""
    from plugins.integrity.figures import FIGURES

    return FIGURES


@hookimpl
def xingfeng_sweep(tenant, today):
    """Check every certificate (an expired one becomes a problem, once; an expiring one is reminded of, once);
    remind units of risk-point reviews due and, in the first quarter, of responsibility statements unsigned."""
    from plugins.integrity.certificates import remind_expiring
    from plugins.integrity.responsibility import remind_unsigned
    from plugins.integrity.risks import remind_reviews
    from plugins.integrity.service import sweep

    return (
        sweep(tenant, today)
        + remind_reviews(tenant, today)
        + remind_expiring(tenant, today)
        + remind_unsigned(tenant, today)
    )


@hookimpl
def xingfeng_load_demo_data(tenant, today):
    """A few staff and risk points at the demo tenant's stations (once)."""
    from plugins.integrity import conduct_demo
    from plugins.integrity.demo import load
    from plugins.integrity.training_demo import load as load_training

    return load(tenant, today) + load_training(tenant, today) + conduct_demo.load(tenant, today)


@hookimpl
def xingfeng_register_event_kinds():
    """Declare the audit events of this domain with their Chinese labels."""
    return [EventKind(slug, label) for slug, label in EVENT_KINDS.items()]


@hookimpl
def xingfeng_register_migrations():
    """Register the integrity plugin's Alembic branch (its tables)."""
    return [str(Path(__file__).resolve().parent / "migrations" / "versions")]


@hookimpl
def xingfeng_certificate_status(tenant, certificate_no, name, on):
    """Answer from the staff register whether a person held a valid 行政执法证 on a date (None: not registered)."""
    from plugins.integrity.certificates import status_on

    return status_on(tenant, certificate_no, name, on)


@hookimpl
def xingfeng_register_report_referrals():
    """Offer 转为问题线索 at a public report's triage, to the tenant's reviewers (纪检)."""
    from plugins.integrity.leads import refer_report

    return [ReportReferral(slug="integrity.lead", domain=DOMAIN.slug, label="转为问题线索", roles=("reviewer",),
                           refer=refer_report)]  # fmt: skip
