"""The substance log in headless Chromium at phone size, through the real server."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_browser import assert_clean, sign_up
from tests.support import LiveThaw

pytestmark = pytest.mark.e2e


def test_log_alcohol_in_ml_log_a_craving_and_read_the_review(phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "substances-person@example.org")
    page.get_by_role("link", name="Substance log").click()
    page.get_by_role("heading", name="Substance log", exact=True).wait_for()

    # Alcohol in ml with its strength: the standard drinks are previewed, then saved.
    form = page.locator("#use-form")
    expect(form.locator("#use-abv")).to_be_hidden()  # only shown once it applies (waits for the page's script)
    form.locator("label.chip", has_text="Alcohol").click()
    assert form.locator("#use-unit").input_value() == "ml"
    form.get_by_role("button", name="Glass of wine (150 ml, 12%)").click()
    assert form.locator("#use-amount").input_value() == "150"
    form.locator("#use-amount").fill("500")
    form.locator("#use-abv").fill("5")
    assert "About 2 standard drinks" in form.locator("#drink-preview").inner_text()
    form.locator("#use-craving-range").fill("7")
    assert not form.locator("#use-craving-skip").is_checked()  # moving the slider means it is rated
    form.locator("label.chip", has_text="to stop feeling, to numb").click()
    form.get_by_role("button", name="Save").click()
    page.get_by_text("Logged: Alcohol, 500 ml at 5% (1.97 standard drinks)").wait_for()
    timeline = page.locator("ul.substance-timeline")
    assert "1.97 standard drinks" in timeline.inner_text()
    assert "craving 7/10" in timeline.inner_text()
    assert "Last logged" in page.content() and "Alcohol: today" in page.locator(".last-use").inner_text()

    # A craving that passed, and what helped.
    page.get_by_text("Log a craving that passed").click()
    craving = page.locator("#craving-form")
    craving.locator("label.chip", has_text="Nicotine").click()
    craving.locator("#craving-intensity-range").fill("8")
    craving.locator("label.chip", has_text="went outside").click()
    craving.locator("#craving-helped_note").fill("Walked round the block.")
    craving.get_by_role("button", name="Save craving").click()
    page.get_by_text("Logged: a craving that passed without using.").wait_for()
    assert "Craving passed: Nicotine, 8/10" in page.locator("ul.substance-timeline").inner_text()

    # The weekly review counts both, calmly.
    page.get_by_role("link", name="Weekly review").click()
    page.get_by_role("heading", name="Weekly review").wait_for()
    assert page.locator("#review-uses").inner_text() == "1"
    assert page.locator("#review-cravings").inner_text().startswith("1")
    body = page.locator("main").inner_text()
    assert "went outside: 1" in body and "“Walked round the block.”" in body
    assert "To stop feeling" in body
    for word in ("fail", "relapse", "streak"):
        assert word not in body.lower()

    page.get_by_role("link", name="Insights").last.click()
    page.get_by_role("heading", name="Substance use and how you feel").wait_for()
    assert_clean(page, server)
