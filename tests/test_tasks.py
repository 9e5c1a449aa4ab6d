"""The background worker: retries with backoff, survives a dead worker, gives up loudly,
runs periodic tasks once per period, and keeps message text encrypted while queued."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from thaw.tasks import queue, worker
from thaw.tasks.models import Job, PeriodicRun, Status

pytestmark = pytest.mark.django_db

calls: list[dict] = []


@queue.handler("test.flaky")
def _flaky(payload: dict) -> None:
    calls.append(payload)
    if len(calls) <= payload["fail_times"]:
        raise ConnectionError("smtp server went away")


@pytest.fixture(autouse=True)
def _reset() -> None:
    calls.clear()


def test_a_failing_job_is_retried_with_backoff_until_it_succeeds() -> None:
    queue.enqueue("test.flaky", {"fail_times": 2})
    now = timezone.now()
    assert worker.run_pending(now) == 0
    job = Job.objects.get()
    assert job.status == Status.QUEUED and job.attempts == 1 and "went away" in job.last_error
    assert job.run_after == now + timedelta(seconds=30)
    assert worker.run_pending(now + timedelta(seconds=10)) == 0 and len(calls) == 1, "not before its time"
    assert worker.run_pending(now + timedelta(seconds=31)) == 0
    assert Job.objects.get().run_after == now + timedelta(seconds=31) + timedelta(seconds=60)
    assert worker.run_pending(now + timedelta(minutes=5)) == 1
    assert len(calls) == 3 and not Job.objects.exists()


def test_a_job_gives_up_after_its_attempts_and_is_kept_for_the_operator() -> None:
    queue.enqueue("test.flaky", {"fail_times": 99}, max_attempts=3)
    now = timezone.now()
    for hour in range(5):
        worker.run_pending(now + timedelta(hours=hour))
    job = Job.objects.get()
    assert job.status == Status.FAILED and job.attempts == 3 and len(calls) == 3


def test_a_job_whose_worker_died_is_picked_up_after_the_lease() -> None:
    queue.enqueue("test.flaky", {"fail_times": 0})
    now = timezone.now()
    claimed = worker.claim(now)
    assert claimed is not None and worker.claim(now) is None, "a claimed job is nobody else's"
    # The worker is killed here: the job stays "running" until its lease runs out.
    assert worker.run_pending(now + timedelta(minutes=1)) == 0
    assert worker.run_pending(now + worker.LEASE + timedelta(seconds=1)) == 1
    assert len(calls) == 1


def test_email_jobs_send_through_django_and_queued_text_is_encrypted(alice) -> None:
    queue.send_email(["sam@example.org"], "Hello", "secret-words-5521", person=alice)
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM tasks_job")
        (raw,) = cursor.fetchone()
    assert "secret-words-5521" not in raw
    assert worker.run_pending() == 1
    assert mail.outbox[0].body == "secret-words-5521"


def test_erasing_a_person_drops_their_undelivered_messages(alice) -> None:
    from thaw.accounts.erasure import erase

    queue.send_email(["sam@example.org"], "Hello", "words", person=alice)
    erase(alice)
    assert not Job.objects.exists()


def test_periodic_tasks_run_once_per_period() -> None:
    ran: list = []
    queue.periodic("test.tick", every=timedelta(minutes=10))(ran.append)
    try:
        now = timezone.now()
        worker.run_periodic(now)
        worker.run_periodic(now + timedelta(minutes=5))
        assert len(ran) == 1
        worker.run_periodic(now + timedelta(minutes=10))
        assert len(ran) == 2
        row = PeriodicRun.objects.get(name="test.tick")
        assert row.next_run_at == now + timedelta(minutes=20)
    finally:
        queue._PERIODIC.pop("test.tick")


def test_unknown_job_kinds_are_refused_when_queued() -> None:
    with pytest.raises(ValueError):
        queue.enqueue("no.such.kind", {})


def test_thaw_worker_runs_on_its_own_and_stops_cleanly(tmp_path) -> None:
    """`thaw worker` as a separate process: sends what a web request queued, then stops on SIGTERM."""
    import signal
    import subprocess
    import sys

    from tests.support import isolated_env, thaw, wait_until

    with isolated_env(tmp_path / "data") as env:
        env["THAW_EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
        assert thaw("manage", "migrate", env=env).returncode == 0
        queued = thaw("manage", "shell", "--no-imports", "-c",
                      "from thaw.tasks.queue import send_email; send_email(['sam@example.org'], 'Hi', 'queued-words-88')",
                      env=env)
        assert queued.returncode == 0, queued.stderr
        worker = subprocess.Popen([sys.executable, "-m", "thaw.cli", "worker", "--poll", "0.2"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            mail_dir = tmp_path / "data" / "mail"

            def written() -> str:
                # Django's file backend creates the file before it writes the message: wait for the words.
                return "".join(p.read_text() for p in mail_dir.iterdir()) if mail_dir.exists() else ""

            wait_until(lambda: "queued-words-88" in written(), "the worker writing the email")
            assert "sam@example.org" in written()
        finally:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=20) == 0
