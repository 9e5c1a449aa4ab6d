"""In headless Chromium: Thaw as an installable app. Chromium itself judges the install criteria
(manifest and root-scoped service worker), a check-in made with no connection waits on the phone,
is said to be waiting, and arrives exactly once when the connection returns; a push message
delivered to the service worker (DevTools' ServiceWorker.deliverPushMessage) shows a notification
with nothing revealing in it, and a tap on it (the service worker's own openFromNotification,
run with that notification) opens the check-in that answers its prompt; signing out clears what
Thaw kept on the device."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_plus

import pytest

from tests.e2e.test_browser import PASSWORD, assert_clean, sign_up
from tests.support import LiveThaw, thaw, wait_until

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
QUEUED_BODIES = """() => new Promise((resolve) => {
  const open = indexedDB.open("thaw");
  open.onsuccess = () => {
    const all = open.result.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => { open.result.close(); resolve(all.result.map((entry) => entry.body)); };
  };
})"""
UNKEPT = "I sat in the parked car after work and felt nothing"


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
    assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest?lang=en")
    parsed = json.loads(manifest["data"])
    assert parsed["display"] == "standalone" and parsed["start_url"] == "/" and parsed["name"] == "Thaw"
    assert parsed["lang"] == "en" and parsed["shortcuts"][0]["name"] == "Check in", "the page's language"

    # No connection: the pages kept on the phone still open, and a check-in waits there.
    page.context.set_offline(True)
    page.goto("/grounding/")
    page.get_by_role("heading", level=1).wait_for()
    assert page.locator("#outbox-status").is_hidden(), "nothing is waiting yet"
    page.goto("/checkin/")
    page.locator("summary", has_text="Unpleasant and low").click()
    page.locator("label.chip", has_text="lonely").first.click()
    page.locator("#sentence").fill(UNKEPT)  # written to find words, not kept with the check-in
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_url(re.compile(r"/\?queued=1$"))
    status = page.locator("#outbox-status")
    status.filter(has_text="1 check-in is waiting on this phone. It will be sent when you are back online").wait_for()
    assert page.evaluate(WAITING) == 1
    (queued,) = page.evaluate(QUEUED_BODIES)
    assert "lonely" in queued and "parked" not in unquote_plus(queued), "an unkept sentence is not stored on the phone"

    # The connection returns: it is sent, once, and the page says so.
    page.context.set_offline(False)
    status.filter(has_text="has been sent").wait_for()
    assert page.evaluate(WAITING) == 0
    page.goto("/checkins/")
    assert page.locator("li.entry").count() == 1
    page.goto("/")
    page.goto("/checkins/")
    assert page.locator("li.entry").count() == 1, "a reload sends nothing again"

    # Signing out (under More on a phone) leaves nothing of the person on the device.
    page.goto("/more/")
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url(re.compile(r"/$|/accounts/"))
    wait_until(lambda: page.evaluate(KEPT_PAGES) == [], "the kept pages to be cleared on sign-out")
    assert page.evaluate(WAITING) in (0, -1)
    # The sends that failed while offline are logged by the browser; nothing else may be.
    page.thaw_console_errors[:] = [e for e in page.thaw_console_errors if "ERR_INTERNET_DISCONNECTED" not in e]
    assert_clean(page, server)


PROMPT_FOR = """
import json
from datetime import timedelta
from django.utils import timezone
from thaw.accounts.models import User
from thaw.reminders.models import Prompt
from thaw.reminders.services import notification
now = timezone.now()
prompt = Prompt.objects.create(person=User.objects.get(email={email!r}), due_at=now, sent_at=now, channel="push",
                               expires_at=now + timedelta(minutes=60))
print(json.dumps(notification(prompt, "")))
"""
SHOWN = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
             .map((n) => ({title: n.title, body: n.body, data: n.data, tag: n.tag}))"""
# What the service worker does when the notification is tapped, run inside it with the real
# notification: headless Chromium shows notifications but offers no way to tap one.
TAP = """async () => {
  const shown = await self.registration.getNotifications();
  await openFromNotification(shown[0]);
  return (await self.registration.getNotifications()).length;
}"""
FORGED_TAP = """async () => {
  await openFromNotification({close() {}, data: {url: "/\\\\elsewhere.example/checkin/"}});
}"""


def test_a_push_message_shows_a_notification_and_a_tap_opens_the_check_in_for_that_prompt(
        phone: Any, server: LiveThaw) -> None:
    page = phone
    page.context.grant_permissions(["notifications"], origin=server.url)
    sign_up(page, "app-push@example.org")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    made = thaw("manage", "shell", "--no-imports", "-c", PROMPT_FOR.format(email="app-push@example.org"), env=server.env)
    assert made.returncode == 0, made.stderr
    payload = json.loads(made.stdout.strip().splitlines()[-1])  # what the worker would push
    prompt = payload["prompt"]

    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")

    def registered() -> bool:
        page.evaluate("0")  # lets Playwright hand over the DevTools events that arrived meanwhile
        return any(r["scopeURL"].rstrip("/") == server.url.rstrip("/") for r in registrations)

    wait_until(registered, "the service worker's registration")
    registration = next(r for r in registrations if r["scopeURL"].rstrip("/") == server.url.rstrip("/"))
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": server.url.rstrip("/"),
                                                  "registrationId": registration["registrationId"],
                                                  "data": json.dumps(payload)})
    wait_until(lambda: len(page.evaluate(SHOWN)) == 1, "the notification to be shown")
    shown = page.evaluate(SHOWN)[0]
    assert shown["title"] == "Thaw: a moment for you?" and shown["body"] == "" and shown["tag"] == "thaw-moment"
    assert not REVEALING.search(json.dumps(shown))
    assert shown["data"] == {"url": f"/checkin/?prompt={prompt}", "prompt": prompt}

    # The tap, through the service worker's own notificationclick path: the open Thaw window goes
    # to the check-in carrying the prompt's id, and the notification is gone.
    wait_until(lambda: any(w.url == server.url.rstrip("/") + "/sw.js" for w in page.context.service_workers),
               "Playwright to see the service worker")
    worker = next(w for w in page.context.service_workers if w.url == server.url.rstrip("/") + "/sw.js")
    page.goto("/grounding/")
    assert worker.evaluate(TAP) == 0, "the tap closes the notification"
    page.wait_for_url(f"{server.url.rstrip('/')}/checkin/?prompt={prompt}")
    assert page.locator('input[name="prompt"]').first.input_value() == prompt

    # A check-in made there is saved as the answer to that reminder.
    page.locator("summary", has_text="Unpleasant and low").click()
    page.locator("label.chip", has_text="lonely").first.click()
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("Saved. Thank you for checking in.").wait_for()
    token = server.request("POST", "/api/v1/auth/token",
                           {"email": "app-push@example.org", "password": PASSWORD}).json()["token"]
    checkins = server.request("GET", "/api/v1/checkins", token=token).json()["items"]
    assert [c["prompt_id"] for c in checkins] == [prompt]
    answered = next(p for p in server.request("GET", "/api/v1/prompts", token=token).json() if p["id"] == prompt)
    assert answered["status"] == "answered" and answered["checkin_id"] == checkins[0]["id"]

    # A link that names another host is never opened: the tap goes home instead.
    page.goto("/grounding/")
    worker.evaluate(FORGED_TAP)
    page.wait_for_url(f"{server.url.rstrip('/')}/")
    assert_clean(page, server)
