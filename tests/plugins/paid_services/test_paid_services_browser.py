"""The agency registry, fee records and flags pages in Debian's Chromium: nothing off-site, no error answer."""

from __future__ import annotations

from paid_services_helpers import uscc

PASSWORD = "browser-pass-1"  # conftest.live_server provisions the demo city with it


def log_in(page, username):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_register_record_flag_and_turn_the_flag_into_a_problem(page):
    log_in(page, "lj.admin")
    page.click("[data-testid=plugin-menu]")
    page.click("nav >> text=有偿服务机构")
    page.wait_for_load_state()
    table = page.locator("[data-testid=agencies]")
    assert page.locator("[data-certificate=expired]").count() == 1
    assert page.locator("[data-certificate=expiring]").count() == 1
    assert "临江区特种设备检验站" in page.locator("[data-certificate=expired]").inner_text()
    assert "已过期" in table.inner_text()

    # A new agency, with a code typed in lower case and spaces: normalised and checked.
    form = page.locator("[data-testid=new-agency]")
    form.locator("#name").fill("临江区纤维检验所")
    form.locator("#kind").select_option("testing_agency")
    form.locator("#credit_code").fill("X" + uscc(8)[1:])  # a wrong character first: refused on the field
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "is-invalid" in (page.locator("#credit_code").get_attribute("class") or "")
    assert page.failures == [f"422 {page.url}"]  # the refusal, as a page that names the field
    page.failures.clear()
    page.locator("#credit_code").fill(" " + uscc(8).lower() + " ")
    page.locator("#cma_number").fill("CMA-8")
    page.locator("[data-testid=new-agency] button[type=submit]").click()
    page.wait_for_load_state()
    assert "已登记机构" in page.inner_text("body")
    assert page.inner_text("[data-testid=agency-name]") == "临江区纤维检验所"

    # A paid service tied to a regulatory act (指定服务).
    service = page.locator("[data-testid=new-service]")
    service.locator("#name").fill("纺织品开业前检验")
    service.locator("#fee_standard").fill("80")
    service.locator("#fee_basis").fill("省发展改革委 纤维检验收费标准")
    service.locator("#fee_published").check()
    service.locator("#regulatory_act").check()
    service.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "纺织品开业前检验" in page.inner_text("[data-testid=services]")

    # A charge above the standard of a designated service: two flags at once.
    page.click("[data-testid=plugin-menu]")
    page.click("nav >> text=收费记录")
    page.wait_for_load_state()
    fee = page.locator("[data-testid=new-fee]")
    fee.locator("#service_id").select_option(label="临江区纤维检验所 · 纺织品开业前检验")
    fee.locator("#receipt_no").fill("LJ-0099")
    fee.locator("#client").fill("滨江服装厂")
    fee.locator("#charged_on").fill("2024-10-08")
    fee.locator("#amount").fill("120")
    fee.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "发现预警" in page.inner_text("body")
    row = page.locator("[data-testid=fee-records] tr", has_text="LJ-0099")
    assert row.get_attribute("data-flagged") == "yes"
    assert row.locator("[data-flag=over_standard]").count() == 1
    assert row.locator("[data-flag=designated]").count() == 1
    clean = page.locator("[data-testid=fee-records] tr", has_text="LJ-0001")
    assert clean.get_attribute("data-flagged") == "no"

    # The flags page: the designated service becomes a ledger problem.
    page.click("[data-testid=plugin-menu]")
    page.click("nav >> text=收费预警")
    page.wait_for_load_state()
    flag = page.locator("[data-testid=flags] tr[data-flag=designated]", has_text="临江区纤维检验所")
    flag.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "/problems/" in page.url
    body = page.inner_text("body")
    assert "已立为问题" in body
    assert "指定服务" in body
    page.goto("/paid-services/flags?status=problem")
    assert "临江区纤维检验所" in page.inner_text("[data-testid=flags]")
    assert not page.failures, page.failures


def test_a_viewer_reads_the_pages_without_forms(page):
    log_in(page, "lj.viewer")
    for path in ("/paid-services/agencies", "/paid-services/fees", "/paid-services/flags"):
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator("form[data-testid^=new-]").count() == 0
        assert page.locator("form[data-testid^=flag-problem-]").count() == 0
    page.goto("/paid-services/agencies")
    page.locator("[data-testid=agencies] a", has_text="临江区食品药品检验检测中心").click()
    page.wait_for_url("**/paid-services/agencies/*")
    assert "食品中农药残留检测" in page.inner_text("[data-testid=services]")
    assert page.inner_text("[data-testid=certificate-state]") == "有效"
    assert not page.failures, page.failures
