"""A check-in: one moment's record of how a person feels."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from thaw.checkins.rules import NUMBNESS_MAX, NUMBNESS_MIN
from thaw.core.versions import Versioned
from thaw.fields import EncryptedTextField


class Source(models.TextChoices):
    WEB = "web", "Web form"
    QUICK = "quick", "One-tap"
    API = "api", "API"


class CheckIn(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: checkin_person_at (person, -at) serves every lookup by person. With both,
    # every check-in wrote both, and where a person's rows lie together on disk (the benchmark's
    # first network, a bulk import) PostgreSQL read a caseload's 14 days through this one and
    # filtered a year per person: 34 ms against 12 (docs/PERFORMANCE.md, "Third round").
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins",
                               db_index=False)
    at = models.DateTimeField(default=timezone.now)
    # None: the person did not rate numbness this time ("not rated" is an answer, not a gap to fill).
    numbness = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.JSONField(default=list, blank=True)
    note = EncryptedTextField(blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    # Set when the check-in answered a reminder (a random or fixed moment); None when self-started.
    prompt = models.OneToOneField("reminders.Prompt", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="checkin")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # Set when the check-in was just saved: did its note contain crisis language?
    crisis: bool = False

    class Meta:
        ordering = ["-at", "-id"]
        # On PostgreSQL the index also carries what the pages read of a person's check-ins but the
        # note: the caseload's daily numbness, the ids the words and tags hang on, and insights'
        # cache stamp (count, latest updated_at) come from the index alone, without visiting a
        # table page per check-in (rows arrive in time order, so a person's year lies on about as
        # many pages as it has rows; docs/PERFORMANCE.md, "Fourth round"). SQLite ignores INCLUDE
        # (models.W040 is silenced for it in settings) and keeps the plain index.
        indexes = [models.Index(fields=["person", "-at"], name="checkin_person_at",
                                include=["numbness", "id", "updated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(numbness__gte=NUMBNESS_MIN, numbness__lte=NUMBNESS_MAX),
                name="checkin_numbness_range",
            )
        ]

    def __str__(self) -> str:
        return f"check-in {self.id} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def words(self) -> list[str]:
        return [e.word for e in self.emotions.all()]

    @property
    def tags(self) -> list[str]:
        return [t.name for t in self.tag_links.all()]


class CheckInEmotion(models.Model):
    # Indexed by checkin_emotion_checkin below, which also carries the word and its intensity.
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="emotions", db_index=False)
    word = models.CharField(max_length=40)
    intensity = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "word"], name="checkin_emotion_unique_word"),
            models.CheckConstraint(condition=models.Q(intensity__lte=10), name="checkin_emotion_intensity_range"),
        ]
        indexes = [
            models.Index(fields=["word"], name="checkin_emotion_word"),
            # A year of a person's words (insights, the person page) read from the index alone on
            # PostgreSQL, about 2.3× faster (docs/PERFORMANCE.md, "Fourth round"). Narrower
            # than the unique (check-in, word) index, which was slower to read ("Third round").
            models.Index(fields=["checkin"], name="checkin_emotion_checkin", include=["word", "intensity"]),
        ]

    def __str__(self) -> str:
        return f"{self.word} {self.intensity}/10"


class CheckInTag(models.Model):
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="tag_links")
    name = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["checkin", "name"], name="checkin_tag_unique")]
        indexes = [models.Index(fields=["name"], name="checkin_tag_name")]

    def __str__(self) -> str:
        return self.name
