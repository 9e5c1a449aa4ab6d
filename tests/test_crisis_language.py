"""The crisis-language detector: what it must find, what it must leave alone, and its data file.

A miss hides crisis resources from someone who needs them; a false alarm only shows them. So
the positive list is long, and every "must not trigger" case below is one we decided on with
that asymmetry in mind. No database: these are plain functions over strings.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thaw.safety.language import (
    CATEGORIES,
    DATA_FILE,
    CrisisMatch,
    CrisisPhrasesError,
    crisis_phrases,
    find_crisis_language,
    has_crisis_language,
    load_crisis_phrases,
    normalise,
    parse_crisis_phrases,
    raw_matches,
)


def shipped_document() -> dict:
    with open(DATA_FILE, "rb") as handle:
        return tomllib.load(handle)


def shipped_examples() -> list[str]:
    return [example for entry in shipped_document()["phrase"] for example in entry["examples"]]


def categories_in(text: str) -> set[str]:
    return {match.category for match in find_crisis_language(text)}


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
    ("I want to jump off a bridge", "suicide"),
    ("I want to unalive myself", "suicide"),
    ("I would rather die than go back there", "suicide"),
    ("I cut myself again last night", "self_harm"),
    ("I've been cutting my arms", "self_harm"),
    ("I want to hurt myself", "self_harm"),
    ("Harming myself is the only thing that helps", "self_harm"),
    ("I burned myself with a lighter on purpose", "self_harm"),
    ("I think I'll overdose", "self_harm"),
    ("I overdosed on my meds last year", "self_harm"),
    ("I've been self-harming again", "self_harm"),
    ("I have a plan to end it", "plan_or_means"),
    ("I've saved up pills", "plan_or_means"),
    ("I've been stockpiling my sleeping pills", "plan_or_means"),
    ("I wrote a goodbye note", "plan_or_means"),
    ("I keep rereading my goodbye letters", "plan_or_means"),
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


@pytest.mark.parametrize("text, category", POSITIVE)
def test_it_finds_crisis_language(text: str, category: str) -> None:
    assert has_crisis_language(text), text
    assert category in categories_in(text)


def test_there_are_plenty_of_positive_cases() -> None:
    assert len(POSITIVE) >= 40
    assert {category for _, category in POSITIVE} == set(CATEGORIES)


def test_every_example_in_the_data_file_is_found() -> None:
    missed = [example for example in shipped_examples() if not has_crisis_language(example)]
    assert missed == []


# --- must not trigger ------------------------------------------------------------------

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


@pytest.mark.parametrize("text", NEGATED)
def test_it_leaves_negated_phrases_alone(text: str) -> None:
    assert find_crisis_language(text) == []


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


@pytest.mark.parametrize("text", FALSE_FRIENDS)
def test_it_leaves_false_friends_alone(text: str) -> None:
    assert find_crisis_language(text) == []


def test_not_examples_in_the_data_file_do_not_trigger_anything() -> None:
    counters = [c for entry in shipped_document()["phrase"] for c in entry.get("not_examples", [])]
    assert counters
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


def test_only_the_negated_sentence_is_dropped() -> None:
    matches = find_crisis_language("I don't want to die. I want to hurt myself.")
    assert [m.phrase for m in matches] == ["hurt myself"]


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


def test_normalise_keeps_ascii_positions() -> None:
    text = "Plain ASCII, one space each."
    normal, origin = normalise(text)
    assert normal == text.lower()
    assert list(origin) == list(range(len(text)))


def test_normalise_folds_and_collapses() -> None:
    normal, origin = normalise("Don’t\u00a0 \u00a0STOP\r\n\r\nﬁne\u200b")
    assert normal == "don't stop\nfine"
    assert [origin[i] for i in (3, 5, 10, 11, 12)] == [3, 5, 12, 16, 16]


# --- edge cases ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "\n\n", "...", "😶"])
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


# --- the data file ---------------------------------------------------------------------


def test_the_shipped_list_covers_every_category() -> None:
    per_category = Counter(phrase.category for phrase in crisis_phrases())
    assert set(per_category) == set(CATEGORIES)
    assert 40 <= sum(per_category.values()) <= 80


def test_the_data_file_says_what_it_is_and_is_not() -> None:
    header = DATA_FILE.read_text(encoding="utf-8").split("[[phrase]]")[0].lower()
    for words in ("written for thaw", "not a clinical instrument", "side of showing help"):
        assert words in header
    assert "will miss" in header


def minimal_entries() -> list[dict]:
    return [
        {"phrase": f"{category} test", "category": category, "pattern": word, "examples": [word]}
        for category, word in zip(CATEGORIES, ["alpha", "bravo", "charlie", "delta"], strict=True)
    ]


def test_a_minimal_valid_document_loads() -> None:
    phrases = parse_crisis_phrases({"phrase": minimal_entries()})
    assert [p.category for p in phrases] == list(CATEGORIES)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"pattern": ""}, "the pattern is empty"),
        ({"pattern": "   "}, "the pattern is empty"),
        ({"category": "violence"}, "unknown category 'violence'"),
        ({"pattern": "(unclosed"}, "not a valid regular expression"),
        ({"pattern": "(alpha)"}, "capturing groups"),
        ({"pattern": "(?:alpha)?", "examples": ["alpha"]}, "matches empty text"),
        ({"pattern": "Alpha"}, "capital letters"),
        ({"pattern": "don’t"}, "straight apostrophe"),
        ({"examples": []}, "at least one example"),
        ({"examples": ["something else"]}, "does not match its example"),
        ({"not_examples": ["alpha again"]}, "matches its not_example"),
        ({"negatable": "yes"}, "negatable must be true or false"),
        ({"colour": "red"}, "unknown key(s) colour"),
        ({"phrase": ""}, "non-empty 'phrase' label"),
    ],
)
def test_a_broken_entry_is_refused_with_a_clear_message(change: dict, message: str) -> None:
    entries = minimal_entries()
    entries[0] = {**entries[0], **change}
    with pytest.raises(ValueError, match="crisis_phrases.toml is invalid") as refused:
        parse_crisis_phrases({"phrase": entries})
    assert message in str(refused.value)


def test_every_problem_is_named_at_once() -> None:
    entries = minimal_entries()
    entries[0] = {**entries[0], "pattern": ""}
    entries[1] = {**entries[1], "category": "nope"}
    with pytest.raises(CrisisPhrasesError) as refused:
        parse_crisis_phrases({"phrase": entries})
    assert len(refused.value.problems) == 2


def test_duplicate_labels_and_empty_categories_are_refused() -> None:
    entries = minimal_entries()
    entries[1] = {**entries[1], "phrase": entries[0]["phrase"]}
    with pytest.raises(ValueError, match="used twice"):
        parse_crisis_phrases({"phrase": entries})
    with pytest.raises(ValueError, match="category 'harm_to_others' has no phrases"):
        parse_crisis_phrases({"phrase": minimal_entries()[:3]})
    with pytest.raises(ValueError, match=r"no \[\[phrase\]\] entries"):
        parse_crisis_phrases({})


def test_a_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "crisis_phrases.toml"
    broken.write_text("[[phrase]\nphrase = ", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_crisis_phrases(broken)


def test_a_valid_file_loads_from_disk(tmp_path: Path) -> None:
    lines = []
    for entry in minimal_entries():
        lines += ["[[phrase]]"] + [f"{key} = {value!r}" for key, value in entry.items()] + [""]
    path = tmp_path / "phrases.toml"
    path.write_text("\n".join(lines).replace("'", '"'), encoding="utf-8")
    assert len(load_crisis_phrases(path)) == 4


# --- properties ------------------------------------------------------------------------

# Everyday words with no negation and no crisis meaning, to bury phrases in.
BENIGN = (
    "morning coffee garden quiet walked rain work friend called later slowly today book music "
    "tea kitchen window dog evening bus shop sister brother lunch dinner cat sofa film sunny "
    "cold warm heavy foggy flat numb tired okay maybe still again"
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


@settings(max_examples=300, deadline=None)
@given(
    before=benign_words,
    phrase=st.sampled_from(shipped_examples() + [text for text, _ in POSITIVE]),
    style=st.integers(0, 3),
    separator=st.sampled_from(SEPARATORS),
    after=benign_words,
)
def test_a_crisis_phrase_is_found_wherever_it_is_put(
    before: str, phrase: str, style: int, separator: str, after: str
) -> None:
    text = f"{before} {restyle(phrase, style)}{separator} {after}"
    assert has_crisis_language(text), text


# Words the patterns are made of, so random text often comes close to a phrase.
CRISIS_WORDS = (
    "i i'm im don't dont not never no want wanna to die dying dead kill kil killing myself my "
    "self end it all life live living anymore suicide suicidal cut cutting hurt harm burn "
    "pills meds saved plan note goodbye him her them someone wake up sleep better off without "
    "me can't go on do this reason point a the and but deserve suffer overdose od'd"
).split()
crisis_like_text = st.lists(
    st.one_of(
        st.sampled_from(CRISIS_WORDS),
        st.sampled_from([" ", "  ", "\n", ".", ",", "...", "’", "-", "!"]),
        st.characters(),
    ),
    max_size=400,
).map(" ".join)
any_text = st.one_of(st.text(max_size=5000), crisis_like_text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text)
def test_it_never_raises_and_spans_stay_inside_the_text(text: str) -> None:
    matches = find_crisis_language(text)
    labels = {phrase.phrase for phrase in crisis_phrases()}
    for match in matches:
        assert 0 <= match.start < match.end <= len(text)
        assert match.category in CATEGORIES
        assert match.phrase in labels
    assert has_crisis_language(text) == bool(matches)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text)
def test_normalised_positions_map_back_in_order(text: str) -> None:
    normal, origin = normalise(text)
    assert len(origin) == len(normal)
    assert all(0 <= i < len(text) for i in origin)
    assert list(origin) == sorted(origin)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text)
def test_the_fast_scan_finds_everything_a_full_scan_finds(text: str) -> None:
    # Patterns are only tried at words whose first letters could start them; that shortcut
    # must never lose a match that trying each pattern everywhere would find.
    normal, _ = normalise(text)
    fast = raw_matches(normal)
    for phrase in crisis_phrases():
        for match in phrase.pattern.finditer(normal):
            assert (match.start(), match.end(), phrase) in fast, (phrase.phrase, match)


def test_the_fast_scan_finds_every_example() -> None:
    for example in shipped_examples() + [text for text, _ in POSITIVE]:
        normal, _ = normalise(example)
        fast = raw_matches(normal)
        for phrase in crisis_phrases():
            for match in phrase.pattern.finditer(normal):
                assert (match.start(), match.end(), phrase) in fast, (example, phrase.phrase)
