"""Train and measure the crisis detector's statistical layer (thaw/safety/ngram.py).

    .venv/bin/python benchmarks/crisis_ngram.py                      # figures, no file written
    .venv/bin/python benchmarks/crisis_ngram.py --write              # retrain thaw/safety/data/crisis/ngram.json.gz
    .venv/bin/python benchmarks/crisis_ngram.py --blind PATH.tsv     # also score a blind batch (repeatable)
    .venv/bin/python benchmarks/crisis_ngram.py --blind PATH --details   # ... and list its misses and false alarms
    .venv/bin/python benchmarks/crisis_ngram.py --leave-one-out      # how the threshold was chosen

Trained on (``training_rows``): the English and Spanish tuning parts (tests/data/crisis/,
tests/data/crisis_es/), the blind batches B5-B16 and ES6-ES16 after their one
scoring, everyday notes of hard days (benchmarks/data/crisis/everyday_*.tsv) and neutral sentences
of Thaw's own text (background.tsv, rewritten by --background). Borderline rows are trained on
with the lean their rationale states and left out of every score. Never trained on: either
held-out part, the sealed batches B17 and ES17 (``BLIND_SEALED``), or any batch passed with --blind.

Settings (docs/SAFETY.md tells how they were chosen): a logistic regression (C=16, balanced class
weights) over two tf-idf blocks (letter 2- to 5-grams inside words; words and word pairs),
threshold 0.6 on the highest probability of each sentence and, for a note of up to 120 words, of
the whole. C and the class weights were fixed before B8 and ES8 were written; the threshold was
0.6, then 0.65 from the first round of 2026-12-06, and 0.6 again from the second on, when the
entries marked ``quiet_when_model_calm`` gave back precision (``--leave-one-out`` prints what
each threshold gives on the blind batches of the training data, each left out in turn). Uses
scikit-learn (a development dependency); Thaw reads the written weights with numpy, and this
script checks that it computes the same probability as scikit-learn for every training sentence.

Scores print for the rules alone, for the rules OR the layer, and as Thaw screens: the rules OR
the layer, where matches only of entries marked ``quiet_when_model_calm`` give way when the
layer reads the note as clearly calm (below ``thaw.safety.ngram.CALM``). The semantic backstop,
optional and off by default, is not included.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
C = 16.0
THRESHOLD = 0.6
BATCHES = ROOT / "benchmarks" / "data" / "crisis"
B5 = BATCHES / "blind_B5.tsv"
ES = ROOT / "tests" / "data" / "crisis_es"
# Training files beyond the two tuning parts: blind batches after their one scoring, and
# everyday notes of hard days (not crisis) in both languages.
TRAINING = (B5, *(BATCHES / f"blind_{name}.tsv" for name in ("B6", "B7", "B8", "B9", "B10", "B11", "B12", "B13",
                                                                "B14", "B15", "B16", "ES6", "ES7", "ES8", "ES9",
                                                                "ES10", "ES11", "ES12", "ES13", "ES14", "ES15",
                                                                "ES16")),
            BATCHES / "everyday_en.tsv", BATCHES / "everyday_en_2.tsv",
            BATCHES / "everyday_es.tsv", BATCHES / "everyday_es_2.tsv", BATCHES / "everyday_en_3.tsv",
            BATCHES / "everyday_es_3.tsv", BATCHES / "background.tsv")
# Never trained on: written on 2026-12-06 by writers who had seen no rule, model or sentence file,
# scored once on arrival (figures only) with the model of the time (the third round of that day),
# (112, 9) and (106, 17), then once with the model of the fourth round. name -> (file, (crisis
# sentences caught, false alarms) by the whole screen with the shipped model), which no change may
# make worse. (B16 and ES16, sealed until the fourth round, are now trained on.)
BLIND_SEALED: dict[str, tuple[Path, tuple[int, int]]] = {
    "B17": (BATCHES / "blind_B17.tsv", (113, 8)),  # of 120 crisis, 120 not crisis
    "ES17": (BATCHES / "blind_ES17.tsv", (107, 12)),  # of 110 crisis, 120 not crisis
}
LEANS_SHOW = ("lean show", "lean soft", "leans crisis", "prefer a match", "lean help")
LEANS_QUIET = ("lean quiet", "lean no", "leans not_crisis", "prefer no match", "leans no")


def lean(rationale: str) -> int | None:
    text = rationale.lower()
    if any(word in text for word in LEANS_SHOW):
        return 1
    if any(word in text for word in LEANS_QUIET):
        return 0
    return None


def read_tsv(path: Path) -> list[tuple[str, str]]:
    """(text, label) rows of a batch in the blind format (label, category, sentence, rationale):
    labels ``crisis``, ``none``, or ``lean-crisis`` / ``lean-none`` for borderline rows."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader((line for line in handle if not line.startswith("#")),
                                   delimiter="\t", quoting=csv.QUOTE_NONE))
    out = []
    for row in rows:
        label = row["label"]
        if label == "not_crisis":
            label = "none"
        elif label == "borderline":
            leaning = lean(row.get("rationale") or "")
            if leaning is None:
                continue
            label = "lean-crisis" if leaning else "lean-none"
        out.append((row["sentence"], label))
    return out


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def background_sentences() -> list[str]:
    """Neutral sentences of Thaw's own text, English and Spanish (vocabulary, exercises,
    affirmations, instruments, Learn articles and programme pages, the interface and its Spanish
    catalogue), 3 to 40 words each, none that the phrases and rules read as crisis: they teach the
    model what ordinary words look like, so a short everyday note is not judged by one word."""
    import re
    import tomllib

    from thaw.safety import ngram
    from thaw.safety.language import has_crisis_language

    texts: list[str] = []
    for path in sorted((ROOT / "thaw").glob("*/data/**/*.toml")):
        if "crisis" in path.parts or path.name.startswith(("resources", "risk_rules")):
            continue
        texts += _strings(tomllib.loads(path.read_text(encoding="utf-8")))
    for path in sorted((ROOT / "thaw" / "learn" / "data").rglob("*.md")):
        texts += [re.sub(r"[#*_`>\[\]()]", " ", line) for line in path.read_text(encoding="utf-8").splitlines()]
    catalogue = (ROOT / "thaw" / "locale" / "es" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for entry in re.finditer(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', catalogue, re.M):
        texts += ["".join(re.findall(r'"(.*)"', part)).replace("\\n", " ") for part in entry.groups()]
    found = set()
    for text in texts:
        for piece in ngram.SENTENCE_END.split(text):
            if 3 <= len(ngram.words(piece)) <= 40 and "%(" not in piece and "{" not in piece:
                found.add(" ".join(piece.split()))
    return sorted(t for t in found if not has_crisis_language(t))


def write_background() -> Path:
    path = BATCHES / "background.tsv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("# Neutral sentences of Thaw's own text (benchmarks/crisis_ngram.py --background writes this file;\n"
                     "# background_sentences() says which). Training data for the statistical model: not crisis.\n"
                     "label\tcategory\tsentence\trationale\n")
        for sentence in background_sentences():
            handle.write(f"not_crisis\tbackground\t{sentence.replace(chr(9), ' ')}\t\n")
    return path


def english(part: str) -> list[tuple[str, str]]:
    sys.path.insert(0, str(ROOT))
    from benchmarks.crisis_eval import load

    names = {"crisis": "crisis", "none": "none", "borderline-crisis": "lean-crisis", "borderline-none": "lean-none"}
    return [(s.text, names[s.label]) for s in load(part)]


def training_rows() -> list[tuple[str, int]]:
    rows = english("tuning") + read_tsv(ES / "tuning.tsv")
    for path in TRAINING:
        rows += read_tsv(path)
    return [(text, int(label in ("crisis", "lean-crisis"))) for text, label in rows]


def train(rows: Sequence[tuple[str, int]]):  # type: ignore[no-untyped-def]
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from thaw.safety.ngram import MAX_WORD, char_grams, word_grams, words

    chars = TfidfVectorizer(analyzer=lambda t: [g for w in words(t) for g in char_grams(w[:MAX_WORD])], sublinear_tf=True)
    pairs = TfidfVectorizer(analyzer=lambda t: word_grams(words(t)), sublinear_tf=True)
    texts = [text for text, _ in rows]
    matrix = hstack([chars.fit_transform(texts), pairs.fit_transform(texts)]).tocsr()
    fitted = LogisticRegression(C=C, max_iter=10000, class_weight="balanced").fit(matrix, [y for _, y in rows])
    weights = fitted.coef_[0]
    split = len(chars.vocabulary_)
    char_table = {g: (float(chars.idf_[i]), float(weights[i])) for g, i in chars.vocabulary_.items()}
    word_table = {g: (float(pairs.idf_[i]), float(weights[split + i])) for g, i in pairs.vocabulary_.items()}

    def probability(batch: Sequence[str]) -> list[float]:
        return list(fitted.predict_proba(hstack([chars.transform(batch), pairs.transform(batch)]))[:, 1])

    return char_table, word_table, float(fitted.intercept_[0]), probability


def score(rows: Sequence[tuple[str, str]], shown: Sequence[bool]) -> str:
    caught = sum(s for (_, label), s in zip(rows, shown, strict=True) if label == "crisis")
    crisis = sum(label == "crisis" for _, label in rows)
    calm = sum(label == "none" for _, label in rows)
    alarms = sum(s for (_, label), s in zip(rows, shown, strict=True) if label == "none")
    precision = caught / (caught + alarms) if caught + alarms else 1.0
    return (f"recall {caught / max(crisis, 1):.3f} ({caught}/{crisis})  precision {precision:.3f} "
            f"({alarms} false alarms in {calm})")


def rules_answer(text: str) -> str:
    """What the phrases and rules say of ``text``: "none", "quiet" (every match may give way to
    the statistical layer if it reads the note as clearly calm) or "show"."""
    from thaw.safety.language import find_crisis_language
    from thaw.safety.ngram import SENTENCE_END, sentences_read

    matches = find_crisis_language(text)
    if not matches:
        return "none"
    # as thaw.safety.backstop._quieted: marked, as written, within a sentence, and something to read
    quiet = all(m.quiet_when_model_calm and not SENTENCE_END.search(text[m.start : m.end]) for m in matches)
    return "quiet" if quiet and sentences_read(text) else "show"


def shown_by(rules: str, probability: float, threshold: float, quieting: bool = True) -> bool:
    """Whether Thaw's screen shows help (``thaw.safety.backstop.crisis_language``), given the
    rules' answer and the model's probability for the note."""
    from thaw.safety.ngram import CALM

    if rules == "none":
        return probability >= threshold
    return not (quieting and rules == "quiet" and probability < CALM)


def leave_one_batch_out(thresholds: Sequence[float] = (0.5, 0.55, 0.6, 0.65, 0.7), quieting: bool = True,
                        details: bool = False) -> None:
    """How the settings were chosen: each blind batch of the training data in turn is left out,
    the model is trained on everything else and the batch is scored (rules OR the layer) at each
    threshold; then the totals over all of them. Never reads a held-out part or a sealed batch.
    With ``details``, each batch's misses and false alarms at the shipped threshold follow its
    line, with what raised or missed them (the rules' answer and the model's probability)."""
    from thaw.safety import ngram

    folds = {path.stem.removeprefix("blind_"): read_tsv(path) for path in TRAINING
             if path.stem.startswith("blind_") and path != B5}
    rest = english("tuning") + read_tsv(ES / "tuning.tsv")
    for path in TRAINING:
        if path.stem.removeprefix("blind_") not in folds:
            rest += read_tsv(path)
    totals = {t: [0, 0, 0] for t in thresholds}
    for name, batch in folds.items():
        rows = rest + [row for other, part in folds.items() if other != name for row in part]
        char_table, word_table, intercept, _ = train([(t, int(label in ("crisis", "lean-crisis"))) for t, label in rows])
        model = ngram.Model(ngram.Block(char_table), ngram.Block(word_table), intercept, THRESHOLD)
        clear = [(t, label) for t, label in batch if label in ("crisis", "none")]
        rules = [rules_answer(t) for t, _ in clear]
        chances = [model.note_probability(t) for t, _ in clear]
        line = []
        for threshold in thresholds:
            shown = [shown_by(r, p, threshold, quieting) for r, p in zip(rules, chances, strict=True)]
            caught = sum(s for (_, label), s in zip(clear, shown, strict=True) if label == "crisis")
            alarms = sum(s for (_, label), s in zip(clear, shown, strict=True) if label == "none")
            crisis = sum(label == "crisis" for _, label in clear)
            total = totals[threshold]
            total[0], total[1], total[2] = total[0] + caught, total[1] + crisis, total[2] + alarms
            line.append(f"{threshold}: {caught / crisis:.3f} / {caught / max(caught + alarms, 1):.3f}")
        print(f"  left out {name:<5} (recall / precision)  " + "   ".join(line), flush=True)
        for (text, label), answer, chance in zip(clear, rules, chances, strict=True):
            shown = shown_by(answer, chance, THRESHOLD, quieting)
            if details and shown != (label == "crisis"):
                kind = "MISS       " if label == "crisis" else "FALSE ALARM"
                print(f"    {kind} rules={answer:<5} p={chance:.2f}  {text}")
    print("  all batches together              " + "   ".join(
        f"{t}: {c / n:.3f} / {c / max(c + a, 1):.3f}" for t, (c, n, a) in totals.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write thaw/safety/data/crisis/ngram.json.gz")
    parser.add_argument("--blind", type=Path, action="append", default=[], help="a blind batch to score (repeatable)")
    parser.add_argument("--details", action="store_true",
                        help="list the blind batches' misses and false alarms (with --leave-one-out: each left-out batch's)")
    parser.add_argument("--background", action="store_true",
                        help="rewrite benchmarks/data/crisis/background.tsv from Thaw's own text first")
    parser.add_argument("--leave-one-out", action="store_true",
                        help="score each blind batch of the training data with a model trained without it")
    parser.add_argument("--no-quieting", action="store_true",
                        help="with --leave-one-out: score as if no entry were marked quiet_when_model_calm")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.leave_one_out:
        leave_one_batch_out(quieting=not args.no_quieting, details=args.details)
        return 0
    if args.background:
        print(f"wrote {write_background().relative_to(ROOT)}")
    from thaw.safety import ngram

    rows = training_rows()
    char_table, word_table, intercept, probability = train(rows)
    model = ngram.Model(ngram.Block(char_table), ngram.Block(word_table), intercept, THRESHOLD)
    texts = [text for text, _ in rows]
    expected = probability(texts)
    worst = 0.0
    for text, p in zip(texts, expected, strict=True):
        sequence = ngram.words(text)
        got = model.probability(sequence)
        worst = max(worst, abs(got - p))
    print(f"trained on {len(rows)} sentences ({sum(y for _, y in rows)} leaning to crisis); "
          f"{len(char_table)} character n-grams, {len(word_table)} words and pairs")
    print(f"Thaw's probability against scikit-learn's, worst difference: {worst:.2e}")
    if worst > 1e-6:
        print("MISMATCH: thaw/safety/ngram.py does not compute what was trained")
        return 1

    parts = {"English held-out (tests/data/crisis/held_out.tsv)": english("held_out"),
             "Spanish held-out (tests/data/crisis_es/held_out.tsv)": read_tsv(ES / "held_out.tsv")}
    parts |= {f"blind {path.name}": read_tsv(path) for path in args.blind}
    for name, batch in parts.items():
        batch = [(t, label) for t, label in batch if label in ("crisis", "none")]
        answers = [rules_answer(t) for t, _ in batch]
        chances = [model.note_probability(t) for t, _ in batch]
        both = [shown_by(a, p, THRESHOLD) for a, p in zip(answers, chances, strict=True)]
        print(name)
        print("  rules alone          ", score(batch, [a != "none" for a in answers]))
        print("  rules OR statistical ", score(batch, [shown_by(a, p, THRESHOLD, quieting=False)
                                                      for a, p in zip(answers, chances, strict=True)]))
        print("  as Thaw screens      ", score(batch, both))
        if args.details and name.startswith("blind"):
            for (text, label), shown in zip(batch, both, strict=True):
                if label == "crisis" and not shown:
                    print("    MISS        ", text)
                if label == "none" and shown:
                    print("    FALSE ALARM ", text)

    if args.write:
        examples = [[text, round(p, 9)] for text, p in list(zip(texts, expected, strict=True))[::97]]
        ngram.write_model(ngram.MODEL_FILE, chars=char_table, words_=word_table, intercept=intercept,
                          threshold=THRESHOLD, meta={"C": C, "sentences": len(rows), "examples": examples,
                                                      "written_by": "benchmarks/crisis_ngram.py --write"})
        print(f"wrote {ngram.MODEL_FILE.relative_to(ROOT)} ({ngram.MODEL_FILE.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
