"""The checklist's printable 检查记录表: the unit, the inspected object and the date, each item in Chinese without
internal codes, the answer, the finding, and signature lines for the inspectors and the inspected unit's
representative; laid out on the 公文 page (A4, GB/T 9704-2012 margins), in Word and as PDF."""

from __future__ import annotations

from typing import Any

from core.checklists import service
from core.checklists.models import Checklist, TemplateVersion
from core.checklists.templates import YES_NO, Item, shown
from core.documents.gongwen import SIZE, Gongwen, chinese_date
from core.platform.db import db
from core.tenancy.models import Tenant, Unit


def _answer(item: Item, value: Any) -> str:
    if value is None or value == "":
        return "未填"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if item.answer == "yes_no":
        return YES_NO.get(value, str(value))
    return str(value)


def record_docx(tenant: Tenant, checklist: Checklist) -> bytes:
    version = db.session.get(TemplateVersion, checklist.template_version_id)
    unit = db.session.get(Unit, checklist.unit_id)
    items = service.pinned_items(checklist)
    answers = checklist.answers or {}
    notes = checklist.notes or {}
    result = service.evaluation(checklist)
    failing = set(result.failing)
    doc = Gongwen()
    doc.title(f"{version.content['title']}检查记录表")
    doc.form(
        [
            ["被检查单位", f"{tenant.name}{unit.name if unit else ''}"],
            ["检查对象", checklist.target_name + (f"（{checklist.target_ref}）" if checklist.target_ref else "")],
            ["检查日期", chinese_date(checklist.inspected_on)],
            ["检查人员", checklist.inspector],
            ["检查依据", version.content.get("basis", "") or "—"],
        ],
    )
    doc.blank()
    rows = []
    for n, item in enumerate((i for i in items if shown(i, answers)), start=1):
        finding = notes.get(item.code, "")
        if item.code in failing:
            finding = ("不符合。" + finding) if finding else "不符合"
        rows.append(
            [
                str(n),
                item.text + (f"\n依据：{item.basis}" if item.basis else ""),
                _answer(item, answers.get(item.code)),
                finding,
            ]
        )
    doc.table(
        ["序号", "检查项目", "检查结果", "发现问题及说明"], rows, size=SIZE["五号"] + 1.5, widths=(14, 72, 24, 46)
    )
    doc.blank()
    summary = f"共检查{len(rows)}项，不符合{len(failing)}项。"
    if checklist.max_score:
        summary += f"得分{checklist.score:g}（满分{checklist.max_score:g}）。"
    doc.paragraph(summary)
    if checklist.remarks.strip():
        doc.paragraph(f"其他情况：{checklist.remarks.strip()}")
    doc.blank()
    doc.lines(
        "检查人员（签字）：＿＿＿＿＿＿＿　日期：　年　月　日",
        "",
        "被检查单位负责人（签字）：＿＿＿＿　日期：　年　月　日",
    )
    return doc.bytes()


def record_filename(checklist: Checklist) -> str:
    return f"检查记录表-{checklist.inspected_on.isoformat()}-{checklist.id}.docx"
