"""Browser fixtures: a live server on loopback with its own committed database, and Debian's Chromium."""

from __future__ import annotations

import contextlib
import shutil
import threading
from pathlib import Path

import pytest
from fixtures.ledger import later

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


PASSWORD = "browser-pass-1"


@contextlib.contextmanager
def demo_server(tmp_path_factory, name: str, seed=None, **config):
    """Serve the app on 127.0.0.1 with the demo city in a fresh SQLite file (pages need committed data).

    :param seed: called with a test client and a login function (username -> bearer headers) to add data first.
    :param config: extra app settings.
    """
    from fixtures.app import app_config
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from core.app import create_app
    from core.platform.db import db
    from tenants.provisioning import apply_specs
    from tenants.specs import load_specs

    folder = tmp_path_factory.mktemp(name)
    settings = app_config(f"sqlite:///{folder / 'live.sqlite3'}", EVIDENCE_FOLDER=str(folder / "evidence"))
    app = create_app({**settings, **config})
    app.config["MIGRATIONS_DATABASE_URL"] = None
    with app.app_context():
        upgrade(revision="heads")
        specs, errors = load_specs(
            Path(__file__).resolve().parents[2] / "tenants" / "specs",
            ["approval", "supervision", "enforcement", "paid_services", "integrity"],
        )
        assert not errors, errors
        apply_specs(specs, default_password=PASSWORD)
        db.session.commit()
    client = app.test_client()

    def login(username: str) -> dict:
        token = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD}).json
        return {"Authorization": f"Bearer {token['token']}"}

    if seed is not None:
        seed(client, login)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _two_problems(client, login) -> None:
    headers = login("lj.officer1")
    me = client.get("/api/v1/auth/me", headers=headers).json
    for title, deadline in (("窗口人员服务态度生硬", "2024-01-31"), ("办件材料反复要求补正", later())):
        resp = client.post(
            "/api/v1/problems",
            json={"domain": "general", "category": "attitude", "title": title, "description": title,
                  "unit_id": me["unit"]["id"], "rectification_type": "deadline", "deadline": deadline},
            headers=headers,
        )  # fmt: skip
        assert resp.status_code == 201, resp.json


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The demo city with two problems of lj.officer1's unit, one of them overdue."""
    with demo_server(tmp_path_factory, "live", _two_problems) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"],
        )  # fmt: skip
        try:
            yield browser
        finally:
            browser.close()


#: Chromium tells of a blocked inline script, style or frame on the console; the event catches the rest
CSP_REPORTER = """document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " " + (e.blockedURI || "inline") + " at " + e.sourceFile);
});"""


def csp_violation(message: str) -> bool:
    return "CSP violation" in message or "Refused to" in message or "Content Security Policy" in message


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser page that refuses (and fails the test on) any request off this machine and any breach of
    the pages' Content-Security-Policy."""
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    context.add_init_script(CSP_REPORTER)
    offsite, failures, violations = [], [], []

    def guard(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "http://localhost")) or url.startswith("data:"):
            return route.continue_()
        offsite.append(url)
        return route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: violations.append(f"{page.url}: {m.text}") if csp_violation(m.text) else None)
    page.failures = failures
    page.csp_violations = violations
    try:
        yield page
    finally:
        failed = getattr(request.node, "report_call", None)
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        context.close()
    assert not offsite, f"requests off this machine: {offsite}"
    assert not violations, f"Content-Security-Policy violations: {violations}"
