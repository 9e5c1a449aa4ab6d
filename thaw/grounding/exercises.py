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
    text: str = ""  # the pacer's label in the reader's language; English when empty

    @property
    def label(self) -> str:
        return self.text or PHASES[self.name]


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


# --- other languages: exercises.<lang>.toml and affirmations.<lang>.toml beside the English ---------

_TRANSLATED_KEYS = {"title", "summary", "eyes_open", "steps"}


def translate_library(english: Library, doc: dict[str, Any], source: str) -> Library:
    """``english`` with each exercise's title, summary, eyes-open note, steps and pacer labels from a
    sibling file. Everything else (minutes, kind, pattern, switch_to) stays English's, so a session
    is the same exercise in every language. Every exercise must be there, each step in its place."""
    problems = [f"unknown top-level key {key!r}" for key in sorted(set(doc) - {"version", "phase", "exercise"})]
    phases = doc.get("phase", {})
    used = {p.name for e in english.exercises.values() if e.pattern for p in e.pattern.phases}
    for name in sorted(used):
        if not _text(phases.get(name), 40):
            problems.append(f"[phase] {name}: the pacer's label is missing")
    translated = doc.get("exercise", {})
    for extra in sorted(set(translated) - set(english.exercises)):
        problems.append(f"[exercise.{extra}] is not an exercise in exercises.toml")
    exercises: dict[str, Exercise] = {}
    for exercise_id, exercise in english.exercises.items():
        where = f"[exercise.{exercise_id}]"
        raw = translated.get(exercise_id)
        if not isinstance(raw, dict):
            problems.append(f"{where} is missing")
            continue
        if set(raw) != _TRANSLATED_KEYS:
            problems.append(f"{where} must have exactly {', '.join(sorted(_TRANSLATED_KEYS))}")
            continue
        steps = raw["steps"]
        if not isinstance(steps, list) or len(steps) != len(exercise.steps) or not all(_text(t, STEP_MAX) for t in steps):
            problems.append(f"{where}: steps must be {len(exercise.steps)} lines of at most {STEP_MAX} characters, "
                            "in the same order as the English")
            continue
        if not all(_text(raw[k], STEP_MAX) for k in ("title", "summary", "eyes_open")):
            problems.append(f"{where}: title, summary and eyes_open must be one line each")
            continue
        pattern = exercise.pattern
        if pattern is not None:
            pattern = Pattern(tuple(Phase(p.name, p.seconds, str(phases.get(p.name, ""))) for p in pattern.phases),
                              pattern.cycles)
        exercises[exercise_id] = Exercise(exercise.id, raw["title"].strip(), raw["summary"].strip(), exercise.minutes,
                                          exercise.kind, exercise.body_focused, raw["eyes_open"].strip(),
                                          exercise.switch_to, tuple(t.strip() for t in steps), pattern)
    if problems:
        raise ExerciseFileError(source, problems)
    return Library(exercises, english.far_away)


def languages() -> tuple[str, ...]:
    """The languages with a sibling file, e.g. ("es",)."""
    return tuple(sorted(p.name.split(".")[1] for p in DATA_DIR.glob("exercises.*.toml")))


def _active_language() -> str:
    """The language being spoken (Django's, when Django is running); English otherwise."""
    try:
        from django.utils import translation

        return (translation.get_language() or "en").split("-")[0]
    except Exception:  # no Django settings: a pure use of this module
        return "en"


def library(language: str | None = None) -> Library:
    """The exercises in ``language`` (default: the language being spoken now; English when the
    language has no sibling file)."""
    language = language or _active_language()
    return _library(language if language in languages() else "en")


@cache
def _library(language: str) -> Library:
    path = DATA_DIR / "exercises.toml"
    english = parse_library(_read(path), str(path))
    if language == "en":
        return english
    sibling = DATA_DIR / f"exercises.{language}.toml"
    return translate_library(english, _read(sibling), str(sibling))


def starter_affirmations(language: str | None = None) -> tuple[str, ...]:
    language = language or _active_language()
    return _affirmations(language if language in languages() else "en")


@cache
def _affirmations(language: str) -> tuple[str, ...]:
    path = DATA_DIR / ("affirmations.toml" if language == "en" else f"affirmations.{language}.toml")
    found = parse_affirmations(_read(path), str(path))
    if language != "en" and len(found) != len(_affirmations("en")):
        raise ExerciseFileError(str(path), [f"has {len(found)} affirmations; affirmations.toml has "
                                            f"{len(_affirmations('en'))}: keep the same number"])
    return found


def every_language() -> None:
    """Load and check every language's files (start-up, the system check)."""
    for language in ("en", *languages()):
        _library(language)
        _affirmations(language)
