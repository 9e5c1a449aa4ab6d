"""The check-in rules as a pure function, including property tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thaw.checkins.rules import CheckInInvalid, clean_checkin, parse_time
from thaw.checkins.vocabulary import body_map, vocabulary

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
WORDS = sorted(vocabulary().emotions)
BODY = [f"{r}/{s}" for r in body_map().regions for s in body_map().sensations]


def clean(data: dict, **kw) -> dict:
    return clean_checkin(data, vocab=vocabulary(), body=body_map(), now=NOW, tz=UTC, **kw)


valid_checkins = st.fixed_dictionaries(
    {
        "emotions": st.lists(st.sampled_from(WORDS), min_size=1, max_size=5, unique=True).flatmap(
            lambda words: st.tuples(*[st.integers(0, 10) for _ in words]).map(
                lambda ints: [{"word": w, "intensity": i} for w, i in zip(words, ints, strict=True)]
            )
        ),
        "numbness": st.integers(0, 10),
    },
    optional={
        "body": st.lists(st.sampled_from(BODY), max_size=5),
        "tags": st.lists(st.sampled_from(["work", "home", "alone", "night shift"]), max_size=4),
        # What a person can write: anything but control characters (line breaks and tabs are fine)
        # and lone surrogates, which the text gate refuses (tests/test_text_gate.py).
        "note": st.text(st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from("\n\t"), max_size=300),
        "at": st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 5, 31), timezones=st.just(UTC)).map(
            lambda d: d.isoformat()
        ),
    },
)


@given(valid_checkins)
@settings(max_examples=200, deadline=None)
def test_every_valid_checkin_is_accepted_unchanged(data: dict) -> None:
    cleaned = clean(data)
    assert cleaned["emotions"] == [(e["word"], e["intensity"]) for e in data["emotions"]]
    assert cleaned["numbness"] == data["numbness"]
    assert cleaned["at"] <= NOW + timedelta(minutes=5)


@given(valid_checkins, st.sampled_from(["numbness", "intensity"]), st.one_of(st.integers(11, 10**6), st.integers(-10**6, -1)))
@settings(max_examples=200, deadline=None)
def test_any_out_of_range_number_is_refused(data: dict, which: str, bad: int) -> None:
    if which == "numbness":
        data["numbness"] = bad
        field = "numbness"
    else:
        data["emotions"][0]["intensity"] = bad
        field = "emotions.0.intensity"
    with pytest.raises(CheckInInvalid) as info:
        clean(data)
    assert field in info.value.errors


@given(st.text(min_size=1, max_size=30))
@settings(max_examples=200, deadline=None)
def test_words_outside_the_vocabulary_are_refused(word: str) -> None:
    if word.strip().lower() in vocabulary().emotions:
        return
    with pytest.raises(CheckInInvalid) as info:
        clean({"emotions": [{"word": word, "intensity": 3}], "numbness": 2})
    assert "emotions.0.word" in info.value.errors


def test_words_are_matched_case_insensitively() -> None:
    assert clean({"emotions": [{"word": " Lonely ", "intensity": 3}], "numbness": 2})["emotions"] == [("lonely", 3)]


def test_future_limit_is_five_minutes() -> None:
    ok = clean({"emotions": [{"word": "sad", "intensity": 3}], "numbness": 2, "at": (NOW + timedelta(minutes=5)).isoformat()})
    assert ok["at"] == NOW + timedelta(minutes=5)
    with pytest.raises(CheckInInvalid):
        clean({"emotions": [{"word": "sad", "intensity": 3}], "numbness": 2, "at": (NOW + timedelta(minutes=5, seconds=1)).isoformat()})


def test_a_time_without_offset_is_read_in_the_persons_zone() -> None:
    at = parse_time("2026-03-01T09:00", ZoneInfo("Europe/Paris"))
    assert at.astimezone(UTC) == datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    assert parse_time("2026-03-01T09:00:00Z", ZoneInfo("Europe/Paris")).hour == 9


def test_partial_validation_checks_only_given_fields() -> None:
    assert clean({"numbness": 4}, partial=True) == {"numbness": 4}
    with pytest.raises(CheckInInvalid) as info:
        clean({"emotions": None}, partial=True)
    assert "emotions" in info.value.errors


def test_note_with_nul_is_refused() -> None:
    with pytest.raises(CheckInInvalid) as info:
        clean({"emotions": [{"word": "sad", "intensity": 3}], "numbness": 2, "note": "a\x00b"})
    assert "note" in info.value.errors
