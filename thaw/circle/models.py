"""The trusted circle: what a person shares, with whom, until when.

A ``Grant`` is the one sharing mechanism: the person (``owner``) names what is shared by
category, with whom (``grantee``, once the invitation is accepted) and until when. It
takes effect, changes and ends at once, because every read goes through
``thaw.access.may_see`` which consults the live grant rows. Invitations are single-use
links valid for 7 days; only a hash of the link's secret is stored.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from thaw.access import Category
from thaw.crypto import secret_digest
from thaw.fields import EncryptedTextField

INVITE_DAYS = 7
NAME_MAX = 60
MESSAGE_MAX = 500

# Shown in this order everywhere; notes and substance use are never ticked by default.
CATEGORY_LABELS: dict[str, str] = {
    Category.SUMMARY: gettext_noop("Weekly summary (numbness trend and how many check-ins; no words)"),
    Category.CHECKINS: gettext_noop("Check-ins: emotion words and intensities"),
    Category.NOTES: gettext_noop("Notes you wrote in check-ins"),
    Category.ASSESSMENTS: gettext_noop("Questionnaire scores"),
    Category.GROUNDING: gettext_noop("Grounding exercises"),
    Category.SUBSTANCES: gettext_noop("Substance use log"),
}
# A care team (clinic program) can also see risk flags; assessments and flags are its minimum.
PROGRAM_CATEGORY_LABELS: dict[str, str] = {
    **CATEGORY_LABELS, Category.FLAGS: gettext_noop("Risk flags (signs of risk Thaw noticed, such as crisis words in a note)"),
}
PROGRAM_MINIMUM = [Category.ASSESSMENTS, Category.FLAGS]
SENSITIVE = frozenset({Category.NOTES, Category.SUBSTANCES})
DEFAULT_CATEGORIES = [Category.SUMMARY]




class Grant(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants_given")
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="grants_received"
    )
    # What the person calls them ("Sam"); their own words, so encrypted.
    name = EncryptedTextField()
    # Where an emailed invitation went (blank for a link the person passes on themselves).
    email = EncryptedTextField(blank=True)
    categories = models.JSONField(default=list)
    until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Set for an enrolment: shared with the program's whole care team (no single grantee).
    program = models.ForeignKey("clinic.Program", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="grants")
    invite_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    invite_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["grantee", "owner"], name="grant_grantee_owner")]

    def __str__(self) -> str:
        return f"grant {self.id}"

    def new_invite(self, now: datetime | None = None) -> str:
        """A fresh single-use secret for the invitation link; returns the raw secret (shown once)."""
        raw = secrets.token_urlsafe(32)
        self.invite_hash = secret_digest(raw)
        self.invite_expires_at = (now or timezone.now()) + timedelta(days=INVITE_DAYS)
        return raw

    @classmethod
    def by_invite(cls, raw: str) -> Grant | None:
        if not raw or len(raw) > 100:
            return None
        return cls.objects.filter(invite_hash=secret_digest(raw)).select_related("owner").first()

    def invite_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (self.invite_hash is not None and self.grantee_id is None and self.revoked_at is None
                and self.invite_expires_at is not None and self.invite_expires_at > now)

    def is_live(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (self.accepted_at is not None and self.revoked_at is None
                and (self.until is None or self.until > now))

    @property
    def state(self) -> str:
        now = timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.until is not None and self.until <= now:
            return "expired"
        if self.accepted_at is None:
            return "invited" if self.invite_open(now) else "invitation expired"
        return "active"


class SharingState(models.Model):
    """One switch per person: pause every grant at once (and resume)."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sharing_state")
    paused_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sharing state of {self.person_id}"


class RuleKind(models.TextChoices):
    NUMB_DAYS = "numb_days", gettext_lazy("I log numb (7 or more) for several days in a row")
    QUIET_DAYS = "quiet_days", gettext_lazy("I skip check-ins for several days")


class CheckOnMe(models.Model):
    """'If this happens, message my person': off until the person turns it on."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_on_me")
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=12, choices=RuleKind.choices)
    days = models.PositiveSmallIntegerField()
    message = EncryptedTextField()
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(days__gte=1, days__lte=30), name="checkonme_days")]

    def __str__(self) -> str:
        return f"{self.kind} after {self.days} days"
