"""Grounding exercises in headless Chromium at phone size, through the real server:
the pacer's timing, reduced motion, the before/after flow, offline saving and "Stop now"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.test_browser import sign_up
from tests.support import LiveThaw

pytestmark = pytest.mark.e2e

# Records every change of the pacer's phase with the page's own clock, the label shown
# and the circle's computed transform at that moment.
WATCH_PACER = """() => {
  window.phases = [];
  const pacer = document.getElementById('pacer');
  const circle = document.getElementById('pacer-circle');
  const label = document.getElementById('pacer-label');
  new MutationObserver(() => {
    window.phases.push({phase: pacer.dataset.phase, t: performance.now(), label: label.textContent,
                        transform: getComputedStyle(circle).transform});
  }).observe(pacer, {attributes: true, attributeFilter: ['data-phase']});
}"""


@pytest.fixture(scope="module")
def signed_in(browser: Any, server: LiveThaw) -> dict[str, Any]:
    """Sign up once for the module; each test gets a fresh phone with that session."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server.url)
    page = context.new_page()
    sign_up(page, "grounding-browser@example.org")
    state = context.storage_state()
    context.close()
    return state


def _phone(browser: Any, server: LiveThaw, state: dict[str, Any], **options: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  base_url=server.url, storage_state=state, **options)
    page = context.new_page()
    page.thaw_requests = []  # type: ignore[attr-defined]
    page.thaw_console_errors = []  # type: ignore[attr-defined]
    page.on("request", lambda r: page.thaw_requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and page.thaw_console_errors.append(m.text))
    page.on("pageerror", lambda e: page.thaw_console_errors.append(str(e)))
    yield page
    context.close()


@pytest.fixture
def person(browser: Any, server: LiveThaw, signed_in: dict[str, Any]) -> Iterator[Any]:
    yield from _phone(browser, server, signed_in)


@pytest.fixture
def calm_person(browser: Any, server: LiveThaw, signed_in: dict[str, Any]) -> Iterator[Any]:
    yield from _phone(browser, server, signed_in, reduced_motion="reduce")


def assert_clean(page: Any, server: LiveThaw, *, offline_ok: bool = False) -> None:
    origin = urlsplit(server.url).netloc
    foreign = [u for u in page.thaw_requests if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != origin]
    assert foreign == []
    errors = [e for e in page.thaw_console_errors if not (offline_ok and "ERR_INTERNET_DISCONNECTED" in e)]
    assert errors == []


def saved_session(page: Any, session_id: str) -> list[dict[str, Any]]:
    response = page.request.get("/api/v1/grounding/sessions?limit=500")
    assert response.status == 200
    return [s for s in response.json()["items"] if s["id"] == session_id]


def pick(page: Any, scale: str, value: int) -> None:
    page.locator(f"#{scale} label").nth(value).click()


@pytest.mark.same_on_every_database
def test_pacer_keeps_four_in_and_six_out(person: Any, server: LiveThaw) -> None:
    page = person
    page.goto("/grounding/breathing-4-6/")
    page.evaluate(WATCH_PACER)
    page.get_by_role("button", name="Skip the questions").click()
    page.wait_for_function("() => window.phases.filter(p => p.phase === 'in').length >= 2")
    phases = page.evaluate("window.phases")
    names = [p["phase"] for p in phases]
    assert names[:3] == ["in", "out", "in"], names
    breathe_in = (phases[1]["t"] - phases[0]["t"]) / 1000
    breathe_out = (phases[2]["t"] - phases[1]["t"]) / 1000
    assert breathe_in == pytest.approx(4, abs=0.4)
    assert breathe_out == pytest.approx(6, abs=0.4)
    assert [p["label"] for p in phases[:2]] == ["Breathe in", "Breathe out"]
    # With motion allowed, the circle really grows: small when breathing in starts, full when it ends.
    assert phases[0]["transform"] != phases[1]["transform"]
    assert page.get_by_text("Breath 2 of 12").is_visible()
    page.get_by_role("button", name="Stop now").click()
    page.get_by_text("You stopped. That is completely fine.").wait_for()
    assert page.locator("#pacer").get_attribute("data-phase") == "in"  # the pacer stopped with the exercise
    assert_clean(page, server)


@pytest.mark.same_on_every_database
def test_pacer_keeps_still_under_reduced_motion(calm_person: Any, server: LiveThaw) -> None:
    page = calm_person
    page.goto("/grounding/breathing-4-6/")
    page.evaluate(WATCH_PACER)
    page.get_by_role("button", name="Skip the questions").click()
    page.wait_for_function("() => window.phases.some(p => p.phase === 'out')")
    phases = page.evaluate("window.phases")
    assert [p["phase"] for p in phases[:2]] == ["in", "out"]
    assert [p["label"] for p in phases[:2]] == ["Breathe in", "Breathe out"]
    assert phases[0]["transform"] == phases[1]["transform"] == "none"
    assert page.locator("#pacer-count").inner_text().strip().isdigit()
    assert_clean(page, server)


def test_before_and_after_ratings_an_affirmation_and_the_save(person: Any, server: LiveThaw) -> None:
    page = person
    page.goto("/grounding/")
    page.get_by_role("link", name="Find the room", exact=True).click()
    session_id = page.locator("input[name=id]").input_value()
    pick(page, "before_presence", 3)
    pick(page, "before_numbness", 7)
    page.get_by_role("button", name="Start", exact=True).click()
    steps = page.locator("[data-screen=step]")
    total = steps.count()
    for n in range(1, total + 1):
        page.get_by_text(f"Step {n} of {total}").wait_for()
        assert page.get_by_role("button", name="Stop now").is_visible()
        page.get_by_role("button", name="Finish" if n == total else "Next").click()
    page.get_by_role("heading", name="How is it now?").wait_for()
    assert not page.get_by_role("button", name="Stop now").is_visible()
    pick(page, "after_presence", 6)
    pick(page, "after_numbness", 5)
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator("#save-status", has_text="Saved.").wait_for()
    assert page.locator("#affirmation").inner_text().strip()
    first = page.locator("#affirmation").inner_text()
    page.get_by_role("button", name="Another").click()
    assert page.locator("#affirmation").inner_text() != first
    [saved] = saved_session(page, session_id)
    assert (saved["exercise"], saved["completed"], saved["made_worse"]) == ("orienting", True, False)
    assert (saved["before_presence"], saved["before_numbness"], saved["after_presence"], saved["after_numbness"]) == (3, 7, 6, 5)
    assert saved["source"] == "api"
    assert_clean(page, server)


def test_offline_after_loading_keeps_the_session_and_sends_it_once(person: Any, server: LiveThaw) -> None:
    page = person
    page.goto("/grounding/categories/")
    session_id = page.locator("input[name=id]").input_value()
    page.context.set_offline(True)
    page.get_by_role("button", name="Skip the questions").click()
    total = page.locator("[data-screen=step]").count()
    for n in range(1, total + 1):
        page.get_by_role("button", name="Finish" if n == total else "Next").click()
    pick(page, "after_presence", 8)
    page.get_by_label("This made it worse").check()
    help_text = page.locator("#worse-help")
    assert help_text.is_visible() and "you did nothing wrong" in help_text.inner_text()
    assert help_text.get_by_role("link", name=re.compile("crisis lines")).is_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator("#save-status", has_text="Saved on this phone; it will be sent when you are back online.").wait_for()
    assert page.locator("#affirmation").inner_text().strip()
    assert page.locator("#worse-again").is_visible()
    queued = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('thaw.grounding.unsent.'))"
                           ".map(k => localStorage.getItem(k)).join('')")
    assert session_id in queued
    page.context.set_offline(False)
    page.locator("#save-status", has_text=re.compile(r"^Saved\.$")).wait_for()
    # Back online a second time and a fresh page load: the queue is empty, the server has it once.
    page.reload()
    page.get_by_role("button", name="Skip the questions").wait_for()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('thaw.grounding.unsent.')).length") == 0
    [saved] = saved_session(page, session_id)
    assert saved["made_worse"] is True and saved["after_presence"] == 8 and saved["before_presence"] is None
    assert_clean(page, server, offline_ok=True)


def test_stop_now_ends_the_exercise_and_saves_it_as_not_completed(person: Any, server: LiveThaw) -> None:
    page = person
    page.goto("/grounding/box-breathing/")
    session_id = page.locator("input[name=id]").input_value()
    assert page.get_by_text("If noticing your body makes things worse").is_visible()
    page.get_by_role("button", name="Start", exact=True).click()
    page.locator("#pacer[data-phase=in]").wait_for()
    page.get_by_role("button", name="Stop now").click()
    page.get_by_text("You stopped. That is completely fine.").wait_for()
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator("#save-status", has_text="Saved.").wait_for()
    [saved] = saved_session(page, session_id)
    assert saved["completed"] is False and saved["after_presence"] is None
    assert_clean(page, server)


def test_a_note_with_crisis_words_leads_to_the_crisis_page(person: Any, server: LiveThaw) -> None:
    page = person
    page.goto("/grounding/box-breathing/")
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_role("button", name="Stop now").click()
    page.locator("summary", has_text="Add a note").click()
    page.locator("#note").fill("honestly I want to end my life")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/help/?from=grounding")
    assert page.get_by_role("link", name="Back to Thaw").get_attribute("href") == "/grounding/"
    assert_clean(page, server)


def test_i_feel_far_away_is_one_tap_from_any_page_even_signed_out(browser: Any, server: LiveThaw) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server.url)
    page = context.new_page()
    page.goto("/help/")
    page.get_by_role("link", name="I feel far away").click()
    page.get_by_text("Step 1 of").wait_for()
    assert page.get_by_role("button", name="Stop now").is_visible()
    page.get_by_role("button", name="Stop now").click()
    page.get_by_role("button", name="Finish").click()
    assert page.locator("#affirmation").inner_text().strip()
    context.close()
