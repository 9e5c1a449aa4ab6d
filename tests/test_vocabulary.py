"""The emotion vocabulary and other content files: shipped files valid, broken files refused."""

from __future__ import annotations

import copy
import tomllib
from collections import Counter

import pytest

from thaw.checkins.vocabulary import (
    DATA_DIR,
    QUADRANTS,
    REQUIRED_NUMB_WORDS,
    VocabularyError,
    body_map,
    parse_body,
    parse_vocabulary,
    tag_groups,
    vocabulary,
)


def shipped() -> dict:
    with open(DATA_DIR / "emotions.toml", "rb") as handle:
        return tomllib.load(handle)


def test_shipped_vocabulary_meets_the_floors() -> None:
    vocab = vocabulary()
    assert len(vocab.emotions) >= 140
    per_quadrant = Counter(e.quadrant for e in vocab.emotions.values() if e.quadrant)
    for quadrant in QUADRANTS:
        assert per_quadrant[quadrant] >= 25, quadrant
    for word in REQUIRED_NUMB_WORDS:
        assert vocab.emotions[word].family == "numb"
    assert "not sure" in vocab.emotions
    for word in ("okay", "heavy", "overwhelmed"):
        assert word in vocab.emotions, "used by the one-tap check-in"


def test_every_word_has_a_definition_and_axes_in_range() -> None:
    for e in vocabulary().emotions.values():
        assert -5 <= e.pleasantness <= 5 and -5 <= e.energy <= 5
        assert len(e.definition) >= 10 and "\n" not in e.definition


def test_definitions_are_distinct() -> None:
    definitions = [e.definition for e in vocabulary().emotions.values()]
    assert len(set(definitions)) == len(definitions)


def _broken(mutate) -> dict:
    doc = copy.deepcopy(shipped())
    mutate(doc)
    return doc


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["word"].append(dict(d["word"][0])), "appears twice"),
        (lambda d: d["word"][0].update(pleasantness=9), "pleasantness"),
        (lambda d: d["word"][0].update(energy="high"), "energy"),
        (lambda d: d["word"][0].update(family="nonsense"), "not defined"),
        (lambda d: d["word"][0].update(definition=""), "definition"),
        (lambda d: d["word"][0].update(word="Bad Word!"), "lowercase"),
        (lambda d: d.update(word=[w for w in d["word"] if w["word"] != "foggy"]), "foggy"),
        (lambda d: d.update(word=[w for w in d["word"] if w["word"] != "not sure"]), "not sure"),
        (lambda d: d.update(word=[w for w in d["word"] if not (w["pleasantness"] > 0 and w["energy"] > 0)]),
         "high-energy pleasant"),
        (lambda d: d.update(word=d["word"][:100]), "at least 140"),
    ],
)
def test_a_broken_vocabulary_is_refused_with_the_reason(mutate, expected: str) -> None:
    with pytest.raises(VocabularyError) as info:
        parse_vocabulary(_broken(mutate))
    assert expected in str(info.value)


def test_body_map_and_tags() -> None:
    body = body_map()
    assert body.is_valid("chest/tight") and body.is_valid("stomach/heavy") and body.is_valid("everywhere/absent")
    assert not body.is_valid("chest") and not body.is_valid("chest/purple")
    with pytest.raises(VocabularyError):
        parse_body({"region": [], "sensation": [{"name": "tight"}]})
    groups = {g.name for g in tag_groups()}
    assert {"place", "people", "activity"} <= groups


def test_system_check_reports_a_broken_file(monkeypatch) -> None:
    from thaw.checkins import checks
    from thaw.checkins import vocabulary as module

    def broken():
        raise VocabularyError("emotions.toml", ["only 3 words; at least 140 are required"])

    monkeypatch.setattr(checks, "vocabulary", broken)
    errors = checks.content_files_are_valid()
    assert errors and "at least 140" in errors[0].msg
    assert module.vocabulary() is not None
