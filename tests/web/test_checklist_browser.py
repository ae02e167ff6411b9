"""Filling a checklist in Chromium: conditional items appear and disappear, the score follows the answers."""

from __future__ import annotations

import json

from test_browser import log_in


def _begin(page) -> None:
    page.goto("/checklists/new")
    options = page.eval_on_selector_all("#template option", "els => els.map(e => e.value)")
    assert options, "the demo station is offered no checklist template"
    # A template with a conditional item, so that the page's conditions are exercised.
    chosen = None
    for code in options:
        page.select_option("#template", code)
        page.fill("#inspector", "张三、李四")
        page.fill("#target_name", "城关所登记窗口")
        page.click("form[data-testid=begin-checklist] button[type=submit]")
        page.wait_for_load_state()
        if page.locator(".ck-item[data-cond-item]").count():
            chosen = code
            break
        page.goto("/checklists/new")
    assert chosen, "no bundled template has a conditional item"


def test_fill_a_checklist_with_conditions_and_a_running_score(page):
    log_in(page, "lj.officer1")
    _begin(page)
    conditional = page.locator(".ck-item[data-cond-item]").first
    code = conditional.get_attribute("data-code")
    earlier = conditional.get_attribute("data-cond-item")
    values = json.loads(conditional.get_attribute("data-cond-values"))
    assert conditional.is_hidden()
    # Answer the earlier item so that the condition holds: the item appears.
    page.check(f"[name=a_{earlier}][value='{values[0]}']")
    assert page.locator(f"[data-testid=item-{code}]").is_visible()
    # Any other answer hides it again.
    others = page.eval_on_selector_all(f"[name=a_{earlier}]", "els => els.map(e => e.value)")
    other = next(v for v in others if v not in values)
    page.check(f"[name=a_{earlier}][value='{other}']")
    assert page.locator(f"[data-testid=item-{code}]").is_hidden()
    # The score follows a scored yes/no item: 是 earns its points, 否 does not and marks it 不符合.
    scored = page.locator(".ck-item[data-answer=yes_no]:not([data-cond-item])").nth(1)
    item = scored.get_attribute("data-code")
    points = float(scored.get_attribute("data-points"))
    before = float(page.inner_text("[data-testid=running-score]"))
    page.check(f"[name=a_{item}][value=yes]")
    after_yes = float(page.inner_text("[data-testid=running-score]"))
    page.check(f"[name=a_{item}][value=no]")
    after_no = float(page.inner_text("[data-testid=running-score]"))
    fail_on = json.loads(scored.get_attribute("data-fail-on"))
    if "no" in fail_on and points:
        assert after_yes - after_no == points
        assert scored.locator(".ck-fail").is_visible()
    assert after_yes >= before
    # Saved as a draft; the answers are kept.
    page.click("[data-testid=save]")
    page.wait_for_load_state()
    assert page.locator(f"[name=a_{item}][value=no]").is_checked()
    # Submitting with unanswered items keeps the draft and marks them.
    page.click("[data-testid=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=form-errors]").is_visible()
    # The filled form downloads as a workbook.
    href = page.get_attribute("[data-testid=export-filled]", "href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.body()[:2] == b"PK"
    assert not [f for f in page.failures if not f.startswith("422 ")], page.failures
