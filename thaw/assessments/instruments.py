"""Standardised self-assessment instruments, loaded from data files and validated.

Each instrument is one TOML file in ``data/instruments/`` holding its official
wording, response options, recall period, source, licence, scoring, bands, critical
items, subscales and reliable-change threshold. Only public-domain or freely
reproducible instruments are shipped. Pure module: no Django, no database.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data" / "instruments"


class InstrumentError(ValueError):
    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{source} is invalid:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    number: int
    text: str
    options: tuple[Option, ...]

    @property
    def values(self) -> frozenset[int]:
        return frozenset(o.value for o in self.options)


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
    caseness: int
    caseness_source: str
    reliable_change: int | None
    reliable_change_source: str
    cadence_days: int
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    critical: tuple[Critical, ...] = ()
    subscales: tuple[Subscale, ...] = ()
    short_forms: tuple[ShortForm, ...] = ()
    clinically_meaningful: int | None = None
    caseness_alternatives: dict[str, int] = field(default_factory=dict)

    @property
    def lower_is_better(self) -> bool:
        return self.higher_is == "worse"


def _problems_in(doc: dict) -> list[str]:
    problems = []
    for key in ("id", "name", "title", "instructions", "source", "licence", "recall_period", "higher_is",
                "min_score", "max_score", "caseness", "bands", "items"):
        if key not in doc:
            problems.append(f"{key!r} is required")
    if doc.get("higher_is") not in ("worse", "better"):
        problems.append("higher_is must be 'worse' or 'better'")
    return problems


def parse_instrument(doc: dict, source: str = "instrument") -> Instrument:
    problems = _problems_in(doc)
    if problems:
        raise InstrumentError(source, problems)
    shared = tuple(Option(int(o["value"]), str(o["label"])) for o in doc.get("options", []))
    items: list[Item] = []
    for number, raw in enumerate(doc["items"], start=1):
        if isinstance(raw, str):
            items.append(Item(number, raw, shared))
        else:
            own = tuple(Option(int(o["value"]), str(o["label"])) for o in raw.get("options", [])) or shared
            items.append(Item(number, str(raw["text"]), own))
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
    if problems:
        raise InstrumentError(source, problems)
    rc = doc.get("reliable_change")
    return Instrument(
        id=str(doc["id"]), name=str(doc["name"]), title=str(doc["title"]), measures=str(doc.get("measures", "")),
        recall_period=str(doc["recall_period"]), instructions=str(doc["instructions"]), source=str(doc["source"]),
        licence=str(doc["licence"]), higher_is=str(doc["higher_is"]), multiplier=multiplier,
        min_score=int(doc["min_score"]), max_score=int(doc["max_score"]), caseness=int(doc["caseness"]),
        caseness_source=str(doc.get("caseness_source", "")),
        reliable_change=int(rc) if rc is not None else None,
        reliable_change_source=str(doc.get("reliable_change_source", "")),
        cadence_days=int(doc.get("cadence_days", 30)), items=tuple(items), bands=bands, critical=critical,
        subscales=subscales, short_forms=short_forms,
        clinically_meaningful=doc.get("clinically_meaningful"),
        caseness_alternatives=dict(doc.get("caseness_alternatives", {})),
    )


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
