"""The statistical layer of the crisis detector: on by default, in pure Python, no extra needed.

The phrases and concept rules (``thaw.safety.language``) catch the ways of saying crisis that
they list. Sentences written by people who never saw the list say it in ways nobody listed
(blind batches: recall 0.66-0.78 for the rules alone). This layer reads a text by its pieces
instead: a logistic regression over character n-grams (2 to 5 letters, inside words) and words
and word pairs, weighted tf-idf as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` does,
trained on Thaw's own labelled sentences in English and Spanish (one model for both, so a note
that mixes the two is read whole). It shows help when the rules found nothing but the model's
probability for the whole text, or for any one of its sentences, reaches ``threshold``.

The weights live in ``data/crisis/ngram.json.gz``, written by ``benchmarks/crisis_ngram.py
--write`` (scikit-learn there, a development dependency; nothing of it ships). The file holds
n-grams of Thaw's own sentences and their weights, never a person's words. Its figures and the
command that prints them are in docs/SAFETY.md.

Cost: linear in the text by construction (each word's n-grams are counted once, and each
word is counted twice: in its sentence and in the whole text); no regular expression with
nested quantifiers. Pure computation: no ORM, no request, no logging of text.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from thaw.safety.language import fold

MODEL_FILE = Path(__file__).resolve().parent / "data" / "crisis" / "ngram.json.gz"
CATEGORY = "statistical"  # the flag reason names this instead of a listed category
CHAR_SIZES = range(2, 6)
_WORD = re.compile(r"[a-z0-9']+")
SENTENCE_END = re.compile(r"(?:[.!?;\n]+|\s-\s)")
MAX_PIECES = 400  # a longer note's sentences are read in this many runs of neighbours
MIN_LETTERS = 3  # a piece shorter than this ("S.", "Jo") is too little to judge by its n-grams
WHOLE_WORDS = 120  # a note up to this long is also read whole
MAX_WORD = 40  # letters of one word read for its n-grams (longer is not a word)


def words(text: str) -> list[str]:
    """The words of ``text`` as the model reads them: folded to lower-case ASCII (accents,
    look-alike letters and curly apostrophes as the rules read them)."""
    return _WORD.findall(fold(text)[0])


def char_grams(word: str) -> list[str]:
    """The 2- to 5-letter pieces of one word, with a space marking its start and end."""
    padded = f" {word} "
    return [padded[i : i + n] for n in CHAR_SIZES if len(padded) >= n for i in range(len(padded) - n + 1)]


def word_grams(sequence: list[str]) -> list[str]:
    """Words and word pairs."""
    return sequence + [f"{a} {b}" for a, b in zip(sequence, sequence[1:], strict=False)]


@dataclass(frozen=True)
class Block:
    """One tf-idf block: each n-gram's idf and its weight in the model."""

    table: Mapping[str, tuple[float, float]]  # n-gram -> (idf, weight)

    def __contains__(self, gram: str) -> bool:
        return gram in self.table

    def score(self, counts: Mapping[str, int]) -> float:
        """The block's share of the decision: the l2-normalised tf-idf vector of ``counts``
        (n-grams the model knows) times the weights, as scikit-learn computes it
        (``sublinear_tf``: a count c weighs 1 + ln c)."""
        if not counts:
            return 0.0
        total = squares = 0.0
        table, log = self.table, math.log
        for gram, count in counts.items():
            idf, weight = table[gram]
            if count > 1:
                idf *= 1.0 + log(count)
            squares += idf * idf
            total += idf * weight
        return total / math.sqrt(squares)


@dataclass(frozen=True)
class Model:
    chars: Block
    words: Block
    intercept: float
    threshold: float

    def _counts(self, sequence: list[str], known: dict[str, list[str]]) -> tuple[Counter[str], Counter[str]]:
        """The known character n-grams and the known words and pairs of a run of words."""
        chars: Counter[str] = Counter()
        for word in sequence:
            grams = known.get(word)
            if grams is None:
                grams = known[word] = [g for g in char_grams(word[:MAX_WORD]) if g in self.chars.table]
            chars.update(grams)
        vocabulary = self.words.table
        return chars, Counter(g for g in word_grams(sequence) if g in vocabulary)

    def _probability(self, chars: Mapping[str, int], pairs: Mapping[str, int]) -> float:
        logit = self.intercept + self.chars.score(chars) + self.words.score(pairs)
        return 1.0 / (1.0 + math.exp(-logit)) if logit > -700 else 0.0

    def probability(self, sequence: list[str]) -> float:
        """P(crisis) for one piece of text given as its words."""
        return self._probability(*self._counts(sequence, {})) if sequence else 0.0

    def note_probability(self, text: str) -> float:
        """The highest probability of each sentence of the text and, for a note of up to
        ``WHOLE_WORDS`` words, of the whole of it (a short note's sentences read together; a
        long one's would only dilute). A long note's sentences are read in at most
        ``MAX_PIECES`` runs of neighbours."""
        pieces = [p for p in (words(piece) for piece in SENTENCE_END.split(text)) if sum(map(len, p)) >= MIN_LETTERS]
        if not pieces:
            return 0.0
        if len(pieces) > MAX_PIECES:
            size = -(-len(pieces) // MAX_PIECES)
            pieces = [[w for piece in pieces[i : i + size] for w in piece] for i in range(0, len(pieces), size)]
        known: dict[str, list[str]] = {}
        seen: set[tuple[str, ...]] = set()
        best = 0.0
        for piece in pieces:
            key = tuple(piece)
            if key not in seen:  # a repeated sentence is read once
                seen.add(key)
                best = max(best, self._probability(*self._counts(piece, known)))
        whole = [w for piece in pieces for w in piece]
        if len(pieces) > 1 and len(whole) <= WHOLE_WORDS:
            best = max(best, self._probability(*self._counts(whole, known)))
        return best


def read_model(path: Path = MODEL_FILE) -> Model:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        raw = json.load(handle)

    def block(name: str) -> Block:
        return Block({gram: (float(idf), float(weight)) for gram, (idf, weight) in raw[name].items()})

    loaded = Model(block("chars"), block("words"), float(raw["intercept"]), float(raw["threshold"]))
    # The file carries sentences with the probabilities scikit-learn gave them: a file whose
    # weights do not reproduce them (damaged, NaN, another threshold's model) stops start-up.
    examples = raw.get("meta", {}).get("examples") or []
    if not 0.0 < loaded.threshold < 1.0 or not examples:
        raise ValueError(f"{path.name}: no threshold in (0, 1) or no examples to check the weights against")
    for text, expected in examples:
        got = loaded.probability(words(text))
        if not abs(got - expected) <= 1e-6:
            raise ValueError(f"{path.name}: the weights give {got!r} for an example where training gave {expected!r}")
    return loaded


def write_model(path: Path, *, chars: Mapping[str, tuple[float, float]], words_: Mapping[str, tuple[float, float]],
                intercept: float, threshold: float, meta: Mapping[str, object]) -> None:
    document = {"meta": meta, "intercept": intercept, "threshold": threshold,
                "chars": {g: [round(i, 6), round(w, 6)] for g, (i, w) in sorted(chars.items())},
                "words": {g: [round(i, 6), round(w, 6)] for g, (i, w) in sorted(words_.items())}}
    with gzip.GzipFile(path, "wb", mtime=0) as handle:  # mtime 0: the same model writes the same bytes
        handle.write(json.dumps(document, ensure_ascii=True, separators=(",", ":")).encode("ascii"))


@cache
def model() -> Model:
    return read_model()


def shows_help(text: str) -> bool:
    """True when some sentence of ``text`` (or the whole of it) reads as crisis to the model."""
    if not text or not text.strip():
        return False
    loaded = model()
    return loaded.note_probability(text) >= loaded.threshold
