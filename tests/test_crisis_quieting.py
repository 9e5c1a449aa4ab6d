"""Entries of the phrases and rules marked ``quiet_when_model_calm`` give way when the statistical
layer reads a note as clearly calm (``thaw.safety.ngram.CALM``); every other match still shows
help, and so does a marked one in a note the model does not read as calm.

Why: about half the false alarms on sentences written by strangers came from a few broad entries
("hopeless about the job hunt", "me tiro por la ventana jaja", a film's "carta de despedida",
recovered statements in Spanish). docs/SAFETY.md gives the figures.
"""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from tests.conftest import checkin_body
from thaw.safety import ngram
from thaw.safety.backstop import crisis_language
from thaw.safety.language import DATA_DIR, find_crisis_language, parse_phrase_list

# Written for this test, in Thaw's words; in no training file. Each is matched only by marked
# entries and read as clearly calm by the model.
QUIETED = [
    "hopeless about my sourdough, it never rises",
    "next time they schedule a meeting at 5pm me tiro por la ventana jajaja",
]
# A marked entry beside an unmarked one.
BESIDE_UNMARKED = [
    "I feel so hopeless about everything and I want to die tonight",
    "hopeless about the exam. i'm going to kill myself tonight",
]
# A marked entry alone, in a note the model does not read as calm.
NOT_CALM = ["feel like such a failure. i have the pills ready"]
# A marked entry spelled out or disguised: the model cannot read it, so it never quiets it
# (found by a review: "s.u.i.c.i.d.a.l" leaves the model pieces of one letter, nothing to read).
DISGUISED = [
    "s.u.i.c.i.d.a.l",
    "S.U.I.C.I.D.A.L!!",
    "had a nice day. s.u.i.c.i.d.a.l",
    "q.u.i.e.r.o m.o.r.i.r.m.e",
    "m.e c.o.r.t.e",
    "a.u.t.o.l.e.s.i.o.n",
    "s.u.i.c.i.d.a.l " * 300,
    "had a lovely walk in the park. feeling su1c1dal",
]


def marked_entries() -> list[tuple[str, str, list[str]]]:
    """(language, label, examples) of every entry marked in the shipped files."""
    found = []
    for path in sorted(DATA_DIR.glob("*.toml")):
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
        for entry in document["phrase"] + document.get("rule", []):
            if entry.get("quiet_when_model_calm"):
                found.append((path.stem, entry.get("phrase") or entry["rule"], entry["examples"]))
    return found


def test_a_few_broad_entries_are_marked_in_both_languages() -> None:
    languages = {language for language, _, _ in marked_entries()}
    assert languages == {"en", "es"} and 10 <= len(marked_entries()) <= 40


@pytest.mark.parametrize("language, label, examples", marked_entries(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_example_of_a_marked_entry_still_shows_help(language: str, label: str, examples: list[str]) -> None:
    # The examples are what the entry is for: the model must not quiet any of them (the entries
    # that read disguised spellings or a means are never marked: the model cannot read those).
    quieted = [example for example in examples if not crisis_language(example)]
    assert quieted == [], (language, label)


@pytest.mark.parametrize("text", QUIETED)
def test_a_note_only_marked_entries_match_and_the_model_reads_as_calm_is_quiet(text: str) -> None:
    matches = find_crisis_language(text)
    assert matches and all(m.quiet_when_model_calm for m in matches)
    assert ngram.reads_calm(text)
    assert crisis_language(text) == []


@pytest.mark.parametrize("text", BESIDE_UNMARKED)
def test_a_marked_match_beside_an_unmarked_one_still_shows_help(text: str) -> None:
    matches = find_crisis_language(text)
    assert any(m.quiet_when_model_calm for m in matches) and not all(m.quiet_when_model_calm for m in matches)
    assert crisis_language(text)


@pytest.mark.parametrize("text", NOT_CALM)
def test_a_marked_match_in_a_note_not_read_as_calm_still_shows_help(text: str) -> None:
    matches = find_crisis_language(text)
    assert matches and all(m.quiet_when_model_calm for m in matches)
    assert not ngram.reads_calm(text)
    assert crisis_language(text)


@pytest.mark.parametrize("text", DISGUISED)
def test_a_marked_entry_spelled_out_or_disguised_is_never_quieted(text: str) -> None:
    matches = find_crisis_language(text)
    assert matches
    assert crisis_language(text)


@pytest.mark.parametrize("written, disguised", [("feeling suicidal", "feeling su1c1dal"),
                                                ("feeling suicidal", "feeling s-u-i-c-i-d-a-l"),
                                                ("feeling suicidal", "feeling suicidaaal")])
def test_only_a_match_spelled_as_written_carries_the_mark(written: str, disguised: str) -> None:
    [plain] = find_crisis_language(written)
    [repaired] = find_crisis_language(disguised)
    assert plain.phrase == repaired.phrase and plain.quiet_when_model_calm and not repaired.quiet_when_model_calm


def test_a_match_that_runs_over_a_sentence_end_as_the_model_cuts_them_is_never_quieted() -> None:
    # The model reads "hopeless" and "about my sourdough" as two sentences; a match spanning
    # both was not read as one by it, so it may not quiet it.
    from thaw.safety.backstop import _quieted
    from thaw.safety.language import CrisisMatch

    text = "hopeless - about my sourdough, it never rises"
    assert ngram.reads_calm(text)
    within = CrisisMatch("a test entry", "suicide", 0, len("hopeless"), quiet_when_model_calm=True)
    across = CrisisMatch("a test entry", "suicide", 0, len("hopeless - about"), quiet_when_model_calm=True)
    assert _quieted(text, [within]) and not _quieted(text, [across])


def test_a_note_the_model_has_nothing_to_read_in_is_not_calm() -> None:
    assert not ngram.reads_calm("s.u.i.c.i.d.a.l") and not ngram.reads_calm("") and not ngram.reads_calm("a. b. c")


def test_a_failing_model_quiets_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> bool:
        raise MemoryError("out of memory")

    monkeypatch.setattr(ngram, "reads_calm", broken)
    assert crisis_language(QUIETED[0])


def test_a_quieted_joke_saves_without_the_crisis_screen_and_a_crisis_with_it(api_alice) -> None:
    response = api_alice.post("/api/v1/checkins", checkin_body(note=QUIETED[1]))
    assert response.status_code == 201 and response.json()["crisis"] is False
    response = api_alice.post("/api/v1/checkins", checkin_body(note=BESIDE_UNMARKED[1]))
    assert response.status_code == 201 and response.json()["crisis"] is True


def _document(*entries: dict[str, Any]) -> dict[str, Any]:
    others = [{"phrase": f"{category} test", "category": category, "pattern": word, "examples": [word]}
              for category, word in (("self_harm", "bravo"), ("harm_to_others", "charlie"), ("plan_or_means", "delta"))]
    return {"language": "zz", "cues": {"negation": ["nix"], "first_person": ["ego"]},
            "phrase": [*entries, *others]}


def test_a_longer_marked_match_that_holds_an_unmarked_one_may_not_be_quieted() -> None:
    # Only the longer of two matches of one category is returned; it carries the mark only if
    # what it holds would have carried it too, or quieting it would quiet the shorter one.
    document = _document(
        {"phrase": "long", "category": "suicide", "pattern": "alpha echo", "examples": ["alpha echo"],
         "quiet_when_model_calm": True},
        {"phrase": "short", "category": "suicide", "pattern": "echo", "examples": ["echo"]},
    )
    lists = [parse_phrase_list(document)]
    [match] = find_crisis_language("ego alpha echo", lists)
    assert match.phrase == "long" and match.quiet_when_model_calm is False
    [alone] = find_crisis_language("ego alpha echo", [parse_phrase_list(_document(document["phrase"][0]))])
    assert alone.quiet_when_model_calm is True


def test_the_mark_must_be_true_or_false() -> None:
    document = _document({"phrase": "long", "category": "suicide", "pattern": "alpha", "examples": ["alpha"],
                          "quiet_when_model_calm": "yes"})
    with pytest.raises(ValueError, match="quiet_when_model_calm must be true or false"):
        parse_phrase_list(document)
