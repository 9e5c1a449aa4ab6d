"""A grounding session (one try of one exercise, with before/after ratings) and a person's own affirmations."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from thaw.fields import EncryptedTextField
from thaw.grounding.rules import RATING_MAX, RATING_MIN

RATING_FIELDS = ("before_presence", "before_numbness", "after_presence", "after_numbness")


class Source(models.TextChoices):
    WEB = "web", "Exercise page"
    FORM = "form", "Exercise page without JavaScript"
    API = "api", "API"


def _rating_in_range(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{name}__isnull": True})
        | models.Q(**{f"{name}__gte": RATING_MIN, f"{name}__lte": RATING_MAX}),
        name=f"grounding_session_{name}_range",
    )


class GroundingSession(models.Model):
    # The id may come from the client, so a retry after a dropped connection is the same session.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grounding_sessions")
    exercise = models.CharField(max_length=40)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    completed = models.BooleanField(default=True, help_text="False when the person used “Stop now”")
    before_presence = models.PositiveSmallIntegerField(null=True, blank=True)
    before_numbness = models.PositiveSmallIntegerField(null=True, blank=True)
    after_presence = models.PositiveSmallIntegerField(null=True, blank=True)
    after_numbness = models.PositiveSmallIntegerField(null=True, blank=True)
    made_worse = models.BooleanField(default=False)
    note = EncryptedTextField(blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    created_at = models.DateTimeField(default=timezone.now)

    # Set when the session was just saved: did its note contain crisis language?
    crisis: bool = False

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["person", "-started_at"], name="grounding_person_started")]
        constraints = [
            *(_rating_in_range(name) for name in RATING_FIELDS),
            models.CheckConstraint(condition=models.Q(ended_at__gte=models.F("started_at")),
                                   name="grounding_session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"grounding session {self.id} ({self.exercise})"


class Affirmation(models.Model):
    """One of the person's own affirmations, shown alongside Thaw's starter set."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affirmations")
    text = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"affirmation {self.id}"
