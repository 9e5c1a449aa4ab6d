"""Word finding: suggest emotion words from a person's own sentence, privately, on this server.

Many numb people can say what happened ("I sat in the car after work and couldn't feel
anything") but not name the feeling. This module turns such a sentence into up to five words
of the vocabulary, each with its one-line definition.

Two sources of evidence, combined by ``rank``:

- **The lexicon** (``data/wordfinding.toml``, written for Thaw): cue phrases and situations per
  family and per word. The text is lower-cased, apostrophes dropped, common texting spellings
  expanded, each word cut to a rough stem, and a misspelt word of five letters or more matched
  to a cue word one edit away. A cue preceded by a negation in the same clause does not count
  ("not angry, just tired"); intensity words ("so", "completely") and softeners ("a bit")
  lean the choice towards the stronger or milder words of a family. Words of the sentence
  that also appear in a word's definition add a little.
- **A sentence-embedding model**, when the optional extra is installed (``thaw.checkins.
  wordmodel``): any object with ``family_scores(text)`` and ``word_scores(text)``.

Ties go to the "numb" and "not sure" families when the sentence speaks of an absence of
feeling. Pure: no database, no request, no I/O beyond reading the data file once. The text is
never stored or logged here.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

from thaw.checkins.vocabulary import (
    NOT_SURE_FAMILY,
    NOT_SURE_WORD,
    NUMB_FAMILY,
    Vocabulary,
    vocabulary,
)

DATA_FILE = Path(__file__).resolve().parent / "data" / "wordfinding.toml"

MAX_TEXT = 1000
MAX_SUGGESTIONS = 5
WEIGHTS = {"strong": 2.0, "cues": 1.0, "weak": 0.5}
ANY_WORD = "_"
# How far before a cue a negation may stand (in words, same clause) and still cancel it.
NEGATION_WINDOW = 3
# How far before a cue an intensity word or a softener may stand.
INTENSITY_WINDOW = 2
# Each word of the sentence found in a word's definition adds this much to the word.
DEFINITION_WEIGHT = 0.35
# Within this ratio of the best score, "numb" and "not sure" go first for a sentence about an
# absence of feeling: a tie, allowing for the rounding of two scales into one.
ABSENCE_TIE = 0.9
NUMB_FIRST = (NUMB_FAMILY, NOT_SURE_FAMILY)

NEGATIONS = frozenset({
    "not", "no", "never", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "aint",
    "cant", "cannot", "couldnt", "wont", "wouldnt", "havent", "hasnt", "hadnt", "nor", "without",
    "hardly", "barely", "nothing", "neither", "shouldnt",
})  # fmt: skip
# "not just tired", "not only sad": the cue still counts.
# "cant stop smiling", "cant help crying": the feeling is there, and strongly.
NOT_NEGATING_AFTER = frozenset({"just", "only", "even", "sure", "exactly", "stop", "help", "wait"})
INTENSIFIERS = frozenset({
    "so", "very", "really", "extremely", "totally", "completely", "absolutely", "super", "incredibly",
    "utterly", "deeply", "beyond", "fully", "hella", "mega", "too", "such", "insanely", "seriously",
    "properly", "massively", "horribly", "terribly", "awfully", "unbelievably", "fucking", "bloody",
})  # fmt: skip
SOFTENERS = frozenset({"bit", "little", "slightly", "somewhat", "mildly", "kindof", "sortof", "tad", "abit",
                       "fairly", "mostly", "partly"})
CLAUSE_WORDS = frozenset({"but", "though", "although", "however", "yet", "whereas", "except", "and", "so",
                          "because", "just"})
STOPWORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "for", "with", "by",
    "from", "as", "is", "am", "are", "was", "were", "be", "been", "being", "i", "im", "me", "my",
    "mine", "you", "your", "it", "its", "this", "that", "these", "those", "he", "she", "they",
    "them", "his", "her", "we", "our", "us", "do", "did", "does", "have", "has", "had", "so",
    "very", "really", "just", "like", "feel", "feeling", "felt", "feels", "thing", "things",
    "some", "something", "what", "when", "where", "who", "how", "all", "any", "can", "could",
    "would", "will", "should", "there", "here", "about", "up", "out", "than", "then", "too",
    "today", "now", "get", "got", "go", "going", "one", "much", "more", "not", "no", "dont",
    "cant", "way", "even", "still", "again", "into", "over", "because", "after", "before",
    "want", "know", "think", "day", "time", "bit", "kindof", "sortof", "lot", "make", "made", "own",
    "someone", "anything", "everything", "nothing", "people", "little", "maybe", "which", "while",
})  # fmt: skip

# Texting spellings and contractions, expanded before stemming.
SPELLINGS = {
    "thru": "through", "tho": "though", "cuz": "because", "cos": "because", "coz": "because",
    "bc": "because", "rn": "right now", "u": "you", "ur": "your", "r": "are", "v": "very",
    "gonna": "going to", "wanna": "want to", "gotta": "have to", "kinda": "kindof",
    "sorta": "sortof", "alot": "a lot", "abit": "a bit", "nothin": "nothing",
    "feelin": "feeling", "somethin": "something", "anythin": "anything", "cause": "because",
    "bf": "boyfriend", "gf": "girlfriend", "mom": "mum", "mommy": "mum", "mummy": "mum",
    "tbh": "", "ngl": "", "lmao": "lol", "lmfao": "lol", "rofl": "lol", "hahaha": "haha",
    "ok": "okay", "k": "okay", "okey": "okay", "sooo": "so", "soo": "so", "sooooo": "so",
    "cannot": "cant", "wont": "wont", "didn": "didnt", "don": "dont", "nada": "nothing",
    "zilch": "nothing", "nuthin": "nothing", "tired": "tired", "exhausting": "exhausting",
    "ive": "i have", "id": "i would", "ill": "i will", "youre": "you are", "theyre": "they are",
    "whats": "what is", "thats": "that is", "theres": "there is", "heres": "here is",
    "hes": "he is", "shes": "she is", "its": "it is", "isnt": "isnt",
}  # fmt: skip

_WORD = re.compile(r":\)|:\(|[a-z0-9]+(?:'[a-z]+)?|[.!?;,:\n]")
_CLAUSE_END = frozenset(".!?;,:\n")
_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u201b\u02bc\u00b4\u0060\u2032"})


class LexiconError(ValueError):
    """The lexicon file broke a rule; ``problems`` lists every one found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("wordfinding.toml is invalid:\n  - " + "\n  - ".join(problems))


def stem(word: str) -> str:
    """A rough stem, the same for a cue and for the text: cried/crying/cry → cri/cry…

    Not a linguistic stemmer: it only has to cut both sides the same way.
    """
    w = word
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith("ied"):
        w = w[:-3] + "y"
    elif len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    elif len(w) > 4 and w.endswith("ly"):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiousl":
        w = w[:-1]  # runn(ing) → run, stopp(ed) → stop
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w.endswith("y"):
        w = w[:-1] + "i"  # cry / cried → cri, happy / happiness… → happi
    return w


def _squeeze(word: str) -> str:
    """Texting stretches ("soooo", "tiiired"): three or more of a letter become one."""
    return re.sub(r"(.)\1{2,}", r"\1", word)


@dataclass(frozen=True, slots=True)
class Token:
    stem: str
    raw: str
    clause: int
    position: int


def tokens(text: str) -> list[Token]:
    """The sentence as stems, each knowing its clause (negation does not cross a clause)."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    found: list[Token] = []
    clause = 0
    for piece in _WORD.findall(text):
        if piece in (":)", ":("):
            found.append(Token(piece, piece, clause, len(found)))
            continue
        if piece in _CLAUSE_END:
            clause += 1
            continue
        word = _squeeze(piece.replace("'", ""))
        if word == "of" and found and found[-1].raw in ("kind", "sort"):  # a softener, not kindness
            found[-1] = Token(found[-1].raw + "of", found[-1].raw + "of", clause, found[-1].position)
            continue
        expanded = SPELLINGS.get(word, word)
        for part in expanded.split():
            if part in CLAUSE_WORDS:
                clause += 1
            found.append(Token(stem(part), part, clause, len(found)))
    return found


@dataclass(frozen=True, slots=True)
class Cue:
    stems: tuple[str, ...]
    family: str
    word: str | None
    weight: float
    exact: tuple[str, ...] | None = None  # match these words as written, not their stems


# Vocabulary words that are also everyday words ("moving through deep water" is not being
# moved; "close the door" is not closeness): they count only as written, and for less.
EVERYDAY_WORDS = frozenset({"moved", "touched", "close", "open", "warm", "lost", "strong", "low", "down",
                            "alert", "settled", "focused", "okay", "tender", "accepted", "heavy", "flat",
                            "stuck", "lucky", "safe", "blank", "connected", "supported", "interested"})


@dataclass(frozen=True)
class Lexicon:
    cues_by_first: dict[str, tuple[Cue, ...]]
    wildcard_cues: tuple[Cue, ...]
    absence: tuple[tuple[str, ...], ...]
    defaults: dict[str, str]
    definitions: dict[str, frozenset[str]]  # word → content stems of its definition
    known: frozenset[str]  # every word a cue uses, as written, for spelling repair
    near: dict[str, str]  # one deletion away → the known word it came from

    def repair(self, word: str) -> str:
        """A misspelt word of five letters or more, one edit from a cue word, becomes it:
        a letter missing ("exausted"), one too many, one wrong, or two swapped ("lonley")."""
        if word in self.known or len(word) < 5 or not word.isalpha():
            return word
        if word in self.near:
            return self.near[word]
        for i in range(len(word)):
            shorter = word[:i] + word[i + 1 :]
            if shorter in self.known:
                return shorter
            if shorter in self.near:
                return self.near[shorter]
        return word


def content_stems(text: str) -> frozenset[str]:
    """The stems of the words that carry meaning: no stopwords, no stems under four letters
    (short stems collide: "car" and "care" share one)."""
    return frozenset(t.stem for t in tokens(text) if t.raw not in STOPWORDS and len(t.stem) >= 4)


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(t.stem for t in tokens(text) if t.stem)


def parse_lexicon(doc: Mapping[str, object], vocab: Vocabulary) -> Lexicon:
    """Check and index the lexicon: every family and word it names must be in the vocabulary."""
    problems: list[str] = []
    cues: list[Cue] = []
    raw_words: set[str] = {t.raw for e in vocab.emotions.values() for t in tokens(e.word)}
    families = doc.get("family", {})
    words = doc.get("word", {})
    if not isinstance(families, dict) or not isinstance(words, dict):
        raise LexiconError(["[family.*] and [word.*] tables are required"])

    def add(table: Mapping[str, object], family: str, word: str | None, where: str) -> None:
        for kind, weight in WEIGHTS.items():
            for phrase in table.get(kind, []):  # type: ignore[attr-defined]
                stems = _phrase(phrase)
                raw_words.update(t.raw for t in tokens(phrase))
                if not stems:
                    problems.append(f"{where}: cue {phrase!r} has no words")
                    continue
                cues.append(Cue(stems, family, word, weight))

    for name, table in families.items():
        if name not in vocab.families:
            problems.append(f"family {name!r} is not in the vocabulary")
        else:
            add(table, name, None, f"family {name!r}")
    for word, table in words.items():
        emotion = vocab.get(word)
        if emotion is None:
            problems.append(f"word {word!r} is not in the vocabulary")
        else:
            add(table, emotion.family, word, f"word {word!r}")
    # Every vocabulary word is a strong cue for itself.
    for emotion in vocab.emotions.values():
        if emotion.word in EVERYDAY_WORDS:
            cues.append(Cue(_phrase(emotion.word), emotion.family, emotion.word, WEIGHTS["cues"],
                            exact=tuple(t.raw for t in tokens(emotion.word))))
        else:
            cues.append(Cue(_phrase(emotion.word), emotion.family, emotion.word, WEIGHTS["strong"]))
    defaults = {}
    for family, word in dict(doc.get("defaults", {})).items():  # type: ignore[call-overload]
        emotion = vocab.get(word)
        if emotion is None or emotion.family != family:
            problems.append(f"defaults: {word!r} is not a word of the family {family!r}")
        else:
            defaults[family] = word
    missing = sorted(set(vocab.families) - set(defaults))
    if missing:
        problems.append(f"defaults: give a default word for {', '.join(missing)}")
    if problems:
        raise LexiconError(problems)

    by_first: dict[str, list[Cue]] = {}
    wildcard: list[Cue] = []
    for cue in cues:
        if cue.stems[0] == ANY_WORD:
            wildcard.append(cue)
        else:
            by_first.setdefault(cue.stems[0], []).append(cue)
    known = frozenset(raw for raw in raw_words if raw != ANY_WORD)
    near: dict[str, str] = {}
    for s in sorted(known):
        if len(s) >= 5 and s.isalpha():
            for i in range(len(s)):
                near.setdefault(s[:i] + s[i + 1 :], s)
    definitions = {e.word: content_stems(e.definition + " " + e.word) for e in vocab.emotions.values()}
    absence = tuple(_phrase(p) for p in doc.get("absence", []))  # type: ignore[attr-defined]
    return Lexicon(
        {k: tuple(sorted(v, key=lambda c: -len(c.stems))) for k, v in by_first.items()},
        tuple(wildcard), absence, defaults, definitions, known, near,
    )


@cache
def lexicon() -> Lexicon:
    with open(DATA_FILE, "rb") as handle:
        return parse_lexicon(tomllib.load(handle), vocabulary())


# --- reading a sentence ---------------------------------------------------------------


@dataclass
class Evidence:
    """What the lexicon found in one sentence."""

    families: dict[str, float] = field(default_factory=dict)
    words: dict[str, float] = field(default_factory=dict)
    intensity: float = 0.0  # -1 milder … +1 stronger
    absence: bool = False


def _matches(stems: Sequence[str], at: int, cue: Cue, raws: Sequence[str] = ()) -> bool:
    if at + len(cue.stems) > len(stems):
        return False
    if cue.exact is not None:
        return tuple(raws[at : at + len(cue.exact)]) == cue.exact
    return all(c == ANY_WORD or c == stems[at + i] for i, c in enumerate(cue.stems))


def _negated(toks: Sequence[Token], at: int, cue: Cue) -> bool:
    if cue.stems[0] in NEGATIONS:
        return False  # the cue carries its own negation ("cant feel", "no idea")
    clause = toks[at].clause
    for back in range(1, NEGATION_WINDOW + 1):
        i = at - back
        if i < 0 or toks[i].clause != clause:
            return False
        if toks[i].raw in NEGATIONS:
            after = toks[i + 1].raw if i + 1 < len(toks) else ""
            return after not in NOT_NEGATING_AFTER or back > 1 and after == "sure"
    return False


def _intensity(toks: Sequence[Token], at: int, text_signals: float) -> float:
    level = text_signals
    for back in range(1, INTENSITY_WINDOW + 1):
        i = at - back
        if i < 0 or toks[i].clause != toks[at].clause:
            break
        if toks[i].raw in INTENSIFIERS:
            level += 1.0
        elif toks[i].raw in SOFTENERS:
            level -= 1.0
    return max(-1.0, min(1.0, level))


def _text_signals(text: str) -> float:
    """Shouting and exclamation marks read as stronger."""
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.6
    return 0.5 * ("!!" in text) + 0.5 * shouting


def read(text: str, lex: Lexicon | None = None, vocab: Vocabulary | None = None) -> Evidence:
    """Everything the lexicon finds in ``text``: family and word points, intensity, absence."""
    lex = lex or lexicon()
    vocab = vocab or vocabulary()
    toks = tokens(text[: MAX_TEXT * 2])
    stems = [t.stem if t.raw in lex.known else stem(lex.repair(t.raw)) for t in toks]
    evidence = Evidence()
    signals = _text_signals(text)
    found: list[tuple[int, int, Cue]] = []
    raws = [t.raw for t in toks]
    for at, s in enumerate(stems):
        for cue in lex.cues_by_first.get(s, ()) + lex.wildcard_cues:
            if _matches(stems, at, cue, raws):
                found.append((at, at + len(cue.stems), cue))
    # A short cue inside a longer cue of the same family is the same evidence: count it once.
    kept = [
        (start, end, cue) for start, end, cue in found
        if not any(s <= start and end <= e and (e - s) > (end - start) and c.family == cue.family
                   for s, e, c in found)
    ]
    levels: list[float] = []
    for start, _end, cue in kept:
        if _negated(toks, start, cue):
            emotion = vocab.get(cue.word) if cue.word else None
            pleasant = emotion.pleasantness > 0 if emotion else cue.family in _PLEASANT_FAMILIES
            if pleasant:  # "not happy", "not okay": a little towards "down"
                evidence.families["sadness"] = evidence.families.get("sadness", 0.0) + 0.5 * cue.weight
                evidence.words["down"] = evidence.words.get("down", 0.0) + 0.5 * cue.weight
            continue
        points = cue.weight * (1.0 + 0.5 * (len(cue.stems) - 1))
        level = _intensity(toks, start, signals)
        levels.append(level)
        points *= 1.0 + 0.25 * max(level, 0.0)
        evidence.families[cue.family] = evidence.families.get(cue.family, 0.0) + points
        if cue.word:
            evidence.words[cue.word] = evidence.words.get(cue.word, 0.0) + points
    evidence.intensity = max(levels, key=abs) if levels else signals
    content = {s for s, t in zip(stems, toks, strict=True) if t.raw not in STOPWORDS and len(s) >= 4}
    if content:
        for word, definition in lex.definitions.items():
            overlap = len(content & definition)
            if overlap:
                evidence.words[word] = evidence.words.get(word, 0.0) + DEFINITION_WEIGHT * overlap
                family = vocab.emotions[word].family
                evidence.families[family] = evidence.families.get(family, 0.0) + DEFINITION_WEIGHT * overlap / 2
    present = set(stems)
    evidence.absence = any(
        _matches(stems, at, Cue(phrase, NUMB_FAMILY, None, 1.0))
        for phrase in lex.absence if phrase[0] in present
        for at in range(len(stems)) if stems[at] == phrase[0]
    )
    return evidence


_PLEASANT_FAMILIES = frozenset({"joy", "excitement", "pride", "curiosity", "hope", "love", "gratitude", "calm"})


# --- ranking --------------------------------------------------------------------------


class SentenceModel(Protocol):
    """What the optional model offers the ranker: similarities, larger is closer."""

    name: str

    def family_scores(self, text: str) -> dict[str, float]: ...

    def word_scores(self, text: str) -> dict[str, float]: ...


@dataclass(frozen=True, slots=True)
class Suggestion:
    word: str
    family: str
    definition: str
    score: float

    def as_dict(self) -> dict[str, object]:
        return {"word": self.word, "family": self.family, "definition": self.definition, "score": self.score}


def _normalised(scores: Mapping[str, float]) -> dict[str, float]:
    top = max(scores.values(), default=0.0)
    if top <= 0:
        return {k: 0.0 for k in scores}
    return {k: max(v, 0.0) / top for k, v in scores.items()}


# A family scoring under this share of the best one is noise, not a suggestion.
MIN_SHARE = 0.1
# How much the model counts beside the lexicon once both are scaled to 0..1.
MODEL_WEIGHT = 1.0
# Beside the model the lexicon counts half: chosen on half of the blind sentences
# (benchmarks/data/wordfinding/blind.tsv), where the model generalised better than the cues.
LEXICON_WEIGHT = 0.5


def family_ranking(text: str, model: SentenceModel | None = None, *, lex: Lexicon | None = None,
                   vocab: Vocabulary | None = None, use_lexicon: bool = True,
                   ) -> tuple[list[tuple[str, float]], Evidence, dict[str, float]]:
    """Families best first, with their combined scores; the lexicon's evidence; model word scores.

    ``use_lexicon=False`` ranks by the model alone (for the evaluation's comparison).
    """
    vocab = vocab or vocabulary()
    evidence = read(text, lex, vocab) if use_lexicon else Evidence()
    combined = {f: LEXICON_WEIGHT * v for f, v in _normalised(evidence.families).items()}
    model_words: dict[str, float] = {}
    if model is not None and text.strip():
        for family, value in model.family_scores(text).items():
            combined[family] = combined.get(family, 0.0) + MODEL_WEIGHT * value
        model_words = model.word_scores(text)
    if not combined or max(combined.values()) <= 0:
        return [], evidence, model_words
    top = max(combined.values())
    order = list(vocab.families)

    def key(item: tuple[str, float]) -> tuple[float, int]:
        family, value = item
        if evidence.absence and family in NUMB_FIRST and value >= ABSENCE_TIE * top:
            value = top * 1.000001 + (NUMB_FIRST[::-1].index(family)) * 1e-9
        return (-value, order.index(family))

    ranked = sorted(((f, v) for f, v in combined.items() if v >= MIN_SHARE * top), key=key)
    return ranked, evidence, model_words


def _best_words(family: str, evidence: Evidence, model_words: Mapping[str, float], lex: Lexicon,
                vocab: Vocabulary) -> list[str]:
    """The words of one family, best first for this sentence."""
    members = [e for e in vocab.emotions.values() if e.family == family]

    def fit(word: str) -> float:
        emotion = vocab.emotions[word]
        strength = max(abs(emotion.pleasantness), abs(emotion.energy)) / 5  # 0.2 … 1
        lean = evidence.intensity * (strength - 0.6)  # strong words for strong sentences
        default = 0.3 * (1 - abs(evidence.intensity)) if lex.defaults.get(family) == word else 0.0
        return evidence.words.get(word, 0.0) + 0.6 * model_words.get(word, 0.0) + lean + default

    return [e.word for e in sorted(members, key=lambda e: (-fit(e.word), e.word))]


def rank(text: str, model: SentenceModel | None = None, *, limit: int = MAX_SUGGESTIONS,
         lex: Lexicon | None = None, vocab: Vocabulary | None = None, use_lexicon: bool = True) -> list[Suggestion]:
    """Up to ``limit`` words for ``text``, best first: one per family until the families run out.

    A sentence with no evidence at all gets "not sure", which is always a fair answer.
    """
    lex = lex or lexicon()
    vocab = vocab or vocabulary()
    ranked, evidence, model_words = family_ranking(text, model, lex=lex, vocab=vocab, use_lexicon=use_lexicon)
    top = ranked[0][1] if ranked else 1.0
    picks: list[Suggestion] = []
    seconds: list[Suggestion] = []
    for family, value in ranked:
        words = _best_words(family, evidence, model_words, lex, vocab)
        score = round(min(value / top, 1.0), 3)
        first = vocab.emotions[words[0]]
        picks.append(Suggestion(first.word, family, first.definition, score))
        if len(words) > 1 and (evidence.words.get(words[1], 0) > 0 or model_words):
            second = vocab.emotions[words[1]]
            seconds.append(Suggestion(second.word, family, second.definition, round(score * 0.8, 3)))
    picks = picks[:limit]
    for extra in sorted(seconds, key=lambda s: -s.score):
        if len(picks) >= limit:
            break
        picks.append(extra)
    if ranked and len(picks) < limit - evidence.absence:
        # Room left: more words of the best family, so the person has near choices to compare.
        family, value = ranked[0]
        shown = {p.word for p in picks}
        for word in _best_words(family, evidence, model_words, lex, vocab):
            if len(picks) >= limit - evidence.absence:
                break
            if word not in shown:
                emotion = vocab.emotions[word]
                picks.append(Suggestion(word, family, emotion.definition, round(0.5 * value / top, 3)))
    if evidence.absence and not any(p.word == NOT_SURE_WORD for p in picks):
        # "Not sure" is always a fair answer when feelings are hard to find.
        picks = picks[: limit - 1] + [_not_sure(vocab, 0.0)]
    if not picks:
        picks = [_not_sure(vocab, 0.0)]
    return picks


def _not_sure(vocab: Vocabulary, score: float) -> Suggestion:
    emotion = vocab.emotions[NOT_SURE_WORD]
    return Suggestion(emotion.word, emotion.family, emotion.definition, score)


def word_to_try(text: str, suggestions: Sequence[Suggestion], used: Iterable[str], *, skip_suggested: bool = True,
                lex: Lexicon | None = None, vocab: Vocabulary | None = None) -> Suggestion | None:
    """A word the person has never used whose definition matches what they wrote.

    Looks among the suggested families first; the word must share at least one word of the
    sentence with its definition, or be the lexicon's pick for the family. None if nothing fits.
    """
    lex = lex or lexicon()
    vocab = vocab or vocabulary()
    used_words = set(used)
    shown = [s.word for s in suggestions] if skip_suggested else []
    content = content_stems(text)
    best: tuple[float, str] | None = None
    for rank_, suggestion in enumerate(suggestions):
        for emotion in vocab.emotions.values():
            if emotion.family != suggestion.family or emotion.word in used_words or emotion.word in shown:
                continue
            if emotion.word == NOT_SURE_WORD:
                continue
            overlap = len(content & lex.definitions[emotion.word])
            if overlap == 0:
                continue
            value = overlap + suggestion.score - 0.1 * rank_
            if best is None or value > best[0]:
                best = (value, emotion.word)
    if best is None:
        return None
    emotion = vocab.emotions[best[1]]
    return Suggestion(emotion.word, emotion.family, emotion.definition, round(min(best[0] / 3, 1.0), 3))
