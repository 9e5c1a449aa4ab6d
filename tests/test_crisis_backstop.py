"""The semantic backstop of the crisis screen (``thaw/safety/backstop.py``; ``make test-wordfinding``).

Where the word-finding model is installed these check the backstop's figures on blind batch B5
(sentences nobody tuned on; docs/SAFETY.md) and on the held-out part, and that a note the rules
miss gets the crisis screen through the ordinary save path. Where it is not, they check that the
rules answer alone and Thaw says so. ``THAW_REQUIRE_WORDFINDING_MODEL=1`` (set by ``make
test-wordfinding``) makes a missing model a failure.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from django.utils import translation

from benchmarks.crisis_eval import evaluate, load
from benchmarks.crisis_semantic import B5, LEAN, blind_rows
from tests.conftest import checkin_body
from thaw.checkins import wordmodel
from thaw.safety import backstop, ngram
from thaw.safety.language import find_crisis_language, has_crisis_language
from thaw.safety.services import scan_text

REQUIRED = os.environ.get("THAW_REQUIRE_WORDFINDING_MODEL") == "1"
# Missed by the phrases and rules, caught by the backstop (written for this test, in Thaw's words).
RULES_MISS = "the bridge near work looks very peaceful lately, I keep going back to it"


@pytest.fixture(autouse=True)
def semantic_layer_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the semantic backstop: the statistical layer, which runs before it
    in every install (tests/test_crisis_ngram.py), is kept quiet so each figure is the
    backstop's own."""
    monkeypatch.setattr(ngram, "shows_help", lambda text: False)


@pytest.fixture
def switched_on(monkeypatch: pytest.MonkeyPatch) -> bool:
    """The backstop on for one test (the ordinary suite keeps it off: tests/conftest.py)."""
    monkeypatch.setenv("THAW_CRISIS_BACKSTOP", "1")
    if REQUIRED:
        assert wordmodel.available(), "make setup-wordfinding did not install the model"
    if backstop.available():
        backstop.load()  # as a worker has it a moment after start (a request never waits for it)
    return backstop.available()


def test_without_the_model_or_switched_off_the_rules_answer_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THAW_CRISIS_BACKSTOP", raising=False)
    assert not backstop.available(), "off unless THAW_CRISIS_BACKSTOP=1 asks for it"
    monkeypatch.setenv("THAW_CRISIS_BACKSTOP", "0")
    assert not backstop.available()
    assert backstop.mode().startswith("phrases, rules and statistical model") and "+ semantic" not in backstop.mode()
    assert scan_text(RULES_MISS) == find_crisis_language(RULES_MISS) == []
    monkeypatch.setenv("THAW_CRISIS_BACKSTOP", "maybe")
    with pytest.raises(ValueError, match="THAW_CRISIS_BACKSTOP must be 0 or 1"):
        backstop.available()


def test_the_mode_is_what_is_installed(switched_on: bool) -> None:
    if not switched_on:
        assert not wordmodel.available() and not REQUIRED
        assert backstop.mode() == "phrases, rules and statistical model"
        return
    assert backstop.mode() == "phrases, rules and statistical model + semantic backstop (local model)"


def test_the_shipped_file_is_built_from_every_tuning_sentence_by_its_lean() -> None:
    shipped = backstop.read_backstop()
    leans = [LEAN[s.label] for s in load("tuning")]
    assert shipped.crisis.shape == (sum(leans), 384) and shipped.calm.shape == (len(leans) - sum(leans), 384)
    assert np.allclose(np.linalg.norm(shipped.crisis, axis=1), 1.0, atol=2e-3)
    assert shipped.k == 5 and 0.0 < shipped.margin < 0.2


def test_blind_batch_b5_recall_rises_and_precision_holds(switched_on: bool) -> None:
    """B5 was written by someone who never saw the rules, and is never tuned on."""
    if not switched_on:
        assert not REQUIRED
        return
    texts, labels = blind_rows(B5)
    crisis = [t for t, label in zip(texts, labels, strict=True) if label == "crisis"]
    calm = [t for t, label in zip(texts, labels, strict=True) if label == "none"]
    caught = sum(bool(backstop.crisis_language(t)) for t in crisis)
    alarms = sum(bool(backstop.crisis_language(t)) for t in calm)
    rules_caught = sum(has_crisis_language(t) for t in crisis)
    assert (len(crisis), len(calm), rules_caught) == (72, 64, 55)  # rules alone: recall 0.764
    assert caught >= 68, f"recall {caught}/72"  # 0.944 when measured (docs/SAFETY.md)
    assert caught / (caught + alarms) >= 0.90, f"{alarms} false alarms"  # 0.907 (7 of 64) when measured


def test_the_held_out_floors_still_hold_with_the_backstop(switched_on: bool) -> None:
    if not switched_on:
        assert not REQUIRED
        return
    result = evaluate("held_out", detector=lambda text: bool(backstop.crisis_language(text)))
    assert result.recall >= 0.95 and result.precision >= 0.90, (result.recall, result.precision)


def test_a_long_note_is_read_sentence_by_sentence(switched_on: bool) -> None:
    if not switched_on:
        assert not REQUIRED
        return
    note = ("Work was busy, the bus was late again. Made pasta for dinner. " + RULES_MISS
            + ". The weather is meant to turn cold on Friday.")
    assert not has_crisis_language(note)
    [match] = scan_text(note)
    assert match.category == backstop.CATEGORY
    assert not scan_text("Work was busy, the bus was late again. Made pasta for dinner. "
                         "The weather is meant to turn cold on Friday.")


def test_a_note_only_the_backstop_catches_is_saved_and_shows_the_crisis_screen(switched_on: bool, alice,
                                                                               api_alice) -> None:
    if not switched_on:
        assert not REQUIRED
        return
    response = api_alice.post("/api/v1/checkins", checkin_body(note=RULES_MISS))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["crisis"] is True and body["resources"]
    flag = alice.risk_flags.get()
    assert flag.reason == "Crisis language (similar meaning)"  # Thaw's words, never the person's


def test_a_failing_backstop_never_stops_a_save(switched_on: bool, api_alice, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str, language: str | None = None) -> bool:
        raise MemoryError("out of memory")

    monkeypatch.setattr(backstop, "shows_help", broken)
    response = api_alice.post("/api/v1/checkins", checkin_body(note=RULES_MISS))
    assert response.status_code == 201 and response.json()["crisis"] is False


def test_text_in_another_language_is_left_to_the_rules(switched_on: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The model reads English only: an ordinary Spanish note must not look like crisis to it
    (it did: "Me siento muy sola últimamente." raised a flag), and Spanish crisis words are the
    Spanish phrase list's to catch."""
    if not switched_on:
        assert not REQUIRED
        return
    consulted = []
    monkeypatch.setattr(backstop, "note_score", lambda text, loaded: consulted.append(text) or 1.0)
    with translation.override("es"):
        assert scan_text("Me siento muy sola últimamente.") == []
        assert scan_text("Puedo ir despacio.") == []
        assert scan_text("quiero morirme") != []  # the Spanish rules still answer
    assert consulted == []
    with translation.override("en"):
        assert scan_text(RULES_MISS) != [] and consulted == [RULES_MISS]


def test_a_save_never_waits_for_the_model_to_load(switched_on: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Until this process has loaded the backstop, the rules answer alone at once; the load
    starts in the background (one thread, once)."""
    if not switched_on:
        assert not REQUIRED
        return
    started = []
    monkeypatch.setattr(backstop, "_ready", None)
    monkeypatch.setattr(backstop, "_started", False)
    monkeypatch.setattr(backstop.threading, "Thread", lambda **kw: started.append(kw) or type(
        "T", (), {"start": lambda self: None})())
    assert scan_text(RULES_MISS) == [] and scan_text(RULES_MISS) == []
    assert [kw["name"] for kw in started] == ["thaw-crisis-backstop"]
