"""The trusted circle in headless Chromium through the real server: invite → accept → view →
revoke, and the worker that `thaw serve` starts delivering a reach-out email."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_browser import PASSWORD, assert_clean, sign_up
from tests.support import LiveThaw, wait_until

pytestmark = pytest.mark.e2e


def test_invite_accept_view_revoke(browser: Any, phone: Any, server: LiveThaw) -> None:
    owner = phone
    sign_up(owner, "circle-owner@example.org")
    owner.get_by_role("button", name="Numb").click()
    owner.locator("#quick-result").get_by_text("Saved: Numb").wait_for()

    # Invite: the weekly summary is ticked by default, notes and substance use are not.
    owner.goto("/circle/")
    owner.get_by_role("link", name="Invite someone").click()
    owner.get_by_label("Their name").fill("Sam")
    assert owner.get_by_label("Weekly summary", exact=False).is_checked()
    assert not owner.get_by_label("Notes you wrote", exact=False).is_checked()
    assert not owner.get_by_label("Substance use log").is_checked()
    owner.get_by_label("Check-ins: emotion words", exact=False).check()
    owner.get_by_role("button", name="Create invitation").click()
    link = owner.locator("#invite-link").inner_text().strip()
    assert "/invite/" in link

    # Sam accepts in their own browser, creating a limited account, and sees what was shared.
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, base_url=server.url)
    sam = context.new_page()
    sam.goto(link)
    sam.get_by_role("heading", name="invited you to their trusted circle").wait_for()
    sam.get_by_label("Your name").fill("Sam")
    sam.get_by_label("Your email").fill("circle-sam@example.org")
    sam.get_by_label("Choose a password").fill(PASSWORD)
    sam.get_by_role("button", name="Create my account and accept").click()
    sam.get_by_role("heading", name="shares with you").wait_for()
    assert sam.locator("#shared-summary").is_visible()
    assert "numb" in sam.locator("#shared-checkins").inner_text()
    assert sam.locator("#shared-substances").count() == 0 and sam.locator("#shared-assessments").count() == 0
    shared_url = sam.url

    # The owner sees that Sam looked, then stops sharing with one tap.
    owner.goto("/circle/")
    assert "Sam viewed your weekly summary" in owner.locator("ul.views").inner_text()
    owner.get_by_role("button", name="Stop sharing with Sam").click()
    owner.get_by_text("Sharing with Sam has stopped").wait_for()

    response = sam.goto(shared_url)
    assert response is not None and response.status == 404
    assert_clean(owner, server)
    context.close()


def test_the_worker_started_by_serve_delivers_a_reach_out(browser: Any, server: LiveThaw) -> None:
    from tests.support import thaw

    env = {**server.env, "THAW_PASSWORD": PASSWORD}
    for email in ("reach-owner@example.org", "reach-friend@example.org"):
        assert thaw("user", "add", email, "--role", "person", env=env).returncode == 0
    tokens = {}
    for email in ("reach-owner@example.org", "reach-friend@example.org"):
        tokens[email] = server.request("POST", "/api/v1/auth/token", {"email": email, "password": PASSWORD}).json()["token"]
    created = server.request("POST", "/api/v1/grants", {"name": "Friend", "categories": ["summary"]},
                             token=tokens["reach-owner@example.org"])
    assert created.status == 201, created.body
    secret = created.json()["invite_url"].rsplit("/invite/", 1)[1].strip("/")
    assert server.request("POST", "/api/v1/grants/accept", {"invitation": secret},
                          token=tokens["reach-friend@example.org"]).status == 200
    words = "Could you call me tonight? (e2e-7731)"
    sent = server.request("POST", "/api/v1/reach-out", {"to": [created.json()["id"]], "message": words},
                          token=tokens["reach-owner@example.org"])
    assert sent.status == 202, sent.body
    wait_until(lambda: words in server.log(), "the worker sending the message")
    log = server.log()
    assert words in log, "the worker did not send the message (console email backend writes to the log)"
    assert "To: reach-friend@example.org" in log
