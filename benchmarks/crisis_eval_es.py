"""Recall and precision of the crisis-language detector on the Spanish evaluation sentences.

    .venv/bin/python benchmarks/crisis_eval_es.py                  # both parts, with misses and false alarms
    .venv/bin/python benchmarks/crisis_eval_es.py --part tuning    # only the part the phrase list is tuned on

The sentences are in tests/data/crisis_es/ (README.md there): ``tuning.tsv`` (the Spanish phrase
list, thaw/safety/data/crisis/es.toml, is developed against it) and ``held_out.tsv`` (written first,
looked at only to measure). Labels and what counts:

- ``crisis``: found when the detector returns a match **of the row's category** (the set's own rule);
  **recall** = share of crisis rows found.
- ``not_crisis``: any match is a false alarm. **Precision** = crisis rows that showed help (any
  category) over every row that showed help (crisis + not_crisis).
- ``borderline``: either outcome is acceptable; reported as how many matched and, from the rationale's
  "we prefer a match" / "we prefer no match", how many went against the preferred outcome.

Every sentence is scanned with every language's list, as Thaw does (a Spanish note with English
crisis words must be caught). The floors (held-out recall >= 0.95, precision >= 0.90) are asserted by
tests/test_crisis_eval_es.py.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "crisis_es"
PARTS = ("tuning", "held_out")
RECALL_FLOOR = 0.95
PRECISION_FLOOR = 0.90


@dataclass(frozen=True)
class Row:
    label: str
    category: str
    sentence: str
    rationale: str

    @property
    def prefers_match(self) -> bool | None:
        """For a borderline row: the preferred outcome its rationale states, or None."""
        text = self.rationale.lower()
        if "prefer no match" in text:
            return False
        if "prefer a match" in text:
            return True
        return None


@dataclass
class Result:
    part: str
    crisis: int = 0
    not_crisis: int = 0
    misses: list[Row] = field(default_factory=list)  # crisis rows without a match of their category
    wrong_category: list[Row] = field(default_factory=list)  # misses that matched another category
    false_alarms: list[Row] = field(default_factory=list)  # not_crisis rows with a match
    crisis_shown: int = 0  # crisis rows with any match (for precision)
    borderline: int = 0
    borderline_matched: int = 0
    borderline_against: list[tuple[Row, bool]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return (self.crisis - len(self.misses)) / self.crisis if self.crisis else 1.0

    @property
    def precision(self) -> float:
        shown = self.crisis_shown + len(self.false_alarms)
        return self.crisis_shown / shown if shown else 1.0


def load(part: str) -> list[Row]:
    with open(DATA / f"{part}.tsv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [Row(r["label"], r["category"], r["sentence"], r["rationale"] or "") for r in reader]


def evaluate(part: str) -> Result:
    from thaw.safety.language import find_crisis_language

    result = Result(part)
    for row in load(part):
        found = {match.category for match in find_crisis_language(row.sentence)}
        if row.label == "crisis":
            result.crisis += 1
            result.crisis_shown += bool(found)
            if row.category not in found:
                result.misses.append(row)
                if found:
                    result.wrong_category.append(row)
        elif row.label == "not_crisis":
            result.not_crisis += 1
            if found:
                result.false_alarms.append(row)
        else:
            result.borderline += 1
            result.borderline_matched += bool(found)
            preferred = row.prefers_match
            if preferred is not None and preferred != bool(found):
                result.borderline_against.append((row, bool(found)))
    return result


def report(result: Result, *, details: bool) -> str:
    found = result.crisis - len(result.misses)
    lines = [
        f"{result.part}: {result.crisis + result.not_crisis + result.borderline} sentences "
        f"({result.crisis} crisis, {result.not_crisis} not_crisis, {result.borderline} borderline)",
        f"  recall (clear crisis, right category)  {result.recall:.3f}  ({found}/{result.crisis})",
        f"  precision                              {result.precision:.3f}  ({len(result.false_alarms)} false "
        f"alarms in {result.not_crisis} not_crisis sentences)",
        f"  borderline matched                     {result.borderline_matched}/{result.borderline}"
        f"  ({len(result.borderline_against)} against the preferred outcome)",
    ]
    if details:
        lines += [f"  MISS{' (other category)' if r in result.wrong_category else ''}  [{r.category}] {r.sentence}"
                  for r in result.misses]
        lines += [f"  FALSE ALARM  {r.sentence}" for r in result.false_alarms]
        lines += [f"  BORDERLINE   {'matched' if shown else 'no match'}, preferred the other: {r.sentence}"
                  for r, shown in result.borderline_against]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=PARTS, action="append", help="one part only (repeatable)")
    parser.add_argument("--quiet", action="store_true", help="figures only, no sentence lists")
    args = parser.parse_args(argv)
    below = False
    for part in args.part or PARTS:
        result = evaluate(part)
        print(report(result, details=not args.quiet))
        below |= result.recall < RECALL_FLOOR or result.precision < PRECISION_FLOOR
    print(f"floors: recall >= {RECALL_FLOOR}, precision >= {PRECISION_FLOOR}:",
          "BELOW A FLOOR" if below else "met")
    return 1 if below else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
