"""Scheduling sessions, enrolling people in them, attendance, and the iCalendar feeds.

Access choke points: ``session_for_clinician`` is the only way a clinician reaches a
session by id (``None`` for a session outside their programs, exactly as for one that does
not exist); ``sessions_for_person`` and ``sessions_for_clinician`` are the only lists.
Admins get nothing here: they run programs, they do not see who comes to them.

A calendar feed may end up in a third-party calendar, so it carries no health data: title,
times, the video link, and for a clinician only counts of people.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from thaw.access import db_id, live_grants
from thaw.audit.models import record, record_many
from thaw.checkins.rules import CheckInInvalid as FieldErrors
from thaw.circle.models import Grant
from thaw.circle.services import person_label, site_url
from thaw.clinic.services import is_clinician, programs_of
from thaw.crypto import secret_digest
from thaw.schedule.models import (
    LINK_MAX,
    NOTE_MAX,
    TITLE_MAX,
    Attendee,
    CalendarFeed,
    Session,
    SessionKind,
)
from thaw.text import take_text

MAX_LENGTH = timedelta(hours=12)
FEED_PAST_DAYS = 30
_https_only = URLValidator(schemes=["https"])


# --- who sees which sessions -----------------------------------------------------------------

def sessions_for_clinician(clinician: Any) -> QuerySet[Session]:
    """Every session of the programs whose care team this clinician is on (nothing for anyone else)."""
    if not is_clinician(clinician):
        return Session.objects.none()
    return (Session.objects.filter(program__memberships__clinician=clinician).distinct()
            .select_related("program"))


def sessions_for_person(person: Any, now: datetime | None = None) -> QuerySet[Session]:
    """The sessions this person is enrolled in. Upcoming ones only while they are still enrolled
    in the program: leaving a program takes its future sessions (and video links) away."""
    if not (person.is_authenticated and person.is_active):
        return Session.objects.none()
    now = now or timezone.now()
    # Their own enrolments, read directly: pausing sharing hides them from the care team, not their sessions from them.
    still_enrolled = (Grant.objects.filter(owner_id=person.pk, program__isnull=False, accepted_at__isnull=False,
                                           revoked_at__isnull=True)
                      .filter(Q(until__isnull=True) | Q(until__gt=now)).values("program_id"))
    return (Session.objects.filter(attendees__person=person)
            .filter(Q(ends_at__lte=now) | Q(program_id__in=still_enrolled))
            .select_related("program"))


def session_for_clinician(clinician: Any, session_id: object) -> Session | None:
    """The one way a clinician reaches a session by id; ``None`` looks the same as "no such session"."""
    try:
        key = int(str(session_id))
    except ValueError:
        return None
    return sessions_for_clinician(clinician).filter(pk=key).first()


def last_session_end(person: Any, now: datetime, program_ids: list[int] | None = None) -> datetime | None:
    """When the most recent non-cancelled session this person was enrolled in (and not marked
    as missing) ended, before ``now``; only in ``program_ids`` when given, so one program's
    care team never learns of the person's sessions in another."""
    places = Attendee.objects.filter(person=person).exclude(attended=False).values("session_id")
    sessions = Session.objects.filter(cancelled_at__isnull=True, ends_at__lt=now, pk__in=places)
    if program_ids is not None:
        sessions = sessions.filter(program_id__in=program_ids)
    return sessions.aggregate(last=Max("ends_at"))["last"]


# --- scheduling ---------------------------------------------------------------------------

def _moment(value: object, field: str, errors: dict[str, str]) -> datetime | None:
    """An aware datetime from a datetime or an ISO-8601 string; a time without an offset is in
    the caller's time zone (the one activated for the request)."""
    if value is None or value == "":
        errors[field] = gettext("is required")
        return None
    moment = value if isinstance(value, datetime) else None
    if moment is None and isinstance(value, str):
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        errors[field] = gettext("is not a date and time; use ISO 8601, e.g. 2025-03-04T17:00:00+01:00")
        return None
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # Sessions are planned within a sane window; far dates also break time-zone arithmetic.
        within = timezone.now() - timedelta(days=366) <= moment <= timezone.now() + timedelta(days=3 * 366)
    except (OverflowError, ValueError):
        within = False
    if not within:
        errors[field] = gettext("must be within the past year or the next three years")
        return None
    return moment


def clean_session(clinician: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """Check what a clinician typed; raise ``FieldErrors`` naming every field that is wrong."""
    errors: dict[str, str] = {}
    program = None
    mine = {p.pk: p for p in programs_of(clinician)} if is_clinician(clinician) else {}
    program_id = db_id(data.get("program"))
    if program_id is not None:
        program = mine.get(program_id)
    if program is None:
        errors["program"] = gettext("choose one of your programs")
    kind = data.get("kind") or SessionKind.GROUP
    if kind not in SessionKind.values:
        errors["kind"] = gettext("must be group or individual")
    title = take_text(errors, "title", data.get("title"), TITLE_MAX).strip()
    if not title and "title" not in errors:
        errors["title"] = gettext("is required, e.g. Tuesday skills group")
    starts_at = _moment(data.get("starts_at"), "starts_at", errors)
    ends_at = _moment(data.get("ends_at"), "ends_at", errors)
    if starts_at and ends_at:
        if ends_at <= starts_at:
            errors["ends_at"] = gettext("must be after the start")
        elif ends_at - starts_at > MAX_LENGTH:
            errors["ends_at"] = gettext("is more than 12 hours after the start; check the date")
    link = take_text(errors, "video_link", data.get("video_link"), LINK_MAX).strip()
    if not link and "video_link" not in errors:
        errors["video_link"] = gettext("is required: the https link people click to join")
    elif link:
        try:
            _https_only(link)
        except ValidationError:
            errors["video_link"] = gettext("must be an https:// link, e.g. https://meet.example.org/room")
    note = take_text(errors, "note", data.get("note"), NOTE_MAX).strip()
    if errors:
        raise FieldErrors(errors)
    return {"program": program, "kind": kind, "title": title, "starts_at": starts_at, "ends_at": ends_at,
            "video_link": link, "note": note}


def schedule(clinician: Any, data: Mapping[str, Any]) -> Session:
    cleaned = clean_session(clinician, data)
    with transaction.atomic():
        session = Session.objects.create(created_by=clinician, **cleaned)
        record("session.scheduled", actor=clinician, program=session.program_id, session=session.pk,
               kind=session.kind)
    return session


def cancel(session: Session, clinician: Any) -> None:
    if session.cancelled_at is not None:
        return
    with transaction.atomic():
        session.cancelled_at = timezone.now()
        session.save(update_fields=["cancelled_at"])
        record("session.cancelled", actor=clinician, program=session.program_id, session=session.pk)


# --- enrolment and attendance ------------------------------------------------------------------

def enrollable(session: Session, now: datetime | None = None, *, shown_to: Any = None) -> list[tuple[int, str]]:
    """People enrolled in the session's program now and not yet in the session: (id, name or email).
    When the list is shown to a clinician (``shown_to``), that is audited per person."""
    taken = session.attendees.values("person_id")
    grants = (live_grants(now or timezone.now()).filter(program_id=session.program_id)
              .exclude(owner_id__in=taken).select_related("owner"))
    owners = {g.owner_id: g.owner for g in grants}
    people = {pk: person_label(owner) for pk, owner in owners.items()}
    if shown_to is not None and owners:
        record_many("data.viewed", actor=shown_to, people=list(owners.values()), category="sessions",
                    session=session.pk)
    return sorted(people.items(), key=lambda item: item[1].lower())


def _still_open(session: Session, errors: dict[str, str]) -> None:
    if session.cancelled_at is not None:
        errors["session"] = gettext("this session was cancelled")


def enrol(session: Session, clinician: Any, person_id: object) -> Attendee:
    errors: dict[str, str] = {}
    _still_open(session, errors)
    chosen = dict(enrollable(session))
    key = db_id(person_id)
    if key is None or key not in chosen:
        errors["person"] = gettext("choose someone enrolled in this program who is not in the session yet")
    elif session.kind == SessionKind.INDIVIDUAL and session.attendees.exists():
        errors["person"] = gettext("an individual session is for one person; schedule another session")
    if errors:
        raise FieldErrors(errors)
    try:
        with transaction.atomic():
            attendee = Attendee.objects.create(session=session, person_id=key)
            record("session.enrolled", actor=clinician, person=attendee.person, session=session.pk)
    except IntegrityError as exc:  # enrolled by a colleague a moment ago
        raise FieldErrors({"person": "is already in this session"}) from exc
    return attendee


def remove(session: Session, clinician: Any, person_id: object) -> bool:
    attendee = _attendee(session, person_id)
    if attendee is None:
        return False
    with transaction.atomic():
        record("session.removed", actor=clinician, person=attendee.person, session=session.pk)
        attendee.delete()
    return True


def _attendee(session: Session, person_id: object) -> Attendee | None:
    """An attendee the care team may still act on: someone still enrolled in the program (a
    person who left, or paused sharing, is "not in this session" to them, as in the list)."""
    key = db_id(person_id)
    if key is None:
        return None
    current = live_grants(timezone.now()).filter(program_id=session.program_id).values("owner_id")
    return session.attendees.select_related("person").filter(person_id=key, person_id__in=current).first()


def mark(session: Session, clinician: Any, person_id: object, attended: bool,
         now: datetime | None = None) -> Attendee | None:
    """Mark whether someone came; ``None`` if they are not in this session."""
    attendee = _attendee(session, person_id)
    if attendee is None:
        return None
    errors: dict[str, str] = {}
    _still_open(session, errors)
    if session.starts_at > (now or timezone.now()):
        errors["attended"] = gettext("can be marked once the session has started")
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        attendee.attended = attended
        attendee.marked_at = now or timezone.now()
        attendee.save(update_fields=["attended", "marked_at"])
        record("session.attendance", actor=clinician, person=attendee.person, session=session.pk,
               attended=attended)
    return attendee


def attendees_for(session: Session, clinician: Any) -> list[Attendee]:
    """Who is in a session, for its care team; showing them is audited like any look at a person.

    Only people still enrolled in the program: someone who ended their enrolment (or paused
    sharing) is no longer named to the care team."""
    current = live_grants(timezone.now()).filter(program_id=session.program_id).values("owner_id")
    attendees = list(session.attendees.filter(person_id__in=current).select_related("person")
                     .order_by("person__display_name", "person__email"))
    if attendees:
        record_many("data.viewed", actor=clinician, people=[a.person for a in attendees], category="sessions",
                    session=session.pk)
    return attendees


# --- calendar feeds -----------------------------------------------------------------------------



def active_feed(user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def create_feed(user: Any) -> tuple[CalendarFeed, str]:
    """A new secret feed URL; any earlier one stops working at once. Returns the feed and its secret."""
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        # Lock the account row so two clicks at once cannot leave two active feeds (PostgreSQL).
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        replaced = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        feed = CalendarFeed.objects.create(user=user, token_hash=secret_digest(raw), created_at=now)
        record("calendar_feed.created", actor=user, person=user, replaced=bool(replaced))
    return feed, raw


def revoke_feed(user: Any) -> bool:
    with transaction.atomic():
        revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if revoked:
            record("calendar_feed.revoked", actor=user, person=user)
    return bool(revoked)


def feed_owner(raw: str) -> Any | None:
    """The user whose live feed this secret opens, or ``None`` (unknown, revoked, or account off)."""
    if not raw or len(raw) > 100:
        return None
    feed = (CalendarFeed.objects.filter(token_hash=secret_digest(raw), revoked_at__isnull=True, user__is_active=True)
            .select_related("user").first())
    return feed.user if feed else None


def feed_url(raw: str) -> str:
    return site_url(reverse("calendar_ics", args=[raw]))


def _feed_sessions(user: Any, now: datetime) -> QuerySet[Session]:
    sessions = sessions_for_clinician(user) if is_clinician(user) else sessions_for_person(user, now)
    return sessions.filter(ends_at__gte=now - timedelta(days=FEED_PAST_DAYS)).order_by("starts_at", "id")


def ical_for(user: Any, now: datetime | None = None) -> bytes:
    """The user's calendar: upcoming sessions and those of the last 30 days, with no health data.

    Written in the owner's language (``language_for``: their profile's, else the one they last
    read Thaw in), not the calendar app's, which fetches it without signing in."""
    from thaw.core.language import override_for

    with override_for(user):
        return _ical(user, now or timezone.now())


def _ical(user: Any, now: datetime) -> bytes:
    from icalendar import Calendar, Event

    clinician = is_clinician(user)
    calendar = Calendar()
    calendar.add("prodid", "-//Thaw//Sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", gettext("Thaw sessions"))
    sessions = _feed_sessions(user, now)
    if clinician:
        sessions = sessions.annotate(enrolled=Count("attendees", distinct=True))
    for session in sessions:
        event = Event()
        event.add("uid", f"thaw-session-{session.pk}@{settings.SITE_HOST}")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        event.add("summary", session.title)
        event.add("url", session.video_link)
        event.add("location", session.video_link)
        if session.kind == SessionKind.GROUP:
            description = gettext("Group session. Join with the video link: %(link)s")
        else:
            description = gettext("Individual session. Join with the video link: %(link)s")
        description %= {"link": session.video_link}
        if clinician:
            description += "\n" + gettext("People enrolled: %(n)s") % {"n": session.enrolled}  # type: ignore[attr-defined]
        event.add("description", description)
        event.add("status", "CANCELLED" if session.cancelled_at else "CONFIRMED")
        event.add("transp", "TRANSPARENT" if session.cancelled_at else "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()


# --- shapes for the API --------------------------------------------------------------------------

def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def annotate_for(viewer: Any, sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Counts (care team) or the viewer's own attendance (person) in the same query as the list."""
    if is_clinician(viewer):
        return sessions.annotate(enrolled=Count("attendees", distinct=True))
    own = Attendee.objects.filter(session=OuterRef("pk"), person_id=viewer.pk).values("attended")[:1]
    return sessions.annotate(own_attended=Subquery(own))


def session_as_dict(session: Session, viewer: Any, *, attendees: list[Attendee] | None = None) -> dict[str, Any]:
    """A session as the viewer may see it. A person sees only whether they came, never who else
    comes; the care team sees counts, the note, and (in ``attendees``, audited) the names."""
    shape: dict[str, Any] = {
        "id": session.pk, "program": session.program_id, "program_name": session.program.name,
        "kind": session.kind, "title": session.title, "starts_at": _iso(session.starts_at),
        "ends_at": _iso(session.ends_at), "video_link": session.video_link,
        "cancelled_at": _iso(session.cancelled_at), "attended": None, "enrolled": None, "note": None,
        "attendees": None,
    }
    if is_clinician(viewer):
        enrolled = getattr(session, "enrolled", None)
        shape["enrolled"] = enrolled if enrolled is not None else session.attendees.count()
        shape["note"] = session.note
        if attendees is not None:
            shape["attendees"] = [{"person": a.person_id, "name": person_label(a.person), "attended": a.attended}
                                  for a in attendees]
    else:
        if hasattr(session, "own_attended"):
            shape["attended"] = session.own_attended
        else:
            shape["attended"] = session.attendees.filter(person_id=viewer.pk).values_list("attended", flat=True).first()
    return shape
