"""The oversight API's later additions: the thresholds in the ledger settings (API and admin page), 举一反三
through the API, and report submissions with files. Each: allowed, refused (403), across tenants (404) and bad
input (422 naming the field)."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from fixtures.ledger import PNG, post_problem, upcoming_body
from oversight_helpers import assigned_problem, csrf, post_form, web_login
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.auth.models import User
from core.oversight.models import ReportingTask, SupervisionOrder
from core.oversight.service import DEFAULT_SETTINGS
from core.oversight.sweep import run_sweep
from core.platform.db import db, tenant_scope

LATER = (date.today() + timedelta(days=30)).isoformat()
SETTINGS = "/api/v1/ledger/settings"
DEFAULTS = {"yellow_days": 3, **DEFAULT_SETTINGS}


def _events(world, kind):
    with tenant_scope(world.tenant.id):
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.seq)).all()
        return [(e.actor, json.loads(e.body)["data"]) for e in rows]


# --- thresholds -----------------------------------------------------------------------------------------------


def test_thresholds_are_read_by_everyone_and_changed_by_the_admins(client, tenant, other_tenant, city):
    assert client.get(SETTINGS, headers=tenant.headers("officer")).json == DEFAULTS
    changed = client.put(SETTINGS, json={"escalation_days": 2, "interview_periods": 4},
                         headers=tenant.headers("tenant_admin"))  # fmt: skip
    assert changed.status_code == 200, changed.json
    assert changed.json == {**DEFAULTS, "escalation_days": 2, "interview_periods": 4}
    by_city = client.put(f"/api/v1/tenants/alpha{SETTINGS[7:]}", json={"report_reminder_days": 5},
                         headers=city.headers("city_admin"))  # fmt: skip
    assert by_city.status_code == 200, by_city.json
    expected = {**DEFAULTS, "escalation_days": 2, "interview_periods": 4, "report_reminder_days": 5}
    assert client.get(SETTINGS, headers=tenant.headers("viewer")).json == expected
    # Audited like yellow_days: each key given, before and after.
    events = _events(tenant, "oversight.settings_changed")
    assert [actor for actor, _ in events] == [f"user:{tenant.users['tenant_admin'].id}",
                                              f"user:{city.users['city_admin'].id}"]  # fmt: skip
    assert [data for _, data in events] == [
        {"escalation_days": [5, 2], "interview_periods": [3, 4]},
        {"report_reminder_days": [2, 5]},
    ]
    # Another tenant keeps its own thresholds.
    assert client.get(SETTINGS, headers=other_tenant.headers("tenant_admin")).json == DEFAULTS


def test_thresholds_refused_to_other_roles_and_tenants(client, tenant, other_tenant, city):
    for headers in (tenant.headers("officer"), tenant.headers("reviewer"), tenant.headers("viewer")):
        assert client.put(SETTINGS, json={"escalation_days": 2}, headers=headers).status_code == 403
    supervisor = city.headers("city_supervisor")
    assert client.put("/api/v1/tenants/alpha/ledger/settings", json={"escalation_days": 2},
                      headers=supervisor).status_code == 403  # fmt: skip
    # A tenant user naming another tenant: 404, never 403.
    resp = client.put("/api/v1/tenants/beta/ledger/settings", json={"escalation_days": 2},
                      headers=tenant.headers("tenant_admin"))  # fmt: skip
    assert resp.status_code == 404
    assert client.get(SETTINGS, headers=other_tenant.headers("viewer")).json == DEFAULTS
    assert client.put(SETTINGS, json={"escalation_days": 2}).status_code == 401


def test_bad_thresholds_are_refused_naming_the_field(client, tenant):
    h = tenant.headers("tenant_admin")
    for body, field in (
        ({"escalation_days": 0}, "escalation_days"),
        ({"escalation_days": 61}, "escalation_days"),
        ({"escalation_order_days": "soon"}, "escalation_order_days"),
        ({"interview_periods": 13}, "interview_periods"),
        ({"report_reminder_days": -1}, "report_reminder_days"),
        ({"yellow_days": 31, "escalation_days": 3}, "yellow_days"),
    ):
        resp = client.put(SETTINGS, json=body, headers=h)
        assert resp.status_code == 422, body
        assert field in resp.json["errors"]["json"], resp.json
    assert client.put(SETTINGS, json={}, headers=h).status_code == 422
    unknown = client.put(SETTINGS, json={"escalation_days": 2, "nonsense": 1}, headers=h)
    assert unknown.status_code == 422
    assert "nonsense" in unknown.json["errors"]["json"]
    assert client.get(SETTINGS, headers=h).json == DEFAULTS  # nothing half-saved


def test_the_sweep_uses_the_thresholds_set_through_the_api(client, clock, tenant):
    problem = assigned_problem(client, tenant, "2024-09-30")
    resp = client.put(SETTINGS, json={"escalation_days": 2, "escalation_order_days": 1},
                      headers=tenant.headers("tenant_admin"))  # fmt: skip
    assert resp.status_code == 200
    db.session.commit()

    def orders():
        with tenant_scope(tenant.tenant.id):
            return db.session.scalars(select(SupervisionOrder)).all()

    run_sweep(date(2024, 10, 9))  # two working days late (8 and 9 October): not more than two
    assert orders() == []
    run_sweep(date(2024, 10, 10))  # three: more than the tenant's two, where the default five would wait
    (order,) = orders()
    assert (order.problem_id, order.issued_by) == (problem["id"], "system:escalation")
    assert order.deadline == date(2024, 10, 11)  # one working day to answer, as set


def test_the_admin_page_sets_every_threshold_with_errors_beside_each_field(client, tenant):
    web_login(client, "alpha.tenant_admin")
    form = {"action": "yellow_days", "yellow_days": "4", "escalation_days": "7", "escalation_order_days": "2",
            "interview_periods": "2", "report_reminder_days": "3"}  # fmt: skip
    assert post_form(client, "/admin", form).status_code == 302
    expected = {"yellow_days": 4, "escalation_days": 7, "escalation_order_days": 2, "interview_periods": 2,
                "report_reminder_days": 3}  # fmt: skip
    assert client.get(SETTINGS, headers=tenant.headers("officer")).json == expected
    page = client.get("/admin").get_data(as_text=True)
    assert 'name="escalation_days" value="7"' in page
    bad = post_form(client, "/admin", {**form, "escalation_days": "0", "interview_periods": "x"})
    assert bad.status_code == 302
    page = client.get("/admin").get_data(as_text=True)
    assert 'data-testid="error-escalation_days"' in page
    assert "红灯升级督办工作日数应为1到60" in page
    assert 'data-testid="error-interview_periods"' in page
    assert 'data-testid="error-yellow_days"' not in page
    assert 'name="escalation_days" value="0"' in page  # the value typed stays for correction
    assert client.get(SETTINGS, headers=tenant.headers("officer")).json == expected  # nothing saved
    # Shown once: the next visit shows the stored values without errors.
    again = client.get("/admin").get_data(as_text=True)
    assert 'data-testid="error-escalation_days"' not in again
    assert 'name="escalation_days" value="7"' in again


def test_the_admin_page_is_refused_to_an_officer(client, tenant):
    web_login(client, "alpha.officer")
    resp = client.post("/admin", data={"csrf_token": csrf(client, "/notifications"), "action": "yellow_days",
                                       "escalation_days": "2"})  # fmt: skip
    assert resp.status_code == 403
    assert client.get(SETTINGS, headers=tenant.headers("officer")).json == DEFAULTS


# --- self-checks (举一反三) -------------------------------------------------------------------------------------


def _problem(client, world, **overrides) -> int:
    return post_problem(client, world, body=upcoming_body(world, **overrides)).json["id"]


def _self_check(client, world, role="tenant_admin", **body):
    body = {"problem_id": body.pop("problem_id", None), "description": "请排查同类问题", "due_on": LATER,
            "unit_ids": [world.station.id], **body}  # fmt: skip
    return client.post("/api/v1/oversight/self-checks", json=body, headers=world.headers(role))


def test_self_checks_through_the_api(client, tenant):
    pid = _problem(client, tenant)
    created = _self_check(client, tenant, problem_id=pid)
    assert created.status_code == 201, created.json
    check = created.json
    assert (check["source_problem_id"], check["answered"], check["total"]) == (pid, 0, 1)
    assert check["title"].startswith("举一反三：")
    cid = check["id"]
    officer = tenant.headers("officer")
    assert [c["id"] for c in client.get("/api/v1/oversight/self-checks", headers=officer).json["items"]] == [cid]
    one = client.get(f"/api/v1/oversight/self-checks/{cid}", headers=tenant.headers("viewer")).json
    assert [(a["unit_id"], a["answer"]) for a in one["answers"]] == [(tenant.station.id, None)]
    answered = client.post(f"/api/v1/oversight/self-checks/{cid}/answer", json={"answer": "none", "note": "已排查"},
                           headers=officer)  # fmt: skip
    assert answered.status_code == 200, answered.json
    assert (answered.json["answer"], answered.json["note"]) == ("none", "已排查")
    again = client.post(f"/api/v1/oversight/self-checks/{cid}/answer", json={"answer": "none"}, headers=officer)
    assert again.status_code == 409
    listed = client.get("/api/v1/oversight/self-checks", headers=tenant.headers("tenant_admin")).json["items"]
    assert (listed[0]["answered"], listed[0]["total"]) == (1, 1)


def test_a_unit_answers_with_the_problem_it_recorded(client, tenant):
    cid = _self_check(client, tenant, problem_id=_problem(client, tenant)).json["id"]
    found = _problem(client, tenant, title="同类问题")
    officer = tenant.headers("officer")
    path = f"/api/v1/oversight/self-checks/{cid}/answer"
    missing = client.post(path, json={"answer": "problem"}, headers=officer)
    assert missing.status_code == 422
    assert "problem_id" in missing.json["errors"]["json"]
    resp = client.post(path, json={"answer": "problem", "problem_id": found}, headers=officer)
    assert resp.status_code == 200, resp.json
    assert resp.json["problem_id"] == found


def test_self_checks_refused_and_bad_input(client, tenant, other_tenant):
    pid = _problem(client, tenant)
    assert _self_check(client, tenant, "officer", problem_id=pid).status_code == 403
    assert _self_check(client, tenant, "viewer", problem_id=pid).status_code == 403
    for body, field in (
        ({"description": ""}, "description"),
        ({"due_on": "2020-01-01"}, "due_on"),
        ({"due_on": "soon"}, "due_on"),
        ({"unit_ids": []}, "unit_ids"),
        ({"unit_ids": [other_tenant.station.id]}, "unit_ids"),
        ({"problem_id": _problem(client, other_tenant)}, "problem_id"),
        ({"problem_id": "x"}, "problem_id"),
    ):
        resp = _self_check(client, tenant, **{"problem_id": pid, **body})
        assert resp.status_code == 422, body
        assert field in resp.json["errors"]["json"], (body, resp.json)
    cid = _self_check(client, tenant, problem_id=pid).json["id"]
    path = f"/api/v1/oversight/self-checks/{cid}/answer"
    # Only the chosen unit answers: not the viewer, not the bureau's admin for the station.
    assert client.post(path, json={"answer": "none"}, headers=tenant.headers("viewer")).status_code == 403
    resp = client.post(path, json={"answer": "none", "unit_id": tenant.station.id},
                       headers=tenant.headers("tenant_admin"))  # fmt: skip
    assert resp.status_code == 403
    bad = client.post(path, json={"answer": "maybe"}, headers=tenant.headers("officer"))
    assert bad.status_code == 422
    assert "answer" in bad.json["errors"]["json"]
    assert client.get("/api/v1/oversight/self-checks").status_code == 401


def test_another_tenants_self_check_is_not_found(client, tenant, other_tenant):
    other_pid = _problem(client, other_tenant, title="乙局的问题")
    other = _self_check(client, other_tenant, problem_id=other_pid).json["id"]
    for role in ("tenant_admin", "officer", "reviewer", "viewer"):
        h = tenant.headers(role)
        for method, path, body in (
            ("GET", f"/oversight/self-checks/{other}", None),
            ("POST", f"/oversight/self-checks/{other}/answer", {"answer": "none"}),
            ("GET", f"/tenants/beta/oversight/self-checks/{other}", None),
        ):
            resp = client.open(f"/api/v1{path}", method=method, json=body, headers=h)
            assert resp.status_code == 404, (method, path, role)
            assert "乙局的问题" not in resp.get_data(as_text=True)
        assert client.get("/api/v1/oversight/self-checks", headers=h).json["items"] == []


def test_the_city_sends_a_self_check_to_tenants_and_reads_the_matrix(client, tenant, other_tenant, city):
    pid = _problem(client, tenant)
    path = "/api/v1/tenants/alpha/oversight/city-self-checks"
    body = {"problem_id": pid, "description": "各局排查同类问题", "due_on": LATER,
            "tenant_ids": [tenant.tenant.id, other_tenant.tenant.id]}  # fmt: skip
    assert client.post(path, json=body, headers=city.headers("city_admin")).status_code == 403
    assert client.post("/api/v1/oversight/city-self-checks", json=body,
                       headers=tenant.headers("tenant_admin")).status_code == 403  # fmt: skip
    bad = client.post(path, json={**body, "tenant_ids": [999999]}, headers=city.headers("city_supervisor"))
    assert bad.status_code == 422
    assert "tenant_ids" in bad.json["errors"]["json"]
    created = client.post(path, json=body, headers=city.headers("city_supervisor"))
    assert created.status_code == 201, created.json
    city_id = created.json["id"]
    assert created.json["tenant_ids"] == sorted([tenant.tenant.id, other_tenant.tenant.id])
    listed = client.get("/api/v1/city-self-checks", headers=city.headers("city_admin")).json["items"]
    assert [c["id"] for c in listed] == [city_id]
    matrix_path = f"/api/v1/city-self-checks/{city_id}/matrix"
    matrix = client.get(matrix_path, headers=city.headers("city_admin")).json["items"]
    assert [(r["slug"], r["state"]) for r in matrix] == [("alpha", "pending"), ("beta", "pending")]
    # Beta's bureau (its root unit: the tenant admin) answers through its own self-check.
    mine = client.get("/api/v1/oversight/self-checks", headers=other_tenant.headers("tenant_admin")).json["items"]
    assert [c["city_check_id"] for c in mine] == [city_id]
    resp = client.post(f"/api/v1/oversight/self-checks/{mine[0]['id']}/answer", json={"answer": "none"},
                       headers=other_tenant.headers("tenant_admin"))  # fmt: skip
    assert resp.status_code == 200, resp.json
    matrix = client.get(matrix_path, headers=city.headers("city_supervisor")).json["items"]
    assert [(r["slug"], r["state"]) for r in matrix] == [("alpha", "pending"), ("beta", "none")]
    assert client.get(matrix_path, headers=tenant.headers("tenant_admin")).status_code == 403
    assert client.get("/api/v1/city-self-checks", headers=tenant.headers("tenant_admin")).status_code == 403
    assert client.get("/api/v1/city-self-checks/999999/matrix", headers=city.headers("city_admin")).status_code == 404


def test_a_city_self_check_that_does_not_concern_a_tenant_is_not_found_for_it(client, tenant, other_tenant, city):
    body = {"problem_id": _problem(client, tenant), "description": "排查", "due_on": LATER,
            "tenant_ids": [tenant.tenant.id]}  # fmt: skip
    created = client.post("/api/v1/tenants/alpha/oversight/city-self-checks", json=body,
                          headers=city.headers("city_supervisor"))  # fmt: skip
    matrix_path = f"/api/v1/city-self-checks/{created.json['id']}/matrix"
    assert client.get(matrix_path, headers=other_tenant.headers("tenant_admin")).status_code == 404


# --- report submissions with files ----------------------------------------------------------------------------


def _task(world, liaison="officer") -> int:
    task = ReportingTask(kind="typical_experience", title="典型经验", due_on=date.today() + timedelta(days=3),
                         tenant_ids=[world.tenant.id], created_by="test")  # fmt: skip
    db.session.add(task)
    db.session.get(User, world.users[liaison].id).is_liaison = True
    db.session.commit()
    return task.id


def _upload(client, world, task_id, role="officer", text="本月经验", files=None, prefix="", headers=None):
    files = [(PNG, "现场照片.png")] if files is None else files
    data = {"files": [(io.BytesIO(content), name) for content, name in files]}
    if text is not None:
        data["text"] = text
    return client.post(
        f"/api/v1{prefix}/reporting/tasks/{task_id}/submission/upload", data=data, content_type="multipart/form-data",
        headers=world.headers(role) if headers is None else headers,
    )  # fmt: skip


def test_the_liaison_submits_files_and_everyone_downloads_them(client, tenant, city):
    task_id = _task(tenant)
    resp = _upload(client, tenant, task_id, files=[(PNG, "现场照片.png"), (b"%PDF-1.4\n%%EOF\n", "经验材料.pdf")])
    assert resp.status_code == 201, resp.json
    assert [f["filename"] for f in resp.json["files"]] == ["现场照片.png", "经验材料.pdf"]
    assert (resp.json["revision"], resp.json["status"]) == (1, "submitted")
    base = f"/api/v1/reporting/tasks/{task_id}/submission"
    seen = client.get(base, headers=tenant.headers("viewer"))
    assert seen.status_code == 200
    assert seen.json["files"][0]["content_type"] == "image/png"
    got = client.get(f"{base}/files/0", headers=tenant.headers("viewer"))
    assert got.status_code == 200
    assert got.data == PNG
    assert "attachment" in got.headers["Content-Disposition"]
    got.close()  # a download streams from a file: close it
    assert client.get(f"{base}/files/2", headers=tenant.headers("viewer")).status_code == 404
    by_city = client.get(f"/api/v1/tenants/alpha/reporting/tasks/{task_id}/submission/files/1",
                         headers=city.headers("city_supervisor"))  # fmt: skip
    assert by_city.status_code == 200
    by_city.close()
    # Submitted once: again only after the city returns it.
    assert _upload(client, tenant, task_id).status_code == 409


def test_uploads_refused_bad_input_and_other_tenants(client, tenant, other_tenant):
    task_id = _task(tenant)
    base = f"/api/v1/reporting/tasks/{task_id}/submission"
    assert client.get(base, headers=tenant.headers("viewer")).status_code == 404  # nothing submitted yet
    assert _upload(client, tenant, task_id, role="tenant_admin").status_code == 403  # not the liaison
    assert _upload(client, tenant, task_id, role="viewer").status_code == 403
    assert _upload(client, tenant, task_id, headers={}).status_code == 401
    no_text = _upload(client, tenant, task_id, text=None)
    assert no_text.status_code == 422
    assert "text" in no_text.json["errors"]["form"]
    bad_file = _upload(client, tenant, task_id, files=[(b"MZ\x90\x00 not a document", "virus.exe")])
    assert bad_file.status_code == 422
    assert "files" in bad_file.json["errors"]["json"]
    empty = _upload(client, tenant, task_id, files=[(b"", "empty.png")])
    assert empty.status_code == 422
    assert "files" in empty.json["errors"]["json"]
    assert client.get(base, headers=tenant.headers("viewer")).status_code == 404  # nothing half-saved
    # Beta's users: the task does not exist for them.
    other = other_tenant.headers("tenant_admin")
    assert _upload(client, other_tenant, task_id, role="tenant_admin").status_code == 404
    assert client.get(base, headers=other).status_code == 404
    assert client.get(f"{base}/files/0", headers=other).status_code == 404
    assert _upload(client, tenant, task_id).status_code == 201
    for role in ("tenant_admin", "officer", "viewer"):
        h = other_tenant.headers(role)
        assert client.get(f"{base}/files/0", headers=h).status_code == 404
        assert client.get(f"/api/v1/tenants/alpha/reporting/tasks/{task_id}/submission", headers=h).status_code == 404
