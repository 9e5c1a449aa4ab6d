"""The crisis path, end to end: it must never be broken.

Over real HTTP and in headless Chromium: "Get help now" from every page in one tap,
signed in or not; PHQ-9 item 9 and crisis words in a note reach the crisis screen
before anything else, with the region's lines and the person's safety plan.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_browser import assert_clean, sign_up
from tests.support import LiveThaw

pytestmark = pytest.mark.e2e


def test_crisis_over_http(server: LiveThaw, person_token: str) -> None:
    public = server.request("GET", "/help/")
    assert public.status == 200 and b'href="tel:988"' in public.body and b"not an emergency service" in public.body
    resources = server.request("GET", "/api/v1/crisis-resources?region=UK").json()
    assert resources["emergency"] == "999"
    taken = server.request("POST", "/api/v1/assessments",
                           {"instrument": "phq9", "answers": [0, 0, 0, 0, 0, 0, 0, 0, 1]}, token=person_token)
    assert taken.status == 201
    body = taken.json()
    assert body["crisis"] is True and body["score"] == 1 and any("988" in r["how"] for r in body["resources"])
    note = server.request("POST", "/api/v1/checkins", {"emotions": [{"word": "hopeless", "intensity": 9}],
                                                      "numbness": 9, "note": "I don't want to be here anymore"},
                          token=person_token)
    assert note.status == 201 and note.json()["crisis"] is True
    calm = server.request("POST", "/api/v1/checkins", {"emotions": [{"word": "tired", "intensity": 4}],
                                                      "numbness": 3, "note": "not suicidal, just dead tired"},
                          token=person_token)
    assert calm.json()["crisis"] is False


def test_get_help_now_is_one_tap_from_every_page(browser: Any, server: LiveThaw) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server.url)
    page = context.new_page()
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/emotions/"):
        page.goto(path)
        page.get_by_role("link", name="Get help now").first.click()
        page.get_by_role("heading", name="Get help now").wait_for()
        assert page.locator('.urgent a[href="tel:988"]').count() == 1
    context.close()


def test_sign_up_suggests_the_region_from_the_device_and_the_person_confirms_it(browser: Any, server: LiveThaw) -> None:
    """Berlin with an en-GB browser: the time zone says where the person is, so EU lines."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server.url,
                                  timezone_id="Europe/Berlin", locale="en-GB")
    page = context.new_page()
    page.goto("/help/")
    assert page.locator("#elsewhere").get_by_text("European Union").is_visible(), "signed out: every region listed"
    page.goto("/accounts/signup/")
    region = page.get_by_label("Where are you?")
    assert region.input_value() == "EU"
    assert "time zone (Europe/Berlin)" in page.locator("#region-suggestion").inner_text()
    page.get_by_label("Email").fill("berlin@example.org")
    page.locator("#id_password1").fill("a calm, long passphrase")
    page.locator("#id_password2").fill("a calm, long passphrase")
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("heading", name="How is it right now?").wait_for()
    page.goto("/help/")
    assert page.locator("#lines-title").inner_text().endswith("European Union")
    assert page.locator('.urgent a[href="tel:112"]').count() == 1
    context.close()


def test_phq9_item9_shows_crisis_screen_before_the_score(phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "crisis-path@example.org")
    page.goto("/safety-plan/")
    page.get_by_label("People I can ask for help").fill("My sister Ana, 555-0142")
    page.get_by_role("button", name="Save my plan").click()
    page.get_by_text("Your safety plan is saved").wait_for()

    page.get_by_role("link", name="Assessments").click()
    page.get_by_role("link", name="Take the PHQ-9").click()
    for n in range(9):
        page.get_by_text(f"question {n + 1} of 9").first.wait_for()
        answer = "Several days" if n == 8 else "Not at all"
        page.locator("label.option", has_text=answer).click()
        page.get_by_role("button", name="See my result" if n == 8 else "Next").click()

    # The crisis screen comes first: lines, the notice, and the person's own plan.
    page.get_by_role("heading", name="Get help now").wait_for()
    assert page.locator('a[href="tel:988"]').is_visible()
    assert "not an emergency service" in page.content()
    assert "My sister Ana, 555-0142" in page.locator("dl.plan").inner_text()
    assert "Your PHQ-9 result" not in page.content()
    # And it never blocks: the score is one tap away.
    page.get_by_role("link", name="Continue to your results").click()
    page.get_by_role("heading", name="Your PHQ-9 result").wait_for()
    assert "1" in page.locator(".score").inner_text()
    assert_clean(page, server)


def test_crisis_words_in_a_checkin_note_show_the_crisis_screen(phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "crisis-note@example.org")
    page.get_by_role("link", name="Check in with words").click()
    page.locator("label.chip", has_text="empty").first.click()
    page.get_by_text("Add details (optional)").click()
    page.get_by_label("Note").fill("Everything is grey. I want to end my life.")
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_role("heading", name="Get help now").wait_for()
    page.get_by_role("link", name="Back to Thaw").click()
    assert "empty" in page.locator("li.entry").first.inner_text()
    assert_clean(page, server)


def test_a_spanish_speaker_writes_a_crisis_note_and_gets_the_spanish_crisis_screen(browser: Any, server: LiveThaw) -> None:
    """Issue 17: the crisis path is Spanish end to end. A Spanish browser (es-US) signs up, checks in
    with a Spanish note, and lands on the crisis screen in Spanish, with the Spanish-language services
    (988 press 2, text AYUDA) before the region's other lines."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  base_url=server.url, locale="es-US", timezone_id="America/Los_Angeles")
    page = context.new_page()
    page.thaw_requests = []  # type: ignore[attr-defined]
    page.thaw_console_errors = []  # type: ignore[attr-defined]
    page.on("request", lambda r: page.thaw_requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and page.thaw_console_errors.append(m.text))
    page.on("pageerror", lambda e: page.thaw_console_errors.append(str(e)))
    page.goto("/accounts/signup/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.locator("#id_email").fill("crisis-es@example.org")
    page.locator("#id_password1").fill("una frase larga y tranquila")
    page.locator("#id_password2").fill("una frase larga y tranquila")
    page.locator("form[action$='/signup/'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/signup/" not in url)
    page.goto("/checkin/")
    page.locator("label.chip", has=page.locator('input[value="empty"]')).first.click()
    page.locator("#sec-details > summary").click()
    page.locator("#note").fill("Todo está gris. Ya no quiero vivir, estoy pensando en quitarme la vida.")
    page.locator("#checkin-form .form-actions button.primary").click()

    page.get_by_role("heading", name="Pedir ayuda ahora").wait_for()
    lines = page.locator(".urgent ul.resources > li")
    first = lines.nth(0)
    assert first.get_attribute("lang") == "es" and "marca 2" in first.inner_text()
    assert first.locator('a[href="tel:988"]').is_visible()
    assert page.locator('.urgent a[href="sms:988?&body=AYUDA"]').count() == 1
    spanish_first = [lines.nth(i).get_attribute("lang") for i in range(lines.count())]
    assert spanish_first[: spanish_first.count("es")] == ["es"] * spanish_first.count("es")
    assert "no es un servicio de emergencias" in page.locator(".urgent").inner_text()
    assert "Get help now" not in page.content() and "Talk to someone now" not in page.content()
    page.get_by_role("link", name="Volver a Thaw").click()
    assert_clean(page, server)
    context.close()
