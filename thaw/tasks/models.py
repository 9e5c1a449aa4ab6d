"""Background work kept in the database, so a restart or a crash loses nothing.

A ``Job`` is written in the same transaction as whatever asked for it (the outbox
pattern): if the request's transaction rolls back, no message goes out; if it commits,
the message is on disk before the person sees "sent". Workers claim jobs with a
compare-and-set on a lease, so several workers (one per app server) never run the
same job at the same time, and a job whose worker died is picked up again when its
lease runs out. Delivery is therefore at least once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from thaw.fields import EncryptedTextField


class Status(models.TextChoices):
    QUEUED = "queued", "Waiting"
    RUNNING = "running", "Running"
    FAILED = "failed", "Gave up"


class Job(models.Model):
    kind = models.CharField(max_length=64)
    # JSON; encrypted because a message can carry words a person typed.
    payload = EncryptedTextField()
    # Whose job this is: erasing the person removes their undelivered messages too.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    run_after = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The id of the request that queued the job: the worker's log lines carry it too.
    request_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["run_after", "id"]
        indexes = [models.Index(fields=["status", "run_after"], name="job_due")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class PeriodicRun(models.Model):
    """When a periodic task is next due; shared by every worker so it runs once per period."""

    name = models.CharField(max_length=64, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
