"""The pages in Debian's Chromium: every role logs in and follows every link it has; no error, nothing off-site."""

from __future__ import annotations

import pytest

PLACEHOLDERS = ("TODO", "Lorem", "待开发", "敬请期待", "placeholder")
ROLES = ["lj.admin", "lj.officer1", "lj.reviewer", "lj.viewer", "city.admin", "city.supervisor"]


def log_in(page, username, password="browser-pass-1"):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("username", ROLES)
def test_every_role_follows_every_link(page, username):
    log_in(page, username)
    assert page.locator("[data-testid=whoami]").count() == 1, page.content()
    seen, queue = set(), [page.url]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        text = page.inner_text("body")
        assert not [p for p in PLACEHOLDERS if p in text], (url, text[:300])
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            if href.startswith(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2]) and "cursor=" not in href:
                queue.append(href)
    assert len(seen) >= 2
    assert not page.failures, page.failures


def test_the_ledger_page_in_the_browser(page):
    log_in(page, "lj.officer1")
    page.goto("/ledger")
    table = page.locator("[data-testid=ledger]")
    assert "窗口人员服务态度生硬" in table.inner_text()
    assert page.locator("[data-light=red]").count() == 1
    page.select_option("#light", "red")
    page.click("form[data-testid=filters] button[type=submit]")
    page.wait_for_load_state()
    assert "办件材料反复要求补正" not in page.locator("[data-testid=ledger]").inner_text()
    assert not page.failures, page.failures


def test_wrong_password_is_told_in_chinese_and_logout_ends_the_session(page):
    log_in(page, "lj.officer1", "not-the-password-1")
    assert page.locator("[data-testid=login-error]").inner_text() == "用户名或密码错误"
    log_in(page, "lj.officer1")
    page.click("text=退出")
    page.wait_for_load_state()
    page.goto("/ledger")
    assert "/login" in page.url


def test_english_is_one_click_away(page):
    log_in(page, "lj.officer1")
    page.click("text=English")
    page.wait_for_load_state()
    assert "Problem ledger" in page.inner_text("body")
