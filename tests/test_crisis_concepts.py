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


# --- the second blind batch (B2): what it missed, by the way of saying it -------------------

# One sentence of B2 per concept added for it (the whole batch is in tuning.tsv), and the
# same concept in other words, written for these tests, so a rule is pinned to the way of
# saying it and not to the one sentence.
B2_CONCEPTS = [
    # wishing one's parent had never had you
    ("i wish my mum never had me", "suicide"), ("i wish my parents had never had me", "suicide"),
    # worn out by being alive; no wish left to go on
    ("im exhausted from being alive", "suicide"), ("I have no will left to go on", "suicide"),
    # "is it just me" questions about wanting to die
    ("does everyone think about killing themselves or just me?", "suicide"),
    ("is it normal to want to die sometimes or is it just me", "suicide"),
    # a threat to oneself after a condition with its own negation
    ("if she leaves me i swear i'll end my life", "suicide"),
    ("if they fire me tomorrow i'll kill myself", "suicide"),
    # exits and slang for dying
    ("ready to clock out of life permanently", "suicide"), ("time to tap out of life for good", "suicide"),
    ("honestly ready to cark it, no point hanging round", "suicide"), ("ready to meet my maker, nothing left here", "suicide"),
    ("id be better off six feet under", "suicide"), ("id rather be pushing up daisies", "suicide"),
    # no future self; why stay
    ("dont see myself here next year. dont want to be", "suicide"),
    ("i dont see myself being here next christmas", "suicide"),
    ("nothing will ever get better so why stay", "suicide"), ("why should i keep going when nothing changes", "suicide"),
    # a joke taken back
    ("i hope i dont wake up lol jk. kinda. not really jk", "suicide"),
    # being found
    ("theyll find me tomorrow i guess", "suicide"), ("someone will find my body eventually", "suicide"),
    # self-harm: the urge beside the blade, named methods, deep cuts, a lost clean streak,
    # relief afterwards, reopened wounds
    ("urges urges urges. the blades are in my drawer", "self_harm"),
    ("the urge is screaming. razor is right there", "self_harm"),
    ("did the salt and ice thing on my arm until it blistered", "self_harm"),
    ("eraser burns on my arm again tonight", "self_harm"),
    ("deep ones tonight, the gauze isnt helping", "self_harm"),
    ("went too deep this time, its bleeding through the towel", "self_harm"),
    ("stopped being clean today", "self_harm"), ("broke my clean streak tonight", "self_harm"),
    ("cut. felt better. now feel worse.", "self_harm"), ("cut again. felt nothing. felt calm", "self_harm"),
    ("ripped my stitches open on purpose", "self_harm"), ("pulled my stitches out on purpose", "self_harm"),
    # plans and means: swallowed the lot, up high now, an anchor measured, everything ready,
    # who gets my things, accounts deleted, a hidden spot, a fatal height, is this enough,
    # all the meds mixed, a place scouted
    ("swallowed all of them. 30 or so. getting sleepy", "plan_or_means"),
    ("took the lot. 40 or so. feeling dizzy", "plan_or_means"),
    ("i'm on the roof", "plan_or_means"), ("im on the ledge", "plan_or_means"),
    ("measured the beam in the garage", "plan_or_means"), ("checked how strong the loft beam is", "plan_or_means"),
    ("everythings ready for saturday", "plan_or_means"), ("got everything ready for tonight", "plan_or_means"),
    ("sorted out who gets my things and wrote it all down", "plan_or_means"),
    ("wrote down who gets my stuff", "plan_or_means"),
    ("deleted all my socials and gave my ps5 to my cousin. its time", "plan_or_means"),
    ("found a spot in the woods where no one will look", "plan_or_means"),
    ("found a place where nobody will find me", "plan_or_means"),
    ("what height is a fatal fall", "plan_or_means"), ("what height is lethal from a car park", "plan_or_means"),
    ("is 20 of my quetiapine enough?", "plan_or_means"), ("would 30 of my sertraline be enough", "plan_or_means"),
    ("mixed all my meds into one cup", "plan_or_means"), ("crushed all my pills into a glass of water", "plan_or_means"),
    ("scouted the quarry last weekend. its high enough", "plan_or_means"),
    # harm to others: they will pay, a weapon brought, "end" someone, if I can't have her
    ("my neighbour is going to pay, ive got the petrol", "harm_to_others"),
    ("he better watch his back, bringing a knife to school monday", "harm_to_others"),
    ("gonna end that teacher for real, i know which car is hers", "harm_to_others"),
    ("if i cant have her nobody can. she'll see tonight", "harm_to_others"),
    ("if i can't have him no one can", "harm_to_others"),
]

# Its false alarms (past, recovered, a book title, a repeat prescription) and look-alikes of
# the new concepts in everyday sentences.
B2_QUIET = [
    "had suicidal thoughts in uni but im in a much better place now",
    "one year self harm free, bought myself flowers",
    "i overdosed at 19 and today i graduated from nursing school",
    "book club is reading the virgin suicides",
    "collected my repeat prescription, 3 months supply this time",
    "checking out of the airbnb for good tomorrow",
    "my phone is about to kick the bucket",
    "why stay in a job you hate?",
    "they'll find me at the library tomorrow",
    "i'm on the roof terrace with drinks",
    "measured the beam for the new shelf",
    "everything is ready for the wedding on saturday",
    "deleted my socials for a detox, feels good",
    "what height is a fatal fall for a cat",
    "crushed all my pills into yogurt because i cant swallow",
    "my landlord is going to pay for the boiler repair",
    "had deep ones with friends tonight",
    "cut my hair. felt better",
    "two years sh free today!",
    "if he doesnt text back ill scream",
    "checking out early from the conference for good reasons",
    "ready to kick the bucket list off with skydiving",
    "why am i still here at 2am doing emails",
    "stopped being clean shaven",
    "took all of them to the park, got sleepy on the way home",
    "im on the roof of the car park, where are you parked?",
    "measured the beam for the loft ladder",
    "scouted the bridge for our photoshoot",
    "went too deep into the rabbit hole tonight",
    "im at the edge of my patience",
]


# Probes written after B2 in its style, for ways of saying it that no batch had yet: relief
# in dying, pretending to want to live, being with the dead soon, a means that seems
# peaceful, letters sealed for after, a bridge railing, a family better off with the payout.
PROBES_AFTER_B2 = [
    ("if i die tonight at least it stops", "suicide"),
    ("i'm tired of pretending i want to live", "suicide"),
    ("i'll be with grandma soon", "suicide"),
    ("it's my last day on this planet", "suicide"),
    ("i've written the letters and put them in envelopes", "suicide"),
    ("my family will be better off with the insurance money", "suicide"),
    ("carbon monoxide seems peaceful", "plan_or_means"),
    ("sitting on the bridge railing", "plan_or_means"),
]
PROBES_AFTER_B2_QUIET = [
    "going to my grandma's soon",
    "i'll see my nan again at christmas",
    "ill be with my sister again soon, so excited",
    "i'll be with my husband again when he gets back from deployment",
    "wrote letters to santa and put them in envelopes",
    "the insurance payout means we'll be better off after the flood",
    "sleeping pills seem like the answer to my insomnia",
    "sitting on the garden railing with a coffee",
]


# B2's borderline sentences whose written rationale leans to showing help, by their way of
# saying it, and look-alikes that lean the other way.
B2_BORDERLINE_HELP = [
    "whatever happens to me happens",
    "so tired of fighting",
    "not worth it anymore",
    "stopped taking my meds, whats the point",
    "theyd be better off with someone else as their dad",
    "took a couple extra of my pain pills tonight to just feel nothing",
    "drinking every night and dont care if my liver gives out",
    "heading out for a long walk. might not come back",
]
B2_BORDERLINE_QUIET = [
    "stopped taking my vitamins, no point, they did nothing",
    "im done fighting the urge to nap",
    "not worth it anymore, the drive to work takes two hours",
    "tired of fighting for a gp appointment",
    "so tired of fighting my landlord about the damp",
]


@pytest.mark.parametrize("text", B2_BORDERLINE_HELP)
def test_the_second_blind_batchs_borderlines_that_lean_to_help_show_it(text: str) -> None:
    assert has_crisis_language(text)


@pytest.mark.parametrize("text, category", B2_CONCEPTS + PROBES_AFTER_B2)
def test_the_second_blind_batch_concepts_show_help(text: str, category: str) -> None:
    assert category in categories_in(text), find_crisis_language(text)


@pytest.mark.parametrize("text", B2_QUIET + PROBES_AFTER_B2_QUIET + B2_BORDERLINE_QUIET)
def test_the_second_blind_batch_false_alarms_and_look_alikes_stay_quiet(text: str) -> None:
    assert find_crisis_language(text) == [], find_crisis_language(text)


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


# --- sixth round (after blind batch B3): families, pinned with sentences in other words -----

SIXTH_ROUND_HELP = [
    "if i was brave enough i'd do it on sunday",
    "got a belt from the shop and it's not for my trousers",
    "stood at the top floor of the multi storey staring down for ages",
    "took everything in the cabinet on purpose, my vision is going blurry",
    "can't picture myself alive past christmas",
    "it'll be so easy to just not wake up",
    "whoever reads this, please look after my cat",
    "please tell my dad none of this is his fault",
    "my head keeps telling me to end it",
    "idk y im still alive",
    "i wanna diee",
    "tomorrow i won't be here",
]
SIXTH_ROUND_QUIET = [
    "if i had the guts i'd quit my job",
    "doing it tonight: the ironing, finally",
    "took all my tablets with breakfast like always",
    "my nose is bleeding more than usual this week",
    "none of this will matter in 10 years",
    "I could sleep forever this weekend lol",
    "last journal entry of the year, feeling grateful",
    "why am i still at work at 9pm",
    "easiest way out of the car park is past the barrier",
]


@pytest.mark.parametrize("text", SIXTH_ROUND_HELP)
def test_the_sixth_round_families_show_help(text: str) -> None:
    assert find_crisis_language(text), text


@pytest.mark.parametrize("text", SIXTH_ROUND_QUIET)
def test_the_sixth_round_look_alikes_stay_quiet(text: str) -> None:
    assert find_crisis_language(text) == [], text
