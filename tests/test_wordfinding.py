"""Word finding: the lexicon and ranker, its evaluation floor, the API and the check-in page."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.db import connection
from django.templatetags.static import static
from django.test import override_settings

from benchmarks.wordfinding_eval import accuracy, load
from tests.conftest import ApiClient
from thaw.checkins import suggest
from thaw.checkins.models import CheckIn
from thaw.checkins.vocabulary import vocabulary
from thaw.checkins.wordfinding import (
    LexiconError,
    lexicon,
    parse_lexicon,
    rank,
    read,
    stem,
    tokens,
    word_to_try,
)
from thaw.safety.models import RiskFlag

SUGGEST = "/api/v1/emotions/suggest"
CRISIS_SENTENCE = "Everything is grey and I want to end my life"


def families(text: str) -> list[str]:
    return [s.family for s in rank(text)]


# --- the pure core ------------------------------------------------------------------------


def test_a_sentence_about_feeling_nothing_puts_numb_first_and_offers_not_sure() -> None:
    suggestions = rank("I sat in the car after work and couldn't feel anything")
    assert suggestions[0].family == "numb"
    assert "not sure" in [s.word for s in suggestions]
    assert 1 <= len(suggestions) <= 5
    assert all(s.definition == vocabulary().emotions[s.word].definition for s in suggestions)
    assert suggestions[0].score == 1.0 and all(0 <= s.score <= 1 for s in suggestions)


def test_a_negated_feeling_does_not_count() -> None:
    assert families("I'm not angry, just really tired")[0] == "tiredness"
    assert "anger" not in families("I'm not angry, just really tired")[:1]
    assert families("I'm angry")[0] == "anger"
    # "can't stop" is not a negation: the feeling is there, strongly.
    assert families("can't stop crying")[0] == "sadness"


def test_intensity_leans_to_the_stronger_or_milder_word() -> None:
    # The family is clear; how strongly it is put chooses the word.
    assert rank("so pissed off with him")[0].word == "furious"
    assert rank("a bit pissed off with him")[0].word in ("annoyed", "grumpy")
    assert rank("pissed off with him")[0].word == "angry"
    # A word the person used themselves stays first, however strongly it is put.
    assert rank("I am so incredibly angry")[0].word == "angry"


def test_texting_spellings_and_a_typo_still_find_the_family() -> None:
    assert families("sooo exausted after that shift")[0] == "tiredness"
    assert families("idk how i feel tbh")[0] == "not-sure"
    assert families("feelin kinda lonley today")[0] == "loneliness"


def test_ties_go_to_numb_when_the_sentence_is_about_absence_of_feeling() -> None:
    # Sadness and numbness score alike here; the sentence speaks of an absence.
    text = "sad but I can't feel it"
    order = families(text)
    assert read(text).absence
    assert order[0] in ("numb", "not-sure"), order


def test_an_empty_or_meaningless_sentence_gets_not_sure() -> None:
    assert [s.word for s in rank("")] == ["not sure"]
    assert [s.word for s in rank("qwxz plmk")] == ["not sure"]


def test_stems_match_across_word_forms() -> None:
    assert stem("cried") == stem("cry") == stem("cries")
    assert stem("crying") == stem("cry") or stem("crying") == "cry"
    assert [t.raw for t in tokens("I can’t… feel")][:3] == ["i", "cant", "feel"]


def test_the_lexicon_names_only_real_families_and_words() -> None:
    assert lexicon().defaults["numb"] == "numb"
    with pytest.raises(LexiconError) as raised:
        parse_lexicon({"family": {"no-such-family": {"cues": ["x"]}}, "word": {"glum-ish": {"cues": ["y"]}},
                       "defaults": {}}, vocabulary())
    message = str(raised.value)
    assert "no-such-family" in message and "glum-ish" in message and "default word" in message


def test_a_word_you_might_try_is_new_to_the_person_and_matches_the_sentence() -> None:
    text = "everything feels weighed down, like moving through deep water"
    suggestions = rank(text)
    fresh = word_to_try(text, suggestions, used={"sad"})
    assert fresh is not None and fresh.word not in {"sad"} | {s.word for s in suggestions}
    assert word_to_try(text, suggestions, used=set(vocabulary().emotions)) is None


# --- the evaluation set and the floor ---------------------------------------------------


def test_the_evaluation_set_is_large_labelled_and_spread_over_every_family() -> None:
    vocab = vocabulary()
    tuning, heldout = load("tuning"), load("heldout")
    assert len(tuning) + len(heldout) >= 300
    assert len(heldout) >= 0.24 * (len(tuning) + len(heldout))
    for part in (tuning, heldout):
        covered = {vocab.emotions[w].family for e in part for w in e.words}
        assert covered == set(vocab.families), set(vocab.families) - covered
        quadrants = {vocab.emotions[w].quadrant for e in part for w in e.words}
        assert {"high-energy unpleasant", "low-energy unpleasant", "high-energy pleasant",
                "low-energy pleasant"} <= quadrants
    assert not {e.sentence for e in tuning} & {e.sentence for e in heldout}


@pytest.mark.parametrize("part", ["heldout", "blind"])
def test_the_lexicon_alone_meets_the_floor_on_sentences_it_was_not_tuned_on(part: str) -> None:
    top1, top3 = accuracy(load(part))
    assert top3 >= 0.60, (top1, top3)


# --- the API ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fresh_limits(db: object) -> None:
    cache.clear()


@pytest.mark.django_db
def test_suggest_answers_words_with_definitions(alice) -> None:
    response = ApiClient(alice).post(SUGGEST, {"text": "so tired, barely slept and nothing left in the tank"})
    assert response.status_code == 200
    body = response.json()
    assert body["crisis"] is False and body["resources"] == []
    assert 1 <= len(body["suggestions"]) <= 5
    first = body["suggestions"][0]
    assert set(first) == {"word", "family", "definition", "score"}
    assert first["family"] == "tiredness" and first["definition"]
    assert body["mode"] in ("lexicon", "lexicon+model")


@pytest.mark.django_db
def test_suggest_refuses_text_over_1000_characters_in_the_error_shape(alice) -> None:
    response = ApiClient(alice).post(SUGGEST, {"text": "a" * 1001})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "text" and "1,000" in body["errors"][0]["message"]
    assert ApiClient(alice).post(SUGGEST, {"text": "a" * 1000}).status_code == 200
    assert ApiClient(alice).post(SUGGEST, {"text": 5}).json()["errors"][0]["field"] == "text"
    assert ApiClient(alice).post(SUGGEST, {}).status_code == 422


@pytest.mark.django_db
def test_suggest_refuses_broken_text_through_the_one_gate(alice) -> None:
    response = ApiClient(alice).post(SUGGEST, raw='{"text": "numb \\ud800 and \\u0000 empty"}')
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["text"]


@pytest.mark.django_db
def test_crisis_language_comes_first_and_nothing_is_saved(alice) -> None:
    client = ApiClient(alice)
    response = client.post(SUGGEST, {"text": CRISIS_SENTENCE})
    body = response.json()
    assert response.status_code == 200 and body["crisis"] is True
    assert body["resources"] and any("988" in r["how"] for r in body["resources"])
    assert body["suggestions"] == []
    assert CheckIn.objects.count() == 0
    flags = RiskFlag.objects.filter(person=alice, source="wordfinding")
    assert flags.count() == 1 and CRISIS_SENTENCE not in flags.get().reason
    client.post(SUGGEST, {"text": CRISIS_SENTENCE})
    assert flags.count() == 1, "pressing suggest again does not pile up flags"


@pytest.mark.django_db
def test_the_sentence_is_never_stored_or_logged(alice, caplog) -> None:
    secret = "zebracanary feeling flat after the quarrel with Morwenna"
    client = ApiClient(alice)
    with caplog.at_level(logging.DEBUG):
        assert client.post(SUGGEST, {"text": secret}).status_code == 200
        client.post(SUGGEST, {"text": secret + "x" * 1000})
    assert "zebracanary" not in caplog.text and "Morwenna" not in caplog.text
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            for column in columns:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE %s',
                               ["%zebracanary%"])
                assert cursor.fetchone()[0] == 0, (table, column)


@pytest.mark.django_db
@override_settings(THAW_SUGGEST_LIMIT=2, THAW_SUGGEST_WINDOW_SECONDS=600)
def test_suggest_is_rate_limited_per_person(alice, bob) -> None:
    client = ApiClient(alice)
    assert client.post(SUGGEST, {"text": "tired"}).status_code == 200
    assert client.post(SUGGEST, {"text": "tired"}).status_code == 200
    refused = client.post(SUGGEST, {"text": "tired"})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 600
    assert "try again" in refused.json()["detail"]
    assert ApiClient(bob).post(SUGGEST, {"text": "tired"}).status_code == 200, "the limit is per person"


@pytest.mark.django_db
def test_suggest_needs_a_signed_in_person() -> None:
    assert ApiClient(None).post(SUGGEST, {"text": "tired"}).status_code == 401


@pytest.mark.django_db
def test_a_word_to_try_skips_words_the_person_already_uses(alice, monkeypatch) -> None:
    # The lexicon's answer, as without the optional model (a model loaded by an earlier test
    # would rank this sentence differently).
    monkeypatch.setattr(suggest.wordmodel, "model_if_ready", lambda _cache: None)
    client = ApiClient(alice)
    text = "everything feels weighed down, like moving through deep water"
    first = client.post(SUGGEST, {"text": text}).json()["word_to_try"]
    assert first is not None
    client.post("/api/v1/checkins", {"emotions": [{"word": first["word"], "intensity": 5}], "numbness": 3})
    second = client.post(SUGGEST, {"text": text}).json()["word_to_try"]
    assert second is None or second["word"] != first["word"]


# --- the check-in page -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_checkin_page_offers_tell_it_in_a_sentence(web_alice) -> None:
    page = web_alice.get("/checkin/").content.decode()
    assert '<label for="sentence">Tell it in a sentence' in page
    assert 'id="suggest-status" class="hint" role="status"' in page
    assert static("checkins/wordfinding.js") in page


@pytest.mark.django_db
def test_without_javascript_suggest_returns_the_form_with_words_to_tick(web_alice) -> None:
    response = web_alice.post("/checkin/suggest", {"sentence": "dead inside, nothing matters", "numbness": "7",
                                                     "note": "kept as typed"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="word" value="empty" data-suggestion' in page
    assert "kept as typed" in page and "dead inside, nothing matters" in page
    assert CheckIn.objects.count() == 0


@pytest.mark.django_db
def test_without_javascript_a_crisis_sentence_goes_to_the_crisis_screen(web_alice) -> None:
    response = web_alice.post("/checkin/suggest", {"sentence": CRISIS_SENTENCE, "numbness": "5"})
    assert response.status_code == 302 and response["Location"] == "/help/?from=wordfinding"
    assert CheckIn.objects.count() == 0
    help_page = web_alice.get(response["Location"]).content.decode()
    assert 'href="/checkin/"' in help_page


@pytest.mark.django_db
def test_the_sentence_becomes_the_note_only_when_the_person_chooses(web_alice, alice) -> None:
    base = {"word": ["numb", "numb"], "intensity:numb": "6", "numbness": "7", "sentence": "sat in the car, nothing"}
    web_alice.post("/checkin/", base)
    web_alice.post("/checkin/", {**base, "keep_sentence": "1", "note": "later note"})
    first, second = CheckIn.objects.filter(person=alice).order_by("created_at")
    assert first.note == "" and [e.word for e in first.emotions.all()] == ["numb"]
    assert second.note == "sat in the car, nothing\n\nlater note"


@pytest.mark.django_db
def test_a_crisis_sentence_not_kept_still_brings_the_crisis_screen_on_save(web_alice, alice) -> None:
    response = web_alice.post("/checkin/", {"word": "empty", "intensity:empty": "6", "numbness": "8",
                                            "sentence": CRISIS_SENTENCE})
    assert response.status_code == 302 and response["Location"].startswith("/help/")
    assert CheckIn.objects.get(person=alice).note == ""


@pytest.mark.django_db
def test_settings_say_which_mode_is_active(web_alice) -> None:
    page = web_alice.get("/settings/").content.decode()
    assert 'id="wordfinding-mode">lexicon' in page


def test_a_half_installed_model_is_reported_by_thaw_check(monkeypatch, tmp_path) -> None:
    from thaw.checkins import wordmodel
    from thaw.checkins.checks import wordfinding_model_is_complete

    monkeypatch.setattr(wordmodel, "model_dir", lambda: tmp_path)
    monkeypatch.setattr(wordmodel, "available", lambda: False)
    [warning] = wordfinding_model_is_complete()
    assert warning.id == "thaw.W030" and "make setup-wordfinding" in warning.hint


@pytest.mark.django_db
def test_over_time_a_word_you_might_try_comes_from_recent_notes(web_alice, api_alice) -> None:
    assert 'id="word-to-try" hidden' in web_alice.get("/checkin/").content.decode()
    for note in ("everything weighed down again", "like moving through deep water", "weighed down all week"):
        api_alice.post("/api/v1/checkins", {"emotions": [{"word": "sad", "intensity": 5}], "numbness": 4, "note": note})
    page = web_alice.get("/checkin/").content.decode()
    assert 'id="word-to-try" hidden' not in page
    assert 'value="heavy" data-suggestion' in page, "heavy: never used, and its definition is what they write"
