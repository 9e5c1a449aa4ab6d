"""Recall and precision of the crisis-language detector on our own evaluation sentences.

    .venv/bin/python benchmarks/crisis_eval.py              # both parts, with misses and false alarms
    .venv/bin/python benchmarks/crisis_eval.py --part tuning  # only the part the phrase list is tuned on
    .venv/bin/python benchmarks/crisis_eval.py --part tuning --by-batch --quiet  # each written batch, each layer
    .venv/bin/python benchmarks/crisis_eval.py --blind benchmarks/data/crisis/blind_B5.tsv  # a blind batch

A blind batch is a file in the blind writers' own format (columns label, category, sentence,
rationale; labels crisis / not_crisis / borderline, a borderline rationale saying "lean show" (or "lean soft") or
"lean quiet"): recall over crisis, precision over crisis and not_crisis, borderline agreement with
the rationale's lean, and misses by category. ``--blind-quiet`` prints no sentences, for a batch that
must stay unread (kept outside the repository, so nobody tunes on it by accident).

The sentences are in tests/data/crisis/: ``tuning.tsv`` (the phrase list is developed against
it) and ``held_out.tsv`` (written first, never tuned on). Labels:

- ``crisis`` / ``none``: clear cases. **Recall** = share of crisis sentences that show help;
  **precision** = share of sentences showing help that are crisis sentences (crisis + none).
- ``borderline-crisis`` / ``borderline-none``: a decision with a written rationale; reported
  as agreement with that decision, outside recall and precision.

The floors (held-out recall >= 0.95, precision >= 0.90) are asserted by
tests/test_crisis_eval.py on both parts.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "crisis"
PARTS = ("tuning", "held_out")
LABELS = ("crisis", "none", "borderline-crisis", "borderline-none")
RECALL_FLOOR = 0.95
PRECISION_FLOOR = 0.90
LEANS_SHOW = ("lean show", "lean soft", "leans crisis")  # a blind batch's borderline rationale that leans to showing help


@dataclass(frozen=True)
class Sentence:
    label: str
    text: str
    rationale: str
    batch: int = 1  # a "# --- " comment line in the file starts the next batch
    source: str = ""  # that line's text: who wrote the batch and how ("blind batch ..." for blind ones)


@dataclass
class Result:
    part: str
    counts: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)  # crisis sentences that showed no help
    false_alarms: list[str] = field(default_factory=list)  # none sentences that showed help
    borderline_disagreements: list[tuple[str, str]] = field(default_factory=list)
    borderline_total: int = 0

    @property
    def recall(self) -> float:
        crisis = self.counts.get("crisis", 0)
        return (crisis - len(self.misses)) / crisis if crisis else 1.0

    @property
    def precision(self) -> float:
        shown = self.counts.get("crisis", 0) - len(self.misses) + len(self.false_alarms)
        return (shown - len(self.false_alarms)) / shown if shown else 1.0

    @property
    def borderline_agreement(self) -> float:
        total = self.borderline_total
        return (total - len(self.borderline_disagreements)) / total if total else 1.0


def load(part: str) -> list[Sentence]:
    """The sentences of one part; a malformed row stops with its line number."""
    path = DATA / f"{part}.tsv"
    sentences: list[Sentence] = []
    batch = 1
    source = ""
    with open(path, encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines()
    rows: list[tuple[int, str, list[str]]] = []
    seen_header = False
    for line in lines:
        if line.startswith("# ---"):
            batch += seen_header
            source = line[5:].strip()
            continue
        if line.startswith("#") or not line.strip():
            continue
        if not seen_header:
            if line.split("\t")[:2] != ["label", "text"]:
                raise ValueError(f"{path.name}: the first row must be label, text, rationale")
            seen_header = True
            continue
        rows.append((batch, source, next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))))
    for number, (batch, source, row) in enumerate(rows, start=2):
        label, text = row[0], row[1] if len(row) > 1 else ""
        rationale = row[2] if len(row) > 2 else ""
        if label not in LABELS or not text.strip():
            raise ValueError(f"{path.name} row {number}: unknown label or empty text: {row!r}")
        if label.startswith("borderline") and not rationale.strip():
            raise ValueError(f"{path.name} row {number}: a borderline sentence needs a rationale")
        sentences.append(Sentence(label, text, rationale, batch, source))
    return sentences


def evaluate(part: str, batch: int | None = None, detector: Callable[[str], bool] | None = None) -> Result:
    from thaw.safety.language import has_crisis_language

    detector = detector or has_crisis_language
    result = Result(part if batch is None else f"{part}, batch {batch}")
    for sentence in load(part):
        if batch is not None and sentence.batch != batch:
            continue
        result.counts[sentence.label] = result.counts.get(sentence.label, 0) + 1
        shown = detector(sentence.text)
        if sentence.label == "crisis" and not shown:
            result.misses.append(sentence.text)
        elif sentence.label == "none" and shown:
            result.false_alarms.append(sentence.text)
        elif sentence.label.startswith("borderline"):
            result.borderline_total += 1
            if shown != (sentence.label == "borderline-crisis"):
                result.borderline_disagreements.append((sentence.label, sentence.text))
    return result


def report(result: Result, *, details: bool) -> str:
    counts = ", ".join(f"{result.counts.get(label, 0)} {label}" for label in LABELS)
    lines = [
        f"{result.part}: {sum(result.counts.values())} sentences ({counts})",
        f"  recall (clear crisis)  {result.recall:.3f}  "
        f"({result.counts.get('crisis', 0) - len(result.misses)}/{result.counts.get('crisis', 0)})",
        f"  precision              {result.precision:.3f}  ({len(result.false_alarms)} false alarms"
        f" in {result.counts.get('none', 0)} non-crisis sentences)",
        f"  borderline agreement   {result.borderline_agreement:.3f}"
        f"  ({result.borderline_total - len(result.borderline_disagreements)}/{result.borderline_total})",
    ]
    if details:
        lines += [f"  MISS         {text}" for text in result.misses]
        lines += [f"  FALSE ALARM  {text}" for text in result.false_alarms]
        lines += [f"  BORDERLINE   expected {label[11:]:<6} {text}"
                  for label, text in result.borderline_disagreements]
    return "\n".join(lines)


def layers() -> dict[str, Callable[[str], bool]]:
    """The detector, and each of its two layers on its own (phrases; concept rules)."""
    import dataclasses

    from thaw.safety.language import find_crisis_language, phrase_lists

    phrases_only = [dataclasses.replace(listed, rules=()) for listed in phrase_lists()]
    rules_only = [dataclasses.replace(listed, phrases=(), anything=None) for listed in phrase_lists()]
    return {
        "detector": lambda text: bool(find_crisis_language(text)),
        "phrases alone": lambda text: bool(find_crisis_language(text, phrases_only)),
        "concept rules alone": lambda text: bool(find_crisis_language(text, rules_only)),
    }


def by_batch(part: str) -> str:
    """One line per written batch: who wrote it, and what each layer finds in it."""
    sentences = load(part)
    lines = [f"{part}, batch by batch (recall on clear crisis / false alarms on clear non-crisis):"]
    for batch in sorted({s.batch for s in sentences}):
        source = next(s.source for s in sentences if s.batch == batch) or "written first"
        cells = []
        for name, detector in layers().items():
            result = evaluate(part, batch, detector)
            crisis = result.counts.get("crisis", 0)
            cells.append(f"{name} {crisis - len(result.misses)}/{crisis}, {len(result.false_alarms)} FA")
        lines.append(f"  batch {batch} ({source[:70]}): " + "; ".join(cells))
    return "\n".join(lines)


def score_blind(path: Path, *, details: bool) -> str:
    """Recall, precision, borderline agreement and misses by category on one blind batch."""
    from thaw.safety.language import has_crisis_language

    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader((line for line in handle if not line.startswith("#")),
                                   delimiter="\t", quoting=csv.QUOTE_NONE))
    crisis = [r for r in rows if r["label"] == "crisis"]
    calm = [r for r in rows if r["label"] == "not_crisis"]
    borderline = [r for r in rows if r["label"] == "borderline"]
    missed = [r for r in crisis if not has_crisis_language(r["sentence"])]
    alarms = [r for r in calm if has_crisis_language(r["sentence"])]
    against = [r for r in borderline
               if has_crisis_language(r["sentence"]) != any(w in r["rationale"].lower() for w in LEANS_SHOW)]
    shown = len(crisis) - len(missed) + len(alarms)
    by_category: dict[str, list[int]] = {}
    for row in crisis:
        counts = by_category.setdefault(row["category"], [0, 0])
        counts[0] += row in missed
        counts[1] += 1
    lines = [
        f"{path.name}: {len(rows)} sentences ({len(crisis)} crisis, {len(calm)} not_crisis, {len(borderline)} borderline)",
        f"  recall (clear crisis)  {(len(crisis) - len(missed)) / max(len(crisis), 1):.3f}"
        f"  ({len(crisis) - len(missed)}/{len(crisis)})",
        f"  precision              {(shown - len(alarms)) / max(shown, 1):.3f}"
        f"  ({len(alarms)} false alarms in {len(calm)} not_crisis sentences)",
        f"  borderline agreement   {len(borderline) - len(against)}/{len(borderline)}",
        "  misses by category: " + ", ".join(f"{name} {m}/{n}" for name, (m, n) in by_category.items()),
    ]
    if details:
        lines += [f"  MISS         {r['category']}: {r['sentence']}" for r in missed]
        lines += [f"  FALSE ALARM  {r['category']}: {r['sentence']}" for r in alarms]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=PARTS, action="append", help="one part only (repeatable)")
    parser.add_argument("--quiet", action="store_true", help="figures only, no sentence lists")
    parser.add_argument("--by-batch", action="store_true",
                        help="also each written batch, with the phrases and the concept rules on their own")
    parser.add_argument("--blind", type=Path, action="append", help="score a blind batch file (repeatable)")
    parser.add_argument("--blind-quiet", type=Path, action="append",
                        help="score a blind batch file that must stay unread: figures only (repeatable)")
    args = parser.parse_args(argv)
    if args.blind or args.blind_quiet:
        for path in args.blind or []:
            print(score_blind(path, details=not args.quiet))
        for path in args.blind_quiet or []:
            print(score_blind(path, details=False))
        return 0
    below = False
    for part in args.part or PARTS:
        result = evaluate(part)
        print(report(result, details=not args.quiet))
        below |= result.recall < RECALL_FLOOR or result.precision < PRECISION_FLOOR
        batches = sorted({s.batch for s in load(part)})
        if args.by_batch:
            print(by_batch(part))
        elif part == "held_out" and len(batches) > 1:
            for batch in batches:
                print(report(evaluate(part, batch), details=False))
    print(f"floors: recall >= {RECALL_FLOOR}, precision >= {PRECISION_FLOOR}:",
          "BELOW A FLOOR" if below else "met")
    return 1 if below else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
