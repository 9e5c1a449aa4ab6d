"""The Spanish vocabulary (issue 17): loaded beside the English, checked at start-up, shown in the
person's chosen forms; a check-in keeps the identifier, never the spelling."""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import pytest
from django.test import Client

from thaw.checkins.models import CheckInEmotion
from thaw.checkins.vocabulary import (
    DATA_DIR,
    VocabularyError,
    body_map,
    parse_translation,
    tag_groups,
    translation,
    vocabulary,
)
from thaw.grounding.exercises import DATA_DIR as GROUNDING_DATA
from thaw.grounding.exercises import ExerciseFileError, library, translate_library


def load(name: str, directory: Any = DATA_DIR) -> dict:
    with open(directory / name, "rb") as handle:
        return tomllib.load(handle)


def test_every_word_is_shown_in_each_form_with_the_documented_fallback() -> None:
    spanish = translation("es")
    assert spanish is not None and set(spanish.words) == set(vocabulary().emotions)
    assert [spanish.label("numb", f) for f in ("feminine", "masculine", "neutral")] == [
        "entumecida", "entumecido", "sin sentir mucho"]
    # No neutral wording exists: both forms, feminine first, never an invented ending.
    assert spanish.label("delighted", "neutral") == "encantada / encantado"
    assert spanish.label("not sure", "masculine") == "no sé"


def test_search_finds_words_with_and_without_accents_and_by_synonym() -> None:
    spanish = translation("es")
    assert spanish is not None
    assert "vacia" in spanish.search_text("empty") and "nostalgia" not in spanish.search_text("empty")
    assert "piloto automatico" in spanish.search_text("on autopilot")


def spanish_documents() -> tuple[dict, dict, dict]:
    return load("emotions.es.toml"), load("body.es.toml"), load("tags.es.toml")


@pytest.mark.parametrize("breakage, named", [
    (lambda e, b, t: e["word"].pop("lonely"), "word 'lonely' is missing"),
    (lambda e, b, t: e["word"].__setitem__("glum-ish", e["word"]["sad"]), "word 'glum-ish' is not in emotions.toml"),
    (lambda e, b, t: e["word"]["sad"].__setitem__("definition", "corta"), "word 'sad': definition"),
    (lambda e, b, t: e["word"]["numb"].__setitem__("feminine", ""), "word 'numb': feminine and masculine"),
    (lambda e, b, t: e["word"]["calm"].__setitem__("neutral", "con miedo"), "both show as 'con miedo'"),
    (lambda e, b, t: b["sensation"].pop("heavy"), "sensation 'heavy' has no label"),
    (lambda e, b, t: t["tag"].pop("alone"), "tag 'alone' has no label"),
])
def test_a_bad_spanish_file_names_the_entry(breakage: Any, named: str) -> None:
    emotions, body, tags = (copy.deepcopy(d) for d in spanish_documents())
    breakage(emotions, body, tags)
    with pytest.raises(VocabularyError) as refused:
        parse_translation("es", emotions, body, tags, vocabulary(), body_map(), tag_groups())
    assert any(named in problem for problem in refused.value.problems), refused.value.problems


def test_a_bad_spanish_exercise_file_names_the_exercise() -> None:
    doc = load("exercises.es.toml", GROUNDING_DATA)
    doc["exercise"]["orienting"]["steps"].pop()
    with pytest.raises(ExerciseFileError, match=r"\[exercise.orienting\]: steps must be"):
        translate_library(library("en"), doc, "exercises.es.toml")


@pytest.fixture
def spanish_alice(alice: Any) -> Any:
    alice.language, alice.word_forms = "es", "feminine"
    alice.save(update_fields=["language", "word_forms"])
    return alice


@pytest.mark.django_db
def test_a_spanish_check_in_shows_her_forms_and_stores_the_identifier(spanish_alice: Any, web_alice: Client) -> None:
    page = web_alice.get("/checkin/").content.decode()
    assert 'value="numb"' in page and "<span>entumecida</span>" in page and "<span>sola</span>" in page
    assert 'id="sentence-english-only"' in page and 'id="sentence"' not in page  # no silent English suggestions
    assert "Pecho" in page and "a solas" in page  # body map and tags in Spanish
    response = web_alice.post("/checkin/", {"word": ["numb", "lonely"], "intensity:numb": "6",
                                            "intensity:lonely": "4", "numbness_unrated": "1"})
    assert response.status_code == 302
    assert sorted(CheckInEmotion.objects.filter(checkin__person=spanish_alice).values_list("word", flat=True)) == [
        "lonely", "numb"]
    history = web_alice.get("/checkins/").content.decode()
    assert "entumecida" in history and "sola" in history


@pytest.mark.django_db
def test_grounding_speaks_spanish(spanish_alice: Any, web_alice: Client) -> None:
    page = web_alice.get("/grounding/").content.decode()
    assert "Mira dónde estás" in page


@pytest.mark.django_db
def test_an_export_keeps_identifiers_and_shows_words_in_the_readers_language(spanish_alice: Any, api_alice: Any) -> None:
    import csv
    import io
    import json
    import zipfile

    from tests.conftest import checkin_body

    assert api_alice.post("/api/v1/checkins", checkin_body()).status_code == 201
    archive = zipfile.ZipFile(io.BytesIO(api_alice.get("/api/v1/export", format="csv").content))
    rows = list(csv.DictReader(io.StringIO(archive.read("emotions.csv").decode())))
    spanish = translation("es")
    assert spanish is not None
    assert {(r["word"], r["shown_as"]) for r in rows} == {
        ("lonely", "con sensación de soledad"), ("tired", spanish.label("tired", "neutral"))}
    fhir = json.loads(api_alice.get("/api/v1/export", format="fhir").content)
    texts = json.dumps(fhir, ensure_ascii=False)
    assert '"code": "lonely"' in texts and '"text": "con sensación de soledad"' in texts
