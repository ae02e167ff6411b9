"""The public channel in Debian's Chromium: a reporter on a phone, staff triaging, the reporter tracking and rating."""

from __future__ import annotations

from fixtures.public import solve

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
ATTACK = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def log_in(page, username, password="browser-pass-1"):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def phone(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN", **PHONE)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    return page


def fill_report(page, description, evidence=None, contact=None):
    page.select_option("#category", "attitude")
    page.fill("#description", description)
    page.select_option("#unit_id", label="临江区市场监督管理局滨江市场监管所")
    page.fill("#location", "滨江所办事大厅")
    if contact:
        page.fill("#contact_name", contact[0])
        page.fill("#contact", contact[1])
    if evidence:
        page.set_input_files("#files", str(evidence))
    page.fill("#challenge_answer", solve(page.inner_text("[data-testid=challenge-question]")))
    page.wait_for_timeout(1100)  # a person takes longer than the minimum fill time
    page.click("[data-testid=report-form] button[type=submit]")
    page.wait_for_load_state()


def test_a_reporter_on_a_phone_files_follows_and_rates_a_report(browser, live_server, tmp_path):
    evidence = tmp_path / "现场照片.png"
    evidence.write_bytes(PNG)
    reporter = phone(browser, live_server)
    staff_context = browser.new_context(base_url=live_server, locale="zh-CN")
    try:
        reporter.goto("/report/linjiang")
        channels = reporter.inner_text("[data-testid=channels]")
        assert "0571-8765-4321" in channels
        assert "每周三上午" in channels
        # One column on a phone: nothing wider than the screen.
        assert reporter.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # The honeypot is off-screen: people do not fill it, form-filling robots do.
        assert reporter.locator("#website").bounding_box()["x"] < 0
        fill_report(
            reporter, "滨江所窗口工作人员对办事群众大声呵斥，态度恶劣。" + ATTACK, evidence, ("王五", "13700001234")
        )
        code = reporter.inner_text("[data-testid=tracking-code]")
        secret = reporter.inner_text("[data-testid=secret]")
        assert code.startswith("LJ-")
        assert len(secret) == 19

        officer = staff_context.new_page()
        officer.on("dialog", lambda d: (_ for _ in ()).throw(AssertionError(d.message)))
        log_in(officer, "lj.officer1")
        officer.click("text=群众举报")
        officer.wait_for_load_state()
        officer.click(f"text={code}")
        officer.wait_for_load_state()
        assert ATTACK in officer.inner_text("[data-testid=description]")
        assert "13700001234" not in officer.inner_text("body")
        assert "现场照片.png" in officer.inner_text("[data-testid=files]")
        officer.fill("#accept-reply", "已交滨江所核查整改，结果将在此答复。")
        officer.click("[data-testid=accept-form] button[type=submit]")
        officer.wait_for_load_state()
        assert "已受理，登记为问题" in officer.inner_text("body")
        officer.click("[data-testid=linked-problem]")
        officer.wait_for_load_state()
        assert "群众举报" in officer.inner_text("body")
        assert "现场照片.png" in officer.inner_text("[data-testid=attachments]")

        reporter.goto("/report-status")
        reporter.fill("#tracking_code", code)
        reporter.fill("#secret", "WRONG-SECRET")
        reporter.click("[data-testid=track-form] button[type=submit]")
        reporter.wait_for_load_state()
        assert reporter.inner_text("[data-testid=track-error]") == "查询码或查询密码不正确"
        reporter.fill("#tracking_code", code)
        reporter.fill("#secret", secret)
        reporter.click("[data-testid=track-form] button[type=submit]")
        reporter.wait_for_load_state()
        assert reporter.inner_text("[data-testid=tracked-status]") == "已受理"
        assert "已交滨江所核查整改" in reporter.inner_text("[data-testid=replies]")
        assert "滨江所窗口工作人员" not in reporter.inner_text("body")  # the report's internals stay inside
        reporter.click("[data-testid=rate-form] button[value=satisfied]")
        reporter.wait_for_load_state()
        assert "满意" in reporter.inner_text("[data-testid=rating]")
        assert reporter.locator("[data-testid=rate-form]").count() == 0
        assert reporter.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert not reporter.dialogs
    finally:
        reporter.context.close()
        staff_context.close()


def test_only_the_reviewer_opens_the_reporters_contact(browser, live_server):
    reporter = phone(browser, live_server)
    contexts = [reporter.context]
    try:
        reporter.goto("/report/linjiang")
        fill_report(reporter, "滨江所检查时要求企业购买指定的检测服务。", contact=("赵六", "zhao6@example.cn"))
        code = reporter.inner_text("[data-testid=tracking-code]")
        for username, may in (("lj.officer1", False), ("lj.reviewer", True)):
            context = browser.new_context(base_url=live_server, locale="zh-CN")
            contexts.append(context)
            page = context.new_page()
            log_in(page, username)
            page.goto("/public-reports")
            page.click(f"text={code}")
            page.wait_for_load_state()
            assert "zhao6@example.cn" not in page.inner_text("body")
            button = page.locator("button[value=contact]")
            assert button.count() == (1 if may else 0)
            if may:
                button.click()
                page.wait_for_load_state()
                assert page.inner_text("[data-testid=contact]") == "zhao6@example.cn"
                assert "已记入审计日志" in page.inner_text("[data-testid=contact-box]")
    finally:
        for context in contexts:
            context.close()


def test_the_city_form_offers_every_county_and_tells_errors_beside_the_fields(page):
    page.goto("/report")
    options = page.eval_on_selector_all("#tenant option", "els => els.map(e => e.textContent)")
    assert "临江区市场监督管理局" in options
    assert "东湖区市场监督管理局" in options
    page.select_option("#category", "fees")
    page.fill("#description", "太短")
    page.fill("#challenge_answer", "999")
    page.click("[data-testid=report-form] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=error-tenant]").count() == 1
    assert page.locator("[data-testid=error-description]").count() == 1
    page.failures.clear()  # the 422 of the refused form is the point of this test
    page.select_option("#tenant", "donghu")
    page.fill("#description", "东湖区城关所执法人员检查时对商户乱罚款，没有出具任何文书。")
    page.fill("#challenge_answer", solve(page.inner_text("[data-testid=challenge-question]")))
    page.wait_for_timeout(1100)
    page.click("[data-testid=report-form] button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=tracking-code]").startswith("DH-")
    assert not page.failures, page.failures


def test_staff_pages_in_the_browser(page):
    log_in(page, "lj.admin")
    page.goto("/public-settings")
    assert page.input_value("#ch-phone") == "0571-8765-4321"
    page.fill("#title", "滨江片区营商环境作风问题征集")
    page.fill("#description", "征集滨江片区市场监管人员作风问题线索")
    page.fill("#starts_on", "2020-01-01")
    page.fill("#ends_on", "2099-12-31")
    page.click("[data-testid=solicitation-form] button[type=submit]")
    page.wait_for_load_state()
    assert "滨江片区营商环境作风问题征集" in page.inner_text("[data-testid=solicitations]")
    page.click("[data-testid=public-url]")
    page.wait_for_load_state()
    assert "滨江片区营商环境作风问题征集" in page.inner_text("[data-testid=solicitations]")
    page.goto("/public-reports/stats")
    assert "全部类型合计" in page.inner_text("[data-testid=stats]")
    assert not page.failures, page.failures
