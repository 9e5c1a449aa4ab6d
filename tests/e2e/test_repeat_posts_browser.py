"""In headless Chromium: Back and reload after a form never resend it (post, redirect, get)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_browser import assert_clean, sign_up
from tests.support import LiveThaw

pytestmark = pytest.mark.e2e


def test_back_after_a_result_and_reload_of_invitation_ready_resend_nothing(phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "repeat-posts@example.org")
    resent: list[str] = []
    page.on("request", lambda r: r.method == "POST" and resent.append(r.url))

    page.goto("/assessments/gad7/take")
    for n in range(7):
        page.get_by_text(f"question {n + 1} of 7").first.wait_for()
        page.locator("label.option", has_text="Several days").click()
        page.get_by_role("button", name="See my result" if n == 6 else "Next").click()
    page.get_by_role("heading", name="Your GAD-7 result").wait_for()
    posts = len(resent)
    page.go_back()  # before: Chromium's "Confirm Form Resubmission" (ERR_CACHE_MISS) page
    page.get_by_text("of 7").first.wait_for()
    assert "ERR_CACHE_MISS" not in page.content() and "resubmission" not in page.content().lower()
    page.reload()
    page.get_by_text("of 7").first.wait_for()
    assert len(resent) == posts, "neither Back nor reload sent the form again"

    page.goto("/circle/new/")
    page.get_by_label("Their name").fill("Robin")
    page.get_by_role("button", name="Create invitation").click()
    page.get_by_role("heading", name="Invitation ready").wait_for()
    assert "/invite/" in page.locator("#invite-link").inner_text()
    posts = len(resent)
    page.reload()
    page.get_by_role("heading", name="Invitation ready").wait_for()
    assert page.locator("#invite-link").count() == 0 and page.locator("#link-shown-once").is_visible()
    assert len(resent) == posts
    page.goto("/circle/")
    assert page.locator("li[id^=grant-]").count() == 1, "one invitation, not two"
    assert_clean(page, server)
