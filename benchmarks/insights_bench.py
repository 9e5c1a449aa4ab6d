#!/usr/bin/env python3
"""Benchmark: GET /api/v1/insights server time at 1x, 4x and 16x one person-year.

Not a test. Builds a throwaway SQLite data dir, creates people with 1, 4 and 16 years
of synthetic check-ins (about 1,100 check-ins a year, 3 words each), starts the real
server, and times the endpoint from the client and from the server's own
``Server-Timing`` header (load = database to arrays, analytics = the pure engine).

    .venv/bin/python benchmarks/insights_bench.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import live_thaw  # noqa: E402

SCALES = (1, 4, 16)
PASSWORD = "benchmark passphrase 1"


def make_people(env: dict[str, str]) -> None:
    script = f"""
from thaw.accounts.models import User
from thaw.insights.demo import generate
for scale in {SCALES!r}:
    email = f"bench{{scale}}@example.org"
    if not User.objects.filter(email=email).exists():
        user = User.objects.create_user(email, {PASSWORD!r})
        generate(user, days=365 * scale, per_day=3.0, seed=scale)
"""
    subprocess.run([sys.executable, "-m", "thaw.cli", "manage", "shell", "--no-imports", "-c", script],
                   env=env, check=True)


def token(url: str, email: str) -> str:
    req = urllib.request.Request(url + "/api/v1/auth/token", method="POST",
                                 data=json.dumps({"email": email, "password": PASSWORD}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        return json.load(resp)["token"]


def timed_get(url: str, bearer: str) -> tuple[float, dict[str, float], int]:
    req = urllib.request.Request(url + "/api/v1/insights", headers={"Authorization": f"Bearer {bearer}"})
    start = time.perf_counter()
    with urllib.request.urlopen(req) as resp:
        body = json.load(resp)
        header = resp.headers["Server-Timing"]
    elapsed = (time.perf_counter() - start) * 1000
    parts = dict(p.strip().split(";dur=") for p in header.split(","))
    return elapsed, {k: float(v) for k, v in parts.items()}, body["n_checkins"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="thaw-bench-insights-") as tmp:
        data = Path(tmp) / "data"
        with live_thaw(data, workers=2) as server:
            make_people(server.env)
            print(f"{'scale':>5} {'check-ins':>9} {'client p50 ms':>13} {'load p50':>9} {'analytics p50':>13} "
                  f"{'server p50':>10} {'client p90':>10}")
            for scale in SCALES:
                bearer = token(server.url, f"bench{scale}@example.org")
                timed_get(server.url, bearer)  # warm the worker caches
                runs = [timed_get(server.url, bearer) for _ in range(args.repeat)]
                client = [r[0] for r in runs]
                load = [r[1]["load"] for r in runs]
                analytics = [r[1]["analytics"] for r in runs]
                n = runs[0][2]
                print(f"{scale:>4}x {n:>9} {statistics.median(client):>13.1f} {statistics.median(load):>9.1f} "
                      f"{statistics.median(analytics):>13.1f} {statistics.median(load) + statistics.median(analytics):>10.1f} "
                      f"{statistics.quantiles(client, n=10)[-1]:>10.1f}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
