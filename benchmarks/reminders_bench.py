#!/usr/bin/env python3
"""Benchmark: one worker delivering a simulated day of random-moment reminders by Web Push.

Not a test. Makes N people (default 10,000) in a throwaway SQLite data dir (or, with
``DATABASE_URL`` set to an empty PostgreSQL database, there), each with random windows in one of
several time zones and one push subscription on a local push service (a real HTTP server in a
child process, so its CPU is not counted). Then one worker runs a simulated day: it polls every
``THAW_REMINDER_POLL_SECONDS`` of simulated time, and whenever a pass takes longer than that the
simulated clock moves on by the real time the pass took, so a worker that falls behind shows as
delay. Every message is really encrypted (RFC 8291), signed (VAPID) and sent over HTTP.

A prompt's delay is (the simulated time of the pass that found it − its due time) + (the real time
from the start of that pass until its batch was delivered). Reported: prompts, delay p50/p99/max,
worker CPU per prompt (process time of this process over the day / prompts) and database queries
per prompt (every query of the day, empty polls included / prompts).

    .venv/bin/python benchmarks/reminders_bench.py [--people 10000] [--hours 24]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ZONES = ("Europe/London", "America/New_York", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata",
         "Australia/Sydney")


def _push_service(port_out: multiprocessing.connection.Connection) -> None:
    from tests.push_receiver import PushService

    service = PushService(keep_bodies=False).start()
    port_out.send(service.port)
    while True:
        time.sleep(3600)
        service.received.clear()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))]


def build(people: int, port: int, start: datetime) -> None:
    from django.contrib.auth.hashers import make_password

    from tests.push_receiver import Browser
    from thaw.accounts.models import User
    from thaw.crypto import secret_digest
    from thaw.reminders import moments
    from thaw.reminders.models import Mode, PushSubscription, ReminderPlan
    from thaw.reminders.services import as_plan

    rng = random.Random(15)
    keys = Browser().keys
    password = make_password(None)
    users = User.objects.bulk_create([
        User(email=f"bench-reminders-{i}@example.org", password=password, timezone=rng.choice(ZONES))
        for i in range(people)], batch_size=1000)
    users = list(User.objects.filter(email__startswith="bench-reminders-").order_by("id"))
    plans, subs = [], []
    for user in users:
        begin = rng.randint(7, 12)
        row = ReminderPlan(person=user, mode=Mode.RANDOM, channels=["push"], min_gap_minutes=rng.choice((60, 90, 120)),
                           windows=[{"start": f"{begin:02d}:00", "end": f"{begin + rng.randint(8, 11):02d}:00",
                                     "count": rng.randint(2, 5)}])
        row.next_due_at = moments.next_moment(as_plan(row, user.tzinfo), start)
        plans.append(row)
        endpoint = f"http://127.0.0.1:{port}/push/{user.pk}"
        subs.append(PushSubscription(person=user, endpoint=endpoint, endpoint_digest=secret_digest(endpoint),
                                     host="127.0.0.1", p256dh=keys["p256dh"], auth=keys["auth"]))
    ReminderPlan.objects.bulk_create(plans, batch_size=1000)
    PushSubscription.objects.bulk_create(subs, batch_size=1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--hours", type=float, default=24)
    args = parser.parse_args()
    os.environ.setdefault("THAW_DATA_DIR", tempfile.mkdtemp(prefix="thaw-reminders-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thaw.settings")
    os.environ.setdefault("THAW_LOG_LEVEL", "ERROR")
    os.environ["THAW_PUSH_ALLOW_LOOPBACK"] = "1"
    receiver_end, sender_end = multiprocessing.Pipe(duplex=False)
    service = multiprocessing.get_context("spawn").Process(target=_push_service, args=(sender_end,), daemon=True)
    service.start()
    port = receiver_end.recv()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from thaw.reminders.models import Prompt
    from thaw.reminders.services import run_due

    call_command("migrate", verbosity=0)
    start = datetime(2027, 3, 10, 0, 0, tzinfo=UTC)
    made = time.perf_counter()
    build(args.people, port, start)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"data: {args.people} people with random windows (made in {time.perf_counter() - made:.0f} s) "
          f"on {connection.vendor}")

    poll = timedelta(seconds=settings.THAW_REMINDER_POLL_SECONDS)
    end = start + timedelta(hours=args.hours)
    sim = start
    delays: list[float] = []
    passes = busy_passes = 0
    queries = {"n": 0}
    busy_cpu = 0.0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries["n"] += 1
        return execute(sql, params, many, context)

    cpu0, wall0 = time.process_time(), time.perf_counter()
    while sim < end:
        pass_started = timezone.now()
        began, began_cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(count):
            sent = run_due(sim)
        took = time.perf_counter() - began
        passes += 1
        if sent:
            busy_passes += 1
            busy_cpu += time.process_time() - began_cpu
            for due_at, sent_at in Prompt.objects.filter(created_at=sim, sent_at__isnull=False).values_list(
                    "due_at", "sent_at"):
                delays.append((sim - due_at).total_seconds() + (sent_at - pass_started).total_seconds())
        sim += max(poll, timedelta(seconds=took))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    counted = queries["n"]
    unsent = Prompt.objects.filter(sent_at__isnull=True).count()
    n = len(delays)
    print(f"simulated {args.hours:g} h with one worker polling every {poll.total_seconds():.0f} s "
          f"({passes} passes, {wall:.0f} s real): {n} prompts delivered by push, {unsent} not delivered")
    if n:
        print(f"delay due → delivered: p50 {statistics.median(delays):.1f} s, p99 {_percentile(delays, 0.99):.1f} s, "
              f"max {max(delays):.1f} s (floor: p99 < 60 s)")
        print(f"worker CPU per prompt {busy_cpu / n * 1000:.2f} ms in the passes that sent ({busy_passes}), "
              f"{cpu / n * 1000:.2f} ms with the empty polls; database queries per prompt {counted / n:.2f} "
              f"({counted} queries over the day, empty polls included) on {connection.vendor}")
    service.terminate()


if __name__ == "__main__":
    main()
