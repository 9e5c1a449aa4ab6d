"""Word finding for a signed-in person: crisis screening, ranking, "a word you might try".

The edge between the API/web views and the pure core (``wordfinding``). The sentence lives
only in this request's memory: it is never written to the database, a cache, a file or a
log. What is kept: a counter per person for the rate limit (no text), and, when the sentence
contains crisis language, a risk flag with Thaw's own words (no text), like a note's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from thaw.accounts.throttle import spend
from thaw.checkins import wordmodel
from thaw.checkins.models import CheckIn, CheckInEmotion
from thaw.checkins.wordfinding import MAX_TEXT, Suggestion, rank, word_to_try
from thaw.safety.backstop import crisis_language
from thaw.safety.models import FlagKind, RiskFlag
from thaw.safety.services import raise_flag, resources_payload
from thaw.text import TextInvalid, clean_text

__all__ = ["TextInvalid", "clean"]

SOURCE = "wordfinding"


@dataclass
class Result:
    suggestions: list[Suggestion] = field(default_factory=list)
    crisis: bool = False
    resources: list[dict[str, str]] = field(default_factory=list)
    word_to_try: Suggestion | None = None
    mode: str = "lexicon"

    def as_dict(self) -> dict[str, Any]:
        return {
            "suggestions": [s.as_dict() for s in self.suggestions],
            "crisis": self.crisis,
            "resources": self.resources,
            "word_to_try": self.word_to_try.as_dict() if self.word_to_try else None,
            "mode": self.mode,
        }


def clean(text: str) -> str:
    """The sentence through Thaw's one text gate (``thaw.text``), as every other field: line breaks
    normalised before counting, broken and control characters refused saying where, the length
    checked. Raises ``TextInvalid``."""
    return clean_text(text, MAX_TEXT).strip()


def retry_after(person: Any) -> int:
    """Spend one suggestion from the person's allowance; seconds to wait, 0 if allowed."""
    return spend("suggest", person.pk, limit=settings.THAW_SUGGEST_LIMIT, window=settings.THAW_SUGGEST_WINDOW_SECONDS)


def used_words(person: Any) -> set[str]:
    return set(CheckInEmotion.objects.filter(checkin__person=person).values_list("word", flat=True).distinct())


def _flag_once(person: Any, categories: list[str]) -> None:
    """One open flag per day is enough: the person may press "suggest" several times."""
    since = timezone.now() - timedelta(days=1)
    if RiskFlag.objects.filter(person=person, source=SOURCE, kind=FlagKind.CRISIS_LANGUAGE,
                               acknowledged_at__isnull=True, created_at__gte=since).exists():
        return
    raise_flag(person, kind=FlagKind.CRISIS_LANGUAGE, source=SOURCE, source_id="",
               reason="Crisis language (" + ", ".join(c.replace("_", " ") for c in categories)
                      + ") in a sentence for finding words (the sentence was not kept)")


def screen(person: Any, text: str) -> bool:
    """The crisis screening every note gets: True (and a flag, once a day) on crisis language."""
    matches = crisis_language(text)
    if matches:
        _flag_once(person, sorted({m.category for m in matches}))
    return bool(matches)


def suggest(person: Any, text: str) -> Result:
    """Suggestions for ``text`` (already cleaned). Crisis language comes first: resources,
    a flag for a linked clinician, and no suggestions, so the crisis screen is all there is."""
    if screen(person, text):
        return Result(crisis=True, resources=resources_payload(person), mode=mode_name())
    model = wordmodel.model_if_ready(settings.DATA_DIR / "cache")
    suggestions = rank(text, model) if text else []
    tried = word_to_try(text, suggestions, used_words(person)) if suggestions else None
    return Result(suggestions, word_to_try=tried, mode="lexicon+model" if model else "lexicon")


def mode_name() -> str:
    return "lexicon+model" if wordmodel.available() else "lexicon"


# "Over time, gently": from the person's recent notes, once there are a few of them.
NOTES_FOR_A_WORD = 20
MIN_NOTES_FOR_A_WORD = 3


def word_from_notes(person: Any) -> Suggestion | None:
    """A word the person has never used whose definition matches what they have been writing
    in their recent notes (their own data, read for them alone; nothing is stored)."""
    notes = [n for n in CheckIn.objects.filter(person=person).order_by("-at")
             .values_list("note", flat=True)[:NOTES_FOR_A_WORD] if n and n.strip()]
    if len(notes) < MIN_NOTES_FOR_A_WORD:
        return None
    text = " . ".join(notes)[: MAX_TEXT * 5]
    return word_to_try(text, rank(text), used_words(person), skip_suggested=False)
