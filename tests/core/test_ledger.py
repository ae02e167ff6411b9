"""The ledger: recording, the lifecycle table, deadlines in working days, lights, concurrency, lists and audit."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest
import time_machine
from fixtures.data import refresh_tokens
from fixtures.ledger import PNG, act, current_etag, post_problem, problem_body, upload

from core.ledger.models import Problem
from core.platform.calendar import SHANGHAI
from core.platform.db import db, tenant_scope


def body(world, **overrides):
    return problem_body(world, **overrides)


def create(client, world, role="officer", prefix="", **overrides):
    return post_problem(client, world, role, prefix, **overrides)


def test_record_numbers_per_tenant_and_phase(client, clock, tenant, other_tenant):
    first = create(client, tenant).json
    second = create(client, tenant).json
    other = create(client, other_tenant).json
    assert first["number"] == "ALPH-2024-0001"
    assert second["number"] == "ALPH-2024-0002"
    assert other["number"] == "BETA-2024-0001"
    assert first["status"] == "registered"
    assert first["status_name"] == "待交办"
    assert first["phase"] == "2024"
    assert first["phase_name"] == "深化拓展"
    assert first["light"] == "green"
    assert first["allowed_moves"] == ["assign", "dismiss"]


def test_phase_after_the_last_is_routine_not_an_error(client, tenant):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        resp = create(client, tenant, deadline="2026-04-30")
    assert resp.json["phase"] == "normal"
    assert resp.json["phase_name"] == "常态化"


def test_full_lifecycle_with_evidence_return_and_close(client, clock, tenant):
    p = create(client, tenant).json
    pid = p["id"]
    # 交办 by the level above (the bureau); the station signs for it.
    resp = act(client, tenant, "tenant_admin", pid, "assign", current_etag(client, tenant, pid))
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "rectifying"
    resp = act(client, tenant, "officer", pid, "sign", resp.headers["ETag"])
    assert resp.status_code == 200, resp.json
    # Submitting needs a progress note and evidence.
    refused = act(client, tenant, "officer", pid, "submit", resp.headers["ETag"])
    assert refused.status_code == 409
    assert set(refused.json["errors"]["json"]) == {"progress_note", "evidence"}
    note = client.post(
        f"/api/v1/problems/{pid}/notes", json={"text": "已约谈当事人并组织培训"}, headers=tenant.headers("officer")
    )
    assert note.status_code == 201
    up = upload(client, tenant, pid)
    assert up.status_code == 201, up.json
    assert up.json["kind"] == "png"
    resp = act(client, tenant, "officer", pid, "submit", current_etag(client, tenant, pid))
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "submitted"
    # 退回 needs a reason; the reviewer of the bureau returns it.
    no_reason = act(client, tenant, "reviewer", pid, "return", resp.headers["ETag"])
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json["errors"]["json"]
    resp = act(client, tenant, "reviewer", pid, "return", resp.headers["ETag"], reason="佐证材料不足，请补充培训签到表")
    assert resp.status_code == 200
    assert resp.json["status"] == "rectifying"
    assert resp.json["return_count"] == 1
    # Resubmitting needs something new since the return (issue 13, item 5).
    unchanged = act(client, tenant, "officer", pid, "submit", resp.headers["ETag"])
    assert unchanged.status_code == 422, unchanged.json
    assert unchanged.json["errors"]["json"] == {"progress_note": ["退回后重新提交须补充新的整改说明或佐证材料"]}
    assert upload(client, tenant, pid, name="培训签到表.png").status_code == 201
    resp = act(client, tenant, "officer", pid, "submit", resp.headers["ETag"])
    assert resp.json["status"] == "submitted"
    # 销号 by a reviewer above, with an opinion.
    resp = act(client, tenant, "reviewer", pid, "close", resp.headers["ETag"], opinion="整改到位，同意销号")
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "closed"
    assert resp.json["closed_late"] is False
    assert resp.json["light"] is None
    history = client.get(f"/api/v1/problems/{pid}/history", headers=tenant.headers("viewer")).json["items"]
    assert [e["kind"] for e in history] == [
        "ledger.created", "ledger.assigned", "ledger.signed", "ledger.note_added", "ledger.evidence_added",
        "ledger.submitted", "ledger.returned", "ledger.evidence_added", "ledger.submitted", "ledger.closed",
    ]  # fmt: skip
    assert [e["label"] for e in history] == [
        "登记", "交办", "签收", "填写整改进展", "上传佐证材料", "提交验收", "退回", "上传佐证材料", "提交验收", "销号",
    ]  # fmt: skip
    assert history[-1]["actor_name"] == "alpha.reviewer"
    assert history[-1]["data"]["from"] == "submitted"
    # A closed problem never reopens.
    again = act(client, tenant, "officer", pid, "submit", resp.headers["ETag"])
    assert again.status_code == 409
    assert again.json["current"] == "closed"
    assert again.json["allowed"] == []


def test_refused_moves_name_the_state_and_the_allowed_moves(client, clock, tenant):
    p = create(client, tenant)
    resp = act(client, tenant, "reviewer", p.json["id"], "close", p.headers["ETag"], opinion="好")
    assert resp.status_code == 409
    assert resp.json["current"] == "registered"
    assert resp.json["allowed"] == ["assign", "dismiss"]
    unknown = act(client, tenant, "reviewer", p.json["id"], "teleport", p.headers["ETag"])
    assert unknown.status_code == 404  # the lifecycle has no such move: named in Chinese, the URL's word not echoed
    assert unknown.json["message"] == "没有这个办理操作；问题当前可办理：交办、不予立项"
    assert "teleport" not in unknown.json["message"]


def test_a_finished_problem_says_its_state_once(client, clock, tenant):
    """Not 问题已已销号 / 问题已不予立项: the state's own name, in 「」."""
    p = create(client, tenant)
    done = act(client, tenant, "tenant_admin", p.json["id"], "dismiss", p.headers["ETag"], reason="经核查反映不实")
    url = f"/api/v1/problems/{p.json['id']}"
    h = {**tenant.headers("officer"), "If-Match": done.headers["ETag"]}
    edit = client.patch(url, json={"measures": "新措施"}, headers=h)
    assert edit.status_code == 409
    assert edit.json["message"] == "问题当前为「不予立项」，不能再修改"
    note = client.post(f"{url}/notes", json={"text": "补充说明"}, headers=tenant.headers("officer"))
    assert note.status_code == 409
    assert note.json["message"] == "问题当前为「不予立项」，不能再办理"


def test_who_may_move(client, clock, tenant):
    p = create(client, tenant)
    pid = p.json["id"]
    # The station cannot assign its own problem; the bureau can.
    assert act(client, tenant, "officer", pid, "assign", p.headers["ETag"]).status_code == 403
    resp = act(client, tenant, "tenant_admin", pid, "assign", p.headers["ETag"])
    # Only the responsible unit signs.
    assert act(client, tenant, "tenant_admin", pid, "sign", resp.headers["ETag"]).status_code == 403
    resp = act(client, tenant, "officer", pid, "sign", resp.headers["ETag"])
    client.post(f"/api/v1/problems/{pid}/notes", json={"text": "已整改"}, headers=tenant.headers("officer"))
    upload(client, tenant, pid)
    resp = act(client, tenant, "officer", pid, "submit", current_etag(client, tenant, pid))
    # The submitter's own unit cannot close; a viewer cannot move anything.
    assert act(client, tenant, "officer", pid, "close", resp.headers["ETag"], opinion="好").status_code == 403
    assert act(client, tenant, "viewer", pid, "close", resp.headers["ETag"], opinion="好").status_code == 403


def test_city_assigned_problems_are_closed_by_the_city_only(client, clock, tenant, city):
    h = city.headers("city_supervisor")
    resp = client.post("/api/v1/tenants/alpha/problems", json=body(tenant, source="inspection_tour"), headers=h)
    assert resp.status_code == 201, resp.json
    assert resp.json["city_assigned"] is True
    pid = resp.json["id"]
    resp = client.post(
        f"/api/v1/tenants/alpha/problems/{pid}/actions/assign", json={}, headers={**h, "If-Match": resp.headers["ETag"]}
    )
    assert resp.status_code == 200
    act(client, tenant, "officer", pid, "sign", resp.headers["ETag"])
    client.post(f"/api/v1/problems/{pid}/notes", json={"text": "已整改"}, headers=tenant.headers("officer"))
    upload(client, tenant, pid)
    resp = act(client, tenant, "officer", pid, "submit", current_etag(client, tenant, pid))
    assert act(client, tenant, "reviewer", pid, "close", resp.headers["ETag"], opinion="同意").status_code == 403
    resp = client.post(
        f"/api/v1/tenants/alpha/problems/{pid}/actions/close",
        json={"opinion": "市局验收通过"},
        headers={**h, "If-Match": resp.headers["ETag"]},
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "closed"


def test_dismiss_needs_a_reason(client, clock, tenant):
    p = create(client, tenant)
    resp = act(client, tenant, "tenant_admin", p.json["id"], "dismiss", p.headers["ETag"])
    assert resp.status_code == 422
    resp = act(client, tenant, "tenant_admin", p.json["id"], "dismiss", p.headers["ETag"], reason="经核查反映不实")
    assert resp.json["status"] == "dismissed"
    assert resp.json["dismissed_reason"] == "经核查反映不实"


def test_ongoing_needs_a_future_review_date_and_goes_back_to_submitted(client, clock, tenant):
    p = create(client, tenant, rectification_type="long_term", deadline=None)
    pid = p.json["id"]
    resp = act(client, tenant, "tenant_admin", pid, "assign", p.headers["ETag"])
    past = act(client, tenant, "tenant_admin", pid, "ongoing", resp.headers["ETag"], next_review_on="2024-09-01")
    assert past.status_code == 422
    resp = act(client, tenant, "tenant_admin", pid, "ongoing", resp.headers["ETag"], next_review_on="2024-12-31")
    assert resp.json["status"] == "ongoing"
    assert resp.json["allowed_moves"] == ["sign", "submit"]


def test_deadline_in_working_days_counts_holidays_and_adjusted_weekends(client, clock, tenant):
    p = create(client, tenant, deadline=None, deadline_working_days=5)
    resp = act(client, tenant, "tenant_admin", p.json["id"], "assign", p.headers["ETag"])
    # From Mon 30 Sep 2024: 1-7 Oct are off; 8, 9, 10, 11 Oct and Saturday 12 Oct (a working day) make five.
    assert resp.json["deadline"] == "2024-10-12"
    assert resp.json["deadline_provisional"] is False


def test_provisional_calendar_until_the_city_loads_the_year(client, tenant, city):
    uncovered = next(y for y in range(2027, 2100) if not _covered(y))
    with time_machine.travel(datetime(uncovered, 1, 4, 9, 0, tzinfo=SHANGHAI), tick=False):
        refresh_tokens(tenant)
        refresh_tokens(city)
        p = create(client, tenant, deadline=None, deadline_working_days=3)
        resp = act(client, tenant, "tenant_admin", p.json["id"], "assign", p.headers["ETag"])
        assert resp.json["deadline_provisional"] is True
        assert resp.json["deadline"] == f"{uncovered}-01-07"  # weekdays only: Tue, Wed, Thu
        # The city loads the year's list: 5 and 6 January off, Sunday 10 January worked (an invented year).
        load = client.put(
            f"/api/v1/calendar/{uncovered}",
            json={
                "holidays": [f"{uncovered}-01-05", f"{uncovered}-01-06"],
                "workdays": [],
                "source": f"国务院办公厅关于{uncovered}年部分节假日安排的通知",
            },
            headers=city.headers("city_admin"),
        )
        assert load.status_code == 200, load.json
        assert load.json["recomputed"] == 1
        after = client.get(f"/api/v1/problems/{p.json['id']}", headers=tenant.headers("officer")).json
    assert after["deadline_provisional"] is False
    assert after["deadline"] == f"{uncovered}-01-11"  # Jan 7, 8 and then Monday 11
    kinds = [
        e["kind"]
        for e in client.get(f"/api/v1/problems/{p.json['id']}/history", headers=tenant.headers("officer")).json["items"]
    ]
    assert kinds[-1] == "ledger.deadline_recomputed"


def _covered(year):
    from core.platform.calendar import WorkCalendar

    return WorkCalendar().covers(year)


def test_lights_and_counts(client, clock, tenant):
    create(client, tenant, deadline="2024-09-29", title="已逾期")  # red
    create(client, tenant, deadline="2024-10-08", title="三个工作日内")  # yellow: Oct 8 is the 1st working day
    create(client, tenant, deadline="2024-11-30", title="时间充裕")  # green
    items = client.get("/api/v1/problems", headers=tenant.headers("officer")).json["items"]
    assert {i["title"]: i["light"] for i in items} == {"已逾期": "red", "三个工作日内": "yellow", "时间充裕": "green"}
    reds = client.get("/api/v1/problems?light=red", headers=tenant.headers("officer")).json["items"]
    assert [i["title"] for i in reds] == ["已逾期"]
    counts = client.get("/api/v1/problems/counts", headers=tenant.headers("officer")).json
    assert counts["light"] == {"red": 1, "yellow": 1, "green": 1}
    assert counts["status"] == {"registered": 3}
    assert counts["total"] == 3


def test_yellow_days_are_set_per_tenant(client, clock, tenant):
    create(client, tenant, deadline="2024-10-11", title="四个工作日")
    h = tenant.headers("tenant_admin")
    assert client.get("/api/v1/problems", headers=h).json["items"][0]["light"] == "green"
    assert client.put("/api/v1/ledger/settings", json={"yellow_days": 5}, headers=h).status_code == 200
    assert client.get("/api/v1/problems", headers=h).json["items"][0]["light"] == "yellow"
    assert (
        client.put("/api/v1/ledger/settings", json={"yellow_days": 5}, headers=tenant.headers("officer")).status_code
        == 403
    )


def test_list_filters_subtree_text_and_keyset_pages(client, clock, tenant):
    for i in range(5):
        create(client, tenant, title=f"问题{i}", deadline=f"2024-11-{10 + i:02d}")
    create(
        client,
        tenant,
        title="乱收费问题",
        description="违规收取资料费",
        unit_id=tenant.substation.id,
        deadline="2024-11-01",
    )
    h = tenant.headers("tenant_admin")
    found = client.get("/api/v1/problems?q=收取资料", headers=h).json["items"]
    assert [p["title"] for p in found] == ["乱收费问题"]
    below = client.get(f"/api/v1/problems?unit_id={tenant.substation.id}", headers=h).json["items"]
    assert len(below) == 1
    subtree = client.get(f"/api/v1/problems?unit_id={tenant.station.id}", headers=h).json["items"]
    assert len(subtree) == 6
    seen, cursor = [], None
    while True:
        url = "/api/v1/problems?limit=4" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=h).json
        seen += [p["deadline"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(seen)
    assert len(seen) == 6
    by_number = client.get("/api/v1/problems?sort=number&limit=2", headers=h).json
    assert [p["number"] for p in by_number["items"]] == ["ALPH-2024-0001", "ALPH-2024-0002"]
    bad = client.get("/api/v1/problems?status=flying", headers=h)
    assert bad.status_code == 422
    assert "status" in bad.json["errors"]["query"]


def test_officers_see_their_unit_and_below(client, clock, tenant):
    create(client, tenant, role="tenant_admin", unit_id=tenant.agency.id, title="检测所的问题")
    create(client, tenant, title="城关所的问题")
    titles = [p["title"] for p in client.get("/api/v1/problems", headers=tenant.headers("officer")).json["items"]]
    assert titles == ["城关所的问题"]
    agency_problem = client.get("/api/v1/problems?q=检测所", headers=tenant.headers("tenant_admin")).json["items"][0]
    assert client.get(f"/api/v1/problems/{agency_problem['id']}", headers=tenant.headers("officer")).status_code == 404


def test_officer_records_only_for_its_unit_and_below(client, clock, tenant):
    resp = client.post(
        "/api/v1/problems", json=body(tenant, unit_id=tenant.agency.id), headers=tenant.headers("officer")
    )
    assert resp.status_code == 403
    assert "unit_id" in resp.json["errors"]["json"]
    assert client.post("/api/v1/problems", json=body(tenant), headers=tenant.headers("viewer")).status_code == 403


def test_domain_must_be_enabled_and_category_known(client, clock, tenant):
    h = tenant.headers("tenant_admin")
    client.put(f"/api/v1/units/{tenant.station.id}/plugins/supervision", json={"enabled": False}, headers=h)
    resp = client.post(
        "/api/v1/problems", json=body(tenant, domain="supervision", category="arbitrary_fees"), headers=h
    )
    assert resp.status_code == 422
    assert "domain" in resp.json["errors"]["json"]
    resp = client.post("/api/v1/problems", json=body(tenant, category="no_such"), headers=h)
    assert resp.status_code == 422
    assert "category" in resp.json["errors"]["json"]


def test_custom_fields_are_validated_by_the_domain_schema(client, clock, tenant):
    h = tenant.headers("tenant_admin")
    domain = next(d for d in client.get("/api/v1/domains", headers=h).json["items"] if d["slug"] == "supervision")
    category = domain["categories"][0]["code"]
    bad = client.post(
        "/api/v1/problems",
        json=body(tenant, domain="supervision", category=category, custom_fields={"credit_code": "914403001922038217"}),
        headers=h,
    )
    assert bad.status_code == 422
    assert "custom_fields.credit_code" in bad.json["errors"]["json"]
    good = client.post(
        "/api/v1/problems",
        json=body(tenant, domain="supervision", category=category, custom_fields={"credit_code": "914403001922038216"}),
        headers=h,
    )
    assert good.status_code == 201, good.json
    assert good.json["custom_fields"]["credit_code"] == "914403001922038216"


def test_local_fields_are_versioned(client, clock, tenant):
    h = tenant.headers("tenant_admin")
    v1 = {"fields": [{"code": "hotline_no", "label": "热线工单号", "type": "text", "required": True}]}
    assert client.put("/api/v1/ledger/local-fields", json=v1, headers=h).json["version"] == 1
    missing = client.post("/api/v1/problems", json=body(tenant), headers=h)
    assert missing.status_code == 422
    assert "local_fields.hotline_no" in missing.json["errors"]["json"]
    old = client.post("/api/v1/problems", json=body(tenant, local_fields={"hotline_no": "12315-001"}), headers=h)
    assert old.status_code == 201
    v2 = {"fields": [{"code": "level", "label": "等级", "type": "choice", "choices": ["一级", "二级"]}]}
    assert client.put("/api/v1/ledger/local-fields", json=v2, headers=h).json["version"] == 2
    reread = client.get(f"/api/v1/problems/{old.json['id']}", headers=h).json
    assert reread["local_fields"] == {"hotline_no": "12315-001"}
    assert reread["local_fields_version"] == 1
    with tenant_scope(tenant.tenant.id):
        from core.ledger.fields import validate

        assert validate({"hotline_no": "x"}, at_version=1)[1] == 1
    assert client.put("/api/v1/ledger/local-fields", json=v2, headers=tenant.headers("officer")).status_code == 403


def test_if_match_is_required_and_stale_versions_refused(client, clock, tenant):
    p = create(client, tenant)
    url = f"/api/v1/problems/{p.json['id']}"
    h = tenant.headers("officer")
    assert client.patch(url, json={"measures": "新措施"}, headers=h).status_code == 428
    ok = client.patch(url, json={"measures": "新措施"}, headers={**h, "If-Match": p.headers["ETag"]})
    assert ok.status_code == 200
    assert ok.json["version"] == 2
    stale = client.patch(url, json={"measures": "另一个措施"}, headers={**h, "If-Match": p.headers["ETag"]})
    assert stale.status_code == 412
    assert client.get(url, headers=h).json["measures"] == "新措施"
    history = client.get(f"{url}/history", headers=h).json["items"]
    assert history[-1]["data"]["changes"] == {"measures": ["约谈当事人，开展服务规范培训", "新措施"]}


def test_extension_approved_replaces_the_deadline_for_on_time(client, clock, tenant):
    p = create(client, tenant, deadline="2024-10-10")
    pid = p.json["id"]
    resp = act(client, tenant, "tenant_admin", pid, "assign", p.headers["ETag"])
    act(client, tenant, "officer", pid, "sign", resp.headers["ETag"])
    ext = client.post(
        f"/api/v1/problems/{pid}/extensions",
        json={"new_deadline": "2024-10-25", "reason": "需等待设备采购"},
        headers=tenant.headers("officer"),
    )
    assert ext.status_code == 201, ext.json
    wrong = client.post(
        f"/api/v1/problems/{pid}/extensions/{ext.json['id']}/decision",
        json={"approve": True},
        headers=tenant.headers("officer"),
    )
    assert wrong.status_code == 403
    ok = client.post(
        f"/api/v1/problems/{pid}/extensions/{ext.json['id']}/decision",
        json={"approve": True, "note": "同意"},
        headers=tenant.headers("reviewer"),
    )
    assert ok.status_code == 200
    problem = client.get(f"/api/v1/problems/{pid}", headers=tenant.headers("officer")).json
    assert problem["deadline"] == "2024-10-25"
    assert problem["original_deadline"] == "2024-10-10"
    client.post(f"/api/v1/problems/{pid}/notes", json={"text": "设备已到位"}, headers=tenant.headers("officer"))
    upload(client, tenant, pid)
    clock.move_to(datetime(2024, 10, 20, 9, 0, tzinfo=SHANGHAI))
    refresh_tokens(tenant)
    resp = act(client, tenant, "officer", pid, "submit", current_etag(client, tenant, pid))
    resp = act(client, tenant, "reviewer", pid, "close", resp.headers["ETag"], opinion="同意销号")
    assert resp.json["closed_late"] is False


def test_extension_must_be_asked_before_the_deadline(client, clock, tenant):
    p = create(client, tenant, deadline="2024-09-29")
    resp = act(client, tenant, "tenant_admin", p.json["id"], "assign", p.headers["ETag"])
    late = client.post(
        f"/api/v1/problems/{p.json['id']}/extensions",
        json={"new_deadline": "2024-10-25", "reason": "来不及"},
        headers=tenant.headers("officer"),
    )
    assert late.status_code == 409
    assert resp.json["light"] == "red"


def test_closed_late_counts_as_late(client, clock, tenant):
    p = create(client, tenant, deadline="2024-09-29")
    pid = p.json["id"]
    resp = act(client, tenant, "tenant_admin", pid, "assign", p.headers["ETag"])
    act(client, tenant, "officer", pid, "sign", resp.headers["ETag"])
    client.post(f"/api/v1/problems/{pid}/notes", json={"text": "整改完成"}, headers=tenant.headers("officer"))
    upload(client, tenant, pid)
    resp = act(client, tenant, "officer", pid, "submit", current_etag(client, tenant, pid))
    resp = act(client, tenant, "reviewer", pid, "close", resp.headers["ETag"], opinion="同意")
    assert resp.json["closed_late"] is True


def test_referral_is_recorded_without_ending_the_problem(client, clock, tenant):
    p = create(client, tenant)
    resp = client.post(
        f"/api/v1/problems/{p.json['id']}/referrals",
        json={"referred_on": "2024-09-30", "receiving_body": "区纪委监委", "document_number": "东市监〔2024〕12号"},
        headers=tenant.headers("tenant_admin"),
    )
    assert resp.status_code == 201, resp.json
    detail = client.get(f"/api/v1/problems/{p.json['id']}", headers=tenant.headers("tenant_admin")).json
    assert detail["status"] == "registered"
    assert detail["referrals"][0]["receiving_body"] == "区纪委监委"


def test_recurrence_is_a_new_problem_linked_and_counted(client, clock, tenant):
    p = create(client, tenant)
    not_closed = client.post(
        "/api/v1/problems", json=body(tenant, recurrence_of=p.json["id"]), headers=tenant.headers("officer")
    )
    assert not_closed.status_code == 422
    with tenant_scope(tenant.tenant.id):
        db.session.get(Problem, p.json["id"]).status = "closed"
        db.session.commit()
    again = create(client, tenant, recurrence_of=p.json["id"])
    assert again.json["recurrence_of"] == p.json["id"]
    assert client.get(f"/api/v1/problems/{p.json['id']}", headers=tenant.headers("officer")).json["repeats"] == 1


def test_evidence_is_type_checked_and_served_as_attachment(client, clock, tenant, other_tenant):
    p = create(client, tenant)
    html = upload(client, tenant, p.json["id"], data=b"<html><script>alert(1)</script></html>", name="照片.png")
    assert html.status_code == 422
    assert "file" in html.json["errors"]["json"]
    ok = upload(client, tenant, p.json["id"])
    url = f"/api/v1/problems/{p.json['id']}/attachments/{ok.json['id']}"
    with client.get(url, headers=tenant.headers("viewer")) as resp:
        assert resp.status_code == 200
        assert resp.data == PNG
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert client.get(url, headers=other_tenant.headers("tenant_admin")).status_code == 404


def test_evidence_size_limit(make_app, clock, tenant, db):
    app = make_app(EVIDENCE_MAX_BYTES=50)
    client = app.test_client()
    p = create(client, tenant)
    resp = upload(client, tenant, p.json["id"])
    assert resp.status_code == 422
    assert "大小限制" in resp.json["errors"]["json"]["file"][0]


def test_bad_problem_input_writes_nothing(client, clock, tenant):
    h = tenant.headers("officer")
    before = len(client.get("/api/v1/problems", headers=h).json["items"])
    cases = [
        ({"title": "x" * 201}, "title"),
        ({"rectification_type": "someday"}, "rectification_type"),
        ({"deadline": "31/10/2024"}, "deadline"),
        ({"deadline": None}, "deadline"),
        ({"deadline_working_days": 0, "deadline": None}, "deadline_working_days"),
        ({"unit_id": "station"}, "unit_id"),
        ({"colour": "red"}, "colour"),
    ]
    for overrides, field in cases:
        resp = client.post("/api/v1/problems", json=body(tenant, **overrides), headers=h)
        assert resp.status_code == 422, (overrides, resp.json)
        assert field in resp.json["errors"]["json"], (overrides, resp.json)
    assert len(client.get("/api/v1/problems", headers=h).json["items"]) == before
    assert client.get("/api/v1/problems/counts", headers=h).json["total"] == before


def test_list_items_have_the_documented_shape(client, clock, tenant):
    from core.ledger.schemas import ProblemPageSchema, ProblemSchema

    create(client, tenant)
    page = client.get("/api/v1/problems", headers=tenant.headers("officer")).json
    assert ProblemPageSchema().validate(page) == {}
    assert set(page["items"][0]) == set(ProblemSchema().fields)
    single = client.get(f"/api/v1/problems/{page['items'][0]['id']}", headers=tenant.headers("officer")).json
    assert {k: single[k] for k in page["items"][0]} == page["items"][0]


def test_light_window_agrees_with_the_calendar_rule(app, db, tenant):
    """The SQL filters and the list use today's window; it must give the same light as core.platform.calendar.light."""
    from datetime import timedelta

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from core.ledger import query as ledger_query
    from core.ledger.service import Caller
    from core.platform.calendar import WorkCalendar, light

    cal = WorkCalendar()
    caller = Caller(None, SimpleNamespace(settings={"yellow_days": 3}), [])

    @settings(max_examples=300, deadline=None)
    @given(st.dates(date(2024, 1, 1), date(2026, 12, 1)), st.integers(-20, 40), st.integers(0, 6))
    def check(today, offset, days):
        caller.tenant.settings["yellow_days"] = days
        window = ledger_query.light_window(caller, today)
        due = today + timedelta(days=offset)
        by_window = "red" if due < window.today else ("yellow" if due <= window.yellow_until else "green")
        assert by_window == light(due, today, days, cal, True)

    check()


def test_a_change_against_a_stale_copy_is_refused(client, clock, tenant):
    """The row is re-read under lock before the If-Match check, and every UPDATE names the version it read."""
    from sqlalchemy import text
    from sqlalchemy.orm.exc import StaleDataError

    from core.ledger import service

    p = create(client, tenant)
    etag = p.headers["ETag"]
    with tenant_scope(tenant.tenant.id):
        problem = db.session.get(Problem, p.json["id"])
        # Someone else changes the problem after we loaded it.
        db.session.execute(
            text("UPDATE problem SET version = version + 1, title = 'x' WHERE id = :i"), {"i": problem.id}
        )
        with pytest.raises(service.ServiceError) as refused:
            service.check_if_match(problem, etag)
        assert refused.value.status == 412
        # Without the re-read, the UPDATE itself would find the version moved on.
        db.session.expire_all()
        problem = db.session.get(Problem, p.json["id"])
        db.session.execute(text("UPDATE problem SET version = version + 1 WHERE id = :i"), {"i": problem.id})
        problem.title = "lost update"
        with pytest.raises(StaleDataError):
            db.session.flush()
        db.session.rollback()


def test_patching_a_date_deadline_replaces_working_days(client, clock, tenant):
    p = create(client, tenant, deadline=None, deadline_working_days=10)
    h = {**tenant.headers("officer"), "If-Match": p.headers["ETag"]}
    resp = client.patch(f"/api/v1/problems/{p.json['id']}", json={"deadline": "2024-12-31"}, headers=h)
    assert resp.status_code == 200
    assert resp.json["deadline_working_days"] is None
    resp = act(client, tenant, "tenant_admin", p.json["id"], "assign", resp.headers["ETag"])
    assert resp.json["deadline"] == "2024-12-31"


def test_patch_keeps_the_deadline_rule_and_the_unit_rule(client, clock, tenant):
    p = create(client, tenant)
    url = f"/api/v1/problems/{p.json['id']}"
    h = {**tenant.headers("officer"), "If-Match": p.headers["ETag"]}
    assert client.patch(url, json={"deadline": None}, headers=h).status_code == 422
    moved = client.patch(url, json={"unit_id": tenant.agency.id}, headers=h)
    assert moved.status_code == 403
    assert "unit_id" in moved.json["errors"]["json"]


def test_closing_cancels_pending_extensions_and_decisions_need_an_open_problem(client, clock, tenant):
    p = create(client, tenant, deadline="2024-10-10")
    pid = p.json["id"]
    resp = act(client, tenant, "tenant_admin", pid, "assign", p.headers["ETag"])
    act(client, tenant, "officer", pid, "sign", resp.headers["ETag"])
    ext = client.post(
        f"/api/v1/problems/{pid}/extensions",
        json={"new_deadline": "2024-12-31", "reason": "等待设备"},
        headers=tenant.headers("officer"),
    ).json
    client.post(f"/api/v1/problems/{pid}/notes", json={"text": "已整改"}, headers=tenant.headers("officer"))
    upload(client, tenant, pid)
    resp = act(client, tenant, "officer", pid, "submit", current_etag(client, tenant, pid))
    resp = act(client, tenant, "reviewer", pid, "close", resp.headers["ETag"], opinion="同意")
    assert resp.json["status"] == "closed"
    decided = client.post(
        f"/api/v1/problems/{pid}/extensions/{ext['id']}/decision",
        json={"approve": True},
        headers=tenant.headers("reviewer"),
    )
    assert decided.status_code == 409
    detail = client.get(f"/api/v1/problems/{pid}", headers=tenant.headers("officer")).json
    assert detail["extensions"][0]["status"] == "cancelled"
    assert detail["deadline"] == "2024-10-10"


def test_sign_leaves_the_allowed_moves_once_signed(client, clock, tenant):
    p = create(client, tenant)
    resp = act(client, tenant, "tenant_admin", p.json["id"], "assign", p.headers["ETag"])
    assert "sign" in resp.json["allowed_moves"]
    resp = act(client, tenant, "officer", p.json["id"], "sign", resp.headers["ETag"])
    assert resp.json["allowed_moves"] == ["submit", "ongoing"]
    again = act(client, tenant, "officer", p.json["id"], "sign", resp.headers["ETag"])
    assert again.status_code == 409
    assert again.json["current"] == "rectifying"


def test_the_county_bureaus_own_problems_are_assigned_by_the_bureau_itself(client, clock, tenant, city):
    # Nothing in the tenant stands above the top unit: its leadership assigns (issue 13, item 1; every role at
    # every level is in test_ledger_levels).
    p = create(client, tenant, role="tenant_admin", unit_id=tenant.root.id)
    resp = act(client, tenant, "tenant_admin", p.json["id"], "assign", p.headers["ETag"])
    assert resp.status_code == 200, resp.json
    # The city may assign it too.
    p = create(client, tenant, role="tenant_admin", unit_id=tenant.root.id)
    resp = act(client, city, "city_supervisor", p.json["id"], "assign", p.headers["ETag"], prefix="/tenants/alpha")
    assert resp.status_code == 200, resp.json


def test_city_supervisor_closes_only_what_the_city_assigned(client, clock, tenant, city):
    p = create(client, tenant)
    pid = p.json["id"]
    resp = act(client, tenant, "tenant_admin", pid, "assign", p.headers["ETag"])
    act(client, tenant, "officer", pid, "sign", resp.headers["ETag"])
    client.post(f"/api/v1/problems/{pid}/notes", json={"text": "已整改"}, headers=tenant.headers("officer"))
    upload(client, tenant, pid)
    resp = act(client, tenant, "officer", pid, "submit", current_etag(client, tenant, pid))
    refused = act(
        client, city, "city_supervisor", pid, "close", resp.headers["ETag"], prefix="/tenants/alpha", opinion="好"
    )
    assert refused.status_code == 403


def test_tenant_settings_and_local_fields_are_audited(client, clock, tenant):
    from core.audit.models import AuditEvent

    h = tenant.headers("tenant_admin")
    client.put("/api/v1/ledger/settings", json={"yellow_days": 5}, headers=h)
    client.put(
        "/api/v1/ledger/local-fields", json={"fields": [{"code": "no", "label": "号", "type": "text"}]}, headers=h
    )
    with tenant_scope(tenant.tenant.id):
        kinds = [e.kind for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.seq))]
    assert kinds == ["oversight.settings_changed", "ledger.local_fields_defined"]


def test_a_tampered_cursor_is_a_422(client, clock, tenant):
    import base64
    import json as jsonlib

    for raw in ({"s": "deadline", "id": 10**30, "d": None, "n": "x"}, {"s": "deadline", "id": 1, "d": None, "n": 5}):
        cursor = base64.urlsafe_b64encode(jsonlib.dumps(raw).encode()).decode()
        resp = client.get(f"/api/v1/problems?cursor={cursor}", headers=tenant.headers("officer"))
        assert resp.status_code == 422
        assert "cursor" in resp.json["errors"]["json"]
