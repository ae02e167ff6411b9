"""The plugin manager: entry points, per-unit enablement, and the hook meta-tests from STYLE.md."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from fixtures.ledger import post_problem, upcoming_body

from core import hookspecs
from core.plugins import PROJECT, PluginError, PluginRegistry, get_plugin_manager, installed_entry_points

ROOT = Path(__file__).resolve().parents[2]
HOOK_NAMES = sorted(n for n, f in inspect.getmembers(hookspecs, inspect.isfunction) if n.startswith("xingfeng_"))
BUNDLED = {"approval", "supervision", "enforcement", "paid_services"}


def test_bundled_plugins_come_through_the_entry_point_group():
    names = {ep.name for ep in installed_entry_points()}
    assert names >= BUNDLED
    pm = get_plugin_manager()
    assert {pm.get_name(p) for p, _ in pm.list_plugin_distinfo()} >= BUNDLED


def test_docs_name_the_entry_point_group_that_is_loaded():
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert f"[project.entry-points.{PROJECT}]" in text
    assert PROJECT == "xingfeng"
    assert "pm.load_setuptools_entrypoints(PROJECT)" in (ROOT / "core" / "plugins.py").read_text()


def test_environment_variable_disables_outside_plugins(monkeypatch):
    monkeypatch.setenv("XINGFENG_DISABLE_PLUGINS", "1")
    pm = get_plugin_manager()
    # Only the core's own hook modules (get_plugins is a set: compare sorted).
    assert sorted(pm.get_name(p) for p in pm.get_plugins()) == ["core", "figures", "oversight"]


def test_every_hook_is_documented():
    for name in HOOK_NAMES:
        spec = getattr(hookspecs, name)
        doc = inspect.getdoc(spec) or ""
        assert doc.strip(), name
        for param in inspect.signature(spec).parameters:
            assert f":param {param}:" in doc, (name, param)
        if inspect.signature(spec).return_annotation not in (None, "None"):
            assert ":return:" in doc, name
        assert f"`{name}`" in (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8"), name


def test_every_hook_has_a_test():
    source = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))
    for name in HOOK_NAMES:
        assert f"def test_hook_{name}" in source, name


def test_check_pending_passes():
    get_plugin_manager().check_pending()


def test_hook_xingfeng_register_domains(app):
    domains = app.extensions["xingfeng"].domains
    assert set(domains) >= BUNDLED | {"general"}
    assert app.extensions["xingfeng"].plugin_of("supervision") == "supervision"


def test_hook_xingfeng_register_fields(app):
    fieldsets = app.extensions["xingfeng"].fieldsets
    assert {f.domain for f in fieldsets.values()} >= BUNDLED


def test_hook_xingfeng_register_blueprints(app):
    assert "/api/v1/plugins/supervision/credit-code/check" in {r.rule for r in app.url_map.iter_rules()}


def test_hook_xingfeng_register_figures(app):
    from core.figures import providers
    from core.plugin_api import FigureProvider, hookimpl
    from plugins.enforcement import figures

    registry = app.extensions["xingfeng"]
    assert set(registry.figures) == {"case_review_score", "case_review_fail_share", "integrity_risk_coverage",
                                    "integrity_training_hours", "integrity_warning_coverage",
                                    "integrity_certificates_expiring", "integrity_certificates_expired",
                                    "integrity_interference", "integrity_leads_received", "integrity_leads_handled",
                                    "integrity_leads_substantiated"}  # fmt: skip
    assert registry.figures["case_review_score"].compute is figures.case_review_score
    with app.app_context():
        shown = providers.registered()
        assert shown["case_review_fail_share"].kind == "rate"
        assert set(list(shown)[-len(registry.figures) :]) == set(registry.figures)  # after the core's own
        assert set(list(shown)[-len(registry.figures):]) == set(registry.figures)  # after the core's own
    assert "case_review_score" not in providers.own()  # the core no longer knows the plugin's tables

    def nothing(session, period, tenant_ids, by_unit):
        return {}

    def clash(slug):
        class Clash:
            @hookimpl
            def xingfeng_register_figures(self):
                return [FigureProvider(slug, "重复", nothing)]

        return Clash()

    for slug in ("case_review_score", "coverage"):  # another plugin's figure, or one of the core's
        pm = get_plugin_manager()
        pm.register(clash(slug), name="clash")
        try:
            with pytest.raises(PluginError, match="duplicate figure"):
                PluginRegistry.collect(pm)
        finally:
            pm.unregister(name="clash")


def test_hook_xingfeng_startup(make_app, monkeypatch):
    """Called once, last in create_app, with the app (an installed plugin's: tests/core/test_plugin_distribution.py)."""
    import core.app
    from core.plugin_api import hookimpl

    started = []

    class Starter:
        @hookimpl
        def xingfeng_startup(self, app):
            # Last: the plugins' registry is collected and their blueprints are mounted.
            started.append((app, "xingfeng" in app.extensions, "approval_pages" in app.blueprints))

    def manager(load_entrypoints=True):
        pm = get_plugin_manager(load_entrypoints)
        pm.register(Starter(), name="starter")
        return pm

    monkeypatch.setattr(core.app, "get_plugin_manager", manager)
    app = make_app()
    assert started == [(app, True, True)]


# An outside plugin installed as a distribution, with a table, API, page, figure, checklist and sweep:
# tests/core/test_plugin_distribution.py.


def test_disabled_plugin_contributes_nothing_at_the_unit(client, tenant):
    h = tenant.headers("tenant_admin")
    check = {"code": "914403001922038216"}
    assert client.post("/api/v1/plugins/supervision/credit-code/check", json=check, headers=h).status_code == 200
    client.put(f"/api/v1/units/{tenant.root.id}/plugins/supervision", json={"enabled": False}, headers=h)
    resp = client.post("/api/v1/plugins/supervision/credit-code/check", json=check, headers=h)
    assert resp.status_code == 404
    assert resp.is_json


def test_subset_hook_caller_skips_disabled_plugins(app):
    registry = app.extensions["xingfeng"]
    with app.app_context():
        results = registry.hook_for("xingfeng_register_domains", ["approval"])()
    slugs = {d.slug for result in results for d in result}
    assert slugs == {"approval", "general"}


def test_duplicate_slugs_are_refused():
    from core import hookimpl
    from core.domains import Domain

    class Clash:
        @hookimpl
        def xingfeng_register_domains(self):
            return [Domain("approval", "重复", "Duplicate")]

    pm = get_plugin_manager()
    pm.register(Clash(), name="clash")
    try:
        with pytest.raises(PluginError, match="duplicate domain"):
            PluginRegistry.collect(pm)
    finally:
        pm.unregister(name="clash")


@pytest.fixture
def temporary_plugin(app):
    """Register a plugin object on the app's manager for one test, and always unregister it."""
    pm = app.extensions["xingfeng"].pm
    registered = []

    def register(obj, name):
        pm.register(obj, name=name)
        registered.append(name)
        return obj

    try:
        yield register
    finally:
        for name in registered:
            pm.unregister(name=name)


def _new_problem(client, world):
    return post_problem(client, world, body=upcoming_body(world, category="other", title="测试问题"))


def test_hook_xingfeng_validate_transition(client, tenant, temporary_plugin):
    from core import hookimpl

    seen = []

    class NeedsReReview:
        @hookimpl
        def xingfeng_validate_transition(self, tenant, unit, actor, problem, action, payload):
            seen.append((tenant.slug, unit.code, actor.username, problem.status, action))
            return "须先完成案卷复查" if action == "dismiss" else None

    temporary_plugin(NeedsReReview(), "needs-rereview")
    created = _new_problem(client, tenant)
    pid = created.json["id"]
    headers = {**tenant.headers("tenant_admin"), "If-Match": created.headers["ETag"]}
    refused = client.post(f"/api/v1/problems/{pid}/actions/dismiss", json={"reason": "不实"}, headers=headers)
    assert refused.status_code == 409
    assert refused.json["reasons"] == ["须先完成案卷复查"]
    assert client.get(f"/api/v1/problems/{pid}", headers=tenant.headers("officer")).json["status"] == "registered"
    assert client.post(f"/api/v1/problems/{pid}/actions/assign", json={}, headers=headers).status_code == 200
    assert seen == [("alpha", "station", "alpha.tenant_admin", "registered", "dismiss"),
                    ("alpha", "station", "alpha.tenant_admin", "registered", "assign")]  # fmt: skip


def test_hook_xingfeng_after_problem_event(client, tenant, temporary_plugin):
    from core import hookimpl

    events = []

    class Listener:
        @hookimpl
        def xingfeng_after_problem_event(self, tenant, unit, actor, problem, event):
            events.append((event.kind, problem.number, unit.code, event.seq))

    temporary_plugin(Listener(), "listener")
    created = _new_problem(client, tenant)
    headers = {**tenant.headers("tenant_admin"), "If-Match": created.headers["ETag"]}
    client.post(f"/api/v1/problems/{created.json['id']}/actions/assign", json={}, headers=headers)
    assert [e[0] for e in events] == ["ledger.created", "ledger.assigned"]
    assert events[0][1] == created.json["number"]
    assert events[1][3] == events[0][3] + 1


def test_ledger_hooks_reach_only_plugins_enabled_at_the_unit(client, tenant, app, monkeypatch):
    from core import hookimpl

    calls = []

    class SupervisionListener:
        @hookimpl
        def xingfeng_after_problem_event(self, tenant, unit, actor, problem, event):
            calls.append(event.kind)

    registry = app.extensions["xingfeng"]
    registry.pm.register(SupervisionListener(), name="supervision-listener")
    monkeypatch.setitem(registry.plugin_domains, "supervision-listener", ["supervision"])
    try:
        h = tenant.headers("tenant_admin")
        client.put(f"/api/v1/units/{tenant.station.id}/plugins/supervision", json={"enabled": False}, headers=h)
        _new_problem(client, tenant)
        assert calls == []
        client.put(f"/api/v1/units/{tenant.station.id}/plugins/supervision", json={"enabled": None}, headers=h)
        _new_problem(client, tenant)
        assert calls == ["ledger.created"]
    finally:
        registry.pm.unregister(name="supervision-listener")


def test_hook_xingfeng_sweep(app, client, tenant, other_tenant, temporary_plugin, monkeypatch):
    from datetime import date

    from core import hookimpl
    from core.oversight.sweep import run_sweep
    from core.platform.db import current_tenant_id

    calls = []

    class Publisher:
        @hookimpl
        def xingfeng_sweep(self, tenant, today):
            # Called inside the swept tenant's scope, with the sweep's date.
            calls.append((tenant.slug, today, current_tenant_id()))
            return 2

    temporary_plugin(Publisher(), "publisher")
    monkeypatch.setitem(app.extensions["xingfeng"].plugin_domains, "publisher", ["supervision"])
    # beta has the supervision domain off at every unit: its plugins' sweep is not called there.
    h = other_tenant.headers("tenant_admin")
    client.put(f"/api/v1/units/{other_tenant.root.id}/plugins/supervision", json={"enabled": False}, headers=h)
    run = run_sweep(date(2024, 10, 9))
    assert calls == [("alpha", date(2024, 10, 9), tenant.tenant.id)]
    assert run.counts["plugins"] == 2
    run_sweep(date(2024, 10, 9))
    assert len(calls) == 2  # the hook runs on every sweep; keeping it idempotent is the plugin's part


def test_hook_xingfeng_register_report_referrals(app):
    """A plugin's way to triage a public report is collected by slug; a duplicate or unknown domain stops start-up."""
    from core.plugin_api import ReportReferral, hookimpl

    registry = app.extensions["xingfeng"]
    lead = registry.referrals["integrity.lead"]
    assert (lead.domain, lead.label, lead.roles) == ("integrity", "转为问题线索", ("reviewer",))
    assert "已转有关部门办理" in lead.reply

    def other(slug, domain):
        class Other:
            @hookimpl
            def xingfeng_register_report_referrals(self):
                return [ReportReferral(slug=slug, domain=domain, label="转办", roles=("reviewer",),
                                       refer=lambda caller, report, data: "")]  # fmt: skip

        return Other()

    for slug, domain, message in (("integrity.lead", "integrity", "duplicate report referral"),
                                  ("x.y", "nowhere", "unknown domain")):  # fmt: skip
        pm = get_plugin_manager()
        pm.register(other(slug, domain), name="other")
        try:
            with pytest.raises(PluginError, match=message):
                PluginRegistry.collect(pm)
        finally:
            pm.unregister(name="other")


def test_hook_xingfeng_register_event_kinds(app):
    registry = app.extensions["xingfeng"]
    assert registry.event_label("close") == "销号"
    assert registry.event_label("enforcement.case_file_registered") == "登记案卷"
    # Events recorded before kinds were namespaced keep their label; the chain is not rewritten.
    assert registry.event_label("case_file_registered") == "登记案卷"
    assert registry.event_label("paid_services.flag_to_problem") == "收费疑点转为问题"
    assert registry.event_label("nobody.declared") == "nobody.declared"


def test_plugin_events_must_be_namespaced(app):
    from core.plugin_api import append_event

    with pytest.raises(ValueError, match="namespaced"):
        append_event("case_file_registered", "user:1", {})


def test_hook_xingfeng_load_demo_data(app, runner, tenant, other_tenant, temporary_plugin, monkeypatch):
    from core import hookimpl
    from core.platform.db import current_tenant_id, db, tenant_scope
    from core.tenancy.models import Unit
    from core.tenancy.service import set_unit_domain

    calls = []

    class DemoMaker:
        @hookimpl
        def xingfeng_load_demo_data(self, tenant, today):
            # Called inside the tenant's scope, with today's date in Asia/Shanghai.
            calls.append((tenant.slug, current_tenant_id()))
            return 3

    temporary_plugin(DemoMaker(), "demo-maker")
    monkeypatch.setitem(app.extensions["xingfeng"].plugin_domains, "demo-maker", ["supervision"])
    # beta has the supervision domain off at every unit: its plugins' demo data is not asked for there.
    with tenant_scope(other_tenant.tenant.id):
        set_unit_domain(db.session.get(Unit, other_tenant.root.id), "supervision", False)
        db.session.commit()
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert ("alpha", tenant.tenant.id) in calls
    assert all(slug != "beta" for slug, _ in calls)
    assert "alpha: " in result.output
