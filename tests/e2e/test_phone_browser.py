"""The phone-first shell and the mood meter, in headless Chromium at 390 px through the real server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e import pagecheck
from tests.e2e.test_browser import assert_clean, sign_up
from tests.support import LiveThaw

pytestmark = pytest.mark.e2e


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


@pytest.mark.same_on_every_database
def test_a_phone_gets_a_compact_header_and_a_bottom_tab_bar_a_wide_screen_a_top_bar(
        phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "shell@example.org")
    tabs = page.get_by_role("navigation", name="Main")
    assert tabs.get_by_role("link").all_inner_texts() == ["Home", "Check in", "Insights", "Tools", "More"]
    # The header is one row: Thaw, "I feel far away" and "Get help now", each a 44 px target.
    header = _box(page, "header.site")
    assert header["height"] <= 64, header
    for name in ("I feel far away", "Get help now"):
        link = page.locator("header.site").get_by_role("link", name=name)
        box = link.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44, (name, box)
    # The tab bar sits at the bottom of the screen and stays there while the page scrolls.
    bar = _box(page, "nav.tabs")
    assert bar["y"] + bar["height"] == pytest.approx(844, abs=1), bar
    page.get_by_role("link", name="Check in with words").click()
    page.mouse.wheel(0, 1500)
    page.wait_for_function("window.scrollY > 0")
    bar = _box(page, "nav.tabs")
    assert bar["y"] + bar["height"] == pytest.approx(844, abs=1), "the tab bar scrolled away"
    assert page.locator('nav.tabs a[aria-current="page"]').inner_text() == "Check in"
    assert pagecheck.touch_targets(page) == []
    # On a wide screen the same tabs are a bar under the header.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.evaluate("window.scrollTo(0, 0)")
    bar = _box(page, "nav.tabs")
    assert bar["y"] < _box(page, "main")["y"], bar
    assert_clean(page, server)


def test_the_mood_meter_opens_the_words_of_a_place_by_touch_and_by_keyboard(phone: Any, server: LiveThaw) -> None:
    page = phone
    sign_up(page, "meter@example.org")
    page.goto("/checkin/")
    meter = page.locator("#mood-meter")
    meter.wait_for()
    # The search box still comes first; the numb words stay above the meter, one tap away.
    assert page.evaluate("""() => {
      const order = ['#word-search', '#numb-words', '#mood-meter', 'details[data-quadrant]'].map(s => document.querySelector(s));
      return order.every((el, i) => i === 0 || order[i - 1].compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    low = page.locator('details[data-quadrant="low-energy unpleasant"]')
    lively = page.locator('details[data-quadrant="high-energy pleasant"]')
    assert not low.evaluate("d => d.open")
    # By touch: tap a place; its words open just below, and the radio groups say where it is.
    meter.get_by_role("button", name="Unpleasant and low").tap()
    assert low.evaluate("d => d.open")
    assert meter.get_by_role("button", name="Unpleasant and low").get_attribute("aria-pressed") == "true"
    assert meter.get_by_role("radio", name="Unpleasant").is_checked()
    assert meter.get_by_role("radio", name="Less energy").is_checked()
    assert "open just below" in meter.locator("#meter-status").inner_text()
    word = low.locator('input[name="word"]').first
    picked = word.get_attribute("value")
    word.locator("xpath=..").tap()
    assert word.is_checked()
    # By keyboard: the two radio groups move the meter; the place with a picked word stays open.
    meter.get_by_role("radio", name="Pleasant", exact=True).focus()
    page.keyboard.press("Space")
    meter.get_by_role("radio", name="More energy").focus()
    page.keyboard.press("Space")
    assert lively.evaluate("d => d.open")
    assert low.evaluate("d => d.open"), "the place holding a picked word was closed"
    assert page.locator('details[data-quadrant="low-energy pleasant"]').evaluate("d => !d.open")
    assert meter.get_by_role("button", name="Pleasant and lively").get_attribute("aria-pressed") == "true"
    assert pagecheck.touch_targets(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("Saved. Thank you for checking in.").wait_for()
    page.goto("/checkins/")
    assert picked in page.locator("li.entry").first.inner_text()
    assert_clean(page, server)
