"""Grounding exercises and starter affirmations: data files, validated.

The exercise scripts live in ``data/exercises.toml`` and the starter affirmations in
``data/affirmations.toml``; both are written for Thaw. They are loaded once and checked
at start-up (see ``checks.py`` and ``apps.py``): an unknown key or a bad value stops
Thaw with a message naming the file, the exercise and the field, rather than failing
in the middle of someone's exercise. Pure module: no Django, no database.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

KINDS = ("steps", "breathing")
PHASES = {"in": "Breathe in", "hold": "Hold", "out": "Breathe out"}
MINUTES_MIN, MINUTES_MAX = 1, 30
PHASE_SECONDS_MIN, PHASE_SECONDS_MAX = 1, 12
CYCLES_MIN, CYCLES_MAX = 1, 60
STEP_MAX = 300
MAX_STEPS = 20
AFFIRMATION_MAX = 200

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_EXERCISE_KEYS = {"id", "title", "summary", "minutes", "kind", "body_focused", "eyes_open", "switch_to", "steps",
                  "pattern"}
_REQUIRED_KEYS = _EXERCISE_KEYS - {"pattern"}
_PATTERN_KEYS = {"cycles", "phases"}
_PHASE_KEYS = {"name", "seconds"}
# Addresses under /grounding/ that are pages, so no exercise may take them as its id.
RESERVED_IDS = frozenset({"now", "what-works", "affirmations", "sessions"})


class ExerciseFileError(ValueError):
    """A data file broke a rule; ``problems`` lists every one found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source} is invalid:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True, slots=True)
class Phase:
    name: str  # "in", "hold" or "out"
    seconds: float

    @property
    def label(self) -> str:
        return PHASES[self.name]


@dataclass(frozen=True, slots=True)
class Pattern:
    phases: tuple[Phase, ...]
    cycles: int

    @property
    def cycle_seconds(self) -> float:
        return sum(p.seconds for p in self.phases)

    @property
    def breaths_per_minute(self) -> float:
        return round(60 / self.cycle_seconds, 1)

    @property
    def total_seconds(self) -> float:
        return self.cycle_seconds * self.cycles

    def as_text(self) -> str:
        """e.g. "Breathe in for 4 seconds, breathe out for 6 seconds"."""
        return ", ".join(f"{p.label.lower()} for {p.seconds:g} seconds" for p in self.phases)


@dataclass(frozen=True, slots=True)
class Exercise:
    id: str
    title: str
    summary: str
    minutes: int
    kind: str
    body_focused: bool
    eyes_open: str
    switch_to: str
    steps: tuple[str, ...]
    pattern: Pattern | None = None

    def as_dict(self) -> dict[str, Any]:
        """What the page script and the API need, in plain JSON types."""
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "minutes": self.minutes,
            "kind": self.kind,
            "body_focused": self.body_focused,
            "eyes_open": self.eyes_open,
            "switch_to": self.switch_to,
            "steps": list(self.steps),
            "pattern": None if self.pattern is None else {
                "cycles": self.pattern.cycles,
                "phases": [{"name": p.name, "seconds": p.seconds, "label": p.label} for p in self.pattern.phases],
            },
        }


@dataclass(frozen=True)
class Library:
    exercises: dict[str, Exercise]
    far_away: str

    def get(self, exercise_id: str) -> Exercise | None:
        return self.exercises.get(exercise_id)

    @property
    def far_away_exercise(self) -> Exercise:
        return self.exercises[self.far_away]

    def eyes_open_alternatives(self) -> list[Exercise]:
        return [e for e in self.exercises.values() if not e.body_focused]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: object, limit: int) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= limit and "\n" not in value


def _parse_pattern(raw: object, where: str, problems: list[str]) -> Pattern | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: pattern must be a table with cycles and phases")
        return None
    for key in sorted(set(raw) - _PATTERN_KEYS):
        problems.append(f"{where}: pattern has an unknown key {key!r}; the keys are cycles, phases")
    cycles = raw.get("cycles")
    if not _is_int(cycles) or not CYCLES_MIN <= cycles <= CYCLES_MAX:  # type: ignore[operator]
        problems.append(f"{where}: pattern.cycles must be a whole number from {CYCLES_MIN} to {CYCLES_MAX}")
    phases_raw = raw.get("phases")
    if not isinstance(phases_raw, list) or not phases_raw:
        problems.append(f"{where}: pattern.phases must be a list like [{{ name = \"in\", seconds = 4 }}]")
        return None
    phases: list[Phase] = []
    for n, phase in enumerate(phases_raw, start=1):
        at = f"{where}: pattern.phases #{n}"
        if not isinstance(phase, dict):
            problems.append(f"{at} must be a table with name and seconds")
            continue
        for key in sorted(set(phase) - _PHASE_KEYS):
            problems.append(f"{at} has an unknown key {key!r}; the keys are name, seconds")
        name, seconds = phase.get("name"), phase.get("seconds")
        if name not in PHASES:
            problems.append(f"{at}: name must be one of {', '.join(PHASES)} (got {name!r})")
        elif not _is_number(seconds) or not PHASE_SECONDS_MIN <= seconds <= PHASE_SECONDS_MAX:  # type: ignore[operator]
            problems.append(f"{at}: seconds must be a number from {PHASE_SECONDS_MIN} to {PHASE_SECONDS_MAX}")
        else:
            phases.append(Phase(str(name), float(seconds)))  # type: ignore[arg-type]
    names = {p.name for p in phases}
    if phases and not {"in", "out"} <= names:
        problems.append(f"{where}: pattern.phases needs at least one \"in\" and one \"out\"")
    if not isinstance(cycles, int):
        return None
    return Pattern(tuple(phases), cycles)


def _parse_exercise(raw: object, n: int, problems: list[str]) -> Exercise | None:
    if not isinstance(raw, dict):
        problems.append(f"exercise #{n} must be a table")
        return None
    ident = raw.get("id")
    where = f"exercise {ident!r}" if isinstance(ident, str) and ident else f"exercise #{n}"
    before = len(problems)
    for key in sorted(set(raw) - _EXERCISE_KEYS):
        problems.append(f"{where}: unknown key {key!r}; the keys are {', '.join(sorted(_EXERCISE_KEYS))}")
    for key in sorted(_REQUIRED_KEYS - set(raw)):
        problems.append(f"{where}: {key!r} is required")
    if "id" in raw and (not isinstance(ident, str) or not _SLUG_RE.match(ident)):
        problems.append(f"{where}: id must be a lowercase slug of letters, digits and hyphens, at most 40 characters")
    elif ident in RESERVED_IDS:
        problems.append(f"{where}: id {ident!r} is reserved for a page; choose another")
    for key, limit in (("title", 80), ("summary", 200), ("eyes_open", 300)):
        if key in raw and not _text(raw[key], limit):
            problems.append(f"{where}: {key} must be one line of text, at most {limit} characters")
    minutes = raw.get("minutes")
    if "minutes" in raw and (not _is_int(minutes) or not MINUTES_MIN <= minutes <= MINUTES_MAX):  # type: ignore[operator]
        problems.append(f"{where}: minutes must be a whole number from {MINUTES_MIN} to {MINUTES_MAX}")
    kind = raw.get("kind")
    if "kind" in raw and kind not in KINDS:
        problems.append(f"{where}: kind must be one of {', '.join(KINDS)} (got {kind!r})")
    if "body_focused" in raw and not isinstance(raw["body_focused"], bool):
        problems.append(f"{where}: body_focused must be true or false")
    steps = raw.get("steps")
    if "steps" in raw:
        if not isinstance(steps, list) or not steps or len(steps) > MAX_STEPS:
            problems.append(f"{where}: steps must be a list of 1 to {MAX_STEPS} texts")
        else:
            for i, step in enumerate(steps, start=1):
                if not _text(step, STEP_MAX):
                    problems.append(f"{where}: step {i} must be one line of text, at most {STEP_MAX} characters")
    pattern = None
    if kind == "breathing":
        if "pattern" not in raw:
            problems.append(f"{where}: a breathing exercise needs a [exercise.pattern] table")
        else:
            pattern = _parse_pattern(raw["pattern"], where, problems)
    elif "pattern" in raw:
        problems.append(f"{where}: only breathing exercises have a pattern")
    if len(problems) > before:
        return None
    return Exercise(
        id=ident, title=raw["title"].strip(), summary=raw["summary"].strip(), minutes=minutes,  # type: ignore[arg-type]
        kind=kind, body_focused=raw["body_focused"], eyes_open=raw["eyes_open"].strip(),  # type: ignore[arg-type]
        switch_to=str(raw["switch_to"]), steps=tuple(s.strip() for s in steps), pattern=pattern,  # type: ignore[union-attr]
    )


def parse_library(doc: dict[str, Any], source: str = "exercises.toml") -> Library:
    """Check every rule and report every problem at once, naming the exercise and field."""
    problems: list[str] = []
    for key in sorted(set(doc) - {"far_away", "exercise"}):
        problems.append(f"unknown top-level key {key!r}; the keys are far_away and [[exercise]] tables")
    raw_list = doc.get("exercise")
    if not isinstance(raw_list, list) or not raw_list:
        raise ExerciseFileError(source, [*problems, "there must be at least one [[exercise]]"])
    exercises: dict[str, Exercise] = {}
    for n, raw in enumerate(raw_list, start=1):
        exercise = _parse_exercise(raw, n, problems)
        if exercise is None:
            continue
        if exercise.id in exercises:
            problems.append(f"exercise {exercise.id!r} is defined twice")
        exercises[exercise.id] = exercise
    for exercise in exercises.values():
        target = exercises.get(exercise.switch_to)
        if target is None:
            problems.append(f"exercise {exercise.id!r}: switch_to {exercise.switch_to!r} is not an exercise here")
        elif target.body_focused or target.id == exercise.id:
            problems.append(f"exercise {exercise.id!r}: switch_to must name a different exercise that is not body-focused")
    far_away = doc.get("far_away")
    if not isinstance(far_away, str) or far_away not in exercises:
        problems.append(f"far_away {far_away!r} must name one of the exercises")
    elif far_away in exercises and exercises[far_away].body_focused:
        problems.append(f"far_away {far_away!r} must not be body-focused: it is offered to anyone, at once")
    if problems:
        raise ExerciseFileError(source, problems)
    return Library(exercises, str(far_away))


def parse_affirmations(doc: dict[str, Any], source: str = "affirmations.toml") -> tuple[str, ...]:
    problems = [f"unknown top-level key {key!r}; the only key is affirmations" for key in sorted(set(doc) - {"affirmations"})]
    texts = doc.get("affirmations")
    if not isinstance(texts, list) or not texts:
        problems.append("affirmations must be a non-empty list of texts")
        texts = []
    seen: set[str] = set()
    for i, text in enumerate(texts, start=1):
        if not _text(text, AFFIRMATION_MAX):
            problems.append(f"affirmation {i} must be one line of text, at most {AFFIRMATION_MAX} characters")
        elif text in seen:
            problems.append(f"affirmation {i} appears twice")
        else:
            seen.add(text)
    if problems:
        raise ExerciseFileError(source, problems)
    return tuple(t.strip() for t in texts)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ExerciseFileError(str(path), [f"not valid TOML: {exc}"]) from None


@cache
def library() -> Library:
    path = DATA_DIR / "exercises.toml"
    return parse_library(_read(path), str(path))


@cache
def starter_affirmations() -> tuple[str, ...]:
    path = DATA_DIR / "affirmations.toml"
    return parse_affirmations(_read(path), str(path))
