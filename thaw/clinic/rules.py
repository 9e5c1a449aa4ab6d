"""Load and validate the risk rules (``data/risk_rules.toml``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PATH = Path(__file__).parent / "data" / "risk_rules.toml"
SEVERITIES = ("crisis", "deterioration", "disengagement")
KINDS = ("assessment_item", "crisis_language", "deterioration", "disengagement")


class RulesInvalid(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    severity: str
    label: str
    instrument: str = ""
    item: int = 0
    at_least: int = 0
    instruments: tuple[str, ...] = field(default_factory=tuple)
    days: int = 0


@dataclass(frozen=True)
class RiskRules:
    rules: tuple[Rule, ...]

    def severity_of(self, kind: str) -> str:
        for rule in self.rules:
            if rule.kind == kind:
                return rule.severity
        return "crisis" if kind in ("assessment_item", "crisis_language") else "disengagement"

    def of_kind(self, kind: str) -> list[Rule]:
        return [r for r in self.rules if r.kind == kind]

    @property
    def crisis_kinds(self) -> set[str]:
        return {r.kind for r in self.rules if r.severity == "crisis"} | {"assessment_item", "crisis_language"}


def parse(text: str, source: str = "risk_rules.toml") -> RiskRules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesInvalid(f"{source}: not valid TOML: {exc}") from None
    raw_rules = data.get("rule")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RulesInvalid(f"{source}: needs at least one [[rule]]")
    allowed = set(Rule.__dataclass_fields__)
    rules = []
    seen = set()
    for n, raw in enumerate(raw_rules):
        where = f"{source}: rule {n + 1}"
        unknown = set(raw) - allowed
        if unknown:
            raise RulesInvalid(f"{where}: unknown key {sorted(unknown)[0]!r}")
        for key in ("id", "kind", "severity", "label"):
            if not isinstance(raw.get(key), str) or not raw[key]:
                raise RulesInvalid(f"{where}: {key!r} is required text")
        if raw["id"] in seen:
            raise RulesInvalid(f"{where}: id {raw['id']!r} is used twice")
        seen.add(raw["id"])
        if raw["kind"] not in KINDS:
            raise RulesInvalid(f"{where}: kind must be one of {', '.join(KINDS)}")
        if raw["severity"] not in SEVERITIES:
            raise RulesInvalid(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
        if raw["kind"] == "assessment_item":
            if not isinstance(raw.get("instrument"), str) or not isinstance(raw.get("item"), int) or raw["item"] < 1:
                raise RulesInvalid(f"{where}: an assessment_item rule needs instrument and item (1-based)")
            if not isinstance(raw.get("at_least"), int) or raw["at_least"] < 0:
                raise RulesInvalid(f"{where}: at_least must be a whole number ≥ 0")
        if raw["kind"] == "disengagement" and (not isinstance(raw.get("days"), int) or not 1 <= raw["days"] <= 60):
            raise RulesInvalid(f"{where}: days must be a whole number from 1 to 60")
        if raw["kind"] == "deterioration":
            instruments = raw.get("instruments")
            if not isinstance(instruments, list) or not all(isinstance(i, str) for i in instruments):
                raise RulesInvalid(f"{where}: instruments must be a list of instrument ids")
            raw = {**raw, "instruments": tuple(instruments)}
        rules.append(Rule(**raw))
    return RiskRules(tuple(rules))


@cache
def risk_rules() -> RiskRules:
    return parse(PATH.read_text(encoding="utf-8"), str(PATH.name))
