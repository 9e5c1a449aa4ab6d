"""The substance-use log: uses, cravings that passed without using, goals, preferences.

Substance data is the most sensitive data Thaw keeps. All free text (notes, a
substance's own name, what helped) is encrypted at rest; nothing here is shared with
anyone unless the person later grants it explicitly (its own sharing category).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from thaw.core.versions import Versioned
from thaw.fields import EncryptedTextField
from thaw.substances.rules import CRAVING_MAX, CRAVING_MIN
from thaw.substances.units import DRINK_SIZES, SUBSTANCES

SUBSTANCE_CHOICES = [(s.key, s.label) for s in SUBSTANCES.values()]


class SubstanceUse(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="substance_uses")
    substance = models.CharField(max_length=16, choices=SUBSTANCE_CHOICES)
    custom_name = EncryptedTextField(blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    abv = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    # Computed when saved, in the person's standard-drink size (recomputed if they change it).
    standard_drinks = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    craving = models.PositiveSmallIntegerField(null=True, blank=True)
    motives = models.JSONField(default=list, blank=True)
    note = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    crisis: bool = False  # set when just saved: did its note contain crisis language?

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="substance_use_person_at")]
        constraints = [
            models.CheckConstraint(condition=models.Q(substance__in=list(SUBSTANCES)), name="substance_use_known"),
            models.CheckConstraint(condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                                   name="substance_use_amount_positive"),
            models.CheckConstraint(condition=models.Q(abv__isnull=True) | models.Q(abv__gte=0, abv__lte=100),
                                   name="substance_use_abv_range"),
            models.CheckConstraint(
                condition=models.Q(craving__isnull=True) | models.Q(craving__gte=CRAVING_MIN, craving__lte=CRAVING_MAX),
                name="substance_use_craving_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.substance} use at {self.at:%Y-%m-%d %H:%M}"


class Craving(models.Model):
    """A craving that passed without using, and what helped."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="substance_cravings")
    substance = models.CharField(max_length=16, choices=SUBSTANCE_CHOICES)
    custom_name = EncryptedTextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    intensity = models.PositiveSmallIntegerField()
    helped = models.JSONField(default=list, blank=True)
    helped_note = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    crisis: bool = False

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="substance_craving_person_at")]
        constraints = [
            models.CheckConstraint(condition=models.Q(substance__in=list(SUBSTANCES)), name="substance_craving_known"),
            models.CheckConstraint(condition=models.Q(intensity__gte=CRAVING_MIN, intensity__lte=CRAVING_MAX),
                                   name="substance_craving_intensity_range"),
        ]

    def __str__(self) -> str:
        return f"{self.substance} craving at {self.at:%Y-%m-%d %H:%M}"


class GoalKind(models.TextChoices):
    ABSTAIN = "abstain", "Not using"
    WEEKLY_LIMIT = "weekly_limit", "A weekly limit"


class Goal(models.Model):
    """What the person is aiming for with one substance. Ending a goal keeps it (inactive)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="substance_goals")
    substance = models.CharField(max_length=16, choices=SUBSTANCE_CHOICES)
    kind = models.CharField(max_length=16, choices=GoalKind.choices)
    weekly_limit = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    limit_unit = models.CharField(max_length=20, blank=True)  # "standard_drink", "use" or a substance unit
    since = models.DateField(default=timezone.localdate)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["substance", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "substance"], condition=models.Q(active=True),
                                    name="substance_goal_one_active"),
            models.CheckConstraint(
                condition=models.Q(kind="abstain", weekly_limit__isnull=True)
                | models.Q(kind="weekly_limit", weekly_limit__gt=0),
                name="substance_goal_limit_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.substance}: {self.kind}"


class SubstancePreferences(models.Model):
    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="substance_preferences")
    # Empty: the site's default size (THAW_STANDARD_DRINK_GRAMS).
    drink_size = models.CharField(max_length=8, blank=True, choices=[(d.key, d.label) for d in DRINK_SIZES.values()])
    show_days_since = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"substance preferences of {self.person_id}"
