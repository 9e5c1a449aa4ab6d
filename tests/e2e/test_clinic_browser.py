"""The clinician's path in headless Chromium through the real server: sign in with two-factor,
triage (the crisis row first), questionnaires due and overdue readable on the phone card and in
the wide table, acknowledge the flag with a note, open the person's details."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_browser import PASSWORD, assert_clean
from tests.support import LiveThaw, thaw, totp_code

pytestmark = pytest.mark.e2e

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SETUP = f"""
from datetime import timedelta
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone
from thaw.accounts.models import User
from thaw.checkins.services import create_checkin
from thaw.clinic import services
from thaw.clinic.models import Homework, Membership, Program
clinician = User.objects.get(email="triage-clinician@example.org")
TOTP.activate(clinician, {SECRET!r})
program = Program.objects.create(name="Evening IOP", lead=clinician)
Membership.objects.create(program=program, clinician=clinician, on_duty=True)
for email in ("triage-calm@example.org", "triage-crisis@example.org"):
    person = User.objects.get(email=email)
    invite, _ = services.invite_person(program, clinician)
    services.enrol(invite, person, ["summary", "checkins", "assessments", "flags"])
    create_checkin(person, {{"emotions": [{{"word": "numb", "intensity": 7}}], "numbness": 8,
                            "note": "I want to end my life" if "crisis" in email else "quiet day"}})
calm = User.objects.get(email="triage-calm@example.org")
Homework.objects.create(person=calm, program=program, assigned_by=clinician, assessments={{"phq9": 7, "gad7": 14}},
                        created_at=timezone.now() - timedelta(days=10))
"""


def test_triage_acknowledge_and_person_detail(phone: Any, server: LiveThaw) -> None:
    env = {**server.env, "THAW_PASSWORD": PASSWORD}
    assert thaw("user", "add", "triage-clinician@example.org", "--role", "clinician", env=env).returncode == 0
    for email in ("triage-calm@example.org", "triage-crisis@example.org"):
        assert thaw("user", "add", email, "--role", "person", env=env).returncode == 0
    result = thaw("manage", "shell", "--no-imports", "-c", SETUP, env=env)
    assert result.returncode == 0, result.stderr

    page = phone
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("triage-clinician@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.get_by_label("Code").fill(totp_code(SECRET))
    page.locator("form button[type=submit]").first.click()

    page.goto("/clinic/")
    rows = page.locator("#caseload tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2
    first = rows.nth(0)
    assert "triage-crisis@example.org" in first.inner_text() and "crisis" in first.inner_text()
    assert "New crisis flag in Evening IOP" in page.locator("#alerts").inner_text()

    # Questionnaires set as homework, on the phone card: named, readable, inside the screen.
    calm_row = page.locator("#caseload tbody tr", has_text="triage-calm@example.org")
    due = calm_row.locator("td", has_text="Questionnaires due")
    assert due.locator(".cell-label").is_visible(), "the card names the column"
    text = due.inner_text()
    assert "2 due, 2 overdue" in text and "PHQ-9 (overdue), GAD-7 (overdue)" in text
    assert "Last 30 days: 0 of 3 done (0%)" in text
    box = due.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    label, value = due.locator(".cell-label").bounding_box(), due.locator(".cell-value").bounding_box()
    assert label and value and value["x"] >= label["x"] + label["width"] and abs(value["y"] - label["y"]) < 4, \
        "the value sits beside its name, not under it"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing runs off the phone's screen"
    crisis_cell = rows.nth(0).locator("td", has_text="Questionnaires due")
    assert "none set as homework" in crisis_cell.inner_text()
    # The same on a wide screen: a column of the table, its heading in the header row.
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.get_by_role("columnheader", name="Questionnaires due").is_visible()
    assert due.locator(".cell-label").is_hidden() and "PHQ-9 (overdue)" in due.inner_text()
    page.set_viewport_size({"width": 390, "height": 844})

    first.get_by_role("link", name="Crisis language in something written").click()
    page.get_by_role("button", name="Acknowledge").click()
    assert page.locator(".field-error").count() == 1, "a note is required, and nothing was acknowledged"
    page.get_by_label("What you did or will do").fill("Called; she is safe with her sister tonight.")
    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_text("Acknowledged.").wait_for()
    crisis_row = page.locator("#caseload tbody tr", has_text="triage-crisis@example.org")
    assert "Crisis language" not in crisis_row.inner_text()

    crisis_row.get_by_role("link", name="triage-crisis@example.org").click()
    page.locator("#person-header").wait_for()
    assert page.locator("#numbness").is_visible() and page.locator("#scores").is_visible()
    assert page.locator("#substances").count() == 0, "substance use was not shared"
    # The refused acknowledgement answered 400 on purpose; anything else in the console is a bug.
    page.thaw_console_errors[:] = [e for e in page.thaw_console_errors if "status of 400" not in e]
    assert_clean(page, server)
