"""The public channel's pages without a browser: the forms, the receipt, tracking, triage, settings and figures."""

from __future__ import annotations

import io
import re

from fixtures.data import PASSWORD
from fixtures.ledger import PNG
from fixtures.public import report_of, solve, submit
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.platform.db import db, tenant_scope
from core.public.models import PublicReport

ATTACK = '<script>alert("x")</script>'


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, username):
    html = client.get("/login").get_data(as_text=True)
    found = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    resp = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": found.group(1)})
    assert resp.status_code == 302


def form_fields(html: str) -> dict:
    question = re.search(r'data-testid="challenge-question">([^<]+)<', html).group(1)
    return {
        "csrf_token": csrf(html),
        "challenge_token": re.search(r'name="challenge_token" value="([^"]+)"', html).group(1),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1),
        "challenge_answer": solve(question),
        "website": "",
    }


def fill(client, path="/report/alpha", **values):
    html = client.get(path).get_data(as_text=True)
    data = {
        **form_fields(html),
        "category": "attitude",
        "description": "城关所窗口工作人员态度恶劣，对办事群众大声呵斥。",
        **values,
    }
    return client.post(path, data=data, content_type="multipart/form-data")


def receipt_of(resp) -> tuple[str, str]:
    html = resp.get_data(as_text=True)
    code = re.search(r'data-testid="tracking-code">([^<]+)<', html).group(1)
    secret = re.search(r'data-testid="secret">([^<]+)<', html).group(1)
    return code, secret


def test_the_bureau_form_shows_channels_and_takes_a_report_with_files(client, tenant):
    log_in(client, "alpha.tenant_admin")
    html = client.get("/public-settings").get_data(as_text=True)
    resp = client.post(
        "/public-settings",
        data={"csrf_token": csrf(html), "action": "channels", "phone": "0571-8888", "mailbox": "jb@alpha.cn",
              "address": "城关路1号", "reception_days": "每周三上午"},
    )  # fmt: skip
    assert resp.status_code == 302
    client.post("/logout", data={"csrf_token": csrf(client.get("/public-settings").get_data(as_text=True))})
    page = client.get("/report/alpha")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "0571-8888" in html
    assert "每周三上午" in html
    assert 'name="website"' in html
    assert "http://" not in html
    assert "https://" not in html
    resp = fill(client, files=[(io.BytesIO(PNG), "现场.png")], contact="13900001111", contact_name="李四")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    code, secret = receipt_of(resp)
    assert code.startswith("ALPH-")
    with tenant_scope(tenant.tenant.id):
        report = db.session.scalar(select(PublicReport).where(PublicReport.tracking_code == code))
        assert report.anonymous is False


def test_a_resubmitted_form_is_stored_once(client, tenant):
    html = client.get("/report/alpha").get_data(as_text=True)
    data = {**form_fields(html), "category": "delay", "description": "办事推诿拖延，来回跑了五趟还没办成。"}
    first = client.post("/report/alpha", data=data)
    second = client.post("/report/alpha", data=data)
    assert receipt_of(first) == receipt_of(second)
    with tenant_scope(tenant.tenant.id):
        assert len(db.session.scalars(select(PublicReport.id)).all()) == 1


def test_errors_are_shown_beside_the_fields_and_nothing_is_stored(client, tenant):
    resp = fill(client, description="太短", challenge_answer="999")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'data-testid="error-description"' in html
    assert "城关所窗口工作人员" not in html or "太短" in html
    honeypot = fill(client, website="http://spam.example")
    assert honeypot.status_code == 422
    assert 'data-testid="error-website"' in honeypot.get_data(as_text=True)
    wrong_answer = fill(client, challenge_answer="999")
    assert 'data-testid="error-challenge_answer"' in wrong_answer.get_data(as_text=True)
    html_file = fill(client, files=[(io.BytesIO(b"<html>x</html>"), "a.png")])
    assert 'data-testid="error-files"' in html_file.get_data(as_text=True)
    with tenant_scope(tenant.tenant.id):
        assert db.session.scalars(select(PublicReport.id)).all() == []


def test_the_form_needs_its_csrf_token(client, tenant):
    assert client.post("/report/alpha", data={"category": "attitude"}).status_code == 400


def test_the_city_form_lets_the_reporter_choose_the_county(client, tenant, other_tenant):
    html = client.get("/report").get_data(as_text=True)
    assert 'value="beta"' in html
    missing = fill(client, "/report")
    assert missing.status_code == 422
    assert 'data-testid="error-tenant"' in missing.get_data(as_text=True)
    resp = fill(client, "/report", tenant="beta")
    assert resp.status_code == 200
    assert receipt_of(resp)[0].startswith("BETA-")
    assert client.get("/report/nosuch").status_code == 404


def test_tracking_and_rating_on_the_page(client, tenant):
    code, secret = receipt_of(fill(client))
    html = client.get("/report-status").get_data(as_text=True)
    wrong = client.post("/report-status", data={"csrf_token": csrf(html), "tracking_code": code, "secret": "X"})
    assert wrong.status_code == 404
    assert "查询码或查询密码不正确" in wrong.get_data(as_text=True)
    ok = client.post("/report-status", data={"csrf_token": csrf(html), "tracking_code": code, "secret": secret})
    assert ok.status_code == 200
    assert 'data-testid="tracked-status">待处理<' in ok.get_data(as_text=True)
    assert 'data-testid="rate-form"' not in ok.get_data(as_text=True)
    with tenant_scope(tenant.tenant.id):
        rid = db.session.scalar(select(PublicReport.id).where(PublicReport.tracking_code == code))
    dismissed = client.post(
        f"/api/v1/public-reports/{rid}/dismiss", json={"reason": ATTACK + "不属实"}, headers=tenant.headers("officer")
    )
    assert dismissed.status_code == 200
    page = client.post("/report-status", data={"csrf_token": csrf(html), "tracking_code": code, "secret": secret})
    text = page.get_data(as_text=True)
    assert 'data-testid="rate-form"' in text
    assert ATTACK not in text
    assert "&lt;script&gt;" in text
    rated = client.post(
        "/report-status",
        data={"csrf_token": csrf(html), "tracking_code": code, "secret": secret, "rating": "basically_satisfied"},
    )
    assert rated.status_code == 200
    assert "基本满意" in rated.get_data(as_text=True)
    assert 'data-testid="rate-form"' not in rated.get_data(as_text=True)


def test_html_in_every_field_is_shown_escaped_to_staff(client, tenant):
    fields = {name: ATTACK for name in ("concerned", "location", "occurred", "contact", "contact_name")}
    fill(client, description=ATTACK + "窗口人员态度恶劣大声呵斥群众", **fields)
    with tenant_scope(tenant.tenant.id):
        rid = db.session.scalar(select(PublicReport.id))
    log_in(client, "alpha.reviewer")
    for path in ("/public-reports", f"/public-reports/{rid}"):
        html = client.get(path).get_data(as_text=True)
        assert ATTACK not in html
        assert "&lt;script&gt;" in html
    page = client.get(f"/public-reports/{rid}").get_data(as_text=True)
    shown = client.post(f"/public-reports/{rid}", data={"csrf_token": csrf(page), "action": "contact"})
    assert shown.status_code == 200
    assert ATTACK not in shown.get_data(as_text=True)
    assert 'data-testid="contact"' in shown.get_data(as_text=True)


def test_the_reviewer_sees_the_contact_on_request_and_the_read_is_audited(client, tenant):
    fill(client, contact="13900001111", contact_name="李四")
    with tenant_scope(tenant.tenant.id):
        rid = db.session.scalar(select(PublicReport.id))
    log_in(client, "alpha.officer")
    page = client.get(f"/public-reports/{rid}").get_data(as_text=True)
    assert "13900001111" not in page
    assert 'value="contact"' not in page
    refused = client.post(f"/public-reports/{rid}", data={"csrf_token": csrf(page), "action": "contact"})
    assert refused.status_code == 302
    assert "13900001111" not in client.get(refused.headers["Location"]).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf(page)})
    log_in(client, "alpha.reviewer")
    page = client.get(f"/public-reports/{rid}").get_data(as_text=True)
    assert 'value="contact"' in page
    assert "13900001111" not in page
    shown = client.post(f"/public-reports/{rid}", data={"csrf_token": csrf(page), "action": "contact"})
    assert "13900001111" in shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "no-store"
    with tenant_scope(tenant.tenant.id):
        kinds = db.session.scalars(select(AuditEvent.kind)).all()
    assert kinds.count("public.report_contact_read") == 1


def test_triage_on_the_report_page(client, tenant):
    first = fill(client)
    code, secret = receipt_of(first)
    with tenant_scope(tenant.tenant.id):
        rid = db.session.scalar(select(PublicReport.id))
    log_in(client, "alpha.officer")
    queue = client.get("/public-reports").get_data(as_text=True)
    assert code in queue
    page = client.get(f"/public-reports/{rid}").get_data(as_text=True)
    assert 'data-testid="accept-form"' in page
    resp = client.post(
        f"/public-reports/{rid}",
        data={"csrf_token": csrf(page), "action": "accept", "unit_id": tenant.station.id, "domain": "general",
              "category": "attitude", "title": "窗口人员态度恶劣", "rectification_type": "deadline",
              "deadline_working_days": "10", "reply": "已受理"},
    )  # fmt: skip
    assert resp.status_code == 302
    after = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已受理，登记为问题" in after
    assert 'data-testid="linked-problem"' in after
    assert 'data-testid="accept-form"' not in after
    # Another report merged into that problem from the similar list.
    fill(client, description="城关所窗口工作人员对办事群众大声呵斥，态度恶劣。")
    with tenant_scope(tenant.tenant.id):
        second, problem_id = (
            db.session.scalar(select(PublicReport.id).where(PublicReport.status == "received")),
            db.session.scalar(select(PublicReport.problem_id).where(PublicReport.id == rid)),
        )
    page = client.get(f"/public-reports/{second}").get_data(as_text=True)
    assert f'href="/problems/{problem_id}"' in page
    merged = client.post(
        f"/public-reports/{second}", data={"csrf_token": csrf(page), "action": "merge", "problem_id": problem_id}
    )
    assert merged.status_code == 302
    assert "已并案" in client.get(merged.headers["Location"]).get_data(as_text=True)
    refused = client.post(f"/public-reports/{second}", data={"csrf_token": csrf(page), "action": "dismiss"})
    assert "已并案办理" in client.get(refused.headers["Location"]).get_data(as_text=True)


def test_a_missing_dismissal_reason_is_told(client, tenant):
    fill(client)
    with tenant_scope(tenant.tenant.id):
        rid = db.session.scalar(select(PublicReport.id))
    log_in(client, "alpha.reviewer")
    page = client.get(f"/public-reports/{rid}").get_data(as_text=True)
    resp = client.post(f"/public-reports/{rid}", data={"csrf_token": csrf(page), "action": "dismiss", "reason": ""})
    assert "请填写不予受理的理由" in client.get(resp.headers["Location"]).get_data(as_text=True)
    resp = client.post(f"/public-reports/{rid}", data={"csrf_token": csrf(page), "action": "dismiss", "reason": "不实"})
    assert "已不予受理" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_viewers_read_but_do_not_triage(client, tenant):
    fill(client)
    with tenant_scope(tenant.tenant.id):
        rid = db.session.scalar(select(PublicReport.id))
    log_in(client, "alpha.viewer")
    page = client.get(f"/public-reports/{rid}").get_data(as_text=True)
    assert 'data-testid="accept-form"' not in page
    resp = client.post(f"/public-reports/{rid}", data={"csrf_token": csrf(page), "action": "dismiss", "reason": "x"})
    assert "只有业务人员" in client.get(resp.headers["Location"]).get_data(as_text=True)
    settings = client.get("/public-settings").get_data(as_text=True)
    assert client.post("/public-settings", data={"csrf_token": csrf(settings), "action": "channels"}).status_code == 403


def test_settings_publish_a_solicitation_that_the_form_offers(client, tenant):
    log_in(client, "alpha.tenant_admin")
    html = client.get("/public-settings").get_data(as_text=True)
    bad = client.post(
        "/public-settings",
        data={"csrf_token": csrf(html), "action": "solicitation", "title": "征集", "description": "说明",
              "starts_on": "2099-01-02", "ends_on": "2099-01-01"},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "结束日期不能早于开始日期" in bad.get_data(as_text=True)
    ok = client.post(
        "/public-settings",
        data={"csrf_token": csrf(html), "action": "solicitation", "title": "营商环境作风问题征集",
              "description": "说明", "starts_on": "2020-01-01", "ends_on": "2099-12-31"},
    )  # fmt: skip
    assert ok.status_code == 302
    form = client.get("/report/alpha").get_data(as_text=True)
    assert "营商环境作风问题征集" in form
    sid = re.search(r'<option value="(\d+)" >营商环境作风问题征集', form) or re.search(
        r'<option value="(\d+)"\s*>营商环境作风问题征集', form
    )
    resp = fill(client, solicitation_id=sid.group(1))
    assert resp.status_code == 200
    settings = client.get("/public-settings").get_data(as_text=True)
    assert re.search(r"营商环境作风问题征集.*?<td>1</td>", settings, re.S)
    ended = client.post(
        "/public-settings", data={"csrf_token": csrf(settings), "action": "end", "solicitation_id": sid.group(1)}
    )
    assert ended.status_code == 302
    assert "营商环境作风问题征集" not in client.get("/report/alpha").get_data(as_text=True)


def test_the_figures_page(client, tenant):
    fill(client)
    submit(client)
    log_in(client, "alpha.viewer")
    html = client.get("/public-reports/stats").get_data(as_text=True)
    assert 'data-testid="stats"' in html
    assert re.search(r"合计</td><td>2</td>", html)
    assert client.get("/public-reports/stats?from=bad").status_code == 200


def test_another_tenants_report_page_does_not_exist(client, tenant, other_tenant):
    theirs = report_of(other_tenant)
    log_in(client, "alpha.reviewer")
    resp = client.get(f"/public-reports/{theirs}")
    assert resp.status_code == 404
    assert "乙局" not in resp.get_data(as_text=True)
    assert client.get("/tenants/beta/public-reports").status_code == 404


def test_the_staff_pages_need_a_login(client, tenant):
    for path in ("/public-reports", "/public-reports/stats", "/public-settings"):
        resp = client.get(path)
        assert resp.status_code == 302
        assert "/login" in resp.headers["Location"]


def test_city_users_reach_a_tenants_queue(client, city, tenant):
    log_in(client, "city.supervisor")
    assert client.get("/tenants/alpha/public-reports").status_code == 200
    assert client.get("/tenants/alpha/public-reports/stats").status_code == 200
