"""The figures' pages in Debian's Chromium: the city dashboard with its charts, drill-down, a snapshot and its
bulletin, and an officer who sees only its own unit and below."""

from __future__ import annotations

import io
import re
from datetime import date

from docx import Document


def log_in(page, username, password="browser-pass-1"):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_the_city_dashboard_drills_down_to_the_list(page):
    log_in(page, "city.supervisor")
    page.click("text=全市统计")
    page.wait_for_load_state()
    table = page.locator("[data-testid=figures]")
    assert "临江区市场监督管理局" in table.inner_text()
    # Charts are SVG drawn by the server, each with its numbers in a table beside it.
    assert page.locator("svg.figure-chart").count() == 4
    assert page.locator("[data-testid=chart-table]").count() == 4
    row = page.locator("tr[data-key=linjiang]")
    assert row.locator("td[data-figure=found]").inner_text().strip() == "2"
    assert row.locator("td[data-figure=completion_rate]").inner_text().strip() == "0.0%"
    # Neither problem is due this year (one was due in 2020, one in 2099): no denominator, so "—", never 100%.
    assert row.locator("td[data-figure=on_time_rate]").inner_text().strip() == "—"
    assert page.locator("tr[data-key=beitang] td[data-figure=completion_rate]").inner_text().strip() == "—"
    row.locator("td[data-figure=found] a").click()
    page.wait_for_load_state()
    assert re.search(r"共 2 项", page.locator("[data-testid=drill-count]").inner_text())
    assert page.locator("[data-testid=drill] tbody tr").count() == 2
    assert not page.failures, page.failures


def test_a_snapshot_ranks_explains_and_downloads_the_bulletin(page):
    log_in(page, "city.supervisor")
    page.goto("/city/snapshots")
    month = date.today().strftime("%Y-%m")
    page.fill("#period", month)
    page.fill("#document_number", "行风通报〔2026〕1号")
    page.fill("#top_n", "1")
    page.fill("#bottom_n", "1")
    page.click("form[data-testid=take-snapshot] button[type=submit]")
    page.wait_for_load_state()
    ranking = page.locator("[data-testid=ranking]")
    assert "临江区市场监督管理局" in ranking.inner_text()
    assert "÷" in page.locator("[data-testid=explain]").first.inner_text()
    assert page.locator("[data-testid=criticised] li").count() == 1
    href = page.get_attribute("a[href$='export.docx']", "href")
    response = page.request.get(href)
    assert response.status == 200
    doc = Document(io.BytesIO(response.body()))
    assert "行风通报〔2026〕1号" in "\n".join(p.text for p in doc.paragraphs)
    assert doc.tables[0].rows[0].cells[1].text == "县区局"
    assert page.request.get(href.replace(".docx", ".xlsx")).status == 200
    assert not page.failures, page.failures


def test_an_officer_sees_its_unit_and_below(page):
    log_in(page, "lj.officer1")
    page.click("text=统计分析")
    page.wait_for_load_state()
    rows = page.locator("[data-testid=figures] tbody tr")
    assert rows.count() >= 1
    assert "办公室" not in page.locator("[data-testid=figures] tbody").inner_text()
    assert page.locator("tfoot td[data-figure=found]").inner_text().strip() == "2"
    assert not page.failures, page.failures
