"""The daily-supervision checklist templates: valid, substantial, cited, and scored as their items say."""

from __future__ import annotations

import re

import pytest

from core.checklists.templates import ANSWER_TYPES, check_template, evaluate, normalise
from plugins.supervision.checklists import TEMPLATES
from plugins.supervision.domain import DOMAIN

CATEGORIES = {c.code for c in DOMAIN.categories}
BY_CODE = {t.code: t for t in TEMPLATES}
#: a basis names documents in 《》 and no article numbers (第N条)
DOCUMENT = re.compile(r"《[^》]+》")
ARTICLE = re.compile(r"第[0-9一二三四五六七八九十百零]+条")


def test_the_domain_has_the_issue_categories():
    assert [c.name for c in DOMAIN.categories] == [
        "乱收费", "乱罚款", "乱摊派", "乱检查", "干扰企业经营",
        "未按双随机抽查", "结果未公示", "篡改检查检验结果", "吃拿卡要", "其他",
    ]  # fmt: skip


def test_the_six_templates_are_there():
    assert set(BY_CODE) == {
        "supervision.random_inspection",
        "supervision.inspector_conduct",
        "supervision.no_arbitrary_charges",
        "supervision.result_integrity",
        "supervision.credit_supervision",
        "supervision.enterprise_inspections",
    }


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.code)
def test_template_is_valid_and_substantial(template):
    check_template(template, CATEGORIES)
    assert template.domain == "supervision"
    assert template.code.startswith("supervision.")
    assert len(template.items) >= 8
    assert DOCUMENT.search(template.basis)
    assert not ARTICLE.search(template.basis)
    for item in template.items:
        assert DOCUMENT.search(item.basis), (item.code, item.basis)
        assert not ARTICLE.search(item.basis), (item.code, item.basis)
        assert len(re.findall(r"[\u4e00-\u9fff]", item.text)) >= 8, item.code
        assert item.category in CATEGORIES
    # each template fails something: a checklist that can never fail finds no problem
    assert any(item.fail_on or item.fail_below is not None or item.fail_above is not None for item in template.items)


def test_templates_use_several_answer_types_conditions_and_evidence():
    items = [item for t in TEMPLATES for item in t.items]
    assert {item.answer for item in items} == set(ANSWER_TYPES)
    assert sum(1 for item in items if item.condition is not None) >= 4
    assert {item.evidence for item in items} >= {"always", "on_failure"}
    # every category but 其他 is reachable by some failing answer
    assert {item.category for item in items if item.fail_on or item.fail_below or item.fail_above is not None} >= (
        CATEGORIES - {"other"}
    )


def _passing(template) -> dict:
    """Answers that pass every shown item."""
    answers = {}
    for item in template.items:
        if item.answer == "yes_no":
            answers[item.code] = "no" if item.fail_on == ("yes",) else "yes"
        elif item.answer == "single":
            answers[item.code] = next(c for c in item.choices if c not in item.fail_on)
        elif item.answer == "multiple":
            ok = [c for c in item.choices if c not in item.fail_on]
            answers[item.code] = ok[:1] if ok else None
        elif item.answer == "score":
            answers[item.code] = item.points
        elif item.answer == "number":
            answers[item.code] = item.fail_below if item.fail_below is not None else 0
        else:
            answers[item.code] = "情况说明"
    return {k: v for k, v in answers.items() if v is not None}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.code)
def test_passing_answers_score_full_marks_and_fail_nothing(template):
    answers = {}
    for item in template.items:
        raw = _passing(template).get(item.code)
        if raw is not None:
            value, error = normalise(item, raw)
            assert error is None, (item.code, error)
            answers[item.code] = value
    result = evaluate(list(template.items), answers)
    assert result.failing == []
    assert result.missing == []
    assert result.score == result.max_score > 0
    # a hidden conditional item is not asked
    hidden = [i.code for i in template.items if i.condition is not None]
    assert not set(hidden) & set(result.shown) or all(
        answers.get(i.condition.item) in i.condition.values or isinstance(answers.get(i.condition.item), list)
        for i in template.items
        if i.condition is not None and i.code in result.shown
    )


def test_random_inspection_conditions_and_failures():
    template = BY_CODE["supervision.random_inspection"]
    answers = _passing(template)
    answers.update(method="人工指定", published_days=23)
    result = evaluate(list(template.items), answers)
    # picking targets by hand asks for the reason (evidence required) and fails the item
    assert "method_reason" in result.shown
    assert "method" in result.failing
    # published 23 working days after the end: over the 20-day limit
    assert "published_days" in result.failing
    # not published at all: the day count is not asked
    answers.update(published_channel="no")
    answers.pop("published_days")
    result = evaluate(list(template.items), answers)
    assert "published_days" not in result.shown
    assert "published_channel" in result.failing
    item = next(i for i in template.items if i.code == "published_days")
    assert (item.category, item.fail_above) == ("results_unpublished", 20)


def test_inspector_conduct_meals_and_gifts_open_follow_up_questions():
    template = BY_CODE["supervision.inspector_conduct"]
    answers = _passing(template)
    del answers["meal_gift_detail"], answers["meal_gift_returned"]
    result = evaluate(list(template.items), answers)
    assert "meal_gift_detail" not in result.shown
    answers.update(meal_gift="yes", piggyback_fee="yes", card_shown="no")
    result = evaluate(list(template.items), answers)
    assert {"meal_gift_detail", "meal_gift_returned"} <= set(result.shown)
    assert {"meal_gift", "piggyback_fee", "card_shown"} <= set(result.failing)
    assert {"meal_gift_detail", "meal_gift_returned"} <= set(result.missing)  # required once shown
    by_code = {i.code: i for i in template.items}
    assert by_code["piggyback_fee"].category == "arbitrary_fees"
    assert by_code["card_shown"].category == "arbitrary_inspections"
    assert by_code["interference"].category == "business_interference"
    assert by_code["meal_gift_detail"].evidence == "always"


def test_multiple_choice_condition_in_the_inspection_registry():
    template = BY_CODE["supervision.enterprise_inspections"]
    answers = _passing(template)
    answers["kinds"] = ["双随机抽查"]
    shown = evaluate(list(template.items), answers).shown
    assert "non_random_approved" not in shown
    assert "complaint_scope" not in shown
    answers["kinds"] = ["双随机抽查", "投诉举报核查"]
    answers.update(non_random_approved="yes", complaint_scope="no", unregistered=2)
    result = evaluate(list(template.items), answers)
    assert {"non_random_approved", "complaint_scope"} <= set(result.shown)
    assert {"complaint_scope", "unregistered"} <= set(result.failing)


def test_charges_template_scores_partially():
    template = BY_CODE["supervision.no_arbitrary_charges"]
    answers = _passing(template)
    answers.update(fine_quota="yes", self_check_score=4, levies="yes", levy_kinds=["收费培训"])
    result = evaluate(list(template.items), answers)
    assert {"fine_quota", "self_check_score", "levies", "levy_kinds"} <= set(result.failing)
    assert 0 < result.score < result.max_score
    value, error = normalise(next(i for i in template.items if i.code == "levy_kinds"), "捐款")
    assert value is None
    assert "不是可选答案" in error


def test_the_plugin_registers_its_templates(app):
    from plugins import supervision

    assert supervision.xingfeng_register_checklists() == list(TEMPLATES)
