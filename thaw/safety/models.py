"""Safety plans and risk flags."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thaw.core.versions import Versioned
from thaw.fields import EncryptedTextField

PLAN_FIELD_MAX = 5000  # characters per safety-plan section

PLAN_SECTIONS: tuple[tuple[str, Any, Any], ...] = (
    ("warning_signs", _("My warning signs"),
     _("Thoughts, feelings, places or situations that tell me a hard time may be starting.")),
    ("coping_steps", _("Things I can do on my own"),
     _("Small things that have helped me get through before: a walk, a shower, music, grounding.")),
    ("distractions", _("People and places that take my mind off things"),
     _("Someone to be around, or a place to go, without having to talk about how I feel.")),
    ("people_to_ask", _("People I can ask for help"), _("Names and numbers of people I could tell that I am struggling.")),
    ("professionals", _("Professionals and crisis lines"),
     _("My clinician, my doctor, a crisis line. The crisis lines for my region are always shown with this plan.")),
    ("safer_environment", _("Making my surroundings safer"),
     _("What I can move away, lock up or give to someone for a while, and who can help me do it.")),
    ("reasons", _("What matters to me"), _("People, plans, pets or anything else worth staying for.")),
)


class SafetyPlan(Versioned):
    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_plan")
    warning_signs = EncryptedTextField(blank=True)
    coping_steps = EncryptedTextField(blank=True)
    distractions = EncryptedTextField(blank=True)
    people_to_ask = EncryptedTextField(blank=True)
    professionals = EncryptedTextField(blank=True)
    safer_environment = EncryptedTextField(blank=True)
    reasons = EncryptedTextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"safety plan of {self.person_id}"

    def sections(self) -> list[tuple[str, str, str, str]]:
        return [(key, title, hint, getattr(self, key)) for key, title, hint in PLAN_SECTIONS]

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, key).strip() for key, _, _ in PLAN_SECTIONS)


class FlagKind(models.TextChoices):
    ASSESSMENT_ITEM = "assessment_item", "A critical assessment answer"
    CRISIS_LANGUAGE = "crisis_language", "Crisis language in something written"
    DETERIORATION = "deterioration", "A score got reliably worse"
    DISENGAGEMENT = "disengagement", "No check-ins for a while"


class RiskFlag(models.Model):
    """A sign of risk, kept for a clinician portal to pick up. Never contacts anyone by itself."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="risk_flags")
    kind = models.CharField(max_length=32, choices=FlagKind.choices)
    source = models.CharField(max_length=32, help_text="What raised it, e.g. assessment or checkin")
    source_id = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=200, help_text="Thaw's own words, never the person's text")
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    # The clinician's short note on acknowledging (their words, so encrypted).
    acknowledgement = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["person", "acknowledged_at"], name="riskflag_person_open")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.person_id} at {self.created_at:%Y-%m-%d %H:%M}"
