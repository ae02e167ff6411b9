"""The case-file review rubric (执法案卷评查标准) as data, and the arithmetic that scores a file by it.

A rubric has veto items (一票否决: any one makes the file 不合格 with score 0) and deduction items grouped by section
(立卷 / 实体 / 程序), each section worth a number of points. Deductions come off their section "扣完为止，不计负分":
a section never goes below 0, and one section's excess never reaches another. The total is out of 100.

The items follow published rules, named without article numbers: 《中华人民共和国行政处罚法》,
《中华人民共和国行政强制法》, 《市场监督管理行政处罚程序规定》, 《市场监督管理行政处罚听证办法》,
《市场监督管理行政处罚信息公示规定》, 《市场监督管理行政处罚文书格式范本》,
《关于规范市场监督管理行政处罚裁量权的指导意见》 and the usual practice of 行政执法案卷评查.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

CODE = "enforcement.case_review"
DOMAIN = "enforcement"
#: the plugin's own label for this content; the core numbers versions itself (core.checklists.versions.pin)
RELEASE = "2024.1"

#: section code -> (Chinese name, points)
SECTIONS: dict[str, tuple[str, int]] = {
    "filing": ("立卷", 20),
    "substance": ("实体", 40),
    "procedure": ("程序", 40),
}
#: grade code -> Chinese name (the review table stores the code)
GRADES = {"excellent": "优秀", "pass": "合格", "fail": "不合格"}
DEFAULT_THRESHOLDS = {"excellent": 90.0, "pass": 70.0}

LAW = "《中华人民共和国行政处罚法》"
PROCEDURE = "《市场监督管理行政处罚程序规定》"
FORMS = "《市场监督管理行政处罚文书格式范本》"
HEARING = "《市场监督管理行政处罚听证办法》"
COMPULSION = "《中华人民共和国行政强制法》"
PUBLICITY = "《市场监督管理行政处罚信息公示规定》"
DISCRETION = "《关于规范市场监督管理行政处罚裁量权的指导意见》"
RECORDING = "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》"


@dataclass(frozen=True)
class RubricItem:
    """One item of the rubric.

    :param section: the section a deduction comes off ("" for a veto item).
    :param points: a deduction item's points per occurrence (每处); unused for a veto item.
    :param max_count: how many occurrences may be counted (the points are per occurrence).
    :param category: the problem category (of the enforcement domain) a failing file is recorded under.
    :param serious: a deduction for it is serious by default (it makes a ledger problem by itself).
    """

    code: str
    text: str
    basis: str
    section: str = ""
    points: float = 0
    max_count: int = 1
    veto: bool = False
    category: str = "other"
    serious: bool = False
    #: who added it: "base" (the plugin) or "local" (the tenant)
    origin: str = "base"

    @property
    def rule(self) -> str:
        """The deduction rule in words, e.g. 每处扣2分，最多计3处."""
        if self.veto:
            return "一票否决"
        points = _plain(self.points)
        if self.max_count > 1:
            return f"每处扣{points}分，最多计{self.max_count}处"
        return f"扣{points}分"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RubricItem:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


BASE_ITEMS: tuple[RubricItem, ...] = (
    # 一票否决
    RubricItem("V01", "执法主体不合法，或者超越法定职权、管辖范围作出处理", f"{LAW}；{PROCEDURE}", veto=True,
               category="inaction"),
    RubricItem("V02", "认定违法事实的主要证据缺失，不能证明违法事实成立", f"{LAW}；{PROCEDURE}", veto=True,
               category="inaction"),
    RubricItem("V03", "适用法律、法规、规章错误", LAW, veto=True, category="inaction"),
    RubricItem("V04", "违反法定程序，遗漏告知、陈述申辩、听证或法制审核等法定步骤", f"{LAW}；{PROCEDURE}；{HEARING}",
               veto=True, category="procedural_violation"),
    # 立卷 20
    RubricItem("F01", "卷内文书不齐全，或者未按规定顺序排列", f"{PROCEDURE}；{FORMS}", "filing", 2, 3),
    RubricItem("F02", "卷内目录、页码缺失或者与实际不符", PROCEDURE, "filing", 2, 2),
    RubricItem("F03", "未使用统一文书格式，或者文书项目填写不全", FORMS, "filing", 1, 5),
    RubricItem("F04", "文书有涂改、错别字，或者签名、印章、日期缺漏", FORMS, "filing", 1, 5),
    RubricItem("F05", "结案后未按规定期限立卷归档", PROCEDURE, "filing", 3, category="inaction"),
    # 实体 40
    RubricItem("S01", "当事人基本情况（名称、统一社会信用代码、法定代表人等）认定不清", PROCEDURE, "substance", 4),
    RubricItem("S02", "违法事实认定不清，证据之间的矛盾未予排除", f"{LAW}；{PROCEDURE}", "substance", 8,
               category="inaction"),
    RubricItem("S03", "证据的收集不符合法定要求（来源、形式或提取程序）", PROCEDURE, "substance", 4, 2,
               category="procedural_violation"),
    RubricItem("S04", "引用法律条款不准确、不完整（未具体到条、款、项）", LAW, "substance", 6),
    RubricItem("S05", "行使自由裁量权未说明理由，或者与本局裁量基准不符", f"{DISCRETION}；{LAW}", "substance", 8,
               category="discretion_abuse", serious=True),
    RubricItem("S06", "处罚决定书内容不完整（违法事实、证据、依据、履行方式、救济途径）", f"{LAW}；{FORMS}",
               "substance", 4),
    RubricItem("S07", "罚没款物的处理不符合规定", f"{LAW}；{PROCEDURE}", "substance", 6),
    # 程序 40
    RubricItem("P01", "未在规定期限内核查线索并决定是否立案", PROCEDURE, "procedure", 6, category="case_not_filed"),
    RubricItem("P02", "办案超过法定期限且无延期批准", PROCEDURE, "procedure", 6, category="case_shelved"),
    RubricItem("P03", "执法人员少于两人，或者未出示执法证件", f"{LAW}；{PROCEDURE}", "procedure", 6,
               category="procedural_violation"),
    RubricItem("P04", "现场笔录、询问笔录未经核对、签名或者见证", PROCEDURE, "procedure", 3, 3,
               category="procedural_violation"),
    RubricItem("P05", "采取查封、扣押等行政强制措施未履行审批或告知程序", f"{COMPULSION}；{PROCEDURE}", "procedure", 6,
               category="procedural_violation"),
    RubricItem("P06", "文书送达不符合法定方式或者期限", PROCEDURE, "procedure", 4, category="procedural_violation"),
    RubricItem("P07", "未按规定公示行政处罚信息", PUBLICITY, "procedure", 3),
    RubricItem("P08", "应当全过程音像记录的执法环节未予记录", RECORDING, "procedure", 3,
               category="procedural_violation"),
)  # fmt: skip


def base_content() -> dict[str, Any]:
    """What is pinned as a version of the base rubric: sections and items (the tenant's own are pinned per review)."""
    return {
        "code": CODE,
        "title": "执法案卷评查标准",
        "release": RELEASE,
        "basis": f"{LAW}；{PROCEDURE}；{FORMS}；行政执法案卷评查通行做法",
        "sections": [{"code": code, "name": name, "points": points} for code, (name, points) in SECTIONS.items()],
        "items": [item.as_dict() for item in BASE_ITEMS],
    }


# --- the arithmetic -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """What a reviewer found against one item: how many occurrences, whether it is serious, and a note."""

    item: str
    count: int = 1
    serious: bool = False
    note: str = ""


@dataclass
class Result:
    score: float
    grade: str
    vetoed: bool
    #: section code -> {"name", "points", "deducted", "score"}
    sections: dict[str, dict[str, Any]]
    #: each finding with the points it took: {"item", "section", "points", "serious", "veto", "note", "count"}
    lines: list[dict[str, Any]]

    @property
    def serious(self) -> bool:
        return any(line["serious"] for line in self.lines)


def grade_for(score: float, vetoed: bool, thresholds: dict[str, float]) -> str:
    """优秀 at or above the excellent threshold, 合格 at or above the pass threshold, else (or on a veto) 不合格."""
    if vetoed:
        return "fail"
    if score >= float(thresholds["excellent"]):
        return "excellent"
    if score >= float(thresholds["pass"]):
        return "pass"
    return "fail"


def evaluate(
    sections: list[dict[str, Any]], items: dict[str, RubricItem], findings: list[Finding], thresholds: dict[str, float]
) -> Result:
    """Score a file: a veto gives 0 and 不合格; otherwise each section loses its deductions down to 0, never below.

    Points are added as decimals (items are worth halves and wholes), so 0.5 + 0.5 is exactly 1.
    """
    caps = {s["code"]: Decimal(str(s["points"])) for s in sections}
    deducted = {code: Decimal(0) for code in caps}
    lines = []
    vetoed = False
    for finding in findings:
        item = items[finding.item]
        points = Decimal(0) if item.veto else Decimal(str(item.points)) * finding.count
        if item.veto:
            vetoed = True
        else:
            deducted[item.section] += points
        lines.append(
            {
                "item": item.code,
                "section": item.section,
                "count": finding.count,
                "points": float(points),
                "veto": item.veto,
                # A veto is always serious; a deduction when the item says so or the reviewer marks it.
                "serious": item.veto or item.serious or finding.serious,
                "note": finding.note,
            }
        )
    section_scores = {}
    for s in sections:
        cap, off = caps[s["code"]], deducted[s["code"]]
        section_scores[s["code"]] = {
            "name": s["name"],
            "points": float(cap),
            "deducted": float(off),
            "score": float(max(cap - off, Decimal(0))),
        }
    total = Decimal(0) if vetoed else sum((Decimal(str(v["score"])) for v in section_scores.values()), Decimal(0))
    score = float(total)
    return Result(score, grade_for(score, vetoed, thresholds), vetoed, section_scores, lines)
