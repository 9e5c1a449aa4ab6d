"""Phone screenshots of a person's main pages, in light and dark mode, from a real Thaw server.

Use it to look at Thaw the way a person holding a phone sees it, or to compare two checkouts
(for example before and after a change to the app shell):

    .venv/bin/python scripts/phone_screenshots.py build/screenshots/after
    .venv/bin/python scripts/phone_screenshots.py build/screenshots/before --tree /path/to/other/checkout

What it does, start to end:

1. Makes a throwaway data directory (a temp dir, removed afterwards) so nothing touches ./data.
2. Runs ``python -m thaw.cli demo`` from the served tree: a demo person with a year of synthetic
   check-ins (demo@thaw.invalid, with a password this script chooses), then adds three PHQ-9
   results a month apart through ``thaw manage shell`` so the results page has a trend chart.
3. Starts ``python -m thaw.cli serve`` from that tree on a free loopback port (so the tree's own
   code is what gets served) and waits for /healthz.
4. Opens headless Chromium (Debian's, /usr/bin/chromium, or THAW_CHROMIUM) through Playwright as
   a 390×844 phone with touch, once in light and once in dark mode, signs in as the demo person
   and saves two pictures of each page: ``<page>.<mode>.png`` (the first screen, what the phone
   shows without scrolling) and ``<page>.<mode>.full.png`` (the whole page, the tab bar at its foot).

Pages: home, check-in, insights, grounding, PHQ-9 results (with its chart), More and Settings.
A page the served tree does not have (an older checkout has no /more/) is listed as missing and
left out; any other answer than 200 stops the script.

The script's own process needs Playwright (it is in Thaw's test dependencies); the served tree
runs with its own ``.venv/bin/python`` when it has one, else with this interpreter.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

HERE = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("THAW_CHROMIUM", "/usr/bin/chromium")
DEMO_EMAIL = "demo@thaw.invalid"
DEMO_PASSWORD = "a calm, long demo passphrase"
WIDTH, HEIGHT = 390, 844
MODES: tuple[Literal["light", "dark"], ...] = ("light", "dark")
WAIT_SECONDS = 180.0
PAGES = (
    ("home", "/"),
    ("checkin", "/checkin/"),
    ("insights", "/insights/"),
    ("grounding", "/grounding/"),
    ("assessment-phq9", "/assessments/phq9/"),
    ("more", "/more/"),
    ("settings", "/settings/"),
)
# Three PHQ-9 results a month apart (moderate, mild, minimal), so the results page draws a trend.
PHQ9_RESULTS = f"""
from datetime import timedelta
from django.utils import timezone
from thaw.accounts.models import User
from thaw.assessments.models import Assessment
from thaw.assessments.services import take
person = User.objects.get(email={DEMO_EMAIL!r})
if not Assessment.objects.filter(person=person).exists():
    now = timezone.now()
    for months, answers in ((2, [2, 2, 2, 1, 1, 2, 1, 1, 0]), (1, [1, 1, 1, 1, 1, 1, 0, 1, 0]), (0, [0, 1, 0, 1, 0, 0, 0, 0, 0])):
        taken = take(person, "phq9", answers)
        Assessment.objects.filter(pk=taken.pk).update(taken_at=now - timedelta(days=30 * months, hours=1))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def python_for(tree: Path) -> str:
    own = tree / ".venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def thaw(tree: Path, env: dict[str, str], *args: str) -> str:
    """Run the served tree's ``thaw`` command from inside the tree, so its code is imported."""
    result = subprocess.run([python_for(tree), "-m", "thaw.cli", *args], cwd=tree, env=env,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"thaw {' '.join(args[:2])} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return err.code


@contextlib.contextmanager
def served(tree: Path, data_dir: Path) -> Iterator[str]:
    """A demo person in a fresh data dir, and ``thaw serve`` for it; yields the server's address."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # Only this run's settings: nothing from the caller's THAW_* or database leaks in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("THAW_") and k != "DATABASE_URL"}
    env.update(THAW_DATA_DIR=str(data_dir), THAW_SITE_URL=url, THAW_DEMO_PASSWORD=DEMO_PASSWORD,
               PYTHONUNBUFFERED="1")
    print(thaw(tree, env, "demo").strip().splitlines()[0])
    thaw(tree, env, "manage", "shell", "--no-imports", "-c", PHQ9_RESULTS)
    log_path = data_dir.parent / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([python_for(tree), "-m", "thaw.cli", "serve", "--host", "127.0.0.1",
                                   "--port", str(port), "--workers", "2"],
                                  cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            if server.poll() is not None:
                raise SystemExit(f"thaw serve stopped:\n{log_path.read_text(errors='replace')}")
            with contextlib.suppress(OSError):
                if status(url + "/healthz") == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"thaw serve did not answer in {WAIT_SECONDS:.0f} s")
            time.sleep(0.2)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, 15)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait(timeout=10)


def settle(page: Any) -> None:
    """Wait until the page's requests are done and charts have been drawn for this width."""
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.fonts.ready")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def screenshot_whole(page: Any, path: Path) -> None:
    """The whole page, with a pinned tab bar at its foot where a phone shows it. Playwright's own
    full-page picture would leave the bar in the middle, where the first screen ended, so the
    window is made as tall as the page instead (as tests/e2e/pagecheck.py does)."""
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": max(HEIGHT, min(height, 12000))})
    settle(page)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})


def shoot(url: str, out: Path) -> tuple[list[Path], list[str]]:
    from playwright.sync_api import sync_playwright

    written: list[Path] = []
    missing: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for mode in MODES:
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True, has_touch=True, color_scheme=mode,
                                          base_url=url)
            context.set_default_timeout(WAIT_SECONDS * 1000)
            page = context.new_page()
            page.goto("/accounts/login/")
            page.get_by_label("Email").fill(DEMO_EMAIL)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.locator("form button[type=submit]").first.click()
            page.wait_for_url(lambda u: "/accounts/login/" not in u)
            for name, path in PAGES:
                response = page.goto(path)
                code = response.status if response else 0
                if code == 404:
                    if name not in missing:
                        missing.append(name)
                    continue
                if code != 200:
                    raise SystemExit(f"{path} answered {code} in {mode} mode")
                settle(page)
                first_screen = out / f"{name}.{mode}.png"
                page.screenshot(path=str(first_screen))
                whole = out / f"{name}.{mode}.full.png"
                screenshot_whole(page, whole)
                written += [first_screen, whole]
            context.close()
        browser.close()
    return written, missing


def main() -> int:
    parser = argparse.ArgumentParser(description="Phone screenshots (390×844, light and dark) of a person's main "
                                                 "pages, served by a real thaw server from a checkout.")
    parser.add_argument("out", type=Path, help="folder for the PNG files (created if missing)")
    parser.add_argument("--tree", type=Path, default=HERE,
                        help="the checkout whose code is served (default: the one this script is in)")
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    tree = args.tree.resolve()
    commit = subprocess.run(["git", "-C", str(tree), "log", "-1", "--format=%h %s"], capture_output=True,
                            text=True).stdout.strip()
    print(f"Serving {tree} ({commit[:90]})")
    with tempfile.TemporaryDirectory(prefix="thaw-shots-") as temp, served(tree, Path(temp) / "data") as url:
        written, missing = shoot(url, out)
    for path in written:
        print(path)
    if missing:
        print("Not in this tree (404): " + ", ".join(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
