"""The pages in Debian's Chromium: every role logs in and follows every link it has; no error, nothing off-site."""

from __future__ import annotations

import pytest
from fixtures.ledger import later

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
            if not href.startswith(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2]) or "cursor=" in href:
                continue
            if "/export." in href or "/attachments/" in href or href.split("?")[0].endswith((".xlsx", ".docx", ".csv")):
                # A download, not a page: fetched with the page's session, it must answer 200 too.
                assert page.request.get(href).status == 200, href
            else:
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


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def move(page, action, **fields):
    form = page.locator(f"[data-testid=move-{action}]")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_the_main_path_in_the_browser(browser, live_server, tmp_path):
    """Create, assign, sign, submit, return, resubmit and close a problem, with evidence, as four people would."""
    evidence = tmp_path / "整改照片.png"
    evidence.write_bytes(PNG)
    contexts = {}

    def as_user(username):
        if username not in contexts:
            context = browser.new_context(base_url=live_server, locale="zh-CN")
            page = context.new_page()
            log_in(page, username)
            contexts[username] = page
        return contexts[username]

    try:
        officer = as_user("lj.officer1")
        officer.goto("/problems/new")
        officer.select_option("#category", "attitude")
        officer.fill("#title", "浏览器里登记的问题")
        officer.fill("#description", "窗口人员对咨询群众不耐烦")
        officer.fill("#deadline", later(180))
        officer.click("[data-testid=new-problem] button[type=submit]")
        officer.wait_for_load_state()
        assert "已登记问题" in officer.inner_text("body"), officer.inner_text("body")[:500]
        url = officer.url.replace(live_server, "")

        admin = as_user("lj.admin")
        admin.goto(url)
        move(admin, "assign")
        assert admin.inner_text("[data-testid=status]") == "整改中"

        officer.goto(url)
        move(officer, "sign")
        officer.fill("#note-text", "已约谈当事人并组织培训")
        officer.click("[data-testid=add-note] button[type=submit]")
        officer.wait_for_load_state()
        officer.set_input_files("#evidence", str(evidence))
        officer.click("[data-testid=upload] button[type=submit]")
        officer.wait_for_load_state()
        assert "整改照片.png" in officer.inner_text("[data-testid=attachments]")
        move(officer, "submit")
        assert officer.inner_text("[data-testid=status]") == "已提交验收"

        reviewer = as_user("lj.reviewer")
        reviewer.goto(url)
        move(reviewer, "return", reason="请补充培训签到表")
        assert reviewer.inner_text("[data-testid=status]") == "整改中"

        officer.goto(url)
        move(officer, "submit")  # nothing new since the return: refused, and the page says why
        assert "退回后重新提交须补充新的整改说明或佐证材料" in officer.inner_text("body")
        assert officer.inner_text("[data-testid=status]") == "整改中"
        officer.fill("#note-text", "已补充培训签到表")
        officer.click("[data-testid=add-note] button[type=submit]")
        officer.wait_for_load_state()
        move(officer, "submit")
        assert officer.inner_text("[data-testid=status]") == "已提交验收"
        reviewer.goto(url)
        move(reviewer, "close", opinion="整改到位，同意销号")
        assert reviewer.inner_text("[data-testid=status]") == "已销号"
        assert reviewer.locator("[data-testid=history] li").count() == 10
        with reviewer.expect_download() as download:
            reviewer.click("[data-testid=attachments] a")
        assert download.value.suggested_filename == "整改照片.png"
    finally:
        for page in contexts.values():
            page.context.close()


def test_the_ledger_exports_to_an_excel_file_that_opens(page, tmp_path):
    from openpyxl import load_workbook

    log_in(page, "lj.officer1")
    page.goto("/ledger")
    with page.expect_download() as download:
        page.click("[data-testid=export]")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("问题台账-linjiang-")
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "问题来源", "问题类别", "问题描述")
    assert any("窗口人员服务态度生硬" in (cell or "") for row in rows[1:] for cell in row if isinstance(cell, str))


def test_usable_on_a_phone(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        log_in(page, "lj.officer1")
        page.goto("/ledger")
        assert page.locator(".navbar-toggler").is_visible()
        # Nothing wider than the screen but the ledger table, which scrolls inside its own box.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        page.click(".navbar-toggler")
        page.wait_for_selector("text=修改密码", state="visible")
    finally:
        context.close()
