"""Each published scoring rule, pinned to its source, with its boundary cases.

One table per rule. A row that fails names the rule, the instrument and the case. The
sources are checked too: a rule must say where it comes from, in the instrument file,
and the figures a threshold is derived from must give the threshold the file states.
These are pure tests (no database): the web and API tests check the same rules end to end.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from thaw.assessments.instruments import instruments, jacobson_truax
from thaw.assessments.scoring import (
    BASIS_FEMALE,
    BASIS_MALE,
    BASIS_UNSPECIFIED,
    DETERIORATED,
    IMPROVED,
    NO_RELIABLE_CHANGE,
    RECOVERED,
    AnswersInvalid,
    band_for,
    change_status,
    difficulty_asked,
    score,
)

ALL = instruments()
PHQ9, GAD7, PCL5, WHO5, AUDITC = (ALL[k] for k in ("phq9", "gad7", "pcl5", "who5", "auditc"))


def attribute(instrument, path: str) -> str:
    value = instrument
    for part in path.split("."):
        value = getattr(value, part)
    return str(value)


# --- every rule carries its source ---------------------------------------------------------

SOURCES = [
    # (instrument, where the rule's source is, words the source must contain)
    ("pcl5", "cluster_rule.source", ["National Center for PTSD", "Weathers", "2 (“Moderately”) or higher",
                                     "1 B item", "1 C item", "2 D items", "2 E items"]),
    ("pcl5", "cutoff.source", ["National Center for PTSD", "33", "Bovin"]),
    ("pcl5", "reliable_change.source", ["Blevins", "r = .82", "12.40"]),
    ("pcl5", "reliable_change.note", ["Marx", "15"]),
    ("pcl5", "clinically_meaningful.source", ["National Center for PTSD", "10 points"]),
    ("pcl5", "anchor.source", ["worst event", "own words"]),
    ("auditc", "cutoff.source", ["Bradley", "2007", "3 or more for women", "4 or more for men"]),
    ("auditc", "skip_rule.source", ["Babor", "Never", "questions 2 and 3 are not asked and score 0"]),
    ("auditc", "reliable_change_source", ["no published test-retest"]),
    ("who5", "item_rule.source", ["0 or 1", "Topp"]),
    ("who5", "cutoff.source", ["Topp", "50 or below"]),
    ("who5", "reliable_change.source", ["Schougaard", "0.81", "23.60"]),
    ("who5", "clinically_meaningful.source", ["Topp", "10 percentage points"]),
    ("phq9", "reliable_change.source", ["Kroenke", "0.84", "6.1"]),
    ("phq9", "clinically_meaningful.source", ["Löwe", "5 points"]),
    ("phq9", "difficulty.source", ["phqscreeners", "not part of the score"]),
    ("phq9", "cutoff.source", ["Kroenke", "10 or more"]),
    ("gad7", "reliable_change.source", ["Bischoff", ".87", "5.59"]),
    ("gad7", "clinically_meaningful.source", ["Toussaint", "4 points"]),
    ("gad7", "cutoff.source", ["Spitzer", "10"]),
    ("gad7", "band_convention", ["Spitzer", "5, 10 and 15", "NHS Talking Therapies counts 8"]),
    *[(key, "recovery.source", ["NHS Talking Therapies", "reliable recovery"]) for key in ("phq9", "gad7", "pcl5", "who5")],
]


@pytest.mark.parametrize(("key", "path", "words"), SOURCES, ids=[f"{k}:{p}" for k, p, _ in SOURCES])
def test_each_rule_names_its_source(key: str, path: str, words: list[str]) -> None:
    text = attribute(ALL[key], path)
    for word in words:
        assert word in text, (key, path, word)


# --- reliable change: Jacobson–Truax from the published r and SD ----------------------------

Z = NormalDist().inv_cdf(0.975)  # 1.95996…, computed independently of the module's 1.96

RELIABLE_CHANGE = [
    # (instrument, r, SD, exact 1.96·SD·√(2(1−r)), threshold, a published figure it must agree with)
    ("phq9", 0.84, 6.1, 6.76, 7, None),
    ("gad7", 0.87, 5.59, 5.59, 6, 6),  # Bischoff et al. 2020: RCI 5.59, "rounded to 6"
    ("pcl5", 0.82, 12.40, 14.58, 15, 15),  # Marx et al. 2022, sample 1: 15
    ("who5", 0.81, 19.53, 23.60, 24, math.ceil(23.60)),  # Schougaard et al. 2018: MDC 23.60
]


@pytest.mark.parametrize(("key", "r", "sd", "exact", "threshold", "published"), RELIABLE_CHANGE,
                         ids=[row[0] for row in RELIABLE_CHANGE])
def test_reliable_change_is_derived_from_r_and_sd(key, r, sd, exact, threshold, published) -> None:
    rc = ALL[key].reliable_change
    assert (rc.r, rc.sd) == (r, sd)
    assert rc.exact == pytest.approx(exact, abs=0.01)
    assert Z * sd * math.sqrt(2 * (1 - r)) == pytest.approx(jacobson_truax(r, sd), rel=1e-4)
    assert rc.threshold == threshold == math.ceil(Z * sd * math.sqrt(2 * (1 - r)))
    if published is not None:
        assert rc.threshold == published


def test_auditc_has_no_reliable_change_so_no_status() -> None:
    assert AUDITC.reliable_change is None
    assert change_status(AUDITC, 8, 0).status is None and change_status(AUDITC, 0, 12).status is None


CHANGE_BOUNDARIES = [
    # (instrument, before, after, status): one point short of the threshold, then at it.
    ("phq9", 20, 14, NO_RELIABLE_CHANGE), ("phq9", 20, 13, IMPROVED), ("phq9", 16, 9, RECOVERED),
    ("phq9", 3, 9, NO_RELIABLE_CHANGE), ("phq9", 3, 10, DETERIORATED),
    ("gad7", 15, 10, NO_RELIABLE_CHANGE), ("gad7", 15, 9, RECOVERED), ("gad7", 16, 10, IMPROVED),
    ("gad7", 4, 9, NO_RELIABLE_CHANGE), ("gad7", 4, 10, DETERIORATED),
    ("gad7", 13, 7, RECOVERED), ("gad7", 12, 7, NO_RELIABLE_CHANGE),  # the first rules called the last "recovered"
    ("pcl5", 50, 36, NO_RELIABLE_CHANGE), ("pcl5", 50, 35, IMPROVED), ("pcl5", 47, 32, RECOVERED),
    ("pcl5", 10, 24, NO_RELIABLE_CHANGE), ("pcl5", 10, 25, DETERIORATED),
    ("who5", 28, 48, NO_RELIABLE_CHANGE), ("who5", 28, 52, RECOVERED), ("who5", 52, 76, IMPROVED),
    ("who5", 80, 60, NO_RELIABLE_CHANGE), ("who5", 80, 56, DETERIORATED),
]


@pytest.mark.parametrize(("key", "before", "after", "status"), CHANGE_BOUNDARIES,
                         ids=[f"{k}:{b}->{a}" for k, b, a, _ in CHANGE_BOUNDARIES])
def test_change_status_boundaries(key: str, before: int, after: int, status: str) -> None:
    assert change_status(ALL[key], before, after).status == status


MEANINGFUL = [
    # (instrument, before, after, clinically meaningful): smaller than reliable change, named apart.
    ("pcl5", 40, 31, False), ("pcl5", 40, 30, True), ("pcl5", 30, 40, True),
    ("who5", 40, 48, False), ("who5", 40, 52, True),
    ("phq9", 12, 8, False), ("phq9", 12, 7, True),
    ("gad7", 12, 9, False), ("gad7", 12, 8, True),
    ("auditc", 8, 0, None),
]


@pytest.mark.parametrize(("key", "before", "after", "meaningful"), MEANINGFUL,
                         ids=[f"{k}:{b}->{a}" for k, b, a, _ in MEANINGFUL])
def test_clinically_meaningful_is_reported_under_its_own_name(key, before, after, meaningful) -> None:
    change = change_status(ALL[key], before, after)
    assert change.clinically_meaningful is meaningful
    if meaningful:
        threshold = ALL[key].reliable_change_threshold
        assert abs(after - before) < threshold or change.status != NO_RELIABLE_CHANGE


def test_a_clinically_meaningful_change_is_not_called_reliable() -> None:
    change = change_status(PCL5, 40, 30)  # 10 points: meaningful (NCPTSD), not reliable (15)
    assert change.clinically_meaningful and change.status == NO_RELIABLE_CHANGE


# --- screening cut-offs: above_cutoff with the cut-off that applies -------------------------

def answers_for(instrument, raw_total: int) -> list[int]:
    left, values = raw_total, []
    for item in instrument.items:
        pick = min(max(item.values), left)
        values.append(pick)
        left -= pick
    assert left == 0
    return values


CUTOFFS = [
    # (instrument, raw total, cut-off given or None for the instrument's own, above_cutoff)
    ("phq9", 9, None, False), ("phq9", 10, None, True),
    ("gad7", 9, None, False), ("gad7", 10, None, True),
    ("pcl5", 32, None, False), ("pcl5", 33, None, True),
    ("who5", 12, None, True), ("who5", 13, None, False),  # 48 and 52: higher is better, 50 or below is the case
    ("auditc", 2, 3, False), ("auditc", 3, 3, True),  # women, and not given
    ("auditc", 3, 4, False), ("auditc", 4, 4, True),  # men
]


@pytest.mark.parametrize(("key", "raw", "cut", "above"), CUTOFFS, ids=[f"{k}:{r}/{c}" for k, r, c, _ in CUTOFFS])
def test_above_cutoff_boundaries(key: str, raw: int, cut: int | None, above: bool) -> None:
    instrument = ALL[key]
    answers = [1, 1, raw - 2] if key == "auditc" and raw >= 2 else answers_for(instrument, raw)
    result = score(instrument, answers, cutoff=cut)
    assert result.above_cutoff is above
    assert result.cutoff == (cut if cut is not None else instrument.cutoff.score)


@pytest.mark.parametrize(("sex", "cut", "basis"), [("female", 3, BASIS_FEMALE), ("male", 4, BASIS_MALE),
                                                   (None, 3, BASIS_UNSPECIFIED)])
def test_auditc_cutoff_by_sex_and_not_given_leans_towards_help(sex, cut, basis) -> None:
    assert AUDITC.cutoff.for_sex(sex) == cut
    result = score(AUDITC, [1, 1, 1], cutoff=cut, cutoff_basis=basis)
    assert result.above_cutoff is (3 >= cut)
    assert f"The cut-off that applies to you is {cut}" in result.summary


def test_no_band_straddles_a_cutoff() -> None:
    """The band a person sees and the cut-off always tell the same story (GAD-7 especially)."""
    for instrument in ALL.values():
        for cut in {instrument.cutoff.score, *instrument.cutoff.by_sex.values()}:
            for total in range(instrument.min_score, instrument.max_score + 1, instrument.multiplier):
                band = band_for(instrument, total, cut)
                sides = {instrument.cutoff.is_positive(s, cut) for s in range(band.min, band.max + 1)}
                assert len(sides) == 1, (instrument.id, cut, band.label)


def test_gad7_recovery_cutoff_and_bands_follow_one_convention() -> None:
    moderate = next(b for b in GAD7.bands if b.label == "moderate")
    assert GAD7.cutoff.score == moderate.min == 10  # Spitzer et al. 2006
    for total in range(0, 22):
        case = GAD7.cutoff.is_positive(total)
        assert case == (band_for(GAD7, total).label in ("moderate", "severe")), total
    assert change_status(GAD7, 15, 9).status == RECOVERED  # to "mild": below the cut-off
    assert change_status(GAD7, 16, 10).status == IMPROVED  # still "moderate": not recovered


# --- PCL-5: the DSM-5 cluster rule beside the cut-off ---------------------------------------

def pcl5(**clusters: list[int]) -> list[int]:
    """PCL-5 answers from cluster lists: B (5 items), C (2), D (7), E (6)."""
    answers = clusters.get("B", [0] * 5) + clusters.get("C", [0] * 2) + clusters.get("D", [0] * 7) \
        + clusters.get("E", [0] * 6)
    assert len(answers) == 20
    return answers


MINIMAL = {"B": [2, 0, 0, 0, 0], "C": [2, 0], "D": [2, 2, 0, 0, 0, 0, 0], "E": [2, 2, 0, 0, 0, 0]}

CLUSTER_CASES = [
    # (case, answers, clusters met, total, label)
    ("the minimal pattern", pcl5(**MINIMAL), True, 12, "pattern met; below cut-off"),
    ("B item at 1 is not endorsed", pcl5(**{**MINIMAL, "B": [1, 1, 1, 1, 1]}), False, 15, "below the cut-off"),
    ("no C item", pcl5(**{**MINIMAL, "C": [1, 1]}), False, 12, "below the cut-off"),
    ("only one D item", pcl5(**{**MINIMAL, "D": [2, 1, 1, 1, 1, 1, 1]}), False, 16, "below the cut-off"),
    ("only one E item", pcl5(**{**MINIMAL, "E": [4, 1, 1, 1, 1, 1]}), False, 17, "below the cut-off"),
    ("pattern, total 32", pcl5(B=[4, 4, 2, 0, 0], C=[4, 4], D=[4, 2, 0, 0, 0, 0, 0], E=[4, 4, 0, 0, 0, 0]),
     True, 32, "pattern met; below cut-off"),
    ("pattern, total 33", pcl5(B=[4, 4, 3, 0, 0], C=[4, 4], D=[4, 2, 0, 0, 0, 0, 0], E=[4, 4, 0, 0, 0, 0]),
     True, 33, "probable PTSD"),
    ("total 65 without a B item", pcl5(B=[1] * 5, C=[4, 4], D=[4] * 7, E=[4] * 6), False, 65,
     "above cut-off; pattern not met"),
    ("all Moderately", [2] * 20, True, 40, "probable PTSD"),
    ("nothing", [0] * 20, False, 0, "below the cut-off"),
]


@pytest.mark.parametrize(("case", "answers", "met", "total", "label"), CLUSTER_CASES, ids=[c[0] for c in CLUSTER_CASES])
def test_pcl5_cluster_rule(case: str, answers: list[int], met: bool, total: int, label: str) -> None:
    result = score(PCL5, answers)
    assert (result.dsm5_clusters_met, result.score, result.label) == (met, total, label), case
    probable = "probable PTSD" in result.summary and "not a probable-PTSD" not in result.summary
    assert probable == (met and total >= 33), case
    assert "33" in result.summary and "DSM-5 symptom pattern" in result.summary  # names both checks


def test_pcl5_counts_each_cluster() -> None:
    result = score(PCL5, pcl5(**MINIMAL))
    assert {k: (c.endorsed, c.needed, c.met) for k, c in result.clusters.items()} == {
        "B": (1, 1, True), "C": (1, 1, True), "D": (2, 2, True), "E": (2, 2, True)}


# --- WHO-5: the single-item rule -------------------------------------------------------------

ITEM_RULE = [
    # (answers, item rule met, score)
    ([2, 2, 2, 2, 2], False, 40),
    ([5, 5, 5, 5, 1], True, 84),  # high total, one low answer: still a reason to screen
    ([5, 5, 5, 5, 0], True, 80),
    ([5, 5, 5, 5, 2], False, 88),
    ([1, 5, 5, 5, 5], True, 84),
]


@pytest.mark.parametrize(("answers", "met", "total"), ITEM_RULE, ids=[str(a) for a, _, _ in ITEM_RULE])
def test_who5_single_item_rule(answers: list[int], met: bool, total: int) -> None:
    result = score(WHO5, answers)
    assert (result.item_rule_met, result.score) == (met, total)
    assert ("reason to check for depression" in result.summary) is met
    assert result.dsm5_clusters_met is None


# --- AUDIT-C: the skip rule ------------------------------------------------------------------

SKIP = [
    # (answers sent, answers as asked, score) or (answers sent, error field)
    ([0], (0,), 0),
    ([0, 0, 0], (0,), 0),
    ([1, 0, 0], (1, 0, 0), 1),
    ([4, 4, 4], (4, 4, 4), 12),
]


@pytest.mark.parametrize(("sent", "asked", "total"), SKIP, ids=[str(s) for s, _, _ in SKIP])
def test_auditc_skip_rule(sent: list[int], asked: tuple[int, ...], total: int) -> None:
    result = score(AUDITC, sent)
    assert (result.answers, result.score) == (asked, total)


@pytest.mark.parametrize(("sent", "field"), [([0, 1, 0], "answers.1"), ([0, 0, 2], "answers.2"), ([0, 0], "answers"),
                                             ([1], "answers"), ([False], "answers"), ([0.0], "answers.0")])
def test_auditc_skip_rule_refuses_contradictions(sent: list, field: str) -> None:
    with pytest.raises(AnswersInvalid) as info:
        score(AUDITC, sent)
    assert field in info.value.errors


# --- PHQ-9: the unscored difficulty question ------------------------------------------------

def test_phq9_difficulty_is_asked_after_a_problem_and_never_scored() -> None:
    assert PHQ9.difficulty is not None and [o.label for o in PHQ9.difficulty.options] == [
        "Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult"]
    assert PHQ9.difficulty.text.startswith("If you checked off any problems, how difficult")
    assert not difficulty_asked(PHQ9, [0] * 9) and difficulty_asked(PHQ9, [0] * 8 + [1])
    assert all(not difficulty_asked(i, [1] * len(i.items)) for i in ALL.values() if i.id != "phq9")
