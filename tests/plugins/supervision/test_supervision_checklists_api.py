"""Each daily-supervision template filled and submitted through the checklist engine's API."""

from __future__ import annotations

import io

import pytest
from fixtures.ledger import PNG

from core.checklists.templates import evaluate, fails, normalise
from plugins.supervision.checklists import TEMPLATES

BY_CODE = {t.code: t for t in TEMPLATES}
#: per template: answers that fail one item (and the category the problem gets)
FAILURES = {
    "supervision.random_inspection": (
        {"method": "人工指定", "method_reason": "投诉线索指向的企业"},
        "not_random_inspection",
    ),
    "supervision.inspector_conduct": ({"piggyback_fee": "yes"}, "arbitrary_fees"),
    "supervision.no_arbitrary_charges": ({"fine_quota": "yes"}, "arbitrary_fines"),
    "supervision.result_integrity": ({"records_match": 95}, "result_tampering"),
    "supervision.credit_supervision": ({"repair_fee": "yes"}, "arbitrary_fees"),
    "supervision.enterprise_inspections": ({"unregistered": 2}, "arbitrary_inspections"),
}


def passing(template) -> dict:
    answers = {}
    for item in template.items:
        if item.answer == "yes_no":
            answers[item.code] = "no" if item.fail_on == ("yes",) else "yes"
        elif item.answer == "single":
            answers[item.code] = next(c for c in item.choices if c not in item.fail_on)
        elif item.answer == "multiple":
            answers[item.code] = [c for c in item.choices if c not in item.fail_on][:1]
        elif item.answer == "score":
            answers[item.code] = item.points
        elif item.answer == "number":
            answers[item.code] = item.fail_below if item.fail_below is not None else 0
        else:
            answers[item.code] = "情况说明"
    return answers


def test_the_templates_are_offered_where_the_domain_is_on(client, tenant):
    h = tenant.headers("officer")
    offered = client.get(f"/api/v1/checklist-templates?unit_id={tenant.station.id}", headers=h)
    assert offered.status_code == 200, offered.json
    assert set(BY_CODE) <= {t["code"] for t in offered.json["items"]}
    admin = tenant.headers("tenant_admin")
    client.put(f"/api/v1/units/{tenant.station.id}/plugins/supervision", json={"enabled": False}, headers=admin)
    offered = client.get(f"/api/v1/checklist-templates?unit_id={tenant.station.id}", headers=h)
    assert not set(BY_CODE) & {t["code"] for t in offered.json["items"]}


@pytest.mark.parametrize("code", list(FAILURES))
def test_fill_and_submit(client, tenant, code):
    template = BY_CODE[code]
    override, category = FAILURES[code]
    raw = {**passing(template), **override}
    values = {}
    for item in template.items:
        value, error = normalise(item, raw.get(item.code))
        assert error is None, (item.code, error)
        values[item.code] = value
    result = evaluate(list(template.items), values)
    answers = {c: raw[c] for c in result.shown}
    h = tenant.headers("officer")
    created = client.post(
        "/api/v1/checklists",
        json={"template": code, "unit_id": tenant.station.id, "inspector": "王检查", "inspected_on": "2024-09-27",
              "target_name": "江州市第一食品经营部", "target_ref": "913201000000000017", "answers": answers},
        headers=h,
    )  # fmt: skip
    assert created.status_code == 201, created.json
    checklist_id = created.json["id"]
    by_code = {i.code: i for i in template.items}
    for item_code in result.shown:
        item = by_code[item_code]
        if item.evidence == "always" or (item.evidence == "on_failure" and fails(item, values[item_code])):
            resp = client.post(
                f"/api/v1/checklists/{checklist_id}/evidence",
                data={"item_code": item_code, "file": (io.BytesIO(PNG), "佐证.png")},
                headers=h,
                content_type="multipart/form-data",
            )
            assert resp.status_code == 201, (item_code, resp.json)
    submitted = client.post(f"/api/v1/checklists/{checklist_id}/submit", headers=h)
    assert submitted.status_code == 200, submitted.json
    body = submitted.json
    assert body["status"] == "submitted"
    assert (body["score"], body["max_score"]) == (result.score, result.max_score)
    assert len(body["problems"]) == len(result.failing) == 1
    assert body["problems"][0]["category"] == category
    problem = client.get(f"/api/v1/problems/{body['problems'][0]['id']}", headers=h).json
    assert (problem["domain"], problem["source"], problem["status"]) == ("supervision", "checklist", "registered")


def test_a_required_conditional_answer_is_named_when_missing(client, tenant):
    h = tenant.headers("officer")
    answers = {**passing(BY_CODE["supervision.inspector_conduct"]), "meal_gift": "yes"}
    del answers["meal_gift_detail"], answers["meal_gift_returned"]
    created = client.post(
        "/api/v1/checklists",
        json={"template": "supervision.inspector_conduct", "unit_id": tenant.station.id, "inspector": "王检查",
              "inspected_on": "2024-09-27", "target_name": "江州市第一食品经营部", "answers": answers},
        headers=h,
    )  # fmt: skip
    assert created.status_code == 201, created.json
    refused = client.post(f"/api/v1/checklists/{created.json['id']}/submit", headers=h)
    assert refused.status_code == 422
    errors = refused.json["errors"]["json"]
    assert "answers.meal_gift_detail" in errors
    assert "answers.meal_gift_returned" in errors
