"""The clinic: programs (e.g. a virtual IOP), their care teams, enrolment invitations,
in-app notifications, flag alerts with escalation, and homework.

A person's enrolment is a ``thaw.circle.models.Grant`` whose ``program`` is set: the same
grant mechanism as the trusted circle, shared with the program's whole care team. The
person chooses the categories (assessments and risk flags at least) and can end it.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from thaw.crypto import secret_digest
from thaw.fields import EncryptedTextField

INVITE_DAYS = 7


class Program(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="programs_led")
    escalate_after_minutes = models.PositiveIntegerField(
        default=30, help_text="Escalate an unacknowledged crisis flag to the lead after this long.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A clinician on a program's care team; on duty means they get new-crisis alerts."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    on_duty = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "clinician"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.clinician_id} in {self.program_id}"




class EnrolmentInvite(models.Model):
    """A clinician invites a person to a program: a single-use link valid for 7 days."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="invites")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    email = EncryptedTextField(blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"invite to {self.program_id}"

    @classmethod
    def issue(cls, program: Program, by: object, email: str = "", now: datetime | None = None) -> tuple[EnrolmentInvite, str]:
        raw = secrets.token_urlsafe(32)
        now = now or timezone.now()
        invite = cls.objects.create(program=program, invited_by=by, email=email, token_hash=secret_digest(raw),
                                    created_at=now, expires_at=now + timedelta(days=INVITE_DAYS))
        return invite, raw

    @classmethod
    def by_token(cls, raw: str) -> EnrolmentInvite | None:
        if not raw or len(raw) > 100:
            return None
        return cls.objects.filter(token_hash=secret_digest(raw)).select_related("program").first()

    def is_open(self, now: datetime | None = None) -> bool:
        return self.used_at is None and self.expires_at > (now or timezone.now())


class Notification(models.Model):
    """An in-app message for a clinician (the same text also goes by email).

    Stored as what happened (``kind`` and ``params``: the program's name, minutes), never as a
    sentence: the text is written when it is shown, in the reader's language. ``text`` is only
    for alerts stored before that (English)."""

    NEW_FLAG = "new_flag"
    ESCALATED = "escalated"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, blank=True, choices=[(NEW_FLAG, NEW_FLAG), (ESCALATED, ESCALATED)])
    params = models.JSONField(default=dict, blank=True)
    text = models.CharField(max_length=200, blank=True)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.shown()

    def shown(self) -> str:
        """The alert in the active language (a request's, or ``override_for`` the recipient's)."""
        from django.utils.translation import gettext, ngettext

        from thaw.validation import count

        program = self.params.get("program", "")
        if self.kind == self.NEW_FLAG:
            return gettext("New crisis flag in %(program)s") % {"program": program}
        if self.kind == self.ESCALATED:
            minutes = int(self.params.get("minutes", 0))
            return ngettext("Escalated: a crisis flag in %(program)s is unacknowledged after %(minutes)s minute",
                            "Escalated: a crisis flag in %(program)s is unacknowledged after %(minutes)s minutes",
                            minutes) % {"program": program, "minutes": count(minutes)}
        return self.text


class FlagAlert(models.Model):
    """A crisis flag raised for someone in a program: who was told, and whether it was escalated."""

    flag = models.ForeignKey("safety.RiskFlag", on_delete=models.CASCADE, related_name="alerts")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="alerts")
    notified_at = models.DateTimeField(default=timezone.now)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flag", "program"], name="flagalert_unique")]

    def __str__(self) -> str:
        return f"alert for flag {self.flag_id}"


class Homework(models.Model):
    """What the care team suggests between sessions; the person sees it on their home page."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="homework")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="homework")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    checkins_per_day = models.PositiveSmallIntegerField(default=0)
    exercises = models.JSONField(default=list, blank=True)
    assessments = models.JSONField(default=dict, blank=True, help_text="instrument → every N days")
    note = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(checkins_per_day__lte=12), name="homework_checkins")]

    def __str__(self) -> str:
        return f"homework for {self.person_id}"
