"""The crisis-language detector: what it must find, what it must leave alone, its data files,
and that it cannot be stalled.

A miss hides crisis resources from someone who needs them; a false alarm only shows them. So
the positive lists are long, and every "must not trigger" case below is one we decided on with
that asymmetry in mind. No database: these are plain functions over strings. The evaluation
sets (tests/data/crisis/) and their floors are in test_crisis_eval.py.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thaw.safety import language
from thaw.safety.language import (
    CATEGORIES,
    DATA_DIR,
    CrisisMatch,
    CrisisPhrasesError,
    crisis_phrases,
    crisis_rules,
    find_crisis_language,
    fold,
    has_crisis_language,
    load_phrase_list,
    normalise,
    parse_phrase_list,
    phrase_lists,
    read,
    vocabulary,
)

ENGLISH = DATA_DIR / "en.toml"


def shipped_document() -> dict[str, Any]:
    with open(ENGLISH, "rb") as handle:
        return tomllib.load(handle)


def shipped_examples() -> list[str]:
    return [example for entry in shipped_document()["phrase"] for example in entry["examples"]]


def categories_in(text: str) -> set[str]:
    return {match.category for match in find_crisis_language(text)}


# --- the sentences quoted in issue 12 ----------------------------------------------------

# Written by someone who had never seen our phrase list; every one was missed before.
ISSUE_MISSES = [
    "This is my goodbye, thank you for everything",
    "this is the last entry i'll ever write",
    "it'll all be over soon, i have everything ready",
    "I bought a rope today and I know what it's for",
    "I've decided how I'm going to do it",
    "I'm going to drive my car into a wall",
    "took a whole bunch of pills just now",
    "sh urges are really bad tonight",
    "i want to sh so bad",
    "ctb tonight",
    "k*ll myself",
    "dieeee",
    "idk why im still alive i want out",
]
# ...and the false alarms it raised on recovered, past and educational statements.
ISSUE_FALSE_ALARMS = [
    "I used to self-harm but I've been clean for two years",
    "We talked about suicide risk factors in my psychology class",
]


@pytest.mark.parametrize("text", ISSUE_MISSES)
def test_every_crisis_sentence_quoted_in_the_issue_shows_help(text: str) -> None:
    assert has_crisis_language(text), text


@pytest.mark.parametrize("text", ISSUE_FALSE_ALARMS)
def test_the_false_alarms_quoted_in_the_issue_stay_quiet(text: str) -> None:
    assert find_crisis_language(text) == []


# --- must trigger ----------------------------------------------------------------------

POSITIVE = [
    ("I want to die", "suicide"),
    ("i just wanna die tbh", "suicide"),
    ("Honestly? I WANT TO DIE.", "suicide"),
    ("I’m so tired. I want to die.", "suicide"),
    ("Some days I think everyone would be better off without me.", "suicide"),
    ("I keep thinking about killing myself", "suicide"),
    ("I'm going to kill myself", "suicide"),
    ("gonna kil myself", "suicide"),
    ("I want to kill my self", "suicide"),
    ("i want to kms", "suicide"),
    ("I feel suicidal tonight", "suicide"),
    ("Had suicidal thoughts again after the call with mum.", "suicide"),
    ("suicidle thoughts again", "suicide"),
    ("I want to end my life", "suicide"),
    ("I've thought about ending it all", "suicide"),
    ("There's no reason to live anymore", "suicide"),
    ("I don't want to be here anymore", "suicide"),
    ("I don’t want to live anymore", "suicide"),
    ("I wish I wasn't alive", "suicide"),
    ("I might take my own life", "suicide"),
    ("I hope I don't wake up tomorrow", "suicide"),
    ("I'd rather be dead", "suicide"),
    ("I'd be better off dead", "suicide"),
    ("I can't go on like this", "suicide"),
    ("I cannot do this anymore", "suicide"),
    ("not sure I want to live anymore", "suicide"),
    ("No longer want to live", "suicide"),
    ("I have nothing to live for", "suicide"),
    ("Life isn't worth living", "suicide"),
    ("what's the point of living?", "suicide"),
    ("I feel like dying", "suicide"),
    ("I hope I die in my sleep", "suicide"),
    ("I wish a car would hit me", "suicide"),
    ("I wish I'd never been born", "suicide"),
    ("No one would care if I died", "suicide"),
    ("I'm just a burden to everyone", "suicide"),
    ("I want to jump off a bridge", "plan_or_means"),
    ("I want to unalive myself", "suicide"),
    ("I would rather die than go back there", "suicide"),
    ("I cut myself again last night", "self_harm"),
    ("I've been cutting my arms", "self_harm"),
    ("I want to hurt myself", "self_harm"),
    ("Harming myself is the only thing that helps", "self_harm"),
    ("I burned myself with a lighter on purpose", "self_harm"),
    ("I think I'll overdose", "plan_or_means"),
    ("I overdosed on my meds last night", "plan_or_means"),
    ("I've been self-harming again", "self_harm"),
    ("I have a plan to end it", "plan_or_means"),
    ("I've saved up pills", "plan_or_means"),
    ("I've been stockpiling my sleeping pills", "plan_or_means"),
    ("I wrote a goodbye note", "suicide"),
    ("I keep rereading my goodbye letters", "suicide"),
    ("I googled how to kill myself", "plan_or_means"),
    ("I tied a noose", "plan_or_means"),
    ("I'm giving away my things", "plan_or_means"),
    ("I want to kill him", "harm_to_others"),
    ("I'm scared I'm going to hurt someone", "harm_to_others"),
    ("I want to shoot up the school", "harm_to_others"),
    # Written in other ways: capitals, fancy letters, spacing, punctuation, invisible marks.
    ("I WANT TO KILL MYSELF!!!", "suicide"),
    ("𝗜 𝘄𝗮𝗻𝘁 𝘁𝗼 𝗱𝗶𝗲", "suicide"),  # "bold" letters pasted from a font generator
    ("Ｉ ｗａｎｔ ｔｏ ｄｉｅ", "suicide"),
    ("I want to... die", "suicide"),
    ("I want   to\n die", "suicide"),
    ("I want to d\u200bie", "suicide"),
    ("kill\u00a0myself", "suicide"),
    ("I dont want to live anymore", "suicide"),
    ("I really, really want to die", "suicide"),
    # Negation that does not negate the danger.
    ("I'm not okay. I want to die", "suicide"),
    ("I'm not okay and I want to die", "suicide"),
    ("I'm not okay - I want to die", "suicide"),
    ("I don't know, I want to die", "suicide"),
    ("I don't know if I want to die", "suicide"),
    ("I'm not suicidal but I want to die", "suicide"),
    ("I can't say I don't want to die", "suicide"),
    ("I never thought I'd want to die", "suicide"),
    ("Not gonna lie I want to die", "suicide"),
    ("no one cares if I kill myself", "suicide"),
    ("I'm not sure I want to be alive", "suicide"),
    # Inside longer notes.
    ("Work was fine.\n\nBut honestly I want to die.", "suicide"),
    (
        "Slept badly again. Made tea, fed the cat, sat by the window for an hour. "
        "Mum called and I said I was fine, but I've been thinking about ending my life "
        "and I don't know who to tell. Going to try to sleep now.",
        "suicide",
    ),
]



NEGATED = [
    "I'm not suicidal",
    "not suicidal at all",
    "I would never kill myself",
    "I don't want to die",
    "I do not want to hurt myself",
    "no thoughts of self-harm",
    "denies suicidal ideation",
    "I'm not going to end my life",
    "never had thoughts of suicide",
    "I never had any thoughts of suicide",
    "I’m not suicidal",
    "I don’t want to die",
    "Im not suicidal, just tired",
    "I'm no longer suicidal",
    "I no longer want to die",
    "I never wanted to kill myself",
    "I have no plan to end it",
    "I don't have a plan to kill myself",
    "I'd never hurt anyone",
    "I'm not going to hurt myself tonight",
    "No suicidal thoughts today",
    "Not feeling suicidal today",
    "I didn't cut myself this week",
    "I wouldn't ever take my own life",
    "There's no way I'd kill myself",
    "I haven't self-harmed in months",
    "I would never, ever kill myself",
    "I'm not going to kill him",
    "I don't really want to die",
]



FALSE_FRIENDS = [
    "this traffic is killing me",
    "I'm dying to see the film",
    "I could kill for a coffee",
    "my phone died",
    "the battery is dead",
    "dead tired",
    "I nearly died laughing",
    "killer workout",
    "cut my hair",
    "I cut myself a slice of cake",
    "suicide squad movie",
    "my grandmother died last year",
    "to die for",
    "deadline",
    # Numbness is what Thaw is for: "dead inside" must never look like a crisis.
    "I feel dead inside",
    "numb, flat, dead inside again",
    "I killed it at the presentation",
    "my feet are killing me",
    "I'm dead 😂",
    "killing time before my appointment",
    "I could have died of embarrassment",
    "drop dead gorgeous",
    "the plant died",
    "I need to skill myself up",
    "what a killjoy",
    "I burned myself out at work",
    "I hurt myself at the gym",
    "I'm going to take my life back",
    "I want to end it with him",
    "I cut myself off from everyone",
    "I need to cut costs",
    "I don't want to live in London",
    "I ran 5 kms",
    "I hurt her feelings",
    "kill them with kindness",
    "I take all my pills every morning",
    "I can't go on holiday this year",
    "I want to diet",
    "I want to dye my hair",
    "suicide prevention training at work",
    "the hype needs to die down",
    "a dead end job",
    "I cut myself shaving",
    "I really shot myself in the foot there",
    "I beat myself up about it",
    "I'll shoot them an email",
    "I didn't wake up until noon",
    "I sent my last message at 10pm",
]



@pytest.mark.parametrize("text, category", POSITIVE)
def test_it_finds_crisis_language(text: str, category: str) -> None:
    assert has_crisis_language(text), text
    assert category in categories_in(text)


def test_there_are_plenty_of_positive_cases() -> None:
    assert len(POSITIVE) >= 40
    assert {category for _, category in POSITIVE} == set(CATEGORIES)


def test_every_example_in_the_data_file_is_found_in_context() -> None:
    # The loader checks each phrase finds its examples on its own; here the whole detector
    # (negation, person, past and topic checks) must still show help for them.
    missed = [example for example in shipped_examples() if not has_crisis_language(example)]
    assert missed == []


# Obfuscated, stretched and spaced-out spellings, and look-alike letters.
OBFUSCATED = [
    "k*ll myself", "k1ll myself", "K!LL MYSELF", "kil myself", "kiiiiill myself", "killlll myself",
    "i want to d1e", "i want to d!e", "i want to d13", "dieeeeee", "i wanna diiiie",
    "s u i c i d e", "s.u.i.c.i.d.e", "s-u-i-c-i-d-a-l", "su1c1dal", "su!c!de", "$uicidal",
    "s**cidal", "k-i-l-l m-y-s-e-l-f", "i wanna k.m.s", "k m s", "self h@rm",
    "i want to kіll myself",  # a Cyrillic "і"
    "want to u n a l i v e",
    "back to cvtting again", "going to mvrder my landlord",  # a "v" standing for a "u"
]


@pytest.mark.parametrize("text", OBFUSCATED)
def test_obfuscated_and_stretched_spellings_are_repaired(text: str) -> None:
    assert has_crisis_language(text), (text, normalise(text))


@pytest.mark.parametrize(
    "text, reads_as",
    [
        ("meet at 10pm", "meet at 10pm"),  # a repair only ever produces a word a phrase uses
        ("a b c d", "a b c d"),
        ("ran 5 kms", "ran 5 kms"),
        ("shhh the baby", "sh the baby"),
        ("sooooo tired", "so tired"),
        ("don't", "dont"),
        ("I'm fine. Really", "im fine . really"),
        ("want to... die", "want to die"),
    ],
)
def test_what_the_patterns_see(text: str, reads_as: str) -> None:
    assert normalise(text) == reads_as


SLANG_AND_INDIRECT = [
    "sh urges through the roof", "relapsed on sh last night", "i sh'd again", "want to ctb",
    "i wanna unalive so bad", "kms", "i'm going to top myself", "thinking of doing myself in",
    "no reason to be alive", "i don't know why i'm still here", "why am i still alive",
    "i just want out", "i want out of this life", "what's even the point of me being alive",
    "everyone would be happier if i wasn't around", "nobody would notice if i disappeared for good",
]


@pytest.mark.parametrize("text", SLANG_AND_INDIRECT)
def test_slang_and_indirect_forms(text: str) -> None:
    assert has_crisis_language(text), text


GOODBYES_PLANS_AND_IN_PROGRESS = [
    ("this will be my last check in, thank you for trying", "suicide"),
    ("by the time anyone reads this i'll be gone", "suicide"),
    ("please look after my cat when i'm gone", "suicide"),
    ("I've written letters for my family", "suicide"),
    ("I've picked the date", "plan_or_means"),
    ("I know exactly how I'd do it", "plan_or_means"),
    ("i have enough pills saved now", "plan_or_means"),
    ("the rope is in the shed", "plan_or_means"),
    ("I'm going to jump off the car park roof", "plan_or_means"),
    ("i just swallowed 30 of my sertraline", "plan_or_means"),
    ("took the whole packet of paracetamol an hour ago", "plan_or_means"),
    ("i cut too deep and it won't stop bleeding", "self_harm"),
]


@pytest.mark.parametrize("text, category", GOODBYES_PLANS_AND_IN_PROGRESS)
def test_goodbyes_plans_means_and_harm_in_progress(text: str, category: str) -> None:
    assert category in categories_in(text), text


# --- must not trigger ------------------------------------------------------------------


@pytest.mark.parametrize("text", NEGATED)
def test_it_leaves_negated_phrases_alone(text: str) -> None:
    assert find_crisis_language(text) == []


@pytest.mark.parametrize("text", FALSE_FRIENDS)
def test_it_leaves_false_friends_alone(text: str) -> None:
    assert find_crisis_language(text) == []


PAST_THIRD_PERSON_AND_TOPICS = [
    # past or recovered
    "I used to cut myself in high school",
    "when I was 16 I tried to kill myself, I'm 30 now and doing well",
    "two years ago I wanted to end my life; today I went for a walk with my sister",
    "I overdosed on my meds last year",
    "back then I thought about suicide every day",
    "a year clean from self-harm today",
    # someone else
    "my friend wants to kill herself and I don't know what to do",
    "my brother is suicidal",
    "he said he wanted to die and then laughed",
    "my son is self-harming",
    "a girl in my class died by suicide",
    "my friend said 'i want to die' about the exam",
    # a topic, a film, a song
    "we watched a documentary about suicide prevention",
    "the song goes 'i wanna die tonight' and it's stuck in my head",
    "read an article on self-harm in teenagers",
    "my psychiatrist asked whether I have thoughts of suicide and I said no",
]


@pytest.mark.parametrize("text", PAST_THIRD_PERSON_AND_TOPICS)
def test_past_third_person_and_educational_statements_stay_quiet(text: str) -> None:
    assert find_crisis_language(text) == [], find_crisis_language(text)


STILL_HELP = [
    # the past, but it is back
    "I used to self-harm and lately the urges are back",
    "I used to want to die and I still do",
    "I tried to kill myself last night",
    # the writer, not someone else, even with others around
    "my friend is asleep and I want to die",
    "part of me wants to die",
    "he makes me want to kill myself",
    "I said 'I want to die' to my therapist",
    # a topic sentence that is about the writer
    "since the documentary I keep thinking about suicide",
    "in class today all I could think about was killing myself",
    # a "no" before the crisis words is not a denial
    "she asked if I was okay and I said no, I want to die",
    # doubt is not negation
    "I'm not okay I want to die",
    # a phrase whose pattern ends in an optional part, right before a full stop
    "Life's too painful, I want it over. Morning came anyway.",
]


@pytest.mark.parametrize("text", STILL_HELP)
def test_when_in_doubt_it_still_shows_help(text: str) -> None:
    assert has_crisis_language(text), text


def test_not_examples_in_the_data_file_do_not_trigger_anything() -> None:
    counters = [c for entry in shipped_document()["phrase"] for c in entry.get("not_examples", [])]
    assert len(counters) > 50
    assert [c for c in counters if has_crisis_language(c)] == []


# --- sentences and clauses -------------------------------------------------------------


@pytest.mark.parametrize(
    "end", [". ", "! ", "? ", "; ", "\n", " - ", ", ", "... ", " but ", " and "]
)
def test_a_negation_does_not_reach_across_a_clause(end: str) -> None:
    assert has_crisis_language(f"I'm not okay{end}I want to die")


@pytest.mark.parametrize("gap", [" ", " really ", " ever ", " really truly "])
def test_a_negation_reaches_forward_within_its_clause(gap: str) -> None:
    assert not has_crisis_language(f"I don't{gap}want to die")


def test_a_negation_only_reaches_a_few_words() -> None:
    # Too far away to be sure it negates the phrase: the safer reading is a match.
    assert has_crisis_language("I don't sleep well at night and want to die")
    assert has_crisis_language("No, it's just that some days I want to die")


def test_a_negation_stays_in_its_clause_when_the_writer_starts_a_new_one() -> None:
    # A negation two or more words before the writer's own "I" belongs to an earlier clause.
    assert has_crisis_language("if he doesnt come back i'll kill myself")
    assert has_crisis_language("if they don't reply by tonight I'm going to kill myself")
    # ...but a negation right before the "I" (or with one word between) still negates.
    assert not has_crisis_language("no way i would kill myself")
    assert not has_crisis_language("I don't want to die")


def test_a_dotted_abbreviation_does_not_end_the_sentence() -> None:
    assert normalise("s.h. last night, again") == "sh last night again"
    assert has_crisis_language("s.h. last night, again")


def test_only_the_negated_sentence_is_dropped() -> None:
    matches = find_crisis_language("I don't want to die. I want to hurt myself.")
    assert [m.category for m in matches] == ["self_harm"]


def test_an_exclusion_never_reaches_across_punctuation() -> None:
    assert not has_crisis_language("a cake to die for")
    assert has_crisis_language("I want to die, for real")


# --- spans -----------------------------------------------------------------------------


def span_texts(text: str) -> list[str]:
    return [text[m.start : m.end] for m in find_crisis_language(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I want to die", "want to die"),
        ("Honestly?  I  WANT   to die.", "WANT   to die"),
        ("I’m not okay… I want to die", "want to die"),
        ("Ｉ’m ﬁne. Ｉ ｗａｎｔ ｔｏ ｄｉｅ", "ｗａｎｔ ｔｏ ｄｉｅ"),
        ("I want to d\u200bie", "want to d\u200bie"),
        ("Cafe\u0301 with friends. I want to die", "want to die"),
        ("İstanbul trip. I want to die", "want to die"),
        ("ﬁne ﬁne ﬁne, kill myself", "kill myself"),
        ("tab\tseparated\t\tI want\t\tto die", "want\t\tto die"),
        ("k*ll myself", "k*ll myself"),
        ("s u i c i d a l", "s u i c i d a l"),
    ],
)
def test_spans_point_into_the_original_text(text: str, expected: str) -> None:
    assert span_texts(text) == [expected]


def test_several_matches_come_in_order_with_their_categories() -> None:
    text = "I want to die. Last night I cut myself. I have saved up pills."
    matches = find_crisis_language(text)
    assert [(m.category, text[m.start : m.end]) for m in matches] == [
        ("suicide", "want to die"),
        ("self_harm", "cut myself"),
        ("plan_or_means", "saved up pills"),
    ]
    assert all(isinstance(m, CrisisMatch) for m in matches)


def test_a_longer_phrase_hides_a_shorter_one_of_the_same_category() -> None:
    matches = find_crisis_language("I keep having thoughts of suicide")
    assert [(m.phrase, m.category) for m in matches] == [("thoughts of suicide", "suicide")]


def test_the_phrase_is_a_label_not_the_persons_words() -> None:
    [match] = find_crisis_language("GONNA KIL MYSELF")
    assert match.phrase == "kill myself"
    labels = {phrase.phrase for phrase in crisis_phrases()} | {rule.phrase for rule in crisis_rules()}
    assert all(m.phrase in labels for m in find_crisis_language("i want to die, k1ll myself"))


def test_fold_keeps_ascii_positions() -> None:
    text = "Plain ASCII, one space each."
    folded, origin = fold(text)
    assert folded == text.lower()
    assert origin == list(range(len(text)))


@pytest.mark.parametrize("text", ["", " ", "\n\n", "...", "😶", "***", "''"])
def test_empty_or_contentless_text(text: str) -> None:
    assert find_crisis_language(text) == []
    assert has_crisis_language(text) is False


def five_thousand_characters() -> str:
    sentence = "Walked to the shop, made some tea, felt flat and a bit foggy again today. "
    return (sentence * 70)[:5000]


def test_a_long_calm_note_has_no_matches() -> None:
    note = five_thousand_characters()
    assert len(note) == 5000
    assert find_crisis_language(note) == []


def test_a_crisis_phrase_at_the_end_of_a_long_note_is_found() -> None:
    note = five_thousand_characters()[:4980] + ". I want to die"
    [match] = find_crisis_language(note)
    assert note[match.start : match.end] == "want to die"
    assert match.end == len(note)


# --- it cannot be stalled ----------------------------------------------------------------

# Pieces an attacker would combine to make a backtracking matcher blow up: runs of
# punctuation between phrase words, phrase fragments repeated without an ending, negations
# nested in negations, stretched letters and spaced-out letters.
FRAGMENTS = [
    "want to", "i want to", "kill", "my", "self", "not", "never", "don't", "i don't know if i",
    "no one would", "if i", "the pills", "goodbye", "last", "s u i c", "k*", "dieee", "sh",
    "better off", "without", "i'm not sure i want to", "end", "it", "all", "before", "a",
    # Spanish pieces, for the Spanish list (es.toml): clitics, negations, accents and ñ.
    "quiero", "me quiero", "morir", "matarme", "no", "nunca", "ya no", "sé", "qué", "daño", "ojalá",
    "quitarme la vida", "de", "las pastillas", "me corté", "s u i c i d a r", "jajaja",
]
PUNCTUATION = [".", "..", "...", "!", "?", ",", "-", " ", "*", "'", '"', "\n", "—", "…", "!?", ";"]
adversarial_piece = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.builds(lambda c, n: c * n, st.sampled_from(PUNCTUATION), st.integers(1, 400)),
    st.builds(lambda c, n: c * n, st.sampled_from("aeiolsk1*"), st.integers(3, 200)),
    st.builds(lambda n: "not " * n + "want to die", st.integers(1, 300)),
    st.builds(lambda n: "want to" + "." * n + "x", st.integers(1, 600)),
    st.builds(lambda n: " ".join("suicide") * n, st.integers(1, 100)),
)
adversarial_text = st.lists(adversarial_piece, min_size=1, max_size=200).map(
    lambda parts: " ".join(parts)[:5000].ljust(5000, ".")
)

# Generous: a linear scan of 5,000 characters takes milliseconds (benchmarks/crisis_worst_case.py
# measures it); the backtracking matcher this replaced took 30 s on 45 characters. A bound
# this loose only fails on a real blow-up, never on a busy machine.
WORST_CASE_BOUND = 2.0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=adversarial_text)
def test_adversarial_text_cannot_stall_the_detector(text: str) -> None:
    assert len(text) == 5000
    started = time.perf_counter()
    find_crisis_language(text)
    assert time.perf_counter() - started < WORST_CASE_BOUND


class CountingPattern:
    """Wraps a compiled pattern and counts the searches the detector makes with it."""

    def __init__(self, pattern: Any) -> None:
        self.pattern = pattern
        self.searches = 0

    def search(self, text: bytes, position: int, stop: int | None = None) -> Any:
        self.searches += 1
        return self.pattern.search(text, position, len(text) if stop is None else stop)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=adversarial_text)
def test_the_work_per_phrase_is_bounded_by_the_number_of_words(text: str) -> None:
    # Machine-independent: each phrase's pattern (linear on RE2) is searched at most once per
    # word of the text, whatever the text, so the whole scan is linear in its length.
    reading = read(text, vocabulary())
    for listed in phrase_lists():
        for phrase in listed.phrases:
            counting = CountingPattern(phrase.pattern)
            wrapped = dataclasses.replace(phrase, pattern=counting)
            list(language._phrase_spans(wrapped, reading, listed.cues))
            assert counting.searches <= len(reading.words) + 1, phrase.phrase


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(adversarial_text, st.text(max_size=300)))
def test_the_one_pass_gate_never_hides_a_phrase(text: str) -> None:
    # Most texts stop after one search with every pattern at once; when that finds nothing,
    # no single pattern may find anything either.
    rendered = read(text, vocabulary()).rendered
    for listed in phrase_lists():
        if listed.anything.search(rendered) is None:
            assert all(p.pattern.search(rendered) is None for p in listed.phrases)


def _examples_of(language_code: str) -> list[str]:
    with open(DATA_DIR / f"{language_code}.toml", "rb") as handle:
        document = tomllib.load(handle)
    return [e for entry in document["phrase"] + document.get("rule", []) for e in entry["examples"]]


EVERY_EXAMPLE = [example for code in ("en", "es") for example in _examples_of(code)]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(adversarial_text, st.lists(st.sampled_from(EVERY_EXAMPLE), max_size=6).map(" ".join),
                      st.lists(st.sampled_from(EVERY_EXAMPLE), max_size=6).map(". ".join)))
def test_reading_sentence_by_sentence_finds_what_reading_the_whole_text_finds(text: str) -> None:
    # Phrases are searched only in the sentences a set of all patterns names (and the few that
    # can match a dot, in the whole text): that must find every match a search of the whole
    # text, phrase by phrase, finds.
    reading = read(text, vocabulary())
    for listed in phrase_lists():
        whole = {(p.phrase, first, last) for p in listed.phrases
                 for first, last in language._phrase_spans(p, reading, listed.cues)}
        by_sentence = {(p.phrase, first, last) for p, first, last in language._phrase_matches(listed, reading)}
        assert by_sentence == whole


def test_a_phrase_that_runs_over_a_sentence_end_is_still_found() -> None:
    # "Gracias por todo, de verdad. Adiós." is one farewell in two sentences.
    assert [m.phrase for m in find_crisis_language("Gracias por todo, de verdad. Adiós.")] == ["carta de despedida"]
    [spanish] = [listed for listed in phrase_lists() if listed.language == "es"]
    assert "carta de despedida" in {spanish.phrases[i].phrase for i in spanish.crossing}


@pytest.mark.parametrize("note", ["hoy me mato. ya.", "hoy me mato. adiós", "me mato. no aguanto"])
def test_a_pattern_that_ends_on_a_sentence_end_is_found_when_more_follows(note: str) -> None:
    # "me mato" counts when its sentence ends there ("(?:me mato) (?:...|\\.)"). Until stop 28
    # such a match was found only at the very end of the note: after " ." comes a space, with no
    # word boundary between them, so "hoy me mato. ya." showed nothing.
    assert "matarme" in {m.phrase for m in find_crisis_language(note)}
    document = minimal_document()
    document["phrase"][0] = {**document["phrase"][0], "pattern": r"alpha \.", "examples": ["alpha. bravo"]}
    [match] = [m for m in find_crisis_language("alpha. then more", [parse_phrase_list(document)])]
    assert (match.start, match.end) == (0, 5)


def test_the_reported_stall_is_gone() -> None:
    # The note from the review: 45 characters that held a worker for 30 s.
    started = time.perf_counter()
    assert find_crisis_language("want to" + "." * 33 + "x") == []
    assert find_crisis_language("want to" + "." * 4990 + "x") == []
    assert time.perf_counter() - started < WORST_CASE_BOUND


def test_every_pattern_runs_on_re2() -> None:
    import re2

    assert all(isinstance(p.pattern, type(re2.compile("x"))) for p in crisis_phrases())


# --- the data files ----------------------------------------------------------------------


def test_the_shipped_list_covers_every_category() -> None:
    per_category = {c: sum(p.category == c for p in crisis_phrases()) for c in CATEGORIES}
    assert all(count >= 3 for count in per_category.values()), per_category


@pytest.mark.parametrize("name", ["en.toml", "es.toml"])
def test_the_data_file_says_what_it_is_and_is_not(name: str) -> None:
    header = (DATA_DIR / name).read_text(encoding="utf-8").split("[[phrase]]")[0].lower()
    for words in ("written for thaw", "not a clinical instrument", "side of showing help"):
        assert words in header
    assert "will miss" in header


def test_there_is_one_file_per_language() -> None:
    assert [listed.language for listed in phrase_lists()] == ["en", "es"]
    assert sorted(p.name for p in DATA_DIR.glob("*.toml")) == ["en.toml", "es.toml"]


def minimal_document() -> dict[str, Any]:
    entries = [
        {"phrase": f"{category} test", "category": category, "pattern": word, "examples": [word]}
        for category, word in zip(CATEGORIES, ["alpha", "bravo", "charlie", "delta"], strict=True)
    ]
    return {"language": "zz", "cues": {"negation": ["nix"], "first_person": ["ego"]},
            "phrase": entries}


def test_a_minimal_valid_document_loads() -> None:
    listed = parse_phrase_list(minimal_document())
    assert [p.category for p in listed.phrases] == list(CATEGORIES)
    assert listed.language == "zz"


def with_change(change: dict[str, Any]) -> dict[str, Any]:
    document = minimal_document()
    document["phrase"][0] = {**document["phrase"][0], **change}
    return document


@pytest.mark.parametrize(
    "change, message",
    [
        ({"pattern": ""}, "the pattern is empty"),
        ({"pattern": "   "}, "the pattern is empty"),
        ({"category": "violence"}, "unknown category 'violence'"),
        ({"pattern": "(?:unclosed"}, "not a valid regular expression"),
        ({"pattern": "(alpha)"}, "capturing groups"),
        ({"pattern": "(?:alpha)?", "examples": ["alpha"]}, "matches empty text"),
        ({"pattern": "Alpha"}, "capital letters"),
        ({"pattern": "don't"}, "apostrophe"),
        ({"pattern": "alpha(?! beta)"}, "lookarounds are not supported"),
        ({"pattern": "{nothing} alpha"}, "unknown {nothing}"),
        ({"examples": []}, "at least one example"),
        ({"examples": ["something else"]}, "does not match its example"),
        ({"not_examples": ["alpha again"]}, "matches its not_example"),
        ({"negatable": "yes"}, "negatable must be true or false"),
        ({"clause_end": 1}, "clause_end must be true or false"),
        ({"unless_followed_by": "beta"}, "unless_followed_by must be a list"),
        ({"colour": "red"}, "unknown key(s) colour"),
        ({"phrase": ""}, "non-empty 'phrase' label"),
    ],
)
def test_a_broken_entry_is_refused_naming_the_entry_and_the_problem(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match="en.toml is invalid") as refused:
        parse_phrase_list(with_change(change))
    assert message in str(refused.value)
    assert "phrase #1" in str(refused.value)


def test_every_problem_is_named_at_once() -> None:
    document = minimal_document()
    document["phrase"][0] = {**document["phrase"][0], "pattern": ""}
    document["phrase"][1] = {**document["phrase"][1], "category": "nope"}
    with pytest.raises(CrisisPhrasesError) as refused:
        parse_phrase_list(document)
    assert len(refused.value.problems) == 2


def test_duplicate_labels_empty_categories_and_bad_cues_are_refused() -> None:
    document = minimal_document()
    document["phrase"][1] = {**document["phrase"][1], "phrase": document["phrase"][0]["phrase"]}
    with pytest.raises(ValueError, match="used twice"):
        parse_phrase_list(document)
    document = minimal_document()
    document["phrase"] = document["phrase"][:3]
    with pytest.raises(ValueError, match="category 'harm_to_others' has no phrases"):
        parse_phrase_list(document)
    with pytest.raises(ValueError, match=r"no \[\[phrase\]\] entries"):
        parse_phrase_list({"language": "zz", "cues": minimal_document()["cues"]})
    document = minimal_document()
    document["cues"] = {"negation": [], "first_person": ["ego"], "colour": ["red"]}
    with pytest.raises(ValueError) as refused:
        parse_phrase_list(document)
    assert "unknown key(s) colour" in str(refused.value)
    assert "negation and first_person must not be empty" in str(refused.value)
    with pytest.raises(ValueError, match="language code"):
        parse_phrase_list({**minimal_document(), "language": "English"})


def test_a_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "en.toml"
    broken.write_text("[[phrase]\nphrase = ", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_phrase_list(broken)


def test_a_broken_shipped_file_would_stop_start_up_naming_the_entry(tmp_path: Path) -> None:
    # apps.SafetyConfig.ready() loads the lists, so a bad edit fails at start-up.
    text = ENGLISH.read_text(encoding="utf-8").replace('phrase = "kms"', 'phrase = "kms"\ncategory2 = 1', 1)
    (tmp_path / "en.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CrisisPhrasesError, match=r"phrase #\d+ \('kms'\): unknown key\(s\) category2"):
        phrase_lists(tmp_path)


def test_a_new_language_is_a_data_file_and_every_text_is_scanned_with_every_language(tmp_path: Path) -> None:
    # Issue 17 adds Spanish as es.toml; here a made-up language "zz" stands in for it.
    shutil.copy(ENGLISH, tmp_path / "en.toml")
    lines = ['language = "zz"', "[cues]", 'negation = ["nix"]', 'first_person = ["ego"]']
    for entry in minimal_document()["phrase"]:
        lines += ["[[phrase]]"] + [f"{key} = {value!r}".replace("'", '"') for key, value in entry.items()]
    (tmp_path / "zz.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lists = phrase_lists(tmp_path)
    assert [listed.language for listed in lists] == ["en", "zz"]
    mixed = "ego alpha. also I want to die"
    assert {m.phrase for m in find_crisis_language(mixed, lists)} == {"suicide test", "want to die"}
    assert find_crisis_language("nix alpha", lists) == []  # the language's own negation
    assert find_crisis_language("ego alpha") == []  # the shipped lists know no "zz"


def test_the_detector_is_loaded_at_start_up() -> None:
    from django.apps import apps

    apps.get_app_config("safety").ready()
    assert phrase_lists()


# --- properties ------------------------------------------------------------------------

# Everyday words with no negation, no crisis meaning and no place in any phrase's exclusions, to
# bury phrases in ("work" was one: "tomorrow i won't be here, work" reads as a work trip by design,
# and a generated case found it).
BENIGN = (
    "morning coffee garden quiet walked rain cardigan called later slowly today "
    "tea kitchen window evening bus shop lunch dinner sofa sunny "
    "cold warm heavy foggy flat numb tired okay maybe still"
).split()
SEPARATORS = [".", "!", "?", ";", ",", "\n", " -", ""]

benign_words = st.lists(st.sampled_from(BENIGN), max_size=40).map(" ".join)


def restyle(text: str, style: int) -> str:
    """Write a phrase the way people do: shouting, curly apostrophes, sloppy spacing."""
    if style == 1:
        return text.upper()
    if style == 2:
        return text.replace("'", "\u2019")
    if style == 3:
        return text.replace(" ", "   ")
    return text


# A word glued on with no punctuation can change what a phrase means ("I wish I was dead"
# + "tired", "die" + "hard"), so the phrase ends its clause here.
CLAUSE_ENDS = [separator for separator in SEPARATORS if separator]


@settings(max_examples=300, deadline=None)
@given(
    before=benign_words,
    phrase=st.sampled_from(shipped_examples() + [text for text, _ in POSITIVE] + ISSUE_MISSES),
    style=st.integers(0, 3),
    separator=st.sampled_from(CLAUSE_ENDS),
    after=benign_words,
)
def test_a_crisis_phrase_is_found_wherever_it_is_put(
    before: str, phrase: str, style: int, separator: str, after: str
) -> None:
    text = f"{before}. {restyle(phrase, style)}{separator} {after}"
    assert has_crisis_language(text), text


# Words the patterns are made of, so random text often comes close to a phrase.
CRISIS_WORDS = (
    "i i'm im don't dont not never no want wanna to die dying dead kill kil killing myself my "
    "self end it all life live living anymore suicide suicidal cut cutting hurt harm burn "
    "pills meds saved plan note goodbye him her them someone wake up sleep better off without "
    "me can't go on do this reason point a the and but deserve suffer overdose od'd sh ctb"
).split()
crisis_like_text = st.lists(
    st.one_of(
        st.sampled_from(CRISIS_WORDS),
        st.sampled_from([" ", "  ", "\n", ".", ",", "...", "’", "-", "!", "'", '"', "*"]),
        st.characters(),
    ),
    max_size=400,
).map(" ".join)
any_text = st.one_of(st.text(max_size=5000), crisis_like_text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text)
def test_it_never_raises_and_spans_stay_inside_the_text(text: str) -> None:
    matches = find_crisis_language(text)
    labels = {phrase.phrase for phrase in crisis_phrases()} | {rule.phrase for rule in crisis_rules()}
    for match in matches:
        assert 0 <= match.start < match.end <= len(text)
        assert match.category in CATEGORIES
        assert match.phrase in labels
    assert has_crisis_language(text) == bool(matches)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text)
def test_folded_positions_map_back_in_order(text: str) -> None:
    folded, origin = fold(text)
    assert len(origin) == len(folded) and folded.isascii()
    assert all(0 <= i < len(text) for i in origin)
    assert origin == sorted(origin)
    reading = read(text, vocabulary())
    assert reading.starts == sorted(reading.starts)
    assert all(0 <= s < e <= len(text) for s, e in zip(reading.starts, reading.ends, strict=True))
