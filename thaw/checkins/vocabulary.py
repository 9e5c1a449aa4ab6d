"""The emotion vocabulary, body sensations and built-in tags: data files, validated.

These are content, not code: ``data/emotions.toml``, ``data/body.toml`` and
``data/tags.toml``. They are loaded once and checked at start-up; a broken file
stops Thaw with a message naming every problem rather than failing on a person's
check-in later.

Other languages live beside them (``emotions.es.toml``, ``body.es.toml``, ``tags.es.toml``),
keyed by the English identifiers: a check-in always stores the identifier ("lonely"), never a
spelling, so insights and exports are the same in every language. ``translation(language)``
loads a language's words, checked against the English (every identifier present, none extra; a
bad entry is named), and ``Translation.label(word, forms)`` says how a word is shown to a person
who chose feminine, masculine or neutral forms.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
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


# --- other languages ----------------------------------------------------------------------------

FORMS = ("feminine", "masculine", "neutral")
_SPELLING_KEYS = frozenset({"feminine", "masculine", "neutral", "definition", "search"})


def fold(text: str) -> str:
    """Lower case without accents, for search: "Vacía" and "vacia" are the same; ñ is n."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Spelling:
    """One vocabulary entry written in another language."""

    feminine: str
    masculine: str
    neutral: str  # "" when no natural gender-free wording exists
    definition: str
    search: tuple[str, ...] = ()

    def shown(self, forms: str) -> str:
        """The word as a person who chose ``forms`` sees it. Neutral falls back to both forms,
        feminine first ("encantada / encantado"), never to an invented ending."""
        if forms == "feminine":
            return self.feminine
        if forms == "masculine":
            return self.masculine
        if self.neutral:
            return self.neutral
        if self.feminine == self.masculine:
            return self.feminine
        return f"{self.feminine} / {self.masculine}"

    def search_text(self) -> str:
        """Every spelling and synonym, folded, for the word picker's search."""
        terms = [self.feminine, self.masculine, self.neutral, *self.search]
        return " | ".join(dict.fromkeys(fold(t) for t in terms if t))


@dataclass(frozen=True)
class Translation:
    language: str
    families: dict[str, Family]
    words: dict[str, Spelling]
    body: BodyMap
    group_labels: dict[str, str]
    tags: dict[str, str]

    def label(self, word: str, forms: str) -> str:
        spelling = self.words.get(word)
        return spelling.shown(forms) if spelling is not None else word

    def definition(self, word: str) -> str:
        spelling = self.words.get(word)
        return spelling.definition if spelling is not None else ""

    def search_text(self, word: str) -> str:
        spelling = self.words.get(word)
        return spelling.search_text() if spelling is not None else fold(word)


def _one_line(value: object, low: int, high: int) -> bool:
    return isinstance(value, str) and low <= len(value.strip()) <= high and "\n" not in value


def parse_translation(
    language: str, emotions_doc: dict, body_doc: dict, tags_doc: dict, vocab: Vocabulary, body: BodyMap,
    groups: tuple[TagGroup, ...],
) -> Translation:
    """Check a language's three files against the English ones; raise VocabularyError naming every
    entry that is missing, unknown or malformed (so a bad file stops start-up, not a check-in)."""
    problems: list[str] = []
    source = f"emotions.{language}.toml"
    raw_families = emotions_doc.get("family", {})
    families: dict[str, Family] = {}
    for name in vocab.families:
        raw = raw_families.get(name)
        if not isinstance(raw, dict) or not raw.get("label") or not raw.get("description"):
            problems.append(f"{source}: family {name!r} needs a label and a description")
            continue
        families[name] = Family(name, str(raw["label"]), str(raw["description"]))
    problems += [f"{source}: family {name!r} is not in emotions.toml" for name in sorted(set(raw_families) - set(vocab.families))]
    raw_words = emotions_doc.get("word", {})
    words: dict[str, Spelling] = {}
    for word in vocab.emotions:
        raw = raw_words.get(word)
        where = f"{source}: word {word!r}"
        if not isinstance(raw, dict):
            problems.append(f"{where} is missing")
            continue
        unknown = sorted(set(raw) - _SPELLING_KEYS)
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(unknown)}")
        if not all(_one_line(raw.get(form), 1, 40) for form in ("feminine", "masculine")):
            problems.append(f"{where}: feminine and masculine must each be one line of 1-40 characters")
            continue
        if not isinstance(raw.get("neutral", ""), str) or len(str(raw.get("neutral", ""))) > 40:
            problems.append(f"{where}: neutral must be text of at most 40 characters (\"\" when there is none)")
            continue
        if not _one_line(raw.get("definition"), 10, 200):
            problems.append(f"{where}: definition must be one line of 10-200 characters")
            continue
        search = raw.get("search", [])
        if not isinstance(search, list) or not all(isinstance(t, str) and t.strip() for t in search):
            problems.append(f"{where}: search must be a list of non-empty texts")
            continue
        words[word] = Spelling(raw["feminine"].strip(), raw["masculine"].strip(), raw.get("neutral", "").strip(),
                               raw["definition"].strip(), tuple(t.strip() for t in search))
    problems += [f"{source}: word {word!r} is not in emotions.toml" for word in sorted(set(raw_words) - set(vocab.emotions))]
    for forms in FORMS:
        shown: dict[str, str] = {}
        for word, spelling in words.items():
            text = spelling.shown(forms).casefold()
            if text in shown:
                problems.append(f"{source}: words {shown[text]!r} and {word!r} both show as {text!r} ({forms} forms)")
            shown[text] = word
    body_source = f"body.{language}.toml"
    parts: dict[str, dict[str, str]] = {}
    for kind, english in (("region", body.regions), ("sensation", body.sensations)):
        raw_part = body_doc.get(kind, {})
        parts[kind] = {name: str(raw_part.get(name, "")).strip() for name in english}
        problems += [f"{body_source}: {kind} {name!r} has no label" for name, label in parts[kind].items() if not label]
        problems += [f"{body_source}: {kind} {name!r} is not in body.toml" for name in sorted(set(raw_part) - set(english))]
    tags_source = f"tags.{language}.toml"
    raw_groups, raw_tags = tags_doc.get("group", {}), tags_doc.get("tag", {})
    group_labels = {g.name: str(raw_groups.get(g.name, "")).strip() for g in groups}
    tags = {t: str(raw_tags.get(t, "")).strip() for g in groups for t in g.tags}
    problems += [f"{tags_source}: group {name!r} has no label" for name, label in group_labels.items() if not label]
    problems += [f"{tags_source}: tag {tag!r} has no label" for tag, label in tags.items() if not label]
    problems += [f"{tags_source}: tag {tag!r} is not in tags.toml" for tag in sorted(set(raw_tags) - set(tags))]
    if problems:
        raise VocabularyError(f"the {language!r} vocabulary", problems)
    return Translation(language, families, words, BodyMap(parts["region"], parts["sensation"]), group_labels, tags)


def languages() -> tuple[str, ...]:
    """The languages with a vocabulary file beside the English, e.g. ("es",)."""
    return tuple(sorted(p.name.split(".")[1] for p in DATA_DIR.glob("emotions.*.toml")))


@cache
def translation(language: str) -> Translation | None:
    """``language``'s vocabulary, checked; None for English (the source) or a language without files."""
    if language not in languages():
        return None
    return parse_translation(language, _load(f"emotions.{language}.toml"), _load(f"body.{language}.toml"),
                             _load(f"tags.{language}.toml"), vocabulary(), body_map(), tag_groups())
