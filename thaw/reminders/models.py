"""A person's reminder plan, the prompts it sends, and the devices that can receive them.

``ReminderPlan.next_due_at`` and ``questionnaires_due_at`` are indexed: the worker asks only
for the plans due now (work proportional to the reminders due, not to the number of people),
and each plan is moved on to its next moment in the same transaction that records the prompt.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from thaw.fields import EncryptedTextField
from thaw.reminders.rules import DEFAULT_EXPIRES, DEFAULT_GAP


def new_seed() -> int:
    import secrets

    return secrets.randbelow(2**31)


def every_day() -> list[int]:
    return list(range(7))


def both_channels() -> list[str]:
    return ["push", "email"]


class Mode(models.TextChoices):
    OFF = "off", "Off"
    FIXED = "fixed", "At fixed times"
    RANDOM = "random", "At random moments"


class ReminderPlan(models.Model):
    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_plan")
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.OFF)
    times = models.JSONField(default=list, blank=True, help_text='Fixed times, "HH:MM" in the person\'s time zone')
    windows = models.JSONField(default=list, blank=True, help_text='[{"start": "09:00", "end": "21:00", "count": 3}]')
    min_gap_minutes = models.PositiveSmallIntegerField(default=DEFAULT_GAP)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    days = models.JSONField(default=every_day, blank=True, help_text="0 is Monday")
    channels = models.JSONField(default=both_channels, blank=True)
    # The person's own words, shown on a lock screen: encrypted like all free text. Empty means
    # Thaw's own text (rules.DEFAULT_MESSAGE), sent in the person's language at the time.
    message = EncryptedTextField(default="", blank=True)
    expires_minutes = models.PositiveSmallIntegerField(default=DEFAULT_EXPIRES)
    questionnaire_reminders = models.BooleanField(default=False)
    questionnaires = models.JSONField(default=list, blank=True, help_text="Instruments on the person's own cadence")
    # When the person chose each of them (instrument → ISO time), kept while it stays chosen: the
    # clock of their own cadence, so saving the plan again does not make one due again.
    questionnaires_since = models.JSONField(default=dict, blank=True,
                                            help_text="When each questionnaire on the person's own cadence was chosen")
    seed = models.BigIntegerField(default=new_seed, help_text="Draws the random moments of each day")
    next_due_at = models.DateTimeField(null=True, blank=True)
    questionnaires_due_at = models.DateTimeField(null=True, blank=True)
    fewer_offered_at = models.DateTimeField(null=True, blank=True, help_text="Offered to send fewer (only once)")
    fewer_answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["next_due_at"], name="reminderplan_next_due"),
            models.Index(fields=["questionnaires_due_at"], name="reminderplan_q_due"),
        ]

    def __str__(self) -> str:
        return f"reminder plan of {self.person_id} ({self.mode})"


class PromptKind(models.TextChoices):
    MOMENT = "moment", "A moment to check in"
    QUESTIONNAIRE = "questionnaire", "A questionnaire is due"


class Prompt(models.Model):
    """One reminder sent (or being sent). ``due_at`` and ``sent_at`` give the delivery delay."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prompts")
    kind = models.CharField(max_length=16, choices=PromptKind.choices, default=PromptKind.MOMENT)
    instrument = models.CharField(max_length=16, blank=True)
    due_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=16, blank=True, help_text="push, email, or none (nothing could reach them)")
    answered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-due_at", "-id"]
        indexes = [
            models.Index(fields=["person", "-due_at"], name="prompt_person_due"),
            models.Index(fields=["sent_at", "due_at"], name="prompt_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} prompt {self.id}"

    def status(self, now: object = None) -> str:
        now = now or timezone.now()
        if self.answered_at is not None:
            return "answered"
        if self.expires_at <= now:  # type: ignore[operator]
            return "expired"
        return "open" if self.sent_at is not None else "waiting"


class PushSubscription(models.Model):
    """A browser's Web Push subscription. The endpoint is a capability URL (whoever has it can
    push to that device), so it is stored encrypted, with a digest for finding it again."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = EncryptedTextField()
    endpoint_digest = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, help_text="The push service's host, to tell devices apart")
    p256dh = models.CharField(max_length=120)
    auth = EncryptedTextField()
    # Which signed-in session added it, so signing out there removes it.
    session_digest = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"push subscription {self.id} ({self.host})"
