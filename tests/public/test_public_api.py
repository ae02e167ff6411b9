"""The public channel's API: submitting, tracking, abuse resistance, triage, identity, solicitations, figures."""

from __future__ import annotations

import io
import json
import os
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from fixtures.data import refresh_tokens
from fixtures.ledger import PNG, act, current_etag, post_problem
from fixtures.public import challenge, report_body, report_of, solve, submit
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.auth.models import ROLES
from core.ledger.models import STATUSES as LEDGER_STATUSES
from core.ledger.models import Problem
from core.platform.calendar import SHANGHAI
from core.platform.db import db, tenant_scope
from core.public.models import PublicReport, ReportContact, ReportFile
from core.public.service import HANDLING

CONTACT = "13912345678"
NAME = "张三丰"


def staff(client, world, role, path, method="GET", prefix="", **kwargs):
    return client.open(f"/api/v1{prefix}{path}", method=method, headers=world.headers(role), **kwargs)


def new_report(client, world, **overrides) -> dict:
    resp = submit(client, world.slug, **overrides)
    assert resp.status_code == 201, resp.json
    report_id = _report_id(world, resp.json["tracking_code"])
    return {**resp.json, "id": report_id}


def _report_id(world, code):
    with tenant_scope(world.tenant.id):
        return db.session.scalar(select(PublicReport.id).where(PublicReport.tracking_code == code))


def track(client, code, secret):
    return client.post("/api/v1/public/track", json={"tracking_code": code, "secret": secret})


def all_event_bodies(world) -> str:
    with tenant_scope(world.tenant.id):
        return "\n".join(db.session.scalars(select(AuditEvent.body).order_by(AuditEvent.seq)))


# --- the form's data and the challenge ---------------------------------------------------------------------


def test_a_bureau_page_shows_its_channels_units_and_categories(client, tenant):
    channels = {
        "phone": "0571-12345",
        "mailbox": "jubao@example.cn",
        "address": "城关路1号",
        "reception_days": "每周三",
    }
    assert staff(client, tenant, "tenant_admin", "/public-channels", "PUT", json=channels).status_code == 200
    resp = client.get("/api/v1/public/bureau/alpha")
    assert resp.status_code == 200
    assert resp.json["channels"]["phone"] == "0571-12345"
    assert resp.json["channels"]["reception_days"] == "每周三"
    assert tenant.station.name in [u["name"] for u in resp.json["units"]]
    assert resp.json["categories"]["attitude"]
    assert client.get("/api/v1/public/bureau/nosuch").status_code == 404


def test_channels_are_changed_by_the_tenant_admin_only(client, tenant, other_tenant):
    assert staff(client, tenant, "officer", "/public-channels", "PUT", json={"phone": "1"}).status_code == 403
    resp = staff(client, tenant, "tenant_admin", "/public-channels", "PUT", json={"phone": "1" * 65})
    assert resp.status_code == 422
    assert "phone" in resp.json["errors"]["json"]
    assert staff(client, tenant, "viewer", "/public-channels").json["phone"] == ""
    # Another tenant's channels are not reachable by naming it.
    resp = staff(client, tenant, "tenant_admin", "/public-channels", "PUT", prefix="/tenants/beta", json={"phone": "9"})
    assert resp.status_code == 404


def test_the_challenge_is_a_question_with_a_signed_token(client, db):
    found = challenge(client)
    assert "等于多少" in found["question"]
    assert solve(found["question"]).isdigit()
    assert found["token"]
    assert found["expires_at"]


# --- submitting and tracking -------------------------------------------------------------------------------


def test_anonymous_submission_and_tracking(client, tenant):
    receipt = new_report(client, tenant)
    assert receipt["tracking_code"].startswith("ALPH-")
    assert len(receipt["secret"]) == 19
    with tenant_scope(tenant.tenant.id):
        report = db.session.get(PublicReport, receipt["id"])
        assert report.anonymous is True
        assert db.session.scalar(select(ReportContact).where(ReportContact.report_id == report.id)) is None
    resp = track(client, receipt["tracking_code"], receipt["secret"])
    assert resp.status_code == 200
    assert resp.json["status"] == "received"
    assert resp.json["status_name"] == "待处理"
    assert resp.json["replies"] == []
    assert resp.json["may_rate"] is False
    # Nothing internal: no ids, no triage fields, no unit.
    assert set(resp.json) == {"tracking_code", "tenant_name", "category", "category_name", "status", "status_name",
                              "handling", "handling_status", "received_at", "replies", "rating", "rating_name",
                              "may_rate"}  # fmt: skip
    assert resp.json["handling"] is resp.json["handling_status"] is None
    # The secret is accepted in lower case and without dashes (people type it).
    assert (
        track(client, receipt["tracking_code"].lower(), receipt["secret"].replace("-", "").lower()).status_code == 200
    )


def test_wrong_code_and_wrong_secret_get_the_same_404(client, tenant):
    receipt = new_report(client, tenant)
    wrong_secret = track(client, receipt["tracking_code"], "AAAA-BBBB-CCCC-DDDD")
    wrong_code = track(client, "ALPH-ZZZZZZZZ", receipt["secret"])
    unknown_tenant = track(client, "NOPE-ZZZZZZZZ", receipt["secret"])
    assert wrong_secret.status_code == wrong_code.status_code == unknown_tenant.status_code == 404
    assert wrong_secret.json == wrong_code.json == unknown_tenant.json
    assert track(client, "", "").status_code == 422


def test_submission_with_contact_and_files_keeps_the_contact_apart(client, tenant):
    body = report_body(client, contact=CONTACT, contact_name=NAME)
    data = {**body, "files": [(io.BytesIO(PNG), "现场照片.png"), (io.BytesIO(b"%PDF-1.4\n%%EOF"), "收据.pdf")]}
    resp = client.post("/api/v1/public/bureau/alpha/reports", data=data, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.json
    assert resp.headers["Cache-Control"] == "no-store"
    rid = _report_id(tenant, resp.json["tracking_code"])
    detail = staff(client, tenant, "reviewer", f"/public-reports/{rid}")
    assert detail.status_code == 200
    assert detail.json["anonymous"] is False
    assert [f["filename"] for f in detail.json["files"]] == ["现场照片.png", "收据.pdf"]
    listed = staff(client, tenant, "reviewer", "/public-reports")
    for text in (detail.get_data(as_text=True), listed.get_data(as_text=True), all_event_bodies(tenant)):
        assert CONTACT not in text
        assert NAME not in text
    assert '"hmac_sha256"' in all_event_bodies(tenant)
    file_id = detail.json["files"][0]["id"]
    download = staff(client, tenant, "officer", f"/public-reports/{rid}/files/{file_id}")
    assert download.status_code == 200
    assert download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()


def test_the_city_form_files_the_report_with_the_chosen_county(client, tenant, other_tenant):
    city = client.get("/api/v1/public/city").json
    assert {"alpha", "beta"} <= {c["slug"] for c in city["counties"]}
    body = report_body(client, tenant="beta")
    resp = client.post("/api/v1/public/city/reports", json=body)
    assert resp.status_code == 201, resp.json
    assert resp.json["tracking_code"].startswith("BETA-")
    assert _report_id(other_tenant, resp.json["tracking_code"]) is not None
    assert _report_id(tenant, resp.json["tracking_code"]) is None
    resp = client.post("/api/v1/public/city/reports", json=report_body(client, tenant="nosuch"))
    assert resp.status_code == 422
    assert "tenant" in resp.json["errors"]["json"]
    resp = client.post("/api/v1/public/city/reports", json=report_body(client))
    assert resp.status_code == 422
    assert resp.json["errors"]["json"]["tenant"] == ["必填"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("category", "nosuch"), ("description", "太短"), ("unit_id", 999999), ("concerned", "x" * 201),
     ("occurred", "x" * 101), ("contact", "x" * 201), ("solicitation_id", 999999), ("website", "http://spam")],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_field(client, tenant, field, value):
    resp = submit(client, body=report_body(client, **{field: value}))
    assert resp.status_code == 422, resp.json
    assert field in resp.json["errors"]["json"]


def test_another_tenants_unit_is_not_a_unit_here(client, tenant, other_tenant):
    resp = submit(client, body=report_body(client, unit_id=other_tenant.station.id))
    assert resp.status_code == 422
    assert "unit_id" in resp.json["errors"]["json"]


def test_html_and_script_in_every_text_field_are_stored_as_text(client, tenant):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    fields = ("description", "concerned", "location", "occurred", "contact", "contact_name")
    body = report_body(client, **{f: attack + "举报内容足够长的说明" if f == "description" else attack for f in fields})
    receipt = submit(client, body=body)
    assert receipt.status_code == 201, receipt.json
    rid = _report_id(tenant, receipt.json["tracking_code"])
    detail = staff(client, tenant, "reviewer", f"/public-reports/{rid}").json
    for f in ("description", "concerned", "location", "occurred"):
        assert detail[f].startswith(attack)
    contact = staff(client, tenant, "reviewer", f"/public-reports/{rid}/contact").json
    assert contact == {"name": attack, "contact": attack}


# --- abuse resistance --------------------------------------------------------------------------------------


def test_the_challenge_must_be_answered_right_in_time_once_and_not_too_fast(app, client, tenant, monkeypatch):
    resp = submit(client, body=report_body(client, challenge_answer="9999"))
    assert resp.status_code == 422
    assert "challenge_answer" in resp.json["errors"]["json"]
    resp = submit(client, body=report_body(client, challenge_token="forged.token"))
    assert "challenge_token" in resp.json["errors"]["json"]
    body = report_body(client)
    assert submit(client, body=body).status_code == 201
    again = submit(client, body={**body, "description": body["description"] + "再补充一句"})
    assert again.status_code == 422
    assert "已使用" in again.json["errors"]["json"]["challenge_token"][0]

    monkeypatch.setitem(app.config, "PUBLIC_MIN_FILL_SECONDS", 5)
    start = datetime.now(SHANGHAI)
    with time_machine.travel(start, tick=False) as traveller:
        body = report_body(client)
        fast = submit(client, body=body)
        assert fast.status_code == 422
        assert "过快" in fast.json["errors"]["json"]["challenge_answer"][0]
        traveller.shift(timedelta(seconds=6))
        assert submit(client, body=body).status_code == 201
        body = report_body(client)
        traveller.shift(timedelta(hours=1))
        expired = submit(client, body=body)
        assert expired.status_code == 422
        assert "过期" in expired.json["errors"]["json"]["challenge_token"][0]


def test_an_idempotent_retry_is_stored_once(client, tenant):
    body = report_body(client)
    key = {"Idempotency-Key": "6f1c2f0e-retry-1"}
    first = submit(client, body=body, headers=key)
    second = submit(client, body=body, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert second.headers["Idempotent-Replayed"] == "true"
    with tenant_scope(tenant.tenant.id):
        assert len(db.session.scalars(select(PublicReport.id)).all()) == 1
    other = submit(client, body={**body, "location": "另一个地方"}, headers=key)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json["errors"]["json"]
    # The same key at another bureau is another bureau's business.
    assert track(client, first.json["tracking_code"], first.json["secret"]).status_code == 200


def test_oversized_and_wrong_type_files_are_refused(app, client, tenant, monkeypatch):
    def post(files, **body):
        data = {**report_body(client, **body), "files": files}
        return client.post("/api/v1/public/bureau/alpha/reports", data=data, content_type="multipart/form-data")

    html = post([(io.BytesIO(b"<html><script>alert(1)</script></html>"), "photo.png")])
    assert html.status_code == 422
    assert "files" in html.json["errors"]["json"]
    exe = post([(io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100), "a.jpg")])
    assert exe.status_code == 422
    six = post([(io.BytesIO(PNG), f"{i}.png") for i in range(6)])
    assert six.status_code == 422
    assert "最多" in six.json["errors"]["json"]["files"][0]
    monkeypatch.setitem(app.config, "PUBLIC_FILE_MAX_BYTES", 1024)
    big = post([(io.BytesIO(PNG + b"\x00" * 2048), "big.png")])
    assert big.status_code == 422
    assert "大小" in big.json["errors"]["json"]["files"][0]
    monkeypatch.setitem(app.config, "PUBLIC_MAX_REQUEST_BYTES", 4096)
    huge = post([(io.BytesIO(b"\x00" * 8192), "huge.png")])
    assert huge.status_code == 413
    with tenant_scope(tenant.tenant.id):
        assert db.session.scalars(select(ReportFile.id)).all() == []


def _storages():
    params = [pytest.param("memory://", id="memory")]
    url = os.environ.get("REDIS_URL")
    params.append(
        pytest.param(url or "redis://127.0.0.1:6379/15", id="redis", marks=[pytest.mark.redis]
                     + ([] if url else [pytest.mark.skip(reason="REDIS_URL is not set")]))
    )  # fmt: skip
    return params


def _limited(make_app, storage):
    # REDIS_URL would turn memory:// into Redis (core.platform.config.normalise): the memory case names no Redis at all.
    app = make_app(
        REDIS_URL=storage if storage.startswith("redis") else None,
        RATELIMIT_STORAGE_URI=storage,
        PUBLIC_REPORT_LIMIT_PER_ADDRESS="2 per day",
        PUBLIC_REPORT_LIMIT_PER_TENANT="3 per day",
        PUBLIC_MIN_FILL_SECONDS=0,
    )
    from core.platform.extensions import limiter

    expected = "RedisStorage" if storage.startswith("redis") else "MemoryStorage"
    assert type(limiter.storage).__name__ == expected
    return app


@pytest.mark.parametrize("storage", _storages())
def test_submissions_are_rate_limited_per_address(make_app, db, tenant, storage):
    client = _limited(make_app, storage).test_client()
    same = [submit(client, address="10.1.1.1").status_code for _ in range(3)]
    assert same == [201, 201, 429]
    limited = submit(client, address="10.1.1.1")
    assert limited.status_code == 429
    assert limited.is_json
    assert limited.json["code"] == 429
    assert submit(client, address="10.1.1.2").status_code == 201


@pytest.mark.parametrize("storage", _storages())
def test_submissions_are_rate_limited_per_tenant(make_app, db, tenant, other_tenant, storage):
    client = _limited(make_app, storage).test_client()
    spread = [submit(client, address=f"10.2.2.{i}").status_code for i in range(4)]
    assert spread == [201, 201, 201, 429]
    # Another bureau is not held back by alpha's limit.
    assert submit(client, "beta", address="10.3.3.3").status_code == 201


# --- triage ------------------------------------------------------------------------------------------------


def accept_body(world, **overrides):
    body = {"unit_id": world.station.id, "category": "attitude", "deadline_working_days": 10}
    body.update(overrides)
    return body


def test_an_officer_accepts_a_report_into_the_ledger(client, tenant):
    data = {**report_body(client), "files": [(io.BytesIO(PNG), "现场照片.png")]}
    resp = client.post("/api/v1/public/bureau/alpha/reports", data=data, content_type="multipart/form-data")
    receipt = {**resp.json, "id": _report_id(tenant, resp.json["tracking_code"])}
    path = f"/public-reports/{receipt['id']}/accept"
    assert staff(client, tenant, "viewer", path, "POST", json=accept_body(tenant)).status_code == 403
    assert staff(client, tenant, "tenant_admin", path, "POST", json=accept_body(tenant)).status_code == 403
    bad = staff(client, tenant, "officer", path, "POST", json=accept_body(tenant, category="nosuch"))
    assert bad.status_code == 422
    assert "category" in bad.json["errors"]["json"]
    missing = staff(client, tenant, "officer", path, "POST", json={"category": "attitude"})
    assert missing.json["errors"]["json"]["unit_id"] == ["必填"]
    # The ledger's own rule: a reviewer does not record problems.
    assert staff(client, tenant, "reviewer", path, "POST", json=accept_body(tenant)).status_code == 403
    resp = staff(client, tenant, "officer", path, "POST", json=accept_body(tenant, reply="已交城关所核查整改"))
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "accepted"
    problem = staff(client, tenant, "officer", f"/problems/{resp.json['problem_id']}").json
    assert problem["source"] == "public_report"
    assert receipt["tracking_code"] in problem["description"]
    assert [a["filename"] for a in problem["attachments"]] == ["现场照片.png"]
    again = staff(client, tenant, "officer", path, "POST", json=accept_body(tenant))
    assert again.status_code == 409
    assert again.json["message"] == "该举报当前为「已受理」，不能再分办"  # once 已, not 该举报已已受理
    seen = track(client, receipt["tracking_code"], receipt["secret"]).json
    assert seen["status_name"] == "已受理"
    # The new problem waits to be assigned: the reporter reads what the ledger says (issue 13, item 8).
    assert (seen["handling_status"], seen["handling"]) == ("registered", "待交办")
    assert [r["text"] for r in seen["replies"]] == ["已交城关所核查整改"]
    assert seen["may_rate"] is True


def test_merging_into_an_existing_problem(client, clock, tenant, other_tenant):
    pid = post_problem(client, tenant).json["id"]
    theirs = post_problem(client, other_tenant).json["id"]
    receipt = new_report(client, tenant)
    path = f"/public-reports/{receipt['id']}/merge"
    resp = staff(client, tenant, "reviewer", path, "POST", json={"problem_id": theirs})
    assert resp.status_code == 422
    assert "problem_id" in resp.json["errors"]["json"]
    resp = staff(client, tenant, "reviewer", path, "POST", json={"problem_id": pid})
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "merged"
    assert resp.json["problem_id"] == pid
    history = staff(client, tenant, "officer", f"/problems/{pid}/history").json["items"]
    assert "public.report_merged" in [e["kind"] for e in history]
    seen = track(client, receipt["tracking_code"], receipt["secret"]).json
    assert seen["status"] == "merged"
    assert "并入" in seen["replies"][0]["text"]
    assert staff(client, tenant, "reviewer", path, "POST", json={"problem_id": pid}).status_code == 409


def tracked_page(client, code, secret) -> str:
    """The tracking page (/report-status) as the reporter gets it, code and secret sent through its form."""
    html = client.get("/report-status").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    resp = client.post("/report-status", data={"csrf_token": token, "tracking_code": code, "secret": secret})
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def page_handling(html: str) -> str | None:
    found = re.search(r'data-testid="tracked-handling">([^<]*)<', html)
    return found.group(1) if found else None


def set_problem_status(world, problem_id, status):
    with tenant_scope(world.tenant.id):
        db.session.get(Problem, problem_id).status = status
    db.session.commit()


def test_every_ledger_status_has_a_public_name():
    assert set(HANDLING) == set(LEDGER_STATUSES)
    assert all(HANDLING.values())
    assert len(set(HANDLING.values())) == len(HANDLING)
    # Internal words of the ledger are said plainly to the public.
    assert (HANDLING["submitted"], HANDLING["closed"]) == ("待验收", "已办结")


@pytest.mark.parametrize("status", list(LEDGER_STATUSES))
def test_tracking_follows_the_ledgers_status_of_the_problem(client, tenant, status):
    receipt = new_report(client, tenant)
    resp = staff(client, tenant, "officer", f"/public-reports/{receipt['id']}/accept", "POST", json=accept_body(tenant))
    assert resp.status_code == 200, resp.json
    set_problem_status(tenant, resp.json["problem_id"], status)
    seen = track(client, receipt["tracking_code"], receipt["secret"]).json
    assert seen["status_name"] == "已受理"
    assert (seen["handling_status"], seen["handling"]) == (status, HANDLING[status])
    assert page_handling(tracked_page(client, receipt["tracking_code"], receipt["secret"])) == HANDLING[status]


def test_tracking_follows_the_ledger_through_assignment_and_for_a_merged_report(client, tenant):
    accepted = new_report(client, tenant)
    pid = staff(client, tenant, "officer", f"/public-reports/{accepted['id']}/accept", "POST",
                json=accept_body(tenant)).json["problem_id"]  # fmt: skip
    merged = new_report(client, tenant)
    resp = staff(client, tenant, "officer", f"/public-reports/{merged['id']}/merge", "POST", json={"problem_id": pid})
    assert resp.status_code == 200, resp.json
    for receipt in (accepted, merged):
        assert track(client, receipt["tracking_code"], receipt["secret"]).json["handling"] == "待交办"
        assert page_handling(tracked_page(client, receipt["tracking_code"], receipt["secret"])) == "待交办"
    assert act(client, tenant, "tenant_admin", pid, "assign", current_etag(client, tenant, pid)).status_code == 200
    for receipt in (accepted, merged):
        seen = track(client, receipt["tracking_code"], receipt["secret"]).json
        assert (seen["handling_status"], seen["handling"]) == ("rectifying", "整改中")
        assert page_handling(tracked_page(client, receipt["tracking_code"], receipt["secret"])) == "整改中"


def test_dismissing_tells_the_reporter_why(client, tenant):
    receipt = new_report(client, tenant)
    path = f"/public-reports/{receipt['id']}/dismiss"
    resp = staff(client, tenant, "officer", path, "POST", json={})
    assert resp.status_code == 422
    assert resp.json["errors"]["json"]["reason"] == ["必填"]
    reason = "经核查，反映的窗口当日未开放，所述情况不属实。"
    assert staff(client, tenant, "officer", path, "POST", json={"reason": reason}).status_code == 200
    seen = track(client, receipt["tracking_code"], receipt["secret"]).json
    assert seen["status_name"] == "不予受理"
    assert seen["replies"][0]["text"] == reason
    assert seen["handling"] is None
    assert page_handling(tracked_page(client, receipt["tracking_code"], receipt["secret"])) is None


def test_rating_once_after_a_reply(client, tenant):
    receipt = new_report(client, tenant)
    rate = {"tracking_code": receipt["tracking_code"], "secret": receipt["secret"], "rating": "satisfied"}
    early = client.post("/api/v1/public/track/rating", json=rate)
    assert early.status_code == 409
    staff(client, tenant, "officer", f"/public-reports/{receipt['id']}/dismiss", "POST", json={"reason": "不属实"})
    assert client.post("/api/v1/public/track/rating", json={**rate, "rating": "great"}).status_code == 422
    wrong = client.post("/api/v1/public/track/rating", json={**rate, "secret": "AAAA-AAAA-AAAA-AAAA"})
    assert wrong.status_code == 404
    resp = client.post("/api/v1/public/track/rating", json=rate)
    assert resp.status_code == 200
    assert resp.json["rating_name"] == "满意"
    assert client.post("/api/v1/public/track/rating", json={**rate, "rating": "dissatisfied"}).status_code == 409


def test_a_further_reply_reaches_the_reporter(client, tenant):
    receipt = new_report(client, tenant)
    path = f"/public-reports/{receipt['id']}/replies"
    assert staff(client, tenant, "viewer", path, "POST", json={"text": "x"}).status_code == 403
    assert staff(client, tenant, "officer", path, "POST", json={"text": ""}).status_code == 422
    assert staff(client, tenant, "officer", path, "POST", json={"text": "已转交核查"}).status_code == 201
    assert [r["text"] for r in track(client, receipt["tracking_code"], receipt["secret"]).json["replies"]] == [
        "已转交核查"
    ]


def test_similar_reports_and_problems_are_suggested_for_paraphrased_chinese(client, clock, tenant):
    pid = post_problem(
        client,
        tenant,
        title="城关所窗口工作人员态度恶劣",
        description="群众反映城关所登记窗口工作人员大声呵斥办事群众。",
    ).json["id"]
    post_problem(client, tenant, title="检测报告出具超期", description="食品检验检测报告迟迟未出具，超过承诺时限。")
    first = new_report(
        client, tenant, description="城关所登记窗口的工作人员态度很差，对来办事的群众大声呵斥，让改天再来。"
    )
    paraphrase = new_report(
        client, tenant, description="在城关市场监管所办营业执照时，窗口工作人员对我们办事群众大声呵斥，服务态度恶劣。"
    )
    unrelated = new_report(client, tenant, category="fees", description="某商场停车场收费标准未公示，乱收停车费用。")
    found = staff(client, tenant, "officer", f"/public-reports/{paraphrase['id']}/similar").json["items"]
    labels = {(s["kind"], s["id"]) for s in found}
    assert ("report", first["id"]) in labels
    assert ("problem", pid) in labels
    assert ("report", unrelated["id"]) not in labels
    assert all(0 < s["score"] <= 1 for s in found)
    assert not [s for s in found if s["label"] and "检测" in s["text"]]


# --- who sees the reporter ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_the_tenants_reviewers_read_the_contact_and_each_read_is_audited(client, tenant, city, role):
    receipt = new_report(client, tenant, contact=CONTACT, contact_name=NAME)
    if role.startswith("city_"):
        resp = client.get(f"/api/v1/tenants/alpha/public-reports/{receipt['id']}/contact", headers=city.headers(role))
    else:
        resp = staff(client, tenant, role, f"/public-reports/{receipt['id']}/contact")
    if role != "reviewer":
        assert resp.status_code == 403
        assert "contact_read" not in all_event_bodies(tenant)
        return
    assert resp.status_code == 200
    assert resp.json == {"name": NAME, "contact": CONTACT}
    assert resp.headers["Cache-Control"] == "no-store"
    with tenant_scope(tenant.tenant.id):
        reads = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "public.report_contact_read")).all()
    assert len(reads) == 1
    assert reads[0].actor == f"user:{tenant.users['reviewer'].id}"
    body = json.loads(reads[0].body)["data"]
    assert body["contact"]["hmac_sha256"]
    assert CONTACT not in all_event_bodies(tenant)


def test_the_contact_never_reaches_the_ledger_or_its_export(client, tenant):
    receipt = new_report(client, tenant, contact=CONTACT, contact_name=NAME)
    resp = staff(client, tenant, "officer", f"/public-reports/{receipt['id']}/accept", "POST", json=accept_body(tenant))
    pid = resp.json["problem_id"]
    for path in (f"/problems/{pid}", f"/problems/{pid}/history", "/problems", "/public-reports",
                 f"/public-reports/{receipt['id']}"):  # fmt: skip
        text = staff(client, tenant, "reviewer", path).get_data(as_text=True)
        assert CONTACT not in text
        assert NAME not in text
    export = staff(client, tenant, "reviewer", "/problems/export.csv")
    assert export.status_code == 200
    text = export.get_data(as_text=True)
    export.close()
    assert receipt["tracking_code"] in text  # the accepted problem is in the export …
    assert CONTACT not in text  # … and the reporter is not
    assert NAME not in text
    workbook = staff(client, tenant, "reviewer", "/problems/export.xlsx")
    assert workbook.status_code == 200
    workbook.get_data()
    workbook.close()
    from openpyxl import load_workbook

    cells = [str(c.value) for ws in load_workbook(io.BytesIO(workbook.data)) for row in ws.iter_rows() for c in row]
    assert not [c for c in cells if CONTACT in c or NAME in c]


def test_another_tenants_reports_do_not_exist(client, tenant, other_tenant):
    theirs = report_of(other_tenant)
    for path, method in ((f"/public-reports/{theirs}", "GET"), (f"/public-reports/{theirs}/contact", "GET"),
                         (f"/public-reports/{theirs}/similar", "GET"), (f"/public-reports/{theirs}/accept", "POST"),
                         (f"/public-reports/{theirs}/dismiss", "POST"), (f"/public-reports/{theirs}/merge", "POST"),
                         (f"/public-reports/{theirs}/replies", "POST")):  # fmt: skip
        for role in ("officer", "reviewer", "tenant_admin", "viewer"):
            resp = staff(client, tenant, role, path, method, json={"reason": "x"})
            assert resp.status_code == 404, (path, role, resp.status_code)
            assert "乙局" not in resp.get_data(as_text=True)
    assert staff(client, tenant, "reviewer", "/public-reports").json["items"] == []


def test_the_queue_is_for_staff_only(client, tenant):
    new_report(client, tenant)
    assert client.get("/api/v1/public-reports").status_code == 401
    listed = staff(client, tenant, "viewer", "/public-reports")
    assert listed.status_code == 200
    assert listed.json["total"] == 1
    assert staff(client, tenant, "viewer", "/public-reports?status=nosuch").status_code == 422


# --- solicitations -----------------------------------------------------------------------------------------


def solicitation(**overrides):
    body = {"title": "窗口服务作风问题公开征集", "description": "征集窗口服务中的作风问题线索",
            "starts_on": "2024-09-20", "ends_on": "2024-10-20"}  # fmt: skip
    body.update(overrides)
    return body


def test_a_solicitation_takes_reports_only_inside_its_period(client, clock, tenant):
    assert staff(client, tenant, "officer", "/public-solicitations", "POST", json=solicitation()).status_code == 403
    bad = staff(client, tenant, "tenant_admin", "/public-solicitations", "POST",
                json=solicitation(ends_on="2024-09-01"))  # fmt: skip
    assert bad.status_code == 422
    assert "ends_on" in bad.json["errors"]["json"]
    created = staff(client, tenant, "tenant_admin", "/public-solicitations", "POST", json=solicitation())
    assert created.status_code == 201, created.json
    sid = created.json["id"]
    assert [s["id"] for s in client.get("/api/v1/public/bureau/alpha").json["solicitations"]] == [sid]
    assert submit(client, body=report_body(client, solicitation_id=sid)).status_code == 201
    clock.move_to(datetime(2024, 10, 21, 9, 0, tzinfo=SHANGHAI))
    late = submit(client, body=report_body(client, solicitation_id=sid))
    assert late.status_code == 422
    assert "征集期" in late.json["errors"]["json"]["solicitation_id"][0]
    assert client.get("/api/v1/public/bureau/alpha").json["solicitations"] == []
    clock.move_to(datetime(2024, 9, 19, 9, 0, tzinfo=SHANGHAI))
    early = submit(client, body=report_body(client, solicitation_id=sid))
    assert early.status_code == 422
    listed = staff(client, tenant, "viewer", "/public-solicitations").json["items"]
    assert listed[0]["reports"] == 1
    assert listed[0]["is_open"] is False
    assert staff(client, tenant, "viewer", f"/public-reports?solicitation_id={sid}").json["total"] == 1


def test_the_city_opens_a_solicitation_for_every_county(client, clock, tenant, other_tenant, city):
    resp = client.post(
        "/api/v1/city/public-solicitations", json=solicitation(), headers=city.headers("city_supervisor")
    )
    assert resp.status_code == 201, resp.json
    sid = resp.json["id"]
    assert client.post("/api/v1/city/public-solicitations", json=solicitation(),
                       headers=tenant.headers("tenant_admin")).status_code == 403  # fmt: skip
    for slug in ("alpha", "beta"):
        assert sid in [s["id"] for s in client.get(f"/api/v1/public/bureau/{slug}").json["solicitations"]]
        assert submit(client, slug, body=report_body(client, solicitation_id=sid)).status_code == 201
    assert sid in [s["id"] for s in client.get("/api/v1/public/city").json["solicitations"]]
    counted = client.get("/api/v1/city/public-solicitations", headers=city.headers("city_admin")).json["items"]
    assert [s["reports"] for s in counted if s["id"] == sid] == [2]
    mine = staff(client, tenant, "viewer", f"/public-solicitations/{sid}").json
    assert mine["reports"] == 1
    assert mine["scope"] == "city"
    # A county cannot change the city's solicitation; the city can.
    assert staff(client, tenant, "tenant_admin", f"/public-solicitations/{sid}", "PATCH",
                 json={"title": "改"}).status_code == 403  # fmt: skip
    changed = client.patch(f"/api/v1/city/public-solicitations/{sid}", json={"ends_on": "2024-09-29"},
                           headers=city.headers("city_supervisor"))  # fmt: skip
    assert changed.status_code == 200
    assert changed.json["is_open"] is False


def test_another_tenants_solicitation_does_not_exist_here(client, clock, tenant, other_tenant):
    created = staff(client, other_tenant, "tenant_admin", "/public-solicitations", "POST", json=solicitation())
    sid = created.json["id"]
    assert staff(client, tenant, "viewer", f"/public-solicitations/{sid}").status_code == 404
    assert staff(client, tenant, "tenant_admin", f"/public-solicitations/{sid}", "PATCH",
                 json={"title": "改"}).status_code == 404  # fmt: skip
    resp = submit(client, body=report_body(client, solicitation_id=sid))
    assert resp.status_code == 422
    assert "solicitation_id" in resp.json["errors"]["json"]
    assert sid not in [s["id"] for s in client.get("/api/v1/public/bureau/alpha").json["solicitations"]]


# --- figures -----------------------------------------------------------------------------------------------


def test_statistics_per_category(client, clock, tenant):
    # Monday 30 September 2024; 1–7 October is the National Day holiday, 12 October a working Saturday.
    a = new_report(client, tenant)
    b = new_report(client, tenant)
    c = new_report(client, tenant, category="fees", description="乱收费的问题，收取了没有依据的检测费用。")
    new_report(client, tenant, category="fees", description="另一件乱收费的问题，收费没有公示。")
    clock.move_to(datetime(2024, 10, 8, 10, 0, tzinfo=SHANGHAI))
    refresh_tokens(tenant)
    staff(client, tenant, "officer", f"/public-reports/{a['id']}/accept", "POST", json=accept_body(tenant))
    clock.move_to(datetime(2024, 10, 10, 10, 0, tzinfo=SHANGHAI))
    refresh_tokens(tenant)
    staff(client, tenant, "officer", f"/public-reports/{b['id']}/dismiss", "POST", json={"reason": "不属实"})
    staff(client, tenant, "officer", f"/public-reports/{c['id']}/dismiss", "POST", json={"reason": "不属实"})
    for receipt, rating in ((a, "satisfied"), (b, "dissatisfied"), (c, "basically_satisfied")):
        rated = client.post("/api/v1/public/track/rating",
                            json={"tracking_code": receipt["tracking_code"], "secret": receipt["secret"],
                                  "rating": rating})  # fmt: skip
        assert rated.status_code == 200
    resp = staff(client, tenant, "viewer", "/public-reports/stats")
    assert resp.status_code == 200
    rows = {r["category"]: r for r in resp.json["rows"]}
    attitude, fees, total = rows["attitude"], rows["fees"], resp.json["total"]
    assert (attitude["received"], attitude["accepted"], attitude["dismissed"], attitude["pending"]) == (2, 1, 1, 0)
    # 30 Sep -> 8 Oct is one working day (8 Oct); 30 Sep -> 10 Oct is three: the median of 1 and 3 is 2.
    assert attitude["median_reply_working_days"] == 2.0
    assert attitude["satisfaction_rate"] == 0.5
    assert (fees["received"], fees["dismissed"], fees["pending"], fees["rated"]) == (2, 1, 1, 1)
    assert fees["median_reply_working_days"] == 3.0
    assert fees["satisfaction_rate"] == 1.0
    assert (total["received"], total["accepted"], total["merged"], total["dismissed"]) == (4, 1, 0, 2)
    assert total["satisfaction_rate"] == round(2 / 3, 4)
    later = staff(client, tenant, "viewer", "/public-reports/stats?from=2024-10-01").json
    assert later["total"]["received"] == 0
    bad = staff(client, tenant, "viewer", "/public-reports/stats?from=2024-10-02&to=2024-10-01")
    assert bad.status_code == 422
    assert staff(client, tenant, "viewer", "/public-reports/stats?from=notadate").status_code == 422
    assert staff(client, tenant, "viewer", "/public-reports/stats", prefix="/tenants/beta").status_code == 404


def test_the_demo_channels_are_published_once_and_never_overwrite(client, runner, db):
    from fixtures.data import build_tenant

    world = build_tenant("linjiang")
    result = runner.invoke(args=["public", "demo-channels"])
    assert result.exit_code == 0, result.output
    assert "linjiang: 0576-8403-2315" in result.output
    assert client.get("/api/v1/public/bureau/linjiang").json["channels"]["reception_days"].startswith("每周三")
    changed = {"phone": "0576-1111", "mailbox": "", "address": "", "reception_days": ""}
    assert client.put("/api/v1/public-channels", json=changed, headers=world.headers("tenant_admin")).status_code == 200
    again = runner.invoke(args=["public", "demo-channels"])
    assert "linjiang" not in again.output
    assert client.get("/api/v1/public/bureau/linjiang").json["channels"]["phone"] == "0576-1111"
