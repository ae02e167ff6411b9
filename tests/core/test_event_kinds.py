"""Audit event kinds: namespaced by their owner, declared with a Chinese label; older bare kinds keep reading."""

from __future__ import annotations

import re

import pytest
from fixtures.app import undeclared_event_kinds
from fixtures.data import PASSWORD
from fixtures.ledger import act, post_problem

from core import hookimpl
from core.audit import chain
from core.default_hooks import CORE_EVENT_KINDS
from core.domains import NAMESPACED_KIND, EventKind
from core.oversight.models import Notification
from core.platform.db import db, tenant_scope
from core.plugins import PluginError, PluginRegistry, get_plugin_manager


def test_every_kind_the_core_declares_is_namespaced_with_its_old_bare_name():
    for slug, label, legacy in CORE_EVENT_KINDS:
        assert NAMESPACED_KIND.fullmatch(slug), slug
        assert slug.split(".")[0] in ("ledger", "checklists", "public", "oversight", "documents"), slug
        assert label, slug
        assert not label.isascii(), slug  # a Chinese label
        # kinds older than namespacing keep their bare name; kinds born namespaced (documents.*) have none
        assert legacy is None or "." not in legacy, legacy
        assert legacy is not None or slug.startswith("documents."), slug


def test_an_event_stored_under_its_old_bare_kind_still_verifies_and_reads_in_chinese(
    app, client, runner, clock, tenant
):
    created = post_problem(client, tenant)
    pid = created.json["id"]
    with tenant_scope(tenant.tenant.id):
        # As a release before namespacing wrote it: the bare kind is in the hashed body too.
        old = chain._append("referred", "user:1", {"referral_id": 1}, pid, True)
    db.session.commit()
    assert '"kind":"referred"' in old.body
    act(client, tenant, "tenant_admin", pid, "assign", created.headers["ETag"])

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "broken: 0" in result.output
    history = client.get(f"/api/v1/problems/{pid}/history", headers=tenant.headers("officer")).json["items"]
    assert [(e["kind"], e["label"]) for e in history] == [
        ("ledger.created", "登记"), ("referred", "移送纪检监察"), ("ledger.assigned", "交办"),
    ]  # fmt: skip
    registry = app.extensions["xingfeng"]
    assert registry.current_kind("referred") == "ledger.referred"
    assert registry.current_kind("ledger.referred") == "ledger.referred"
    assert registry.event_label("close") == registry.event_label("ledger.closed") == "销号"


def test_the_problem_page_shows_old_and_new_kinds_by_their_labels(client, clock, tenant):
    created = post_problem(client, tenant)
    pid = created.json["id"]
    with tenant_scope(tenant.tenant.id):
        chain._append("deadline_recomputed", "system:calendar", {"year": 2024, "changes": {}}, pid, True)
    db.session.commit()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    assert (
        client.post("/login", data={"username": "alpha.officer", "password": PASSWORD, "csrf_token": token}).status_code
        == 302
    )
    page = client.get(f"/problems/{pid}").get_data(as_text=True)
    assert "重算整改时限" in page
    assert "deadline_recomputed" not in page
    assert "ledger.created" not in page


def test_a_legacy_assign_event_still_tells_the_responsible_unit(app, client, clock, tenant):
    """Readers take an old bare kind as the kind it became: the notification hook hears 'assign' as assigned."""
    created = post_problem(client, tenant)
    pid = created.json["id"]
    with tenant_scope(tenant.tenant.id):
        from core.ledger.models import Problem
        from core.oversight.hooks import xingfeng_after_problem_event

        problem = db.session.get(Problem, pid)
        event = chain._append("assign", "user:1", {"from": "registered", "to": "rectifying"}, pid, True)
        xingfeng_after_problem_event(tenant=None, unit=None, actor=None, problem=problem, event=event)
        told = db.session.scalars(
            db.select(Notification.kind).where(Notification.user_id == tenant.users["officer"].id)
        )
        assert list(told) == ["assignment"]


def test_core_refuses_to_append_a_bare_kind(tenant):
    with tenant_scope(tenant.tenant.id):
        for bad in ("close", "ledger.", ".closed", "Ledger.closed", "ledger.closed.again", " ledger.closed"):
            with pytest.raises(ValueError, match="namespaced"):
                chain.append(bad, "user:1", {})


def test_an_appended_kind_nobody_declared_is_caught(app, tenant):
    """The check every test's teardown runs (tests/fixtures/app.py) does find an undeclared kind."""
    assert undeclared_event_kinds(app) == set()
    nested = db.session.begin_nested()
    with tenant_scope(tenant.tenant.id):
        chain.append("ledger.never_declared", "user:1", {})
    assert undeclared_event_kinds(app) == {"ledger.never_declared"}
    nested.rollback()
    assert undeclared_event_kinds(app) == set()


def _collect_with(*kinds: EventKind):
    class Declares:
        @hookimpl
        def xingfeng_register_event_kinds(self):
            return list(kinds)

    pm = get_plugin_manager()
    pm.register(Declares(), name="declares")
    try:
        return PluginRegistry.collect(pm)
    finally:
        pm.unregister(name="declares")


def test_declarations_are_checked_at_start_up():
    reg = _collect_with(EventKind("metrology.instrument_registered", "登记计量器具", legacy=("instrument_registered",)))
    assert reg.event_label("metrology.instrument_registered") == "登记计量器具"
    assert reg.event_label("instrument_registered") == "登记计量器具"
    assert reg.current_kind("instrument_registered") == "metrology.instrument_registered"
    with pytest.raises(PluginError, match="duplicate event kind slug 'ledger.closed'"):
        _collect_with(EventKind("ledger.closed", "另一个销号"))
    with pytest.raises(PluginError, match="duplicate event kind slug 'close'"):
        _collect_with(EventKind("metrology.closed", "关闭", legacy=("close",)))
    with pytest.raises(PluginError, match="duplicate event kind slug 'metrology.x'"):
        _collect_with(EventKind("metrology.x", "甲"), EventKind("metrology.x", "乙"))
    with pytest.raises(PluginError, match="must be namespaced"):
        _collect_with(EventKind("instrument_registered", "登记计量器具"))
    with pytest.raises(PluginError, match="must be namespaced"):
        _collect_with(EventKind("metrology." + "x" * 40, "太长"))
