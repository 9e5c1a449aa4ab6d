"""Text limits in the page, in headless Chromium: a long paste is never cut without a word.

The note box says how many characters are left near its limit; a paste over the limit stays
whole, the counter says by how much it is over, and the form is held (nothing is sent) with the
focus on the box until it is shortened.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_browser import assert_clean, sign_up
from tests.support import LiveThaw

pytestmark = pytest.mark.e2e


def test_a_long_paste_is_kept_whole_and_said_to_be_over_the_limit(phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "limits@example.org")
    page.goto("/checkin/")
    page.locator("summary", has_text="Unpleasant and low").click()
    page.locator("label.chip", has_text="lonely").first.click()
    page.get_by_text("Add details (optional)").click()
    note = page.get_by_label("Note")
    assert note.get_attribute("maxlength") is None, "the script takes maxlength off, so a paste is not cut"
    counter = page.locator("#note-counter")

    note.focus()
    page.keyboard.insert_text("a" * 4_200)  # as a paste arrives
    assert counter.inner_text() == "800 of 5,000 characters left."

    note.fill("")
    pasted = "I wrote this somewhere else first. " * 150  # 5,250 characters
    note.focus()
    page.keyboard.insert_text(pasted)
    assert note.input_value() == pasted, "nothing was cut"
    assert "250 over the limit of 5,000" in counter.inner_text() and "Nothing has been cut" in counter.inner_text()
    assert note.get_attribute("aria-invalid") == "true"

    page.get_by_role("button", name="Save check-in").click()
    assert page.url.endswith("/checkin/"), "the form was held, not sent"
    assert page.evaluate("document.activeElement.id") == "note"
    assert note.input_value() == pasted

    note.fill(pasted[:4_990])
    assert "characters left" in counter.inner_text() and note.get_attribute("aria-invalid") is None
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("Saved. Thank you for checking in.").wait_for()
    assert_clean(page, server)
