"""The crisis detector against our own evaluation sentences, and where it runs.

tests/data/crisis/tuning.tsv is what the phrase list is developed against; held_out.tsv was
written first and is never tuned on (see docs/SAFETY.md). Both parts must meet issue 12's
floors: recall >= 0.95 on clear crisis sentences, precision >= 0.90.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from benchmarks.crisis_eval import LABELS, PARTS, PRECISION_FLOOR, RECALL_FLOOR, evaluate, load
from thaw.checkins import services as checkins
from thaw.grounding import services as grounding
from thaw.safety import services as safety
from thaw.safety.models import RiskFlag
from thaw.substances import services as substances


@pytest.mark.parametrize("part", PARTS)
def test_each_part_meets_the_recall_and_precision_floors(part: str) -> None:
    result = evaluate(part)
    assert result.recall >= RECALL_FLOOR, result.misses
    assert result.precision >= PRECISION_FLOOR, result.false_alarms


def test_the_evaluation_set_is_large_enough_with_a_quarter_held_out() -> None:
    parts = {part: load(part) for part in PARTS}
    every = [s for sentences in parts.values() for s in sentences]
    count = {label: sum(s.label == label for s in every) for label in LABELS}
    assert len(every) >= 400
    assert count["crisis"] >= 150 and count["none"] >= 150
    assert count["borderline-crisis"] + count["borderline-none"] >= 20
    # The quarter is of the sentences written for issue 12; blind batches written later by
    # someone else (tuning.tsv, "# --- blind batch ...") came on top of it.
    written = [s for s in every if not s.source.startswith("blind")]
    assert len(parts["held_out"]) >= len(written) / 4
    blind = {s.source.split()[2] for s in every if s.source.startswith("blind")}
    assert blind == {"B1", "B2", "B3"}, "the blind batches B1, B2 and B3 are part of the tuning data"
    assert all(s.rationale.strip() for s in every if s.label.startswith("borderline"))
    texts = [s.text.strip().lower() for s in every]
    assert len(set(texts)) == len(texts), "a sentence is in the set twice"


# --- the scan runs before the write transaction, never holding the writer lock ------------


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records, for every crisis scan, whether a transaction was open at the time."""
    seen: list[bool] = []
    real = safety.crisis_language  # the rules and, where installed, the semantic backstop

    def spy(text: str) -> Any:
        seen.append(connection.in_atomic_block)
        return real(text)

    monkeypatch.setattr(safety, "crisis_language", spy)
    return seen


CRISIS_NOTE = "I want to die"


@pytest.mark.django_db(transaction=True)
def test_every_guarded_entry_point_scans_outside_the_transaction_and_still_flags(alice: Any, scans: list[bool]) -> None:
    from datetime import timedelta

    from django.utils import timezone

    checkin = checkins.create_checkin(alice, {"emotions": [{"word": "numb", "intensity": 5}], "numbness": 7,
                                              "note": CRISIS_NOTE})
    assert checkin.crisis
    edited = checkins.update_checkin(checkin, {"note": "I want to kill myself"})
    assert edited.crisis
    start = timezone.now() - timedelta(minutes=5)
    session, _ = grounding.create_session(alice, {
        "exercise": "five-senses", "started_at": start.isoformat(),
        "ended_at": (start + timedelta(minutes=3)).isoformat(), "completed": True,
        "before_presence": 3, "before_numbness": 8, "after_presence": 6, "after_numbness": 5,
        "made_worse": False, "note": CRISIS_NOTE, "id": "6f1d1c7e-1111-4c4c-8888-000000000001"})
    assert session.crisis
    resent, created = grounding.create_session(alice, {
        "exercise": "five-senses", "started_at": start.isoformat(),
        "ended_at": (start + timedelta(minutes=3)).isoformat(), "completed": True,
        "before_presence": 3, "before_numbness": 8, "after_presence": 6, "after_numbness": 5,
        "made_worse": False, "note": "I have a plan to end it", "id": "6f1d1c7e-1111-4c4c-8888-000000000001"})
    assert not created and resent.crisis
    use = substances.create_use(alice, {"substance": "other", "custom_name": "pills to end it", "amount": 1,
                                        "unit": "dose", "note": CRISIS_NOTE})
    assert use.crisis
    assert substances.update_use(use, {"note": "I'm going to kill myself"}).crisis
    craving = substances.create_craving(alice, {"substance": "alcohol", "intensity": 8,
                                                "helped_note": CRISIS_NOTE})
    assert craving.crisis
    assert scans and not any(scans), "a crisis scan ran inside a write transaction"
    assert RiskFlag.objects.filter(person=alice).count() == 7


@pytest.mark.django_db(transaction=True)
def test_a_calm_note_is_scanned_and_saved_without_a_flag(alice: Any, scans: list[bool]) -> None:
    checkin = checkins.create_checkin(alice, {"emotions": [{"word": "numb", "intensity": 5}], "numbness": 7,
                                              "note": "this commute is killing me"})
    assert not checkin.crisis and scans == [False]
    assert not RiskFlag.objects.filter(person=alice).exists()
