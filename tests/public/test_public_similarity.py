"""Similar reports and problems for Chinese text: the measure alone, then the API on paraphrased report wording.

Issue 13, item 9: ``/public-reports/<id>/similar`` said [] where an open problem of the same unit and category
had the same matter in other words, because a long problem text swamped the Dice coefficient.
"""

from __future__ import annotations

import random
import time

import pytest
from fixtures.ledger import post_problem
from fixtures.public import report_of, submit
from sqlalchemy import insert, select

from core.ledger.models import Problem
from core.platform.db import db, tenant_scope
from core.public.models import PublicReport
from core.public.service import SAME_CATEGORY_BONUS, SAME_UNIT_BONUS, SIMILAR_MIN_TEXT, SIMILAR_THRESHOLD
from core.public.similarity import Candidate, Scorer, bigrams, similarity, tokens

ORIGINAL = "城关所登记窗口的工作人员态度很差，对来办事的群众大声呵斥。"
PARAPHRASES = (
    "在城关市场监管所办执照时，窗口工作人员对办事群众大声呵斥，服务态度恶劣。",
    "城关所窗口工作人员服务态度差，大声呵斥前来办事的群众",
)
UNRELATED = ("某商场停车场收费标准未公示，乱收停车费用。", "食品检验检测报告迟迟未出具，超过承诺时限。")

# The wording: a reporter's sentence and the ledger's summary of the same matter.
REPORT = "窗口工作人员办理营业执照时态度生硬，还让我多跑了三趟"
LONG_REPORT = (
    "我是做小生意的，11月5日上午去城关所登记窗口办理营业执照变更，窗口的女工作人员态度很生硬，问她需要什么材料"
    "也不耐烦，说了半天没讲清楚，结果材料不全让我回去补，前后跑了三趟才办下来。希望能管一管。"
)
PROBLEM_TITLE = "登记窗口办理营业执照态度生硬、群众多次跑腿"
PROBLEM_TEXT = (
    "群众反映城关所登记窗口工作人员在办理营业执照变更登记时态度生硬，对咨询的群众不耐烦，未能一次性告知所需材料，"
    "导致群众多次往返跑腿。经初步核实，当日窗口仅有一名工作人员值守，排队时间较长。整改要求：一是约谈当事窗口"
    "工作人员；二是落实一次性告知制度；三是开展窗口服务规范培训，并在办事大厅公示服务承诺。"
)
UNRELATED_TITLE = "食品抽检报告迟迟未出具"
UNRELATED_TEXT = "群众反映城关所食品抽检报告迟迟未出具，超过承诺时限，影响商户正常经营。"


# --- the measure --------------------------------------------------------------------------------------------


def test_paraphrases_are_alike_and_unrelated_texts_are_not():
    for text in PARAPHRASES:
        assert similarity(ORIGINAL, text) >= 0.3, text
    for text in UNRELATED:
        assert similarity(ORIGINAL, text) < 0.15, text
    assert min(similarity(ORIGINAL, p) for p in PARAPHRASES) > max(similarity(ORIGINAL, u) for u in UNRELATED)


def test_punctuation_spaces_and_full_width_forms_do_not_count():
    assert similarity("窗口 态度，差！", "窗口态度差") == 1.0
    assert similarity("ＡＢＣ１２３", "abc123") == 1.0
    assert bigrams("态度") == frozenset({"态度"})
    assert bigrams("，。") == frozenset()
    assert similarity("", ORIGINAL) == 0.0


def test_latin_words_are_words_and_chinese_is_pairs():
    assert tokens("ICP备案 2024年") == frozenset({"icp", "2024", "备案", "案年"})
    # Not pairs of letters: "ab" is not a token of "abc".
    assert "ab" not in tokens("abc窗口")


def _scores(query: str, texts: dict[str, tuple[str, str]]) -> dict[str, float]:
    candidates = [Candidate(k, tokens(t), tokens(f"{t} {d}")) for k, (t, d) in texts.items()]
    scorer = Scorer(tokens(query), candidates)
    return {c.key: scorer.text_score(c) for c in candidates}


def test_a_short_report_finds_a_problem_with_a_long_description():
    # The Dice coefficient alone drowns the short report in the problem's long text (below the old 0.12 bar).
    assert similarity(REPORT, PROBLEM_TITLE + PROBLEM_TEXT) < 0.2
    for report in (REPORT, LONG_REPORT):
        scores = _scores(report, {"same": (PROBLEM_TITLE, PROBLEM_TEXT), "other": (UNRELATED_TITLE, UNRELATED_TEXT)})
        # Enough with the same unit and category (the long report says much the problem does not).
        assert scores["same"] >= SIMILAR_THRESHOLD - SAME_UNIT_BONUS - SAME_CATEGORY_BONUS, report
        assert scores["other"] < 0.1, report
    assert _scores(REPORT, {"same": (PROBLEM_TITLE, PROBLEM_TEXT)})["same"] >= SIMILAR_THRESHOLD


def test_words_every_problem_has_weigh_less_than_rare_ones():
    common = {f"p{i}": (f"窗口工作人员问题{i}", "群众反映窗口工作人员办事群众") for i in range(20)}
    rare = {"fee": ("违规收取资料费", "窗口工作人员违规收取资料费")}
    scores = _scores("窗口工作人员违规收取资料费二十元", {**common, **rare})
    assert scores["fee"] > 2 * max(v for k, v in scores.items() if k != "fee")


# --- the API ------------------------------------------------------------------------------------------------


def _report(client, world, description, **overrides) -> int:
    resp = submit(client, world.slug, description=description, **overrides)
    assert resp.status_code == 201, resp.json
    with tenant_scope(world.tenant.id):
        return db.session.scalar(
            select(PublicReport.id).where(PublicReport.tracking_code == resp.json["tracking_code"])
        )


def _similar(client, world, report_id, role="officer"):
    return client.get(f"/api/v1/public-reports/{report_id}/similar", headers=world.headers(role))


def _set_status(world, problem_id, status):
    with tenant_scope(world.tenant.id):
        db.session.get(Problem, problem_id).status = status
    db.session.commit()


def test_a_paraphrased_report_finds_the_open_problem_of_its_unit_and_category(client, clock, tenant, other_tenant):
    match = post_problem(client, tenant, title=PROBLEM_TITLE, description=PROBLEM_TEXT).json["id"]
    unrelated = post_problem(client, tenant, title=UNRELATED_TITLE, description=UNRELATED_TEXT).json["id"]
    closed = post_problem(client, tenant, title=PROBLEM_TITLE, description=PROBLEM_TEXT).json["id"]
    _set_status(tenant, closed, "closed")
    post_problem(client, other_tenant, title=PROBLEM_TITLE, description=PROBLEM_TEXT)
    for text in (REPORT, LONG_REPORT):
        rid = _report(client, tenant, text, unit_id=tenant.station.id, concerned="")
        resp = _similar(client, tenant, rid)
        assert resp.status_code == 200
        problems = [s for s in resp.json["items"] if s["kind"] == "problem"]
        # The open problem only: not the unrelated one of the same unit and category, not the closed twin,
        # not beta's twin (another tenant's ledger is not looked at).
        assert [s["id"] for s in problems] == [match], text
        found = problems[0]
        assert found["same_unit"] is True
        assert found["same_category"] is True
        assert found["text_score"] >= SIMILAR_MIN_TEXT
        assert SIMILAR_THRESHOLD <= found["score"] <= 1
        assert found["score"] == pytest.approx(found["text_score"] + SAME_UNIT_BONUS + SAME_CATEGORY_BONUS, abs=0.002)
        assert unrelated not in [s["id"] for s in resp.json["items"]]


def test_suggestions_are_ordered_by_score_and_reports_are_found_too(client, clock, tenant):
    match = post_problem(client, tenant, title=PROBLEM_TITLE, description=PROBLEM_TEXT).json["id"]
    weaker_text = "群众反映登记窗口工作人员上班时间玩手机，态度冷淡。"
    weaker = post_problem(client, tenant, title="窗口工作人员上班时间玩手机", description=weaker_text).json["id"]
    earlier = _report(client, tenant, LONG_REPORT, unit_id=tenant.station.id)
    rid = _report(client, tenant, REPORT, unit_id=tenant.station.id)
    found = _similar(client, tenant, rid).json["items"]
    scores = [s["score"] for s in found]
    assert scores == sorted(scores, reverse=True)
    keys = [(s["kind"], s["id"]) for s in found]
    assert ("problem", match) in keys
    assert ("report", earlier) in keys
    if ("problem", weaker) in keys:
        assert keys.index(("problem", weaker)) > keys.index(("problem", match))


def test_same_unit_and_category_alone_suggest_nothing(client, clock, tenant):
    post_problem(client, tenant, title=UNRELATED_TITLE, description=UNRELATED_TEXT)
    post_problem(client, tenant, title="停车场乱收费", description="某商场停车场收费标准未公示，乱收停车费用。")
    rid = _report(client, tenant, REPORT, unit_id=tenant.station.id)
    assert _similar(client, tenant, rid).json["items"] == []


def test_another_tenants_report_is_not_found(client, tenant, other_tenant):
    theirs = report_of(other_tenant)
    assert _similar(client, tenant, theirs).status_code == 404
    assert _similar(client, other_tenant, theirs).status_code == 200
    assert _similar(client, tenant, 999999).status_code == 404


def _bulk_problems(world, count: int) -> None:
    """Open problems of every unit and category, in bench/build_data.py's wording, inserted in one go."""
    rng = random.Random(13)
    subjects = ["窗口人员", "执法人员", "检查组", "登记窗口", "检测机构", "审批科室", "监管所", "综合执法队员"]
    faults = ["服务态度生硬", "一次性告知不到位", "超时办结", "违规收取资料费", "随意检查企业", "推诿扯皮",
              "吃拿卡要", "未按双随机抽查", "检查结果未公示", "自由裁量不规范", "办件材料反复要求补正"]  # fmt: skip
    places = ["城关", "开发区", "东城", "西城", "北塘", "南岭", "江滩", "新区"]
    units = [world.root.id, world.station.id, world.substation.id, world.agency.id]
    rows = []
    for i in range(count):
        subject, fault, place = rng.choice(subjects), rng.choice(faults), rng.choice(places)
        rows.append({
            "tenant_id": world.tenant.id, "number": f"BULK-{i:06d}", "source": "self_inspection", "domain": "general",
            "category": rng.choice(["attitude", "inaction", "integrity", "other"]), "title": f"{subject}{fault}",
            "description": f"群众反映{place}所{subject}{fault}，经核实情况属实，已责令限期整改，并约谈相关责任人。" * 3,
            "unit_id": rng.choice(units), "rectification_type": "deadline", "phase": "self_inspection",
            "status": rng.choice(["registered", "rectifying", "submitted", "ongoing"]), "created_by": "bench",
        })  # fmt: skip
    with tenant_scope(world.tenant.id):
        db.session.execute(insert(Problem), rows)
    db.session.commit()


def test_a_tenant_with_twenty_thousand_open_problems_is_answered_quickly(client, clock, tenant):
    # The matching problem is the oldest: 20,000 newer open ones of every unit and category come after it.
    match = post_problem(client, tenant, title=PROBLEM_TITLE, description=PROBLEM_TEXT).json["id"]
    _bulk_problems(tenant, 20_000)
    rid = _report(client, tenant, REPORT, unit_id=tenant.station.id)
    started = time.perf_counter()
    resp = _similar(client, tenant, rid, role="tenant_admin")
    elapsed = time.perf_counter() - started
    assert resp.status_code == 200
    assert (resp.json["items"][0]["kind"], resp.json["items"][0]["id"]) == ("problem", match)
    # Measured 0.5 s on SQLite on a busy two-core machine (about 2,400 candidates read and scored); the bound is
    # loose so that a loaded CI box passes, and tight enough to catch reading and scoring the whole ledger.
    assert elapsed < 3.0, f"{elapsed:.2f}s"
