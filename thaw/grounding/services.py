"""Saving, finding and presenting grounding sessions and affirmations.

Every query here is scoped to the person who owns the rows. Exports, erasure and (later)
sharing with a trusted person reuse ``sessions_for``, ``as_dict`` and ``what_works``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from thaw.accounts.models import User
from thaw.checkins.rules import CheckInInvalid
from thaw.checkins.services import Cursor, page_by_time
from thaw.grounding import effects
from thaw.grounding.exercises import AFFIRMATION_MAX, library, starter_affirmations
from thaw.grounding.models import Affirmation, GroundingSession, Source
from thaw.grounding.rules import RATINGS, clean_session
from thaw.safety.models import RiskFlag
from thaw.safety.services import flag_crisis, scan_text
from thaw.text import TextInvalid, clean_text

ID_TAKEN = "this id cannot be used; send a new random UUID (or leave id out)"
MAX_OWN_AFFIRMATIONS = 200


def sessions_for(person: User) -> QuerySet[GroundingSession]:
    """The person's own sessions, newest first."""
    return GroundingSession.objects.filter(person=person).order_by("-started_at", "-id")


def own_session(person: User, session_id: object) -> GroundingSession | None:
    """The session if it is the person's own, else None: someone else's looks like none."""
    try:
        key = uuid.UUID(str(session_id))
    except ValueError:
        return None
    return GroundingSession.objects.filter(pk=key, person=person).first()


def validate(person: User, data: Mapping[str, object]) -> dict[str, Any]:
    return clean_session(data, exercises=library().exercises.keys(), now=timezone.now(), tz=person.tzinfo)


def create_session(person: User, data: Mapping[str, object], *, source: str = Source.API) -> tuple[GroundingSession, bool]:
    """Validate and save; return ``(session, created)``.

    Sending the same ``id`` again (a retry after a dropped connection) returns the saved
    session unchanged with ``created`` False. An id that someone else's session has is
    refused as if it were malformed, without saying whose it is.
    """
    cleaned = validate(person, data)
    wanted = cleaned.pop("id")
    if wanted is not None:
        existing = _existing(person, wanted)
        if existing is not None:
            return _resent(person, existing, cleaned), False
    session = GroundingSession(id=wanted or uuid.uuid4(), person=person, source=source, created_at=timezone.now(),
                               **cleaned)
    matches = scan_text(session.note)  # before the transaction: never scan holding the write lock
    try:
        with transaction.atomic():
            session.save(force_insert=True)
            session.crisis = flag_crisis(person, matches, source="grounding", source_id=str(session.id))
    except IntegrityError:
        # Two copies of the same retry raced each other: the other one won.
        existing = _existing(person, session.id) if wanted is not None else None
        if existing is None:
            raise
        return existing, False
    return session, True


def _resent(person: User, existing: GroundingSession, cleaned: dict[str, Any]) -> GroundingSession:
    """The same id sent again. A plain retry changes nothing; changed content (the person went
    back and edited before sending again) replaces the stored session, and a changed note is
    checked for crisis language like a new one."""
    changed = {k: v for k, v in cleaned.items() if getattr(existing, k) != v}
    if not changed:
        return existing
    matches = scan_text(changed["note"]) if "note" in changed else []
    with transaction.atomic():
        for key, value in changed.items():
            setattr(existing, key, value)
        existing.save(update_fields=list(changed))
        if flag_crisis(person, matches, source="grounding", source_id=str(existing.pk)):
            existing.crisis = True
    return existing


def _existing(person: User, key: uuid.UUID) -> GroundingSession | None:
    found = _existing_row(person, key)
    if found is not None:
        # A retry usually means the first answer was lost, and it may have been the one that
        # said "show the crisis resources": say it again.
        found.crisis = RiskFlag.objects.filter(person=person, source="grounding", source_id=str(found.pk)).exists()
    return found


def _existing_row(person: User, key: uuid.UUID) -> GroundingSession | None:
    found = GroundingSession.objects.filter(pk=key).first()
    if found is None:
        return None
    if found.person_id != person.pk:
        raise CheckInInvalid({"id": ID_TAKEN})
    return found


def page_of_sessions(
    person: User,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    cursor: Cursor | None = None,
) -> tuple[list[GroundingSession], Cursor | None]:
    """Newest first by start time; ``since`` and ``until`` are inclusive."""
    return page_by_time(sessions_for(person), since=since, until=until, limit=limit, cursor=cursor,
                        field="started_at")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def as_dict(session: GroundingSession, *, include_note: bool = True) -> dict[str, Any]:
    """The session as the API and exports present it; ``include_note=False`` for anyone but the owner
    unless they were granted notes."""
    exercise = library().get(session.exercise)
    body = {
        "id": str(session.id),
        "exercise": session.exercise,
        "exercise_title": exercise.title if exercise else session.exercise,
        "started_at": _utc(session.started_at),
        "ended_at": _utc(session.ended_at),
        "completed": session.completed,
        **{name: getattr(session, name) for name in RATINGS},
        "made_worse": session.made_worse,
        "note": session.note,
        "source": session.source,
        "created_at": _utc(session.created_at),
    }
    if not include_note:
        body.pop("note")
    return body


def what_works(person: User) -> effects.WhatWorks:
    """The person's exercises ranked by their own mean before/after change (see ``effects``)."""
    rows = sessions_for(person).values_list(
        "exercise", "before_presence", "after_presence", "before_numbness", "after_numbness", "made_worse", "completed"
    )
    return effects.what_works(effects.Rated(*row) for row in rows)


# --- affirmations --------------------------------------------------------------------

def own_affirmations(person: User) -> list[Affirmation]:
    return list(Affirmation.objects.filter(person=person).order_by("created_at", "id"))


def affirmation_as_dict(affirmation: Affirmation) -> dict[str, Any]:
    """For exports."""
    return {"id": str(affirmation.id), "text": affirmation.text, "created_at": _utc(affirmation.created_at)}


def all_affirmations(person: User | None) -> list[str]:
    """Thaw's starter set, then the person's own."""
    own = [a.text for a in own_affirmations(person)] if person is not None and person.is_authenticated else []
    return [*starter_affirmations(), *own]


def an_affirmation(person: User | None, *, not_this: str = "") -> str:
    """One affirmation at random, different from ``not_this`` when there is a choice."""
    texts = all_affirmations(person)
    choices = [t for t in texts if t != not_this] or texts
    return random.choice(choices)  # noqa: S311  (not security: which kind sentence to show)


def clean_affirmation(text: object) -> str:
    """Raise CheckInInvalid({"text": …}) if the text cannot be saved."""
    if not isinstance(text, str) or not text.strip():
        raise CheckInInvalid({"text": _("Write a few words first.")})
    try:
        return clean_text(" ".join(text.split()), AFFIRMATION_MAX)
    except TextInvalid as exc:
        raise CheckInInvalid({"text": _("This %(problem)s.") % {"problem": exc.message}}) from None


def add_affirmation(person: User, text: object) -> Affirmation:
    cleaned = clean_affirmation(text)
    if Affirmation.objects.filter(person=person).count() >= MAX_OWN_AFFIRMATIONS:
        raise CheckInInvalid({"text": _("You have %(most)s of your own already; delete one to add another.") % {
            "most": MAX_OWN_AFFIRMATIONS}})
    return Affirmation.objects.create(person=person, text=cleaned)


def delete_affirmation(person: User, affirmation_id: object) -> bool:
    """Delete the person's own affirmation; False if there is none with that id (or it is someone else's)."""
    try:
        key = uuid.UUID(str(affirmation_id))
    except ValueError:
        return False
    deleted, _count = Affirmation.objects.filter(pk=key, person=person).delete()
    return deleted > 0
