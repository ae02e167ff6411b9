"""The pages under their Content-Security-Policy in Chromium: nothing refused, and what runs in them still runs
(the page fixture fails a test on any CSP violation; these visit the main pages on purpose)."""

from __future__ import annotations

from test_browser import log_in


def test_login_and_the_api_docs_run_under_the_policy(page):
    response = page.goto("/login")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    page.goto("/api/docs")
    # Swagger UI is started by its init file, not an inline script: the operations show up.
    page.wait_for_selector(".swagger-ui .opblock", timeout=30000)
    assert "Xingfeng" in page.inner_text(".swagger-ui .info")
    assert not page.csp_violations, page.csp_violations


def test_the_ledger_and_a_problem_page_run_under_the_policy(page):
    log_in(page, "lj.officer1")
    response = page.goto("/ledger")
    assert response.headers["cache-control"] == "no-store"
    page.click("[data-testid=ledger] tbody a >> nth=0")
    page.wait_for_load_state()
    assert "/problems/" in page.url
    assert page.locator("[data-testid=whoami]").count() == 1
    # The new-problem form sends itself when the domain changes (data-autosubmit, not an onchange attribute).
    page.goto("/problems/new")
    page.fill("#title", "保留的标题")
    options = page.eval_on_selector_all("#domain option", "os => os.map(o => o.value)")
    other = next(v for v in options if v != page.eval_on_selector("#domain", "s => s.value"))
    with page.expect_navigation():
        page.select_option("#domain", other)
    assert page.eval_on_selector("#domain", "s => s.value") == other
    # The import form shows its progress note while it is sent (data-busy, not an onsubmit attribute).
    page.goto("/ledger/import")
    assert page.locator("#import-progress").is_hidden()
    # The upload itself is stopped, so that the page is seen as it is while a file is being sent.
    page.eval_on_selector("form[data-testid=import-form]", "f => f.addEventListener('submit', e => e.preventDefault())")
    page.click("form[data-testid=import-form] button[type=submit]")
    assert page.locator("#import-progress").is_visible()
    assert page.locator("form[data-testid=import-form] button").is_disabled()
    assert not page.csp_violations, page.csp_violations
