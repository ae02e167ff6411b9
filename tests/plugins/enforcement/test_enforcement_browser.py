"""The enforcement pages in Chromium: register and import case files, draw a sample, score a file with the running
total following the entries, and read the statistics. Nothing is fetched off this machine."""

from __future__ import annotations


def log_in(page, username, password="browser-pass-1"):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_register_import_draw_score_and_read(page):
    log_in(page, "lj.officer1")
    page.goto("/enforcement/case-files")
    page.fill("#case_no", "临市监处罚〔2024〕101号")
    page.select_option("#case_type", "penalty")
    page.fill("#cause", "销售不合格产品")
    page.fill("#handlers", "潘德华、林小东")
    page.fill("#filed_on", "2024-02-01")
    page.fill("#closed_on", "2024-04-01")
    page.fill("#penalty_amount", "3000")
    page.click("form[data-testid=case-file-form] button[type=submit]")
    page.wait_for_load_state()
    assert "临市监处罚〔2024〕101号" in page.inner_text("[data-testid=case-file]") or "101号" in page.inner_text("h1")

    # An import with one bad row: the error names the row and the column, and nothing is written.
    page.goto("/enforcement/case-files")
    station = page.eval_on_selector("#unit_id option:checked", "o => o.textContent")
    csv = (
        "案件编号,案件类型,承办单位,承办人,立案日期,结案日期\n"
        f"临市监处罚〔2024〕102号,行政处罚,{station},林小东,2024-03-01,2024-05-01\n"
        f"临市监处罚〔2024〕103号,罚款,{station},林小东,2024-03-01,2024-05-01\n"
    )
    page.set_input_files("#import-file", {"name": "案卷.csv", "mimeType": "text/csv", "buffer": csv.encode()})
    page.click("form[data-testid=import-form] button[type=submit]")
    page.wait_for_load_state()
    rows = page.inner_text("[data-testid=import-error-rows]")
    assert "3" in rows
    assert "案件类型" in rows
    assert "102号" not in page.inner_text("[data-testid=case-files]")
    fixed = csv.replace(",罚款,", ",行政处罚,")
    page.set_input_files("#import-file", {"name": "案卷.csv", "mimeType": "text/csv", "buffer": fixed.encode()})
    page.click("form[data-testid=import-form] button[type=submit]")
    page.wait_for_load_state()
    assert "新登记 2 件" in page.inner_text("[data-testid=import-result]")
    assert "103号" in page.inner_text("[data-testid=case-files]")

    # The reviewer draws two files with a seed; the redo check agrees.
    page.click("text=退出")
    log_in(page, "lj.reviewer")
    page.goto("/enforcement/samplings")
    page.fill("#period_from", "2024-01-01")
    page.fill("#period_to", "2024-12-31")
    page.fill("#amount", "2")
    page.fill("#seed", "浏览器种子")
    page.fill("#reviewers", "潘德华、周评查、吴评查")
    page.click("form[data-testid=draw-form] button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=seed]") == "浏览器种子"
    assert "结果一致" in page.inner_text("[data-testid=verify]")
    for row in page.locator("[data-testid=drawn] tbody tr").all():
        handlers = set(row.locator("td:nth-child(4)").inner_text().split("、"))
        reviewers = set(row.locator("td:nth-child(5) a").inner_text().split("、"))
        assert reviewers
        assert not handlers & reviewers, (handlers, reviewers)

    # Score the first drawn file: the running total follows each entry, a veto makes it 0.
    page.click("[data-testid=drawn] td:nth-child(5) a >> nth=0")
    page.wait_for_load_state()
    total, grade = page.locator("[data-testid=running-total]"), page.locator("[data-testid=running-grade]")
    assert total.inner_text() == "100"
    page.fill("input[name=count_F01]", "2")
    assert total.inner_text() == "96"
    page.fill("input[name=count_S02]", "1")
    page.fill("input[name=count_P01]", "1")
    page.fill("input[name=count_P02]", "1")
    assert total.inner_text() == "76"
    assert grade.inner_text() == "合格"
    page.fill("input[name=count_F03]", "5")  # 立卷 20 - 4 - 5 = 11
    page.fill("input[name=count_F04]", "5")  # 6
    page.fill("input[name=count_F05]", "1")  # 3
    page.fill("input[name=count_F02]", "2")  # -1 -> 0, never below
    assert page.inner_text("[data-section-score=filing]") == "0"
    assert total.inner_text() == "60"
    assert grade.inner_text() == "不合格"
    page.check("input[name=veto_V03]")
    assert total.inner_text() == "0"
    page.uncheck("input[name=veto_V03]")
    for code in ("F02", "F03", "F04", "F05"):
        page.fill(f"input[name=count_{code}]", "0")
    assert total.inner_text() == "76"
    for code in ("F01", "S02", "P01", "P02"):
        page.fill(f"input[name=note_{code}]", "见卷内材料")
    page.click("#score-form button[type=submit]")
    page.wait_for_load_state()
    assert "评分已保存" in page.inner_text("main")
    assert total.inner_text() == "76"
    assert grade.inner_text() == "合格"

    page.goto("/enforcement/statistics")
    assert "F01" in page.inner_text("[data-testid=top-deductions]")
    assert "76" in page.inner_text("[data-testid=overall]")
    # The refused import answered 422 on purpose; nothing else failed.
    assert [f.split(" ")[0] for f in page.failures] == ["422"], page.failures
