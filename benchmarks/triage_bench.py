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
    parser.add_argument("--compare-audit", action="store_true",
                        help="also time the page with the caseload's audit events written by executemany (the "
                             "writer before issue 19), in alternating rounds, and the time spent writing them")
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
    call_command("createcachetable")  # sign-in limits live in the shared cache
    call_command("collectstatic", "--noinput", verbosity=0)  # the pages name hashed files (as `thaw serve`)
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
    if args.compare_audit:
        compare_audit_writers(client, args.repeat)
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


def _record_many_executemany(action, *, actor, people, **details):  # type: ignore[no-untyped-def]
    """The caseload's audit writer before issue 19 (one executemany of single-row INSERTs), kept
    here only to measure against."""
    import json
    import secrets

    from django.db import connection, transaction
    from django.utils import timezone

    from thaw.audit.models import (
        GENESIS,
        AuditEvent,
        _serialise_appends,
        chain_digest,
        content_digest,
    )

    actor_ref = actor.pk
    columns = ("at", "actor_id", "person_id", "actor_ref", "person_ref", "action", "details",
               "content_hash", "prev_hash", "chain_hash", "redacted", "salt")
    sql = (f"INSERT INTO {AuditEvent._meta.db_table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})")
    with transaction.atomic():
        _serialise_appends()
        previous = AuditEvent.objects.order_by("-id").values_list("chain_hash", flat=True).first() or GENESIS
        now = timezone.now()
        at = connection.ops.adapt_datetimefield_value(now)
        rows = []
        for person in people:
            salt = secrets.token_hex(16)
            content_hash = content_digest({"at": now.isoformat(), "actor": actor_ref, "person": person.pk,
                                           "action": action, "details": details, "salt": salt})
            chain_hash = chain_digest(previous, content_hash)
            rows.append((at, actor_ref, person.pk, actor_ref, person.pk, action, json.dumps(details), content_hash,
                         previous, chain_hash, False, salt))
            previous = chain_hash
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    return len(rows)


def compare_audit_writers(client, repeat: int) -> None:  # type: ignore[no-untyped-def]
    """The caseload page with each audit writer, alternating, and the time inside the writer."""
    import thaw.clinic.services as clinic_services
    from thaw.audit.models import record_many, verify

    current = record_many
    spent: dict[str, list[float]] = {"executemany (before)": [], "current": []}
    pages: dict[str, list[float]] = {"executemany (before)": [], "current": []}

    def timed(label, writer):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            try:
                return writer(*args, **kwargs)
            finally:
                spent[label].append((time.perf_counter() - start) * 1000)
        return wrapper

    for _ in range(repeat):
        for label, writer in (("executemany (before)", _record_many_executemany), ("current", current)):
            clinic_services.record_many = timed(label, writer)
            start = time.perf_counter()
            assert client.get("/clinic/").status_code == 200
            pages[label].append((time.perf_counter() - start) * 1000)
    clinic_services.record_many = current
    for label in pages:
        p, w = sorted(pages[label]), sorted(spent[label])
        p95 = lambda xs: xs[min(len(xs) - 1, int(round(0.95 * len(xs))) - 1)]  # noqa: E731
        print(f"audit writer {label}: page p50 {statistics.median(p):.0f} / p95 {p95(p):.0f} ms; "
              f"writing the events p50 {statistics.median(w):.1f} / p95 {p95(w):.1f} ms")
    intact, checked, problem = verify()
    print(f"audit chain after both writers: {'intact' if intact else 'BROKEN: ' + problem} ({checked} events)")


if __name__ == "__main__":
    main()
