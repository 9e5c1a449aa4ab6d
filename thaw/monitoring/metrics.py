"""Prometheus metrics (``prometheus-client``), in multiprocess mode under ``thaw serve``.

``thaw serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a directory of its own in the data
directory (emptied at every start) before anything imports this module, so each gunicorn
worker (and the background worker it starts) writes its counts to memory-mapped files there
and ``/metrics`` adds them up. Without it (tests, ``thaw manage``) the metrics live in the
process. Labels are route patterns and names, never URLs: ids and tokens stay out.

The queue's depth and age and the failed jobs are read from the database when scraped, so
any app server reports them, wherever the workers run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

REQUESTS = Counter("thaw_http_requests", "HTTP requests answered, by route pattern, method and status.",
                   ["route", "method", "status"])
LATENCY = Histogram("thaw_http_request_duration_seconds", "Time to answer a request, by route pattern.",
                    ["route", "method"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
QUERIES = Histogram("thaw_db_queries_per_request", "Database queries one request made, by route pattern.",
                    ["route"], buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144))
SIGN_IN_FAILURES = Counter("thaw_sign_in_failures", "Failed sign-ins (wrong password or unknown account).",
                           ["channel"])
JOBS_RUN = Counter("thaw_jobs_run", "Background jobs run by workers that report here, by outcome.", ["outcome"])
PAGE_CACHE = Counter("thaw_page_cache", "Shared-cache lookups for cached pages, by page and result.",
                     ["page", "result"])
# Check-in reminders: the reminder worker (thaw.reminders.services.deliver) observes each one it
# sends. Like thaw_jobs_run, only a worker that shares the server's metrics directory (the one
# ``thaw serve`` starts) is seen here; a separate ``thaw worker`` process is not scraped.
PROMPT_DELIVERY_DELAY = Histogram("thaw_prompt_delivery_delay_seconds",
                                  "From a prompt being due to it being sent.",
                                  buckets=(1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600))


def observe_prompt_delivery(due: datetime, sent: datetime) -> None:
    """A reminder went out: observe how long after it was due."""
    PROMPT_DELIVERY_DELAY.observe(max((sent - due).total_seconds(), 0.0))


class QueueCollector(Collector):
    """The background queue as the database holds it, read at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.db.models import Count, Min
        from django.utils import timezone

        from thaw.tasks.models import Job, Status

        now = timezone.now()
        by_status = dict(Job.objects.values_list("status").annotate(n=Count("id")).order_by())
        oldest = Job.objects.filter(status=Status.QUEUED, run_after__lte=now).aggregate(m=Min("run_after"))["m"]
        depth = GaugeMetricFamily("thaw_jobs_queued", "Background jobs waiting (due now or later).")
        depth.add_metric([], by_status.get(Status.QUEUED, 0))
        yield depth
        running = GaugeMetricFamily("thaw_jobs_running", "Background jobs a worker holds a lease on.")
        running.add_metric([], by_status.get(Status.RUNNING, 0))
        yield running
        age = GaugeMetricFamily("thaw_jobs_oldest_due_age_seconds",
                                "How long the oldest due job has been waiting (0 when none is due).")
        age.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
        yield age
        failed = GaugeMetricFamily("thaw_jobs_failed", "Jobs that gave up after their last attempt, kept for the operator.")
        failed.add_metric([], by_status.get(Status.FAILED, 0))
        yield failed


def exposition() -> bytes:
    """The text format: this server's processes plus the database-derived gauges."""
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = CollectorRegistry()
        registry.register(_InProcess(REGISTRY))
    registry.register(QueueCollector())
    return generate_latest(registry)


class _InProcess(Collector):
    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[object]:  # type: ignore[override]
        yield from self.source.collect()
