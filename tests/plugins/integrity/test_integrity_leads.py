"""问题线索 (issue 15, item 5): a confidential register read only by the tenant's reviewers and the city's supervisors.

Its own role-by-role matrix on the API, the pages, the exports and the figures (officer, tenant_admin, viewer,
reviewer, city_supervisor, city_admin; own tenant and other tenant); every read audited; the disposal, lights,
result with accountability and ledger links; a public report referred at triage, and what its reporter still reads.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from fixtures.data import PASSWORD
from fixtures.public import submit
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.audit.models import AuditEvent
from core.ledger.models import Problem
from core.oversight.models import Notification
from core.platform.calendar import today_in_shanghai
from core.platform.db import db, tenant_scope
from core.public.models import PublicReport
from plugins.integrity.conduct_models import ConfidentialLead

API = "/api/v1/plugins/integrity"
ROLES = ("officer", "tenant_admin", "viewer", "reviewer", "city_supervisor", "city_admin")
READERS = {"reviewer", "city_supervisor"}
SECRET_TEXT = "收受管理对象购物卡"


def days(n: int) -> str:
    return (today_in_shanghai() + timedelta(days=n)).isoformat()


def lead_body(world, **overrides) -> dict:
    data = {
        "source": "petition",
        "category": "eat_take_demand",
        "person": "郑海波",
        "post": "综合执法",
        "unit_id": world.station.id,
        "summary": f"反映其检查时{SECRET_TEXT}",
    }
    data.update(overrides)
    return data


def record(client, world, **overrides) -> dict:
    resp = client.post(f"{API}/leads", json=lead_body(world, **overrides), headers=world.headers("reviewer"))
    assert resp.status_code == 201, resp.json
    return resp.json


def drain(resp) -> bytes:
    """The body of a download, its temporary file closed."""
    data = resp.get_data()
    resp.close()
    return data


def caller_for(role, world, city):
    """(path prefix, headers) for a role reading ``world``: city users name the tenant in the path."""
    if role.startswith("city_"):
        return f"/api/v1/tenants/{world.slug}/plugins/integrity", city.headers(role)
    return API, world.headers(role)


def audit_kinds(world, prefix="integrity.lead_") -> list[str]:
    with tenant_scope(world.tenant.id):
        kinds = db.session.scalars(select(AuditEvent.kind).order_by(AuditEvent.seq))
        return [k for k in kinds if k.startswith(prefix)]


# --- the API matrix -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix_own_tenant(client, tenant, city, role):
    lead = record(client, tenant)
    base, h = caller_for(role, tenant, city)
    expected = 200 if role in READERS else 403
    assert client.get(f"{base}/leads", headers=h).status_code == expected
    assert client.get(f"{base}/leads/{lead['id']}", headers=h).status_code == expected
    # a number that does not exist is 403 as well for the others: nobody learns which numbers exist
    assert client.get(f"{base}/leads/999999", headers=h).status_code == (404 if role in READERS else 403)
    export = client.get(f"{base}/leads/export", headers=h)
    assert export.status_code == expected
    exported = drain(export)
    writes = [
        client.post(f"{base}/leads", json=lead_body(tenant), headers=h),
        client.patch(f"{base}/leads/{lead['id']}", json={"handling": "已约谈"}, headers=h),
        client.post(f"{base}/leads/{lead['id']}/disposal", json={"disposal": "verify"}, headers=h),
        client.put(f"{base}/leads/{lead['id']}/accountability", json={"accountability_ids": []}, headers=h),
        client.post(f"{base}/leads/{lead['id']}/result", json={"result": "unfounded"}, headers=h),
    ]
    assert [w.status_code for w in writes] == ([201, 200, 200, 200, 200] if role in READERS else [403] * 5)
    if role not in READERS:
        assert SECRET_TEXT not in client.get(f"{base}/leads", headers=h).get_data(as_text=True)
        assert SECRET_TEXT.encode() not in exported


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix_other_tenant(client, tenant, other_tenant, city, role):
    lead = record(client, tenant)
    base, h = caller_for(role, other_tenant, city)
    if role in READERS:
        assert client.get(f"{base}/leads/{lead['id']}", headers=h).status_code == 404
        listed = client.get(f"{base}/leads", headers=h)
        assert listed.status_code == 200
        assert listed.json["items"] == []
        for resp in (client.patch(f"{base}/leads/{lead['id']}", json={"handling": "x"}, headers=h),
                     client.post(f"{base}/leads/{lead['id']}/disposal", json={"disposal": "talk"}, headers=h),
                     client.post(f"{base}/leads/{lead['id']}/result", json={"result": "unfounded"}, headers=h)):
            assert resp.status_code == 404  # fmt: skip
        export = drain(client.get(f"{base}/leads/export", headers=h))
        assert SECRET_TEXT not in str(list(load_workbook(io.BytesIO(export)).active.values))
    else:
        assert client.get(f"{base}/leads/{lead['id']}", headers=h).status_code == 403
        assert client.get(f"{base}/leads", headers=h).status_code == 403
    with tenant_scope(tenant.tenant.id):
        assert db.session.get(ConfidentialLead, lead["id"]).handling == ""


def test_a_city_user_must_name_the_tenant(client, tenant, city):
    assert client.get(f"{API}/leads", headers=city.headers("city_supervisor")).status_code == 404


# --- every read is audited; nothing reaches the unit -------------------------------------------------------------


def test_every_read_list_detail_and_export_is_audited(client, tenant, city):
    lead = record(client, tenant)
    h = tenant.headers("reviewer")
    client.get(f"{API}/leads", headers=h)
    client.get(f"{API}/leads/{lead['id']}", headers=h)
    drain(client.get(f"{API}/leads/export", headers=h))
    client.get(f"/api/v1/tenants/alpha/plugins/integrity/leads/{lead['id']}", headers=city.headers("city_supervisor"))
    assert audit_kinds(tenant) == ["integrity.lead_recorded", "integrity.lead_read", "integrity.lead_read"]
    assert audit_kinds(tenant, "integrity.leads_") == ["integrity.leads_listed", "integrity.leads_exported"]
    with tenant_scope(tenant.tenant.id):
        bodies = " ".join(db.session.scalars(select(AuditEvent.body).where(AuditEvent.kind.like("integrity.lead%"))))
    assert SECRET_TEXT not in bodies  # the chain keeps ids, never what the lead says
    assert "郑海波" not in bodies
    refused = client.get(f"{API}/leads", headers=tenant.headers("tenant_admin"))
    assert refused.status_code == 403
    assert audit_kinds(tenant, "integrity.leads_") == ["integrity.leads_listed", "integrity.leads_exported"]


def test_nothing_of_a_lead_reaches_the_unit(client, tenant):
    lead = record(client, tenant)
    client.post(f"{API}/leads/{lead['id']}/disposal", json={"disposal": "verify"}, headers=tenant.headers("reviewer"))
    with tenant_scope(tenant.tenant.id):
        assert db.session.scalar(select(func.count(Notification.id))) == 0
        assert db.session.scalar(select(func.count(Problem.id))) == 0
    for role in ("officer", "tenant_admin", "viewer"):
        h = tenant.headers(role)
        for path in ("/api/v1/problems", "/api/v1/problems/export", "/api/v1/figures"):
            resp = client.get(path, headers=h)
            assert SECRET_TEXT not in resp.get_data(as_text=True), (role, path)


# --- recording, disposal, lights, result --------------------------------------------------------------------


def test_record_defaults_numbers_and_bad_input_names_the_field(client, tenant):
    first = record(client, tenant)
    assert first["number"] == f"XS-{today_in_shanghai().year}-0001"
    assert (first["status"], first["light"]) == ("pending", "green")
    assert first["deadline"] == days(30)
    second = record(client, tenant, received_on=days(-40), deadline=days(-1))
    assert second["number"].endswith("-0002") or second["received_on"][:4] != days(0)[:4]
    assert second["light"] == "red"
    h = tenant.headers("reviewer")
    for field, value in (("category", "bribery"), ("source", "x"), ("summary", ""), ("deadline", "2026-13-01"),
                         ("unit_id", "x")):  # fmt: skip
        resp = client.post(f"{API}/leads", json=lead_body(tenant, **{field: value}), headers=h)
        assert resp.status_code == 422, field
        assert field in resp.json["errors"]["json"], (field, resp.json)
    for field, value in (("unit_id", 987654), ("person", ""), ("received_on", days(3)), ("deadline", days(-400))):
        resp = client.post(f"{API}/leads", json=lead_body(tenant, **{field: value}), headers=h)
        assert resp.status_code == 422, field
        assert field in resp.json["errors"]["json"], (field, resp.json)
    assert client.get(f"{API}/leads?light=purple", headers=h).status_code == 422


def test_lights_follow_the_deadline_as_the_ledgers(client, tenant):
    h = tenant.headers("reviewer")
    red = record(client, tenant, received_on=days(-10), deadline=days(-1))
    yellow = record(client, tenant, deadline=days(1))
    green = record(client, tenant, deadline=days(60))
    assert (red["light"], yellow["light"], green["light"]) == ("red", "yellow", "green")
    listed = client.get(f"{API}/leads?light=red", headers=h).json
    assert [i["id"] for i in listed["items"]] == [red["id"]]
    assert listed["counts"]["lights"] == {"red": 1, "yellow": 1, "green": 1}
    closed = client.post(f"{API}/leads/{red['id']}/result", json={"result": "unfounded"}, headers=h).json
    assert closed["light"] is None  # a concluded lead has no light
    assert client.get(f"{API}/leads", headers=h).json["counts"]["statuses"]["concluded"] == 1


def test_disposal_then_result_with_accountability_and_a_ledger_problem(client, tenant):
    h = tenant.headers("reviewer")
    lead = record(client, tenant)
    disposal = {"disposal": "talk", "deadline": days(10), "note": "由纪检组长谈话"}
    disposed = client.post(f"{API}/leads/{lead['id']}/disposal", json=disposal, headers=h)
    assert disposed.status_code == 200, disposed.json
    assert (disposed.json["status"], disposed.json["disposal_name"]) == ("handling", "谈话函询")
    assert "由纪检组长谈话" in disposed.json["handling"]
    assert client.post(f"{API}/leads/{lead['id']}/disposal", json={"disposal": "ignore"}, headers=h).status_code == 422
    measure = client.post("/api/v1/oversight/accountability", headers=h, json={
        "unit_id": tenant.station.id, "kind": "accountability", "measure": "诫勉谈话",
        "decided_on": days(0)}).json  # fmt: skip
    bad = client.post(f"{API}/leads/{lead['id']}/result", headers=h,
                      json={"result": "unfounded", "problem": {"title": "x"}})  # fmt: skip
    assert bad.status_code == 422
    assert "problem" in bad.json["errors"]["json"]
    missing = client.post(f"{API}/leads/{lead['id']}/result", headers=h,
                          json={"result": "substantiated", "accountability_ids": [999999]})  # fmt: skip
    assert missing.status_code == 422
    assert "accountability_ids" in missing.json["errors"]["json"]
    done = client.post(f"{API}/leads/{lead['id']}/result", headers=h, json={
        "result": "substantiated", "note": "经核实属实", "accountability_ids": [measure["id"]],
        "problem": {"title": "执法人员廉洁纪律教育不到位", "description": "开展廉洁纪律专题教育，建立检查回访制度",
                    "unit_id": tenant.station.id}})  # fmt: skip
    assert done.status_code == 200, done.json
    assert (done.json["status"], done.json["result_name"]) == ("concluded", "查实")
    assert done.json["accountability_ids"] == [measure["id"]]
    pid = done.json["problem_id"]
    with tenant_scope(tenant.tenant.id):
        problem = db.session.get(Problem, pid)
        assert (problem.source, problem.domain, problem.unit_id) == ("discipline_referral", "integrity",
                                                                     tenant.station.id)  # fmt: skip
        assert SECRET_TEXT not in problem.description
        assert "郑海波" not in problem.description
    again = client.post(f"{API}/leads/{lead['id']}/result", json={"result": "partly"}, headers=h)
    assert again.status_code == 409
    assert client.patch(f"{API}/leads/{lead['id']}", json={"handling": "x"}, headers=h).status_code == 409
    linked = client.put(f"{API}/leads/{lead['id']}/accountability", json={"accountability_ids": []}, headers=h)
    assert linked.status_code == 200  # links may change after the result (a decision may come later)
    assert audit_kinds(tenant)[-4:] == ["integrity.lead_disposed", "integrity.lead_problem_recorded",
                                        "integrity.lead_concluded", "integrity.lead_updated"]  # fmt: skip


def test_close_without_a_result(client, tenant):
    lead = record(client, tenant)
    closed = client.post(f"{API}/leads/{lead['id']}/disposal", json={"disposal": "close"},
                         headers=tenant.headers("reviewer"))  # fmt: skip
    assert (closed.json["status"], closed.json["disposal_name"], closed.json["result"]) == ("concluded", "予以了结",
                                                                                             None)  # fmt: skip


def test_export_opens_and_is_marked_confidential(client, tenant):
    record(client, tenant)
    record(client, tenant, category="interference", person="周建明")
    resp = client.get(f"{API}/leads/export?category=interference", headers=tenant.headers("reviewer"))
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(drain(resp))).active
    rows = list(sheet.values)
    assert rows[0][0] == "内部资料 注意保密"
    assert rows[1][:4] == ("线索编号", "线索来源", "问题类别", "被反映人")
    assert [r[3] for r in rows[2:]] == ["周建明"]


# --- the figures: per tenant, never per unit ------------------------------------------------------------------


def test_figures_count_leads_per_tenant_never_per_unit(client, tenant, other_tenant, city, app, monkeypatch):
    from core.figures.periods import parse as parse_period

    h = tenant.headers("reviewer")
    a = record(client, tenant)
    record(client, tenant)
    client.post(f"{API}/leads/{a['id']}/result", json={"result": "partly"}, headers=h)
    record(client, other_tenant)
    figures = app.extensions["xingfeng"].figures
    period = parse_period(today_in_shanghai().strftime("%Y-%m"))

    def values(slug, world, by_unit=False):
        with tenant_scope(world.tenant.id):
            return figures[slug].compute(db.session, period, [world.tenant.id], by_unit)

    assert values("integrity_leads_received", tenant) == {tenant.tenant.id: 2}
    assert values("integrity_leads_handled", tenant) == {tenant.tenant.id: 1}
    assert values("integrity_leads_substantiated", tenant) == {tenant.tenant.id: 1}
    assert values("integrity_leads_received", other_tenant) == {other_tenant.tenant.id: 1}
    for slug in ("integrity_leads_received", "integrity_leads_handled", "integrity_leads_substantiated"):
        assert values(slug, tenant, by_unit=True) == {}  # never per unit
    code = today_in_shanghai().strftime("%Y-%m")
    by_unit = client.get(f"/api/v1/figures?period={code}", headers=tenant.headers("viewer"))
    assert by_unit.status_code == 200
    for row in by_unit.json["rows"]:
        assert not row["figures"].get("integrity_leads_received"), row
    # On PostgreSQL the city's figures read through the reader login, which sees committed rows only; this test's
    # rows are rolled back, so the city view is read tenant by tenant here (the same providers either way).
    monkeypatch.setitem(app.config, "READER_DATABASE_URL", None)
    seen = client.get(f"/api/v1/city/figures?period={code}", headers=city.headers("city_supervisor")).json
    alpha = next(r for r in seen["rows"] if r["slug"] == "alpha")
    assert alpha["figures"]["integrity_leads_received"] == 2


# --- referred from a public report at triage --------------------------------------------------------------------


@pytest.fixture
def fast_forms(app, monkeypatch):
    """Reports filled at once are not refused for speed here (the public channel's own tests check that)."""
    monkeypatch.setitem(app.config, "PUBLIC_MIN_FILL_SECONDS", 0)


def new_report(client, world) -> dict:
    description = f"城关所执法人员郑海波检查时{SECRET_TEXT}，还暗示请客。"
    resp = submit(client, world.slug, category="other", description=description, concerned="城关所 郑海波")
    assert resp.status_code == 201, resp.json
    with tenant_scope(world.tenant.id):
        rid = db.session.scalar(select(PublicReport.id).where(PublicReport.tracking_code == resp.json["tracking_code"]))
    return {**resp.json, "id": rid}


def test_a_reviewer_turns_a_report_into_a_lead_and_the_reporter_reads_a_neutral_state(client, tenant, city,
                                                                                         fast_forms):
    receipt = new_report(client, tenant)
    path = f"/api/v1/public-reports/{receipt['id']}/refer"
    body = {"referral": "integrity.lead", "data": {"note": "涉及具体人员，转纪检组"}}
    assert client.post(path, json=body, headers=tenant.headers("officer")).status_code == 403  # a triager, not 纪检
    assert client.post(path, json={"referral": "nothing"}, headers=tenant.headers("reviewer")).status_code == 422
    resp = client.post(path, json=body, headers=tenant.headers("reviewer"))
    assert resp.status_code == 200, resp.json
    assert (resp.json["status"], resp.json["status_name"]) == ("referred", "已转有关部门办理")
    assert resp.json["problem_id"] is None
    leads = client.get(f"{API}/leads", headers=tenant.headers("reviewer")).json["items"]
    assert [(i["source"], i["public_report_id"], i["person"]) for i in leads] == [
        ("public_report", receipt["id"], "城关所 郑海波")
    ]
    assert "涉及具体人员，转纪检组" in leads[0]["handling"]
    assert client.post(path, json=body, headers=tenant.headers("reviewer")).status_code == 409  # triaged once
    # The reporter: a neutral state and the neutral reply, nothing of the lead.
    seen = client.post("/api/v1/public/track", json={"tracking_code": receipt["tracking_code"],
                                                     "secret": receipt["secret"]}).json  # fmt: skip
    assert seen["status_name"] == "已转有关部门办理"
    assert seen["handling"] is None
    text = str(seen)
    assert "线索" not in text
    assert "纪检" not in text
    assert leads[0]["number"] not in text
    # Once referred, the report leaves everyone else's queue; reviewers and the city's supervisors still read it.
    for role in ("officer", "tenant_admin", "viewer"):
        h = tenant.headers(role)
        assert client.get(f"/api/v1/public-reports/{receipt['id']}", headers=h).status_code == 404, role
        assert receipt["id"] not in [r["id"] for r in client.get("/api/v1/public-reports", headers=h).json["items"]]
    assert client.get(f"/api/v1/public-reports/{receipt['id']}", headers=tenant.headers("reviewer")).status_code == 200
    sup = client.get(f"/api/v1/tenants/alpha/public-reports/{receipt['id']}", headers=city.headers("city_supervisor"))
    assert sup.status_code == 200
    stats = client.get("/api/v1/public-reports/stats", headers=tenant.headers("viewer")).json
    assert stats["total"]["referred"] == 1  # a count per tenant, nothing more


def test_no_referral_where_the_domain_is_off(client, tenant, fast_forms):
    receipt = new_report(client, tenant)
    client.put(f"/api/v1/units/{tenant.root.id}/plugins/integrity", json={"enabled": False},
               headers=tenant.headers("tenant_admin"))  # fmt: skip
    resp = client.post(f"/api/v1/public-reports/{receipt['id']}/refer", json={"referral": "integrity.lead"},
                       headers=tenant.headers("reviewer"))  # fmt: skip
    assert resp.status_code == 403


# --- the pages ------------------------------------------------------------------------------------------------


def _csrf(client, path) -> str:
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    return found.group(1)


def log_in(client, username):
    client.post("/logout")
    resp = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": _csrf(client, "/login")}
    )
    assert resp.status_code == 302


USERNAMES = {"city_supervisor": "city.supervisor", "city_admin": "city.admin"}


@pytest.mark.parametrize("role", ROLES)
def test_pages_matrix(client, tenant, other_tenant, city, role):
    lead = record(client, tenant)
    other = record(client, other_tenant, person="孙某某", summary="乙局的线索")
    city_user = role.startswith("city_")
    log_in(client, USERNAMES.get(role, f"alpha.{role}"))
    prefix = "/tenants/alpha" if city_user else ""
    expected = 200 if role in READERS else 403
    listing = client.get(f"{prefix}/integrity/leads")
    assert listing.status_code == expected
    assert client.get(f"{prefix}/integrity/leads/{lead['id']}").status_code == expected
    export = client.get(f"{prefix}/integrity/leads/export.xlsx")
    assert export.status_code == expected
    drain(export)
    menu = client.get(f"{prefix}/integrity/staff").get_data(as_text=True) if not role == "city_admin" else ""
    if role in READERS:
        html = listing.get_data(as_text=True)
        assert "内部资料" in html
        assert SECRET_TEXT in html
        assert "孙某某" not in html
        assert listing.headers["Cache-Control"] == "no-store"
        assert 'href="' + prefix + '/integrity/leads"' in menu
        other_prefix = "/tenants/beta" if city_user else ""
        assert client.get(f"{prefix}/integrity/leads/{other['id']}").status_code == 404
        if city_user:
            assert client.get(f"{other_prefix}/integrity/leads/{lead['id']}").status_code == 404
        book = load_workbook(io.BytesIO(drain(client.get(f"{prefix}/integrity/leads/export.xlsx"))))
        assert [r[0] for r in list(book.active.values)[2:]] == [lead["number"]]
    else:
        assert "/integrity/leads" not in menu
        assert SECRET_TEXT not in listing.get_data(as_text=True)


def test_pages_record_dispose_and_conclude(client, tenant):
    log_in(client, "alpha.reviewer")
    token = _csrf(client, "/integrity/leads")
    bad = client.post("/integrity/leads", data={"csrf_token": token, "source": "petition", "category": "other",
                                                "person": "某某", "summary": ""})  # fmt: skip
    assert bad.status_code == 422
    made = client.post("/integrity/leads", data={"csrf_token": token, "source": "petition", "category": "other",
                                                 "person": "某某", "summary": "反映某问题", "deadline": days(-1),
                                                 "received_on": days(-5)})  # fmt: skip
    assert made.status_code == 302
    page = made.headers["Location"]
    html = client.get(page).get_data(as_text=True)
    assert "红灯" in html
    assert "反映某问题" in html
    assert client.post(page, data={"csrf_token": token, "action": "dispose", "disposal": "shelve"}).status_code == 302
    assert "暂存待查" in client.get(page).get_data(as_text=True)
    done = client.post(page, data={"csrf_token": token, "action": "result", "result": "unfounded", "note": "不属实"})
    assert done.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "查否" in html
    assert 'data-testid="link-accountability"' in html


def test_the_triage_page_offers_the_referral_to_reviewers_only(client, tenant, fast_forms):
    receipt = new_report(client, tenant)
    log_in(client, "alpha.officer")
    assert 'data-referral="integrity.lead"' not in client.get(f"/public-reports/{receipt['id']}").get_data(as_text=True)
    log_in(client, "alpha.reviewer")
    page = f"/public-reports/{receipt['id']}"
    html = client.get(page).get_data(as_text=True)
    assert 'data-referral="integrity.lead"' in html
    assert "转为问题线索" in html
    token = _csrf(client, page)
    resp = client.post(page, data={"csrf_token": token, "action": "refer", "referral": "integrity.lead",
                                   "ref_note": "转纪检"})  # fmt: skip
    assert resp.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "已转有关部门办理" in html
    assert 'data-testid="refer-form"' not in html
    with tenant_scope(tenant.tenant.id):
        lead = db.session.scalar(select(ConfidentialLead))
        assert lead.public_report_id == receipt["id"]
        assert "转纪检" in lead.handling
    log_in(client, "alpha.officer")
    assert client.get(page).status_code == 404


def test_the_reporters_tracking_page_shows_only_the_neutral_state(client, tenant, fast_forms):
    receipt = new_report(client, tenant)
    resp = client.post(f"/api/v1/public-reports/{receipt['id']}/refer", json={"referral": "integrity.lead"},
                       headers=tenant.headers("reviewer"))  # fmt: skip
    assert resp.status_code == 200
    html = client.get("/report-status").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    page = client.post("/report-status", data={"csrf_token": token, "tracking_code": receipt["tracking_code"],
                                               "secret": receipt["secret"]}).get_data(as_text=True)  # fmt: skip
    status = re.search(r'data-testid="tracked-status">([^<]*)<', page).group(1)
    assert status == "已转有关部门办理"
    assert 'data-testid="tracked-handling"' not in page
    assert "问题线索" not in page
    assert "XS-" not in page
