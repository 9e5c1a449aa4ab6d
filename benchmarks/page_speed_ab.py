#!/usr/bin/env python3
"""Benchmark: time to interactive of one page on two checkouts, measured in turn.

Not a test. On a shared machine the load changes from one minute to the next, so two runs of
``page_speed.py`` taken minutes apart compare the machine as much as the code. This starts a
throwaway server from each checkout at once and takes their cold (then warm) loads alternately,
under the same throttling as ``page_speed.py``, and prints the medians side by side.

    git archive main | (mkdir -p /tmp/before && tar -x -C /tmp/before)
    .venv/bin/python benchmarks/page_speed_ab.py /tmp/before . --page /checkin/ --n 12
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.page_speed import CHROMIUM, PASSWORD, PHONE, throttled, timing  # noqa: E402
from tests.support import live_thaw, thaw  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+", help="directories holding a Thaw source tree")
    parser.add_argument("--page", default="/checkin/")
    parser.add_argument("--n", type=int, default=12, help="cold loads per checkout")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    checkouts = [str(Path(c).resolve()) for c in args.checkouts]
    with tempfile.TemporaryDirectory(prefix="thaw-bench-ab-") as tmp, contextlib.ExitStack() as stack, \
            sync_playwright() as pw:
        os.chdir(tmp)  # ``python -m thaw.cli`` must find each checkout's code through PYTHONPATH, not the cwd
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        servers = []
        for i, checkout in enumerate(checkouts):
            os.environ["PYTHONPATH"] = checkout
            server = stack.enter_context(live_thaw(Path(tmp) / f"data{i}", workers=2))
            thaw("user", "add", "speed@example.org", "--role", "person", env={**server.env, "THAW_PASSWORD": PASSWORD})
            login = browser.new_context(base_url=server.url, **PHONE)
            page = login.new_page()
            page.goto("/accounts/login/")
            page.fill('input[name="login"]', "speed@example.org")
            page.fill('input[name="password"]', PASSWORD)
            page.locator('form button[type="submit"]').first.click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            servers.append((checkout, server, login.storage_state()))
            login.close()
        cold: dict[str, list[float]] = {c: [] for c in checkouts}
        warm: dict[str, list[float]] = {c: [] for c in checkouts}
        for _ in range(args.n):
            for checkout, server, state in servers:
                context = browser.new_context(base_url=server.url, storage_state=state, **PHONE)
                try:
                    tab = throttled(context)
                    cold[checkout].append(timing(tab, args.page)[0])
                    warm[checkout].append(timing(tab, args.page)[0])
                finally:
                    context.close()
        browser.close()
    print(f"{args.page}: CPU 4x slower, 1.6 Mbit/s down, 150 ms RTT, 390 px; {args.n} loads each, taken in turn")
    for checkout in checkouts:
        print(f"{checkout:<40} cold interactive median {statistics.median(cold[checkout]):6.0f} ms "
              f"(min {min(cold[checkout]):.0f})   warm {statistics.median(warm[checkout]):6.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
