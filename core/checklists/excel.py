"""Checklists in Excel: a blank form to fill on paper or in Excel, a filled one for filing, and importing it back.

The form carries the template's code and version in a hidden sheet, so a form printed before a template changed
imports against the version it shows.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from core.checklists import service as checklists
from core.checklists.models import Checklist, TemplateVersion
from core.checklists.templates import ANSWER_TYPES, EVIDENCE, TARGETS, YES_NO, Item, Template
from core.ledger import service as ledger
from core.ledger.excel import ImportRefused
from core.platform.db import db
from core.platform.errors import FieldError, ServiceError
from core.platform.evidence import XLSX, sniff
from core.platform.tabular import open_workbook

SHEET = "检查清单"
META = "_form"
HEADER_ROWS = {"unit": 5, "inspector": 6, "inspected_on": 7, "target_name": 8, "target_ref": 9}
HEADER_LABELS = {
    "unit": "被检查单位",
    "inspector": "检查人",
    "inspected_on": "检查日期",
    "target_name": "检查对象",
    "target_ref": "对象编号",
}
COLUMNS = ("序号", "编号", "检查内容", "依据", "答案类型", "可选答案", "分值", "显示条件", "佐证要求", "回答", "说明")
FIRST_ITEM_ROW = 12
ANSWER_COLUMN = 10  # J
NOTE_COLUMN = 11  # K
MAX_BYTES = 5 * 1024 * 1024

_thin = Side(style="thin", color="999999")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")


def _choices_text(item: Item) -> str:
    if item.answer == "yes_no":
        return "是、否" + ("、不适用" if item.allow_na else "")
    if item.answer in ("single", "multiple"):
        return "、".join(item.choices)
    if item.answer == "score":
        return f"0～{item.points:g}"
    return ""


def _condition_text(item: Item, by_code: dict[str, Item]) -> str:
    if item.condition is None:
        return ""
    earlier = by_code.get(item.condition.item)
    values = "、".join(YES_NO.get(v, v) for v in item.condition.values)
    return f"当第{list(by_code).index(item.condition.item) + 1}项回答为“{values}”时填写" if earlier else ""


def _answer_text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return "、".join(value)
    return YES_NO.get(value, value) if isinstance(value, str) else value


def _sheet(title: str, basis: str, target: str, items: list[Item], meta: dict[str, Any]) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = title
    ws["A1"].font = Font(size=14, bold=True)
    ws.merge_cells("A1:K1")
    ws["A2"] = f"依据：{basis}"
    ws.merge_cells("A2:K2")
    ws["A3"] = f"检查对象类型：{TARGETS.get(target, target)}；版本：第 {meta['version']} 版。请只在黄色格子中填写。"
    ws.merge_cells("A3:K3")
    for name, row in HEADER_ROWS.items():
        ws.cell(row=row, column=1, value=HEADER_LABELS[name]).font = Font(bold=True)
        cell = ws.cell(row=row, column=3)
        cell.fill = INPUT_FILL
        cell.border = BORDER
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=6)
    for col, label in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=FIRST_ITEM_ROW - 1, column=col, value=label)
        cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BORDER
    by_code = {i.code: i for i in items}
    yes_no = DataValidation(type="list", formula1='"是,否,不适用"', allow_blank=True)
    ws.add_data_validation(yes_no)
    for n, item in enumerate(items, start=1):
        row = FIRST_ITEM_ROW + n - 1
        values = (
            n, item.code, item.text, item.basis, ANSWER_TYPES[item.answer], _choices_text(item),
            item.points or None, _condition_text(item, by_code), EVIDENCE[item.evidence] if item.evidence else "",
        )  # fmt: skip
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.border = BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for col in (ANSWER_COLUMN, NOTE_COLUMN):
            cell = ws.cell(row=row, column=col)
            cell.fill, cell.border = INPUT_FILL, BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if item.answer == "yes_no":
            yes_no.add(ws.cell(row=row, column=ANSWER_COLUMN))
        elif item.answer == "single" and len(",".join(item.choices)) < 250:
            choice = DataValidation(type="list", formula1='"' + ",".join(item.choices) + '"', allow_blank=True)
            ws.add_data_validation(choice)
            choice.add(ws.cell(row=row, column=ANSWER_COLUMN))
    widths = (6, 10, 48, 30, 10, 18, 6, 18, 12, 16, 24)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[chr(64 + col)].width = width
    ws.freeze_panes = ws.cell(row=FIRST_ITEM_ROW, column=1)
    hidden = wb.create_sheet(META)
    for n, (key, value) in enumerate(meta.items(), start=1):
        hidden.cell(row=n, column=1, value=key)
        hidden.cell(row=n, column=2, value=value)
    hidden.sheet_state = "hidden"
    return wb


def _save(wb: Workbook) -> io.BytesIO:
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def blank(template: Template, form: dict[str, Any]) -> io.BytesIO:
    """The blank form of the template as a checklist begun now would be."""
    items = [Item.from_dict(i) for i in form["items"]]
    meta = {"template": template.code, "version": form["version"], "extras": ",".join(i.code for i in items)}
    return _save(_sheet(template.title, template.basis, template.target, items, meta))


def filled(checklist: Checklist, data: dict[str, Any]) -> io.BytesIO:
    """A filled checklist for filing: the answers, the score and the problems it became."""
    version = db.session.get(TemplateVersion, checklist.template_version_id)
    items = [Item.from_dict(i) for i in data["items"]]
    meta = {"template": checklist.template_code, "version": version.version, "checklist": checklist.id}
    wb = _sheet(version.content["title"], version.content["basis"], version.content["target"], items, meta)
    ws = wb[SHEET]
    header = {
        "unit": data["unit_name"],
        "inspector": checklist.inspector,
        "inspected_on": checklist.inspected_on,
        "target_name": checklist.target_name,
        "target_ref": checklist.target_ref,
    }
    for name, row in HEADER_ROWS.items():
        ws.cell(row=row, column=3, value=header[name])
    ws.cell(row=HEADER_ROWS["inspected_on"], column=3).number_format = "yyyy-mm-dd"
    shown = set(data["shown"])
    for n, item in enumerate(items, start=1):
        row = FIRST_ITEM_ROW + n - 1
        if item.code not in shown:
            ws.cell(row=row, column=ANSWER_COLUMN, value="（未显示）")
            continue
        ws.cell(row=row, column=ANSWER_COLUMN, value=_answer_text(checklist.answers.get(item.code)))
        ws.cell(row=row, column=NOTE_COLUMN, value=(checklist.notes or {}).get(item.code))
    row = FIRST_ITEM_ROW + len(items) + 1
    status = "已提交" if checklist.status == "submitted" else "草稿（未提交）"
    summary = [
        ("状态", status),
        ("得分", f"{data['score']:g} / {data['max_score']:g}" if data.get("max_score") else "—"),
        ("得分率", f"{data['percent']}%" if data.get("percent") is not None else "—"),
        ("不符合项", len(data["failing"])),
        ("发现问题", "、".join(f["problem_number"] for f in data["findings"]) or "无"),
        ("备注", checklist.remarks),
    ]
    for label, value in summary:
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        ws.cell(row=row, column=3, value=value)
        row += 1
    return _save(wb)


# --- import -------------------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read(stream: BinaryIO):
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise FieldError("file", "文件过大（上限 5 MB）")
    if not data:
        raise FieldError("file", "文件为空")
    try:
        kind = sniff(data[:8192], io.BytesIO(data), "form.xlsx")
    except FieldError as exc:
        raise FieldError("file", "不是有效的 Excel（.xlsx）文件") from exc
    if kind is not XLSX:
        raise FieldError("file", "不是有效的 Excel（.xlsx）文件")
    # the filled form is read with cell access (not read-only): bounded by what its sheets unpack to
    return open_workbook(io.BytesIO(data), read_only=False)


def import_filled(caller: ledger.Caller, stream: BinaryIO) -> Checklist:
    """A draft from a filled form: header cells and answers checked, every error named by row and column."""
    wb = _read(stream)
    if SHEET not in wb.sheetnames or META not in wb.sheetnames:
        raise FieldError("file", "不是本系统导出的检查清单表格（请先下载空白表）")
    meta = {row[0]: row[1] for row in wb[META].iter_rows(values_only=True) if row and row[0]}
    ws = wb[SHEET]
    code = meta.get("template")
    template = checklists.templates().get(code)
    version = db.session.scalar(
        select(TemplateVersion).where(TemplateVersion.code == code, TemplateVersion.version == meta.get("version"))
    )
    if template is None or version is None:
        raise FieldError("file", "表格中的清单模板不存在或版本无效")
    errors: list[dict[str, Any]] = []
    header: dict[str, Any] = {}
    for name, row in HEADER_ROWS.items():
        header[name] = ws.cell(row=row, column=3).value
        if name != "target_ref" and header[name] in (None, ""):
            errors.append({"row": row, "column": HEADER_LABELS[name], "message": "必填"})
    unit = None
    if header["unit"]:
        unit = next((u for u in caller.units if u.name == _cell_text(header["unit"])), None)
        if unit is None:
            errors.append({"row": HEADER_ROWS["unit"], "column": "被检查单位", "message": "本局没有该名称的单位"})
    inspected_on = header["inspected_on"]
    if isinstance(inspected_on, datetime):
        inspected_on = inspected_on.date()
    elif inspected_on and not isinstance(inspected_on, date):
        try:
            inspected_on = date.fromisoformat(_cell_text(inspected_on).replace("/", "-"))
        except ValueError:
            message = "日期格式应为 2024-09-30"
            errors.append({"row": HEADER_ROWS["inspected_on"], "column": "检查日期", "message": message})
    extras = checklists.extra_items(code)
    items = checklists.items_of(version.content, extras)
    by_code = {i.code: i for i in items}
    answers: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for row in ws.iter_rows(min_row=FIRST_ITEM_ROW, values_only=True):
        if not row or len(row) < ANSWER_COLUMN:
            continue
        item = by_code.get(_cell_text(row[1]))
        if item is None:
            continue
        value = row[ANSWER_COLUMN - 1]
        if isinstance(value, str) and value.strip() == "（未显示）":
            continue
        if value not in (None, ""):
            raw = value if item.answer in ("score", "number") else _cell_text(value)
            normalised, error = checklists.normalise(item, raw)
            if error:
                number = FIRST_ITEM_ROW + items.index(item)
                errors.append({"row": number, "column": "回答", "message": f"{item.text[:30]}：{error}"})
            else:
                answers[item.code] = normalised
        if len(row) >= NOTE_COLUMN and row[NOTE_COLUMN - 1]:
            notes[item.code] = _cell_text(row[NOTE_COLUMN - 1])
    if errors:
        raise ImportRefused(errors)
    if not checklists.may_inspect(caller, unit.id):
        raise ServiceError("只能检查本单位或下级单位", {"unit_id": ["只能检查本单位或下级单位"]}, status=403)
    data = {
        "template": code,
        "unit_id": unit.id,
        "inspector": _cell_text(header["inspector"])[:100],
        "inspected_on": inspected_on,
        "target_name": _cell_text(header["target_name"])[:200],
        "target_ref": _cell_text(header["target_ref"])[:100],
    }
    checklist = checklists.create(caller, data, version=version)
    checklist.answers, checklist.notes = answers, notes
    db.session.flush()
    return checklist
