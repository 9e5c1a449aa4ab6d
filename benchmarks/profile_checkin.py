#!/usr/bin/env python3
"""Profile: where a ``POST /api/v1/checkins`` spends its CPU, in process, through the real stack.

This is a benchmark tool, not a test. It migrates a fresh SQLite database in a temporary
data directory, creates one account and an API token, then calls Thaw's WSGI application
(the same object gunicorn serves: every middleware, django-ninja, the ORM, SQLite with
``synchronous=FULL``) with real WSGI environs, with no network in between. It prints the
CPU time per request for ``/healthz`` and for a check-in, their ratio (what a quiet,
CPU-bound server would show as check-ins/healthz throughput), and, with ``--profile``,
the functions that took the most time under cProfile.

    .venv/bin/python benchmarks/profile_checkin.py [--requests 2000] [--rounds 5] [--profile] [--top 40]

For a flame graph of the same loop: ``py-spy record -o flame.svg -- .venv/bin/python
benchmarks/profile_checkin.py`` (py-spy is not a project dependency).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BODY = json.dumps({
    "emotions": [{"word": "lonely", "intensity": 6}, {"word": "tired", "intensity": 4}],
    "numbness": 7, "tags": ["work"], "body": ["chest/tight"], "note": "benchmark",
}).encode()


def _environ(method: str, path: str, body: bytes = b"", token: str | None = None) -> dict[str, Any]:
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000", "HTTP_ACCEPT": "*/*", "HTTP_USER_AGENT": "profile_checkin",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
    }
    if body:
        environ["CONTENT_TYPE"] = "application/json"
        environ["CONTENT_LENGTH"] = str(len(body))
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return environ


def _caller(app: Any, method: str, path: str, body: bytes, token: str | None, expected: int) -> Callable[[], None]:
    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        if int(status[:3]) != expected:
            raise RuntimeError(f"{method} {path} answered {status}, expected {expected}")

    def call() -> None:
        result = app(_environ(method, path, body, token), start_response)
        try:
            b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close:
                close()

    return call


def cpu_ms_per_request(call: Callable[[], None], requests: int) -> float:
    start = time.process_time()
    for _ in range(requests):
        call()
    return 1000 * (time.process_time() - start) / requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per endpoint (default 2000)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per endpoint (default 5)")
    parser.add_argument("--profile", action="store_true", help="profile the check-ins with cProfile")
    parser.add_argument("--top", type=int, default=40, help="rows of the profile to print (default 40)")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key (default cumulative)")
    args = parser.parse_args(argv)

    data_dir = tempfile.mkdtemp(prefix="thaw-profile-")
    os.environ.update(THAW_DATA_DIR=data_dir, THAW_DEBUG="0", DJANGO_SETTINGS_MODULE="thaw.settings")
    os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from thaw.accounts.models import ApiToken, User
    from thaw.server import tune_gc
    from thaw.wsgi import application

    person = User.objects.create_user("profile@example.org", "profile passphrase 1")
    _, token = ApiToken.issue(person, "profile")
    healthz = _caller(application, "GET", "/healthz", b"", None, 200)
    checkin = _caller(application, "POST", "/api/v1/checkins", BODY, token, 201)
    for call in (healthz, checkin):  # warm caches, imports and the first connection
        for _ in range(50):
            call()
    tune_gc()  # as gunicorn's workers run

    # Alternate the two in rounds and take medians: other processes on a shared machine slow
    # both alike within a round, and a disturbed round does not move the median.
    per_round = max(1, args.requests // args.rounds)
    hs, cs = [], []
    for _ in range(args.rounds):
        hs.append(cpu_ms_per_request(healthz, per_round))
        cs.append(cpu_ms_per_request(checkin, per_round))
    h, c = statistics.median(hs), statistics.median(cs)
    ratio = statistics.median(a / b for a, b in zip(hs, cs, strict=True))
    print(f"CPU per request, median of {args.rounds} rounds of {per_round} (in process, no network):")
    print(f"  GET /healthz          {h:6.3f} ms  (rounds {min(hs):.3f}-{max(hs):.3f})")
    print(f"  POST /api/v1/checkins {c:6.3f} ms  (rounds {min(cs):.3f}-{max(cs):.3f})")
    print(f"  ratio healthz/check-in: {100 * ratio:.1f} %  (what a CPU-bound server shows as throughput ratio)")
    if args.profile:
        # CPU time, not wall time: waiting for fsync (synchronous=FULL) and for other processes
        # on a shared machine is not work this process can save.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(args.requests):
            checkin()
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
