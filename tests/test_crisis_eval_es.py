"""The crisis detector against the Spanish evaluation sentences (tests/data/crisis_es/).

The Spanish phrase list (thaw/safety/data/crisis/es.toml) was written against tuning.tsv only;
held_out.tsv was looked at once, after the list was settled, to measure it (docs/SAFETY.md has
the figures and the command, benchmarks/crisis_eval_es.py).

What is asserted, plainly:
- the tuning part meets issue 12's floors (recall >= 0.95 with the right category, precision >= 0.90);
- the held-out part meets the precision floor;
- the held-out part's recall does not fall below its last measurement, 108/129 (0.837: 81/91
  after the third round plus 27/38 on a fourth batch written afterwards by someone who had seen
  neither the phrase list nor the tuning sentences; README.md there tells the rounds). That is BELOW the 0.95 floor: the floor is not met, and
  docs/SAFETY.md says so. The held-out misses were never read; raising the figure needs new,
  general patterns found on tuning sentences, then a freshly written held-out part.
"""

from __future__ import annotations

import pytest

from benchmarks.crisis_eval_es import PRECISION_FLOOR, RECALL_FLOOR, evaluate
from thaw.safety.language import find_crisis_language

HELD_OUT_RECALL_MEASURED = 108 / 129


@pytest.fixture(scope="module")
def tuning():  # type: ignore[no-untyped-def]
    return evaluate("tuning")


@pytest.fixture(scope="module")
def held_out():  # type: ignore[no-untyped-def]
    return evaluate("held_out")


def test_the_tuning_part_meets_both_floors(tuning) -> None:  # type: ignore[no-untyped-def]
    assert tuning.recall >= RECALL_FLOOR, [r.sentence for r in tuning.misses]
    assert tuning.precision >= PRECISION_FLOOR, [r.sentence for r in tuning.false_alarms]


def test_the_held_out_part_meets_the_precision_floor(held_out) -> None:  # type: ignore[no-untyped-def]
    assert held_out.precision >= PRECISION_FLOOR, [r.sentence for r in held_out.false_alarms]


def test_the_held_out_recall_never_falls_below_its_last_measurement(held_out) -> None:  # type: ignore[no-untyped-def]
    assert held_out.recall >= HELD_OUT_RECALL_MEASURED - 1e-9, [r.sentence for r in held_out.misses]


@pytest.mark.parametrize("text", [
    "Me muero de hambre.", "me mata este tráfico", "Me mato trabajando y no me alcanza.",
    "Me siento muerto por dentro.", "No quiero morir, solo quiero que me escuchen.",
])
def test_spanish_idioms_numbness_and_negations_stay_quiet(text: str) -> None:
    assert find_crisis_language(text) == []


@pytest.mark.parametrize("text", [
    "Quiero quitarme la vida", "quiero quitarme la vida",  # with and without accents: the same
    "Ojalá no despertar mañana", "ojala no despertar manana", "No quiero vivir más", "no quiero vivir mas",
    "Ya no aguanto, quiero hacerme daño", "ya no aguanto, quiero hacerme dano",
])
def test_spanish_is_matched_with_and_without_accents(text: str) -> None:
    assert find_crisis_language(text), text


@pytest.mark.parametrize("text, category", [
    ("Mi día fue horrible, I want to kill myself", "suicide"),  # Spanish note, English crisis words
    ("honestly quiero morirme", "suicide"),  # English note, Spanish crisis words
    ("thinking about suicidarme again", "suicide"),
])
def test_a_note_in_one_language_with_crisis_words_in_the_other_is_caught(text: str, category: str) -> None:
    assert category in {m.category for m in find_crisis_language(text)}


def _spanish_entries() -> list[dict]:
    import tomllib

    from thaw.safety.language import DATA_DIR

    with open(DATA_DIR / "es.toml", "rb") as handle:
        return tomllib.load(handle)["phrase"]


def test_every_spanish_example_shows_help_in_context_and_no_not_example_does() -> None:
    # The loader checks each phrase on its own; here the whole detector (negation, past, person).
    entries = _spanish_entries()
    examples = [e for entry in entries for e in entry["examples"]]
    counters = [c for entry in entries for c in entry.get("not_examples", [])]
    assert len(examples) > 100 and len(counters) > 40
    assert [e for e in examples if not find_crisis_language(e)] == []
    assert [c for c in counters if find_crisis_language(c)] == []
