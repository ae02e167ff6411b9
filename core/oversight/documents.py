"""The 督办单 as a printed document (GB/T 9704-2012 layout, core.documents.gongwen): 编号, 督办事项, 督办要求, 办理时限,
承办单位, with the 回执 (answer slip) the unit sends back. A city order goes out under the city's document settings,
a county's under the county's."""

from __future__ import annotations

from core.documents import service as documents
from core.documents.gongwen import Gongwen, chinese_date
from core.ledger.models import Problem
from core.oversight.models import ORDER_LEVELS, SupervisionOrder
from core.platform.calendar import local_date
from core.platform.db import db
from core.tenancy.models import Tenant, Unit


def order_docx(tenant: Tenant, order: SupervisionOrder) -> bytes:
    settings = documents.city_settings() if order.level == "city" else documents.settings_for(tenant)
    unit = db.session.get(Unit, order.unit_id)
    problem = db.session.get(Problem, order.problem_id) if order.problem_id else None
    issued_on = local_date(order.issued_at)
    doc = Gongwen()
    doc.red_header(settings["mark"], f"编号：{order.number}")
    doc.title("行风建设问题督办单")
    recipient = f"{tenant.name}{unit.name}" if order.level == "city" and unit else (unit.name if unit else "")
    doc.recipients([recipient])
    matter = f"{problem.title}（问题编号{problem.number}）" if problem else "本单位行风建设问题整改情况"
    level = ORDER_LEVELS.get(order.level, "督办")
    doc.paragraph(f"根据行风建设三年攻坚专项行动工作安排，现对以下事项予以督办（{level}）。")
    doc.form(
        [
            ["督办编号", order.number],
            ["督办事项", matter],
            ["督办要求", order.demand],
            ["办理时限", chinese_date(order.deadline)],
            ["承办单位", recipient],
            ["督办单位", settings["issuing_body"]],
            ["下发日期", chinese_date(issued_on)],
        ],
    )
    doc.paragraph(f"请于{chinese_date(order.deadline)}前办结，并将办理情况填写回执报送{settings['issuing_body']}。")
    doc.signature(settings["signature"], issued_on)
    doc.record(cc=settings["cc"], printer=settings["printer"], printed_on=issued_on)
    # the answer slip, on its own page: the unit fills it and sends it back
    doc.doc.add_page_break()
    doc.title("督办事项办理情况回执")
    doc.form(
        [
            ["督办编号", order.number],
            ["承办单位", recipient],
            ["办理情况", order.answer or ""],
            ["办结日期", chinese_date(local_date(order.answered_at)) if order.answered_at else "    年  月  日"],
            ["承办单位负责人（签字）", ""],
            ["联系人及电话", ""],
        ],
    )
    return doc.bytes()


def order_filename(order: SupervisionOrder) -> str:
    return f"督办单-{order.number}.docx"
