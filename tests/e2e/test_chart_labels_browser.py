"""The server-drawn trend charts (issue 16) in headless Chromium through the real server: on a
390 px phone every word and number in them renders at 12 CSS px or more, on a desktop they stay
ordinary reading size, none is cut off at the chart's edge or drawn over another, and each one
has 4.5:1 contrast against what it sits on, in light and dark mode. Measured in the browser: the
font size the stylesheet gives the text times the scale the chart is drawn at.

Two pages draw them: a person's own results of a questionnaire, and a clinician's page of a
person (scores, weekly numbness, granularity)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e import pagecheck
from tests.e2e.test_browser import PASSWORD, assert_clean
from tests.support import LiveThaw, thaw, totp_code

pytestmark = pytest.mark.e2e

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PERSON, CLINICIAN = "charts-person@example.org", "charts-clinician@example.org"
PHONE, DESKTOP = 390, 1280
SMALLEST, LARGEST = 12.0, 20.0
CONTRAST = 4.5
# Three months of check-ins (several unpleasant words each, at changing intensities, so the
# granularity chart has points), three PHQ-9 results a month apart across the score bands and two WHO-5s.
SETUP = f"""
from datetime import timedelta
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone
from thaw.accounts.models import User
from thaw.assessments.models import Assessment
from thaw.assessments.services import take
from thaw.checkins.services import create_checkin
from thaw.clinic import services
from thaw.clinic.models import Membership, Program
clinician = User.objects.get(email={CLINICIAN!r})
TOTP.activate(clinician, {SECRET!r})
program = Program.objects.create(name="Charts IOP", lead=clinician)
Membership.objects.create(program=program, clinician=clinician, on_duty=True)
person = User.objects.get(email={PERSON!r})
invite, _ = services.invite_person(program, clinician)
services.enrol(invite, person, ["summary", "checkins", "assessments", "flags"])
now = timezone.now()
for day in range(80, 0, -2):
    create_checkin(person, {{"emotions": [{{"word": "sad", "intensity": 2 + day % 7}},
                                          {{"word": "lonely", "intensity": 9 - day % 5}},
                                          {{"word": "anxious", "intensity": 1 + day % 4}}],
                             "numbness": day % 11, "at": (now - timedelta(days=day)).isoformat()}})
for months, answers in ((2, [3, 3, 2, 3, 2, 3, 2, 2, 0]), (1, [2, 2, 1, 2, 1, 1, 1, 1, 0]), (0, [0, 1, 0, 1, 0, 1, 0, 0, 0])):
    taken = take(person, "phq9", answers)
    Assessment.objects.filter(pk=taken.pk).update(taken_at=now - timedelta(days=30 * months, hours=1))
for months, answers in ((1, [1, 1, 2, 1, 1]), (0, [4, 3, 4, 3, 4])):  # the WHO-5's bands have the longest names
    taken = take(person, "who5", answers)
    Assessment.objects.filter(pk=taken.pk).update(taken_at=now - timedelta(days=30 * months, hours=2))
print(person.pk)
"""

# For each text in a trend chart: its rendered size (the stylesheet's font size in the chart's
# units times the chart's scale on screen), its box, the chart's box, its colour and the colour
# of what is under it (a shaded zone, or the page or card behind the chart).
_MEASURE_JS = """() => Array.from(document.querySelectorAll('svg.trend')).flatMap((svg, chart) => {
  const behind = el => {
    for (let n = el; n; n = n.parentElement) {
      const c = getComputedStyle(n).backgroundColor;
      if (c && c !== 'transparent' && !c.endsWith(', 0)')) return c;
    }
    return 'rgb(255, 255, 255)';
  };
  const outer = svg.getBoundingClientRect();
  return Array.from(svg.querySelectorAll('text')).map(t => {
    const r = t.getBoundingClientRect();
    const under = Array.from(svg.querySelectorAll('rect')).find(z => {
      const b = z.getBoundingClientRect();
      return r.left + r.width / 2 >= b.left && r.left + r.width / 2 <= b.right && r.top + r.height / 2 >= b.top && r.top + r.height / 2 <= b.bottom;
    });
    return {chart, text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
            box: [r.left, r.top, r.right, r.bottom], chartBox: [outer.left, outer.top, outer.right, outer.bottom],
            ink: getComputedStyle(t).fill, paper: under ? getComputedStyle(under).fill : behind(svg.parentElement)};
  });
})"""


def _rgb(css: str) -> tuple[int, int, int]:
    r, g, b = (int(float(part)) for part in css[css.index("(") + 1:css.index(")")].split(",")[:3])
    return r, g, b


def _chart_text_problems(page: Any, where: str, charts: int) -> list[str]:
    """Everything wrong with the charts' text on this page, at the widths and in the modes a person uses."""
    problems = []
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 844})
        for mode in pagecheck.MODES:
            page.emulate_media(color_scheme=mode)
            texts = page.evaluate(_MEASURE_JS)
            assert len({t["chart"] for t in texts}) == charts, (where, texts)
            at = f"{where} at {width} px, {mode}"
            problems += [f"{at}: {t['text']!r} is {t['size']:.1f} px" for t in texts
                         if not SMALLEST <= t["size"] <= LARGEST]
            problems += [f"{at}: {t['text']!r} runs off its chart" for t in texts
                         if t["box"][0] < t["chartBox"][0] - 0.5 or t["box"][2] > t["chartBox"][2] + 0.5
                         or t["box"][1] < t["chartBox"][1] - 0.5 or t["box"][3] > t["chartBox"][3] + 0.5]
            for i, a in enumerate(texts):
                for b in texts[i + 1:]:
                    if a["chart"] == b["chart"] and a["box"][0] < b["box"][2] and b["box"][0] < a["box"][2] \
                            and a["box"][1] < b["box"][3] and b["box"][1] < a["box"][3]:
                        problems.append(f"{at}: {a['text']!r} and {b['text']!r} are drawn over each other")
            for t in texts:
                ratio = pagecheck.contrast(_rgb(t["ink"]), _rgb(t["paper"]))
                if ratio < CONTRAST:
                    problems.append(f"{at}: {t['text']!r} has contrast {ratio:.2f}:1 on {t['paper']}")
    page.set_viewport_size({"width": PHONE, "height": 844})
    page.emulate_media(color_scheme="light")
    return problems


def _phone(browser: Any, server: LiveThaw) -> Any:
    context = browser.new_context(viewport={"width": PHONE, "height": 844}, is_mobile=True, has_touch=True,
                                  base_url=server.url)
    page = context.new_page()
    page.thaw_requests = []
    page.thaw_console_errors = []
    page.on("request", lambda r: page.thaw_requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and page.thaw_console_errors.append(m.text))
    page.on("pageerror", lambda e: page.thaw_console_errors.append(str(e)))
    return page


def _sign_in(page: Any, email: str, two_factor: bool = False) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    if two_factor:
        page.get_by_label("Code").fill(totp_code(SECRET))
        page.locator("form button[type=submit]").first.click()
    page.get_by_role("navigation", name="Main").wait_for()


def test_chart_labels_are_readable_on_a_phone_and_a_desktop_in_both_modes(browser: Any, server: LiveThaw) -> None:
    env = {**server.env, "THAW_PASSWORD": PASSWORD}
    assert thaw("user", "add", CLINICIAN, "--role", "clinician", env=env).returncode == 0
    assert thaw("user", "add", PERSON, "--role", "person", env=env).returncode == 0
    result = thaw("manage", "shell", "--no-imports", "-c", SETUP, env=env)
    assert result.returncode == 0, result.stderr
    person_id = result.stdout.strip().splitlines()[-1]

    page = _phone(browser, server)
    _sign_in(page, PERSON)
    page.goto("/assessments/phq9/")
    assert page.locator("svg.trend circle.dot").count() == 3
    problems = _chart_text_problems(page, "the person's PHQ-9 results", charts=1)
    pagecheck.screenshot(page, "charts_person_phq9_results")
    assert_clean(page, server)
    page.context.close()

    page = _phone(browser, server)
    _sign_in(page, CLINICIAN, two_factor=True)
    page.goto(f"/clinic/people/{person_id}/")
    for section, charts in (("#scores", 2), ("#numbness", 1), ("#granularity", 1)):
        assert page.locator(f"{section} svg.trend").count() == charts, f"no chart in {section}"
    problems += _chart_text_problems(page, "the clinician's page of the person", charts=4)
    pagecheck.screenshot(page, "charts_clinician_person")
    assert_clean(page, server)
    page.context.close()
    assert problems == [], "\n".join(problems)


def test_the_link_to_every_word_and_its_meaning_is_a_44_px_target(phone: Any, server: LiveThaw) -> None:
    from tests.e2e.test_browser import sign_up

    page = phone
    sign_up(page, "word-help@example.org")
    page.goto("/checkin/")
    link = page.locator("#word-help").get_by_role("link", name="See every word with its meaning")
    box = link.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44, box
    link.tap()
    page.wait_for_url(lambda url: "/emotions/" in url)
    assert_clean(page, server)
