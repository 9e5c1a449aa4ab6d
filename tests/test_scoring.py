"""Instrument scoring exactly as published: every band boundary, subscales, change statuses."""

from __future__ import annotations

import copy
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thaw.assessments.instruments import DATA_DIR, InstrumentError, instruments, parse_instrument
from thaw.assessments.scoring import (
    DETERIORATED,
    IMPROVED,
    NO_RELIABLE_CHANGE,
    RECOVERED,
    AnswersInvalid,
    band_for,
    change_status,
    score,
)

ALL = instruments()
PHQ9, GAD7, PCL5, WHO5, AUDITC = (ALL[k] for k in ("phq9", "gad7", "pcl5", "who5", "auditc"))


def answers_for(instrument, total_raw: int) -> list[int]:
    """Answers (in order) whose raw sum is ``total_raw``."""
    left = total_raw
    values = []
    for item in instrument.items:
        top = max(item.values)
        pick = min(top, left)
        values.append(pick)
        left -= pick
    assert left == 0
    return values


def test_the_five_instruments_are_shipped_with_source_and_licence() -> None:
    assert list(ALL) == ["phq9", "gad7", "pcl5", "who5", "auditc"]
    for instrument in ALL.values():
        assert instrument.source and instrument.licence and instrument.recall_period
        assert instrument.reliable_change is not None or instrument.reliable_change_source
    assert [len(i.items) for i in ALL.values()] == [9, 7, 20, 5, 3]
    assert PHQ9.items[8].text == "Thoughts that you would be better off dead or of hurting yourself in some way"
    assert GAD7.items[0].text == "Feeling nervous, anxious, or on edge"
    assert WHO5.items[0].text == "I have felt cheerful and in good spirits"


def test_copyrighted_instruments_are_not_shipped() -> None:
    names = " ".join(p.stem for p in DATA_DIR.glob("*.toml")).lower()
    for banned in ("cssrs", "tas20", "panas", "ders", "oquesa", "des"):
        assert banned not in names.split()


@pytest.mark.parametrize(
    ("instrument", "boundaries"),
    [
        (PHQ9, [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
                (15, "moderately severe"), (19, "moderately severe"), (20, "severe"), (27, "severe")]),
        (GAD7, [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
                (15, "severe"), (21, "severe")]),
        (PCL5, [(0, "below the cut-off"), (32, "below the cut-off"), (33, "at or above the cut-off"),
                (80, "at or above the cut-off")]),
        (AUDITC, [(0, "below the screening cut-off"), (2, "below the screening cut-off"), (3, "positive screen"),
                  (12, "positive screen")]),
    ],
    ids=lambda v: getattr(v, "id", ""),
)
def test_every_band_boundary(instrument, boundaries) -> None:
    for total, label in boundaries:
        assert score(instrument, answers_for(instrument, total)).band.label == label, total


def test_who5_is_raw_times_four_with_its_cutoffs() -> None:
    cases = [(0, 0, "likely depression"), (7, 28, "likely depression"), (8, 32, "poor well-being"),
             (12, 48, "poor well-being"), (13, 52, "above the poor well-being cut-off"),
             (25, 100, "above the poor well-being cut-off")]
    for raw, scaled, label in cases:
        result = score(WHO5, answers_for(WHO5, raw))
        assert (result.score, result.band.label) == (scaled, label)


def test_auditc_bands_follow_the_cutoff_that_applies() -> None:
    three = [1, 1, 1]
    assert score(AUDITC, three).band.label == "positive screen"  # not given: the lower cut-off, 3
    assert score(AUDITC, three, cutoff=4).band.label == "below the screening cut-off"
    assert band_for(AUDITC, 2, 3).label == "below the screening cut-off"
    assert band_for(AUDITC, 3, 4) == band_for(AUDITC, 0, 4) and band_for(AUDITC, 3, 4).max == 3


def test_pcl5_clusters_and_numbing() -> None:
    answers = [1] * 5 + [2] * 2 + [3] * 7 + [4] * 6
    result = score(PCL5, answers)
    assert result.subscores == {"B": 5, "C": 4, "D": 21, "E": 24, "numbing": 9}
    assert result.score == 54


def test_phq2_and_gad2_are_the_first_two_items() -> None:
    phq = score(PHQ9, [2, 1, 0, 0, 0, 0, 0, 0, 0])
    assert phq.short_forms["phq2"] == {"score": 3, "positive": True}
    gad = score(GAD7, [1, 1, 3, 3, 3, 3, 3])
    assert gad.short_forms["gad2"] == {"score": 2, "positive": False}


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item_9_is_critical_whatever_the_total(item9: int) -> None:
    result = score(PHQ9, [0] * 8 + [item9])
    assert result.crisis and result.score == item9 and result.band.label == "minimal"
    assert not score(PHQ9, [3] * 8 + [0]).crisis


@pytest.mark.parametrize(
    ("instrument", "before", "after", "status"),
    [
        (PHQ9, 20, 8, RECOVERED), (PHQ9, 20, 13, IMPROVED), (PHQ9, 12, 10, NO_RELIABLE_CHANGE),
        (PHQ9, 8, 15, DETERIORATED), (PHQ9, 8, 14, NO_RELIABLE_CHANGE), (PHQ9, 9, 2, IMPROVED),
        (GAD7, 16, 9, RECOVERED), (GAD7, 16, 10, IMPROVED), (GAD7, 12, 7, NO_RELIABLE_CHANGE), (GAD7, 5, 11, DETERIORATED),
        (PCL5, 45, 30, RECOVERED), (PCL5, 60, 45, IMPROVED), (PCL5, 50, 36, NO_RELIABLE_CHANGE), (PCL5, 20, 35, DETERIORATED),
        (WHO5, 28, 52, RECOVERED), (WHO5, 52, 76, IMPROVED), (WHO5, 60, 40, NO_RELIABLE_CHANGE), (WHO5, 60, 36, DETERIORATED),
    ],
)
def test_change_status(instrument, before: int, after: int, status: str) -> None:
    change = change_status(instrument, before, after)
    assert change.status == status
    assert change.delta == after - before and change.previous_score == before


def test_auditc_has_no_reliable_change_status() -> None:
    assert change_status(AUDITC, 8, 2).status is None


@pytest.mark.parametrize(
    ("answers", "field"),
    [([0] * 8, "answers"), ([0] * 10, "answers"), ([0] * 8 + [4], "answers.8"), ([0] * 8 + [-1], "answers.8"),
     ([0] * 8 + [1.5], "answers.8"), ([0] * 8 + ["1"], "answers.8"), ([True] + [0] * 8, "answers.0"), ("000000000", "answers")],
)
def test_bad_answers_name_the_problem(answers, field: str) -> None:
    with pytest.raises(AnswersInvalid) as info:
        score(PHQ9, answers)
    assert field in info.value.errors


@given(st.sampled_from(list(ALL.values())).flatmap(
    lambda i: st.tuples(st.just(i), st.tuples(*[st.sampled_from(sorted(item.values)) for item in i.items]))))
@settings(max_examples=300, deadline=None)
def test_scoring_properties(case) -> None:
    instrument, answers = case
    rule = instrument.skip_rule
    if rule is not None and answers[rule.when_item - 1] == rule.equals:
        answers = answers[:rule.when_item]  # the skipped questions are not asked
    result = score(instrument, list(answers))
    answers = list(answers) + [0] * (len(instrument.items) - len(answers))
    assert result.score == sum(answers) * instrument.multiplier
    assert instrument.min_score <= result.score <= instrument.max_score
    assert result.band.min <= result.score <= result.band.max
    for sub in instrument.subscales:
        assert result.subscores[sub.id] == sum(answers[i - 1] for i in sub.items)
    assert result.crisis == any(answers[c.item - 1] >= c.min for c in instrument.critical)


@given(st.sampled_from(list(ALL.values())).flatmap(
    lambda i: st.tuples(st.just(i), st.integers(i.min_score, i.max_score), st.integers(i.min_score, i.max_score))))
@settings(max_examples=300, deadline=None)
def test_change_status_properties(case) -> None:
    instrument, before, after = case
    change = change_status(instrument, before, after)
    if instrument.reliable_change is None:
        assert change.status is None
        return
    better = (before - after) if instrument.lower_is_better else (after - before)
    if abs(better) < instrument.reliable_change_threshold:
        assert change.status == NO_RELIABLE_CHANGE
    elif better > 0:
        assert change.status in (IMPROVED, RECOVERED)
    else:
        assert change.status == DETERIORATED
    mirror = change_status(instrument, after, before)
    assert (change.status == DETERIORATED) == (mirror.status in (IMPROVED, RECOVERED))


def _doc(name: str) -> dict:
    with open(DATA_DIR / f"{name}.toml", "rb") as handle:
        return tomllib.load(handle)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(max_score=30), "do not match"),
        (lambda d: d["bands"][1].update(min=6), "must start at 5"),
        (lambda d: d.pop("source"), "'source' is required"),
        (lambda d: d.update(higher_is="sideways"), "higher_is"),
        (lambda d: d["critical"][0].update(item=12), "do not exist"),
        (lambda d: d["reliable_change"].update(threshold=6), "rounds up to 7"),
        (lambda d: d["reliable_change"].update(sd=5.0), "rounds up to 6"),
        (lambda d: d["cutoff"].update(score=11), "band boundary"),
        (lambda d: d["clinically_meaningful"].update(points=7), "adds nothing"),
    ],
)
def test_a_broken_instrument_file_is_refused(mutate, expected: str) -> None:
    doc = copy.deepcopy(_doc("phq9"))
    mutate(doc)
    with pytest.raises(InstrumentError) as info:
        parse_instrument(doc)
    assert expected in str(info.value)
