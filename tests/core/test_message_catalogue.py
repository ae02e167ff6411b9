"""Every message a user reads, walked: Chinese throughout, no doubled characters (issue 13, item 6).

The catalogue is what the code hands to a person: the texts of the errors it raises (ServiceError, FieldError,
Conflict, NotFound, abort, ImportRefused, a row error of an import), what it flashes on a page, and the texts the
templates translate with ``_()``. API field descriptions (OpenAPI metadata) are for developers and are not walked.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("core", "plugins", "tenants")
#: calls whose string arguments a user reads
MESSAGE_CALLS = {
    "ServiceError", "FieldError", "Conflict", "NotFound", "Forbidden", "abort", "flash", "flash_refusal",
    "ImportRefused", "error", "PreviewUnavailable", "ValidationError", "USCCError", "_", "gettext", "lazy_gettext",
}  # fmt: skip
CJK = re.compile(r"[\u4e00-\u9fff]")
#: a Latin word of three letters or more, not part of a path, a placeholder (%(name)s, {name}) or an identifier
WORD = re.compile(r"(?<![A-Za-z0-9_./%{<&#:-])[A-Za-z][A-Za-z]{2,}(?![A-Za-z0-9_(>}/])")
#: placeholders filled in when the message is shown: %(number)s, {max}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
#: names of formats, products and protocol headers that Chinese writing keeps in Latin letters
LATIN_NAMES = {
    "Excel", "Word", "PowerPoint", "Office", "LibreOffice", "Debian", "PDF", "CSV", "OFD", "JSON", "UTF", "BOM",
    "GBK", "JPG", "JPEG", "PNG", "GIF", "WebP", "BMP", "TIFF", "ISO", "NaN", "YYYY", "CMA", "ETag", "Match",
    "Idempotency", "Key", "Authorization", "Bearer", "API",
    # the period syntax of the figures API ("phase:阶段代码"), typed as such by a user of the API
    "phase",
}  # fmt: skip
#: a character written twice by mistake (已已受理), or punctuation doubled
DOUBLED = re.compile(
    r"(已已|的的|了了|不不|为为|请请|须须|应应|被被|和和|与与|在在|是是|对对|将将|未未|。。|，，|：：|、、)"
)
#: a message repeated inside its own brackets: 退回理由必填（退回理由必填）
ECHOED = re.compile(r"(.{2,})（\1）")


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _python_messages() -> list[tuple[str, str]]:
    found = []
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for call in ast.walk(tree):
                if not isinstance(call, ast.Call) or _call_name(call.func) not in MESSAGE_CALLS:
                    continue
                for node in ast.walk(call):
                    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value):
                        found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.value))
    return found


TEMPLATE_TEXT = re.compile(r"""_\(\s*(['"])(.*?)\1""", re.S)


def _template_messages() -> list[tuple[str, str]]:
    found = []
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*.html")):
            text = path.read_text(encoding="utf-8")
            for match in TEMPLATE_TEXT.finditer(text):
                if CJK.search(match.group(2)):
                    line = text.count("\n", 0, match.start()) + 1
                    found.append((f"{path.relative_to(ROOT)}:{line}", match.group(2)))
    return found


CATALOGUE = _python_messages() + _template_messages()


def test_the_catalogue_is_walked():
    # The walk finds the messages it is meant to check: a broken walk would pass every test below.
    texts = {text for _where, text in CATALOGUE}
    assert len(CATALOGUE) > 500
    assert "责任单位不存在" in texts  # a raised error
    assert any(where.split(":")[0].endswith(".html") for where, _text in CATALOGUE)  # template texts
    # and the checks catch the mistakes the issue found
    assert DOUBLED.search("该举报已已受理")
    assert ECHOED.search("退回理由必填（退回理由必填）")
    assert WORD.findall("问题当前为「待验收」，不能explode") == ["explode"]


def test_no_english_words_inside_chinese_messages():
    bad = [
        f"{where}: {word!r} in {text!r}"
        for where, text in CATALOGUE
        for word in WORD.findall(PLACEHOLDER.sub("", text))
        if word not in LATIN_NAMES
    ]
    assert not bad, "\n".join(bad)


def test_no_doubled_characters():
    bad = [f"{where}: {text!r}" for where, text in CATALOGUE if DOUBLED.search(text) or ECHOED.search(text)]
    assert not bad, "\n".join(bad)


def _vocabularies():
    from core.auth.models import ROLE_NAMES
    from core.ledger.models import RECTIFICATION_TYPES, SEVERITIES, SOURCES, STATUSES
    from core.ledger.service import TRANSITIONS

    yield "roles", ROLE_NAMES
    yield "sources", SOURCES
    yield "severities", SEVERITIES
    yield "rectification types", RECTIFICATION_TYPES
    yield "statuses", STATUSES
    yield "actions", {action: transition.label for action, transition in TRANSITIONS.items()}


@pytest.mark.parametrize(("name", "labels"), list(_vocabularies()))
def test_every_code_a_user_can_meet_has_a_chinese_name(name, labels):
    # Messages interpolate these (问题当前为「待验收」，不能销号): an English code would leak into the sentence.
    for code, label in labels.items():
        assert CJK.search(label), f"{name}: {code} -> {label!r}"
        assert not re.search(r"[A-Za-z]{3,}", label), f"{name}: {code} -> {label!r}"


def test_domains_and_categories_have_chinese_names(app):
    domains = app.extensions["xingfeng"].domains.values()
    assert {domain.slug for domain in domains} >= {"general", "approval", "supervision", "enforcement"}
    for domain in domains:
        assert CJK.search(domain.name), domain
        for category in domain.categories:
            assert CJK.search(category.name), (domain.slug, category)


def test_a_reviewer_accepting_a_public_report_is_told_the_real_reason(app):
    from types import SimpleNamespace

    from core.ledger.permissions import record_refusal

    reviewer = SimpleNamespace(role="reviewer", unit_id=1)
    assert record_refusal(reviewer, 1, []) == "审核人（纪检/验收）不登记问题，请由经办人或县区局管理员登记"
    viewer = SimpleNamespace(role="viewer", unit_id=1)
    assert record_refusal(viewer, 1, []).startswith("领导（只读）不登记问题")
    officer = SimpleNamespace(role="officer", unit_id=None)
    assert record_refusal(officer, 1, []) == "当前用户未分配单位，不能登记问题"
