"""Crisis language in free text: a safety net that errs towards showing help.

Thaw runs this over what a person writes (a check-in note, a journal entry) so it can offer
crisis resources at once when the words suggest thoughts of suicide, self-harm, a plan or the
means to act on one, or harming someone else.

What it is, and what it is not:

- **A safety net, never a diagnosis.** It looks for phrases listed in
  ``data/crisis_phrases.toml``; it does not understand the text, judge risk or say anything
  about the person. A match means "show help now", nothing more.
- **It errs towards showing help.** A false alarm shows crisis resources to someone who did
  not need them; a miss hides them from someone who did. Every doubtful case is decided in
  favour of a match, and the phrase list will still miss things.
- **A match never contacts anyone by itself.** This module only returns matches. What happens
  next (showing resources, alerting a linked clinician) is decided elsewhere, by code and
  settings the person can see.

How it works: the text is normalised (NFKC, lower case, straight apostrophes, invisible and
combining characters dropped, whitespace collapsed) while remembering where every character
came from, so spans always refer to the original text. Each listed pattern is matched at word
boundaries. A match is dropped when a negation cue ("not", "never", "don't", "denies", ...)
stands at most ``NEGATION_WINDOW`` words before it *in the same clause*; a sentence end, a
comma, a dash or a joining word such as "but", "and", "because" or "if" ends a clause, so
"I'm not okay. I want to die" still matches, and so, on purpose, does "I don't know, I want
to die". Phrases that carry their own negation ("don't
want to live", "can't go on") are marked ``negatable = false`` in the data file: no cue
before them cancels them, so "not sure I want to live anymore" still matches. A cue followed
by a word of doubt ("not *sure*", "don't *know*", "never *thought*") is not a negation, and a
doubled negation ("I can't say I don't want to die") is treated as no negation at all.

``CrisisMatch.phrase`` is the label of the listed phrase, not the person's own words: it can
go into an alert or an audit record without copying a note's text. Use the span to show the
words in context.
"""

from __future__ import annotations

import importlib
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "crisis_phrases.toml"

CATEGORIES = ("suicide", "self_harm", "plan_or_means", "harm_to_others")

# How many words before a match a negation cue may stand and still negate it.
NEGATION_WINDOW = 4
# How far before a negation cue a second one turns the pair into a double negative.
DOUBLE_NEGATION_WINDOW = 3

# Words that negate what follows ("no longer" is covered by "no"). Apostrophes are removed
# before lookup, so "don't", "dont" and "don’t" are all "dont".
NEGATION_CUES = frozenset(
    {
        "not", "never", "no", "nor", "dont", "doesnt", "didnt", "wont", "wouldnt", "isnt",
        "arent", "wasnt", "werent", "aint", "havent", "hasnt", "hadnt", "shouldnt",
        "deny", "denies", "denied", "denying", "without",
    }
)  # fmt: skip

# A cue followed by one of these negates the doubt, not the danger: "not sure I want to
# live", "don't know if I want to die", "no one would care", "never thought I'd want to die",
# "it's not that I want to die, I just...".
NOT_NEGATING_BEFORE = frozenset(
    {
        "sure", "know", "knew", "think", "thought", "care", "mind", "matter", "understand",
        "remember", "one", "idea", "doubt", "wonder", "only", "just", "imagined", "expected",
        "realised", "realized", "see", "tell", "that",
    }
)  # fmt: skip

# A second negation shortly before a cue makes a double negative, read as no negation.
DOUBLE_NEGATORS = (NEGATION_CUES - {"no", "nor", "without"}) | {"cant", "cannot", "couldnt"}

# Words a negation never reaches across: joining words that start a new clause, and the
# ends of "not gonna lie", "no joke", "not kidding", which negate nothing that follows.
CLAUSE_WORDS = frozenset(
    {
        "but", "yet", "though", "although", "however", "except", "and", "so", "because",
        "cause", "cuz", "cos", "coz", "if", "when", "whereas", "then", "anyway",
        "lie", "lying", "joke", "joking", "kidding", "ngl",
    }
)  # fmt: skip

# Between the words of a pattern: any run of spaces and punctuation that does not end a
# sentence, or an ellipsis ("want to... die").
_GAP = r"(?:(?:[^\w.!?;]|\.{2,})+)"
# Words, and the punctuation that ends a clause, for the negation window.
_TOKEN = re.compile(r"\w[\w']*|[.!?;:,\n()\"\u2013\u2014]|(?<= )-(?= )")
_CLAUSE_PUNCTUATION = frozenset('.!?;:,\n()"\u2013\u2014-')
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Runs of whitespace other than a lone space; written to start with \s so re scans fast.
_WHITESPACE_TO_COLLAPSE = re.compile(r"\s(?:(?<=[^ ])|\s)\s*")
_NEWLINES = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_APOSTROPHES = frozenset("\u2019\u2018\u201b\u02bc\u02b9\u02bb\u02bd\u00b4\u0060\u2032\uff07")
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
_ENTRY_KEYS = frozenset({"phrase", "category", "pattern", "examples", "not_examples", "negatable"})
_CONTEXT = 160  # characters before a match searched for its clause
_OPENING = 3  # how many opening characters of each pattern the dispatch table uses

try:  # the stdlib's regex parser: private, so without it every pattern scans the whole text
    _sre: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover
    _sre = None


class CrisisPhrasesError(ValueError):
    """The crisis phrase file broke a rule; ``problems`` lists every one found."""

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


@dataclass(frozen=True)
class CrisisPhrase:
    """One entry of the data file, its pattern compiled."""

    phrase: str
    category: str
    pattern: re.Pattern[str]
    negatable: bool


# --- normalisation ---------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    """One non-ASCII character as the matcher sees it (possibly several, possibly none)."""
    if char in _APOSTROPHES:
        return "'"
    folded = unicodedata.normalize("NFKC", char).lower()
    return "".join(
        "'" if c in _APOSTROPHES else c
        for c in folded
        if unicodedata.category(c) not in _DROPPED_CATEGORIES
    )


def normalise(text: str) -> tuple[str, list[int]]:
    """Return the text as the patterns see it, and where each of its characters came from.

    ``origin[i]`` is the index in ``text`` of the character that produced character ``i``
    of the normalised text. ASCII stretches are lower-cased in bulk; only non-ASCII
    characters go through NFKC one at a time, which keeps the mapping exact.
    """
    parts: list[str] = []
    origin: list[int] = []
    done = 0
    for run in _NON_ASCII.finditer(text):
        if run.start() > done:
            parts.append(text[done : run.start()].lower())
            origin.extend(range(done, run.start()))
        for index in range(run.start(), run.end()):
            folded = _fold(text[index])
            parts.append(folded)
            origin.extend([index] * len(folded))
        done = run.end()
    parts.append(text[done:].lower())
    origin.extend(range(done, len(text)))
    return _collapse_whitespace("".join(parts), origin)


def _collapse_whitespace(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """Turn each run of whitespace into one space, or one newline if it held a line break."""
    parts: list[str] = []
    collapsed: list[int] = []
    done = 0
    for run in _WHITESPACE_TO_COLLAPSE.finditer(text):
        parts.append(text[done : run.start()])
        collapsed.extend(origin[done : run.start()])
        parts.append("\n" if any(c in _NEWLINES for c in run.group()) else " ")
        collapsed.append(origin[run.start()])
        done = run.end()
    if done == 0:
        return text, origin
    parts.append(text[done:])
    collapsed.extend(origin[done:])
    return "".join(parts), collapsed


# --- the data file ---------------------------------------------------------------------


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a pattern written in the data file's conventions.

    Outside lookarounds a space means "one or more spaces or punctuation between words";
    inside a lookaround it means exactly one space, so an exclusion such as ``(?! a)`` never
    reaches across a comma. An apostrophe is optional ("dont" is "don't"). The whole pattern
    must start and end at word boundaries.
    """
    out: list[str] = []
    groups: list[bool] = []  # for each open parenthesis: is it a lookaround?
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            groups.append(pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), index))
        elif char == ")" and groups:
            groups.pop()
        elif char == " ":
            char = " " if any(groups) else _GAP
        elif char == "'":
            char = "'?"
        out.append(char)
        index += 1
    return re.compile(r"(?<!\w)(?:" + "".join(out) + r")(?!\w|'\w)")


def opening_letters(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings of up to ``_OPENING`` characters of which every match starts with one.

    Read from the parsed pattern and sound by construction: where the analysis cannot tell
    (a character class, a repeat) it stops early and keeps a shorter string. None means
    "could start anywhere": such a pattern is scanned over the whole text instead.
    """
    if _sre is None:  # pragma: no cover
        return None
    try:
        found = _extend(frozenset([("", True)]), _sre.parse(pattern.pattern, pattern.flags))
    except Exception:  # pragma: no cover - a parser we do not know: scan everything
        return None
    # Keep only the word characters each opening starts with: a match starts at a word,
    # and an opening that stays inside one word can never hide the start of another.
    openings = frozenset(re.split(r"\W", text, maxsplit=1)[0] for text, _ in found)
    return None if "" in openings else openings


# A partial opening: the text so far, and whether it may still grow.
_Opening = tuple[str, bool]


def _extend(openings: frozenset[_Opening], items: Any) -> frozenset[_Opening]:
    """Grow each still-open opening by what ``items`` (a parsed sequence) must consume next."""
    current = set(openings)
    for op, argument in items:
        growing = {o for o in current if o[1]}
        if not growing:
            break
        done = current - growing
        current = done | _extend_item(frozenset(growing), op, argument)
    return frozenset((text, grows and len(text) < _OPENING) for text, grows in current)


def _extend_item(growing: frozenset[_Opening], op: Any, argument: Any) -> set[_Opening]:
    if op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
        return set(growing)  # zero-width: consumes nothing
    if op is _sre.LITERAL:
        return _grown(growing, [chr(argument)])
    if op is _sre.IN and len(argument) <= 10 and all(o is _sre.LITERAL for o, _ in argument):
        return _grown(growing, [chr(value) for _, value in argument])
    if op is _sre.SUBPATTERN:
        return set(_extend(growing, argument[3]))
    if op is _sre.BRANCH:
        return {o for alternative in argument[1] for o in _extend(growing, alternative)}
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        low, _, inner = argument
        once = {(text, False) for text, _ in _extend(growing, inner)}  # stop after one pass
        return once if low >= 1 else once | set(growing)
    return {(text, False) for text, _ in growing}  # anything else: stop here


def _grown(growing: frozenset[_Opening], chars: list[str]) -> set[_Opening]:
    return {(text + c, len(text) + 1 < _OPENING) for text, _ in growing for c in chars}


def _check_entry(raw: object, where: str, problems: list[str]) -> CrisisPhrase | None:
    """Validate one ``[[phrase]]`` table; append what is wrong to ``problems``."""
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: must be a table with phrase, category, pattern, examples")
        return None
    found = len(problems)
    unknown = sorted(set(raw) - _ENTRY_KEYS)
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(unknown)}")
    category = raw.get("category")
    if category not in CATEGORIES:
        problems.append(
            f"{where}: unknown category {category!r}; use one of {', '.join(CATEGORIES)}"
        )
    negatable = raw.get("negatable", True)
    if not isinstance(negatable, bool):
        problems.append(f"{where}: negatable must be true or false")
    source = raw.get("pattern")
    if not isinstance(source, str) or not source.strip():
        problems.append(f"{where}: the pattern is empty; write the words to look for")
        return None
    if re.search(r"[A-Z]", re.sub(r"\\.", "", source)):
        problems.append(f"{where}: the pattern has capital letters; text is lower-cased first")
    if any(c in _APOSTROPHES for c in source):
        problems.append(f"{where}: use a straight apostrophe (') in the pattern")
    try:
        compiled = compile_pattern(source)
    except re.error as error:
        problems.append(f"{where}: the pattern is not a valid regular expression ({error})")
        return None
    if compiled.groups:
        problems.append(f"{where}: use (?:...) instead of capturing groups")
    if compiled.search(""):
        problems.append(f"{where}: the pattern matches empty text")
    examples = raw.get("examples")
    if not isinstance(examples, list) or not examples:
        problems.append(f"{where}: list at least one example sentence it must match")
        examples = []
    for example in examples:
        if not isinstance(example, str) or not compiled.search(normalise(example)[0]):
            problems.append(f"{where}: the pattern does not match its example {example!r}")
    for counter in raw.get("not_examples", []):
        if not isinstance(counter, str) or compiled.search(normalise(counter)[0]):
            problems.append(f"{where}: the pattern matches its not_example {counter!r}")
    if len(problems) > found:
        return None
    return CrisisPhrase(str(raw["phrase"]), str(category), compiled, negatable)


def parse_crisis_phrases(
    document: Mapping[str, object], source: str = "crisis_phrases.toml"
) -> tuple[CrisisPhrase, ...]:
    """Validate a parsed phrase file; raise ``CrisisPhrasesError`` naming every problem."""
    problems: list[str] = []
    unknown = sorted(set(document) - {"phrase"})
    if unknown:
        problems.append(f"unknown top-level key(s) {', '.join(unknown)}; expected [[phrase]]")
    entries = document.get("phrase")
    if not isinstance(entries, list) or not entries:
        raise CrisisPhrasesError(source, problems + ["no [[phrase]] entries found"])
    phrases: list[CrisisPhrase] = []
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
        checked = _check_entry(raw, where, problems)
        if checked is not None:
            phrases.append(checked)
    for category in CATEGORIES:
        if not any(p.category == category for p in phrases) and not problems:
            problems.append(f"category {category!r} has no phrases")
    if problems:
        raise CrisisPhrasesError(source, problems)
    return tuple(phrases)


def load_crisis_phrases(path: Path = DATA_FILE) -> tuple[CrisisPhrase, ...]:
    """Read and validate a phrase file; a broken file raises ``ValueError`` saying why."""
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise CrisisPhrasesError(path.name, [f"not valid TOML ({error})"]) from error
    return parse_crisis_phrases(document, path.name)


@cache
def crisis_phrases() -> tuple[CrisisPhrase, ...]:
    """The shipped phrase list, loaded and checked once."""
    return load_crisis_phrases()


@dataclass(frozen=True)
class _Dispatch:
    """Which patterns to try at a word, by the word's first letters.

    Running ~60 regular expressions over a whole note costs milliseconds, because each is
    tried at every character. Every match starts at a word, and each pattern can only start
    with a few known letters, so each pattern is tried only where it could start.
    """

    by_opening: dict[str, tuple[CrisisPhrase, ...]]
    lengths: tuple[int, ...]
    everywhere: tuple[CrisisPhrase, ...]  # openings unknown: scanned over the whole text
    candidates: re.Pattern[str]  # finds word starts that begin with any known opening


@cache
def _dispatch() -> _Dispatch:
    by_opening: dict[str, list[CrisisPhrase]] = {}
    everywhere: list[CrisisPhrase] = []
    for phrase in crisis_phrases():
        openings = opening_letters(phrase.pattern)
        if openings is None:
            everywhere.append(phrase)
            continue
        for opening in openings:
            by_opening.setdefault(opening, []).append(phrase)
    lengths = tuple(sorted({len(opening) for opening in by_opening}))
    table = {opening: tuple(found) for opening, found in by_opening.items()}
    candidates = re.compile(r"(?<!\w)(?:" + _trie(set(by_opening)) + ")")
    return _Dispatch(table, lengths, tuple(everywhere), candidates)


def _trie(words: set[str]) -> str:
    """A regular expression matching any of ``words``, nested by letter so it fails fast."""
    rests: dict[str, set[str]] = {}
    for word in words:
        rests.setdefault(word[0], set()).add(word[1:])
    branches = []
    for first, after in sorted(rests.items()):
        longer = {rest for rest in after if rest}
        branch = re.escape(first)
        if longer:
            branch += "(?:" + _trie(longer) + ")" + ("?" if "" in after else "")
        branches.append(branch)
    return "|".join(branches)


def raw_matches(normalised: str) -> set[tuple[int, int, CrisisPhrase]]:
    """Every match of every shipped pattern in normalised text, negated or not.

    Finds each match ``pattern.finditer`` would find, and also matches that overlap them.
    """
    dispatch = _dispatch()
    found: set[tuple[int, int, CrisisPhrase]] = set()
    for phrase in dispatch.everywhere:
        for match in phrase.pattern.finditer(normalised):
            found.add((match.start(), match.end(), phrase))
    table, lengths = dispatch.by_opening, dispatch.lengths
    for candidate in dispatch.candidates.finditer(normalised):
        start = candidate.start()
        for length in lengths:
            for phrase in table.get(normalised[start : start + length], ()):
                anchored = phrase.pattern.match(normalised, start)
                if anchored:
                    found.add((start, anchored.end(), phrase))
    return {item for item in found if item[1] > item[0]}


# --- matching --------------------------------------------------------------------------


def _is_negated(text: str, start: int) -> bool:
    """Does a negation cue stand shortly before ``start``, in the same clause?"""
    words: list[str] = []  # nearest first
    for token in reversed(_TOKEN.findall(text, max(0, start - _CONTEXT), start)):
        if token == "," and words and words[-1] == "ever":
            continue  # "I would never, ever...": the comma does not end the clause
        if token in _CLAUSE_PUNCTUATION:
            break
        word = token.replace("'", "")
        if word in CLAUSE_WORDS:
            break
        words.append(word)
        if len(words) == NEGATION_WINDOW + DOUBLE_NEGATION_WINDOW:
            break
    for position, word in enumerate(words[:NEGATION_WINDOW]):
        if word not in NEGATION_CUES:
            continue
        if position and words[position - 1] in NOT_NEGATING_BEFORE:
            continue
        further = words[position + 1 : position + 1 + DOUBLE_NEGATION_WINDOW]
        return not any(w in DOUBLE_NEGATORS for w in further)
    return False


def find_crisis_language(text: str) -> list[CrisisMatch]:
    """Every listed crisis phrase in ``text`` that is not negated, in order of position.

    Where a match lies inside a longer one of the same category, only the longer one is
    returned (matches of different categories may overlap). A negation of a longer phrase
    also covers the shorter ones inside it ("never had thoughts of suicide").
    """
    if not text:
        return []
    normal, origin = normalise(text)
    found = sorted(raw_matches(normal), key=lambda item: (item[0], -item[1], item[2].phrase))
    if not found:
        return []

    negation_at: dict[int, bool] = {}
    negated_spans: list[tuple[int, int]] = []
    kept: list[tuple[int, int, CrisisPhrase]] = []
    for start, end, phrase in found:
        if phrase.negatable:
            if start not in negation_at:
                negation_at[start] = _is_negated(normal, start)
            inside_negated = any(s <= start and end <= e for s, e in negated_spans)
            if negation_at[start] or inside_negated:
                negated_spans.append((start, end))
                continue
        if any(s <= start and end <= e and p.category == phrase.category for s, e, p in kept):
            continue
        kept.append((start, end, phrase))

    return [
        CrisisMatch(phrase.phrase, phrase.category, origin[start], origin[end - 1] + 1)
        for start, end, phrase in kept
    ]


def has_crisis_language(text: str) -> bool:
    """True when ``text`` contains at least one crisis phrase that is not negated."""
    return bool(find_crisis_language(text))
