"""Tell it in a sentence, in headless Chromium at phone width, through the real server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_browser import assert_clean, sign_up
from tests.support import LiveThaw

pytestmark = pytest.mark.e2e


def test_a_sentence_brings_words_to_pick_with_the_keyboard_and_saves_without_the_sentence(
        phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "wordfinding@example.org")
    page.get_by_role("link", name="Check in with words").click()
    sentence = page.get_by_label("Tell it in a sentence")
    sentence.fill("sat in the car after work and couldn't feel anything")
    # Keyboard only: from the sentence to the button, Enter, then to the first suggestion.
    sentence.press("Tab")
    page.keyboard.press("Enter")
    status = page.locator("#suggest-status")
    status.get_by_text("that might fit").wait_for()
    assert "numb first" in status.inner_text()
    suggestions = page.locator("#suggestions .suggestion")
    assert 1 <= suggestions.count() <= 5 + 1  # five at most, and perhaps a word to try
    first = suggestions.first
    assert "numb" in first.inner_text() and "switched off" in first.inner_text()  # its definition
    first.locator("input").focus()
    page.keyboard.press("Space")
    chip = page.locator('input[name="word"][value="numb"]')
    assert chip.is_checked(), "ticking a suggestion picks the word in the list"
    assert page.locator('#per-word input[name="intensity:numb"]').count() == 1
    # The layout fits a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("Saved. Thank you for checking in.").wait_for()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="More").click()
    page.get_by_role("link", name="History").click()
    entry = page.locator("li.entry").first
    assert "numb" in entry.inner_text()
    assert "couldn't feel anything" not in page.content(), "the sentence was not kept"
    assert_clean(page, server)


def test_a_crisis_sentence_shows_the_crisis_screen_first_and_saves_nothing(phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "wordfinding-crisis@example.org")
    page.goto("/checkin/")
    page.get_by_label("Tell it in a sentence").fill("I can't do this anymore, I want to kill myself")
    page.get_by_role("button", name="Suggest words").click()
    page.get_by_role("heading", name="Get help now").wait_for()
    assert page.locator('a[href="tel:988"]').is_visible()
    page.get_by_role("link", name="Back to Thaw").click()
    page.get_by_label("Tell it in a sentence").wait_for()
    page.goto("/checkins/")
    assert page.locator("li.entry").count() == 0
    assert_clean(page, server)
