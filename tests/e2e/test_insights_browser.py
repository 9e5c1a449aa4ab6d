"""The insights page in headless Chromium: every card's chart draws, and "How we know" opens."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_browser import assert_clean
from tests.support import LiveThaw, thaw
from thaw.insights.demo import DEMO_EMAIL

pytestmark = pytest.mark.e2e

PASSWORD = "a calm, long passphrase"


def test_a_year_of_check_ins_draws_every_chart_under_its_plain_sentence(phone: Any, server: LiveThaw) -> None:
    made = thaw("demo", env={**server.env, "THAW_DEMO_PASSWORD": PASSWORD})
    assert made.returncode == 0, made.stderr
    page = phone
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto("/insights/?window=all")
    # The bars of "Ups and downs" (new) and of a pattern (drawn by the same code, now with labels).
    for chart in ('[data-chart="ups"]', '[data-chart="pattern"]', '[data-chart="numbness"]', '[data-chart="mood"]'):
        page.locator(chart).first.locator("canvas").wait_for()
    cards = page.locator("section.card")
    assert cards.count() >= 5
    for i in range(cards.count()):
        card = cards.nth(i)
        assert card.locator("p.lead-sentence").inner_text().strip()
        how = card.locator("details.how > summary", has_text="How we know").last
        how.click()
        assert card.locator("details.how[open]").last.inner_text().strip()
    assert_clean(page, server)
