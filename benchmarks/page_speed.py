#!/usr/bin/env python3
"""Benchmark: time to interactive of the home page and the check-in form on a slow phone.

Not a test. Starts the real server on a throwaway SQLite data dir, signs a person in with
headless Chromium (390 px, a phone's touch), then loads each page in a fresh profile (cold
cache) and again (warm) under the DevTools protocol's throttling: CPU 4× slower, 1.6 Mbit/s
down, 750 kbit/s up, 150 ms round trip. "Interactive" is the navigation's
domContentLoadedEventEnd: the HTML is parsed and every (deferred) script has run and bound its
handlers; Thaw runs no long work after that. The load event is printed beside it.

    .venv/bin/python benchmarks/page_speed.py [--repeat 5] [--page /checkin/]

Issue 16's floor: interactive under 1.5 s for both pages.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import live_thaw, thaw  # noqa: E402

PASSWORD = "benchmark passphrase 1"
PAGES = ("/", "/checkin/")
FLOOR_MS = 1500
CHROMIUM = os.environ.get("THAW_CHROMIUM", "/usr/bin/chromium")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def throttled(context: Any) -> Any:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 150,
                                                  "downloadThroughput": 1_600_000 / 8,
                                                  "uploadThroughput": 750_000 / 8})
    return page


def timing(page: Any, path: str) -> tuple[float, float]:
    page.goto(path, wait_until="load")
    t = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
        return [n.domContentLoadedEventEnd, n.loadEventEnd || n.loadEventStart]; }""")
    return float(t[0]), float(t[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--page", action="append", help="measure only this path (repeatable)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="thaw-bench-pages-") as tmp, \
            live_thaw(Path(tmp) / "data", workers=2) as server, sync_playwright() as pw:
        thaw("user", "add", "speed@example.org", "--role", "person", env={**server.env, "THAW_PASSWORD": PASSWORD})
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        login = browser.new_context(base_url=server.url, **PHONE)
        page = login.new_page()
        page.goto("/accounts/login/")
        page.fill('input[name="login"]', "speed@example.org")
        page.fill('input[name="password"]', PASSWORD)
        page.locator('form button[type="submit"]').first.click()  # the footer's language form follows
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        state = login.storage_state()
        login.close()
        print("CPU 4x slower, 1.6 Mbit/s down, 150 ms RTT, 390 px; medians of", args.repeat, "runs")
        print(f"{'page':<12} {'cold interactive':>17} {'cold load':>10} {'warm interactive':>17} {'warm load':>10}")
        worst = 0.0
        for path in args.page or PAGES:
            cold, warm = [], []
            for _ in range(args.repeat):
                context = browser.new_context(base_url=server.url, storage_state=state, **PHONE)
                try:
                    tab = throttled(context)
                    cold.append(timing(tab, path))
                    warm.append(timing(tab, path))
                finally:
                    context.close()
            med = [statistics.median(x[i] for x in runs) for runs in (cold, warm) for i in (0, 1)]
            worst = max(worst, med[0], med[2])
            print(f"{path:<12} {med[0]:>14.0f} ms {med[1]:>7.0f} ms {med[2]:>14.0f} ms {med[3]:>7.0f} ms")
        browser.close()
        print(f"floor: interactive under {FLOOR_MS} ms: {'met' if worst < FLOOR_MS else 'NOT met'}")
        return 0 if worst < FLOOR_MS else 1


if __name__ == "__main__":
    sys.exit(main())
