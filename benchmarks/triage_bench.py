#!/usr/bin/env python3
"""Benchmark: the clinician's caseload (triage) page for 500 people with a year of data each.

Not a test. Builds the caseload with ``make_caseload.py`` in a throwaway SQLite data dir (or,
with ``DATABASE_URL`` set to an empty PostgreSQL database, there), then requests the real
``/clinic/`` page and ``/api/v1/clinic/caseload`` through Django's full request handling
(middleware, view, template) and reports the server time and the number of queries.

    .venv/bin/python benchmarks/triage_bench.py [--people 500] [--days 365] [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("THAW_DATA_DIR", tempfile.mkdtemp(prefix="thaw-triage-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thaw.settings")
    os.environ.setdefault("THAW_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.make_caseload import build
    from thaw.accounts.models import User

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    if not User.objects.filter(email="bench-clinician@example.org").exists():
        start = time.perf_counter()
        counts = build(args.people, args.days)
        print(f"data: {counts} (made in {time.perf_counter() - start:.0f} s) on {connection.vendor}")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from thaw.server import tune_gc

    tune_gc()  # as `thaw serve` does once the app is loaded
    client = Client()
    client.force_login(User.objects.get(email="bench-clinician@example.org"))
    for label, path in (("page /clinic/", "/clinic/"), ("API /api/v1/clinic/caseload", "/api/v1/clinic/caseload")):
        client.get(path)  # warm up
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
        print(f"{label}: p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms, "
              f"{len(queries)} queries, {len(response.content) // 1024} KiB ({connection.vendor}, {args.people} people)")


if __name__ == "__main__":
    main()
