"""Date fields in an English Chromium: they show and take 2026-12-02, not the locale's mm/dd/yyyy."""

from __future__ import annotations

from datetime import date

import pytest
from fixtures.ledger import later
from test_browser import log_in

MESSAGE = "日期格式应为 2026-12-02（年-月-日）"


@pytest.fixture
def english_page(browser, live_server):
    """A page in a browser whose locale is en-US (what makes <input type=date> show mm/dd/yyyy)."""
    context = browser.new_context(base_url=live_server, locale="en-US")
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
                  else route.abort())  # fmt: skip
    try:
        yield context.new_page()
    finally:
        context.close()


def test_a_date_field_shows_and_submits_year_month_day_in_an_english_browser(english_page):
    page = english_page
    assert page.evaluate("navigator.language") == "en-US"
    log_in(page, "lj.officer1")
    page.goto("/problems/new")
    field = page.locator("#deadline")
    assert field.get_attribute("type") == "text"
    assert field.get_attribute("placeholder") == "2026-12-02"
    assert field.get_attribute("inputmode") == "numeric"
    # What is typed the Chinese way, or with slashes, is shown as 2026-12-02.
    field.fill("2026年12月2日")
    field.blur()
    assert field.input_value() == "2026-12-02"
    # A US-style date is refused beside the field, in Chinese, before anything is sent.
    field.fill("12/02/2026")
    field.blur()
    assert field.evaluate("el => el.validationMessage") == MESSAGE
    # A real deadline typed as y/m/d is sent as yyyy-mm-dd and shown so on the problem page.
    due = date.fromisoformat(later(180))
    page.select_option("#category", "attitude")
    page.fill("#title", "英文浏览器里登记的问题")
    page.fill("#description", "日期按年-月-日填写")
    field.fill(f"{due.year}/{due.month}/{due.day}")
    page.click("[data-testid=new-problem] button[type=submit]")
    page.wait_for_load_state()
    body = page.inner_text("body")
    assert "已登记问题" in body, body[:500]
    assert due.isoformat() in body
    # The ledger's filter is a date field too, with the same form.
    page.goto("/ledger")
    assert page.locator("#deadline_from").get_attribute("placeholder") == "2026-12-02"
