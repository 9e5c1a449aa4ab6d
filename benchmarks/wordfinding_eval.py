"""Word finding: top-1 and top-3 family accuracy for each mode, on both parts of the set.

    .venv/bin/python benchmarks/wordfinding_eval.py            # every mode available here
    .venv/bin/python benchmarks/wordfinding_eval.py --misses   # also list the held-out misses

A suggestion is a hit when its family is the family of any acceptable word. The held-out
part (heldout.tsv) was written first and is never used to tune the lexicon or the ranker; the
blind part (blind.tsv) was written by someone who never saw the lexicon (see its header).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thaw.settings")

DATA = Path(__file__).resolve().parent / "data" / "wordfinding"
PARTS = ("tuning", "heldout", "blind")


@dataclass(frozen=True)
class Example:
    sentence: str
    words: tuple[str, ...]


def load(part: str) -> list[Example]:
    examples = []
    for line in (DATA / f"{part}.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        words, sentence = line.split("\t")
        examples.append(Example(sentence, tuple(w.strip() for w in words.split(","))))
    return examples


def accuracy(examples: list[Example], model: object = None, misses: list[str] | None = None,
             use_lexicon: bool = True) -> tuple[float, float]:
    from thaw.checkins.vocabulary import vocabulary
    from thaw.checkins.wordfinding import rank

    vocab = vocabulary()
    top1 = top3 = 0
    for example in examples:
        wanted = {vocab.emotions[w].family for w in example.words}
        families = [s.family for s in rank(example.sentence, model, use_lexicon=use_lexicon)]  # type: ignore[arg-type]
        top1 += bool(families[:1] and families[0] in wanted)
        hit3 = bool(wanted & set(families[:3]))
        top3 += hit3
        if misses is not None and not hit3:
            misses.append(f"  want {'/'.join(sorted(wanted))}: got {', '.join(families[:3])} | {example.sentence}")
    return top1 / len(examples), top3 / len(examples)


def modes() -> list[tuple[str, object, bool]]:
    """(name, model, use the lexicon) for every mode this installation can run."""
    from thaw.checkins import wordmodel

    found: list[tuple[str, object, bool]] = [("lexicon", None, True)]
    model = wordmodel.load_model()
    if model is not None:
        found.append((f"{model.name} alone", model, False))
        found.append((f"lexicon+{model.name}", model, True))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list held-out sentences missed in the top 3")
    parser.add_argument("--tuning-misses", action="store_true", help="list tuning sentences missed in the top 3")
    parser.add_argument("--parts", nargs="+", default=list(PARTS), choices=PARTS, help="which parts to score")
    args = parser.parse_args()
    parts = {part: load(part) for part in PARTS if part in args.parts}
    print("sentences: " + ", ".join(f"{part} {len(examples)}" for part, examples in parts.items()))
    print(f"{'mode':<28}{'part':<10}{'top-1':>8}{'top-3':>8}")
    for name, model, use_lexicon in modes():
        for part, examples in parts.items():
            misses: list[str] | None = [] if (args.misses and part == "heldout") or (
                args.tuning_misses and part == "tuning") else None
            top1, top3 = accuracy(examples, model, misses, use_lexicon)
            print(f"{name:<28}{part:<10}{top1:>8.3f}{top3:>8.3f}")
            for miss in misses or []:
                print(miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
