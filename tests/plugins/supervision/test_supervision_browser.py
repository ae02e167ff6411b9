"""A 双随机 task in Debian's Chromium: create it, fill the pools, draw (the seed shown), record results, publish."""

from __future__ import annotations

from core.platform.validators import uscc_check_char


def code(n: int) -> str:
    first17 = f"913201{n:011d}"
    return first17 + uscc_check_char(first17)


def log_in(page, username, password="browser-pass-1"):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_a_random_inspection_task_in_the_browser(page):
    log_in(page, "lj.officer1")
    page.click("[data-testid=plugin-menu]")
    page.click("nav >> text=双随机抽查")
    page.wait_for_load_state()
    assert page.url.endswith("/supervision/tasks")
    page.fill("#name", "浏览器测试抽查任务")
    page.fill("#matter", "食品经营者主体责任检查")
    page.fill("#starts_on", "2024-09-02")
    page.fill("#ends_on", "2024-09-27")
    page.fill("#target_count", "2")
    page.fill("#inspectors_per_target", "1")
    page.click("form[data-testid=new-task] button[type=submit]")
    page.wait_for_load_state()
    assert "已建立抽查任务" in page.inner_text("main")

    # a code with a wrong check digit is refused, naming the position
    page.fill("#enterprise-name", "坏代码企业")
    page.fill("#enterprise-code", "914403001922038217")
    page.click("form[data-testid=add-enterprise] button[type=submit]")
    page.wait_for_load_state()
    assert "第18位校验码错误" in page.inner_text("main")
    for n in (1, 2, 3):
        page.fill("#enterprise-name", f"浏览器企业{n}")
        page.fill("#enterprise-code", code(n))
        page.click("form[data-testid=add-enterprise] button[type=submit]")
        page.wait_for_load_state()
    assert page.locator("[data-testid=enterprise-pool] tbody tr").count() == 3
    for n, card in ((1, "3201000001"), (2, "3201000002")):
        page.fill("#inspector-name", f"执法员{n}")
        page.fill("#inspector-card", card)
        page.click("form[data-testid=add-inspector] button[type=submit]")
        page.wait_for_load_state()
    assert page.locator("[data-testid=inspector-pool] tbody tr").count() == 2

    page.fill("#seed", "浏览器公开摇号")
    page.click("form[data-testid=draw] button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=seed]") == "浏览器公开摇号"
    assert page.locator("[data-testid=targets] tbody tr").count() == 2

    for select in page.locator("form[data-testid=results] select").all():
        select.select_option("passed")
    page.fill("#inspection_ended_on", "2024-09-27")
    page.click("form[data-testid=results] button[type=submit]")
    page.wait_for_load_state()
    assert "已登记检查结果" in page.inner_text("main")
    assert page.inner_text("[data-testid=publication-due]") == "2024-10-30"

    # published long after the limit: the ledger problem is recorded at once and linked
    page.fill("#published_on", "2024-12-02")
    page.click("form[data-testid=publication] button[type=submit]")
    page.wait_for_load_state()
    assert "已自动登记问题" in page.inner_text("main")
    page.click("[data-testid=late-problem] a")
    page.wait_for_load_state()
    assert "双随机抽查结果未按时公示：浏览器测试抽查任务" in page.inner_text("main")
    assert not page.failures, page.failures
