"""A completed standardised self-assessment and its score.

A result is stored with the rules version that scored it (``rules_version``) and what
those rules found (``findings``: the cut-off that applied, whether the score is past it,
the PCL-5 cluster pattern, the WHO-5 item rule, the plain-language summary). Results are
never re-scored: when the rules change, older results keep their version and say so.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from thaw.assessments.scoring import RULES_VERSION
from thaw.fields import EncryptedTextField


class Assessment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessments")
    instrument = models.CharField(max_length=16)
    answers = models.JSONField()
    score = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=64)
    subscores = models.JSONField(default=dict, blank=True)
    crisis = models.BooleanField(default=False)
    previous_score = models.PositiveSmallIntegerField(null=True, blank=True)
    change_status = models.CharField(max_length=24, blank=True)
    rules_version = models.PositiveSmallIntegerField(
        default=RULES_VERSION, help_text="Which version of Thaw's scoring rules produced this result.")
    findings = models.JSONField(default=dict, blank=True)
    difficulty = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="PHQ-9's unscored question: how difficult the problems made things (0-3).")
    worst_event = EncryptedTextField(blank=True, help_text="PCL-5: the event the person kept in mind (private).")
    taken_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["person", "instrument", "-taken_at"], name="assessment_person_instr")]

    def __str__(self) -> str:
        return f"{self.instrument} {self.score} at {self.taken_at:%Y-%m-%d}"

    @property
    def delta(self) -> int | None:
        return None if self.previous_score is None else self.score - self.previous_score
