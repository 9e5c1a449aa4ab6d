"""The emotion vocabulary, body sensations and built-in tags: data files, validated.

These are content, not code: ``data/emotions.toml``, ``data/body.toml`` and
``data/tags.toml``. They are loaded once and checked at start-up; a broken file
stops Thaw with a message naming every problem rather than failing on a person's
check-in later.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

AXIS_MIN, AXIS_MAX = -5, 5
MIN_WORDS = 140
MIN_PER_QUADRANT = 25
NUMB_FAMILY = "numb"
NOT_SURE_FAMILY = "not-sure"
NOT_SURE_WORD = "not sure"
REQUIRED_NUMB_WORDS = ("numb", "empty", "flat", "detached", "disconnected", "shut down", "foggy")

_WORD_RE = re.compile(r"^[a-z][a-z' -]{0,29}$")
_SLUG_RE = re.compile(r"^[a-z][a-z-]{0,39}$")


class VocabularyError(ValueError):
    """A data file broke a rule; ``problems`` lists every one found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{source} is invalid:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    label: str
    description: str


@dataclass(frozen=True, slots=True)
class Emotion:
    word: str
    family: str
    pleasantness: int
    energy: int
    definition: str

    @property
    def quadrant(self) -> str | None:
        """The mood-meter quadrant, or None on an axis (e.g. "not sure")."""
        if self.pleasantness == 0 or self.energy == 0:
            return None
        feel = "pleasant" if self.pleasantness > 0 else "unpleasant"
        energy = "high" if self.energy > 0 else "low"
        return f"{energy}-energy {feel}"

    @property
    def is_numb(self) -> bool:
        return self.family == NUMB_FAMILY


QUADRANTS = (
    "high-energy unpleasant",
    "low-energy unpleasant",
    "high-energy pleasant",
    "low-energy pleasant",
)


@dataclass(frozen=True)
class Vocabulary:
    families: dict[str, Family]
    emotions: dict[str, Emotion]

    def get(self, word: str) -> Emotion | None:
        return self.emotions.get(word)

    def by_quadrant(self) -> dict[str, list[Emotion]]:
        groups: dict[str, list[Emotion]] = {q: [] for q in QUADRANTS}
        for emotion in self.emotions.values():
            if emotion.quadrant and not emotion.is_numb:
                groups[emotion.quadrant].append(emotion)
        for words in groups.values():
            words.sort(key=lambda e: (-abs(e.pleasantness) - abs(e.energy), e.word))
        return groups

    def numb_words(self) -> list[Emotion]:
        return sorted((e for e in self.emotions.values() if e.is_numb), key=lambda e: e.word)


def _int_in_range(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and AXIS_MIN <= value <= AXIS_MAX


def parse_vocabulary(doc: dict, source: str = "emotions.toml") -> Vocabulary:
    problems: list[str] = []
    families: dict[str, Family] = {}
    for i, raw in enumerate(doc.get("family", [])):
        name = raw.get("name", "")
        if not isinstance(name, str) or not _SLUG_RE.match(name):
            problems.append(f"family #{i + 1}: name {name!r} must be a lowercase slug")
            continue
        if name in families:
            problems.append(f"family {name!r} is defined twice")
        families[name] = Family(name, str(raw.get("label") or name), str(raw.get("description", "")))

    emotions: dict[str, Emotion] = {}
    for i, raw in enumerate(doc.get("word", [])):
        word = raw.get("word", "")
        where = f"word {word!r}" if word else f"word #{i + 1}"
        if not isinstance(word, str) or not _WORD_RE.match(word):
            problems.append(f"{where}: must be lowercase letters, spaces or hyphens, at most 30 characters")
            continue
        if word in emotions:
            problems.append(f"{where} appears twice")
        family = raw.get("family")
        if family not in families:
            problems.append(f"{where}: family {family!r} is not defined")
        for axis in ("pleasantness", "energy"):
            if not _int_in_range(raw.get(axis)):
                problems.append(f"{where}: {axis} must be a whole number from {AXIS_MIN} to {AXIS_MAX}")
        definition = raw.get("definition", "")
        if not isinstance(definition, str) or not (10 <= len(definition.strip()) <= 200) or "\n" in definition:
            problems.append(f"{where}: definition must be one line of 10-200 characters")
        if problems and problems[-1].startswith(where):
            continue
        emotions[word] = Emotion(word, family, raw["pleasantness"], raw["energy"], definition.strip())

    if len(emotions) < MIN_WORDS:
        problems.append(f"only {len(emotions)} words; at least {MIN_WORDS} are required")
    counts = Counter(e.quadrant for e in emotions.values() if e.quadrant)
    for quadrant in QUADRANTS:
        if counts[quadrant] < MIN_PER_QUADRANT:
            problems.append(f"quadrant {quadrant!r} has {counts[quadrant]} words; at least {MIN_PER_QUADRANT} are required")
    missing = [w for w in REQUIRED_NUMB_WORDS if emotions.get(w, None) is None or emotions[w].family != NUMB_FAMILY]
    if missing:
        problems.append(f"the {NUMB_FAMILY!r} family must contain: {', '.join(missing)}")
    if NOT_SURE_WORD not in emotions:
        problems.append(f"the word {NOT_SURE_WORD!r} is required")
    if problems:
        raise VocabularyError(source, problems)
    return Vocabulary(families, emotions)


@dataclass(frozen=True)
class BodyMap:
    regions: dict[str, str]
    sensations: dict[str, str]

    def is_valid(self, value: str) -> bool:
        region, _, sensation = value.partition("/")
        return region in self.regions and sensation in self.sensations

    def label(self, value: str) -> str:
        region, _, sensation = value.partition("/")
        return f"{self.regions.get(region, region)}: {self.sensations.get(sensation, sensation)}"


def parse_body(doc: dict, source: str = "body.toml") -> BodyMap:
    problems: list[str] = []
    parts: dict[str, dict[str, str]] = {"region": {}, "sensation": {}}
    for kind, found in parts.items():
        for raw in doc.get(kind, []):
            name = raw.get("name", "")
            if not isinstance(name, str) or not _SLUG_RE.match(name) or name in found:
                problems.append(f"{kind} {name!r} must be a unique lowercase slug")
                continue
            found[name] = str(raw.get("label") or name)
        if not found:
            problems.append(f"at least one {kind} is required")
    if problems:
        raise VocabularyError(source, problems)
    return BodyMap(parts["region"], parts["sensation"])


@dataclass(frozen=True)
class TagGroup:
    name: str
    label: str
    tags: tuple[str, ...]


def parse_tags(doc: dict, source: str = "tags.toml") -> tuple[TagGroup, ...]:
    from thaw.checkins.rules import TagRule  # the same rule a person's own tags obey

    problems: list[str] = []
    groups = []
    for raw in doc.get("group", []):
        tags = tuple(raw.get("tags", []))
        for tag in tags:
            if TagRule.normalise(tag) != tag:
                problems.append(f"tag {tag!r} in group {raw.get('name')!r} is not in normal form")
        groups.append(TagGroup(str(raw.get("name")), str(raw.get("label") or raw.get("name")), tags))
    if problems:
        raise VocabularyError(source, problems)
    return tuple(groups)


def _load(name: str) -> dict:
    with open(DATA_DIR / name, "rb") as handle:
        return tomllib.load(handle)


@cache
def vocabulary() -> Vocabulary:
    return parse_vocabulary(_load("emotions.toml"))


@cache
def body_map() -> BodyMap:
    return parse_body(_load("body.toml"))


@cache
def tag_groups() -> tuple[TagGroup, ...]:
    return parse_tags(_load("tags.toml"))


def builtin_tags() -> list[str]:
    return [tag for group in tag_groups() for tag in group.tags]
