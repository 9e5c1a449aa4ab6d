"""Standardised self-assessment instruments, loaded from data files and validated.

Each instrument is one TOML file in ``data/instruments/`` holding its official
wording, response options, recall period, source, licence, scoring, bands, critical
items, subscales, its screening cut-off and every published rule Thaw applies, each
with its source: the reliable-change threshold (derived here from the published
test–retest reliability and SD, Jacobson and Truax 1991), a published "clinically
meaningful" change, the recovery definition, the PCL-5's DSM-5 cluster rule, the
WHO-5's single-item rule, the AUDIT-C's sex-specific cut-off and skip rule, and the
PHQ-9's unscored difficulty question. Only public-domain or freely reproducible
instruments are shipped. Pure module: no Django, no database.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data" / "instruments"

# Jacobson & Truax (1991): a change is reliable at p < .05 when it is at least
# 1.96 standard errors of the difference, SE_diff = SD × sqrt(2 × (1 − r)).
Z_95 = 1.96


# Instruments are shown only in wording their owners published. An instrument is offered in a
# language other than English only when its official translation was confirmed from a copy of the
# owner's or distributor's own document and written into the instrument file with its source and
# licence (docs/ASSESSMENTS.md lists what was searched). None is confirmed yet: in Spanish every
# instrument is shown in English, with a note in Spanish saying why; answers and scores are the same.
OFFICIAL_TRANSLATIONS: dict[str, frozenset[str]] = {}


def official_in_language(instrument_id: str, language: str) -> bool:
    """Is ``instrument_id``'s official wording available in ``language`` (English always is)?"""
    base = language.split("-")[0]
    return base == "en" or base in OFFICIAL_TRANSLATIONS.get(instrument_id, frozenset())


class InstrumentError(ValueError):
    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{source} is invalid:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True)
class Option:
    value: int
    label: str


class Choices:
    """A question answered by choosing one of its options."""

    options: tuple[Option, ...]

    @property
    def values(self) -> frozenset[int]:
        return frozenset(o.value for o in self.options)

    def label_for(self, value: int) -> str:
        return next((o.label for o in self.options if o.value == value), str(value))


@dataclass(frozen=True)
class Item(Choices):
    number: int
    text: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Band:
    min: int
    max: int
    label: str
    plain: str


@dataclass(frozen=True)
class Critical:
    item: int
    min: int
    reason: str


@dataclass(frozen=True)
class Subscale:
    id: str
    name: str
    items: tuple[int, ...]


@dataclass(frozen=True)
class ShortForm:
    id: str
    name: str
    items: tuple[int, ...]
    cutoff: int
    source: str


def jacobson_truax(r: float, sd: float) -> float:
    """The smallest change that is reliable at p < .05, in score points (not rounded)."""
    return Z_95 * sd * math.sqrt(2 * (1 - r))


@dataclass(frozen=True)
class ReliableChange:
    """Jacobson–Truax reliable change from a published test–retest r and SD."""

    r: float
    sd: float
    source: str
    note: str = ""

    @property
    def exact(self) -> float:
        return jacobson_truax(self.r, self.sd)

    @property
    def threshold(self) -> int:
        """Scores are whole numbers: the smallest whole change at or above the exact value."""
        return math.ceil(self.exact - 1e-9)


@dataclass(frozen=True)
class Meaningful:
    """A published "clinically meaningful" change (smaller than reliable change)."""

    points: int
    source: str


@dataclass(frozen=True)
class Cutoff:
    """The screening cut-off: ``positive_when`` says which side calls for care."""

    score: int
    positive_when: str  # "at or above" or "at or below"
    source: str
    by_sex: dict[str, int] = field(default_factory=dict)  # AUDIT-C: female / male / unspecified
    by_sex_source: str = ""

    def for_sex(self, sex: str | None) -> int:
        if not self.by_sex:
            return self.score
        return self.by_sex.get(sex or "unspecified", self.by_sex["unspecified"])

    def is_positive(self, score: int, cut: int | None = None) -> bool:
        at = self.score if cut is None else cut
        return score >= at if self.positive_when == "at or above" else score <= at


@dataclass(frozen=True)
class Recovery:
    definition: str
    source: str


@dataclass(frozen=True)
class Cluster:
    id: str
    name: str
    items: tuple[int, ...]
    needed: int


@dataclass(frozen=True)
class Outcome:
    """One combination of (above the cut-off, cluster pattern met) and what to call it."""

    above_cutoff: bool
    clusters_met: bool
    label: str
    plain: str


@dataclass(frozen=True)
class ClusterRule:
    """The PCL-5's DSM-5 diagnostic rule: an item at ``endorsed_at`` or more counts."""

    endorsed_at: int
    clusters: tuple[Cluster, ...]
    source: str
    outcomes: tuple[Outcome, ...]

    def outcome(self, above_cutoff: bool, clusters_met: bool) -> Outcome:
        return next(o for o in self.outcomes if (o.above_cutoff, o.clusters_met) == (above_cutoff, clusters_met))


@dataclass(frozen=True)
class ItemRule:
    """WHO-5: any single item at or below ``at_most`` is a reason to screen, whatever the total."""

    at_most: int
    plain: str
    source: str


@dataclass(frozen=True)
class SkipRule:
    """When item ``when_item`` is answered ``equals``, items ``skip`` are not asked and score 0."""

    when_item: int
    equals: int
    skip: tuple[int, ...]
    source: str


@dataclass(frozen=True)
class Difficulty(Choices):
    """The PHQ-9's tenth question: asked, shown in the report, never scored."""

    text: str
    options: tuple[Option, ...]
    asked_when: str  # "any item above 0"
    source: str


@dataclass(frozen=True)
class Anchor:
    """An optional "think of your worst event" prompt before the items (Thaw's words)."""

    title: str
    prompt: str
    hint: str
    max_length: int
    source: str


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    title: str
    measures: str
    recall_period: str
    instructions: str
    source: str
    licence: str
    higher_is: str  # "worse" or "better"
    multiplier: int
    min_score: int
    max_score: int
    cutoff: Cutoff
    reliable_change: ReliableChange | None
    reliable_change_source: str  # why there is none, when there is none
    cadence_days: int
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    critical: tuple[Critical, ...] = ()
    subscales: tuple[Subscale, ...] = ()
    short_forms: tuple[ShortForm, ...] = ()
    clinically_meaningful: Meaningful | None = None
    recovery: Recovery | None = None
    cluster_rule: ClusterRule | None = None
    item_rule: ItemRule | None = None
    skip_rule: SkipRule | None = None
    difficulty: Difficulty | None = None
    anchor: Anchor | None = None
    band_convention: str = ""

    @property
    def lower_is_better(self) -> bool:
        return self.higher_is == "worse"

    @property
    def caseness(self) -> int:
        return self.cutoff.score

    @property
    def reliable_change_threshold(self) -> int | None:
        return self.reliable_change.threshold if self.reliable_change else None


def _options(raw: list[dict[str, Any]] | None) -> tuple[Option, ...]:
    return tuple(Option(int(o["value"]), str(o["label"])) for o in raw or [])


def _problems_in(doc: dict[str, Any]) -> list[str]:
    problems = []
    for key in ("id", "name", "title", "instructions", "source", "licence", "recall_period", "higher_is",
                "min_score", "max_score", "cutoff", "bands", "items"):
        if key not in doc:
            problems.append(f"{key!r} is required")
    if doc.get("higher_is") not in ("worse", "better"):
        problems.append("higher_is must be 'worse' or 'better'")
    if "reliable_change" not in doc and not doc.get("reliable_change_source"):
        problems.append("give [reliable_change] (r, sd, source, threshold) or say in reliable_change_source "
                        "why none is published")
    return problems


def _reliable_change(raw: dict[str, Any], problems: list[str]) -> ReliableChange | None:
    try:
        rc = ReliableChange(float(raw["r"]), float(raw["sd"]), str(raw["source"]), str(raw.get("note", "")))
    except (KeyError, TypeError, ValueError):
        problems.append("[reliable_change] needs r, sd and source")
        return None
    if not 0 < rc.r < 1 or rc.sd <= 0:
        problems.append("[reliable_change] needs 0 < r < 1 and sd > 0")
        return None
    stated = raw.get("threshold")
    if stated != rc.threshold:
        problems.append(
            f"[reliable_change] threshold is {stated!r} but 1.96 × {rc.sd} × √(2 × (1 − {rc.r})) = {rc.exact:.2f}, "
            f"which rounds up to {rc.threshold}"
        )
    return rc


def _cutoff(raw: dict[str, Any], problems: list[str]) -> Cutoff | None:
    try:
        cut = Cutoff(int(raw["score"]), str(raw["positive_when"]), str(raw["source"]),
                     {str(k): int(v) for k, v in dict(raw.get("by_sex", {})).items()}, str(raw.get("by_sex_source", "")))
    except (KeyError, TypeError, ValueError):
        problems.append("[cutoff] needs score, positive_when and source")
        return None
    if cut.positive_when not in ("at or above", "at or below"):
        problems.append("[cutoff] positive_when must be 'at or above' or 'at or below'")
    if cut.by_sex and set(cut.by_sex) != {"female", "male", "unspecified"}:
        problems.append("[cutoff] by_sex must give female, male and unspecified")
    return cut


def _cluster_rule(raw: dict[str, Any], numbers: set[int], problems: list[str]) -> ClusterRule | None:
    try:
        clusters = tuple(Cluster(str(c["id"]), str(c["name"]), tuple(int(i) for i in c["items"]), int(c["needed"]))
                         for c in raw["clusters"])
        outcomes = tuple(Outcome(bool(o["above_cutoff"]), bool(o["clusters_met"]), str(o["label"]), str(o["plain"]))
                         for o in raw["outcomes"])
        rule = ClusterRule(int(raw["endorsed_at"]), clusters, str(raw["source"]), outcomes)
    except (KeyError, TypeError, ValueError):
        problems.append("[cluster_rule] needs endorsed_at, source, clusters (id, name, items, needed) and outcomes")
        return None
    for c in clusters:
        if not set(c.items) <= numbers or not 1 <= c.needed <= len(c.items):
            problems.append(f"cluster {c.id} refers to items that do not exist or needs more than it has")
    combos = {(o.above_cutoff, o.clusters_met) for o in outcomes}
    if len(combos) != 4 or len(outcomes) != 4:
        problems.append("[cluster_rule] needs exactly one outcome for each of the four combinations")
    for o in outcomes:
        if len(o.label) > 64:
            problems.append(f"outcome label {o.label!r} is longer than 64 characters")
    return rule


def _skip_rule(raw: dict[str, Any], items: list[Item], problems: list[str]) -> SkipRule | None:
    try:
        rule = SkipRule(int(raw["when_item"]), int(raw["equals"]), tuple(int(i) for i in raw["skip"]), str(raw["source"]))
    except (KeyError, TypeError, ValueError):
        problems.append("[skip_rule] needs when_item, equals, skip and source")
        return None
    # The short form of the answers is "everything up to when_item": the skipped items must follow it.
    if rule.skip != tuple(range(rule.when_item + 1, len(items) + 1)) or not 1 <= rule.when_item < len(items):
        problems.append("[skip_rule] must skip every item after when_item")
    elif rule.equals not in items[rule.when_item - 1].values:
        problems.append("[skip_rule] equals is not an answer to when_item")
    elif any(min(items[i - 1].values) != 0 for i in rule.skip):
        problems.append("[skip_rule] skipped items must have an answer worth 0")
    return rule


def parse_instrument(doc: dict[str, Any], source: str = "instrument") -> Instrument:
    problems = _problems_in(doc)
    if problems:
        raise InstrumentError(source, problems)
    shared = _options(doc.get("options", []))
    items: list[Item] = []
    for number, raw in enumerate(doc["items"], start=1):
        if isinstance(raw, str):
            items.append(Item(number, raw, shared))
        else:
            items.append(Item(number, str(raw["text"]), _options(raw.get("options", [])) or shared))
    for item in items:
        if not item.options:
            problems.append(f"item {item.number} has no response options")
        if not item.text.strip():
            problems.append(f"item {item.number} has no text")
    multiplier = int(doc.get("multiplier", 1))
    raw_max = sum(max(o.value for o in i.options) for i in items if i.options)
    raw_min = sum(min(o.value for o in i.options) for i in items if i.options)
    if raw_max * multiplier != doc["max_score"] or raw_min * multiplier != doc["min_score"]:
        problems.append(
            f"min/max score {doc['min_score']}-{doc['max_score']} do not match the items "
            f"({raw_min * multiplier}-{raw_max * multiplier})"
        )
    bands = tuple(Band(int(b["min"]), int(b["max"]), str(b["label"]), str(b.get("plain", ""))) for b in doc["bands"])
    expected = doc["min_score"]
    for band in bands:
        if band.min != expected or band.max < band.min:
            problems.append(f"band {band.label!r} must start at {expected} and not end before it starts")
        expected = band.max + 1
    if bands and bands[-1].max != doc["max_score"]:
        problems.append(f"bands must end at the maximum score {doc['max_score']}")
    critical = tuple(Critical(int(c["item"]), int(c["min"]), str(c["reason"])) for c in doc.get("critical", []))
    subscales = tuple(Subscale(str(s["id"]), str(s["name"]), tuple(s["items"])) for s in doc.get("subscales", []))
    short_forms = tuple(
        ShortForm(str(s["id"]), str(s["name"]), tuple(s["items"]), int(s["cutoff"]), str(s.get("source", "")))
        for s in doc.get("short_forms", [])
    )
    numbers = {i.number for i in items}
    groups: list[tuple[str, tuple[int, ...]]] = [(f"critical item {c.item}", (c.item,)) for c in critical]
    groups += [(f"subscale {g.id}", g.items) for g in subscales]
    groups += [(f"short form {g.id}", g.items) for g in short_forms]
    for name, wanted in groups:
        if not set(wanted) <= numbers:
            problems.append(f"{name} refers to items that do not exist")
    cutoff = _cutoff(doc["cutoff"], problems)
    if cutoff is not None and not bands_agree(bands, cutoff):
        problems.append(f"the cut-off {cutoff.score} must fall on a band boundary, so the band a person sees and "
                        "the cut-off tell the same story")
    rc = _reliable_change(doc["reliable_change"], problems) if "reliable_change" in doc else None
    meaningful = None
    if "clinically_meaningful" in doc:
        raw_cm = doc["clinically_meaningful"]
        meaningful = Meaningful(int(raw_cm["points"]), str(raw_cm["source"]))
        if rc is not None and meaningful.points >= rc.threshold:
            problems.append("a clinically meaningful change at or above the reliable change adds nothing; remove it")
    recovery = Recovery(str(doc["recovery"]["definition"]), str(doc["recovery"]["source"])) if "recovery" in doc else None
    if recovery is not None and rc is None:
        problems.append("[recovery] needs a reliable-change threshold")
    cluster_rule = _cluster_rule(doc["cluster_rule"], numbers, problems) if "cluster_rule" in doc else None
    item_rule = None
    if "item_rule" in doc:
        raw_ir = doc["item_rule"]
        item_rule = ItemRule(int(raw_ir["at_most"]), str(raw_ir["plain"]), str(raw_ir["source"]))
    skip_rule = _skip_rule(doc["skip_rule"], items, problems) if "skip_rule" in doc else None
    difficulty = None
    if "difficulty" in doc:
        raw_d = doc["difficulty"]
        difficulty = Difficulty(str(raw_d["text"]), _options(raw_d["options"]), str(raw_d["asked_when"]),
                                str(raw_d["source"]))
    anchor = None
    if "anchor" in doc:
        raw_a = doc["anchor"]
        anchor = Anchor(str(raw_a["title"]), str(raw_a["prompt"]), str(raw_a["hint"]), int(raw_a["max_length"]),
                        str(raw_a["source"]))
    if problems or cutoff is None:
        raise InstrumentError(source, problems)
    return Instrument(
        id=str(doc["id"]), name=str(doc["name"]), title=str(doc["title"]), measures=str(doc.get("measures", "")),
        recall_period=str(doc["recall_period"]), instructions=str(doc["instructions"]), source=str(doc["source"]),
        licence=str(doc["licence"]), higher_is=str(doc["higher_is"]), multiplier=multiplier,
        min_score=int(doc["min_score"]), max_score=int(doc["max_score"]), cutoff=cutoff,
        reliable_change=rc, reliable_change_source=str(doc.get("reliable_change_source", "")),
        cadence_days=int(doc.get("cadence_days", 30)), items=tuple(items), bands=bands, critical=critical,
        subscales=subscales, short_forms=short_forms, clinically_meaningful=meaningful, recovery=recovery,
        cluster_rule=cluster_rule, item_rule=item_rule, skip_rule=skip_rule, difficulty=difficulty, anchor=anchor,
        band_convention=str(doc.get("band_convention", "")),
    )


def bands_agree(bands: tuple[Band, ...], cutoff: Cutoff) -> bool:
    """The cut-off starts a band (ends one, where lower is the clinical side), so no band straddles it."""
    if cutoff.by_sex:
        return True  # bands are drawn around the cut-off that applies to the person
    edges = {b.min for b in bands} if cutoff.positive_when == "at or above" else {b.max for b in bands}
    return cutoff.score in edges


def load_instrument(path: Path) -> Instrument:
    with open(path, "rb") as handle:
        return parse_instrument(tomllib.load(handle), path.name)


@cache
def instruments() -> dict[str, Instrument]:
    """Every shipped instrument by id, in a stable order."""
    found = {}
    for path in sorted(DATA_DIR.glob("*.toml")):
        instrument = load_instrument(path)
        if path.stem != instrument.id:
            raise InstrumentError(path.name, [f"the file name must be {instrument.id}.toml"])
        found[instrument.id] = instrument
    order = ["phq9", "gad7", "pcl5", "who5", "auditc"]
    return {key: found[key] for key in sorted(found, key=lambda k: (order.index(k) if k in order else 99, k))}
