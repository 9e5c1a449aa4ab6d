"""What makes a check-in valid: one set of rules for the API, the web form and imports.

``clean_checkin`` takes plain JSON-like data and returns a ``CheckInDraft`` or raises
``CheckInInvalid`` with a message per field, phrased so a person can act on it.
No database access here: it is a pure function of its inputs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TypeGuard

from django.utils.translation import gettext as _

from thaw.checkins.vocabulary import BodyMap, Vocabulary
from thaw.text import TextInvalid, clean_text, shown, take_text

MIN_WORDS, MAX_WORDS = 1, 5
INTENSITY_MIN, INTENSITY_MAX = 0, 10
NUMBNESS_MIN, NUMBNESS_MAX = 0, 10
NOTE_MAX = 5000
MAX_TAGS = 12
MAX_BODY = 20
FUTURE_TOLERANCE = timedelta(minutes=5)
FIELDS = ("emotions", "numbness", "body", "tags", "note", "at")


class CheckInInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass
class CheckInDraft:
    emotions: list[tuple[str, int]]
    numbness: int | None  # None: not rated
    at: datetime
    body: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    note: str = ""


class TagRule:
    MAX_LENGTH = 40
    _allowed = re.compile(r"^[\w][\w '&/+-]*$")

    @staticmethod
    def normalise(tag: str) -> str:
        return " ".join(tag.strip().lower().split())

    @classmethod
    def problem(cls, tag: str) -> str | None:
        """What is wrong with a normalised tag, as a sentence about it, or None."""
        if not tag:
            return _("a tag cannot be empty")
        try:
            clean_text(tag, cls.MAX_LENGTH)
        except TextInvalid as exc:
            return _("the tag %(tag)s %(problem)s") % {"tag": shown(tag), "problem": exc.message}
        if not cls._allowed.match(tag):
            return _("the tag %(tag)s has other characters: tags may use letters, numbers, spaces and - ' & / +") % {
                "tag": shown(tag)}
        return None


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _clean_emotions(value: object, vocab: Vocabulary, errors: dict[str, str]) -> list[tuple[str, int]]:
    if not isinstance(value, list):
        errors["emotions"] = 'emotions must be a list like [{"word": "lonely", "intensity": 6}]'
        return []
    if not MIN_WORDS <= len(value) <= MAX_WORDS:
        errors["emotions"] = _('pick between %(least)s and %(most)s words (you gave %(given)s); "not sure" counts as a '
                               'word') % {"least": MIN_WORDS, "most": MAX_WORDS, "given": len(value)}
        return []
    cleaned: list[tuple[str, int]] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        where = f"emotions.{i}"
        if not isinstance(item, Mapping):
            errors[where] = 'each emotion must be an object like {"word": "lonely", "intensity": 6}'
            continue
        raw_word = item.get("word")
        intensity = item.get("intensity")
        word: str | None = None
        if not isinstance(raw_word, str) or not raw_word.strip():
            errors[f"{where}.word"] = _("a word is required")
        elif vocab.get(raw_word.strip().lower()) is None:
            errors[f"{where}.word"] = _("%(word)s is not in Thaw's emotion list; see /api/v1/emotions for the words") % {
                "word": shown(raw_word)}
        elif raw_word.strip().lower() in seen:
            errors[f"{where}.word"] = _("%(word)s is listed twice") % {"word": shown(raw_word)}
        else:
            word = raw_word.strip().lower()
            seen.add(word)
        if not _is_int(intensity) or not INTENSITY_MIN <= intensity <= INTENSITY_MAX:
            errors[f"{where}.intensity"] = _("intensity must be a whole number from %(least)s to %(most)s") % {
                "least": INTENSITY_MIN, "most": INTENSITY_MAX}
        elif word is not None:
            cleaned.append((word, intensity))
    return cleaned


def _clean_numbness(value: object, errors: dict[str, str]) -> int | None:
    """A rating from 0 to 10, or None: the person chose not to rate numbness this time."""
    if value is None:
        return None
    if not _is_int(value) or not NUMBNESS_MIN <= value <= NUMBNESS_MAX:
        errors["numbness"] = _("numbness must be a whole number from %(least)s (not numb) to %(most)s (completely numb), "
                               "or left out if you would rather not rate it") % {"least": NUMBNESS_MIN,
                                                                                 "most": NUMBNESS_MAX}
        return None
    return value


def _clean_body(value: object, body: BodyMap, errors: dict[str, str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors["body"] = 'body sensations must be a list of "region/sensation" strings, e.g. ["chest/tight"]'
        return []
    if len(value) > MAX_BODY:
        errors["body"] = _("at most %(most)s body sensations") % {"most": MAX_BODY}
        return []
    unknown = [v for v in value if not body.is_valid(v)]
    if unknown:
        errors["body"] = _("unknown body sensation %(value)s; use region/sensation, e.g. chest/tight") % {
            "value": shown(unknown[0])}
        return []
    return list(dict.fromkeys(value))


def _clean_tags(value: object, errors: dict[str, str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors["tags"] = 'tags must be a list of strings, e.g. ["work", "alone"]'
        return []
    tags = list(dict.fromkeys(TagRule.normalise(v) for v in value))
    if len(tags) > MAX_TAGS:
        errors["tags"] = _("at most %(most)s tags") % {"most": MAX_TAGS}
        return []
    for tag in tags:
        problem = TagRule.problem(tag)
        if problem:
            errors["tags"] = problem
            return []
    return tags


def _clean_note(value: object, errors: dict[str, str]) -> str:
    return take_text(errors, "note", value, NOTE_MAX, subject=_("the note")).strip()


def parse_time(value: object, tz: tzinfo) -> datetime:
    """Parse an ISO-8601 time; a time without an offset is read in the person's zone."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    else:
        raise ValueError("not a string")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    try:
        parsed.astimezone(UTC)  # times at the very edge of the calendar cannot be stored
    except OverflowError:
        raise ValueError("out of range") from None
    if not 1900 <= parsed.year <= 9000:
        raise ValueError("out of range")
    return parsed


def parse_bound(value: str, tz: tzinfo, *, end: bool) -> datetime:
    """A filter bound: a full time, or a date meaning the start (``since``) or end (``until``) of that day."""
    text = value.strip()
    if len(text) == 10 and end:
        day = datetime.fromisoformat(text)
        return parse_time(day.replace(hour=23, minute=59, second=59, microsecond=999999), tz)
    return parse_time(text, tz)


def _clean_at(value: object, now: datetime, tz: tzinfo, errors: dict[str, str]) -> datetime:
    if value is None:
        return now
    try:
        at = parse_time(value, tz)
    except (ValueError, TypeError, OverflowError):
        errors["at"] = _("the time must be an ISO-8601 date and time, e.g. 2026-03-01T14:30:00+01:00")
        return now
    if at > now + FUTURE_TOLERANCE:
        errors["at"] = _("the time is in the future; a check-in can be at most 5 minutes ahead of now")
    elif at.year < 1970:
        errors["at"] = _("the time is before 1970")
    return at


def clean_checkin(
    data: Mapping[str, object],
    *,
    vocab: Vocabulary,
    body: BodyMap,
    now: datetime,
    tz: tzinfo,
    partial: bool = False,
) -> dict[str, object]:
    """Validate ``data``; return only the fields given (all required ones unless ``partial``).

    Raises ``CheckInInvalid`` naming every field that is wrong.
    """
    errors: dict[str, str] = {}
    unknown = sorted(set(data) - set(FIELDS))
    for name in unknown:
        errors[name] = f"unknown field; the fields are {', '.join(FIELDS)}"
    if not partial and "emotions" not in data:
        errors["emotions"] = _("this field is required")
    cleaned: dict[str, object] = {}
    if "emotions" in data:
        cleaned["emotions"] = _clean_emotions(data["emotions"], vocab, errors)
    if "numbness" in data or not partial:
        cleaned["numbness"] = _clean_numbness(data.get("numbness"), errors)
    if "body" in data:
        cleaned["body"] = _clean_body(data["body"], body, errors)
    if "tags" in data:
        cleaned["tags"] = _clean_tags(data["tags"], errors)
    if "note" in data:
        cleaned["note"] = _clean_note(data["note"], errors)
    if partial and "at" in data and data["at"] is None:
        errors["at"] = _("the time cannot be removed; send a new time or leave the field out")
    elif "at" in data or not partial:
        cleaned["at"] = _clean_at(data.get("at"), now, tz, errors)
    if errors:
        raise CheckInInvalid(errors)
    return cleaned


def draft_from(cleaned: Mapping[str, object]) -> CheckInDraft:
    return CheckInDraft(
        emotions=list(cleaned["emotions"]),  # type: ignore[call-overload]
        numbness=cleaned.get("numbness"),  # type: ignore[arg-type]
        at=cleaned["at"],  # type: ignore[arg-type]
        body=list(cleaned.get("body") or []),  # type: ignore[call-overload]
        tags=list(cleaned.get("tags") or []),  # type: ignore[call-overload]
        note=str(cleaned.get("note") or ""),
    )
