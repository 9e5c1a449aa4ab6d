"""The published-rules screens in headless Chromium, at phone size: the AUDIT-C's cut-off
question (asked once) and skip rule, and the PHQ-9's unscored difficulty question."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.e2e.test_browser import assert_clean, sign_up
from tests.support import LiveThaw

pytestmark = pytest.mark.e2e


def shot(page: Any, name: str) -> None:
    """Save a screenshot when THAW_SCREENSHOTS names a folder (for looking at the pages)."""
    folder = os.environ.get("THAW_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_auditc_asks_once_and_never_skips_to_the_result(phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "rules-browser@example.org")
    page.goto("/assessments/auditc/take")
    page.get_by_text("For alcohol screening, which cut-off applies to you?").wait_for()
    shot(page, "auditc-cutoff-question")
    page.locator("label.option", has_text="Male: 4 or more").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_text("question 1 of 3").first.wait_for()
    page.locator("label.option", has_text="Never").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("heading", name="Your AUDIT-C result").wait_for()
    assert "The cut-off that applies to you is 4" in page.locator("#result-summary").inner_text()
    shot(page, "auditc-result")
    page.goto("/assessments/auditc/take")
    page.get_by_text("question 1 of 3").first.wait_for()
    assert page.get_by_text("which cut-off applies to you").count() == 0

    page.goto("/assessments/phq9/take")
    for n in range(9):
        page.get_by_text(f"question {n + 1} of 9").first.wait_for()
        page.locator("label.option", has_text="Not at all" if n == 8 else "Several days").click()
        page.get_by_role("button", name="See my result" if n == 8 else "Next").click()
    page.get_by_text("how difficult have these problems made it").wait_for()
    shot(page, "phq9-difficulty")
    page.locator("label.option", has_text="Very difficult").click()
    page.get_by_role("button", name="See my result").click()
    page.get_by_role("heading", name="Your PHQ-9 result").wait_for()
    assert "Very difficult" in page.locator("#result-difficulty").inner_text()
    page.goto("/report/")
    assert "Very difficult" in page.locator("#report-difficulty").inner_text()
    assert_clean(page, server)
