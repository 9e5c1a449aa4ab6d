"""A real ``thaw serve`` for the whole session, and headless Debian Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import LiveThaw, live_thaw, thaw

CHROMIUM = os.environ.get("THAW_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "a calm, long passphrase"
BROWSER_TIMEOUT_MS = 90_000


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveThaw]:
    with live_thaw(tmp_path_factory.mktemp("live") / "data") as live:
        yield live


@pytest.fixture(scope="session")
def person_token(server: LiveThaw) -> str:
    result = thaw("user", "add", "e2e-person@example.org", "--role", "person",
                  env={**server.env, "THAW_PASSWORD": PASSWORD})
    assert result.returncode == 0, result.stderr
    response = server.request("POST", "/api/v1/auth/token", {"email": "e2e-person@example.org", "password": PASSWORD})
    assert response.status == 200, response.body
    return response.json()["token"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `python scripts/ensure_chromium.py` (make test does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        # Every wait in a page gets a generous bound: a loaded machine may be slow to load or
        # render, and that must never fail a test (a real hang still ends it).
        open_context = chromium.new_context

        def new_context(**options: Any) -> Any:
            context = open_context(**options)
            context.set_default_timeout(BROWSER_TIMEOUT_MS)
            return context

        chromium.new_context = new_context
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Any, server: LiveThaw) -> Iterator[Any]:
    """A phone-sized page that records every request and every console error."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  base_url=server.url)
    page = context.new_page()
    page.thaw_requests = []  # type: ignore[attr-defined]
    page.thaw_console_errors = []  # type: ignore[attr-defined]
    page.on("request", lambda r: page.thaw_requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and page.thaw_console_errors.append(m.text))
    page.on("pageerror", lambda e: page.thaw_console_errors.append(str(e)))
    yield page
    context.close()
