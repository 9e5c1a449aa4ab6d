"""In headless Chromium, a Spanish speaker (issue 17): the insights charts draw their labels,
dates and numbers in Spanish from the JavaScript catalogue, a page kept for offline use still
has its Spanish catalogue with no connection (the service worker keeps it), and what the scripts
write (the sign-up's region suggestion, the mood meter, the breathing pacer, a check-in waiting
offline) is Spanish."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.test_app_browser import ready_for_offline
from tests.e2e.test_browser import assert_clean
from tests.support import LiveThaw

pytestmark = pytest.mark.e2e
PASSPHRASE = "una frase larga y tranquila"
SPANISH_DATE = re.compile(r"\d{1,2} (ene|feb|mar|abr|may|jun|jul|ago|sept?|oct|nov|dic) \d{4}")


@pytest.fixture
def spanish_phone(browser: Any, server: LiveThaw) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  base_url=server.url, locale="es-US", timezone_id="America/Los_Angeles")
    page = context.new_page()
    page.thaw_requests = []  # type: ignore[attr-defined]
    page.thaw_console_errors = []  # type: ignore[attr-defined]
    page.on("request", lambda r: page.thaw_requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and page.thaw_console_errors.append(m.text))
    page.on("pageerror", lambda e: page.thaw_console_errors.append(str(e)))
    yield page
    context.close()


def sign_up_in_spanish(page: Any, email: str) -> None:
    page.goto("/accounts/signup/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(PASSPHRASE)
    page.locator("#id_password2").fill(PASSPHRASE)
    page.locator("form[action$='/signup/'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/signup/" not in url)


def test_the_insights_chart_speaks_spanish(spanish_phone: Any, server: LiveThaw) -> None:
    page = spanish_phone
    sign_up_in_spanish(page, "charts-es@example.org")
    page.goto("/checkin/")
    page.locator("label.chip", has=page.locator('input[value="empty"]')).first.click()
    page.locator("#numbness").focus()
    page.keyboard.press("ArrowRight")
    page.locator("#checkin-form .form-actions button.primary").click()
    page.wait_for_url(lambda url: "/checkin/" not in url)

    page.goto("/insights/")
    chart = page.locator('[data-chart="numbness"]')
    chart.locator("canvas").wait_for()
    legend = chart.locator(".u-legend")
    legend.filter(has_text="Entumecimiento promedio").wait_for()
    text = legend.inner_text()
    assert "Semana del" in text and "6,0" in text and SPANISH_DATE.search(text), text
    for english in ("Week of", "Average numbness", "6.0", "none yet"):
        assert english not in text, english
    assert_clean(page, server)


def test_a_page_kept_offline_keeps_its_spanish_strings(spanish_phone: Any, server: LiveThaw) -> None:
    page = spanish_phone
    sign_up_in_spanish(page, "offline-es@example.org")
    page.goto("/")
    ready_for_offline(page)
    page.context.set_offline(True)
    page.goto("/checkin/")
    page.locator("#word-search").fill("zzzz")
    # Written by thaw.js from the Spanish catalogue, which came from the service worker's cache.
    page.get_by_text("Ninguna palabra coincide con “zzzz”").wait_for()
    assert page.evaluate("window.django && window.django.gettext('with')") == "con"
    # A check-in made offline waits on the phone, and offline.js says so in Spanish.
    page.locator("#word-search").fill("")
    page.locator("label.chip", has=page.locator('input[value="empty"]')).first.click()
    page.locator("#checkin-form .form-actions button.primary").click()
    page.wait_for_url(re.compile(r"/\?queued=1$"))
    status = page.locator("#outbox-status")
    status.filter(has_text="Se enviará cuando vuelvas a tener conexión").wait_for()
    assert status.inner_text().startswith("1 registro espera en este teléfono."), status.inner_text()
    page.context.set_offline(False)
    status.filter(has_text="Se envió tu registro hecho sin conexión.").wait_for()
    page.thaw_console_errors[:] = [e for e in page.thaw_console_errors if "ERR_INTERNET_DISCONNECTED" not in e]
    assert_clean(page, server)


def test_the_standard_drinks_preview_speaks_spanish(spanish_phone: Any, server: LiveThaw) -> None:
    page = spanish_phone
    sign_up_in_spanish(page, "drinks-es@example.org")
    page.goto("/substances/")
    form = page.locator("#use-form")
    form.locator("label.chip", has=page.locator('input[value="alcohol"]')).click()
    form.locator("#use-abv").wait_for()
    form.locator("#use-amount").fill("500")
    form.locator("#use-abv").fill("4,8")
    preview = form.locator("#drink-preview")
    preview.filter(has_text="bebidas estándar").wait_for()
    assert preview.inner_text() == "Unas 1,9 bebidas estándar (10 g de alcohol cada una)."
    assert_clean(page, server)


def test_what_the_scripts_write_is_spanish(spanish_phone: Any, server: LiveThaw) -> None:
    page = spanish_phone
    page.goto("/accounts/signup/")
    suggestion = page.locator("#region-suggestion").inner_text()
    assert suggestion.startswith("Sugerido a partir de la zona horaria de tu dispositivo (America/Los Angeles): ")
    assert suggestion.endswith(". Cámbialo si estás en otro lugar."), suggestion
    sign_up_in_spanish(page, "scripts-es@example.org")

    page.goto("/checkin/")
    page.locator(".meter-cell").first.click()
    status = page.locator("#meter-status")
    status.filter(has_text="justo debajo del medidor").wait_for()
    assert re.fullmatch(r"Las \d+ palabras de “.+” están abiertas justo debajo del medidor\.", status.inner_text())

    page.goto("/grounding/breathing-4-6/")
    page.locator("[data-action=skip]").click()
    progress = page.locator("#pacer-progress")
    progress.filter(has_text="Respiración 1 de").wait_for()
    assert re.fullmatch(r"Respiración 1 de \d+", progress.inner_text().strip()), progress.inner_text()
    page.locator("[data-action=stop]").click()
    assert_clean(page, server)
