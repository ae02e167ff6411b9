"""Notifications: in-app on assignment, return, lights, orders and tasks; e-mail through SMTP, each sent once."""

from __future__ import annotations

import socketserver
import threading
from datetime import date

import pytest
from fixtures.ledger import act, later, post_problem, problem_body
from oversight_helpers import assigned_problem, post_form, web_login
from sqlalchemy import select

from core.auth.models import User
from core.oversight import notify
from core.oversight.models import Notification
from core.oversight.sweep import run_sweep
from core.platform.db import db, tenant_scope


class _SinkHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept mail: every message lands in the server's ``messages``."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 sink ready")
        envelope: dict = {"to": []}
        while True:
            line = self.rfile.readline().decode("utf-8", "replace").strip()
            verb = line[:4].upper()
            if not line or verb == "QUIT":
                self.reply("221 bye")
                return
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb == "MAIL":
                envelope = {"from": line, "to": []}
                self.reply("250 ok")
            elif verb == "RCPT":
                envelope["to"].append(line.split(":", 1)[1].strip("<> "))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk)
                envelope["data"] = b"".join(data)
                self.server.messages.append(envelope)
                self.reply("250 queued")
            elif verb == "RSET":
                self.reply("250 ok")
            else:
                self.reply("502 not here")


@pytest.fixture
def smtp_sink(app, monkeypatch):
    """A local SMTP server on 127.0.0.1, and the app's mail settings pointing at it."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SinkHandler)
    server.daemon_threads = True
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "MAIL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_SMTP_PORT", server.server_address[1])
    monkeypatch.setitem(app.config, "MAIL_FROM", "xingfeng@example.gov.cn")
    monkeypatch.setitem(app.config, "MAIL_BASE_URL", "https://xingfeng.example.gov.cn")
    try:
        yield server.messages
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _kinds(world, role):
    with tenant_scope(world.tenant.id):
        return sorted(db.session.scalars(select(Notification.kind).where(Notification.user_id == world.users[role].id)))


def test_assignment_and_return_reach_the_responsible_unit_once(client, tenant):
    created = post_problem(client, tenant, body=problem_body(tenant, deadline=later()))
    pid = created.json["id"]
    assigned = act(client, tenant, "tenant_admin", pid, "assign", created.headers["ETag"])
    assert _kinds(tenant, "officer") == ["assignment"]
    assert _kinds(tenant, "viewer") == []  # not of the station, not a unit role
    etag = assigned.headers["ETag"]
    for action in ("sign",):
        etag = act(client, tenant, "officer", pid, action, etag).headers["ETag"]
    client.post(f"/api/v1/problems/{pid}/notes", json={"text": "已整改"}, headers=tenant.headers("officer"))
    from fixtures.ledger import current_etag, upload

    upload(client, tenant, pid)
    etag = current_etag(client, tenant, pid)
    assert act(client, tenant, "officer", pid, "submit", etag).status_code == 200
    etag = current_etag(client, tenant, pid)
    assert act(client, tenant, "reviewer", pid, "return", etag, reason="材料不全").status_code == 200
    assert _kinds(tenant, "officer") == ["assignment", "return"]


def test_notifications_are_mailed_exactly_once(client, clock, tenant, smtp_sink):
    officer = db.session.get(User, tenant.users["officer"].id)
    notify.set_mail_address(officer, "officer@alpha.example.gov.cn")
    db.session.commit()
    assigned_problem(client, tenant, "2024-10-08")
    run_sweep(date(2024, 9, 30))  # assignment + yellow light
    run_sweep(date(2024, 9, 30))
    run_sweep(date(2024, 9, 30))
    assert len(smtp_sink) == 2
    assert {m["to"][0] for m in smtp_sink} == {"officer@alpha.example.gov.cn"}
    subjects = b"".join(m["data"] for m in smtp_sink)
    assert b"https://xingfeng.example.gov.cn/problems/" in subjects
    run_sweep(date(2024, 10, 9))  # red light: one more mail, nothing repeated
    run_sweep(date(2024, 10, 9))
    assert len(smtp_sink) == 3
    assert _kinds(tenant, "officer") == ["assignment", "light_red", "light_yellow"]


def test_without_smtp_nothing_is_mailed_and_the_page_says_so(client, tenant):
    web_login(client, "alpha.officer")
    page = client.get("/notifications").get_data(as_text=True)
    assert "尚未配置邮件服务器" in page


def test_the_notification_page_counts_unread_and_marks_read(client, tenant):
    created = post_problem(client, tenant, body=problem_body(tenant, deadline=later()))
    act(client, tenant, "tenant_admin", created.json["id"], "assign", created.headers["ETag"])
    web_login(client, "alpha.officer")
    page = client.get("/notifications").get_data(as_text=True)
    assert 'data-testid="unread-count">1<' in page
    assert 'data-kind="assignment"' in page
    assert post_form(client, "/notifications", {"action": "read_all"}).status_code == 302
    assert 'data-testid="unread-count"' not in client.get("/notifications").get_data(as_text=True)
    resp = post_form(client, "/notifications", {"action": "email", "email": "not an address"})
    assert resp.status_code == 422
    assert 'data-testid="error-email"' in resp.get_data(as_text=True)
    assert post_form(client, "/notifications", {"action": "email", "email": "me@alpha.gov.cn"}).status_code == 302
    assert notify.mail_address(db.session.get(User, tenant.users["officer"].id)) == "me@alpha.gov.cn"


def test_a_user_sees_only_their_own_notifications(client, tenant, other_tenant):
    created = post_problem(client, tenant, body=problem_body(tenant, deadline=later()))
    act(client, tenant, "tenant_admin", created.json["id"], "assign", created.headers["ETag"])
    web_login(client, "beta.officer")
    page = client.get("/notifications").get_data(as_text=True)
    assert 'data-kind="assignment"' not in page
    web_login(client, "alpha.tenant_admin")
    assert 'data-kind="assignment"' not in client.get("/notifications").get_data(as_text=True)
    with tenant_scope(tenant.tenant.id):
        note = db.session.scalar(select(Notification))
    web_login(client, "beta.officer")
    post_form(client, "/notifications", {"action": "read", "id": str(note.id)})
    with tenant_scope(tenant.tenant.id):
        assert db.session.get(Notification, note.id).read_at is None


def test_city_notifications_are_hidden_from_every_tenant_scope(client, tenant, city):
    """Row-level security (PostgreSQL): a tenant's transaction sees no city notification, even with a raw SELECT."""
    from fixtures.app import ON_POSTGRES
    from sqlalchemy import text

    from core.platform.db import set_tenant

    notify.notify_city(None, "test:1", "order", "市局通知")
    db.session.commit()
    set_tenant(None)
    assert db.session.execute(text("SELECT count(*) FROM oversight_city_notification")).scalar_one() == 1
    set_tenant(tenant.tenant.id)
    seen = db.session.execute(text("SELECT count(*) FROM oversight_city_notification")).scalar_one()
    assert seen == (0 if ON_POSTGRES else 1)
    set_tenant(None)
