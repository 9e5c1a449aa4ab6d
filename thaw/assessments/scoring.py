"""Scoring exactly as published: totals, bands, subscales, critical items, reliable change.

Pure functions over plain data. The change status follows Jacobson and Truax (1991):
a change is *reliable* when it is at least the instrument's published reliable-change
threshold; *recovered* is a reliable improvement that also crosses the caseness
cut-off from the clinical to the non-clinical side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from thaw.assessments.instruments import Band, Instrument

RECOVERED = "recovered"
IMPROVED = "improved"
NO_RELIABLE_CHANGE = "no reliable change"
DETERIORATED = "deteriorated"
STATUSES = (RECOVERED, IMPROVED, NO_RELIABLE_CHANGE, DETERIORATED)


class AnswersInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True)
class Result:
    score: int
    band: Band
    subscores: dict[str, int]
    short_forms: dict[str, dict[str, int | bool]]
    critical: list[str] = field(default_factory=list)

    @property
    def crisis(self) -> bool:
        return bool(self.critical)


@dataclass(frozen=True)
class Change:
    previous_score: int
    delta: int
    status: str | None


def check_answers(instrument: Instrument, answers: object) -> list[int]:
    """Return the answers as ints, or raise AnswersInvalid naming every problem."""
    if not isinstance(answers, list | tuple):
        raise AnswersInvalid({"answers": f"must be a list of {len(instrument.items)} whole numbers"})
    if len(answers) != len(instrument.items):
        raise AnswersInvalid(
            {"answers": f"{instrument.name} has {len(instrument.items)} questions; you gave {len(answers)} answers"}
        )
    errors: dict[str, str] = {}
    for item, value in zip(instrument.items, answers, strict=True):
        allowed = sorted(item.values)
        if not isinstance(value, int) or isinstance(value, bool):
            errors[f"answers.{item.number - 1}"] = f"question {item.number}: must be a whole number from {allowed[0]} to {allowed[-1]}"
        elif value not in item.values:
            errors[f"answers.{item.number - 1}"] = f"question {item.number}: {value} is not an answer; use {allowed[0]} to {allowed[-1]}"
    if errors:
        raise AnswersInvalid(errors)
    return list(answers)


def effective_caseness(instrument: Instrument, override: int | None = None) -> int:
    return override if override is not None else instrument.caseness


def band_for(instrument: Instrument, score: int, caseness: int | None = None) -> Band:
    if instrument.caseness_alternatives and caseness is not None and caseness != instrument.caseness:
        # Screening instruments whose cut-off is configurable: two bands around the cut-off.
        below, above = instrument.bands[0], instrument.bands[-1]
        if score < caseness:
            return Band(instrument.min_score, caseness - 1, below.label, below.plain)
        return Band(caseness, instrument.max_score, above.label, above.plain)
    for band in instrument.bands:
        if band.min <= score <= band.max:
            return band
    raise ValueError(f"score {score} is outside {instrument.name}'s range")


def score(instrument: Instrument, answers: Sequence[int], *, caseness: int | None = None) -> Result:
    values = check_answers(instrument, answers)
    total = sum(values) * instrument.multiplier
    subscores = {s.id: sum(values[i - 1] for i in s.items) for s in instrument.subscales}
    short_forms: dict[str, dict[str, int | bool]] = {}
    for form in instrument.short_forms:
        subtotal = sum(values[i - 1] for i in form.items)
        short_forms[form.id] = {"score": subtotal, "positive": subtotal >= form.cutoff}
    critical = [c.reason for c in instrument.critical if values[c.item - 1] >= c.min]
    return Result(total, band_for(instrument, total, caseness), subscores, short_forms, critical)


def is_case(instrument: Instrument, score_value: int, caseness: int | None = None) -> bool:
    """On the clinical side of the cut-off."""
    cut = effective_caseness(instrument, caseness)
    return score_value >= cut if instrument.lower_is_better else score_value <= cut


def change_status(instrument: Instrument, previous: int, current: int, *, caseness: int | None = None) -> Change:
    delta = current - previous
    threshold = instrument.reliable_change
    if threshold is None:
        return Change(previous, delta, None)
    improvement = -delta if instrument.lower_is_better else delta
    if improvement >= threshold:
        recovered = is_case(instrument, previous, caseness) and not is_case(instrument, current, caseness)
        return Change(previous, delta, RECOVERED if recovered else IMPROVED)
    if -improvement >= threshold:
        return Change(previous, delta, DETERIORATED)
    return Change(previous, delta, NO_RELIABLE_CHANGE)
