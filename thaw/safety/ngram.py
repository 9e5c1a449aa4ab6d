"""The statistical layer of the crisis detector: on by default, with numpy, no extra needed.

The phrases and concept rules (``thaw.safety.language``) catch the ways of saying crisis that
they list. Sentences written by people who never saw the list say it in ways nobody listed
(blind batches: recall 0.66-0.78 for the rules alone). This layer reads a text by its pieces
instead: a logistic regression over character n-grams (2 to 5 letters, inside words) and words
and word pairs, weighted tf-idf as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` does,
trained on Thaw's own labelled sentences in English and Spanish (one model for both, so a note
that mixes the two is read whole). It shows help when the rules found nothing but the model's
probability for the whole text, or for any one of its sentences, reaches ``threshold``. It
also tells ``thaw.safety.backstop`` when a note reads as clearly calm (``reads_calm``), so that
matches of the few entries marked ``quiet_when_model_calm`` give way.

The weights live in ``data/crisis/ngram.json.gz``, written by ``benchmarks/crisis_ngram.py
--write`` (scikit-learn there, a development dependency; nothing of it ships). The file holds
n-grams of Thaw's own sentences and their weights, never a person's words. Its figures and the
command that prints them are in docs/SAFETY.md.

Cost: linear in the text by construction (each word's n-grams are counted once, and each
word is counted twice: in its sentence and in the whole text), plus one sort of the text's
n-grams; every piece of a note is scored in the same few numpy passes. No regular expression
with nested quantifiers. Pure computation: no ORM, no request, no logging of text.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import chain, repeat
from pathlib import Path

import numpy as np

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
SMALL = 80  # words: a note up to this long is read in plain Python, a longer one with numpy
# Below this probability a text reads as clearly calm: the matches of rules marked
# ``quiet_when_model_calm`` give way (docs/SAFETY.md says how it was chosen).
CALM = 0.07


def words(text: str) -> list[str]:
    """The words of ``text`` as the model reads them: folded to lower-case ASCII (accents,
    look-alike letters and curly apostrophes as the rules read them)."""
    return _WORD.findall(fold(text)[0])


# Where each n-gram of a padded word of a given length starts and ends, worked out once:
# ``map(padded.__getitem__, _SLICES[len(padded)])`` cuts them all without a Python loop.
_SLICES = [[slice(i, i + n) for n in CHAR_SIZES for i in range(length - n + 1)] for length in range(MAX_WORD + 3)]


def char_grams(word: str) -> list[str]:
    """The 2- to 5-letter pieces of one word, with a space marking its start and end."""
    padded = f" {word[:MAX_WORD]} "
    return list(map(padded.__getitem__, _SLICES[len(padded)]))


def _code(gram: str) -> int:
    """A character n-gram (ASCII, 2 to 5 characters) as one number: 7 bits a character, then
    3 bits for its length."""
    code = 0
    for char in gram.encode("ascii"):
        code = (code << 7) | char
    return (code << 3) | len(gram)


def word_grams(sequence: list[str]) -> list[str]:
    """Words and word pairs."""
    return sequence + list(map(" ".join, zip(sequence, sequence[1:], strict=False)))


class Block:
    """One tf-idf block: each n-gram's idf and its weight in the model.

    Scoring is done for many pieces of text at once with numpy: each (piece, n-gram) pair is
    counted once, so the work is a sort of the text's n-grams and a few passes over them,
    whatever the number of pieces (issue 12's floor: under 20 ms on 5,000 adversarial
    characters).
    """

    def __init__(self, table: Mapping[str, tuple[float, float]]) -> None:
        self.table = dict(table)  # n-gram -> (idf, weight)
        self.ids = {gram: number for number, gram in enumerate(self.table, start=1)}  # 0: unknown
        self.idf = np.array([0.0] + [idf for idf, _ in self.table.values()])
        self.weight = np.array([0.0] + [weight for _, weight in self.table.values()])

    @cached_property
    def codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Each character n-gram as a number (``_code``), sorted, and its number in the block."""
        pairs = sorted((_code(gram), number) for gram, number in self.ids.items() if len(gram) in CHAR_SIZES)
        return np.array([c for c, _ in pairs], dtype=np.int64), np.array([n for _, n in pairs], dtype=np.int64)

    def known_chars(self, words_: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Every known character n-gram of each word (as ``char_grams`` cuts them), as (the
        index of its word, its number), worked out for all the words at once: the words are
        laid end to end, each between its own two spaces, and each window of 2 to 5 bytes
        that does not run from one word into the next is read as a number."""
        stream = np.frombuffer(("".join(f" {w[:MAX_WORD]} " for w in words_)).encode("ascii"), dtype=np.uint8)
        owner = np.repeat(np.arange(len(words_), dtype=np.int64), [min(len(w), MAX_WORD) + 2 for w in words_])
        space = stream == 32
        values = stream.astype(np.int64)
        codes, numbers = self.codes
        found_words, found_numbers = [], []
        for size in CHAR_SIZES:
            count = len(stream) - size + 1
            if count <= 0:
                break
            code = np.zeros(count, dtype=np.int64)
            inside = np.ones(count, dtype=bool)
            for offset in range(size):
                code = (code << 7) | values[offset : offset + count]
                if 0 < offset < size - 1:
                    inside &= ~space[offset : offset + count]
            if size == 2:
                inside &= ~(space[:count] & space[1 : 1 + count])
            code = (code << 3) | size
            place = np.minimum(np.searchsorted(codes, code), len(codes) - 1)
            hit = inside & (codes[place] == code)
            found_words.append(owner[:count][hit])
            found_numbers.append(numbers[place[hit]])
        if not found_words:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        # Not in the order char_grams gives them: only the counts matter.
        return np.concatenate(found_words), np.concatenate(found_numbers)

    def score(self, counts: Mapping[str, int]) -> float:
        """``scores`` for one piece given as its known n-grams' counts, in plain Python: for a
        short note numpy's fixed cost per call is more than the whole reading."""
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

    def known(self, grams: Iterable[str]) -> list[int]:
        """The numbers of the n-grams the model knows, in order."""
        return list(filter(None, map(self.ids.get, grams, repeat(0))))

    def scores(self, pieces: np.ndarray, grams: np.ndarray, count: int) -> np.ndarray:
        """The block's share of the decision for each of ``count`` pieces, given each known
        n-gram occurrence as (its piece, its number): the l2-normalised tf-idf vector of the
        piece times the weights, as scikit-learn computes it (``sublinear_tf``: a count c
        weighs 1 + ln c)."""
        result = np.zeros(count)
        if not grams.size:
            return result
        size = len(self.idf)
        keys, counts = np.unique(pieces * size + grams, return_counts=True)
        piece, gram = np.divmod(keys, size)
        value = self.idf[gram] * (1.0 + np.log(counts))
        squares = np.bincount(piece, value * value, minlength=count)
        total = np.bincount(piece, value * self.weight[gram], minlength=count)
        return np.divide(total, np.sqrt(squares), out=result, where=squares > 0)


@dataclass(frozen=True)
class Model:
    chars: Block
    words: Block
    intercept: float
    threshold: float

    def probabilities(self, pieces: list[list[str]]) -> list[float]:
        """P(crisis) for each piece of text, given as its words: in plain Python for a short
        note (up to ``SMALL`` words in all), with numpy otherwise. Both give the same figures
        (tests/test_crisis_ngram.py holds them together)."""
        if sum(map(len, pieces)) <= SMALL:
            known: dict[str, list[str]] = {}
            return [self._plain(piece, known) for piece in pieces]
        return [float(p) for p in self._vectorised(pieces)]

    def _plain(self, piece: list[str], known: dict[str, list[str]]) -> float:
        chars: Counter[str] = Counter()
        table = self.chars.table
        for word in piece:
            grams = known.get(word)
            if grams is None:
                grams = known[word] = list(filter(table.__contains__, char_grams(word)))
            chars.update(grams)
        pairs = Counter(filter(self.words.table.__contains__, word_grams(piece)))
        logit = self.intercept + self.chars.score(chars) + self.words.score(pairs)
        return 1.0 / (1.0 + math.exp(-logit)) if logit > -700 else 0.0

    def _vectorised(self, pieces: list[list[str]]) -> np.ndarray:
        count = len(pieces)
        word_piece = np.repeat(np.arange(count, dtype=np.int64), [len(piece) for piece in pieces])
        owners, chars = self.chars.known_chars(list(chain.from_iterable(pieces)))
        char_pieces = word_piece[owners]
        pairs = [self.words.known(word_grams(piece)) for piece in pieces]
        pair_ids = np.fromiter(chain.from_iterable(pairs), dtype=np.int64)
        pair_pieces = np.repeat(np.arange(count, dtype=np.int64), [len(found) for found in pairs])
        logits = (self.intercept + self.chars.scores(char_pieces, chars, count)
                  + self.words.scores(pair_pieces, pair_ids, count))
        return 1.0 / (1.0 + np.exp(-np.maximum(logits, -700.0)))

    def probability(self, sequence: list[str]) -> float:
        """P(crisis) for one piece of text given as its words."""
        return self.probabilities([sequence])[0] if sequence else 0.0

    def note_probability(self, text: str) -> float:
        """The highest probability of each sentence of the text and, for a note of up to
        ``WHOLE_WORDS`` words, of the whole of it (a short note's sentences read together; a
        long one's would only dilute). A long note's sentences are read in at most
        ``MAX_PIECES`` runs of neighbours. 0.0 when no sentence has ``MIN_LETTERS`` letters:
        nothing was read (``reads_calm`` does not take that for calm)."""
        pieces = sentences_read(text)
        if not pieces:
            return 0.0
        if len(pieces) > MAX_PIECES:
            size = -(-len(pieces) // MAX_PIECES)
            pieces = [[w for piece in pieces[i : i + size] for w in piece] for i in range(0, len(pieces), size)]
        read = list({tuple(piece): piece for piece in pieces}.values())  # a repeated sentence is read once
        whole = [w for piece in pieces for w in piece]
        if len(pieces) > 1 and len(whole) <= WHOLE_WORDS:
            read.append(whole)
        return max(self.probabilities(read))


def sentences_read(text: str) -> list[list[str]]:
    """The sentences of ``text`` the model judges, as their words."""
    return [p for p in (words(piece) for piece in SENTENCE_END.split(text)) if sum(map(len, p)) >= MIN_LETTERS]


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
    # The numpy reading of long notes, built here (before gunicorn forks, so workers share it)
    # and checked against the plain reading on the examples read as one long piece.
    pieces = [words(text) for text, _ in examples]
    long_piece = [w for piece in pieces for w in piece]
    expected_long = [loaded._plain(piece, {}) for piece in pieces] + [loaded._plain(long_piece, {})]
    got_long = loaded._vectorised([*pieces, long_piece])
    if len(long_piece) <= SMALL or not all(abs(a - b) <= 1e-9 for a, b in zip(got_long, expected_long, strict=True)):
        raise ValueError(f"{path.name}: the numpy reading does not give the plain reading's probabilities")
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


def reads_calm(text: str) -> bool:
    """True when every sentence of ``text`` the model judges (and, for a short note, the whole
    of it) reads as clearly calm: below ``CALM``. False when the model had nothing to read
    ("s.u.i.c.i.d.a.l" is letters of under three each). Only entries of the rules marked
    ``quiet_when_model_calm`` give way to it."""
    return bool(sentences_read(text)) and model().note_probability(text) < CALM


def shows_help(text: str) -> bool:
    """True when some sentence of ``text`` (or the whole of it) reads as crisis to the model."""
    if not text or not text.strip():
        return False
    loaded = model()
    return loaded.note_probability(text) >= loaded.threshold
