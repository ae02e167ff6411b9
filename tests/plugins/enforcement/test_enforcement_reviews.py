"""Scoring makes ledger problems (source 案卷评查) for failing files and serious deductions; closing such a problem
needs a passing re-review of the file (xingfeng_validate_transition); the statistics read the review table."""

from __future__ import annotations

from enforcement_helpers import API, begin, d, register, reviewed, score, v
from fixtures.ledger import PNG, act, current_etag, upload


def problem(client, world, problem_id, role="tenant_admin"):
    return client.get(f"/api/v1/problems/{problem_id}", headers=world.headers(role)).json


def to_submitted(client, world, problem_id):
    """Assign, sign, report progress with evidence and submit the problem (the responsible station's officer)."""
    assert (
        act(client, world, "tenant_admin", problem_id, "assign", current_etag(client, world, problem_id)).status_code
        == 200
    )
    assert act(client, world, "officer", problem_id, "sign", current_etag(client, world, problem_id)).status_code == 200
    note = client.post(
        f"/api/v1/problems/{problem_id}/notes",
        json={"text": "已组织承办人重新整理案卷"},
        headers=world.headers("officer"),
    )
    assert note.status_code == 201, note.json
    assert upload(client, world, problem_id, data=PNG).status_code == 201
    submitted = act(client, world, "officer", problem_id, "submit", current_etag(client, world, problem_id))
    assert submitted.status_code == 200, submitted.json


def close(client, world, problem_id):
    return act(
        client,
        world,
        "reviewer",
        problem_id,
        "close",
        current_etag(client, world, problem_id),
        opinion="复查合格，同意销号",
    )


def test_a_passing_file_makes_no_problem(client, tenant, case_file):
    scored = reviewed(client, tenant, case_file["id"], [d("F01")])
    assert scored["grade"] == "excellent"
    assert scored["problem_id"] is None


def test_a_failing_file_becomes_a_problem(client, tenant, case_file):
    scored = reviewed(client, tenant, case_file["id"], [d("S02")], [v("V04", "未告知当事人陈述申辩权利")])
    p = problem(client, tenant, scored["problem_id"])
    assert p["source"] == "case_review"
    assert p["domain"] == "enforcement"
    assert p["category"] == "procedural_violation"  # the veto's category
    assert p["unit_id"] == tenant.station.id
    assert p["severity"] == "grave"
    assert p["status"] == "registered"
    assert p["custom_fields"]["case_no"] == case_file["case_no"]
    assert p["custom_fields"]["review_score"] == 0
    assert "未告知当事人陈述申辩权利" in p["description"]
    assert p["deadline"] is not None


def test_a_serious_deduction_on_a_passing_file_becomes_a_problem(client, tenant, case_file):
    scored = reviewed(client, tenant, case_file["id"], [d("S05", note="顶格处罚未说明理由")])  # serious by default
    assert scored["grade"] == "excellent"  # 92
    p = problem(client, tenant, scored["problem_id"])
    assert p["category"] == "discretion_abuse"
    assert p["severity"] == "serious"
    marked = reviewed(
        client, tenant, register(client, tenant, case_no="二号")["id"], [d("P02", serious=True, note="超期三个月")]
    )
    assert problem(client, tenant, marked["problem_id"])["category"] == "case_shelved"


def test_the_reviewer_may_choose_the_category(client, tenant, case_file):
    begun = begin(client, tenant, case_file["id"]).json
    resp = score(client, tenant, begun["id"], [], [v("V01")], problem_category="favour_cases")
    assert problem(client, tenant, resp.json["problem_id"])["category"] == "favour_cases"
    bad = score(client, tenant, begin(client, tenant, register(client, tenant, case_no="二号")["id"]).json["id"],
                [], [v("V01")], problem_category="nosuch")  # fmt: skip
    assert bad.status_code == 422
    assert "problem_category" in bad.json["errors"]["json"]


def test_closing_needs_a_passing_re_review(client, tenant, case_file):
    scored = reviewed(client, tenant, case_file["id"], [], [v("V02", "关键证据缺失")])
    pid = scored["problem_id"]
    to_submitted(client, tenant, pid)
    refused = close(client, tenant, pid)
    assert refused.status_code == 409, refused.json
    assert "复查合格" in refused.json["message"]
    assert problem(client, tenant, pid)["status"] == "submitted"
    # A re-review that fails again does not open the gate.
    reviewed(client, tenant, case_file["id"], [d("S02"), d("S03", 2), d("S04"), d("P01"), d("P02")], kind="re_review")
    refused = close(client, tenant, pid)
    assert refused.status_code == 409
    assert "未通过" in refused.json["message"]
    # A passing re-review does.
    passed = reviewed(client, tenant, case_file["id"], [d("F03")], kind="re_review")
    assert passed["grade"] == "excellent"
    assert passed["problem_id"] is None
    closed = close(client, tenant, pid)
    assert closed.status_code == 200, closed.json
    assert closed.json["status"] == "closed"


def test_other_moves_and_other_problems_are_not_held(client, tenant):
    from fixtures.ledger import post_problem, upcoming_body

    created = post_problem(client, tenant, body=upcoming_body(tenant, domain="enforcement", category="extortion"))
    pid = created.json["id"]
    to_submitted(client, tenant, pid)
    assert close(client, tenant, pid).status_code == 200


def test_a_re_review_needs_an_earlier_review_and_a_review_is_scored_once(client, tenant, case_file):
    resp = begin(client, tenant, case_file["id"], kind="re_review")
    assert resp.status_code == 409
    assert "kind" in resp.json["errors"]["json"]
    scored = reviewed(client, tenant, case_file["id"], [d("F01")])
    again = score(client, tenant, scored["id"], [d("F02")])
    assert again.status_code == 409
    assert client.get(f"{API}/reviews/{scored['id']}", headers=tenant.headers("viewer")).json["score"] == 98


def flat(errors: dict, prefix: str = "") -> set[str]:
    """Field names of an error answer, nested ones dotted (deductions.0.note)."""
    out = set()
    for key, value in errors.items():
        name = f"{prefix}{key}"
        out |= flat(value, f"{name}.") if isinstance(value, dict) else {name}
    return out


def test_scoring_bad_input_names_the_field(client, tenant, case_file):
    review_id = begin(client, tenant, case_file["id"]).json["id"]
    for deductions, vetoes, field in (
        ([d("X99")], [], "deductions.0.item"),
        ([d("V01")], [], "deductions.0.item"),
        ([], [v("F01")], "vetoes.0.item"),
        ([d("F01"), d("F01")], [], "deductions.1.item"),
        ([d("F05", count=2)], [], "deductions.0.count"),
        ([d("F01", note="   ")], [], "deductions.0.note"),
        ([{"item": "F01"}], [], "deductions.0.note"),
    ):
        resp = score(client, tenant, review_id, deductions, vetoes)
        assert resp.status_code == 422, (deductions, vetoes, resp.json)
        assert field in flat(resp.json["errors"]["json"]), resp.json
    assert client.get(f"{API}/reviews/{review_id}", headers=tenant.headers("viewer")).json["status"] == "assigned"


def test_statistics_per_unit_handler_section_and_top_deductions(client, tenant):
    a = register(client, tenant, case_no="一号", handlers=["张三", "李四"])["id"]
    b = register(client, tenant, case_no="二号", handlers=["张三"])["id"]
    c = register(client, tenant, role="tenant_admin", case_no="三号", unit_id=tenant.root.id, handlers=["赵六"])["id"]
    reviewed(client, tenant, a, [d("F01"), d("S02")])  # 90 优秀
    reviewed(client, tenant, b, [d("F01", 2), d("S02"), d("S05"), d("P01"), d("P02")])  # 100-4-8-8-6-6 = 68 不合格
    reviewed(client, tenant, c, [], [v("V03")])  # 0 不合格
    stats = client.get(f"{API}/statistics", headers=tenant.headers("viewer")).json
    assert stats["overall"] == {
        "count": 3, "average": 52.67, "grades": {"excellent": 1, "pass": 0, "fail": 2}, "fail_share": 0.67,
    }  # fmt: skip
    units = {u["unit_id"]: u for u in stats["units"]}
    assert units[tenant.station.id]["average"] == 79
    assert units[tenant.station.id]["grades"] == {"excellent": 1, "pass": 0, "fail": 1}
    assert units[tenant.root.id]["average"] == 0
    handlers = {h["handler"]: h for h in stats["handlers"]}
    assert handlers["张三"]["count"] == 2
    assert handlers["张三"]["average"] == 79
    assert handlers["李四"]["average"] == 90
    assert handlers["赵六"]["fail_share"] == 1
    sections = {s["section"]: s for s in stats["sections"]}
    assert sections["filing"]["average_deducted"] == 2  # (2 + 4 + 0) / 3
    assert sections["substance"]["average_score"] == round((32 + 24 + 40) / 3, 2)
    top = stats["top_deductions"]
    assert [t["item"] for t in top[:2]] == ["S02", "F01"]  # twice each; S02 took more points
    assert top[0]["times"] == 2
    assert top[0]["points"] == 16
    # An officer sees its own units only; a filter by unit narrows it.
    mine = client.get(f"{API}/statistics", headers=tenant.headers("officer")).json
    assert mine["overall"]["count"] == 2
    root_only = client.get(
        f"{API}/statistics", query_string={"unit_id": tenant.root.id}, headers=tenant.headers("viewer")
    )
    assert root_only.json["overall"]["count"] == 3  # the root and everything below it
    bad = client.get(f"{API}/statistics", query_string={"period_from": "昨天"}, headers=tenant.headers("viewer"))
    assert bad.status_code == 422
    assert "period_from" in bad.json["errors"]["query"]


def test_the_review_table_is_what_the_city_reads(client, tenant, case_file, db):
    from sqlalchemy import select

    from core.platform.db import tenant_scope
    from plugins.enforcement.models import Review

    reviewed(client, tenant, case_file["id"], [d("F01")])
    with tenant_scope(tenant.tenant.id):
        row = db.session.scalar(select(Review))
        assert (row.tenant_id, row.unit_id, row.case_file_id, row.score, row.grade, row.status) == (
            tenant.tenant.id, tenant.station.id, case_file["id"], 98, "excellent", "scored",
        )  # fmt: skip
        assert row.reviewed_at is not None
