"""The statistical layer of the crisis screen (``thaw/safety/ngram.py``), on in every install.

What is asserted:
- Thaw's pure-Python reading of the shipped weights gives the probabilities scikit-learn gave
  when they were trained, and retraining from the data in the repository gives the shipped file
  (so a changed sentence file cannot leave a stale model behind);
- with it, both held-out parts (English and Spanish, never trained on) meet issue 12's floors,
  and the sealed blind batches (``BLIND_SEALED``: scored once on arrival, never trained on) do not fall
  below their measured figures;
- a note only the model catches gets the crisis screen through the ordinary save path, with a
  flag reason in Thaw's words; ordinary hard days, idioms and recovered statements stay quiet;
- it cannot be stalled: adversarial text of 5,000 characters is read in linear time, and a
  failing model never stops a save.
"""

from __future__ import annotations

import gzip
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings

from benchmarks.crisis_eval import evaluate
from benchmarks.crisis_ngram import BLIND_SEALED, THRESHOLD, read_tsv, train, training_rows
from tests.conftest import checkin_body
from tests.test_crisis_language import WORST_CASE_BOUND, adversarial_text
from thaw.safety import backstop, ngram
from thaw.safety.language import find_crisis_language
from thaw.safety.services import scan_text

# Missed by the phrases and rules, read as crisis by the model (written for this test, in
# Thaw's words; in no training file).
ONLY_THE_MODEL = [
    "nobody will have to put up with me for much longer",
    "i've made my peace with everyone, this is the last time you'll hear from me",
    "nadie va a tener que aguantarme mucho tiempo más",
]
# Hard days, idioms and recovered statements a person writes and that must stay quiet.
QUIET = [
    "Long day; felt far away in the meeting.",
    "so tired and flat today, had a bath and an early night",
    "numb again. work was fine I guess, ate toast, watched telly",
    "this week is killing me, three deadlines and the car broke down",
    "two years clean from cutting today and I'm proud of myself",
    "hoy me siento apagada y sin ganas, pero mañana veo a mi hermana",
    "me muero de sueño, llevo todo el día en el trabajo",
    "S.",  # a name on a comment form: one word is too little to judge
]


def test_the_pure_python_model_gives_scikit_learns_probabilities() -> None:
    with gzip.open(ngram.MODEL_FILE, "rt", encoding="utf-8") as handle:
        examples = json.load(handle)["meta"]["examples"]
    assert len(examples) >= 20
    model = ngram.model()
    for text, expected in examples:
        assert model.probability(ngram.words(text)) == pytest.approx(expected, abs=1e-6), text  # weights kept to 6 places


def test_the_shipped_model_is_what_the_data_in_the_repository_trains() -> None:
    rows = training_rows()
    char_table, word_table, intercept, _ = train(rows)
    shipped = ngram.model()
    assert set(char_table) == set(shipped.chars.table) and set(word_table) == set(shipped.words.table)
    assert intercept == pytest.approx(shipped.intercept, abs=1e-5)
    assert shipped.threshold == THRESHOLD
    for trained, kept in ((char_table, shipped.chars.table), (word_table, shipped.words.table)):
        for gram, value in trained.items():
            assert value == pytest.approx(kept[gram], abs=1e-5), gram


def test_the_plain_and_the_numpy_readings_give_the_same_probabilities() -> None:
    # A short note is read in plain Python, a long one with numpy: they must agree on every piece.
    model = ngram.model()
    texts = [text for text, _ in training_rows()[::7]] + [
        "word " * 200, "I want to " * 60, "x" * 300, "a. " * 100, "k1ll myself?! " * 20, "ünïcödé wörds " * 30]
    for text in texts:
        pieces = [p for p in (ngram.words(part) for part in ngram.SENTENCE_END.split(text)) if p]
        if not pieces:
            continue
        plain = [model._plain(piece, {}) for piece in pieces]
        vectorised = list(model._vectorised(pieces))
        assert vectorised == pytest.approx(plain, abs=1e-9), text[:40]
    assert len(ngram.words("word " * 200)) > ngram.SMALL  # the long ones take the numpy path in Thaw


def test_a_damaged_model_file_stops_start_up(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with gzip.open(ngram.MODEL_FILE, "rt", encoding="utf-8") as handle:
        raw = json.load(handle)
    raw["intercept"] = float("nan")  # JSON reads NaN; every probability would quietly be 0
    damaged = tmp_path / "ngram.json.gz"
    with gzip.open(damaged, "wt", encoding="utf-8") as handle:
        json.dump(raw, handle)
    with pytest.raises(ValueError, match="the weights give"):
        ngram.read_model(damaged)


def test_a_crisis_sentence_in_a_very_long_note_is_still_read_on_its_own() -> None:
    # Sentences are read one by one up to 400 of them (a 5,000-character note has fewer), so a
    # crisis sentence among 60 calm ones is not diluted by its neighbours.
    calm = "Made tea. The bus was late. Watched the rain for a bit. "
    note = calm * 10 + ONLY_THE_MODEL[0] + ". " + calm * 10
    assert find_crisis_language(note) == []
    [match] = scan_text(note)
    assert match.category == ngram.CATEGORY


@pytest.mark.parametrize("part", ["held_out"])
def test_the_english_held_out_part_meets_both_floors_with_the_model(part: str) -> None:
    result = evaluate(part, detector=lambda text: bool(backstop.crisis_language(text)))
    assert result.recall >= 0.95 and result.precision >= 0.90, (result.recall, result.precision)


def _figures(rows: list[tuple[str, str]]) -> tuple[int, int, int, int]:
    """(crisis caught, crisis sentences, false alarms, not-crisis sentences) for the whole screen."""
    crisis = [t for t, label in rows if label == "crisis"]
    calm = [t for t, label in rows if label == "none"]
    caught = sum(bool(backstop.crisis_language(t)) for t in crisis)
    alarms = sum(bool(backstop.crisis_language(t)) for t in calm)
    return caught, len(crisis), alarms, len(calm)


def test_the_spanish_held_out_part_meets_both_floors_with_the_model() -> None:
    from benchmarks.crisis_ngram import ES

    caught, crisis, alarms, _ = _figures(read_tsv(ES / "held_out.tsv"))
    assert caught / crisis >= 0.95, f"recall {caught}/{crisis}"
    assert caught / (caught + alarms) >= 0.90, f"{alarms} false alarms"


@pytest.mark.parametrize("name", sorted(BLIND_SEALED))
def test_the_sealed_blind_batches_never_fall_below_their_measured_figures(name: str) -> None:
    path, (caught_then, alarms_then) = BLIND_SEALED[name]
    caught, _, alarms, _ = _figures(read_tsv(path))
    assert caught >= caught_then and alarms <= alarms_then, (caught, alarms)


@pytest.mark.parametrize("text", ONLY_THE_MODEL)
def test_notes_the_rules_miss_are_read_as_crisis(text: str) -> None:
    assert find_crisis_language(text) == []
    [match] = scan_text(text)
    assert match.category == ngram.CATEGORY


@pytest.mark.parametrize("text", QUIET)
def test_hard_days_idioms_and_recovery_stay_quiet(text: str) -> None:
    assert scan_text(text) == []


def test_a_crisis_sentence_buried_in_a_long_note_is_found() -> None:
    calm = ("Work was busy and the bus was late again. Made pasta for dinner with my flatmate. "
            "The weather is meant to turn cold on Friday. ")
    assert scan_text(calm * 3) == []
    [match] = scan_text(calm * 2 + ONLY_THE_MODEL[0] + ". " + calm)
    assert match.category == ngram.CATEGORY


def test_a_note_only_the_model_catches_is_saved_with_the_crisis_screen(alice, api_alice) -> None:
    response = api_alice.post("/api/v1/checkins", checkin_body(note=ONLY_THE_MODEL[1]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["crisis"] is True and body["resources"]
    flag = alice.risk_flags.get()
    assert flag.reason == "Crisis language (statistical)"  # Thaw's words, never the person's


def test_a_failing_model_never_stops_a_save(api_alice, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> bool:
        raise MemoryError("out of memory")

    monkeypatch.setattr(ngram, "shows_help", broken)
    response = api_alice.post("/api/v1/checkins", checkin_body(note=ONLY_THE_MODEL[1]))
    assert response.status_code == 201 and response.json()["crisis"] is False
    # ... and the rules still answer for what they list
    response = api_alice.post("/api/v1/checkins", checkin_body(note="I want to kill myself tonight"))
    assert response.status_code == 201 and response.json()["crisis"] is True


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=adversarial_text)
def test_adversarial_text_cannot_stall_the_model(text: str) -> None:
    started = time.perf_counter()
    ngram.shows_help(text)
    assert time.perf_counter() - started < WORST_CASE_BOUND


def test_the_work_is_linear_in_the_text() -> None:
    # Machine-independent: the n-grams scored for a note are at most a fixed number per letter
    # (each word's pieces, counted in its sentence and, for a short note, once more in the whole).
    counted: list[int] = []
    model = ngram.model()

    def counting(block: ngram.Block):  # type: ignore[no-untyped-def]
        many, one = block.scores, block.score

        def scores(pieces, grams, count):  # type: ignore[no-untyped-def]
            counted.append(grams.size)  # the numpy reading (a long note)
            return many(pieces, grams, count)

        def score(counts):  # type: ignore[no-untyped-def]
            counted.append(sum(counts.values()))  # the plain reading (a short note)
            return one(counts)
        return scores, score

    model.chars.scores, model.chars.score = counting(model.chars)  # type: ignore[method-assign]
    model.words.scores, model.words.score = counting(model.words)  # type: ignore[method-assign]
    try:
        for text in ("word " * 1000, "a. " * 1666, "x" * 5000, "I want to " * 500, "I want to die. " * 300):
            counted.clear()
            model.note_probability(text)
            assert sum(counted) <= 2 * 4 * (len(text) + 2), (text[:20], sum(counted))
            assert sum(counted) > 0 or text.startswith("a."), text[:20]  # pieces of one letter are not read
    finally:
        del model.chars.scores, model.words.scores, model.chars.score, model.words.score
