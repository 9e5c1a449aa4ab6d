"""In headless Chromium: what a person entered survives a sign-in in between.

The session is ended the way an expiry ends it for the browser (the session cookie is gone,
every other cookie stays); the person then presses Save, or taps a one-tap check-in.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_browser import assert_clean, sign_up
from tests.support import LiveThaw

pytestmark = pytest.mark.e2e

PASSWORD = "a calm, long passphrase"
NOTE = "Long evening; the words came slowly."


def end_session(page: Any) -> None:
    page.context.clear_cookies(name="sessionid")


def sign_in(page: Any, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def fill_checkin(page: Any) -> None:
    page.goto("/checkin/")
    page.locator("summary", has_text="Unpleasant and low").click()
    page.locator("label.chip", has_text="lonely").first.click()
    page.locator('#per-word input[name="intensity:lonely"]').fill("8")
    page.locator("#numbness").fill("6")
    page.get_by_text("Add details (optional)").click()
    page.get_by_label("Note").fill(NOTE)


def test_a_checkin_form_sent_after_the_session_ended_comes_back_after_signing_in(phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "resume-person@example.org")
    fill_checkin(page)
    end_session(page)
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("not saved yet").wait_for()
    assert "/accounts/login/" in page.url

    sign_in(page, "resume-person@example.org")
    page.get_by_text("You were signed out before this was saved").wait_for()
    assert page.get_by_label("Note").input_value() == NOTE
    assert page.locator('input[name="word"][value="lonely"]').is_checked()
    assert page.locator('#per-word input[name="intensity:lonely"]').input_value() == "8"
    assert page.locator("#numbness").input_value() == "6"
    page.goto("/checkins/")
    assert page.locator("li.entry").count() == 0, "nothing was saved behind the person's back"

    page.go_back()
    page.get_by_role("button", name="Save check-in").wait_for()
    assert page.get_by_label("Note").input_value() == NOTE, "still there on the way back"
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("Saved. Thank you for checking in.").wait_for()
    page.goto("/checkins/")
    page.locator("li.entry").first.wait_for()
    assert page.locator("li.entry").count() == 1 and "lonely 8/10" in page.locator("li.entry").first.inner_text()
    assert_clean(page, server)


def test_a_one_tap_checkin_after_the_session_ended_goes_to_sign_in_and_back(phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "resume-tap@example.org")
    end_session(page)
    page.get_by_role("button", name="Heavy").click()
    page.wait_for_url("**/accounts/login/**")
    assert page.get_by_role("heading", name="How is it right now?").count() == 0, "the whole page moved, not the card"
    page.get_by_text("not saved yet").wait_for()

    sign_in(page, "resume-tap@example.org")
    page.get_by_text("You were signed out before this was saved").wait_for()
    # The message is in the page as it arrives; resume.js (deferred) marks the button after it.
    heavy = page.get_by_role("button", name="Heavy")
    page.locator("button.resumed").filter(has_text="Heavy").wait_for()
    heavy.click()
    page.locator("#quick-result").get_by_text("Saved: Heavy").wait_for()
    assert_clean(page, server)


def test_another_person_signing_in_on_the_same_browser_does_not_see_it(phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "resume-first@example.org")
    page.context.clear_cookies()  # leave no trace of the first sign-up's session
    sign_up(page, "resume-second@example.org")
    page.goto("/more/")  # Sign out lives under More
    page.get_by_role("button", name="Sign out").click()
    page.goto("/accounts/login/")
    sign_in(page, "resume-first@example.org")
    page.get_by_role("heading", name="How is it right now?").wait_for()
    fill_checkin(page)
    end_session(page)
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("not saved yet").wait_for()

    sign_in(page, "resume-second@example.org")
    page.get_by_role("button", name="Save check-in").wait_for()
    assert page.get_by_text("You were signed out before this was saved").count() == 0
    assert page.get_by_label("Note").input_value() == ""
    assert NOTE not in page.content()
