"""The approval domain's checklist templates: valid as declared, scored as meant, and filled through the API."""

from __future__ import annotations

import io
import re

import pytest
from fixtures.ledger import PNG

from core.checklists.templates import ANSWER_TYPES, check_template, evaluate, fails, normalise, shown
from plugins.approval.checklists import TEMPLATES
from plugins.approval.domain import DOMAIN

CATEGORIES = {c.code for c in DOMAIN.categories}
BY_CODE = {t.code: t for t in TEMPLATES}
#: the subjects the issue asks for, each with a template
SUBJECTS = {
    "approval.one_time_notice": "一次性告知",
    "approval.first_inquiry": "首问负责",
    "approval.time_limit": "限时办结",
    "approval.good_bad_reviews": "好差评",
    "approval.no_intermediary_collusion": "黄牛",
    "approval.sunshine_operation": "阳光操作",
    "approval.window_conduct": "脸好看、门好进、事难办",
}
#: a cited document: a title in 《》 (a published law, regulation, standard or State Council document)
DOCUMENT = re.compile(r"《[^》]{4,}》")
#: article numbers are cited only for the Administrative Licensing Law, whose articles are certain
ARTICLE = re.compile(r"(《[^》]+》)第[一二三四五六七八九十百]+条")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.code)
def test_each_template_is_valid(template):
    check_template(template, CATEGORIES)
    assert template.domain == "approval"
    assert template.code.startswith("approval.")
    assert len(template.items) >= 8
    assert DOCUMENT.search(template.basis)
    for item in template.items:
        assert DOCUMENT.search(item.basis), (item.code, item.basis)
        for law in ARTICLE.findall(item.basis):
            assert law == "《中华人民共和国行政许可法》", (item.code, item.basis)
        assert len(item.text) >= 8, item.code
    # Every failing answer says which of the domain's categories it is.
    assert {i.category for i in template.items if i.fail_on or i.fail_below is not None or i.fail_above is not None}
    assert {i.category for i in template.items} <= CATEGORIES


def test_the_templates_cover_every_subject_and_category():
    assert set(SUBJECTS) == set(BY_CODE)
    for code, subject in SUBJECTS.items():
        assert subject in BY_CODE[code].title, code
    failing = {
        i.category
        for t in TEMPLATES
        for i in t.items
        if i.fail_on or i.fail_above is not None or i.fail_below is not None
    }
    assert failing >= {
        "one_time_notice", "first_inquiry", "late_completion", "intermediary_collusion", "illegal_fees", "attitude",
        "buck_passing",
    }  # fmt: skip
    items = [i for t in TEMPLATES for i in t.items]
    assert {i.answer for i in items} == set(ANSWER_TYPES)
    assert any(i.condition for i in items)
    assert {i.evidence for i in items} >= {"always", "on_failure"}
    codes = [t.code for t in TEMPLATES]
    assert len(codes) == len(set(codes))


def test_the_one_time_notice_is_scored_and_its_conditional_items_appear():
    template = BY_CODE["approval.one_time_notice"]
    items = list(template.items)
    good = {
        "materials_list": "yes", "notice_once": "yes", "notice_form": "yes", "repeat_corrections": "no",
        "told_items": ["申请材料", "办理依据", "办理时限", "收费标准"], "time_limit_told": "yes", "fees_told": "yes",
        "refusal_reasons": "na", "notice_score": 9,
    }  # fmt: skip
    result = evaluate(items, good)
    assert "repeat_correction_count" not in result.shown
    assert "repeat_correction_detail" not in result.shown
    assert result.missing == []
    assert result.failing == []
    # 不适用 counts neither way: 10+15+10+10+10 of yes answers and 9 of 10 for the score.
    assert (result.score, result.max_score) == (64, 65)
    bad = {**good, "repeat_corrections": "yes", "fees_told": "no", "notice_score": 5}
    result = evaluate(items, bad)
    assert "repeat_correction_detail" in result.shown
    assert set(result.missing) == {"repeat_correction_count", "repeat_correction_detail"}
    result = evaluate(
        items, {**bad, "repeat_correction_count": 2, "repeat_correction_detail": "SP-2024-0007 未告知营业执照副本"}
    )
    assert result.failing == ["repeat_corrections", "fees_told", "notice_score"]
    by_code = {i.code: i for i in items}
    assert by_code["fees_told"].category == "illegal_fees"
    assert by_code["repeat_corrections"].severity == "serious"


def test_the_window_conduct_answers_are_checked_and_scored():
    items = {i.code: i for i in BY_CODE["approval.window_conduct"].items}
    assert normalise(items["conduct_score"], 25) == (None, "得分应在 0 到 20 之间")
    assert normalise(items["mystery_visit_rating"], "很好")[1].startswith("应为以下之一")
    assert normalise(items["attitude"], "不适用") == (None, "该项不能选“不适用”")
    assert normalise(items["buck_passing_forms"], "多头跑、来回跑,其他") == (["多头跑、来回跑", "其他"], None)
    assert fails(items["trips"], 2.0)
    assert not fails(items["trips"], 1.0)
    assert not shown(items["buck_passing_forms"], {"buck_passing": "yes"})
    assert shown(items["buck_passing_forms"], {"buck_passing": "no"})


def test_the_reviews_template_asks_about_bad_reviews_only_when_there_were_some():
    items = list(BY_CODE["approval.good_bad_reviews"].items)
    answers = {"channels": "yes", "no_induced_praise": "yes", "bad_reviews_received": "no", "reviews_published": "yes"}
    result = evaluate(items, answers)
    assert result.missing == []
    assert result.failing == []
    conditional = {
        "bad_review_count",
        "bad_reviews_verified",
        "bad_reviews_late",
        "bad_reviews_fixed",
        "accountability",
    }
    assert not conditional & set(result.shown)
    answers.update(
        bad_reviews_received="yes", bad_review_count=3, bad_reviews_verified="yes", bad_reviews_late=1,
        bad_reviews_fixed="部分整改", accountability="yes",
    )  # fmt: skip
    result = evaluate(items, answers)
    assert conditional <= set(result.shown)
    assert result.failing == ["bad_reviews_late", "bad_reviews_fixed"]


# --- filled and submitted through the checklist API ---------------------------------------------------------


def _passing(item):
    if item.answer == "yes_no":
        return "no" if "yes" in item.fail_on else "yes"
    if item.answer == "score":
        return item.points
    if item.answer == "number":
        return item.fail_below if item.fail_below is not None else 0
    if item.answer == "text":
        return "现场检查未发现问题"
    good = [c for c in item.choices if c not in item.fail_on]
    return good[0] if item.answer == "single" else good[:2]


def _failing(item):
    if item.answer == "yes_no":
        return item.fail_on[0] if item.fail_on else "yes"
    if item.answer == "score":
        return 0
    if item.answer == "number":
        if item.fail_above is not None:
            return item.fail_above + 2
        return item.fail_below - 1 if item.fail_below is not None else 3
    if item.answer == "text":
        return "发现问题，详见记录"
    bad = list(item.fail_on) or list(item.choices)
    return bad[0] if item.answer == "single" else bad[:1]


def _answers(template, answer) -> dict:
    """Answers to the items shown, in order, each by ``answer`` (conditions follow the earlier answers)."""
    out: dict = {}
    for item in template.items:
        if shown(item, out):
            out[item.code] = answer(item)
    return out


def _fill_and_submit(client, world, template, answers):
    headers = world.headers("officer")
    created = client.post(
        "/api/v1/checklists",
        json={
            "template": template.code, "unit_id": world.station.id, "inspector": "王检查", "inspected_on": "2024-09-30",
            "target_name": "城关所综合受理窗口", "target_ref": "CK-1", "answers": answers,
        },
        headers=headers,
    )  # fmt: skip
    assert created.status_code == 201, created.json
    cid = created.json["id"]
    result = evaluate(list(template.items), answers)
    for item in template.items:
        if item.code in result.shown and (
            item.evidence == "always" or (item.evidence == "on_failure" and item.code in result.failing)
        ):
            resp = client.post(
                f"/api/v1/checklists/{cid}/evidence",
                data={"item_code": item.code, "file": (io.BytesIO(PNG), "现场照片.png")},
                headers=headers,
                content_type="multipart/form-data",
            )
            assert resp.status_code == 201, resp.json
    submitted = client.post(f"/api/v1/checklists/{cid}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json
    return submitted.json, result


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.code)
def test_each_template_is_filled_and_submitted_through_the_api(client, clock, tenant, template):
    offered = client.get(f"/api/v1/checklist-templates?unit_id={tenant.station.id}", headers=tenant.headers("officer"))
    assert offered.status_code == 200, offered.json
    assert template.code in {t["code"] for t in offered.json["items"]}
    body, result = _fill_and_submit(client, tenant, template, _answers(template, _passing))
    assert body["status"] == "submitted"
    assert body["problems"] == []
    assert result.failing == []
    assert body["score"] == body["max_score"] == result.max_score > 0
    body, result = _fill_and_submit(client, tenant, template, _answers(template, _failing))
    assert result.failing
    assert len(body["problems"]) == len(result.failing)
    categories = {i.code: i.category for i in template.items}
    assert sorted(p["category"] for p in body["problems"]) == sorted(categories[c] for c in result.failing)
    assert body["score"] < body["max_score"]


def test_no_template_where_the_domain_is_off(client, clock, tenant):
    off = client.put(
        f"/api/v1/units/{tenant.station.id}/plugins/approval",
        json={"enabled": False},
        headers=tenant.headers("tenant_admin"),
    )
    assert off.status_code == 204
    offered = client.get(f"/api/v1/checklist-templates?unit_id={tenant.station.id}", headers=tenant.headers("officer"))
    assert offered.status_code in (200, 404)
    if offered.status_code == 200:
        assert not [t for t in offered.json["items"] if t["code"].startswith("approval.")]
