"""What works for you: rank exercises by the person's own before/after change.

Pure functions over plain data (no ORM). A session counts towards an exercise's mean
only when it has both the before and the after rating of that measure; skipped ratings
are never guessed. With fewer than ``MIN_RATED`` rated tries an exercise is not ranked:
the page says it is too early to tell instead of claiming a pattern from one or two tries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from statistics import fmean
from typing import Any

MIN_RATED = 3


@dataclass(frozen=True, slots=True)
class Rated:
    """One session's ratings, as plain data."""

    exercise: str
    before_presence: int | None
    after_presence: int | None
    before_numbness: int | None
    after_numbness: int | None
    made_worse: bool = False
    completed: bool = True


@dataclass(frozen=True, slots=True)
class Effect:
    exercise: str
    tries: int  # every saved session, rated or not
    rated: int  # sessions with presence before and after
    presence_change: float | None  # mean of (after - before); higher is better
    presence_low: int | None  # the smallest and largest single change, to show the spread
    presence_high: int | None
    numbness_rated: int
    numbness_change: float | None  # mean of (before - after): how much numbness eased; higher is better
    made_worse: int
    stopped: int

    @property
    def enough(self) -> bool:
        return self.rated >= MIN_RATED


@dataclass(frozen=True)
class WhatWorks:
    ranked: list[Effect]  # enough rated tries, best mean presence change first
    too_few: list[Effect]  # tried, but too few rated tries to tell yet
    min_rated: int = MIN_RATED

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types, for the API, exports and sharing."""
        return {"ranked": [asdict(e) for e in self.ranked], "too_few": [asdict(e) for e in self.too_few],
                "min_rated": self.min_rated}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def effect_of(exercise: str, sessions: list[Rated]) -> Effect:
    presence = [s.after_presence - s.before_presence for s in sessions
                if s.before_presence is not None and s.after_presence is not None]
    numbness = [s.before_numbness - s.after_numbness for s in sessions
                if s.before_numbness is not None and s.after_numbness is not None]
    return Effect(
        exercise=exercise,
        tries=len(sessions),
        rated=len(presence),
        presence_change=_round(fmean(presence)) if presence else None,
        presence_low=min(presence) if presence else None,
        presence_high=max(presence) if presence else None,
        numbness_rated=len(numbness),
        numbness_change=_round(fmean(numbness)) if numbness else None,
        made_worse=sum(1 for s in sessions if s.made_worse),
        stopped=sum(1 for s in sessions if not s.completed),
    )


def what_works(sessions: Iterable[Rated], *, min_rated: int = MIN_RATED) -> WhatWorks:
    """Group sessions by exercise and rank those with at least ``min_rated`` rated tries.

    Ranked by mean presence change, then mean numbness change, then fewer "made it worse";
    ties keep the exercise id order so the page is stable.
    """
    by_exercise: dict[str, list[Rated]] = {}
    for session in sessions:
        by_exercise.setdefault(session.exercise, []).append(session)
    effects = [effect_of(name, rows) for name, rows in sorted(by_exercise.items())]
    ranked = [e for e in effects if e.rated >= min_rated]
    ranked.sort(key=lambda e: (-(e.presence_change or 0.0), -(e.numbness_change or 0.0), e.made_worse, e.exercise))
    too_few = sorted((e for e in effects if e.rated < min_rated), key=lambda e: (-e.tries, e.exercise))
    return WhatWorks(ranked, too_few, min_rated)
