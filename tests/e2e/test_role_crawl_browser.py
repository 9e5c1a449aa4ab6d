"""Every role's pages in headless Chromium through the real server: no request to another host,
no Content-Security-Policy violation, no script error, no 5xx. Each page's forms are sent empty
once, so the error states are looked at in the browser too.

Every page opened is also held to tests/e2e/pagecheck.py: touch targets of at least 44×44 px (the
rule is stated there), zero axe-core violations (WCAG 2.2 A/AA) in light and dark mode at 390 px
and 1280 px, chart text contrast of at least 4.5:1 measured from pixels, and the main pages are
written as screenshots (390 px, both modes) to build/screenshots/ for anyone to look at.

The personas and their worlds are those of the test-client sweep (tests/personas.py), built in
the live server's database; clinicians and admins sign in with a TOTP code, as 2FA requires.
One page per route shape here (the sweep opens up to three of each and every form's junk states).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

from scripts.fetch_axe import fetch as fetch_axe
from tests.e2e import pagecheck
from tests.personas import PASSWORD, PERSONAS, TOTP_SECRET, Persona
from tests.support import LiveThaw, thaw, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.same_on_every_database]

NOT_PAGES = ("/static/", "/api/", "/healthz", "/accounts/logout/")
DOWNLOADS = re.compile(r"\.(pdf|ics)$")
DESTRUCTIVE = re.compile(r"^/accounts/logout/|^/settings/erase|/delete$|/stop$|/revoke$|/cancel$|/remove$"
                         r"|/deactivate/")
MAX_PAGES = 60
# Page shapes and forms already looked at by an earlier role: the browser opens each once (CSP and
# outside requests belong to the templates); the test-client sweep covers every role × page.
SHAPES: set[str] = set()
SENT: set[tuple[str, str]] = set()
REPO = Path(__file__).resolve().parents[2]
# The main pages, written as screenshots (390 px, light and dark) on every run, by route shape.
MAIN_PAGES = {"/", "/help/", "/accounts/login/", "/checkin/", "/checkins/", "/insights/", "/tools/", "/more/",
              "/grounding/", "/grounding/now/", "/substances/", "/circle/", "/assessments/", "/assessments/phq9/",
              "/safety-plan/", "/settings/", "/shared/", "/shared/<>/", "/clinic/", "/clinic/people/<>/",
              "/clinic/sessions/", "/clinic/programs/", "/report/"}
CONTRAST = 4.5


@pytest.fixture(scope="module")
def axe_source() -> str:
    return fetch_axe().read_text()


def _resize(page: Any, width: int) -> None:
    """A phone or desktop width; charts redraw for a new width a moment after the resize, so
    what follows looks at them once they have."""
    page.set_viewport_size({"width": width, "height": 844})
    page.wait_for_function("w => !document.querySelector('[data-chart]') || !window.uPlot"
                           " || document.documentElement.getAttribute('data-charts-width') === String(w)", arg=width)


def _look_at(page: Any, url: str, persona: str, axe_source: str) -> list[str]:
    """The page as a phone and a desktop show it, light and dark: touch targets and no sideways
    scrolling at phone width, axe everywhere, chart text contrast from pixels; and screenshots of
    the main pages."""
    problems = [f"{url}: touch target {p}" for p in pagecheck.touch_targets(page)]
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if wide > 1:
        problems.append(f"{url}: the page is {wide} px wider than a 390 px phone (sideways scrolling)")
    pagecheck.load_axe(page, axe_source)
    for width in pagecheck.WIDTHS:
        _resize(page, width)
        for mode in pagecheck.MODES:
            page.emulate_media(color_scheme=mode)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            violations, undecided = pagecheck.axe(page)
            problems += [f"{url} ({width} px, {mode}): {v}" for v in violations]
            problems += [f"{url} ({width} px, {mode}): contrast axe could not decide, outside a chart: {u['target']}"
                         for u in undecided if not u["chart"]]
            problems += [f"{url} ({width} px, {mode}): {chart} text contrast {ratio:.2f}:1 < {CONTRAST}:1"
                         for chart, ratio in pagecheck.chart_text_contrast(page) if ratio < CONTRAST]
    _resize(page, 390)
    page.emulate_media(color_scheme="light")
    if _shape(url).split("?")[0] in MAIN_PAGES:
        name = f"{persona}{_shape(url).split('?')[0]}".replace("/", "_").replace(" ", "-").replace("<>", "id").strip("_")
        pagecheck.screenshot(page, name)
    return problems


@pytest.fixture(scope="module")
def worlds(server: LiveThaw) -> dict[str, Any]:
    """Every persona's world, built once in the live server's database."""
    script = ("import json; from tests.personas import build_all; "
              "print(json.dumps({k: {'email': w.user.email if w.user else None, 'start': w.start} "
              "for k, w in build_all().items()}))")
    env = {**server.env, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), server.env.get("PYTHONPATH")]))}
    result = thaw("manage", "shell", "--no-imports", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _sign_in(page: Any, persona: Persona, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    if persona.two_factor:
        page.get_by_label("Code").fill(totp_code(TOTP_SECRET))
        page.locator("form button[type=submit]").first.click()
    page.get_by_role("navigation", name="Main").wait_for()


def _shape(url: str) -> str:
    """One page per route shape: ids and secrets become placeholders, query values are dropped."""
    parts = urlsplit(url)
    # An article's editing pages and its comment form are one template whatever the article (each
    # published article's own page is still opened: its body is content of its own).
    path = re.sub(r"^/learn/manage/(?!(?:new|comments|programs)/)[^/]+/", "/learn/manage/<slug>/", parts.path)
    path = re.sub(r"^/learn/(?!manage/)[^/]+/comment/", "/learn/<slug>/comment/", path)
    path = re.sub(r"/[0-9a-f]{8}-[0-9a-f-]{27}|/\d+|/(invite|enrol)/[^/]+", r"/<\1>", path)
    names = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return path + ("?" + "&".join(names) if names else "")


def _send_forms_empty(page: Any, url: str) -> None:
    """Each kind of form on the page sent empty once, as a browser without JavaScript sends it
    (form.submit() fires no submit event): its error state, in the browser. Destructive ones never."""
    while True:
        forms = page.eval_on_selector_all("main form[method=post]", """els => els.map((f, i) => ({
            i, action: new URL(f.action, location.href).pathname, visible: f.offsetParent !== null,
            names: Array.from(f.elements).map(e => e.name).filter(Boolean).sort().join(",")}))""")
        todo = [f for f in forms if f["visible"] and not DESTRUCTIVE.search(f["action"])
                and (_shape(f["action"]), f["names"]) not in SENT]
        if not todo:
            return
        form = todo[0]
        SENT.add((_shape(form["action"]), form["names"]))
        with page.expect_navigation() as navigation:
            page.locator("main form[method=post]").nth(form["i"]).evaluate(
                "f => { f.querySelectorAll('input:not([type=hidden]), textarea, select').forEach(e => {"
                " if (e.type === 'checkbox' || e.type === 'radio') e.checked = false; else e.value = ''; });"
                " HTMLFormElement.prototype.submit.call(f); }")
        answer = navigation.value
        assert answer is not None and answer.status < 500, f"POST {form['action']} from {url}: {answer}"
        page.goto(url)


@pytest.mark.parametrize("persona", PERSONAS, ids=[p.name for p in PERSONAS])
def test_every_page_of_every_role_in_a_browser(persona: Persona, worlds: dict[str, Any], browser: Any,
                                                server: LiveThaw, axe_source: str) -> None:
    world = worlds[persona.name]
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  base_url=server.url)
    page = context.new_page()
    origin = urlsplit(server.url).netloc
    foreign: list[str] = []
    broken: list[str] = []
    unkind: list[str] = []
    page.on("request", lambda r: urlsplit(r.url).scheme in ("http", "https")
            and urlsplit(r.url).netloc != origin and foreign.append(r.url))
    page.on("console", lambda m: m.type == "error" and "status of 4" not in m.text and broken.append(m.text))
    page.on("pageerror", lambda e: broken.append(str(e)))
    try:
        if world["email"]:
            _sign_in(page, persona, world["email"])
        queue = list(world["start"])
        opened: list[str] = []
        while queue and len(opened) < MAX_PAGES:
            url = urldefrag(queue.pop(0))[0]
            parts = urlsplit(url)
            if parts.netloc and parts.netloc != origin or parts.scheme not in ("", "http", "https"):
                continue
            if parts.path.startswith(NOT_PAGES) or DOWNLOADS.search(parts.path):
                continue
            # A role's own start pages are always opened (what the role sees there is its own);
            # other pages once per route shape across all roles.
            if _shape(url) in SHAPES and url not in world["start"] or url in opened:
                continue
            SHAPES.add(_shape(url))
            response = page.goto(url)
            assert response is not None and response.status < 500, f"GET {url}: {response and response.status}"
            opened.append(url)
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue  # a feed, the manifest, the service worker, a status answer: not a page to look at
            assert "script-src 'self'" in response.all_headers().get("content-security-policy", ""), url
            queue += page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
            unkind += _look_at(page, url, persona.name, axe_source)
            _send_forms_empty(page, url)
        assert len(opened) >= 1, opened
        assert foreign == [], f"requests to another host: {foreign}"
        assert broken == [], f"CSP violations or script errors: {broken}"
        assert unkind == [], "touch targets, accessibility or contrast:\n" + "\n".join(unkind)
    finally:
        context.close()
