"""Every page, every role, and every form's error states: the net under every page.

Signs in as each persona of tests/personas.py (a visitor, a person with data, a trusted person,
a clinician with a caseload, an admin) and crawls with the Django test client (tests/crawl.py
says what each page and form must satisfy). Then every route of Thaw's own pages must have been
opened or posted to by some role: a new page that no role reaches by a link fails here until a
persona reaches it (or it is listed below with the reason).

The browser half (third-party requests, CSP) is tests/e2e/test_role_crawl_browser.py.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from tests.crawl import Answer, crawl, describe, route_patterns
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db

# Routes no role reaches by a link, with the reason; everything else must be reached.
UNREACHED: dict[str, str] = {
    "learn/images/<str:digest>.jpg": "an article's picture, loaded by <img> (tests/test_learn.py fetches it)",
    "learn/manage/preview": "the editor's live preview, posted by htmx as they type (tests/test_learn.py)",
    "i18n/<str:language>.js": "the JavaScript message catalogue: a <script src> on every page, not a page to link to "
                              "(tests/test_i18n.py fetches it and checks every page loads it)",
}


def _route_of(path: str) -> str:
    try:
        return resolve(path).route
    except Resolver404:
        return path


def _fetcher(client: Client) -> Any:
    def fetch(method: str, url: str, data: list[tuple[str, str]] | None) -> Answer:
        if method == "get":
            response = client.get(url)
        else:
            body: dict[str, list[str]] = {}
            for name, value in data or []:
                body.setdefault(name, []).append(value)
            response = client.post(url, body)
        content_type = response.get("Content-Type", "")
        streamed = getattr(response, "streaming", False)
        text = "" if streamed or "text/html" not in content_type else response.content.decode(errors="replace")
        return Answer(response.status_code, content_type, text, response.get("Location", ""))

    return fetch


# The crawl signs in and re-authenticates dozens of times; what it tests is the pages, not the
# password hash, so it uses Django's fastest hasher (Thaw's own stays in force everywhere else).
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_every_page_and_every_form_error_state_for_every_role(capsys) -> None:
    reached: set[str] = set()
    problems: list[str] = []
    lines = []
    for persona in PERSONAS:
        began = time.monotonic()
        world = persona.build()
        client = Client(raise_request_exception=False)
        if world.user is not None:
            client.force_login(world.user)  # clinicians and admins have TOTP set up, as 2FA requires
        report = crawl(_fetcher(client), world.start or ["/"], _route_of)
        lines.append(f"{describe(persona.name, report)} in {time.monotonic() - began:.1f} s")
        problems += [f"[{persona.name}] {p}" for p in report.problems]
        reached |= {_route_of(url.split("?")[0]) for url in report.pages}
        reached |= {_route_of(action) for action in report.actions}
        assert len(report.pages) >= 5, (persona.name, report.pages)
    with capsys.disabled():
        print("\n" + "\n".join(lines))
        print("\n".join(problems))
    assert problems == [], "\n".join(problems)
    missing = sorted(set(route_patterns()) - reached - set(UNREACHED))
    assert missing == [], f"no role reached these pages by a link or a form: {missing}"
