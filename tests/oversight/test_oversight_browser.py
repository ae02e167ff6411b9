"""The oversight pages in Debian's Chromium: an order from issue to answer, a reporting task from set to submitted."""

from __future__ import annotations


def log_in(page, username, password="browser-pass-1"):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_a_supervision_order_from_issue_to_answer(page):
    log_in(page, "lj.admin")
    page.click("nav >> text=督办")
    page.click("text=下发督办单")
    page.select_option("#unit_id", label="临江区市场监督管理局滨江市场监管所")
    page.fill("#demand", "请说明窗口服务整改进展")
    page.fill("#deadline", "2099-12-31")
    page.click("[data-testid=order-form] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=order-status]").inner_text() == "已下发"
    number = page.locator("h1").inner_text().split()[-1]

    log_in(page, "lj.officer1")
    assert int(page.locator("[data-testid=unread-count]").inner_text()) >= 1
    page.click("[data-testid=notifications-link]")
    page.click(f"[data-testid=notifications] a:has-text('{number}')")
    page.wait_for_load_state()
    page.click("[data-testid=acknowledge] button")
    page.wait_for_load_state()
    assert page.locator("[data-testid=order-status]").inner_text() == "已签收"
    page.fill("#answer", "已组织窗口人员培训")
    page.click("[data-testid=answer] button")
    page.wait_for_load_state()
    assert page.locator("[data-testid=order-status]").inner_text() == "已回复"
    assert "已组织窗口人员培训" in page.locator("[data-testid=order-answer]").inner_text()
    page.goto("/oversight/orders")
    row = page.locator(f"[data-order='{number}']")
    assert "已回复" in row.inner_text()
    assert not page.failures, page.failures


def test_a_reporting_task_from_the_city_to_the_liaison(page):
    log_in(page, "city.supervisor")
    page.click("nav >> text=信息报送")
    page.select_option("#kind", "monthly")
    page.fill("#title", "10月整改进展月报")
    page.fill("#due_on", "2099-10-31")
    page.check("label:has-text('临江区市场监督管理局') >> xpath=../input")
    page.click("[data-testid=task-form] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=reporting-matrix] [data-state=pending]").count() == 1
    task_url = page.url

    log_in(page, "lj.liaison")
    page.click("nav >> text=信息报送")
    page.click("text=10月整改进展月报")
    page.fill("#text", "本月完成整改 8 项，群众满意率 96%。")
    page.click("[data-testid=report-form] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=report-state]").inner_text() == "按时报送"

    log_in(page, "city.supervisor")
    page.goto(task_url)
    assert page.locator("[data-testid=reporting-matrix] [data-state=submitted]").count() == 1
    assert not page.failures, page.failures


def test_a_past_reporting_task_is_confirmed_then_closed(page):
    """Issue 13, item 2: a past due date shows the confirmation beside the date; a closed task shows 已关闭."""
    log_in(page, "city.supervisor")
    page.click("nav >> text=信息报送")
    assert page.locator("[data-testid=confirm-past-due]").is_hidden()
    page.select_option("#kind", "monthly")
    page.fill("#title", "上月整改进展补录")
    page.fill("#due_on", "2020-01-31")
    assert page.locator("[data-testid=confirm-past-due]").is_visible()
    page.fill("#due_on", "2099-01-31")
    assert page.locator("[data-testid=confirm-past-due]").is_hidden()
    page.fill("#due_on", "2020-01-31")
    page.check("label:has-text('临江区市场监督管理局') >> xpath=../input")
    page.click("[data-testid=task-form] button[type=submit]")  # not confirmed: refused beside the date
    page.wait_for_load_state()
    assert "确认" in page.locator("[data-testid=error-due_on]").inner_text()
    assert [f.split()[0] for f in page.failures] == ["422"]  # the refusal is expected
    page.failures.clear()
    assert page.locator("[data-testid=confirm-past-due]").is_visible()
    page.check("#confirm_past_due")
    page.click("[data-testid=task-form] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=reporting-matrix] [data-state=missing]").count() == 1
    page.click("[data-testid=task-close-form] button")
    page.wait_for_load_state()
    assert page.locator("h1 [data-testid=task-closed]").inner_text() == "已关闭"
    assert page.locator("[data-testid=task-close-form]").count() == 0
    assert not page.failures, page.failures
