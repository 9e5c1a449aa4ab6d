"""The crisis detector's concept layer: ways of saying it, not particular sentences.

Phrases (test_crisis_language.py) catch fixed expressions; the concept layer tags words with
what they stand for (means, preparations, self-harm slang, farewells, harm to others...) and
shows help when a rule's concepts stand together. These tests pin what it must find, what
it must leave alone, how its data is checked, and that its work stays linear.
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thaw.safety import language
from thaw.safety.language import (
    DATA_DIR,
    CrisisPhrasesError,
    crisis_rules,
    find_crisis_language,
    has_crisis_language,
    parse_phrase_list,
    phrase_lists,
    read,
    vocabulary,
)

ENGLISH = DATA_DIR / "en.toml"
SPANISH_SET = Path(__file__).resolve().parent / "data" / "crisis_es"


def shipped_rules() -> list[dict[str, Any]]:
    with open(ENGLISH, "rb") as handle:
        return list(tomllib.load(handle)["rule"])


def categories_in(text: str) -> set[str]:
    return {match.category for match in find_crisis_language(text)}


# --- what it must find: the misses of the first blind batch (B1) ---------------------------

# Written by someone who never saw the phrase list; every one was missed before the concept
# layer. The whole batch is in tests/data/crisis/tuning.tsv; these are the ones the brief for
# this round quoted, with the category each must show.
BLIND_MISSES = [
    ("im cutting right now", "self_harm"),
    ("the bleeding wont stop and i dont know if i need stitches", "self_harm"),
    ("od'd on my meds an hour ago please dont tell my mum", "plan_or_means"),
    ("took everything in the cabinet. idk why im typing this", "plan_or_means"),
    ("wrote the note. its in my desk drawer", "suicide"),
    ("sitting in the car in the garage with the engine running", "plan_or_means"),
    ("stockpiled three months of my meds", "plan_or_means"),
    ("i keep practising with the belt", "plan_or_means"),
    ("how many of my sertraline would it take", "plan_or_means"),
    ("the world doesnt need me in it", "suicide"),
    ("ive started quietly saying goodbye to people without them knowing", "suicide"),
    ("relapsed. 47 days gone", "self_harm"),
    ("clean streak ended tonight, the blade won", "self_harm"),
    ("might just neck myself tbh", "suicide"),
    ("active SI today, worse than usual", "suicide"),
    ("at least my family would get the life insurance", "suicide"),
    ("i know where she lives and i'm going to make her pay", "harm_to_others"),
    ("if they fire me im coming back with a gun", "harm_to_others"),
    ("going to put something in my husband's tea, he deserves it after what he did", "harm_to_others"),
]

# ...and the kinds of false alarm it raised: past or recovered with means words, someone
# else, professional and educational, idioms, a song title, pets.
BLIND_FALSE_ALARMS = [
    "overdosed on chocolate at easter lol",
    "she used my straighteners again, i could strangle her",
    "i remember when i had the pills saved up. i handed them in at the pharmacy last spring and im still here",
    "the coroner said my cousin's overdose was accidental",
    "our school is writing a policy on self harm disclosures",
    "work in A&E, saw three overdoses tonight, home now and i feel nothing",
    "'suicide is painless' came on the radio, didnt know it was the MASH theme",
    "bought a gun safe for dad's hunting rifle",
    "cat scratched my arm to shreds at the vet",
    "the PHQ asked if i'd thought about being better off dead and i said not at all, which was true",
]


@pytest.mark.parametrize("text, category", BLIND_MISSES)
def test_the_blind_batch_misses_now_show_help(text: str, category: str) -> None:
    assert category in categories_in(text), find_crisis_language(text)


@pytest.mark.parametrize("text", BLIND_FALSE_ALARMS)
def test_the_blind_batch_false_alarms_stay_quiet(text: str) -> None:
    assert find_crisis_language(text) == []


# The same ways of saying it, in other words and orders (written for these tests).
OTHER_WORDS = [
    ("cutting again right now, can't stop", "self_harm"),
    ("blood everywhere, think it needs stitches", "self_harm"),
    ("held a lighter against my wrist until it blistered", "self_harm"),
    ("swallowed a handful of my tablets twenty minutes ago", "plan_or_means"),
    ("been stashing my sleeping pills in a sock drawer", "plan_or_means"),
    ("found out how high the viaduct is", "plan_or_means"),
    ("tested whether the loft hatch takes my weight", "plan_or_means"),
    ("once everyone is asleep i'm going through with it", "suicide"),
    ("gave away my guitar and my records. won't be needing them", "suicide"),
    ("please don't come looking for me", "suicide"),
    ("i'm such a waste of space", "suicide"),
    ("i'm getting a knife and going round to his house", "harm_to_others"),
]


@pytest.mark.parametrize("text, category", OTHER_WORDS)
def test_the_same_ways_of_saying_it_in_other_words(text: str, category: str) -> None:
    assert category in categories_in(text), find_crisis_language(text)


# Concept words in everyday, past, someone else's or professional sentences.
EVERYDAY = [
    "cutting the grass right now before it rains",
    "took 2 paracetamol for my headache",
    "took all my meds this morning like the doctor said",
    "my pills are locked in a box away from the kids",
    "bought rope for the garden fence and a new belt for my jeans",
    "practising for my karate belt grading",
    "said goodbye to everyone at my leaving do, last day at work",
    "gave away my old clothes to the charity shop",
    "wrote my will with the solicitor, everyone should at 40",
    "my nose won't stop bleeding, so much blood",
    "i'm going to make him pay for dinner next time",
    "im going to beat him at fifa tonight",
    "the fast train to leeds was cancelled again",
    "standing on the bridge taking photos of the sunset",
    "my friend has been cutting and I don't know how to help",
    "three years clean from self harm and proud of it",
    "I'm not cutting anymore, the urges have gone",
    "as a nurse i see self harm every week",
    "took everything out of the cupboard to clean it",
]


@pytest.mark.parametrize("text", EVERYDAY)
def test_concept_words_in_everyday_sentences_stay_quiet(text: str) -> None:
    assert find_crisis_language(text) == [], find_crisis_language(text)


def test_at_work_only_someone_elses_crisis_is_quiet() -> None:
    assert not has_crisis_language("on shift tonight, two overdoses came in")
    assert has_crisis_language("on shift tonight and i want to die")
    assert has_crisis_language("as a nurse i want to kill myself")


def test_a_count_of_pills_is_ten_or_more_not_a_year_or_a_dose() -> None:
    assert has_crisis_language("took 40 of my sleeping tablets")
    assert not has_crisis_language("took 2 of my sleeping tablets")
    assert not has_crisis_language("taking 2000 mg of vitamin c in 2017 was my routine")


def test_every_rule_example_shows_help_in_context() -> None:
    # The loader checks each rule finds its examples on its own; the whole detector (and
    # its checks after a match) must still show help for them.
    examples = [e for rule in shipped_rules() for e in rule["examples"]]
    assert len(examples) >= 60
    assert [e for e in examples if not has_crisis_language(e)] == []


def test_rule_not_examples_stay_quiet() -> None:
    counters = [c for rule in shipped_rules() for c in rule.get("not_examples", [])]
    assert len(counters) >= 40
    assert [c for c in counters if has_crisis_language(c)] == []


def test_every_category_has_rules_and_a_match_carries_the_rules_label() -> None:
    assert {rule.category for rule in crisis_rules()} == set(language.CATEGORIES)
    [match] = [m for m in find_crisis_language("i keep practising with the belt")]
    assert match.phrase == "rehearsing hanging"  # a label, never the person's words


# Words no rule treats as an exclusion, to bury examples in.
NEUTRAL = "porridge toast blanket laundry kettle cardigan biscuit drizzle sofa slowly grey sunny rain called foggy".split()


@settings(max_examples=150, deadline=None)
@given(
    before=st.lists(st.sampled_from(NEUTRAL), max_size=20).map(" ".join),
    example=st.sampled_from([e for rule in shipped_rules() for e in rule["examples"]]),
    after=st.lists(st.sampled_from(NEUTRAL), max_size=20).map(" ".join),
)
def test_a_rule_example_is_found_wherever_it_is_put(before: str, example: str, after: str) -> None:
    assert has_crisis_language(f"{before}. {example}. {after}")


def test_the_neutral_words_are_in_no_concept() -> None:
    words = phrase_lists()[0].concepts.words()
    assert not set(NEUTRAL) & words


def test_english_concepts_raise_no_alarm_on_spanish_everyday_sentences() -> None:
    # A Spanish list is being written separately; here only: English concept words (such
    # as "si") must not fire on Spanish sentences that are not a crisis.
    english = [listed for listed in phrase_lists() if listed.language == "en"]
    sentences = []
    for part in ("tuning", "held_out"):
        with open(SPANISH_SET / f"{part}.tsv", encoding="utf-8", newline="") as handle:
            rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            sentences += [row["sentence"] for row in rows if row["label"] == "not_crisis"]
    assert len(sentences) >= 100
    assert [s for s in sentences if find_crisis_language(s, english)] == []


# --- the mechanism, on a made-up language ----------------------------------------------------


def concept_document(**rule: Any) -> dict[str, Any]:
    categories = ("suicide", "self_harm", "plan_or_means", "harm_to_others")
    phrases = [{"phrase": f"{c} word", "category": c, "pattern": w, "examples": [w]}
               for c, w in zip(categories, ["alpha", "bravo", "charlie", "delta"], strict=True)]
    return {
        "language": "zz",
        "cues": {"negation": ["nix"], "first_person": ["ego"], "third_person": ["alter"], "clause_words": ["but"],
                 "past": ["olden days"], "topic": ["lecture"]},
        "words": {"pills": "tablets|capsules"},
        "concepts": {"tool": ["rope", "the cord", "{pills}"], "act": ["practising", "tested it"], "joke": ["lol"],
                     "bleed": ["bleeding"], "severe": ["nix stopping"]},
        "phrase": phrases,
        "rule": [{"rule": "tool and act", "category": "plan_or_means", "all": ["tool", "act"], "within": 4,
                  "unless": ["joke"], "examples": ["practising with the rope"], **rule},
                 {"rule": "bleeding badly", "category": "self_harm", "all": ["bleed", "severe"],
                  "examples": ["the bleeding nix stopping"]}],
    }


def zz(text: str, **rule: Any) -> list[str]:
    return [m.phrase for m in find_crisis_language(text, [parse_phrase_list(concept_document(**rule))])]


def test_a_rule_finds_its_concepts_in_any_order_within_its_window() -> None:
    assert zz("practising with the rope") == ["tool and act"]
    assert zz("the cord, tested it") == ["tool and act"]
    assert zz("capsules practising") == ["tool and act"]  # a [words] class as a concept
    assert zz("practising one two three four rope") == []  # further apart than within = 4
    assert zz("zzz") == []


def test_a_rule_stays_in_its_sentence_unless_told_otherwise() -> None:
    assert zz("the rope. practising") == []
    assert zz("the rope. practising", across_sentences=True) == ["tool and act"]
    assert zz("rope but practising") == ["tool and act"]
    assert zz("rope but practising", same_clause=True) == []


def test_a_rule_passes_the_checks_after_a_match() -> None:
    assert zz("practising with the rope lol") == []  # unless
    assert zz("nix practising with the rope") == []  # a negation before one of its concepts
    assert zz("practising with the rope", negatable=False) == ["tool and act"]
    assert zz("alter practising with the rope") == []  # someone else, from the head
    assert zz("ego practising with the rope") == ["tool and act"]
    assert zz("in the olden days practising with the rope") == []  # past
    assert zz("lecture on practising with the rope") == []  # a topic
    assert zz("the bleeding nix stopping") == ["bleeding badly"]  # a negation inside a concept
    assert zz("nix bleeding, nix stopping") == []


@pytest.mark.parametrize(
    "change, message",
    [
        ({"all": ["tool", "nothing"]}, "unknown concept(s) nothing"),
        ({"all": []}, "at least one concept"),
        ({"within": 99}, "within must be a number of words"),
        ({"within": True}, "within must be a number of words"),
        ({"head": "joke"}, "head must be one of the entries of all"),
        ({"unless": ["nothing"]}, "unless names unknown concept(s) nothing"),
        ({"same_clause": "yes"}, "same_clause must be true or false"),
        ({"colour": "red"}, "unknown key(s) colour"),
        ({"category": "nope"}, "unknown category"),
        ({"examples": ["rope"]}, "the concepts are not all in its example"),
        ({"not_examples": ["rope tested it"]}, "matches its not_example"),
        ({"rule": "alpha word".replace("alpha", "suicide")}, "used twice"),
    ],
)
def test_a_broken_rule_is_refused_naming_it_and_the_problem(change: dict[str, Any], message: str) -> None:
    with pytest.raises(CrisisPhrasesError) as refused:
        parse_phrase_list(concept_document(**change))
    assert message in str(refused.value)
    assert "rule #1" in str(refused.value)


@pytest.mark.parametrize(
    "concepts, message",
    [
        ({"tool": ["don't"]}, "write words as the reader sees them"),
        ({"tool": ["rope", "rope"]}, "listed twice"),
        ({"tool": ["a b c d e f g h i"]}, "longer than 8 words"),
        ({"tool": ["{nothing}"]}, "not a class under [words]"),
        ({"Tool": ["rope"]}, "not a usable name"),
    ],
)
def test_broken_concepts_are_refused_naming_the_problem(concepts: dict[str, Any], message: str) -> None:
    document = concept_document()
    document["concepts"] = {**document["concepts"], **concepts}
    with pytest.raises(CrisisPhrasesError) as refused:
        parse_phrase_list(document)
    assert message in str(refused.value)


# --- its work stays linear -------------------------------------------------------------------

CONCEPT_WORDS = sorted(phrase_lists()[0].concepts.words())
concept_text = st.lists(
    st.one_of(st.sampled_from(CONCEPT_WORDS), st.sampled_from([".", ",", "...", "\n", "'", "not", "i"])),
    min_size=1, max_size=1200,
).map(lambda words: " ".join(words)[:5000])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=concept_text)
def test_the_concept_work_is_bounded_by_the_number_of_words(text: str) -> None:
    # Machine-independent: tagging looks at each word once with a bounded set of candidate
    # sequences, so occurrences are at most a constant per word; each rule sweeps its
    # occurrences once, so it proposes at most that many places.
    listed = phrase_lists()[0]
    index = listed.concepts
    per_word = max(len(c) for c in index.singles.values()) + max(len(p) for p in index.pairs.values()) * 3
    reading = read(text, vocabulary())
    tags = language._Tags(reading, index, listed.cues)
    occurrences = sum(len(spans) for spans in tags.spans.values())
    assert occurrences <= per_word * max(1, len(reading.words))
    for rule in listed.rules:
        proposed = sum(1 for _ in language._rule_spans(rule, reading, tags))
        mine = sum(len(tags.spans.get(c, ())) for group in rule.groups for c in group)
        assert proposed <= mine, rule.phrase
