"""Contact requests: taking one from the public, and the intake team's work on it.

``receive`` is the one way a request comes in (the web form and ``POST /api/v1/contact``): it
checks every field, scans the message for crisis language BEFORE the write transaction, saves,
and queues an email to the intake team that holds no detail about the person. The same request
sent twice (a reload, a double tap, a retry) is saved once. ``update`` changes status,
assignment and notes; ``invite`` turns a request into a program enrolment invitation (issue 8's
``EnrolmentInvite``); ``accepted`` marks it enrolled when the person accepts.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext

from thaw.accounts.models import Role, User
from thaw.audit.models import record
from thaw.checkins.rules import CheckInInvalid as FieldErrors
from thaw.circle.services import site_url
from thaw.clinic.models import EnrolmentInvite, Program
from thaw.core.language import account_for, language_for, override_for, supported
from thaw.intake.models import (
    MESSAGE_MAX,
    NAME_MAX,
    NEXT_STATUSES,
    NOTE_MAX,
    REACH_MAX,
    REGION_MAX,
    WHEN_MAX,
    ContactNote,
    ContactRequest,
    ReachBy,
    RequestStatus,
)
from thaw.safety.services import scan_text
from thaw.tasks.queue import send_email
from thaw.text import take_text

logger = logging.getLogger(__name__)

NOT_SURE = "not_sure"
DUPLICATE_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Received:
    request: ContactRequest
    crisis: bool
    duplicate: bool


def program_choices() -> list[tuple[str, str]]:
    """What a requester can ask about: the programs with a public page, then "not sure"."""
    from thaw.learn.models import ProgramPage

    pages = ProgramPage.objects.filter(public=True).select_related("program").order_by("position", "slug")
    return [(page.slug, page.program.name) for page in pages] + [(NOT_SURE, gettext("I'm not sure yet"))]


def _program_for(slug: str) -> Program | None:
    from thaw.learn.models import ProgramPage

    page = ProgramPage.objects.filter(public=True, slug=slug).select_related("program").first()
    return page.program if page else None


def _fingerprint(*parts: str) -> str:
    text = "\x1f".join(p.strip().lower() for p in parts)
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def clean(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Every field checked, with one message per field a person can act on."""
    errors: dict[str, str] = {}
    name = take_text(errors, "name", data.get("name"), NAME_MAX, subject=gettext("Your name")).strip()
    if not name and "name" not in errors:
        errors["name"] = gettext("Please tell us what to call you (a first name is fine)")
    reach_by = data.get("reach_by") or ""
    if reach_by not in ReachBy.values:
        errors["reach_by"] = gettext("Choose how we should reach you: email, a phone call or a text message")
    reach_at = take_text(errors, "reach_at", data.get("reach_at"), REACH_MAX, subject=gettext("How to reach you")).strip()
    if "reach_at" not in errors:
        if not reach_at:
            errors["reach_at"] = gettext("Please give an email address or phone number we can use")
        elif reach_by == ReachBy.EMAIL:
            try:
                validate_email(reach_at)
            except ValidationError:
                errors["reach_at"] = gettext("This is not an email address; check it, or choose a phone call or text")
        elif reach_by in (ReachBy.PHONE, ReachBy.TEXT) and sum(c.isdigit() for c in reach_at) < 6:
            errors["reach_at"] = gettext("A phone number needs at least 6 digits")
    best_time = take_text(errors, "best_time", data.get("best_time"), WHEN_MAX, subject=gettext("When to reach you")).strip()
    looking_for = data.get("looking_for") or ""
    program = None
    if not isinstance(looking_for, str) or not looking_for:
        errors["looking_for"] = gettext("Choose a program, or “I'm not sure yet”")
    elif looking_for != NOT_SURE:
        program = _program_for(looking_for)
        if program is None:
            errors["looking_for"] = gettext("That program is not offered any more; choose another, or “I'm not sure yet”")
    region = take_text(errors, "region", data.get("region"), REGION_MAX, subject=gettext("Where you live")).strip()
    if not region and "region" not in errors:
        errors["region"] = gettext("Please say which state or region you live in (programs can only serve some "
                                   "places)")
    message = take_text(errors, "message", data.get("message"), MESSAGE_MAX, subject=gettext("Your message")).strip()
    consent = data.get("consent")
    if consent not in (True, "on", "1", "true", "yes"):
        errors["consent"] = gettext("We can only contact you if you agree to it: tick the box")
    came_from = data.get("came_from") if isinstance(data.get("came_from"), str) else ""
    cleaned = {"name": name, "reach_by": reach_by, "reach_at": reach_at, "best_time": best_time, "program": program,
               "region": region, "message": message, "came_from": (came_from or "")[:100]}
    return cleaned, errors


def receive(data: dict[str, Any], *, now: datetime | None = None) -> Received:
    cleaned, errors = clean(data)
    if errors:
        raise FieldErrors(errors)
    now = now or timezone.now()
    fingerprint = _fingerprint(cleaned["name"], cleaned["reach_at"], cleaned["message"],
                               str(cleaned["program"].pk if cleaned["program"] else ""))
    matches = scan_text(cleaned["message"], cleaned["best_time"])  # before the write transaction
    with transaction.atomic():
        earlier = ContactRequest.objects.filter(fingerprint=fingerprint, created_at__gte=now - DUPLICATE_WINDOW).first()
        if earlier is not None:
            return Received(earlier, earlier.urgent, duplicate=True)
        request = ContactRequest.objects.create(**cleaned, consent_at=now, urgent=bool(matches),
                                                language=supported(get_language()) or "",
                                                fingerprint=fingerprint, created_at=now, updated_at=now)
        record("contact_request.received", request=str(request.pk), urgent=request.urgent)
        _notify(request)
    return Received(request, bool(matches), duplicate=False)


def intake_staff() -> list[User]:
    staff = User.objects.filter(is_active=True).exclude(role=Role.PERSON)
    return [u for u in staff if u.holds(Role.INTAKE)]


def _notify(request: ContactRequest) -> None:
    """Email the intake team: that a request is waiting, never who sent it or why. Each member
    reads it in their own language; the clinic's shared address in the site's."""
    staff = {u.email: u for u in intake_staff()}
    addresses = set(staff) | ({settings.THAW_INTAKE_NOTIFY_EMAIL} if settings.THAW_INTAKE_NOTIFY_EMAIL else set())
    by_language: dict[str, list[str]] = {}
    for address in sorted(addresses):
        by_language.setdefault(language_for(staff.get(address)), []).append(address)
    for language, group in by_language.items():
        with override_for(None, language):
            subject = (gettext("A contact request marked urgent is waiting") if request.urgent
                       else gettext("A new contact request is waiting"))
            body = (gettext("Someone asked the clinic to contact them.") + "\n\n"
                    + (gettext("It is marked urgent: please look at it as soon as you can.") + "\n\n"
                       if request.urgent else "")
                    + gettext("Sign in to read it: %(link)s") % {"link": site_url(reverse("intake_inbox"))} + "\n\n"
                    + gettext("This email holds no details about the person on purpose.") + "\n")
        send_email(group, subject, body)


# --- the intake team's work ------------------------------------------------------------------

def update(request: ContactRequest, actor: Any, data: dict[str, Any]) -> ContactRequest:
    """Change the status, the assignment and/or add a note; each change is audited."""
    errors: dict[str, str] = {}
    status = data.get("status")
    if status is not None and status != request.status:
        if status not in RequestStatus.values:
            errors["status"] = gettext("must be one of: %(values)s") % {"values": ", ".join(RequestStatus.values)}
        elif status not in NEXT_STATUSES[request.status]:
            allowed = ", ".join(str(RequestStatus(s).label).lower() for s in NEXT_STATUSES[request.status])
            errors["status"] = gettext("a request that is %(status)s can become: %(allowed)s") % {
                "status": str(RequestStatus(request.status).label).lower(), "allowed": allowed}
            if status == RequestStatus.ENROLLED:
                errors["status"] += " " + gettext("(it becomes enrolled when the person accepts its invitation)")
    assignee: User | None | bool = False  # False: unchanged
    if "assigned_to" in data:
        wanted = data["assigned_to"]
        if wanted in (None, ""):
            assignee = None
        else:
            found = User.objects.filter(email=str(wanted).strip().lower(), is_active=True).first()
            if found is None or not found.holds(Role.INTAKE):
                errors["assigned_to"] = gettext("no active intake account has this address")
            else:
                assignee = found
    note = take_text(errors, "note", data.get("note"), NOTE_MAX, subject=gettext("The note")).strip()
    if errors:
        raise FieldErrors(errors)
    now = timezone.now()
    with transaction.atomic():
        changed: dict[str, Any] = {}
        if status is not None and status != request.status:
            changed["status"] = request.status = status
        if assignee is not False:
            request.assigned_to = assignee
            changed["assigned_to"] = assignee.pk if assignee else None
        if note:
            ContactNote.objects.create(request=request, author=actor, body=note, created_at=now)
            changed["note"] = True
        if changed:
            request.updated_at = now
            request.save()
            record("contact_request.updated", actor=actor, request=str(request.pk), **changed)
    return request


def invite(request: ContactRequest, actor: Any, program: Program, email: str = "") -> str:
    """Turn a request into an invitation to ``program`` (issue 8's single-use, 7-day link).
    With an email address, Thaw emails the link; either way the link is returned to pass on."""
    from thaw.clinic.services import enrol_url

    errors: dict[str, str] = {}
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = gettext("is not an email address")
    if request.status in (RequestStatus.ENROLLED, RequestStatus.CLOSED, RequestStatus.NOT_A_FIT):
        errors["status"] = gettext("this request is %(status)s; reopen it first") % {
            "status": str(RequestStatus(request.status).label).lower()}
    if errors:
        raise FieldErrors(errors)
    now = timezone.now()
    with transaction.atomic():
        invitation, raw = EnrolmentInvite.issue(program, actor, email, now=now)
        request.invite = invitation
        request.program = program
        if request.status == RequestStatus.NEW:
            request.status = RequestStatus.CONTACTED
        request.updated_at = now
        request.save()
        if email:
            # In the language of the account at that address, else the one the visitor wrote in.
            with override_for(account_for(email), request.language):
                names = {"program": program.name, "link": enrol_url(raw)}
                send_email([email], gettext("An invitation to %(program)s on Thaw") % names, gettext(
                    "Hello,\n\nThank you for getting in touch. As we talked about, here is your invitation to "
                    "%(program)s on Thaw, where you and the care team can follow how you are doing between "
                    "sessions.\n\nOpen this link within 7 days to create an account (or sign in) and choose what "
                    "the care team may see (it works once):\n%(link)s\n\n"
                    "If you were not expecting this, ignore it.\n") % names)
        record("contact_request.invited", actor=actor, request=str(request.pk), program=program.pk,
               by_email=bool(email))
        record("enrolment.invited", actor=actor, program=program.pk, by_email=bool(email))
    return enrol_url(raw)


def accepted(invitation: EnrolmentInvite, person: Any) -> None:
    """Called when an enrolment invitation is accepted: a request it came from is now enrolled,
    and belongs with the person's account (it leaves with it if they erase their account)."""
    now = timezone.now()
    for request in ContactRequest.objects.filter(invite=invitation):
        request.status = RequestStatus.ENROLLED
        request.person = person
        request.updated_at = now
        request.save(update_fields=["status", "person", "updated_at"])
        record("contact_request.enrolled", request=str(request.pk), person=person)


def apply_retention(now: datetime | None = None) -> int:
    """Delete requests that did not end in an enrolment, ``THAW_CONTACT_RETENTION_DAYS`` after
    their last change (notes go with them). Returns how many went."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.THAW_CONTACT_RETENTION_DAYS)
    with transaction.atomic():
        old = ContactRequest.objects.filter(updated_at__lt=cutoff).exclude(status=RequestStatus.ENROLLED)
        count = old.count()
        if count:
            old.delete()
            record("contact_request.retention", deleted=count, days=settings.THAW_CONTACT_RETENTION_DAYS)
    return count
