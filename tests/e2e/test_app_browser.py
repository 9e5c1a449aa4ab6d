"""In headless Chromium: Thaw as an installable app. Chromium itself judges the install criteria
(manifest and root-scoped service worker), a check-in made with no connection waits on the phone,
is said to be waiting, and arrives exactly once when the connection returns; a push message
delivered to the service worker (DevTools' ServiceWorker.deliverPushMessage) shows a notification
with nothing revealing in it; signing out clears what Thaw kept on the device."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.test_browser import assert_clean, sign_up
from tests.support import LiveThaw, wait_until

pytestmark = pytest.mark.e2e
REVEALING = re.compile(r"mood|numb|mental", re.IGNORECASE)

KEPT_PAGES = """async () => {
  const names = await caches.keys();
  if (!names.includes("thaw-pages")) return [];
  const kept = await (await caches.open("thaw-pages")).keys();
  return kept.map((r) => new URL(r.url).pathname);
}"""
WAITING = """() => new Promise((resolve) => {
  const open = indexedDB.open("thaw");
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains("outbox")) { db.close(); resolve(-1); return; }
    const count = db.transaction("outbox").objectStore("outbox").count();
    count.onsuccess = () => { db.close(); resolve(count.result); };
  };
  open.onerror = () => resolve(-1);
})"""


def ready_for_offline(page: Any) -> None:
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    wait_until(lambda: {"/", "/checkin/", "/grounding/"} <= set(page.evaluate(KEPT_PAGES)),
               "the service worker to keep the offline pages")


@pytest.fixture
def installed_phone(browser: Any, server: LiveThaw, tmp_path: Any) -> Iterator[Any]:
    """A phone with a profile of its own: Chromium offers to install only outside incognito,
    and every plain browser context is incognito."""
    from tests.e2e.conftest import BROWSER_TIMEOUT_MS, CHROMIUM

    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, base_url=server.url,
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync"])
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.pages[0] if context.pages else context.new_page()
    page.thaw_requests = []  # type: ignore[attr-defined]
    page.thaw_console_errors = []  # type: ignore[attr-defined]
    page.on("request", lambda r: page.thaw_requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and page.thaw_console_errors.append(m.text))
    page.on("pageerror", lambda e: page.thaw_console_errors.append(str(e)))
    yield page
    context.close()


def test_installable_offline_checkin_arrives_once_and_sign_out_clears_the_device(
        installed_phone: Any, server: LiveThaw) -> None:
    page = installed_phone
    sign_up(page, "app-person@example.org")
    ready_for_offline(page)

    # The install criteria, as Chromium itself judges them (manifest, icons, service worker, scope).
    cdp = page.context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest")
    parsed = json.loads(manifest["data"])
    assert parsed["display"] == "standalone" and parsed["start_url"] == "/" and parsed["name"] == "Thaw"

    # No connection: the pages kept on the phone still open, and a check-in waits there.
    page.context.set_offline(True)
    page.goto("/grounding/")
    page.get_by_role("heading", level=1).wait_for()
    assert page.locator("#outbox-status").is_hidden(), "nothing is waiting yet"
    page.goto("/checkin/")
    page.get_by_text("Unpleasant and low").click()
    page.locator("label.chip", has_text="lonely").first.click()
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_url(re.compile(r"/\?queued=1$"))
    status = page.locator("#outbox-status")
    status.filter(has_text="1 check-in is waiting on this phone. It will be sent when you are back online").wait_for()
    assert page.evaluate(WAITING) == 1

    # The connection returns: it is sent, once, and the page says so.
    page.context.set_offline(False)
    status.filter(has_text="has been sent").wait_for()
    assert page.evaluate(WAITING) == 0
    page.goto("/checkins/")
    assert page.locator("li.entry").count() == 1
    page.goto("/")
    page.goto("/checkins/")
    assert page.locator("li.entry").count() == 1, "a reload sends nothing again"

    # Signing out leaves nothing of the person on the device.
    page.goto("/")
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url(re.compile(r"/$|/accounts/"))
    wait_until(lambda: page.evaluate(KEPT_PAGES) == [], "the kept pages to be cleared on sign-out")
    assert page.evaluate(WAITING) in (0, -1)
    # The sends that failed while offline are logged by the browser; nothing else may be.
    page.thaw_console_errors[:] = [e for e in page.thaw_console_errors if "ERR_INTERNET_DISCONNECTED" not in e]
    assert_clean(page, server)


def test_a_push_message_shows_a_notification_with_nothing_revealing(phone: Any, server: LiveThaw) -> None:
    page = phone
    page.context.grant_permissions(["notifications"], origin=server.url)
    sign_up(page, "app-push@example.org")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")

    def registered() -> bool:
        page.evaluate("0")  # lets Playwright hand over the DevTools events that arrived meanwhile
        return any(r["scopeURL"].rstrip("/") == server.url.rstrip("/") for r in registrations)

    wait_until(registered, "the service worker's registration")
    registration = next(r for r in registrations if r["scopeURL"].rstrip("/") == server.url.rstrip("/"))
    prompt = "5b0f2c4e-8a51-4c1e-9a53-0d3c1f0a9b7e"
    payload = {"title": "Thaw: a moment for you?", "body": "", "url": f"/checkin/?prompt={prompt}",
               "prompt": prompt, "tag": "thaw-moment"}
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": server.url.rstrip("/"),
                                                  "registrationId": registration["registrationId"],
                                                  "data": json.dumps(payload)})
    shown_js = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
                    .map((n) => ({title: n.title, body: n.body, data: n.data, tag: n.tag}))"""
    wait_until(lambda: len(page.evaluate(shown_js)) == 1, "the notification to be shown")
    shown = page.evaluate(shown_js)[0]
    assert shown["title"] == "Thaw: a moment for you?" and shown["body"] == "" and shown["tag"] == "thaw-moment"
    assert not REVEALING.search(json.dumps(shown))
    assert shown["data"] == {"url": f"/checkin/?prompt={prompt}", "prompt": prompt}

    # Where a tap goes: the check-in form carries the prompt's id.
    page.goto(shown["data"]["url"])
    assert page.locator('input[name="prompt"]').first.input_value() == prompt
    assert_clean(page, server)
