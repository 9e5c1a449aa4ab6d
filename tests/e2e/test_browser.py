"""The check-in flow in headless Chromium, at phone size, through the real server."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.support import LiveThaw

pytestmark = pytest.mark.e2e

PASSWORD = "a calm, long passphrase"


def sign_up(page: Any, email: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("heading", name="How is it right now?").wait_for()


def assert_clean(page: Any, server: LiveThaw) -> None:
    """No request left our own server, and the strict CSP blocked nothing we rely on."""
    origin = urlsplit(server.url).netloc
    foreign = [u for u in page.thaw_requests if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != origin]
    assert foreign == []
    # A refused form answers 422 on purpose; anything else (a CSP violation, a script error) is a bug.
    assert [e for e in page.thaw_console_errors if "status of 422" not in e] == []


def test_sign_up_one_tap_full_checkin_and_a_refused_bad_input(phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "browser-person@example.org")

    # One tap: saved without leaving the page (htmx), with a way to add details.
    page.get_by_role("button", name="Numb").click()
    result = page.locator("#quick-result")
    result.get_by_text("Saved: Numb").wait_for()
    assert result.get_by_role("link", name="Add details").is_visible()

    # The full check-in with words, per-word strength, numbness and a note.
    page.get_by_role("link", name="Check in with words").click()
    page.get_by_text("Unpleasant and low").click()
    page.locator("label.chip", has_text="lonely").first.click()
    page.locator("#word-search").fill("hope")
    page.locator("label.chip", has_text="hopeful").click()
    strength = page.locator('#per-word input[name="intensity:lonely"]')
    strength.fill("8")
    page.locator("#numbness").fill("3")
    page.get_by_text("Add details (optional)").click()
    page.get_by_label("Note").fill("Walked home the long way.")
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("Saved. Thank you for checking in.").wait_for()
    recent = page.locator("ul.timeline").first
    assert "lonely 8/10" in recent.inner_text()
    assert "hopeful" in recent.inner_text()
    assert "numbness 3/10" in recent.inner_text()

    # Bad input: no word picked. Nothing is saved, the error says why, the note is kept.
    page.goto("/checkin/")
    page.get_by_text("Add details (optional)").click()
    page.get_by_label("Note").fill("Please keep this text.")
    page.get_by_role("button", name="Save check-in").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "Pick at least one word" in summary.inner_text()
    assert page.get_by_label("Note").input_value() == "Please keep this text."

    # History has exactly the two saved check-ins, newest first.
    page.get_by_role("link", name="History").click()
    entries = page.locator("li.entry")
    expect(entries).to_have_count(2)  # waits for the History page, however slow the machine
    assert "lonely" in entries.nth(0).inner_text() and "numb" in entries.nth(1).inner_text()
    assert_clean(page, server)


def test_body_first_path_and_tap_targets(phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "browser-body@example.org")
    page.get_by_role("link", name="I can’t name it: start with my body").click()
    page.get_by_text("Chest").first.click()
    page.locator("#sec-body details", has_text="Chest").locator("label.chip", has_text="tight").click()
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("Saved. Thank you for checking in.").wait_for()
    assert "not sure" in page.locator("li.entry").first.inner_text()
    # One-handed use: every button on the home page is at least 44 px tall.
    for box in page.locator("main button, main .button").evaluate_all(
        "els => els.filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect().height)"
    ):
        assert box >= 44
    assert_clean(page, server)


def test_numbness_stays_not_rated_until_touched_and_the_home_page_keeps_up(phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "browser-unrated@example.org")
    # One tap on "Okay": saved as not rated, and "This week" counts it without a reload.
    assert "No check-ins in the last seven days" in page.locator("#week").inner_text()
    page.get_by_role("button", name="Okay").click()
    page.locator("#quick-result").get_by_text("Saved: Okay").wait_for()
    page.locator("#week", has_text="1 check-in").wait_for()
    assert "numbness not rated" in page.locator("#week").inner_text()

    # The form saved without touching the slider: not rated either.
    page.goto("/checkin/")
    assert page.locator("#numbness_unrated").is_checked() and page.locator("#numbness-value").inner_text() == "–"
    page.locator("label.chip", has_text="numb").first.click()
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("Saved. Thank you for checking in.").wait_for()
    assert "numbness not rated" in page.locator("li.entry").first.inner_text()

    # A key on the slider rates it (from where it rests), and the number is saved.
    page.goto("/checkin/")
    page.locator("label.chip", has_text="numb").first.click()
    page.locator("#numbness").focus()
    page.keyboard.press("ArrowRight")
    assert not page.locator("#numbness_unrated").is_checked() and page.locator("#numbness-value").inner_text() == "6"
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("Saved. Thank you for checking in.").wait_for()
    assert "numbness 6/10" in page.locator("li.entry").first.inner_text()
    assert "average numbness 6.0" in page.locator("#week").inner_text()

    # One week of data: the chart's time axis spans weeks around the dot, not years.
    page.goto("/insights/")
    chart = page.locator('[data-chart="numbness"]')
    chart.locator("canvas").wait_for()
    low, high = float(chart.get_attribute("data-x-min")), float(chart.get_attribute("data-x-max"))
    assert 7 * 86400 <= high - low <= 45 * 86400, (low, high)
    assert ". , " not in page.locator("main").inner_text()
    assert_clean(page, server)
