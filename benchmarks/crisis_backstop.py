"""Would a small statistical backstop help the crisis detector? The measurement behind "no".

    .venv/bin/python benchmarks/crisis_backstop.py

The idea: a logistic regression on character and word n-grams, trained on our own labelled
sentences, shows help when the phrases and concept rules do not but the model is confident.
It only earns its place if it adds recall on sentences nobody tuned on without pulling
precision below the floor (0.90). Two measurements, both leave-one-batch-out (a batch is a
set of sentences written together; see tests/data/crisis/tuning.tsv):

1. **The fair one.** The blind batch B1 was written by someone who never saw the phrase list,
   and it was measured before this round of changes. Here the detector as it was then (the
   phrase file at ``BEFORE_ROUND``, read by today's code) plus a model trained on every other
   batch are scored on B1: neither part has seen it.
2. **With today's rules**, for each batch in turn: today's phrases and concept rules (which
   were tuned on every batch, so they score every batch perfectly) plus a model trained on the
   other batches. This can only show what the model costs in false alarms.

Uses scikit-learn, a development dependency: nothing here ships. Sentences labelled
borderline are trained on with their lean and left out of the scores, as in crisis_eval.py.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE_ROUND = "a4da3c5"  # B1 added to the tuning data, detector not yet changed
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)


def model_scores(train: Sequence[tuple[str, int]], test: Sequence[str]) -> list[float]:
    """P(crisis) for each test sentence from a model fitted on ``train``."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"[a-z0-9']+")
    texts = [text for text, _ in train]
    fitted = hstack([chars.fit_transform(texts), words.fit_transform(texts)])
    model = LogisticRegression(C=4, max_iter=3000, class_weight="balanced")
    model.fit(fitted, [label for _, label in train])
    return list(model.predict_proba(hstack([chars.transform(test), words.transform(test)]))[:, 1])


def score(labels: Sequence[str], shown: Sequence[bool]) -> tuple[int, int, int]:
    """(crisis sentences shown help, crisis sentences, non-crisis sentences shown help)."""
    caught = sum(s for label, s in zip(labels, shown, strict=True) if label == "crisis")
    alarms = sum(s for label, s in zip(labels, shown, strict=True) if label == "none")
    return caught, labels.count("crisis"), alarms


def line(name: str, caught: int, crisis: int, alarms: int) -> str:
    precision = caught / (caught + alarms) if caught + alarms else 1.0
    return f"  {name:<28} recall {caught / crisis:.3f} ({caught}/{crisis})  precision {precision:.3f} ({alarms} false alarms)"


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from benchmarks.crisis_eval import load
    from thaw.safety import language

    sentences = load("tuning")
    blind = [b for b in sorted({s.batch for s in sentences}) if any(
        s.batch == b and s.source.startswith("blind") for s in sentences)]
    lean = {"crisis": 1, "borderline-crisis": 1, "none": 0, "borderline-none": 0}

    def split(batch: int) -> tuple[list[tuple[str, int]], list[str], list[str]]:
        train = [(s.text, lean[s.label]) for s in sentences if s.batch != batch]
        test = [s for s in sentences if s.batch == batch and s.label in ("crisis", "none")]
        return train, [s.text for s in test], [s.label for s in test]

    def report(detector: Callable[[str], bool], batches: Sequence[int]) -> None:
        totals = {"rules alone": [0, 0, 0]} | {f"rules or model >= {t}": [0, 0, 0] for t in THRESHOLDS}
        for batch in batches:
            train, texts, labels = split(batch)
            rules = [detector(text) for text in texts]
            probabilities = model_scores(train, texts)
            for name, total in totals.items():
                if name == "rules alone":
                    shown = rules
                else:
                    cut = float(name.rsplit(" ", 1)[1])
                    shown = [r or p >= cut for r, p in zip(rules, probabilities, strict=True)]
                for i, value in enumerate(score(labels, shown)):
                    total[i] += value
        for name, (caught, crisis, alarms) in totals.items():
            print(line(name, caught, crisis, alarms))

    before = subprocess.run(["git", "show", f"{BEFORE_ROUND}:thaw/safety/data/crisis/en.toml"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "en.toml").write_text(before, encoding="utf-8")
        old = language.phrase_lists(Path(directory))
        print(f"1. blind batch B1, detector as it was before this round ({BEFORE_ROUND}), model trained on the other batches:")
        report(lambda text: bool(language.find_crisis_language(text, old)), blind)
    print("2. every batch in turn, today's detector (tuned on all of them), model trained on the other batches:")
    report(language.has_crisis_language, sorted({s.batch for s in sentences}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
