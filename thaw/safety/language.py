"""Crisis language in free text: a safety net that errs towards showing help.

Thaw runs this over what a person writes (a check-in note, a grounding note, a substance
entry; later comments and contact messages) so it can offer crisis resources at once when
the words suggest thoughts of suicide, self-harm, a plan or the means to act on one, an
overdose or injury in progress, a goodbye, or harming someone else.

What it is, and what it is not:

- **A safety net, never a diagnosis.** It looks for the phrases listed in
  ``data/crisis/<language>.toml``; it does not understand the text, judge risk or say anything
  about the person. A match means "show help now", nothing more.
- **It errs towards showing help.** A false alarm shows crisis resources to someone who did
  not need them; a miss hides them from someone who did. Every doubtful case is decided in
  favour of a match, and the phrase lists will still miss things.
- **A match never contacts anyone by itself.** This module only returns matches. What happens
  next is decided elsewhere (``thaw.safety.services``).
- **It is pure and cheap.** No database, no settings: callers run it *before* they open a
  write transaction, so a scan never holds the database's write lock.

How it works, and why it is linear in the length of the text by construction:

1. **Reading.** The text is folded character by character (NFKD, lower case, accents, invisible
   and combining marks dropped, look-alike Cyrillic and Greek letters mapped to Latin ones)
   and cut into words by one regular expression made of three disjoint character-class runs,
   which Python's engine matches in one pass without backtracking. Each word remembers where
   it came from, so spans always point into the original text. Punctuation becomes *breaks*:
   a hard break ends a sentence (``. ! ? ;`` or a new line); a soft break (comma, dash,
   ellipsis, quote, emoji...) ends a clause for negation but phrases may span it.
2. **Spelling repairs**, each bounded per word: apostrophes inside words are dropped ("don't"
   is "dont"), digits and symbols standing for letters are read as letters ("k1ll", "d!e",
   "$uicide"; a "v" for a "u": "cvtting"), masked letters are filled in ("k*ll", "s**cide"),
   stretched letters are shortened ("dieeee", "kiiiill", a doubled last letter: "diee") and
   spaced-out letters are joined
   ("s u i c i d e", "k-i-l-l"; the dot after a dotted "s.h." ends no sentence). A repair is
   only made when it produces a word that some phrase uses, so "10pm" or "a b c" stay as
   they are.
3. **Matching.** The repaired words, joined by single spaces (sentence ends as " . "), are
   searched with every phrase's pattern on **RE2** (``google-re2``), whose running time is
   linear in the input for any pattern: there is no backtracking to blow up, whatever the
   data file says. The patterns therefore have no lookarounds.
4. **Checks after a match**, each looking at a bounded number of words around it, cached per
   word or sentence, so the total stays linear:
   - the phrase's own exclusions (``unless_followed_by`` / ``unless_preceded_by``: "die *of
     embarrassment*", "kill *for* a coffee"; ``unless_sentence_has``: "rather die than wear
     those shoes *lol*"), and ``clause_end`` / ``clause_start`` (the phrase must end or start
     its clause: "need to cut." but not "need to cut back");
   - **negation**: a cue ("not", "never", "don't"...) at most ``NEGATION_WINDOW`` words before
     the match in the same clause cancels it, unless a word of doubt follows the cue ("not
     *sure* I want to live") or a second negation makes a double negative. Phrases that carry
     their own negation ("don't want to live") are ``negatable = false``. The writer's own
     "I" two or more words after the cue starts a new clause the cue does not reach ("if he
     doesn't come back I'll kill myself");
   - **a clear "no"** shortly after the match ("asked whether I have thoughts of suicide and
     I said no"; a "no" before it, as in "I said no, I want to die", does not count);
   - **past or recovered**: a sentence with a past marker ("used to", "years ago", "clean
     for") and no sign that it is back ("again", "lately", "relapsed") does not count;
   - **someone else**: a match with no first-person word in it, whose nearest person word
     before it (within the sentence) is someone else ("my friend wants to die"), does not
     count; a quotation is read from where it opens ("she said 'I want to die'"). Phrases
     about the writer without saying "I" ("my kids would be better off...") are marked
     ``about_writer`` and skip this check and the next;
   - **a topic, not a feeling**: a match with no first person anywhere before it in its
     sentence, in a sentence about a class, an article, a film or a song ("we talked about
     suicide risk factors in class"), does not count.
   Each of these lists is data in the language's file.
5. **Quieted by the statistical layer** (``thaw.safety.backstop.crisis_language``, not here):
   an entry marked ``quiet_when_model_calm`` is one whose matches are often innocent ("hopeless
   about the job hunt", "me tiro por la ventana jaja", a film's "carta de despedida"). When
   every match in a text comes from such entries, spelled as written (a match of repaired,
   unmasked or joined letters, "su1c1dal", "s.u.i.c.i.d.a.l", never carries the mark: the model
   cannot read those) and within one sentence, and the statistical model reads every sentence
   it judges as clearly calm (``thaw.safety.ngram.CALM``), the rules' answer gives way. Entries
   about a means ("my stomach was pumped") are not marked, and a test checks every marked
   entry's examples still show help.

Every text is scanned with every language's list, so a note in one language with crisis
words in another is caught, and adding a language is a data file, not code.

``CrisisMatch.phrase`` is the label of the listed phrase, not the person's own words: it can
go into an alert or an audit record without copying a note's text. Use the span to show the
words in context.
"""

from __future__ import annotations

import bisect
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from itertools import accumulate, compress, product, repeat
from operator import add, itemgetter
from pathlib import Path
from typing import Any

import re2

DATA_DIR = Path(__file__).resolve().parent / "data" / "crisis"

CATEGORIES = ("suicide", "self_harm", "plan_or_means", "harm_to_others")

# How many words before a match a negation cue may stand and still negate it.
NEGATION_WINDOW = 4
# How far before a negation cue a second one turns the pair into a double negative.
DOUBLE_NEGATION_WINDOW = 3
# How far back (in words, within the sentence) a match looks for the person it is about.
SUBJECT_WINDOW = 8
# A pattern may leave out at most this many words between two of its words ({gapN}).
MAX_GAP = 4
# How many words after a match a clear "no" may stand ("asked ... and I said no").
DENIAL_WINDOW = 12
# The longest word we try to repair; longer "words" are left as they are.
MAX_REPAIR_LENGTH = 24
# A concept's word sequence is at most this many words long.
MAX_CONCEPT_WORDS = 8
# A rule's concepts must all stand within this many words (its ``within``, at most this).
DEFAULT_RULE_WINDOW = 12
MAX_RULE_WINDOW = 30

HARD, SOFT, NONE = 2, 1, 0  # the break before a word

_ENTRY_KEYS = frozenset(
    {"phrase", "category", "pattern", "examples", "not_examples", "negatable",
     "unless_followed_by", "unless_preceded_by", "unless_sentence_has", "clause_end", "clause_start", "about_writer",
     "quiet_when_model_calm"}
)  # fmt: skip
_CUE_KEYS = (
    "negation", "not_negating_before", "double_negators", "clause_words", "first_person",
    "possessive", "third_person", "observing", "subject", "past", "back_again", "topic", "denial", "professional",
)  # fmt: skip
_WORD_CUES = frozenset(_CUE_KEYS[:9])  # single words; the rest are word sequences
_RULE_KEYS = frozenset(
    {"rule", "category", "all", "within", "across_sentences", "same_clause", "unless", "head",
     "negatable", "about_writer", "quiet_when_model_calm", "examples", "not_examples"}
)  # fmt: skip
_TOP_KEYS = frozenset({"language", "cues", "words", "phrase", "concepts", "rule"})
_CONCEPT_WORD = re.compile(r"[a-z0-9]+|<number>|<many>")

# Characters that stand for letters inside a word ("k1ll", "d!e", "$uicide").
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "!": "i", "|": "i"})  # fmt: skip
# Characters that hide a letter inside a word ("k*ll", "s##cide").
_MASKS = frozenset("*#")
_HARD_BREAKS = frozenset("!?;\n")
_QUOTES = frozenset("\"'")
_SPELL_SEPARATORS = frozenset(" .-_/")
# Latin look-alikes from other scripts, so "kіll" with a Cyrillic і is still "kill".
_LOOKALIKES = str.maketrans("аеорсуххіјѕԁһӏνοαερτυκ", "aeopcyxxijsdhlvoaeptuk")  # fmt: skip
_APOSTROPHES = frozenset("\u2019\u2018\u201b\u02bc\u02b9\u02bb\u02bd\u00b4\u0060\u2032\uff07")
_DOUBLE_QUOTES = frozenset("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033")
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
# A word: letters and digits, with at most three symbols between two of them ("k*ll",
# "don't", "s**cide") and an optional "@" or "$" before ("$uicide"). Symbols and word
# characters are disjoint classes and every repetition must consume a word character, so
# Python's engine never backtracks more than the current symbol run: cutting is one pass.
_WORD = re.compile(r"[@$]?[a-z0-9]+(?:[*#!|@$']{1,3}[a-z0-9]+)*")
_RUN = re.compile(r"(.)\1\1")  # three of the same character: fixed width, one pass
_MACRO = re.compile(r"\{([a-z_]+)(\d?)\}")
_PATTERN_WORDS = re.compile(r"[a-z0-9]+")
_UNANCHORED = re2._Anchor.UNANCHORED
_YEAR = "<year>"
_NUMBER = "<number>"
_MANY = "<many>"  # a number from 10 to 999, in concept sequences


class CrisisPhrasesError(ValueError):
    """A crisis phrase file broke a rule; ``problems`` lists every one found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{source} is invalid:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True)
class CrisisMatch:
    """One listed phrase found in a text.

    ``phrase`` is the label from the data file (not the person's words); ``start`` and
    ``end`` delimit the matched words in the original text: ``text[start:end]``.
    """

    phrase: str
    category: str
    start: int
    end: int
    # The entry is one whose matches are often innocent ("hopeless about the job hunt", "me
    # tiro por la ventana jaja"): the statistical layer may quiet it (``quiet_when_model_calm``).
    quiet_when_model_calm: bool = False


@dataclass(frozen=True)
class CrisisPhrase:
    """One entry of a language's phrase file, its pattern compiled for RE2."""

    phrase: str
    category: str
    pattern: Any  # a compiled re2 pattern over the normalised bytes
    negatable: bool = True
    unless_followed_by: frozenset[tuple[str, ...]] = frozenset()
    unless_preceded_by: frozenset[tuple[str, ...]] = frozenset()
    unless_sentence_has: frozenset[tuple[str, ...]] = frozenset()
    clause_end: bool = False
    clause_start: bool = False
    about_writer: bool = False  # about the writer even with no first-person word in it
    quiet_when_model_calm: bool = False
    language: str = "en"


@dataclass(frozen=True)
class CrisisRule:
    """One ``[[rule]]`` of a language's file: concepts that show help when they stand together.

    ``phrase`` is the rule's label (the same field as a phrase's, so a match carries it the
    same way). ``groups`` are the concepts that must all be present, each group filled by
    any one of its concepts (ids into the language's ``ConceptIndex``), all within
    ``within`` words, in one sentence unless ``across_sentences``, in one clause if
    ``same_clause``. A concept of ``unless`` anywhere in those sentences cancels the match.
    The person checks start from where group ``head`` stands.
    """

    phrase: str
    category: str
    groups: tuple[tuple[int, ...], ...]
    within: int = DEFAULT_RULE_WINDOW
    across_sentences: bool = False
    same_clause: bool = False
    unless: tuple[int, ...] = ()
    head: int = 0
    negatable: bool = True
    about_writer: bool = False
    quiet_when_model_calm: bool = False
    language: str = "en"


@dataclass(frozen=True)
class ConceptIndex:
    """A language's concepts: word sequences tagged with what they stand for.

    A concept's id is its index in ``names``. ``singles`` maps a one-word sequence to the
    concepts it stands for; ``pairs`` maps the first two words of a longer sequence to the
    sequences starting with them, each with its concept. Keying on two words keeps the
    candidates per word few, even for words such as "my" that start many sequences.
    """

    names: tuple[str, ...] = ()
    singles: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    pairs: Mapping[tuple[str, str], tuple[tuple[tuple[str, ...], int], ...]] = field(default_factory=dict)

    def words(self) -> frozenset[str]:
        """Every word the concepts use (not "<number>" or "<many>")."""
        found = set(self.singles) | {w for sequences in self.pairs.values() for s, _ in sequences for w in s}
        return frozenset(found - {_NUMBER, _MANY})


@dataclass(frozen=True)
class Cues:
    """The words a language's checks after a match look for (see the module docstring)."""

    negation: frozenset[str] = frozenset()
    not_negating_before: frozenset[str] = frozenset()
    double_negators: frozenset[str] = frozenset()
    clause_words: frozenset[str] = frozenset()
    first_person: frozenset[str] = frozenset()
    possessive: frozenset[str] = frozenset()
    third_person: frozenset[str] = frozenset()
    observing: frozenset[str] = frozenset()
    subject: frozenset[str] = frozenset()
    past: frozenset[tuple[str, ...]] = frozenset()
    back_again: frozenset[tuple[str, ...]] = frozenset()
    topic: frozenset[tuple[str, ...]] = frozenset()
    denial: frozenset[tuple[str, ...]] = frozenset()
    professional: frozenset[tuple[str, ...]] = frozenset()


@dataclass(frozen=True)
class PhraseList:
    """One language's phrases and cues, validated."""

    language: str
    phrases: tuple[CrisisPhrase, ...]
    cues: Cues
    vocabulary: frozenset[str]  # every word the patterns use: the targets of spelling repairs
    anything: Any = None  # all patterns as one RE2 alternation: "could any phrase match?"
    each: Any = None  # the sentence-bound patterns as one RE2 set: "which match in this sentence?"
    each_phrase: tuple[int, ...] = ()  # the phrase (index into phrases) of each pattern of ``each``
    crossing: tuple[int, ...] = ()  # phrases whose pattern may run over a sentence end: searched whole
    concepts: ConceptIndex = field(default_factory=ConceptIndex)
    rules: tuple[CrisisRule, ...] = ()


# --- reading: folding, cutting into words, repairing spellings --------------------------


@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    """One non-ASCII character as the reader sees it: ASCII, possibly several characters."""
    if char in _APOSTROPHES:
        return "'"
    if char in _DOUBLE_QUOTES:
        return '"'
    if char in "\u2026":
        return "..."
    if char in "\u2013\u2014\u2212":
        return "-"
    folded = unicodedata.normalize("NFKD", char).lower().translate(_LOOKALIKES)
    out = []
    for c in folded:
        if c.isascii():
            out.append(c)
        elif unicodedata.category(c) in _DROPPED_CATEGORIES:
            continue
        elif c.isspace():
            out.append(" " if unicodedata.category(c) == "Zs" else "\n")
        elif c.isalnum():
            out.append("x")  # a letter of another script: part of a word, never a phrase
        else:
            out.append(",")  # an emoji or symbol: a soft break
    return "".join(out)


def fold(text: str) -> tuple[str, list[int]]:
    """The text in lower-case ASCII, and for each of its characters where it came from."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    parts: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isascii():
            parts.append(char.lower())
            origin.append(index)
            continue
        folded = _fold(char)
        parts.append(folded)
        origin.extend([index] * len(folded))
    return "".join(parts), origin


@dataclass
class Reading:
    """A text cut into repaired words, with the breaks and quotes between them.

    ``words[i]`` came from ``text[starts[i]:ends[i]]``; ``breaks[i]`` is the break before
    word i (``HARD``, ``SOFT`` or ``NONE``); ``quoted[i]`` is the index of the word that opens
    the quotation word i stands in, or -1.
    """

    words: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)
    quoted: list[int] = field(default_factory=list)
    sentence: list[int] = field(default_factory=list)
    rendered: bytes = b""
    word_at: dict[int, int] = field(default_factory=dict)  # byte offset of a word -> index
    word_ending: dict[int, int] = field(default_factory=dict)  # byte offset after a word -> index
    bounds: list[tuple[int, int]] = field(default_factory=list)  # each sentence's [start, stop)
    # each sentence's bytes of ``rendered``: from its first word to the next sentence's first word
    sentence_bytes: list[tuple[int, int]] = field(default_factory=list)
    # for each word, whether it stands in the text as read (apostrophes aside): not repaired
    # ("k1ll"), not joined from letters ("s.u.i.c.i.d.e"), not unmasked ("k*ll")
    as_written: list[bool] = field(default_factory=list)
    memo: dict[tuple[str, int], bool] = field(default_factory=dict)  # per phrase and sentence

    def sentence_has(self, key: str, word: int, sequences: frozenset[tuple[str, ...]]) -> bool:
        """Does the sentence of ``word`` contain one of ``sequences``? Cached under ``key``."""
        number = self.sentence[word]
        found = self.memo.get((key, number))
        if found is None:
            start, stop = self.bounds[number]
            found = self.memo[(key, number)] = _contains(self.words, start, stop, sequences)
        return found


def _separator_break(separator: str) -> int:
    if separator == " ":
        return NONE
    if any(c in _HARD_BREAKS for c in separator):
        return HARD
    if "." in separator and separator.count(".") == 1:
        return HARD
    return NONE if separator.isspace() else SOFT


def _collapse(word: str, keep: int) -> str:
    """Shorten every run of three or more of the same character to ``keep`` characters."""
    out: list[str] = []
    index = 0
    while index < len(word):
        stop = index
        while stop < len(word) and word[stop] == word[index]:
            stop += 1
        out.append(word[index] * (keep if stop - index >= 3 else stop - index))
        index = stop
    return "".join(out)


def _has_run(word: str) -> bool:
    return _RUN.search(word) is not None


class _Lexicon:
    """The words repairs aim at, masked forms of them ("k*ll" -> "kill"), and a memo."""

    MEMO_SIZE = 50_000

    def __init__(self, words: frozenset[str]) -> None:
        self.words = words
        self.masked: dict[str, str] = {}
        for word in sorted(words):
            if len(word) < 3 or not word.isalpha():
                continue
            for i in range(len(word)):
                self.masked.setdefault(word[:i] + "*" + word[i + 1 :], word)
                for j in range(i + 1, len(word)):
                    self.masked.setdefault(word[:i] + "*" + word[i + 1 : j] + "*" + word[j + 1 :], word)
        self._memo: dict[str, str] = {}

    def repair(self, word: str) -> str:
        """The word as the patterns spell it, or the word with its symbols dropped."""
        if word in self.words:
            return word
        repaired = self._memo.get(word)
        if repaired is None:
            repaired = self._repair(word)
            if len(self._memo) < self.MEMO_SIZE:
                self._memo[word] = repaired
        return repaired

    def _repair(self, word: str) -> str:
        plain = word.replace("'", "")
        if plain in self.words or len(plain) > MAX_REPAIR_LENGTH:
            return _plain(plain)
        has_letter = any(c.isalpha() for c in plain)
        candidates = [plain.translate(_LEET)] if has_letter else [plain]
        if _has_run(candidates[0]):
            candidates += [_collapse(candidates[0], 1), _collapse(candidates[0], 2)]
        if "v" in candidates[0]:  # a "v" standing for a "u" ("cvtting", "mvrder")
            candidates.append(candidates[0].replace("v", "u"))
        if len(candidates[0]) > 2 and candidates[0][-1] == candidates[0][-2]:  # a last letter doubled ("diee", "byee")
            candidates.append(candidates[0][:-1])
        for candidate in candidates:
            if candidate in self.words:
                return candidate
            if any(c in _MASKS for c in candidate):
                starred = "".join("*" if c in _MASKS else c for c in candidate)
                if starred in self.masked:
                    return self.masked[starred]
        return _plain(plain)


@cache
def _lexicon(vocabulary: frozenset[str]) -> _Lexicon:
    return _Lexicon(vocabulary)


def _plain(word: str) -> str:
    """A word that is only letters and digits: other symbols become "x"."""
    return word if word.isalnum() and word.isascii() else "".join(
        c if c.isascii() and c.isalnum() else "x" for c in word
    )


def _spelling_separator(separator: str) -> str | None:
    """What separates letters written one by one: one symbol, or any run of spaces."""
    if separator and separator.isspace() and "\n" not in separator:
        return " "
    return separator if len(separator) == 1 and separator in _SPELL_SEPARATORS else None


def _join_spelled_out(
    words: list[str], spans: list[tuple[int, int]], separators: list[str], lexicon: _Lexicon
) -> None:
    """Join letters written one by one ("s u i c i d e", "k-i-l-l") into the word they spell.

    Letters are joined only when they share one separator and the result is a word the
    patterns use (the longest such word first). A run of more than ``MAX_REPAIR_LENGTH``
    letters spells no word and is left alone, so each letter is looked at a bounded number
    of times. Works in place.
    """
    index = out = 0
    count = len(words)
    while index < count:
        stop = index + 1
        joined = None
        if len(words[index]) == 1 and words[index].isalpha() and stop < count:
            kind = _spelling_separator(separators[stop])
            while (stop < count and kind is not None and len(words[stop]) == 1 and words[stop].isalpha()
                   and _spelling_separator(separators[stop]) == kind and stop - index <= MAX_REPAIR_LENGTH):
                stop += 1
            if stop - index > MAX_REPAIR_LENGTH:  # too long to spell a word: skip the whole run
                while stop < count and len(words[stop]) == 1 and words[stop].isalpha():
                    stop += 1
            else:
                minimum = 3 if kind == " " else 2
                for end in range(stop, index + minimum - 1, -1):
                    candidate = lexicon.repair("".join(words[index:end]))
                    if candidate in lexicon.words:
                        joined, stop = candidate, end
                        break
                else:
                    stop = index + 1
        if joined is None:
            for i in range(index, stop):
                words[out], spans[out], separators[out] = words[i], spans[i], separators[i]
                out += 1
        else:
            words[out], spans[out], separators[out] = joined, (spans[index][0], spans[stop - 1][1]), separators[index]
            out += 1
            if kind == "." and stop < count and separators[stop].startswith("."):
                separators[stop] = separators[stop][1:]  # "s.h. last night": the abbreviation's dot, no sentence end
        index = stop
    del words[out:], spans[out:], separators[out:]


def _quote_opens(separator: str, first: bool) -> bool:
    """Does this separator open a quotation before the next word? A single quote counts only
    after a space (or at the start), so a possessive ("parents' house") opens nothing."""
    if not separator or separator[-1] not in _QUOTES:
        return False
    return separator[-1] == '"' or len(separator) == 1 and first or separator[-2:-1].isspace()


def read(text: str, vocabulary: frozenset[str]) -> Reading:
    """Cut ``text`` into repaired words, aiming repairs at ``vocabulary``."""
    folded, origin = fold(text)
    lexicon = _lexicon(vocabulary)
    spans = [m.span() for m in _WORD.finditer(folded)]
    words = [folded[start:end] for start, end in spans]
    previous_ends = [0] + [end for _, end in spans[:-1]] if spans else []
    separators = [folded[end:start] for end, (start, _) in zip(previous_ends, spans, strict=True)]
    singles = [i for i, w in enumerate(words) if len(w) == 1]
    if any(b - a == 1 for a, b in zip(singles, singles[1:], strict=False)):
        _join_spelled_out(words, spans, separators, lexicon)
    known = lexicon.words
    reading = Reading()
    reading.words = [w if w in known else lexicon.repair(w) for w in words]
    reading.as_written = [folded[start:end].replace("'", "") == word
                          for (start, end), word in zip(spans, reading.words, strict=True)]
    reading.starts = [origin[start] for start, _ in spans]
    reading.ends = [origin[end - 1] + 1 for _, end in spans]
    breaks = reading.breaks = [NONE if s == " " else _separator_break(s) for s in separators]
    if breaks:
        breaks[0] = HARD
    # Each sentence's words, and where each word starts and ends in the rendered text: words
    # joined by spaces, with " . " between sentences (worked out with C-level passes, not a
    # Python step per word).
    count = len(reading.words)
    firsts = [i for i, brk in enumerate(breaks) if brk == HARD]
    reading.bounds = list(zip(firsts, [*firsts[1:], count], strict=True)) if firsts else []
    sentences = reading.sentence
    for number, (first, stop) in enumerate(reading.bounds):
        sentences.extend(repeat(number, stop - first))
    lengths = list(map(len, reading.words))
    steps = [0, *(length + 1 for length in lengths[:-1])] if count else []
    for first in firsts[1:]:
        steps[first] += 2
    starts = list(accumulate(steps))
    reading.word_at = dict(zip(starts, range(count), strict=True))
    reading.word_ending = dict(zip(map(add, starts, lengths), range(count), strict=True))
    rendered = " . ".join(" ".join(reading.words[first:stop]) for first, stop in reading.bounds)
    reading.rendered = (rendered + " ").encode("ascii") if count else b""
    reading.sentence_bytes = [(starts[first], starts[stop] if stop < count else len(reading.rendered))
                              for first, stop in reading.bounds]
    between = "".join(separators)  # an apostrophe inside a word ("don't") opens no quotation
    has_quotes = "'" in between or '"' in between
    reading.quoted = _quotations(separators, breaks) if has_quotes else [-1] * len(words)
    return reading


def _quotations(separators: list[str], breaks: list[int]) -> list[int]:
    """For each word, the index of the word that opens the quotation it stands in, or -1.

    A quotation that does not close within its sentence is not one.
    """
    quoted = [-1] * len(separators)
    inside: list[int] = []
    for index, separator in enumerate(separators):
        if inside and any(c in _QUOTES for c in separator):
            inside = []  # closed: its words keep their mark
        if breaks[index] == HARD:
            _unquote(quoted, inside)
        if not inside and _quote_opens(separator, index == 0):
            inside = [index]
        if inside:
            quoted[index] = inside[0]
            if inside[-1] != index:
                inside.append(index)
    _unquote(quoted, inside)
    return quoted


def _unquote(quoted: list[int], inside: list[int]) -> None:
    for index in inside:
        quoted[index] = -1
    inside.clear()


def normalise(text: str) -> str:
    """The text as the shipped patterns see it (for tests and for writing patterns)."""
    return read(text, vocabulary()).rendered.decode("ascii").strip()


# --- the data files ---------------------------------------------------------------------


def _as_sequences(values: Iterable[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(value.split()) for value in values)


def _expand(pattern: str, words: Mapping[str, str], where: str, problems: list[str]) -> str:
    """Replace ``{name}`` with the word class and ``{gapN}`` with "up to N other words"."""

    def substitute(match: re.Match[str]) -> str:
        name, number = match.group(1), match.group(2)
        if name == "gap" and number and 1 <= int(number) <= MAX_GAP:
            return f"(?:[a-z0-9]+ ){{0,{number}}}"
        if name in words and not number:
            return "(?:" + words[name] + ")"
        problems.append(f"{where}: unknown {{{name}{number}}} in the pattern; define it under [words]"
                        f" or use {{gap1}}..{{gap{MAX_GAP}}}")
        return "x"

    return _MACRO.sub(substitute, pattern)


def _options(memory: int) -> Any:
    options = re2.Options()
    options.never_capture = True
    options.longest_match = True  # the longest reading at a start wins; exclusions follow it
    options.max_mem = memory
    return options


def _wrapped(source: str) -> str:
    # A pattern may end with an optional " (?:...)?" group: let such a match end on the space
    # before a sentence end or the end of the text (the span drops the space and the dot). A
    # pattern that ends on a sentence end itself ("me mato .") is followed by a space, with no
    # word boundary between the two: the last alternative lets it end there (RE2 has no
    # lookbehind; after a word the space changes nothing, as the span drops it).
    return r"\b(?:" + source + r")(?:\b|$|\.| )"


def _compile(source: str, memory: int = 32 << 20) -> Any:
    """An RE2 pattern matching whole words of the normalised text (never capturing)."""
    return re2.compile(_wrapped(source), _options(memory))


def _may_cross(source: str) -> bool:
    """Can a match of this pattern run over a sentence end (" . " in the rendered text)? Only
    if it can match a dot: an escaped dot ("gracias por todo . adios"), any character, a
    negated class, a class escape other than \\w, \\d and \\b, a POSIX or Unicode class, a
    character given by its code, or a range that holds the dot. Anything in doubt counts."""
    if re.search(r"\\[.WSsDBpPCxQ]|\[\^|\[\[:|(?<!\\)\.", source):
        return True
    # a class with a range that holds the dot ("[!-/]")
    return any(ord(low) <= ord(".") <= ord(high) for low, high in re.findall(r"(?<!\\)(.)-(?!\])(.)", source))


def _set_of(sources: Sequence[str], memory: int = 256 << 20) -> Any:
    """One RE2 set of the patterns, numbered in order: one pass over a text names those that
    match somewhere in it."""
    patterns = re2.Set.SearchSet(_options(memory))
    for source in sources:
        patterns.Add(_wrapped(source))
    patterns.Compile()
    return patterns


def _pattern_problem(source: str) -> str | None:
    if not source.isascii():
        return ("the pattern has accented or other non-ASCII letters; text is folded to ASCII before "
                "matching (write quitarme, dano, manana for quitármela, daño, mañana)")
    if re.search(r"[A-Z]", re.sub(r"\\.", "", source)):
        return "the pattern has capital letters; text is lower-cased first"
    if "'" in source or any(c in _APOSTROPHES for c in source):
        return "the pattern has an apostrophe; apostrophes are dropped from words (write dont, im)"
    if re.search(r"\((?!\?)", re.sub(r"\\.", "", source)):
        return "use (?:...) instead of capturing groups"
    if re.search(r"\(\?[=!<]", source):
        return "lookarounds are not supported (RE2); use unless_followed_by / unless_preceded_by"
    return None


def _strings(raw: Mapping[str, Any], key: str, where: str, problems: list[str]) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where}: {key} must be a list of non-empty strings")
        return []
    if not all(v.isascii() for v in value):
        problems.append(f"{where}: {key} has accented or other non-ASCII letters; text is folded to ASCII "
                        "before it is compared (write se, dano for sé, daño)")
    return [v.strip().lower() for v in value]


def _check_entry(
    raw: object, where: str, words: Mapping[str, str], language: str, problems: list[str]
) -> CrisisPhrase | None:
    """Validate one ``[[phrase]]`` table (except its examples); append what is wrong."""
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: must be a table with phrase, category, pattern, examples")
        return None
    found = len(problems)
    unknown = sorted(set(raw) - _ENTRY_KEYS)
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(unknown)}")
    category = raw.get("category")
    if category not in CATEGORIES:
        problems.append(f"{where}: unknown category {category!r}; use one of {', '.join(CATEGORIES)}")
    for flag in ("negatable", "clause_end", "clause_start", "about_writer", "quiet_when_model_calm"):
        if not isinstance(raw.get(flag, True), bool):
            problems.append(f"{where}: {flag} must be true or false")
    source = raw.get("pattern")
    if not isinstance(source, str) or not source.strip():
        problems.append(f"{where}: the pattern is empty; write the words to look for")
        return None
    problem = _pattern_problem(source)
    if problem:
        problems.append(f"{where}: {problem}")
        return None
    expanded = _expand(source.strip(), words, where, problems)
    try:
        compiled = _compile(expanded)
    except re2.error as error:
        problems.append(f"{where}: the pattern is not a valid regular expression ({error})")
        return None
    if re2.compile(r"\A(?:" + expanded + r")\z").search(b""):
        problems.append(f"{where}: the pattern matches empty text")
    followed = _strings(raw, "unless_followed_by", where, problems)
    preceded = _strings(raw, "unless_preceded_by", where, problems)
    sentence = _strings(raw, "unless_sentence_has", where, problems)
    if not isinstance(raw.get("examples"), list) or not raw.get("examples"):
        problems.append(f"{where}: list at least one example sentence it must match")
    if len(problems) > found:
        return None
    return CrisisPhrase(
        phrase=str(raw["phrase"]), category=str(category), pattern=compiled,
        negatable=bool(raw.get("negatable", True)), unless_followed_by=_as_sequences(followed),
        unless_preceded_by=_as_sequences(preceded),
        unless_sentence_has=_as_sequences(sentence), clause_end=bool(raw.get("clause_end", False)),
        clause_start=bool(raw.get("clause_start", False)), about_writer=bool(raw.get("about_writer", False)),
        quiet_when_model_calm=bool(raw.get("quiet_when_model_calm", False)),
        language=language,
    )


def _check_cues(raw: object, problems: list[str]) -> Cues:
    if not isinstance(raw, Mapping):
        problems.append("[cues] is missing: list the negation, first_person... words")
        return Cues()
    unknown = sorted(set(raw) - set(_CUE_KEYS))
    if unknown:
        problems.append(f"[cues]: unknown key(s) {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for key in _CUE_KEYS:
        items = _strings(raw, key, "[cues]", problems)
        if key in _WORD_CUES:
            if any(" " in item for item in items):
                problems.append(f"[cues]: {key} takes single words")
            values[key] = frozenset(items)
        else:
            values[key] = _as_sequences(items)
    if not values["negation"] or not values["first_person"]:
        problems.append("[cues]: negation and first_person must not be empty")
    return Cues(**values)


def _check_words(raw: object, problems: list[str]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append("[words] must be a table of name = \"alternatives\"")
        return {}
    words: dict[str, str] = {}
    for name, value in raw.items():
        if not re.fullmatch(r"[a-z_]+", name) or name == "gap":
            problems.append(f"[words]: {name!r} is not a usable name (lower-case letters and _; not gap)")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"[words]: {name} must be a non-empty string of alternatives")
        elif _pattern_problem(value):
            problems.append(f"[words]: {name}: {_pattern_problem(value)}")
        else:
            words[name] = value.strip()
    for name, value in list(words.items()):  # a class may use classes defined before it
        words[name] = _expand(value, words, f"[words] {name}", problems)
    return words


def _check_concepts(raw: object, words: Mapping[str, str], problems: list[str]) -> ConceptIndex:
    """Validate ``[concepts]``: name = [word sequences as the reader sees them].

    An item "{name}" stands for every alternative of the ``[words]`` class of that name,
    so a list of medicines is written once; such a class must be plain words.
    """
    if raw is None:
        return ConceptIndex()
    if not isinstance(raw, Mapping):
        problems.append("[concepts] must be a table of name = [\"word\", \"word sequence\", ...]")
        return ConceptIndex()
    names: list[str] = []
    singles: dict[str, list[int]] = {}
    pairs: dict[tuple[str, str], list[tuple[tuple[str, ...], int]]] = {}
    for name in raw:
        where = f"[concepts] {name}"
        if not re.fullmatch(r"[a-z_]+", name):
            problems.append(f"{where}: not a usable name (lower-case letters and _)")
            continue
        items = []
        for item in _strings(raw, name, "[concepts]", problems):
            listed = _MACRO.fullmatch(item)
            if listed is None:
                items.append(item)
            elif listed.group(1) in words and not listed.group(2):
                items += [w.strip() for w in words[listed.group(1)].removeprefix("(?:").removesuffix(")").split("|")]
            else:
                problems.append(f"{where}: {item} is not a class under [words]")
        if not items:
            problems.append(f"{where}: list at least one word or word sequence")
            continue
        concept = len(names)
        names.append(name)
        seen: set[tuple[str, ...]] = set()
        for item in items:
            sequence = tuple(item.split())
            bad = [word for word in sequence if not _CONCEPT_WORD.fullmatch(word)]
            if bad:
                problems.append(f"{where}: {item!r} has {bad[0]!r}; write words as the reader sees them "
                                "(letters and digits, apostrophes dropped: dont, im), <number> or <many>")
            elif len(sequence) > MAX_CONCEPT_WORDS:
                problems.append(f"{where}: {item!r} is longer than {MAX_CONCEPT_WORDS} words")
            elif sequence in seen:
                problems.append(f"{where}: {item!r} is listed twice")
            elif len(sequence) == 1:
                seen.add(sequence)
                singles.setdefault(sequence[0], []).append(concept)
            else:
                seen.add(sequence)
                pairs.setdefault((sequence[0], sequence[1]), []).append((sequence, concept))
    return ConceptIndex(
        tuple(names), {word: tuple(found) for word, found in singles.items()},
        {pair: tuple(found) for pair, found in pairs.items()},
    )


def _concept_ids(values: list[str], ids: Mapping[str, int], where: str, key: str,
                 problems: list[str]) -> tuple[int, ...]:
    unknown = [name for name in values if name not in ids]
    if unknown:
        problems.append(f"{where}: {key} names unknown concept(s) {', '.join(unknown)}; define them under [concepts]")
    return tuple(ids[name] for name in values if name in ids)


def _check_rule(
    raw: object, where: str, concepts: ConceptIndex, language: str, problems: list[str]
) -> CrisisRule | None:
    """Validate one ``[[rule]]`` table (except its examples); append what is wrong."""
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: must be a table with rule, category, all, examples")
        return None
    found = len(problems)
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(unknown)}")
    category = raw.get("category")
    if category not in CATEGORIES:
        problems.append(f"{where}: unknown category {category!r}; use one of {', '.join(CATEGORIES)}")
    for flag in ("negatable", "about_writer", "across_sentences", "same_clause", "quiet_when_model_calm"):
        if not isinstance(raw.get(flag, True), bool):
            problems.append(f"{where}: {flag} must be true or false")
    ids = {name: number for number, name in enumerate(concepts.names)}
    items = _strings(raw, "all", where, problems)
    if not items:
        problems.append(f"{where}: all must list at least one concept (write a|b for either of two)")
    groups = tuple(_concept_ids(item.split("|"), ids, where, "all", problems) for item in items)
    unless = _concept_ids(_strings(raw, "unless", where, problems), ids, where, "unless", problems)
    within = raw.get("within", DEFAULT_RULE_WINDOW)
    if not isinstance(within, int) or isinstance(within, bool) or not len(items) <= within <= MAX_RULE_WINDOW:
        problems.append(f"{where}: within must be a number of words from {len(items)} to {MAX_RULE_WINDOW}")
    head = raw.get("head", items[0] if items else "")
    if head not in items:
        problems.append(f"{where}: head must be one of the entries of all")
    if not isinstance(raw.get("examples"), list) or not raw.get("examples"):
        problems.append(f"{where}: list at least one example sentence it must match")
    if len(problems) > found:
        return None
    return CrisisRule(
        phrase=str(raw["rule"]), category=str(category), groups=groups, within=int(within),
        across_sentences=bool(raw.get("across_sentences", False)), same_clause=bool(raw.get("same_clause", False)),
        unless=unless, head=items.index(str(head)), negatable=bool(raw.get("negatable", True)),
        about_writer=bool(raw.get("about_writer", False)),
        quiet_when_model_calm=bool(raw.get("quiet_when_model_calm", False)), language=language,
    )


def parse_phrase_list(document: Mapping[str, object], source: str = "en.toml") -> PhraseList:
    """Validate a parsed phrase file; raise ``CrisisPhrasesError`` naming every problem."""
    problems: list[str] = []
    unknown = sorted(set(document) - _TOP_KEYS)
    if unknown:
        problems.append(f"unknown top-level key(s) {', '.join(unknown)}; expected language, [cues], "
                        "[words] and [[phrase]]")
    language = document.get("language")
    if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2,3}", language):
        problems.append("language must be a language code such as \"en\"")
        language = "??"
    cues = _check_cues(document.get("cues"), problems)
    words = _check_words(document.get("words"), problems)
    concepts = _check_concepts(document.get("concepts"), words, problems)
    entries = document.get("phrase")
    if not isinstance(entries, list) or not entries:
        raise CrisisPhrasesError(source, problems + ["no [[phrase]] entries found"])
    phrases: list[CrisisPhrase] = []
    sources: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(entries, start=1):
        label = raw.get("phrase") if isinstance(raw, Mapping) else None
        if not isinstance(label, str) or not label.strip():
            problems.append(f"phrase #{number}: give it a non-empty 'phrase' label")
            continue
        where = f"phrase #{number} ({label!r})"
        if label in seen:
            problems.append(f"{where}: this label is used twice")
        seen.add(label)
        checked = _check_entry(raw, where, words, str(language), problems)
        if checked is not None:
            phrases.append(checked)
            sources.append(_expand(str(raw["pattern"]), words, where, []))
    rule_entries = document.get("rule", [])
    if not isinstance(rule_entries, list):
        problems.append("rule must be a list of [[rule]] tables")
        rule_entries = []
    rules: list[CrisisRule] = []
    for number, raw in enumerate(rule_entries, start=1):
        label = raw.get("rule") if isinstance(raw, Mapping) else None
        if not isinstance(label, str) or not label.strip():
            problems.append(f"rule #{number}: give it a non-empty 'rule' label")
            continue
        where = f"rule #{number} ({label!r})"
        if label in seen:
            problems.append(f"{where}: this label is used twice (phrases and rules share labels)")
        seen.add(label)
        rule = _check_rule(raw, where, concepts, str(language), problems)
        if rule is not None:
            rules.append(rule)
    for category in CATEGORIES:
        if not any(p.category == category for p in phrases) and not problems:
            problems.append(f"category {category!r} has no phrases")
    if problems:
        raise CrisisPhrasesError(source, problems)
    lexicon = frozenset(w for text in sources for w in _PATTERN_WORDS.findall(re.sub(r"\\.", " ", text)))
    lexicon |= concepts.words()
    # One pass of one automaton tells whether any phrase could match at all; most notes
    # stop there (a few microseconds), and only the rest are searched phrase by phrase.
    anything = _compile("|".join(f"(?:{text})" for text in sources), memory=256 << 20)
    crossing = tuple(i for i, text in enumerate(sources) if _may_cross(text))
    bound = tuple(i for i in range(len(sources)) if i not in crossing)
    result = PhraseList(str(language), tuple(phrases), cues, lexicon, anything,
                        _set_of([sources[i] for i in bound]), bound, crossing, concepts, tuple(rules))
    _check_examples(result, [e for e in entries if isinstance(e, Mapping)], source)
    _check_rule_examples(result, [e for e in rule_entries if isinstance(e, Mapping)], source)
    return result


def _check_examples(phrases: PhraseList, entries: Sequence[Mapping[str, Any]], source: str) -> None:
    """Each phrase must find its examples and leave its not_examples alone (on its own)."""
    problems: list[str] = []
    for number, (phrase, raw) in enumerate(zip(phrases.phrases, entries, strict=True), start=1):
        where = f"phrase #{number} ({phrase.phrase!r})"
        for example in raw.get("examples", []):
            if not isinstance(example, str) or not _finds(phrase, example, phrases):
                problems.append(f"{where}: the pattern does not match its example {example!r}")
        for counter in raw.get("not_examples", []):
            if not isinstance(counter, str) or _finds(phrase, counter, phrases):
                problems.append(f"{where}: the pattern matches its not_example {counter!r}")
    if problems:
        raise CrisisPhrasesError(source, problems)


def _check_rule_examples(phrases: PhraseList, entries: Sequence[Mapping[str, Any]], source: str) -> None:
    """Each rule must find its examples and leave its not_examples alone (on its own)."""
    problems: list[str] = []
    for number, (rule, raw) in enumerate(zip(phrases.rules, entries, strict=True), start=1):
        where = f"rule #{number} ({rule.phrase!r})"
        for example in raw.get("examples", []):
            if not isinstance(example, str) or not _rule_finds(rule, example, phrases):
                problems.append(f"{where}: the concepts are not all in its example {example!r}")
        for counter in raw.get("not_examples", []):
            if not isinstance(counter, str) or _rule_finds(rule, counter, phrases):
                problems.append(f"{where}: the rule matches its not_example {counter!r}")
    if problems:
        raise CrisisPhrasesError(source, problems)


def _rule_finds(rule: CrisisRule, text: str, listed: PhraseList) -> bool:
    reading = read(text, listed.vocabulary)
    tags = _Tags(reading, listed.concepts, listed.cues)
    return any(True for _ in _rule_spans(rule, reading, tags))


def _finds(phrase: CrisisPhrase, text: str, listed: PhraseList) -> bool:
    reading = read(text, listed.vocabulary)
    return any(True for _ in _phrase_spans(phrase, reading, listed.cues))


def load_phrase_list(path: Path) -> PhraseList:
    """Read and validate one language's phrase file; a broken file raises ``ValueError`` saying why."""
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise CrisisPhrasesError(path.name, [f"not valid TOML ({error})"]) from error
    return parse_phrase_list(document, path.name)


@cache
def phrase_lists(directory: Path = DATA_DIR) -> tuple[PhraseList, ...]:
    """Every language's phrase list in ``directory``, loaded and checked once."""
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise CrisisPhrasesError(str(directory), ["no phrase files (<language>.toml) found"])
    lists = tuple(load_phrase_list(path) for path in files)
    languages = [p.language for p in lists]
    if len(set(languages)) != len(languages):
        raise CrisisPhrasesError(str(directory), [f"a language is listed twice: {languages}"])
    return lists


def crisis_phrases() -> tuple[CrisisPhrase, ...]:
    """Every shipped phrase, all languages."""
    return tuple(phrase for listed in phrase_lists() for phrase in listed.phrases)


def crisis_rules() -> tuple[CrisisRule, ...]:
    """Every shipped concept rule, all languages."""
    return tuple(rule for listed in phrase_lists() for rule in listed.rules)


@cache
def vocabulary() -> frozenset[str]:
    """Every word any shipped pattern uses: what spelling repairs aim at."""
    return frozenset().union(*(listed.vocabulary for listed in phrase_lists()))


# --- matching -----------------------------------------------------------------------------


def _search(pattern: Any, text: bytes, position: int, stop: int | None = None) -> tuple[int, int] | None:
    """The span of the pattern's first match in ``text[position:stop]``, or None.

    Calls RE2 directly when the pinned google-re2 offers it: its Python ``search`` wraps each
    call in a generator and a match object, which costs more than RE2's own scan here.
    """
    stop = len(text) if stop is None else stop
    regexp = getattr(pattern, "_regexp", None)
    if regexp is None:
        found = pattern.search(text, position, stop)
        return None if found is None else found.span()
    start, end = regexp.Match(_UNANCHORED, text, position, stop)[0]
    return None if start < 0 else (start, end)


def _phrase_spans(
    phrase: CrisisPhrase, reading: Reading, cues: Cues, position: int = 0, stop: int | None = None
) -> Iterable[tuple[int, int]]:
    """Word spans [first, last] of the phrase's matches in ``rendered[position:stop]`` (a
    sentence, or the whole text) that pass its own exclusions.

    After a refused match the search goes on from the next word, so a match that overlaps a
    refused one is still found; each search is linear (RE2), and each word starts at most one.
    """
    text = reading.rendered
    stop = len(text) if stop is None else stop
    while position < stop:
        found = _search(phrase.pattern, text, position, stop)
        if found is None:
            return
        start, end = found
        while end > start and text[end - 1 : end] in (b" ", b"."):
            end -= 1
        first, last = reading.word_at.get(start), reading.word_ending.get(end)
        if first is not None and last is not None and _fits(phrase, reading, cues, first, last):
            yield first, last
            position = end
        else:
            position = text.find(b" ", start) + 1 or stop


def _phrase_matches(listed: PhraseList, reading: Reading) -> Iterator[tuple[CrisisPhrase, int, int]]:
    """(phrase, first, last) for each match of the language's phrases that passes the phrase's
    own exclusions. A match of most patterns cannot span a sentence end (" . " in the rendered
    text: it would have to match the dot), so each sentence is read once by the set of those
    patterns, and only the phrases it names are searched, and only in that sentence: the work
    is the text once plus each matching sentence once per phrase found in it, not the whole
    text once per phrase. The few patterns that can match a dot are searched in the whole text."""
    text = reading.rendered
    if listed.each is None:
        for phrase in listed.phrases:
            for first, last in _phrase_spans(phrase, reading, listed.cues):
                yield phrase, first, last
        return
    for number in listed.crossing:  # the few that may run over a sentence end: the whole text
        phrase = listed.phrases[number]
        for first, last in _phrase_spans(phrase, reading, listed.cues):
            yield phrase, first, last
    named = False
    for start, stop in reading.sentence_bytes:
        for number in listed.each.Match(text[start:stop]) or ():
            named = True
            phrase = listed.phrases[listed.each_phrase[number]]
            for first, last in _phrase_spans(phrase, reading, listed.cues, start, stop):
                yield phrase, first, last
    if not named:  # the gate saw a match the set named nowhere: trust the gate, read the whole text
        for number in listed.each_phrase:
            phrase = listed.phrases[number]
            for first, last in _phrase_spans(phrase, reading, listed.cues):
                yield phrase, first, last


def _fits(phrase: CrisisPhrase, reading: Reading, cues: Cues, first: int, last: int) -> bool:
    """The phrase's own conditions: its exclusions and, if asked, where its clause starts or ends."""
    words, breaks = reading.words, reading.breaks
    after = last + 1
    if (phrase.clause_end and after < len(words) and breaks[after] == NONE
            and words[after] not in cues.clause_words):
        return False
    if phrase.clause_start and breaks[first] == NONE and words[first - 1] not in cues.clause_words:
        return False
    if after < len(words) and breaks[after] == NONE and phrase.unless_followed_by:
        for sequence in _by_first_word(phrase.unless_followed_by).get(_key(words[after]), ()):
            stop = after + len(sequence)
            if stop <= len(words) and _same(words, after, sequence) and not any(breaks[after:stop]):
                return False
    if first > 0 and breaks[first] == NONE and phrase.unless_preceded_by:
        for sequence in _by_last_word(phrase.unless_preceded_by).get(_key(words[first - 1]), ()):
            begin = first - len(sequence)
            if begin >= 0 and _same(words, begin, sequence) and not any(breaks[begin + 1 : first + 1]):
                return False
    return not (phrase.unless_sentence_has
                and reading.sentence_has("phrase:" + phrase.phrase, first, phrase.unless_sentence_has))


def _key(word: str) -> str:
    """How a word is looked up among exclusions: any number is "<number>"."""
    return _NUMBER if word.isdigit() else word


def _same(words: list[str], start: int, sequence: tuple[str, ...]) -> bool:
    """Do the words from ``start`` on spell ``sequence``? ("<number>" is any number, "<many>"
    one from 10 to 999.)"""
    for offset, wanted in enumerate(sequence):
        word = words[start + offset]
        if word != wanted and not (wanted == _NUMBER and word.isdigit()) and not (wanted == _MANY and _is_many(word)):
            return False
    return True


def _concept_keys(word: str) -> tuple[str, ...]:
    """How a word is looked up among concept sequences: itself, and a number also as
    "<number>" (and "<many>" from 10 to 999)."""
    if not word.isdigit():
        return (word,)
    return (word, _NUMBER, _MANY) if _is_many(word) else (word, _NUMBER)


def _is_many(word: str) -> bool:
    """10 to 999: a count of pills, not a year or a dose in milligrams."""
    return 2 <= len(word) <= 3 and word.isdigit() and word[0] != "0"


@lru_cache(maxsize=1024)
def _by_last_word(sequences: frozenset[tuple[str, ...]]) -> dict[str, tuple[tuple[str, ...], ...]]:
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for sequence in sequences:
        grouped.setdefault(sequence[-1], []).append(sequence)
    return {word: tuple(found) for word, found in grouped.items()}


class _Context:
    """The checks after a match for one text and one language, cached per word or sentence."""

    def __init__(self, reading: Reading, cues: Cues) -> None:
        self.reading = reading
        self.cues = cues
        self._negated: dict[tuple[int, int, bool], bool] = {}
        self._denials: list[int] | None = None
        self._someone: dict[tuple[int, int], bool | None] = {}

    def negated(self, first: int, floor: int = -1, consumed: frozenset[int] = frozenset()) -> bool:
        key = (first, floor, bool(consumed))
        if key not in self._negated:
            self._negated[key] = self._is_negated(first, floor, consumed)
        return self._negated[key]

    def _is_negated(self, first: int, floor: int = -1, consumed: frozenset[int] = frozenset()) -> bool:
        """Does a negation cue stand shortly before word ``first``, in the same clause (and
        after word ``floor``)? Words in ``consumed`` belong to a concept and negate nothing."""
        words, breaks, cues = self.reading.words, self.reading.breaks, self.cues
        before: list[str] = []  # nearest first
        index = first
        while index > floor + 1 and index > 0 and len(before) < NEGATION_WINDOW + DOUBLE_NEGATION_WINDOW:
            if breaks[index] != NONE and not (breaks[index] == SOFT and words[index] == "ever"):
                break
            word = words[index - 1]
            if word in cues.clause_words:
                break
            before.append("" if index - 1 in consumed else word)
            index -= 1
        for position, word in enumerate(before[:NEGATION_WINDOW]):
            if word in cues.subject and position + 2 < len(before) and not any(
                    w in cues.negation for w in before[position + 1 : position + 3]):
                return False  # "if he doesnt come back | ill kill myself": a new subject, a new clause
            if word not in cues.negation:
                continue
            if position and before[position - 1] in cues.not_negating_before:
                continue
            further = before[position + 1 : position + 1 + DOUBLE_NEGATION_WINDOW]
            return not any(w in cues.double_negators for w in further)
        return False

    def sentence_of(self, word: int) -> tuple[int, int]:
        """The word span [start, stop) of the sentence word ``word`` is in."""
        return self.reading.bounds[self.reading.sentence[word]]

    def sentence_has(self, kind: str, word: int) -> bool:
        """Does the sentence of ``word`` contain one of the cue sequences of ``kind``?"""
        return self.reading.sentence_has(f"{kind}:{id(self.cues)}", word, getattr(self.cues, kind))

    def denied_after(self, last: int) -> bool:
        """Does a clear "no" follow the match shortly, in its sentence ("...and I said no")?"""
        if self._denials is None:  # where each "no" starts: one pass over the text, once
            words = self.reading.words
            self._denials = _starts(words, 0, len(words), self.cues.denial)
        _, stop = self.sentence_of(last)
        found = bisect.bisect_right(self._denials, last)
        return found < len(self._denials) and self._denials[found] < min(stop, last + 1 + DENIAL_WINDOW)

    def about_someone_else(self, first: int, last: int) -> bool | None:
        key = (first, last)
        if key not in self._someone:
            self._someone[key] = self._about_someone_else(first, last)
        return self._someone[key]

    def _about_someone_else(self, first: int, last: int) -> bool | None:
        """True if the nearest person word before the match is someone else's, False if it is
        the writer's (or the match names the writer), None if no person word is near.

        Inside a quotation the words are someone's reported speech: the person is looked
        for before the quotation opens, and an "I" inside it does not count.
        """
        words, cues = self.reading.words, self.cues
        opening = self.reading.quoted[first]
        named = cues.first_person | cues.possessive
        if opening < 0 and any(w in named for w in words[first : last + 1]):
            return False
        origin = opening if opening >= 0 else first
        start, _ = self.sentence_of(first)
        for index in range(origin - 1, max(start, origin - SUBJECT_WINDOW) - 1, -1):
            if words[index] in cues.first_person:
                return False
            if words[index] in cues.third_person:
                return True
        return None

    def names_writer(self, first: int, last: int) -> bool:
        """Do words[first..last] name the writer ("pumped *my* stomach"), outside a quotation?"""
        words, cues = self.reading.words, self.cues
        return self.reading.quoted[first] < 0 and any(
            w in cues.first_person or w in cues.possessive for w in words[first : last + 1])

    def at_work(self, first: int, last: int) -> bool:
        """Is this a professional's account of someone else's crisis ("as a nurse I see
        self-harm every week", "on shift: three overdoses")?

        Only in a sentence with a professional cue, only when the match itself does not name
        the writer, and only when the writer is not its subject, or watches it (an
        ``observing`` word such as "see" or "treat" stands between the writer and the match).
        "On shift and I want to die" is still the writer's.
        """
        if not self.sentence_has("professional", first):
            return False
        words, cues = self.reading.words, self.cues
        named = cues.first_person | cues.possessive
        if self.names_writer(first, last):
            return False
        if self.about_someone_else(first, last) is not False:
            return True
        start, _ = self.sentence_of(first)
        for index in range(first - 1, max(start, first - SUBJECT_WINDOW) - 1, -1):
            if words[index] in cues.observing:
                return True
            if words[index] in named:
                return False
        return False

    def person_before(self, word: int) -> bool | None:
        """Is the nearest person word before ``word`` (within the sentence) someone else's?

        True for someone else ("my friend", "she", "my cousin's"), False for the writer ("I",
        "me", "my"), None when no person word is near. Inside a quotation the search starts
        where the quotation opens.
        """
        words, cues = self.reading.words, self.cues
        opening = self.reading.quoted[word]
        origin = opening if opening >= 0 else word
        start, _ = self.sentence_of(word)
        for index in range(origin - 1, max(start, origin - SUBJECT_WINDOW) - 1, -1):
            found = words[index]
            if found in cues.first_person or found in cues.possessive:
                return False
            if found in cues.third_person or (found.endswith("s") and found[:-1] in cues.third_person):
                return True
        return None


def _contains(words: list[str], start: int, stop: int, sequences: frozenset[tuple[str, ...]]) -> bool:
    """Does words[start:stop] contain one of ``sequences``? "<year>" stands for 1900-2099."""
    return bool(_starts(words, start, stop, sequences, first_only=True))


def _starts(
    words: list[str], start: int, stop: int, sequences: frozenset[tuple[str, ...]], *, first_only: bool = False
) -> list[int]:
    """Where in words[start:stop] one of ``sequences`` starts, in order (one pass)."""
    by_first = _by_first_word(sequences)
    years = by_first.get(_YEAR, ())
    found: list[int] = []
    for index in range(start, stop):
        candidates = by_first.get(words[index])
        if years and _is_year(words[index]):
            candidates = (candidates or ()) + years
        if candidates is None:
            continue
        for sequence in candidates:
            end = index + len(sequence)
            if end > stop:
                continue
            if _YEAR in sequence:
                same = all(w == wanted or (wanted == _YEAR and _is_year(w))
                           for w, wanted in zip(words[index:end], sequence, strict=True))
            else:
                same = tuple(words[index:end]) == sequence
            if same:
                found.append(index)
                if first_only:
                    return found
                break
    return found


def _is_year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and word[:2] in ("19", "20")


@lru_cache(maxsize=1024)
def _by_first_word(sequences: frozenset[tuple[str, ...]]) -> dict[str, tuple[tuple[str, ...], ...]]:
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for sequence in sequences:
        grouped.setdefault(sequence[0], []).append(sequence)
    return {word: tuple(found) for word, found in grouped.items()}


def _keeps(context: _Context, phrase: CrisisPhrase, first: int, last: int) -> bool:
    """The checks after a match, in order; True if the match should show help."""
    if phrase.negatable and context.negated(first):
        return False
    if context.denied_after(last):
        return False
    if context.sentence_has("past", first) and not context.sentence_has("back_again", first):
        return False
    if context.at_work(first, last):
        return False
    if phrase.about_writer:
        return True
    someone = context.about_someone_else(first, last)
    if someone:
        return False
    return not (someone is None and context.sentence_has("topic", first))


# --- concepts and rules -------------------------------------------------------------------


class _Tags:
    """Where each concept of a language stands in a reading: one pass over the words.

    ``spans[concept]`` lists the [first, last] word spans of its sequences, in order. A
    sequence never spans a sentence end; it may span a comma or a hyphen ("multi-storey").
    """

    def __init__(self, reading: Reading, index: ConceptIndex, cues: Cues) -> None:
        self.reading = reading
        self.cues = cues
        self.spans: dict[int, list[tuple[int, int]]] = {}
        self._sentences: dict[int, set[int]] = {}  # concept -> the sentences it stands in
        self._clause: list[int] | None = None
        self.consumed: frozenset[int] = frozenset()  # negation words inside a concept's sequence
        if not index.singles and not index.pairs:
            return
        negation: set[int] = set()
        singles, pairs = index.singles, index.pairs
        words, sentence = reading.words, reading.sentence
        count = len(words)
        spans, sentences = self.spans, self._sentences
        # Most words are looked up once, by the dicts' own get (no Python call per word); a
        # number is also looked up as "<number>" (and "<many>"), below.
        numbers = [i for i, word in enumerate(words) if word.isdigit()]
        found_singles = list(map(singles.get, words))
        hits: list[tuple[int, int, int]] = [  # (concept, first, last)
            (concept, position, position)
            for position in compress(range(count), found_singles) for concept in found_singles[position] or ()
        ]
        for position in numbers:
            for key in _concept_keys(words[position])[1:]:
                hits.extend((concept, position, position) for concept in singles.get(key, ()))
        found_pairs = list(map(pairs.get, zip(words, words[1:], strict=False)))
        starts: list[tuple[int, tuple[tuple[tuple[str, ...], int], ...]]] = [
            (position, found_pairs[position] or ()) for position in compress(range(count), found_pairs)
        ]
        # "<number> pills", "took <many>": the pairs with a number on either side, once each
        for before in sorted({i for position in numbers for i in (position - 1, position) if 0 <= i < count - 1}):
            plain = (words[before], words[before + 1])
            for pair in product(_concept_keys(plain[0]), _concept_keys(plain[1])):
                if pair != plain and (found := pairs.get(pair)):
                    starts.append((before, found))
        for position, found in starts:
            if sentence[position + 1] != sentence[position]:
                continue
            for sequence, concept in found:
                end = position + len(sequence)
                if end > count or sentence[end - 1] != sentence[position]:
                    continue
                if len(sequence) > 2 and not _same(words, position + 2, sequence[2:]):
                    continue
                hits.append((concept, position, end - 1))
                if not cues.negation.isdisjoint(sequence):
                    negation.update(i for i in range(position, end) if words[i] in cues.negation)
        hits.sort(key=itemgetter(1))  # each concept's spans in order of where they start
        for concept, first, last in hits:
            found_spans = spans.get(concept)
            if found_spans is None:
                spans[concept] = [(first, last)]
                sentences[concept] = {sentence[first]}
            else:
                found_spans.append((first, last))
                sentences[concept].add(sentence[first])
        self.consumed = frozenset(negation)

    def in_sentences(self, concepts: tuple[int, ...], first: int, last: int) -> bool:
        """Does one of ``concepts`` stand in a sentence from the one of word ``first`` to that of ``last``?"""
        numbers = range(self.reading.sentence[first], self.reading.sentence[last] + 1)
        return any(n in self._sentences.get(c, ()) for c in concepts for n in numbers)

    @property
    def clause(self) -> list[int]:
        """For each word, the number of its clause: a break or a joining word starts a new one."""
        if self._clause is None:
            clause, number = [], 0
            joining = self.cues.clause_words
            for word, brk in zip(self.reading.words, self.reading.breaks, strict=True):
                number += brk != NONE or word in joining
                clause.append(number)
            self._clause = clause
        return self._clause


def _rule_spans(
    rule: CrisisRule, reading: Reading, tags: _Tags
) -> Iterator[tuple[int, int, tuple[tuple[int, int], ...]]]:
    """Each place where the rule's groups all stand close enough: (first, last, and the
    [first, last] span of the occurrence filling each group).

    One sweep over the rule's concept occurrences in order of where they end, keeping for
    each group its occurrence that starts latest: the tightest window ending here. Linear in
    the number of occurrences (after one sort), so in the length of the text.
    """
    events: list[tuple[int, int, int]] = []
    for number, group in enumerate(rule.groups):
        before = len(events)
        for concept in group:
            events.extend((last, first, number) for first, last in tags.spans.get(concept, ()))
        if len(events) == before:
            return
    events.sort()
    latest = [(-1, -1)] * len(rule.groups)
    missing = len(rule.groups)
    sentence = reading.sentence
    for last, first, number in events:
        if latest[number][0] < 0:
            missing -= 1
        if first > latest[number][0]:
            latest[number] = (first, last)
        if missing:
            continue
        start = min(found for found, _ in latest)
        if last - start >= rule.within:
            continue
        if not rule.across_sentences and sentence[start] != sentence[last]:
            continue
        if rule.same_clause and tags.clause[start] != tags.clause[last]:
            continue
        if rule.unless and tags.in_sentences(rule.unless, start, last):
            continue
        yield start, last, tuple(latest)


def _keeps_rule(
    context: _Context, rule: CrisisRule, last: int, spans: tuple[tuple[int, int], ...], consumed: frozenset[int]
) -> bool:
    """The checks after a match for a rule: as for a phrase, from where its head stands.

    A negation negates the concept it stands before, but not from inside another concept of
    the same match ("the bleeding *won't stop*" is not a negated "bleeding"), and a negation
    word that is part of a concept ("won't be around", ``consumed``) negates nothing.
    """
    if rule.negatable:
        for start, _ in spans:
            floor = max((end for _, end in spans if end < start), default=-1)
            if context.negated(start, floor, consumed):
                return False
    if context.denied_after(last):
        return False
    head = spans[rule.head][0]
    if context.sentence_has("past", head) and not context.sentence_has("back_again", head):
        return False
    first = min(start for start, _ in spans)
    if context.at_work(first, last):
        return False
    if rule.about_writer or context.names_writer(*spans[rule.head]):
        return True
    someone = context.person_before(head)
    if someone:
        return False
    return not (someone is None and context.sentence_has("topic", head))


def _rule_matches(listed: PhraseList, reading: Reading, context: _Context) -> list[tuple[int, int, CrisisRule, bool]]:
    """The kept matches of the language's rules, at most one per rule and place.

    Only kept matches are returned: a refused rule (say, negated) must not hide a phrase
    that stands inside its wider window.
    """
    tags = _Tags(reading, listed.concepts, listed.cues)
    if not tags.spans:
        return []
    found: list[tuple[int, int, CrisisRule, bool]] = []
    for rule in listed.rules:
        kept_until = -1
        for first, last, spans in _rule_spans(rule, reading, tags):
            if first > kept_until and _keeps_rule(context, rule, last, spans, tags.consumed):
                found.append((first, last, rule, True))
                kept_until = last
    return found


def find_crisis_language(text: str, lists: Sequence[PhraseList] | None = None) -> list[CrisisMatch]:
    """Every listed crisis phrase in ``text`` that the checks keep, in order of position.

    ``lists`` defaults to every shipped language; each text is scanned with all of them.
    Where a match lies inside a longer one of the same category, only the longer one is
    returned (matches of different categories may overlap). A negation of a longer phrase
    also covers the shorter ones inside it ("never had any thoughts of suicide").
    """
    if not text or not text.strip():
        return []
    if lists is None:
        lists, words = phrase_lists(), vocabulary()
    else:
        words = frozenset().union(*(listed.vocabulary for listed in lists))
    reading = read(text, words)
    if not reading.words:
        return []
    found: list[tuple[int, int, CrisisPhrase | CrisisRule, bool]] = []
    for listed in lists:
        context = _Context(reading, listed.cues)
        if listed.anything is None or _search(listed.anything, reading.rendered, 0) is not None:
            for phrase, first, last in _phrase_matches(listed, reading):
                found.append((first, last, phrase, _keeps(context, phrase, first, last)))
        if listed.rules:
            found.extend(_rule_matches(listed, reading, context))
    return _outermost(found, reading)


def _outermost(found: list[tuple[int, int, CrisisPhrase | CrisisRule, bool]], reading: Reading) -> list[CrisisMatch]:
    """Drop matches inside a dropped (negated...) one, and inside a kept longer one of their category."""
    found.sort(key=lambda item: (item[0], -item[1], item[2].phrase))
    dropped_until = -1
    kept_until: dict[str, int] = {}
    kept_at: dict[str, int] = {}  # category -> the index in matches of the kept match reaching kept_until
    matches: list[CrisisMatch] = []
    for first, last, phrase, keep in found:
        if last <= dropped_until:
            continue
        if not keep:
            dropped_until = max(dropped_until, last)
            continue
        if last <= kept_until.get(phrase.category, -1):
            if not phrase.quiet_when_model_calm:  # a longer match may be quieted only if what it holds may be
                outer = kept_at[phrase.category]
                matches[outer] = replace(matches[outer], quiet_when_model_calm=False)
            continue
        kept_until[phrase.category] = last
        kept_at[phrase.category] = len(matches)
        # A match of disguised spellings is never quieted: the model cannot read those.
        quiet = phrase.quiet_when_model_calm and all(reading.as_written[first : last + 1])
        matches.append(CrisisMatch(phrase.phrase, phrase.category, reading.starts[first], reading.ends[last], quiet))
    return matches


def has_crisis_language(text: str) -> bool:
    """True when ``text`` contains at least one crisis phrase that the checks keep."""
    return bool(find_crisis_language(text))
