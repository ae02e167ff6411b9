"""The rubric's arithmetic on hand-computed files: vetoes, per-section floors ("扣完为止，不计负分"), the total out of
100, grades by per-tenant thresholds, and reviews pinned to the rubric version they were begun with."""

from __future__ import annotations

import re

import pytest
from enforcement_helpers import API, begin, d, reviewed, score, v

from plugins.enforcement import rubric
from plugins.enforcement.domain import DOMAIN

SECTIONS = [{"code": c, "name": n, "points": p} for c, (n, p) in rubric.SECTIONS.items()]
ITEMS = {item.code: item for item in rubric.BASE_ITEMS}
DEFAULT = rubric.DEFAULT_THRESHOLDS


def evaluate(*findings, thresholds=DEFAULT, items=ITEMS):
    return rubric.evaluate(SECTIONS, items, list(findings), thresholds)


def test_the_base_rubric_is_worth_100_with_four_vetoes_and_known_categories():
    assert sum(p for _, p in rubric.SECTIONS.values()) == 100
    vetoes = [i for i in rubric.BASE_ITEMS if i.veto]
    assert {i.code for i in vetoes} == {"V01", "V02", "V03", "V04"}
    codes = {c.code for c in DOMAIN.categories}
    for item in rubric.BASE_ITEMS:
        assert item.category in codes, item
        assert item.veto or item.section in rubric.SECTIONS, item
        # Every item names a published document, never an invented article number.
        assert "《" in item.basis, item
        assert "》" in item.basis, item
        assert not re.search(r"第[一二三四五六七八九十百零\d]+条", item.basis), item


def test_the_domain_has_every_category_of_the_issue():
    names = " ".join(c.name for c in DOMAIN.categories)
    wanted = (
        "滥用自由裁量权 有案不立 压案不查 程序违法 关系案 人情案 金钱案 请托说情 打听案情 干预办案 吃拿卡要 索贿受贿 "
    )
    wanted += "任性执法 不文明执法 执法粗暴 执法犯法 不作为 慢作为 乱作为"
    for name in wanted.split():
        assert name in names, name


def test_no_finding_is_100_and_excellent():
    result = evaluate()
    assert (result.score, result.grade, result.vetoed) == (100, "excellent", False)


def test_a_hand_computed_file():
    # 立卷 20 - (F01 2×3 + F03 1×2) = 12; 实体 40 - S02 8 = 32; 程序 40 - (P04 3×2 + P07 3) = 31; total 75 -> 合格.
    result = evaluate(
        rubric.Finding("F01", 3), rubric.Finding("F03", 2), rubric.Finding("S02"), rubric.Finding("P04", 2),
        rubric.Finding("P07"),
    )  # fmt: skip
    assert {k: s["score"] for k, s in result.sections.items()} == {"filing": 12, "substance": 32, "procedure": 31}
    assert result.score == 75
    assert result.grade == "pass"


def test_a_section_stops_at_zero_and_never_reaches_another():
    # 立卷 deductions 6 + 4 + 5 + 5 + 3 = 23 > 20: the section is 0, not -3, so the total is 80, not 77.
    result = evaluate(
        rubric.Finding("F01", 3), rubric.Finding("F02", 2), rubric.Finding("F03", 5), rubric.Finding("F04", 5),
        rubric.Finding("F05"),
    )  # fmt: skip
    assert result.sections["filing"] == {"name": "立卷", "points": 20, "deducted": 23, "score": 0}
    assert result.score == 80
    assert result.grade == "pass"


def test_every_section_at_zero_is_zero_not_negative():
    everything = [rubric.Finding(i.code, i.max_count) for i in rubric.BASE_ITEMS if not i.veto]
    result = evaluate(*everything)
    assert all(s["score"] == 0 for s in result.sections.values())
    assert result.score == 0
    assert result.grade == "fail"


def test_a_veto_makes_the_file_zero_and_fail_whatever_else():
    result = evaluate(rubric.Finding("V03"))
    assert (result.score, result.grade, result.vetoed) == (0, "fail", True)
    assert result.serious  # a veto is always serious
    # Deductions are still recorded against their sections, but the total is 0.
    result = evaluate(rubric.Finding("V01"), rubric.Finding("F01"))
    assert result.score == 0
    assert result.sections["filing"]["score"] == 18


@pytest.mark.parametrize(
    ("findings", "score", "grade"),
    [
        ([("S01", 1), ("P07", 1), ("F01", 1), ("F03", 1)], 90, "excellent"),  # 4 + 3 + 2 + 1 = 10 off
        ([("S01", 1), ("P07", 1), ("F01", 1), ("F03", 2)], 89, "pass"),
        ([("S02", 1), ("S05", 1), ("P01", 1), ("P02", 1), ("F03", 2)], 70, "pass"),  # 8 + 8 + 6 + 6 + 2 = 30
        ([("S02", 1), ("S05", 1), ("P01", 1), ("P02", 1), ("F03", 3)], 69, "fail"),
    ],
)
def test_default_thresholds_at_their_edges(findings, score, grade):
    result = evaluate(*(rubric.Finding(code, count) for code, count in findings))
    assert (result.score, result.grade) == (score, grade)


def test_half_points_add_up_exactly():
    local = rubric.RubricItem("local-1", "卷皮填写不规范", "《市场监督管理行政处罚文书格式范本》", "filing", 0.5, 3,
                              origin="local")  # fmt: skip
    items = {**ITEMS, "local-1": local}
    result = evaluate(rubric.Finding("local-1", 3), rubric.Finding("F03"), items=items)
    assert result.score == 97.5


def test_grades_follow_the_thresholds_given():
    strict = {"excellent": 95, "pass": 80}
    assert evaluate(rubric.Finding("S01"), thresholds=strict).grade == "excellent"  # 96
    assert evaluate(rubric.Finding("S02"), thresholds=strict).grade == "pass"  # 92
    assert evaluate(rubric.Finding("S02"), rubric.Finding("S05"), rubric.Finding("P01"), thresholds=strict).grade == (
        "fail"
    )  # 78


# --- through the API ----------------------------------------------------------------------------------------


def test_the_score_is_computed_by_the_system(client, tenant, case_file):
    scored = reviewed(client, tenant, case_file["id"], [d("F01", 3), d("F03", 2), d("S02"), d("P04", 2), d("P07")])
    assert scored["score"] == 75
    assert scored["grade"] == "pass"
    assert scored["grade_name"] == "合格"
    assert scored["section_scores"]["filing"]["score"] == 12
    assert {x["item"]: x["points"] for x in scored["deductions"]} == {"F01": 6, "F03": 2, "S02": 8, "P04": 6, "P07": 3}
    # A score cannot be typed in.
    begun = begin(client, tenant, register_again(client, tenant)).json
    typed = score(client, tenant, begun["id"], score=100)
    assert typed.status_code == 422
    assert "score" in typed.json["errors"]["json"]


def register_again(client, tenant, number="临市监处罚〔2024〕2号"):
    from enforcement_helpers import register

    return register(client, tenant, case_no=number)["id"]


def test_a_veto_through_the_api(client, tenant, case_file):
    scored = reviewed(client, tenant, case_file["id"], [d("F01")], [v("V02", "无现场检查笔录，违法事实无证据证明")])
    assert (scored["score"], scored["grade"], scored["vetoed"]) == (0, "fail", True)


def test_per_tenant_thresholds_and_pinned_reviews(client, tenant, other_tenant, case_file):
    early = begin(client, tenant, case_file["id"]).json
    resp = client.put(
        f"{API}/rubric/settings", json={"excellent_min": 95, "pass_min": 80}, headers=tenant.headers("tenant_admin")
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["thresholds"] == {"excellent": 95, "pass": 80}
    # The review begun before keeps the thresholds it was begun with: 92 is 优秀 there.
    assert score(client, tenant, early["id"], [d("S02")]).json["grade"] == "excellent"
    late = reviewed(client, tenant, register_again(client, tenant), [d("S02")])
    assert late["thresholds"] == {"excellent": 95, "pass": 80}
    assert late["grade"] == "pass"
    # Another tenant keeps the defaults.
    other = client.get(f"{API}/rubric", headers=other_tenant.headers("viewer")).json
    assert other["thresholds"] == {"excellent": 90, "pass": 70}


def test_thresholds_refused(client, tenant):
    url = f"{API}/rubric/settings"
    resp = client.put(url, json={"excellent_min": 60, "pass_min": 70}, headers=tenant.headers("tenant_admin"))
    assert resp.status_code == 422
    assert "pass_min" in resp.json["errors"]["json"]
    resp = client.put(url, json={"excellent_min": 101}, headers=tenant.headers("tenant_admin"))
    assert resp.status_code == 422
    assert "excellent_min" in resp.json["errors"]["json"]
    resp = client.put(url, json={"excellent_min": 95}, headers=tenant.headers("reviewer"))
    assert resp.status_code == 403


def test_local_items_join_new_reviews_and_versions_are_pinned(client, tenant, other_tenant, case_file):
    before = begin(client, tenant, case_file["id"]).json
    rubric_now = client.get(f"{API}/rubric", headers=tenant.headers("viewer")).json
    added = client.post(
        f"{API}/rubric/local-items",
        json={
            "text": "未附本局案件审核表",
            "basis": "《市场监督管理行政处罚程序规定》",
            "section": "procedure",
            "points": 2,
            "max_count": 1,
            "category": "procedural_violation",
        },
        headers=tenant.headers("tenant_admin"),
    )
    assert added.status_code == 201, added.json
    code = added.json["code"]
    assert code == "local-1"
    after = client.get(f"{API}/rubric", headers=tenant.headers("viewer")).json
    procedure = next(s for s in after["sections"] if s["code"] == "procedure")
    assert code in [i["code"] for i in procedure["items"]]
    assert after["version"] == rubric_now["version"]  # the base rubric did not change
    # The earlier review was pinned without it.
    refused = score(client, tenant, before["id"], [d(code)])
    assert refused.status_code == 422
    assert "deductions.0.item" in refused.json["errors"]["json"]
    late = reviewed(client, tenant, register_again(client, tenant), [d(code)])
    assert late["score"] == 98
    # Another tenant never sees it.
    other = client.get(f"{API}/rubric", headers=other_tenant.headers("viewer")).json
    assert code not in str(other)
    # Retired: new reviews no longer offer it; the scored review still reads.
    retired = client.delete(f"{API}/rubric/local-items/{added.json['id']}", headers=tenant.headers("tenant_admin"))
    assert retired.status_code == 200
    assert code not in str(client.get(f"{API}/rubric", headers=tenant.headers("viewer")).json["sections"])
    again = client.delete(f"{API}/rubric/local-items/{added.json['id']}", headers=tenant.headers("tenant_admin"))
    assert again.status_code == 409
    assert client.get(f"{API}/reviews/{late['id']}", headers=tenant.headers("viewer")).json["score"] == 98


def test_local_item_bad_input_and_roles(client, tenant):
    url = f"{API}/rubric/local-items"
    base = {"text": "本局项目", "basis": "《市场监督管理行政处罚程序规定》"}
    for body, field in (
        ({**base}, "section"),
        ({**base, "section": "filing"}, "points"),
        ({**base, "section": "elsewhere", "points": 1}, "section"),
        ({**base, "section": "filing", "points": 1, "category": "nosuch"}, "category"),
        ({"basis": "x", "section": "filing", "points": 1}, "text"),
    ):
        resp = client.post(url, json=body, headers=tenant.headers("tenant_admin"))
        assert resp.status_code == 422, (body, resp.json)
        assert field in resp.json["errors"]["json"], (body, resp.json)
    resp = client.post(url, json={**base, "veto": True}, headers=tenant.headers("officer"))
    assert resp.status_code == 403
    resp = client.post(url, json={**base, "veto": True}, headers=tenant.headers("tenant_admin"))
    assert resp.status_code == 201
    assert resp.json["item"]["veto"] is True


def test_the_base_rubric_is_a_numbered_version(app, db, client, tenant):
    from core.checklists.versions import versions

    first = client.get(f"{API}/rubric", headers=tenant.headers("viewer")).json["version"]
    again = client.get(f"{API}/rubric", headers=tenant.headers("viewer")).json["version"]
    assert first == again  # same content, same version
    rows = versions(rubric.CODE)
    assert [r.version for r in rows] == [first]
    assert rows[0].content == rubric.base_content()
