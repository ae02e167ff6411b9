"""The cases page in Debian's Chromium: the menu entry, a CSV import, the late case's problem, enablement."""

from __future__ import annotations

from approval_helpers import HEADERS

UNIT = "临江区市场监督管理局滨江市场监管所"


def log_in(page, username, password="browser-pass-1"):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def csv_file(rows: list[list[str]]) -> dict:
    lines = [",".join(HEADERS)] + [",".join(row) for row in rows]
    return {"name": "办件.csv", "mimeType": "text/csv", "buffer": ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")}


def test_an_officer_imports_cases_and_follows_the_late_one_to_its_problem(page):
    log_in(page, "lj.officer1")
    page.click("[data-testid=plugin-menu]")
    page.click("nav >> text=办件记录")
    page.wait_for_load_state()
    assert page.url.endswith("/approval/cases")
    assert "暂无办件记录" in page.locator("[data-testid=cases]").inner_text()
    with page.expect_download() as download:
        page.click("[data-testid=template-xlsx]")
    assert download.value.suggested_filename == "办件导入模板.xlsx"
    # A bad row: the whole file is refused with its row and column, nothing written.
    bad = [UNIT, "食品经营许可（新办）", "BJ-2024-0101", "外星人", "", "2024-10-08 09:00", "3", "", "否"]
    page.set_input_files("#case-file", csv_file([bad]))
    page.click("[data-testid=case-import-form] button[type=submit]")
    page.wait_for_load_state()
    errors = page.locator("[data-testid=import-error-rows]").inner_text()
    assert "申请人类型" in errors
    assert "暂无办件记录" in page.locator("[data-testid=cases]").inner_text()
    # The corrected file: one case in time, one completed on the adjusted working Saturday 12 October 2024.
    in_time = [
        UNIT,
        "食品经营许可（新办）",
        "BJ-2024-0101",
        "法人",
        "1号窗口",
        "2024-09-27 10:30",
        "5",
        "2024-10-10 16:00",
        "否",
    ]
    late = [
        UNIT,
        "营业执照变更登记",
        "BJ-2024-0102",
        "个体工商户",
        "2号窗口",
        "2024-10-08 09:00",
        "3",
        "2024-10-12 10:00",
        "是",
    ]
    page.set_input_files("#case-file", csv_file([in_time, late]))
    page.click("[data-testid=case-import-form] button[type=submit]")
    page.wait_for_load_state()
    assert "转为超时办结问题 1 项" in page.locator("[data-testid=import-result]").inner_text()
    assert page.locator("tr[data-late=yes]").count() == 1
    assert page.locator("tr[data-case=BJ-2024-0101][data-late=no]").count() == 1
    page.click("tr[data-case=BJ-2024-0102] [data-testid=late-problem]")
    page.wait_for_load_state()
    body = page.inner_text("body")
    assert "办件超时办结：营业执照变更登记（BJ-2024-0102）" in body
    assert "超时办结" in body
    assert not page.failures or all(" 422 " in f or f.startswith("422") for f in page.failures), page.failures


def test_a_unit_without_approval_has_no_cases_page(page):
    log_in(page, "lj.officer2")  # 江滩所: approval is switched off there
    assert page.locator("nav >> text=办件记录").count() == 0
    response = page.goto("/approval/cases")
    assert response.status == 404
