"""What makes a grounding session valid: one set of rules for the API, the page script and the plain form.

``clean_session`` takes plain JSON-like data and returns the cleaned fields or raises
``CheckInInvalid`` (the API turns it into a 422 naming each field) with a message per
field, phrased so a person can act on it. Pure: no database access here.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any

from django.utils.translation import gettext as _

from thaw.checkins.rules import CheckInInvalid, parse_time
from thaw.text import shown, take_text

RATING_MIN, RATING_MAX = 0, 10
NOTE_MAX = 2000
FUTURE_TOLERANCE = timedelta(minutes=5)
LONGEST_SESSION = timedelta(hours=6)
RATINGS = {
    "before_presence": "how present you felt before, from 0 (far away) to 10 (fully here)",
    "before_numbness": "numbness before, from 0 (not numb) to 10 (completely numb)",
    "after_presence": "how present you felt after, from 0 (far away) to 10 (fully here)",
    "after_numbness": "numbness after, from 0 (not numb) to 10 (completely numb)",
}
FIELDS = ("id", "exercise", "started_at", "ended_at", "completed", *RATINGS, "made_worse", "note")
TIME_EXAMPLE = "an ISO-8601 date and time, e.g. 2026-03-01T14:30:00+01:00"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clean_time(name: str, value: object, now: datetime, tz: tzinfo, errors: dict[str, str]) -> datetime | None:
    try:
        moment = parse_time(value, tz)
    except (ValueError, TypeError, OverflowError):
        errors[name] = _("must be %(example)s") % {"example": TIME_EXAMPLE}
        return None
    if moment > now + FUTURE_TOLERANCE:
        errors[name] = _("is in the future; it can be at most 5 minutes ahead of now")
        return None
    if moment.year < 1970:
        errors[name] = _("is before 1970")
        return None
    return moment


def _clean_id(value: object, errors: dict[str, str]) -> uuid.UUID | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    errors["id"] = _("must be a UUID such as 0b6f6a52-8f1e-4c3a-9d4e-3f1c2b7a9e10, or left out")
    return None


def clean_session(data: Mapping[str, object], *, exercises: Collection[str], now: datetime, tz: tzinfo) -> dict[str, Any]:
    """Validate ``data``; return every field, with defaults filled in.

    ``exercise`` and ``started_at`` are required; ``ended_at`` defaults to now; ratings may
    be left out or null (skipping a question is always allowed). Raises ``CheckInInvalid``
    naming every field that is wrong.
    """
    errors: dict[str, str] = {}
    for name in sorted(set(data) - set(FIELDS)):
        errors[name] = f"unknown field; the fields are {', '.join(FIELDS)}"
    cleaned: dict[str, Any] = {"id": _clean_id(data.get("id"), errors)}

    exercise = data.get("exercise")
    if exercise is None:
        errors["exercise"] = _("this field is required")
    elif not isinstance(exercise, str) or exercise not in exercises:
        errors["exercise"] = _("%(name)s is not one of Thaw's exercises; see /api/v1/grounding/exercises") % {
            "name": shown(exercise)}
    cleaned["exercise"] = exercise

    started = None
    if data.get("started_at") is None:
        errors["started_at"] = _("this field is required")
    else:
        started = _clean_time("started_at", data["started_at"], now, tz, errors)
    ended = None
    if data.get("ended_at") is not None:
        ended = _clean_time("ended_at", data["ended_at"], now, tz, errors)
    elif started is not None:
        ended = max(now, started)
    if started is not None and ended is not None:
        if ended < started:
            errors["ended_at"] = _("is before started_at; a session cannot end before it starts")
        elif ended - started > LONGEST_SESSION:
            errors["ended_at"] = _("is more than 6 hours after started_at; check the two times")
    cleaned["started_at"], cleaned["ended_at"] = started, ended

    for name, default in (("completed", True), ("made_worse", False)):
        value = data.get(name)
        if value is None:
            cleaned[name] = default
        elif not isinstance(value, bool):
            errors[name] = _("must be true or false")
        else:
            cleaned[name] = value

    for name, meaning in RATINGS.items():
        value = data.get(name)
        if value is not None and (not _is_int(value) or not RATING_MIN <= value <= RATING_MAX):  # type: ignore[operator]
            errors[name] = f"must be a whole number from {RATING_MIN} to {RATING_MAX} ({meaning}), or null to skip"
        cleaned[name] = value

    cleaned["note"] = take_text(errors, "note", data.get("note"), NOTE_MAX).strip()

    if errors:
        raise CheckInInvalid(errors)
    return cleaned
