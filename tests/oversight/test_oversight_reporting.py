"""信息报送: tasks for chosen tenants, the liaison's submission, the city's matrix, returns and typical experiences."""

from __future__ import annotations

import io
import re
from datetime import date

from fixtures.ledger import PNG
from oversight_helpers import post_form, web_login
from sqlalchemy import select

from core.auth.models import User
from core.oversight import service
from core.oversight.models import Notification, ReportingTask
from core.platform.db import db, tenant_scope


def _liaison(world, role="officer"):
    db.session.get(User, world.users[role].id).is_liaison = True
    db.session.commit()


def _task(client, tenants, kind="monthly", due="2024-10-08", title="9月整改进展"):
    web_login(client, "city.supervisor")
    data = {"kind": kind, "title": title, "due_on": due, "description": "按月报送"}
    resp = client.post(
        "/city/reporting",
        data={**data, "tenant_ids": [str(t.tenant.id) for t in tenants], "csrf_token": _csrf(client)},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return int(re.search(r"/city/reporting/(\d+)$", resp.headers["Location"]).group(1))


def _csrf(client):
    from oversight_helpers import csrf

    return csrf(client, "/notifications")


def _submit(client, task_id, text="本月整改完成 12 项", files=()):
    data = {"action": "submit", "text": text, "csrf_token": _csrf(client)}
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/reporting/{task_id}", data=data, content_type="multipart/form-data")


def test_the_reporting_matrix_shows_submitted_late_and_missing(client, clock, tenant, other_tenant, city):
    _liaison(tenant)
    _liaison(other_tenant)
    task_id = _task(client, [tenant, other_tenant])
    with tenant_scope(tenant.tenant.id):
        told = db.session.scalars(select(Notification.kind).where(Notification.user_id == tenant.users["officer"].id))
        assert list(told) == ["report_task"]
    web_login(client, "alpha.officer")
    resp = _submit(client, task_id, files=[("照片.png", PNG)])
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    with client.get(f"/reporting/{task_id}/files/0") as download:
        assert download.status_code == 200
        assert download.data == PNG
    task = db.session.get(ReportingTask, task_id)
    states = {r.tenant: r.state for r in service.reporting_matrix(task, date(2024, 10, 9))}
    assert states == {"alpha区市场监督管理局": "submitted", "beta区市场监督管理局": "missing"}
    assert {r.state for r in service.reporting_matrix(task, date(2024, 9, 30))} == {"submitted", "pending"}
    # beta submits after the due date: late, and stays late.
    clock.move_to("2024-10-10 09:00+08:00")
    web_login(client, "beta.officer")
    assert _submit(client, task_id).status_code == 302
    states = {r.tenant: r.state for r in service.reporting_matrix(task, date(2024, 10, 10))}
    assert states["beta区市场监督管理局"] == "late"
    web_login(client, "city.supervisor")
    page = client.get(f"/city/reporting/{task_id}").get_data(as_text=True)
    assert 'data-state="submitted"' in page
    assert 'data-state="late"' in page


def test_the_city_returns_a_submission_for_revision(client, clock, tenant, city):
    _liaison(tenant)
    task_id = _task(client, [tenant])
    web_login(client, "alpha.officer")
    _submit(client, task_id)
    assert _submit(client, task_id).status_code == 409  # submitted: only a return reopens it
    web_login(client, "city.supervisor")
    resp = post_form(client, f"/tenants/alpha/reporting/{task_id}", {"action": "return", "reason": ""})
    assert resp.status_code == 422
    assert 'data-testid="error-reason"' in resp.get_data(as_text=True)
    resp = post_form(client, f"/tenants/alpha/reporting/{task_id}", {"action": "return", "reason": "数据不全"})
    assert resp.status_code == 302
    task = db.session.get(ReportingTask, task_id)
    assert [r.state for r in service.reporting_matrix(task)] == ["returned"]
    web_login(client, "alpha.officer")
    assert "数据不全" in client.get(f"/reporting/{task_id}").get_data(as_text=True)
    assert _submit(client, task_id, text="补充后的材料").status_code == 302
    with tenant_scope(tenant.tenant.id):
        row = service.submission_of(task)
        assert (row.revision, row.status, row.text) == (2, "submitted", "补充后的材料")
    assert [r.state for r in service.reporting_matrix(task)] == ["submitted"]


def test_only_the_liaison_submits_and_bad_input_is_named(client, clock, tenant, city):
    _liaison(tenant)
    task_id = _task(client, [tenant])
    web_login(client, "alpha.tenant_admin")  # not the liaison
    assert _submit(client, task_id).status_code == 403
    web_login(client, "alpha.officer")
    resp = _submit(client, task_id, text=" ")
    assert resp.status_code == 422
    assert 'data-testid="error-text"' in resp.get_data(as_text=True)
    web_login(client, "alpha.viewer")
    assert post_form(client, f"/reporting/{task_id}", {"action": "return", "reason": "x"}).status_code == 403


def test_a_task_for_other_tenants_is_not_found(client, clock, tenant, other_tenant, city):
    _liaison(tenant)
    task_id = _task(client, [other_tenant])
    web_login(client, "alpha.officer")
    assert client.get(f"/reporting/{task_id}").status_code == 404
    assert _submit(client, task_id).status_code == 404
    assert "9月整改进展" not in client.get("/reporting").get_data(as_text=True)
    assert client.get(f"/tenants/beta/reporting/{task_id}").status_code == 404


def test_the_city_form_names_bad_fields_and_refuses_tenant_users(client, clock, tenant, city):
    web_login(client, "city.admin")
    resp = post_form(client, "/city/reporting", {"kind": "weekly", "title": "", "due_on": "2024-10-08"})
    assert resp.status_code == 422
    assert 'data-testid="error-kind"' in resp.get_data(as_text=True)
    resp = post_form(client, "/city/reporting", {"kind": "monthly", "title": "t", "due_on": "2024-10-08"})
    assert resp.status_code == 422
    assert 'data-testid="error-tenant_ids"' in resp.get_data(as_text=True)
    web_login(client, "alpha.tenant_admin")
    assert client.get("/city/reporting").status_code == 403


def test_a_typical_experience_is_published_to_every_tenant(client, clock, tenant, other_tenant, city):
    _liaison(tenant)
    task_id = _task(client, [tenant], kind="typical_experience", title="典型经验征集")
    web_login(client, "alpha.officer")
    _submit(client, task_id, text="窗口“好差评”闭环做法", files=[("做法.png", PNG)])
    web_login(client, "city.supervisor")
    assert post_form(client, f"/tenants/alpha/reporting/{task_id}", {"action": "publish"}).status_code == 302
    assert post_form(client, f"/tenants/alpha/reporting/{task_id}", {"action": "publish"}).status_code == 409
    web_login(client, "beta.viewer")
    page = client.get("/experiences").get_data(as_text=True)
    assert "窗口“好差评”闭环做法" in page
    link = re.search(r'href="(/experiences/\d+/files/0)"', page).group(1)
    with client.get(link) as download:
        assert download.status_code == 200
        assert "attachment" in download.headers["Content-Disposition"]


# --- a past due date and closing on the pages (issue 13, item 2; the API: test_oversight_reporting_api.py) ------


def test_the_city_form_asks_to_confirm_a_past_due_date(client, clock, tenant, city):
    web_login(client, "city.supervisor")
    form = client.get("/city/reporting").get_data(as_text=True)
    assert re.search(r'data-testid="confirm-past-due"\s+hidden', form)  # today's form: no confirmation shown
    data = {"kind": "monthly", "title": "8月整改进展", "due_on": "2024-08-31", "tenant_ids": [str(tenant.tenant.id)]}
    refused = post_form(client, "/city/reporting", data)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'data-testid="error-due_on"' in page
    assert "请确认" in page or "确认后再提交" in page
    assert re.search(r'data-testid="confirm-past-due"\s*>', page)  # shown beside the date
    assert 'name="confirm_past_due"' in page
    assert db.session.scalars(select(ReportingTask)).all() == []
    accepted = post_form(client, "/city/reporting", {**data, "confirm_past_due": "true"})
    assert accepted.status_code == 302, accepted.get_data(as_text=True)[:500]
    assert db.session.scalars(select(ReportingTask.due_on)).all() == [date(2024, 8, 31)]


def test_the_city_changes_a_task_on_its_page(client, clock, tenant, city):
    task_id = _task(client, [tenant])
    base = {"kind": "monthly", "title": "9月整改进展（修订）", "description": "按月报送", "due_on": "2024-10-08",
            "tenant_ids": [str(tenant.tenant.id)]}  # fmt: skip
    resp = post_form(client, f"/city/reporting/{task_id}", {**base, "action": "change"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    assert db.session.get(ReportingTask, task_id).title == "9月整改进展（修订）"
    past = post_form(client, f"/city/reporting/{task_id}", {**base, "action": "change", "due_on": "2024-09-01"})
    assert past.status_code == 422
    assert 'data-testid="error-due_on"' in past.get_data(as_text=True)
    confirmed = {**base, "action": "change", "due_on": "2024-09-01", "confirm_past_due": "true"}
    assert post_form(client, f"/city/reporting/{task_id}", confirmed).status_code == 302
    assert db.session.get(ReportingTask, task_id).due_on == date(2024, 9, 1)
    web_login(client, "alpha.tenant_admin")
    assert post_form(client, f"/city/reporting/{task_id}", {**base, "action": "change"}).status_code == 403


def test_a_closed_task_shows_closed_and_takes_nothing_more(client, clock, tenant, other_tenant, city):
    _liaison(tenant)
    _liaison(other_tenant)
    task_id = _task(client, [tenant, other_tenant])
    web_login(client, "alpha.officer")
    assert _submit(client, task_id).status_code == 302
    web_login(client, "city.supervisor")
    assert post_form(client, f"/city/reporting/{task_id}", {"action": "close"}).status_code == 302
    page = client.get(f"/city/reporting/{task_id}").get_data(as_text=True)
    assert 'data-testid="task-closed"' in page
    assert "已关闭" in page
    assert 'data-testid="task-close-form"' not in page
    assert post_form(client, f"/city/reporting/{task_id}", {"action": "close"}).status_code == 409
    assert 'data-task-status="closed"' in client.get("/city/reporting").get_data(as_text=True)
    # No return either: the city's return form is gone and a posted one is refused.
    alpha_page = client.get(f"/tenants/alpha/reporting/{task_id}").get_data(as_text=True)
    assert 'data-testid="return-form"' not in alpha_page
    refused = post_form(client, f"/tenants/alpha/reporting/{task_id}", {"action": "return", "reason": "补充"})
    assert refused.status_code == 409
    # beta's liaison sees 已关闭 and no form; a posted submission is refused.
    web_login(client, "beta.officer")
    listing = client.get("/reporting").get_data(as_text=True)
    assert 'data-task-status="closed"' in listing
    mine = client.get(f"/reporting/{task_id}").get_data(as_text=True)
    assert 'data-testid="closed-note"' in mine
    assert 'data-testid="report-form"' not in mine
    late = _submit(client, task_id)
    assert late.status_code == 409
    assert "已关闭" in late.get_data(as_text=True)
    with tenant_scope(other_tenant.tenant.id):
        assert service.submission_of(db.session.get(ReportingTask, task_id)) is None
