"""The checklist engine: templates offered per unit, conditions, scores, findings, versions, items, Excel."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from fixtures.ledger import PNG, post_problem, problem_body
from openpyxl import load_workbook

from core.checklists.service import templates
from core.checklists.templates import Condition, Item, TemplateError, check_template, evaluate, normalise
from core.platform.db import db, tenant_scope
from core.tenancy.service import set_unit_domain

from .conftest import ALL_GOOD, SAMPLE, begin


def submit(client, world, checklist_id, role="officer", prefix=""):
    return client.post(f"/api/v1{prefix}/checklists/{checklist_id}/submit", headers=world.headers(role))


# --- the rules, without the database ------------------------------------------------------------------------


def test_conditions_show_and_hide_items():
    items = list(SAMPLE.items)
    assert "q2" not in evaluate(items, {"q1": "yes"}).shown
    assert "q2" in evaluate(items, {"q1": "no"}).shown
    # An answer to a hidden item counts neither as a failure nor in the score.
    result = evaluate(items, {**ALL_GOOD, "q2": "拒不公示"})
    assert "q2" not in result.failing
    assert "q2" not in result.shown


def test_scores_by_hand():
    items = list(SAMPLE.items)
    # q1 yes 10/10, q3 given 18/20, q4 0 -> 5/5, q5 无 -> 5/5: 38 of 40.
    good = evaluate(items, ALL_GOOD)
    assert (good.score, good.max_score, good.failing, good.missing) == (38, 40, [], [])
    # q1 no 0/10 (+ q2 shown, 拒不公示 fails, unscored), q3 10/20 fails (< 12), q4 2 fails 0/5, q5 推诿 fails 0/5.
    bad = evaluate(items, {"q1": "no", "q2": "拒不公示", "q3": 10, "q4": 2, "q5": ["推诿", "无"]})
    assert (bad.score, bad.max_score) == (10, 40)
    assert bad.failing == ["q1", "q2", "q3", "q4", "q5"]
    # 不适用 leaves the item out of the maximum.
    na = evaluate(items, {**ALL_GOOD, "q1": "na"})
    assert (na.score, na.max_score) == (28, 30)
    assert evaluate(items, {"q1": "yes"}).missing == ["q3", "q4", "q5"]


def test_answers_are_checked_against_their_item():
    q1, q2, q3, q4, q5, _ = SAMPLE.items
    assert normalise(q1, "否") == ("no", None)
    assert normalise(q1, "maybe")[1] == "应为：是、否、不适用"
    assert normalise(q2, "别的")[1].startswith("应为以下之一")
    assert normalise(q3, 21)[1] == "得分应在 0 到 20 之间"
    assert normalise(q4, "三")[1] == "应为数字"
    assert normalise(q5, "推诿，刁难") == (["推诿", "刁难"], None)
    assert "不是可选答案" in normalise(q5, ["跑腿"])[1]


def test_inconsistent_templates_are_refused():
    categories = {"formalism", "attitude", "inaction", "other"}
    check_template(SAMPLE, categories)
    bad_condition = replace(SAMPLE, items=(Item("a", "x", condition=Condition("later", ("no",))), Item("later", "y")))
    with pytest.raises(TemplateError, match="earlier item"):
        check_template(bad_condition, categories)
    with pytest.raises(TemplateError, match="unknown category"):
        check_template(replace(SAMPLE, items=(Item("a", "x", category="nope"),)), categories)
    with pytest.raises(TemplateError, match="not a choice"):
        check_template(replace(SAMPLE, items=(Item("a", "x", answer="single", choices=("甲",), fail_on=("乙",)),)),
                       categories)  # fmt: skip


def test_every_bundled_template_is_consistent(app):
    with app.app_context():
        found = templates()
    for template in found.values():
        assert template.items, template.code
        for item in template.items:
            assert item.text, template.code
            assert item.code, template.code


# --- filling and submitting ---------------------------------------------------------------------------------


def test_fill_save_and_submit_records_a_problem_per_failure(client, tenant, sample, clock):
    resp = begin(client, tenant, answers={"q1": "no"})
    assert resp.status_code == 201, resp.json
    checklist = resp.json
    assert checklist["status"] == "draft"
    assert checklist["template_version"] >= 1
    assert "q2" in checklist["shown"]
    assert checklist["missing"] == ["q2", "q3", "q4", "q5"]
    cid = checklist["id"]
    # A draft is saved in parts; the score shows as it goes.
    resp = client.patch(
        f"/api/v1/checklists/{cid}",
        json={"answers": {"q2": "遗漏", "q3": 10, "q4": 1, "q5": ["无"]}, "notes": {"q3": "态度生硬"}},
        headers=tenant.headers("officer"),
    )
    assert resp.status_code == 200, resp.json
    assert (resp.json["score"], resp.json["max_score"]) == (15, 40)  # q3 earns the 10 given; q5 its 5
    # Evidence is required for the failing score item.
    resp = submit(client, tenant, cid)
    assert resp.status_code == 422
    assert "evidence.q3" in resp.json["errors"]["json"]
    up = client.post(
        f"/api/v1/checklists/{cid}/evidence",
        data={"item_code": "q3", "file": (io.BytesIO(PNG), "现场.png")},
        headers=tenant.headers("officer"),
    )
    assert up.status_code == 201, up.json
    resp = submit(client, tenant, cid)
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["status"] == "submitted"
    assert body["score"] == 15
    assert body["percent"] == 37.5
    assert sorted(body["failing"]) == ["q1", "q3", "q4"]
    assert len(body["problems"]) == 3
    findings = {f["item_code"]: f for f in body["findings"]}
    assert set(findings) == {"q1", "q3", "q4"}
    assert all(f["template_code"] == SAMPLE.code and f["template_version"] == body["template_version"]
               for f in findings.values())  # fmt: skip
    problem = client.get(f"/api/v1/problems/{findings['q3']['problem_id']}", headers=tenant.headers("officer")).json
    assert problem["source"] == "checklist"
    assert problem["category"] == "attitude"
    assert problem["status"] == "registered"
    assert problem["unit_id"] == tenant.station.id
    assert "态度生硬" in problem["description"]
    assert "服务评分" in problem["title"]
    history = client.get(f"/api/v1/problems/{problem['id']}/history", headers=tenant.headers("officer")).json["items"]
    assert history[0]["kind"] == "ledger.created"
    # Submitted means final.
    again = client.patch(f"/api/v1/checklists/{cid}", json={"answers": {"q3": 20}}, headers=tenant.headers("officer"))
    assert again.status_code == 409
    assert submit(client, tenant, cid).status_code == 409


def test_submitting_names_every_missing_item(client, tenant, sample):
    cid = begin(client, tenant, answers={"q1": "no"}).json["id"]
    resp = submit(client, tenant, cid)
    assert resp.status_code == 422
    assert set(resp.json["errors"]["json"]) == {"answers.q2", "answers.q3", "answers.q4", "answers.q5"}
    assert "未公示的原因" in resp.json["errors"]["json"]["answers.q2"][0]
    assert client.get(f"/api/v1/checklists/{cid}", headers=tenant.headers("officer")).json["status"] == "draft"


def test_a_clean_checklist_records_no_problem(client, tenant, sample):
    cid = begin(client, tenant, answers=ALL_GOOD).json["id"]
    body = submit(client, tenant, cid).json
    assert body["problems"] == []
    assert body["score"] == 38
    assert client.get("/api/v1/problems", headers=tenant.headers("officer")).json["items"] == []


def test_bad_answers_name_the_item(client, tenant, sample):
    resp = begin(client, tenant, answers={"q1": "也许", "q9": "yes", "q3": 99})
    assert resp.status_code == 422
    assert set(resp.json["errors"]["json"]) == {"answers.q1", "answers.q9", "answers.q3"}
    resp = begin(client, tenant, inspected_on="昨天")
    assert resp.status_code == 422
    assert "inspected_on" in resp.json["errors"]["json"]
    resp = begin(client, tenant, template="test.nope")
    assert resp.status_code == 422
    assert "template" in resp.json["errors"]["json"]


def test_a_correction_is_a_new_linked_checklist(client, tenant, sample, clock):
    cid = begin(client, tenant, answers={**ALL_GOOD, "q4": 3}).json["id"]
    assert submit(client, tenant, cid).status_code == 200
    resp = client.post(f"/api/v1/checklists/{cid}/correct", headers=tenant.headers("officer"))
    assert resp.status_code == 201
    new = resp.json
    assert new["corrects_id"] == cid
    assert new["status"] == "draft"
    assert new["answers"]["q4"] == 3
    old = client.get(f"/api/v1/checklists/{cid}", headers=tenant.headers("officer")).json
    assert old["corrected_by"] == [new["id"]]
    assert old["status"] == "submitted"
    draft = begin(client, tenant).json["id"]
    assert client.post(f"/api/v1/checklists/{draft}/correct", headers=tenant.headers("officer")).status_code == 409


# --- versions and extra items -------------------------------------------------------------------------------


def test_a_changed_template_is_a_new_version_and_old_checklists_keep_theirs(client, tenant, sample, app, monkeypatch):
    old = begin(client, tenant, answers=ALL_GOOD).json
    assert submit(client, tenant, old["id"]).status_code == 200
    changed = replace(SAMPLE, items=(*SAMPLE.items[:5], Item("q7", "是否设置意见箱", points=10, category="other")))
    monkeypatch.setitem(app.extensions["xingfeng_checklists"], SAMPLE.code, changed)
    form = client.get(f"/api/v1/checklist-templates/{SAMPLE.code}", headers=tenant.headers("officer")).json
    assert form["version"] == old["template_version"] + 1
    assert [i["code"] for i in form["items"]][-1] == "q7"
    new = begin(client, tenant, answers={**ALL_GOOD, "q7": "no"}).json
    assert new["template_version"] == form["version"]
    # The old checklist still reads with the items it was filled against, and its score is unchanged.
    again = client.get(f"/api/v1/checklists/{old['id']}", headers=tenant.headers("officer")).json
    assert [i["code"] for i in again["items"]] == ["q1", "q2", "q3", "q4", "q5", "q6"]
    assert again["score"] == 38
    assert again["template_version"] == old["template_version"]
    # Offering the same content again does not make another version.
    monkeypatch.setitem(app.extensions["xingfeng_checklists"], SAMPLE.code, replace(changed))
    assert (
        client.get(f"/api/v1/checklist-templates/{SAMPLE.code}", headers=tenant.headers("officer")).json["version"]
        == form["version"]
    )


def test_city_and_local_items_join_new_checklists_and_can_be_retired(client, tenant, other_tenant, city, sample):
    item = {"text": "是否落实首问负责制", "points": 5, "category": "attitude", "basis": "本市行风建设工作方案"}
    resp = client.post(f"/api/v1/checklist-templates/{SAMPLE.code}/city-items", json=item,
                       headers=city.headers("city_admin"))  # fmt: skip
    assert resp.status_code == 201, resp.json
    city_item = resp.json
    resp = client.post(f"/api/v1/checklist-templates/{SAMPLE.code}/items", json={**item, "text": "是否设置评价器"},
                       headers=tenant.headers("tenant_admin"))  # fmt: skip
    assert resp.status_code == 201, resp.json
    local_item = resp.json
    # Refused roles, and bad input naming the field.
    assert client.post(f"/api/v1/checklist-templates/{SAMPLE.code}/items", json=item,
                       headers=tenant.headers("officer")).status_code == 403  # fmt: skip
    assert client.post(f"/api/v1/checklist-templates/{SAMPLE.code}/city-items", json=item,
                       headers=tenant.headers("tenant_admin")).status_code == 403  # fmt: skip
    bad = client.post(f"/api/v1/checklist-templates/{SAMPLE.code}/items", json={**item, "category": "nope"},
                      headers=tenant.headers("tenant_admin"))  # fmt: skip
    assert bad.status_code == 422
    assert "category" in bad.json["errors"]["json"]
    mine = begin(client, tenant, answers=ALL_GOOD).json
    codes = [i["code"] for i in mine["items"]]
    assert city_item["code"] in codes
    assert local_item["code"] in codes
    theirs = begin(client, other_tenant, answers=ALL_GOOD).json
    codes = [i["code"] for i in theirs["items"]]
    assert city_item["code"] in codes
    assert local_item["code"] not in codes
    # Retired: later checklists go without it, the begun one keeps it.
    resp = client.delete(f"/api/v1/checklist-templates/{SAMPLE.code}/items/{local_item['id']}",
                         headers=tenant.headers("tenant_admin"))  # fmt: skip
    assert resp.status_code == 200
    assert resp.json["retired_at"]
    assert local_item["code"] not in [i["code"] for i in begin(client, tenant).json["items"]]
    kept = client.get(f"/api/v1/checklists/{mine['id']}", headers=tenant.headers("officer")).json
    assert local_item["code"] in [i["code"] for i in kept["items"]]
    # Another tenant cannot see or retire it.
    resp = client.delete(f"/api/v1/checklist-templates/{SAMPLE.code}/items/{local_item['id']}",
                         headers=other_tenant.headers("tenant_admin"))  # fmt: skip
    assert resp.status_code == 404
    resp = client.delete(f"/api/v1/checklist-templates/{SAMPLE.code}/city-items/{city_item['id']}",
                         headers=city.headers("city_admin"))  # fmt: skip
    assert resp.status_code == 200


# --- visibility and enablement ------------------------------------------------------------------------------


def test_another_tenants_checklist_does_not_exist(client, tenant, other_tenant, city, sample):
    cid = begin(client, tenant).json["id"]
    for path in ("", "/submit", "/export.xlsx", "/evidence"):
        method = client.post if path == "/submit" else client.get
        resp = method(f"/api/v1/checklists/{cid}{path}", headers=other_tenant.headers("tenant_admin"))
        assert resp.status_code == 404
    assert client.get(f"/api/v1/tenants/{other_tenant.slug}/checklists/{cid}",
                      headers=city.headers("city_supervisor")).status_code == 404  # fmt: skip
    assert client.get(f"/api/v1/tenants/{tenant.slug}/checklists/{cid}",
                      headers=city.headers("city_supervisor")).status_code == 200  # fmt: skip
    assert client.get("/api/v1/checklists", headers=other_tenant.headers("viewer")).json["items"] == []


def test_roles(client, tenant, sample):
    assert begin(client, tenant, role="viewer").status_code == 403
    # Reviewers inspect units below them; an officer only its own unit and below.
    assert begin(client, tenant, role="reviewer").status_code == 201
    resp = begin(client, tenant, unit_id=tenant.root.id)
    assert resp.status_code == 403
    assert "unit_id" in resp.json["errors"]["json"]
    cid = begin(client, tenant).json["id"]
    assert client.get(f"/api/v1/checklists/{cid}", headers=tenant.headers("viewer")).status_code == 200
    assert submit(client, tenant, cid, role="viewer").status_code == 403


def test_a_plugin_disabled_at_a_unit_offers_no_templates_there(client, tenant, app):
    with app.app_context():
        plugin_templates = [t for t in templates().values() if t.domain == "approval"]
    assert plugin_templates, "the approval plugin declares its templates"
    code = plugin_templates[0].code
    offered = client.get(f"/api/v1/checklist-templates?unit_id={tenant.station.id}", headers=tenant.headers("officer"))
    assert code in [t["code"] for t in offered.json["items"]]
    with tenant_scope(tenant.tenant.id):
        set_unit_domain(_unit(tenant.station), "approval", False)
        db.session.commit()
    offered = client.get(f"/api/v1/checklist-templates?unit_id={tenant.station.id}", headers=tenant.headers("officer"))
    assert code not in [t["code"] for t in offered.json["items"]]
    path = f"/api/v1/checklist-templates/{code}?unit_id={tenant.station.id}"
    assert client.get(path, headers=tenant.headers("officer")).status_code == 404
    resp = client.post("/api/v1/checklists", headers=tenant.headers("officer"), json={
        "template": code, "unit_id": tenant.station.id, "inspector": "张三", "inspected_on": "2024-09-30",
        "target_name": "大厅"})  # fmt: skip
    assert resp.status_code == 422
    assert "template" in resp.json["errors"]["json"]


def _unit(snap):
    from core.tenancy.models import Unit

    return db.session.get(Unit, snap.id)


# --- Excel --------------------------------------------------------------------------------------------------


def test_blank_form_filled_in_excel_imports_as_a_draft(client, tenant, sample):
    resp = client.get(f"/api/v1/checklist-templates/{SAMPLE.code}/blank.xlsx", headers=tenant.headers("officer"))
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    ws = wb["检查清单"]
    assert ws["A1"].value == SAMPLE.title
    rows = {ws.cell(row=r, column=2).value: r for r in range(12, 12 + len(SAMPLE.items))}
    assert list(rows) == ["q1", "q2", "q3", "q4", "q5", "q6"]
    ws["C5"], ws["C6"], ws["C7"], ws["C8"] = tenant.station.name, "王五", "2024-10-08", "城关所大厅"
    answers = {"q1": "否", "q2": "遗漏", "q3": 15, "q4": 0, "q5": "无"}
    for code, value in answers.items():
        ws.cell(row=rows[code], column=10, value=value)
    out = io.BytesIO()
    wb.save(out)
    resp = client.post("/api/v1/checklists/import", data={"file": (io.BytesIO(out.getvalue()), "填好的.xlsx")},
                       headers=tenant.headers("officer"))  # fmt: skip
    assert resp.status_code == 201, resp.json
    draft = resp.json
    assert draft["status"] == "draft"
    assert draft["inspector"] == "王五"
    assert draft["unit_id"] == tenant.station.id
    assert draft["answers"] == {"q1": "no", "q2": "遗漏", "q3": 15, "q4": 0, "q5": ["无"]}
    assert submit(client, tenant, draft["id"]).status_code == 200
    # The filed form has the answers, the score and the problems.
    filed = client.get(f"/api/v1/checklists/{draft['id']}/export.xlsx", headers=tenant.headers("officer"))
    ws = load_workbook(io.BytesIO(filed.data))["检查清单"]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "否" in values
    assert "已提交" in values
    assert "25 / 40" in values


def test_import_errors_name_row_and_column_and_write_nothing(client, tenant, sample):
    resp = client.get(f"/api/v1/checklist-templates/{SAMPLE.code}/blank.xlsx", headers=tenant.headers("officer"))
    wb = load_workbook(io.BytesIO(resp.data))
    ws = wb["检查清单"]
    ws["C5"], ws["C6"], ws["C7"], ws["C8"] = "没有这个单位", "王五", "2024-13-01", "大厅"
    ws.cell(row=12, column=10, value="可能")
    out = io.BytesIO()
    wb.save(out)
    resp = client.post("/api/v1/checklists/import", data={"file": (io.BytesIO(out.getvalue()), "x.xlsx")},
                       headers=tenant.headers("officer"))  # fmt: skip
    assert resp.status_code == 422
    errors = resp.json["errors"]["rows"]
    assert {(e["row"], e["column"]) for e in errors} == {(5, "被检查单位"), (7, "检查日期"), (12, "回答")}
    assert client.get("/api/v1/checklists", headers=tenant.headers("officer")).json["items"] == []
    resp = client.post("/api/v1/checklists/import", data={"file": (io.BytesIO(PNG), "x.xlsx")},
                       headers=tenant.headers("officer"))  # fmt: skip
    assert resp.status_code == 422
    assert "file" in resp.json["errors"]["json"]


def test_hook_xingfeng_register_checklists(client, tenant, app, temporary_plugin):
    from core import hookimpl

    class Metrology:
        @hookimpl
        def xingfeng_register_checklists(self):
            return [replace(SAMPLE, code="test.from_plugin", title="插件清单")]

    temporary_plugin(Metrology(), "test-checklists")
    app.extensions.pop("xingfeng_checklists", None)
    try:
        offered = client.get("/api/v1/checklist-templates", headers=tenant.headers("officer")).json["items"]
        assert "test.from_plugin" in [t["code"] for t in offered]
    finally:
        app.extensions.pop("xingfeng_checklists", None)


def test_hook_xingfeng_register_pages(app, client, tenant):
    from .test_checklist_pages import log_in

    registry = app.extensions["xingfeng"]
    assert registry.pages, "the bundled plugins register their pages"
    pages = next(iter(registry.pages.values()))
    label, path = pages.nav[0]
    log_in(client, f"{tenant.slug}.officer")
    assert f'href="{path}"' in client.get("/checklists").get_data(as_text=True)
    assert client.get(path).status_code == 200
    # Switched off at the officer's unit: no menu entry, and the page does not exist there.
    with tenant_scope(tenant.tenant.id):
        set_unit_domain(_unit(tenant.station), pages.domain, False)
        db.session.commit()
    assert f'href="{path}"' not in client.get("/checklists").get_data(as_text=True)
    assert client.get(path).status_code == 404


def _submitted_with_evidence(client, world):
    """A checklist whose failing score item (q3, the third) has its evidence: returns (checklist, its q3 problem)."""
    cid = begin(client, world, answers={"q1": "yes", "q3": 10, "q4": 0, "q5": ["无"]}).json["id"]
    up = client.post(
        f"/api/v1/checklists/{cid}/evidence",
        data={"item_code": "q3", "file": (io.BytesIO(PNG), "现场照片.png")},
        headers=world.headers("officer"),
    )
    assert up.status_code == 201, up.json
    body = submit(client, world, cid).json
    (finding,) = body["findings"]
    return body, finding["problem_id"]


def test_a_problem_from_a_failing_answer_links_to_its_checklist_and_carries_its_evidence(client, tenant, sample):
    checklist, problem_id = _submitted_with_evidence(client, tenant)
    problem = client.get(f"/api/v1/problems/{problem_id}", headers=tenant.headers("officer")).json
    assert (problem["source_checklist_id"], problem["source_item"]) == (checklist["id"], "q3")
    (attachment,) = problem["attachments"]
    assert attachment["filename"] == "现场照片.png"
    assert attachment["size"] == len(PNG)
    url = f"/api/v1/problems/{problem_id}/attachments/{attachment['id']}"
    with client.get(url, headers=tenant.headers("officer")) as download:
        assert download.status_code == 200
        assert download.data == PNG
    history = client.get(f"/api/v1/problems/{problem_id}/history", headers=tenant.headers("officer")).json["items"]
    added = [e for e in history if e["kind"] == "ledger.evidence_added"]
    assert [e["data"]["from"] for e in added] == [f"checklist:{checklist['id']}:q3"]
    # In the list too, and the link is read-only: nobody writes it through the API.
    listed = client.get("/api/v1/problems", headers=tenant.headers("officer")).json["items"]
    assert {p["id"]: p["source_checklist_id"] for p in listed}[problem_id] == checklist["id"]
    etag = client.get(f"/api/v1/problems/{problem_id}", headers=tenant.headers("officer")).headers["ETag"]
    refused = client.patch(
        f"/api/v1/problems/{problem_id}",
        json={"source_checklist_id": 1, "source_item": "q1"},
        headers={**tenant.headers("officer"), "If-Match": etag},
    )
    assert refused.status_code == 422
    made = client.post(
        "/api/v1/problems",
        json=problem_body(tenant, source_checklist_id=checklist["id"], source_item="q3"),
        headers=tenant.headers("officer"),
    )
    assert made.status_code == 422


def test_a_problem_not_from_a_checklist_has_no_link(client, tenant, sample):
    problem = post_problem(client, tenant).json
    assert (problem["source_checklist_id"], problem["source_item"]) == (None, None)


def test_another_tenant_sees_neither_the_problem_nor_its_copied_evidence(client, tenant, other_tenant, sample):
    _checklist, problem_id = _submitted_with_evidence(client, tenant)
    problem = client.get(f"/api/v1/problems/{problem_id}", headers=tenant.headers("officer")).json
    attachment_id = problem["attachments"][0]["id"]
    assert client.get(f"/api/v1/problems/{problem_id}", headers=other_tenant.headers("officer")).status_code == 404
    other = client.get(
        f"/api/v1/problems/{problem_id}/attachments/{attachment_id}", headers=other_tenant.headers("officer")
    )
    assert other.status_code == 404


def test_the_filled_workbook_imports_back_with_the_same_answers(client, tenant, sample):
    # Issue 22, item 6: every answer type, the multiple choice exported joined by 、 included.
    answers = {"q1": "no", "q2": "拒不公示", "q3": 11.5, "q4": 2, "q5": ["推诿", "刁难"], "q6": "窗口人员说明了情况"}
    draft = begin(client, tenant, answers=answers)
    assert draft.status_code == 201, draft.json
    exported = client.get(f"/api/v1/checklists/{draft.json['id']}/export.xlsx", headers=tenant.headers("officer"))
    assert exported.status_code == 200
    ws = load_workbook(io.BytesIO(exported.data))["检查清单"]
    assert "推诿、刁难" in [c.value for row in ws.iter_rows() for c in row]
    again = client.post(
        "/api/v1/checklists/import",
        data={"file": (io.BytesIO(exported.data), "导出的检查清单.xlsx")},
        headers=tenant.headers("officer"),
    )
    assert again.status_code == 201, again.json
    assert again.json["answers"] == answers
    assert again.json["unit_id"] == tenant.station.id
