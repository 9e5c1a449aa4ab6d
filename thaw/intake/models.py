"""Intake: contact requests from the public, and the intake team's work on them.

Everything a requester writes (name, how and when to reach them, message) and the team's notes
are encrypted at rest. The region and the program they ask about are kept plain so the inbox can
be filtered. A request that did not end in an enrolment is deleted after the retention period
(``THAW_CONTACT_RETENTION_DAYS``); one that did is kept with the person's account and leaves with
it (erasure). Every look at a request goes through ``thaw.access`` and is audited.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from thaw.fields import EncryptedTextField

NAME_MAX = 80
REACH_MAX = 200
WHEN_MAX = 200
REGION_MAX = 80
MESSAGE_MAX = 3_000
NOTE_MAX = 3_000


class ReachBy(models.TextChoices):
    EMAIL = "email", gettext_lazy("Email")
    PHONE = "phone", gettext_lazy("Phone call")
    TEXT = "text", gettext_lazy("Text message")


class RequestStatus(models.TextChoices):
    NEW = "new", gettext_lazy("New")
    CONTACTED = "contacted", gettext_lazy("Contacted")
    SCHEDULED = "scheduled", gettext_lazy("Scheduled")
    ENROLLED = "enrolled", gettext_lazy("Enrolled")
    NOT_A_FIT = "not_a_fit", gettext_lazy("Not a fit")
    CLOSED = "closed", gettext_lazy("Closed")


OPEN_STATUSES = (RequestStatus.NEW, RequestStatus.CONTACTED, RequestStatus.SCHEDULED)
# Where a request can go from each status by hand. "Enrolled" is never chosen by hand: a request
# becomes enrolled when the person accepts its invitation, so it is tied to their account (and
# leaves with it); marking it by hand would keep someone's details past retention with no owner.
# An enrolled request can still be closed.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    RequestStatus.NEW: (RequestStatus.CONTACTED, RequestStatus.SCHEDULED, RequestStatus.NOT_A_FIT,
                        RequestStatus.CLOSED),
    RequestStatus.CONTACTED: (RequestStatus.NEW, RequestStatus.SCHEDULED, RequestStatus.NOT_A_FIT,
                              RequestStatus.CLOSED),
    RequestStatus.SCHEDULED: (RequestStatus.CONTACTED, RequestStatus.NOT_A_FIT, RequestStatus.CLOSED),
    RequestStatus.ENROLLED: (RequestStatus.CLOSED,),
    RequestStatus.NOT_A_FIT: (RequestStatus.CONTACTED, RequestStatus.CLOSED),
    RequestStatus.CLOSED: (RequestStatus.CONTACTED,),
}


class ContactRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = EncryptedTextField()
    reach_by = models.CharField(max_length=8, choices=ReachBy.choices)
    reach_at = EncryptedTextField(help_text="The email address or phone number")
    best_time = EncryptedTextField(blank=True)
    # What they are looking for: one of the clinic's programs, or None for "not sure".
    program = models.ForeignKey("clinic.Program", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="contact_requests")
    region = models.CharField(max_length=REGION_MAX)
    message = EncryptedTextField(blank=True)
    consent_at = models.DateTimeField(help_text="When they agreed to be contacted")
    came_from = models.CharField(max_length=100, blank=True, help_text="The article or program page they came from")
    urgent = models.BooleanField(default=False, help_text="Crisis language in the message: crisis lines were shown")
    # The language the visitor wrote in (their page's language when they sent it): emails to them
    # go out in it. Blank for requests made before it was kept: the site's default then.
    language = models.CharField(max_length=8, blank=True, default="",
                                help_text="The language the request was made in (en, es)")
    status = models.CharField(max_length=12, choices=RequestStatus.choices, default=RequestStatus.NEW)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="assigned_contact_requests")
    invite = models.ForeignKey("clinic.EnrolmentInvite", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    # The account that accepted the invitation: the request then leaves with that account.
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="contact_requests")
    # A keyed hash of what was sent: the same request sent twice (a reload, a double tap) is one.
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-urgent", "-created_at"]
        indexes = [models.Index(fields=["status", "updated_at"], name="contact_status_updated")]

    def __str__(self) -> str:
        return f"contact request {self.pk}"

    @property
    def short_id(self) -> str:
        return str(self.pk)[:8]


class ContactNote(models.Model):
    request = models.ForeignKey(ContactRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note on {self.request_id}"
