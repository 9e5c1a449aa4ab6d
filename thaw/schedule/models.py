"""Group and individual sessions of a program, who is enrolled in each and whether they came,
and the secret calendar (iCalendar) feed each user can subscribe to.

A session belongs to a program; its care team schedules it and enrols people who are
enrolled in that program. A calendar feed is a secret URL: only its SHA-256 is stored, and
a user has at most one active feed (a new one revokes the old).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from thaw.fields import EncryptedTextField

TITLE_MAX = 120
LINK_MAX = 500
NOTE_MAX = 1000


class SessionKind(models.TextChoices):
    GROUP = "group", "Group"
    INDIVIDUAL = "individual", "Individual"


class Session(models.Model):
    program = models.ForeignKey("clinic.Program", on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(max_length=16, choices=SessionKind.choices, default=SessionKind.GROUP)
    title = models.CharField(max_length=TITLE_MAX)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    video_link = models.URLField(max_length=LINK_MAX, help_text="An https link people click to join.")
    # The care team's own words (never shown to attendees, never in a calendar feed).
    note = EncryptedTextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="session_ends_after_start")]
        indexes = [models.Index(fields=["program", "starts_at"], name="session_program_start")]

    def __str__(self) -> str:
        return f"session {self.pk}"

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


class Attendee(models.Model):
    """A person enrolled in a session; ``attended`` is None until someone marks it."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_places")
    attended = models.BooleanField(null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="attendee_unique")]

    def __str__(self) -> str:
        return f"{self.person_id} in session {self.session_id}"


class CalendarFeed(models.Model):
    """A secret calendar URL; the raw secret is shown once and only its hash is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user"], condition=models.Q(revoked_at__isnull=True),
                                               name="calendarfeed_one_active")]

    def __str__(self) -> str:
        return f"calendar feed {self.pk}"
