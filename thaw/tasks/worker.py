"""The worker: runs queued jobs and periodic tasks until told to stop.

``thaw serve`` starts one beside the web server; ``thaw worker`` runs one on its own
(for clinics with several app servers, run it on one or more of them). Jobs are
claimed with a conditional UPDATE on a lease (``locked_until``), which is atomic on
SQLite and PostgreSQL alike, so any number of workers can run. A failing job is
retried with exponential backoff (30 s, 1 min, 2 min … capped at 1 h) up to its
``max_attempts``, then kept as "failed" with its last error for the operator.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
from datetime import datetime, timedelta
from typing import Any

from django.db import close_old_connections
from django.db.models import F, Q
from django.utils import timezone

from thaw.monitoring import metrics
from thaw.monitoring.requestid import REQUEST_ID
from thaw.tasks.models import Job, PeriodicRun, Status
from thaw.tasks.queue import handlers, periodic_tasks

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _claimable(now: datetime) -> Q:
    waiting = Q(status=Status.QUEUED, run_after__lte=now)
    abandoned = Q(status=Status.RUNNING, locked_until__lt=now)  # its worker died mid-job
    return waiting | abandoned


def claim(now: datetime | None = None) -> Job | None:
    """Take the next due job, or None. Safe with many workers: the UPDATE is the lock."""
    now = now or timezone.now()
    for job_id in Job.objects.filter(_claimable(now)).order_by("run_after", "id").values_list("id", flat=True)[:20]:
        taken = Job.objects.filter(_claimable(now), pk=job_id).update(
            status=Status.RUNNING, locked_until=now + LEASE, attempts=F("attempts") + 1
        )
        if taken:
            return Job.objects.get(pk=job_id)
    return None


def run_job(job: Job, now: datetime | None = None) -> bool:
    """Run one claimed job; True when it succeeded (the row is then deleted). Its log lines
    carry the id of the request that queued it."""
    reset = REQUEST_ID.set(job.request_id)
    try:
        return _run_job(job, now)
    finally:
        REQUEST_ID.reset(reset)


def _run_job(job: Job, now: datetime | None = None) -> bool:
    function = handlers().get(job.kind)
    try:
        if function is None:
            raise LookupError(f"no handler for {job.kind!r}")
        function(json.loads(job.payload))
    except Exception as exc:  # any failure is retried, never lost
        now = now or timezone.now()
        error = f"{type(exc).__name__}: {exc}"[:300]
        if job.attempts >= job.max_attempts:
            logger.error("job %s (%s) failed %s times, giving up: %s", job.pk, job.kind, job.attempts, error)
            Job.objects.filter(pk=job.pk).update(status=Status.FAILED, locked_until=None, last_error=error)
            metrics.JOBS_RUN.labels("gave_up").inc()
        else:
            logger.warning("job %s (%s) failed (attempt %s), will retry: %s", job.pk, job.kind, job.attempts, error)
            Job.objects.filter(pk=job.pk).update(status=Status.QUEUED, locked_until=None, last_error=error,
                                                 run_after=now + backoff(job.attempts))
            metrics.JOBS_RUN.labels("retry").inc()
        return False
    Job.objects.filter(pk=job.pk).delete()
    metrics.JOBS_RUN.labels("done").inc()
    logger.info("job %s (%s) done", job.pk, job.kind)
    return True


def run_periodic(now: datetime | None = None) -> list[str]:
    """Run each periodic task that is due, at most once per period across all workers."""
    now = now or timezone.now()
    ran = []
    for task in periodic_tasks():
        row, _ = PeriodicRun.objects.get_or_create(name=task.name, defaults={"next_run_at": now})
        if row.next_run_at > now:
            continue
        taken = PeriodicRun.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
            next_run_at=now + task.every, last_run_at=now
        )
        if not taken:
            continue  # another worker got there first
        try:
            task.run(now)
            ran.append(task.name)
        except Exception:
            logger.exception("periodic task %s failed; it runs again next period", task.name)
    return ran


def run_pending(now: datetime | None = None, limit: int = 1000) -> int:
    """Run every job due now (and the periodic tasks). Returns how many jobs succeeded."""
    run_periodic(now)
    done = 0
    for _ in range(limit):
        job = claim(now)
        if job is None:
            break
        done += run_job(job, now)
    return done


def run_forever(*, poll_seconds: float = 2.0, parent_pid: int | None = None) -> None:
    stop = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    logger.info("worker started (pid %s)", os.getpid())
    while not stop.is_set():
        if parent_pid is not None and os.getppid() != parent_pid:
            break  # the server that started us is gone
        close_old_connections()
        try:
            run_pending()
        except Exception:
            logger.exception("worker loop error; retrying shortly")
        stop.wait(poll_seconds)
    logger.info("worker stopped")
