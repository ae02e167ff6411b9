"""Checklist templates as plugins declare them, and the rules that score an answer.

A template is data: its items say how they are answered, what they are worth, which answers are failures (and of
which problem category and severity), when they are shown and whether evidence is needed. The same rules score a
checklist on the server, in the browser (the page mirrors :func:`evaluate`) and in an imported workbook.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

#: answer types (答案类型) and their Chinese names
ANSWER_TYPES = {
    "yes_no": "是/否/不适用",
    "score": "评分",
    "number": "数值",
    "text": "文字",
    "single": "单选",
    "multiple": "多选",
}
YES_NO = {"yes": "是", "no": "否", "na": "不适用"}
#: when an item needs an evidence file: never, whenever it is answered, or only when the answer fails
EVIDENCE = {"": "不需要", "always": "需要", "on_failure": "不符合时需要"}
NOT_APPLICABLE = "na"


@dataclass(frozen=True)
class Condition:
    """Show an item only if an earlier item's answer is one of ``values`` (for a multiple choice: any of them)."""

    item: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    """One check of a template.

    :param answer: one of :data:`ANSWER_TYPES`.
    :param points: what a passing answer is worth; for ``score`` the most the inspector may give.
    :param fail_on: answers that are failures (``yes_no``, ``single``, ``multiple``), e.g. ``("no",)``.
    :param fail_below: a ``score`` or ``number`` answer below this fails.
    :param fail_above: a ``number`` answer above this fails.
    :param category: the problem category (of the template's domain) a failure is recorded under.
    :param severity: normal, serious or grave.
    :param required: whether a shown item must be answered before submitting.
    :param allow_na: whether 不适用 is allowed (``yes_no``); a not-applicable item counts neither way.
    """

    code: str
    text: str
    basis: str = ""
    answer: str = "yes_no"
    points: float = 0
    choices: tuple[str, ...] = ()
    fail_on: tuple[str, ...] = ()
    fail_below: float | None = None
    fail_above: float | None = None
    category: str = "other"
    severity: str = "normal"
    condition: Condition | None = None
    evidence: str = ""
    required: bool = True
    allow_na: bool = True
    section: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["choices"] = list(self.choices)
        data["fail_on"] = list(self.fail_on)
        if self.condition is not None:
            data["condition"] = {"item": self.condition.item, "values": list(self.condition.values)}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        values = dict(data)
        cond = values.pop("condition", None)
        values["choices"] = tuple(values.get("choices") or ())
        values["fail_on"] = tuple(values.get("fail_on") or ())
        known = set(cls.__dataclass_fields__)
        item = cls(**{k: v for k, v in values.items() if k in known})
        if cond:
            item = cls(**{**asdict(item), "condition": Condition(cond["item"], tuple(cond["values"]))})
        return item


@dataclass(frozen=True)
class Template:
    """A checklist template (检查清单模板) of one domain.

    :param code: stable identifier, unique across plugins, e.g. ``approval.one_time_notice``.
    :param release: the plugin's own label for this content (e.g. ``2024.1``); the core numbers versions itself.
    :param target: what is inspected: ``service_hall`` (服务窗口), ``enterprise`` (企业), ``case_file`` (案卷),
        ``agency`` (技术机构), ``unit`` (单位) or ``task`` (抽查任务).
    """

    code: str
    domain: str
    title: str
    basis: str
    items: tuple[Item, ...]
    release: str = "1"
    target: str = "unit"
    description: str = ""
    #: an extra field the inspector fills about the target, e.g. ("credit_code", "统一社会信用代码")
    target_fields: tuple[tuple[str, str], ...] = field(default=())

    def content(self) -> dict[str, Any]:
        """What is pinned in a version: everything that changes how a filled checklist reads."""
        return {
            "code": self.code,
            "domain": self.domain,
            "title": self.title,
            "basis": self.basis,
            "target": self.target,
            "description": self.description,
            "target_fields": [list(f) for f in self.target_fields],
            "items": [item.as_dict() for item in self.items],
        }


TARGETS = {
    "service_hall": "服务窗口",
    "enterprise": "企业",
    "case_file": "案卷",
    "agency": "技术机构",
    "unit": "单位",
    "task": "抽查任务",
}


class TemplateError(ValueError):
    """A template a plugin declared is inconsistent (unknown item in a condition, a bad answer type…)."""


def check_template(template: Template, categories: set[str]) -> None:
    """Refuse a template whose items cannot be answered or scored as declared."""
    seen: list[str] = []
    for item in template.items:
        where = f"{template.code}/{item.code}"
        if item.code in seen:
            raise TemplateError(f"{where}: duplicate item code")
        if item.answer not in ANSWER_TYPES:
            raise TemplateError(f"{where}: unknown answer type {item.answer!r}")
        if item.answer in ("single", "multiple") and not item.choices:
            raise TemplateError(f"{where}: a choice item needs choices")
        if item.answer in ("single", "multiple") and set(item.fail_on) - set(item.choices):
            raise TemplateError(f"{where}: fail_on names an answer that is not a choice")
        if item.answer == "yes_no" and set(item.fail_on) - set(YES_NO):
            raise TemplateError(f"{where}: fail_on must be yes, no or na")
        if item.condition is not None and item.condition.item not in seen:
            raise TemplateError(f"{where}: a condition must name an earlier item")
        if item.category not in categories:
            raise TemplateError(f"{where}: unknown category {item.category!r}")
        if item.severity not in ("normal", "serious", "grave"):
            raise TemplateError(f"{where}: unknown severity {item.severity!r}")
        if item.evidence not in EVIDENCE:
            raise TemplateError(f"{where}: unknown evidence rule {item.evidence!r}")
        seen.append(item.code)


# --- answering and scoring ----------------------------------------------------------------------------------


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def normalise(item: Item, value: Any) -> tuple[Any, str | None]:
    """An answer in its stored form, or the reason (in Chinese) it is not a valid answer to the item."""
    if value is None or value == "" or value == []:
        return None, None
    if item.answer == "yes_no":
        text = str(value).strip()
        by_name = {v: k for k, v in YES_NO.items()}
        text = by_name.get(text, text)
        if text not in YES_NO:
            return None, "应为：是、否、不适用"
        if text == NOT_APPLICABLE and not item.allow_na:
            return None, "该项不能选“不适用”"
        return text, None
    if item.answer in ("score", "number"):
        number = _number(value)
        if number is None:
            return None, "应为数字"
        if item.answer == "score" and not (0 <= number <= Decimal(str(item.points))):
            return None, f"得分应在 0 到 {_fmt(item.points)} 之间"
        return float(number), None
    if item.answer == "text":
        text = str(value).strip()
        if len(text) > 2000:
            return None, "不能超过 2000 字"
        return text, None
    if item.answer == "single":
        text = str(value).strip()
        if text not in item.choices:
            return None, "应为以下之一：" + "、".join(item.choices)
        return text, None
    # multiple
    values = value if isinstance(value, list | tuple) else split_choices(str(value), item.choices)
    chosen = [str(v).strip() for v in values if str(v).strip()]
    wrong = [v for v in chosen if v not in item.choices]
    if wrong:
        return None, f"“{wrong[0]}”不是可选答案，可选：" + "、".join(item.choices)
    return sorted(set(chosen), key=item.choices.index), None


_CHOICE_SEPARATORS = re.compile(r"([,，、;；\n])")


def split_choices(text: str, choices: tuple[str, ...] | list[str]) -> list[str]:
    """The choices in a typed or exported answer (导出时以“、”连接), also where a choice itself holds a separator
    (乱收费、乱罚款): the longest run of pieces that names a choice is taken whole."""
    parts = _CHOICE_SEPARATORS.split(text)
    pieces, found, i = parts[0::2], [], 0
    seps = parts[1::2]
    while i < len(pieces):
        for j in range(len(pieces), i, -1):
            candidate = "".join(pieces[k] + (seps[k] if k < j - 1 else "") for k in range(i, j)).strip()
            if candidate in choices:
                found.append(candidate)
                i = j
                break
        else:
            found.append(pieces[i])
            i += 1
    return found


def _fmt(points: float) -> str:
    return f"{points:g}"


def shown(item: Item, answers: dict[str, Any]) -> bool:
    """Whether the item is asked, given the answers so far (a condition on a hidden item hides this one too)."""
    if item.condition is None:
        return True
    earlier = answers.get(item.condition.item)
    if earlier is None:
        return False
    chosen = earlier if isinstance(earlier, list) else [earlier]
    return any(v in item.condition.values for v in chosen)


def fails(item: Item, value: Any) -> bool:
    if value is None:
        return False
    if item.answer in ("yes_no", "single"):
        return value in item.fail_on
    if item.answer == "multiple":
        return any(v in item.fail_on for v in value)
    if item.answer in ("score", "number"):
        if item.fail_below is not None and value < item.fail_below:
            return True
        return item.fail_above is not None and value > item.fail_above
    return False


@dataclass
class Evaluation:
    """A checklist's answers read against its items: what is shown, what fails, the score."""

    shown: list[str]
    failing: list[str]
    score: float
    max_score: float
    missing: list[str]

    @property
    def percent(self) -> float | None:
        return round(self.score / self.max_score * 100, 1) if self.max_score else None


def evaluate(items: list[Item], answers: dict[str, Any]) -> Evaluation:
    """Score answers (already normalised): hidden items and 不适用 count neither way.

    A ``score`` item earns what was given; any other scored item earns its points when answered and not failing.
    """
    visible: dict[str, Any] = {}
    out = Evaluation([], [], 0.0, 0.0, [])
    for item in items:
        if not shown(item, visible):
            continue
        value = answers.get(item.code)
        visible[item.code] = value
        out.shown.append(item.code)
        if value is None:
            if item.required:
                out.missing.append(item.code)
            continue
        if value == NOT_APPLICABLE and item.answer == "yes_no":
            continue
        if item.points and item.answer != "text":
            out.max_score += item.points
            if item.answer == "score":
                out.score += value
            elif not fails(item, value):
                out.score += item.points
        if fails(item, value):
            out.failing.append(item.code)
    out.score = round(out.score, 2)
    out.max_score = round(out.max_score, 2)
    return out
