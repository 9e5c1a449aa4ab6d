"""The insights engine: every statistic against a hand computation or an independent library.

No database: the engine is pure functions over numpy arrays. Independent implementations
used as references: pingouin (ICC3k), scipy (Welch's t-test, Benjamini–Hochberg, OLS).
The pattern tests run on seeded synthetic people: one with two planted patterns (both must
be found, nothing else), and 200 pure-noise people (at most 10 % may get any pattern).
"""

from __future__ import annotations

import json
import math
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pingouin
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from thaw.insights.engine import (
    FLATTENING_LABEL,
    PATTERN_Q,
    CheckInArrays,
    compute_insights,
    from_records,
    icc3k,
    pattern_tests,
)
from thaw.insights.stats_core import (
    benjamini_hochberg,
    day_mean_welch,
    max_sd_bounded,
    mssd_same_day,
    ols_trend,
    relative_variability,
    welch_t,
)

TZ = "Europe/Berlin"
BERLIN = ZoneInfo(TZ)
DAY = 86_400.0

# ---------------------------------------------------------------------------------------
# Building data


def checkin(
    at: datetime,
    numbness: int,
    emotions: list[tuple[str, str, int, int, bool]] | None = None,
    tags: list[str] | None = None,
    body: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "at": at,
        "numbness": numbness,
        "emotions": emotions or [],
        "tags": tags or [],
        "body": body or [],
    }


def berlin(y: int, m: int, d: int, h: int = 12, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=BERLIN)


NEG_FAMILIES = ("sadness", "fear", "anger", "tiredness", "shame")
POS_FAMILIES = ("joy", "calm", "love", "hope")
FAMILIES = (*NEG_FAMILIES, *POS_FAMILIES, "numb")
PLEASANTNESS = (-3, -3, -3, -2, -4, 3, 2, 4, 3, 0)
TAGS = ("work", "home", "alone", "family", "screens", "commute", "friends", "chores")
BODY = ("chest/tight", "stomach/heavy", "shoulders/tense", "head/aching", "everywhere/absent")
HOUR_P = np.r_[np.full(7, 0.01), np.full(17, 0.93 / 17)]


def synthetic_person(
    rng: np.random.Generator,
    days: int,
    *,
    per_day: float = 3.0,
    words_per_checkin: int | None = None,
    effects: dict[str, float] | None = None,
    day_sd: float = 0.0,
    substance: bool = False,
    start_day: int = 19_000,
) -> CheckInArrays:
    """A person built straight into arrays (fast enough for hundreds of people).

    Numbness = a personal level + noise (+ a day-level swing of ``day_sd``, shared by a
    day's check-ins) + ``effects``: ``"work"`` (tag), ``"evening"`` (18–23 h). Tags, body
    sensations, times and substance use are drawn independently of numbness.
    """
    effects = effects or {}
    counts = rng.poisson(per_day, size=days)
    day = np.repeat(np.arange(start_day, start_day + days, dtype=np.int64), counts)
    n = day.size
    hour = rng.choice(24, size=n, p=HOUR_P).astype(np.int64)
    epoch = day * DAY + hour * 3600.0 + rng.integers(0, 3600, size=n)
    order = np.argsort(epoch, kind="stable")
    day, hour, epoch = day[order], hour[order], epoch[order]
    tagged = rng.random((n, len(TAGS))) < rng.uniform(0.05, 0.4, size=len(TAGS))
    felt = rng.random((n, len(BODY))) < rng.uniform(0.03, 0.2, size=len(BODY))
    y = rng.uniform(2, 7) + rng.normal(0, 2.0, n)
    if day_sd and n:
        _, day_of = np.unique(day, return_inverse=True)
        y += rng.normal(0, day_sd, day_of.max() + 1)[day_of]
    y += effects.get("work", 0.0) * tagged[:, 0] + effects.get("evening", 0.0) * (hour >= 18)
    numbness = np.clip(np.round(y), 0, 10)
    k = (
        np.full(n, words_per_checkin)
        if words_per_checkin is not None
        else rng.integers(1, 4, size=n)
    )
    emo_row = np.repeat(np.arange(n, dtype=np.int64), k)
    family = rng.integers(0, len(FAMILIES), size=emo_row.size).astype(np.int64)
    tag_row, tag_code = np.nonzero(tagged)
    body_row, body_code = np.nonzero(felt)
    uses = (
        rng.uniform(epoch[0], epoch[-1], size=int(rng.integers(10, 40))) if substance and n else []
    )
    return CheckInArrays(
        epoch=epoch.astype(np.float64),
        local_day=day,
        local_hour=hour,
        weekday=(day + 3) % 7,
        numbness=numbness.astype(np.float64),
        emo_row=emo_row,
        emo_word=family * 3 + rng.integers(0, 3, size=emo_row.size),
        emo_family=family,
        emo_pleasantness=np.asarray(PLEASANTNESS, dtype=np.int64)[family],
        emo_intensity=rng.integers(0, 11, size=emo_row.size).astype(np.int64),
        emo_excluded=family == FAMILIES.index("numb"),
        words=tuple(f"{f}-{i}" for f in FAMILIES for i in range(3)),
        families=FAMILIES,
        tag_row=tag_row.astype(np.int64),
        tag_code=tag_code.astype(np.int64),
        tags=TAGS,
        body_row=body_row.astype(np.int64),
        body_code=body_code.astype(np.int64),
        body=BODY,
        substance_epoch=np.sort(np.asarray(uses, dtype=np.float64)),
    )


def assert_plain_json(value: Any) -> None:
    """Only dict/list/str/int/float/bool/None, all the way down, and no NaN."""
    if isinstance(value, dict):
        for k, v in value.items():
            assert isinstance(k, str)
            assert_plain_json(v)
    elif isinstance(value, list):
        for v in value:
            assert_plain_json(v)
    elif isinstance(value, float):
        assert math.isfinite(value)
    else:
        assert value is None or type(value) in (str, int, bool), type(value)


# ---------------------------------------------------------------------------------------
# ICC(3,k)


def pingouin_icc3k(matrix: np.ndarray) -> float:
    n, k = matrix.shape
    long = pd.DataFrame(
        {
            "target": np.repeat(np.arange(n), k),
            "rater": np.tile(np.arange(k), n),
            "rating": matrix.ravel().astype(float),
        }
    )
    table = pingouin.intraclass_corr(data=long, targets="target", raters="rater", ratings="rating")
    by_type = table.set_index("Type")["ICC"]
    # pingouin < 0.7 names it "ICC3k"; 0.7 and later "ICC(C,k)" (consistency, average).
    return float(by_type["ICC(C,k)"] if "ICC(C,k)" in by_type else by_type["ICC3k"])


@st.composite
def rating_matrices(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(10, 60))
    k = draw(st.integers(2, 8))
    cells = draw(st.lists(st.integers(0, 10), min_size=n * k, max_size=n * k))
    return np.asarray(cells, dtype=np.int64).reshape(n, k)


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # inside pingouin, with pandas 3
@settings(max_examples=150, deadline=None)
@given(rating_matrices())
def test_icc3k_agrees_with_pingouin(matrix: np.ndarray) -> None:
    row_sums = matrix.sum(axis=1)
    if np.all(row_sums == row_sums[0]):
        # No variance between rows: undefined, and we say so instead of returning a number.
        assert icc3k(matrix) is None
        assume(False)
    ours = icc3k(matrix)
    assert ours is not None
    theirs = pingouin_icc3k(matrix)
    # 1e-9 absolute; relative for the rare near-degenerate matrices where |ICC| >> 1.
    assert math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-9), (ours, theirs)


def test_icc3k_by_hand() -> None:
    # grand mean 2; row means 1.5, 1.5, 3; SS_rows = 2 * 1.5 = 3, MS_rows = 1.5;
    # SS_total = 4, SS_cols = 0, SS_error = 1, MS_error = 1 / 2: (1.5 - 0.5) / 1.5.
    assert icc3k([[1, 2], [2, 1], [3, 3]]) == pytest.approx(2 / 3)
    # Perfect consistency (columns differ by a constant): MS_error = 0, ICC = 1.
    assert icc3k([[1, 2], [3, 4], [5, 7 - 1]]) == pytest.approx(1.0)
    # Shrout and Fleiss (1979), table 2: six targets, four judges; ICC(3,4) = .91.
    shrout_fleiss = [
        [9, 2, 5, 8],
        [6, 1, 3, 2],
        [8, 4, 6, 8],
        [7, 1, 2, 6],
        [10, 5, 6, 9],
        [6, 2, 4, 7],
    ]
    assert round(icc3k(shrout_fleiss) or 0.0, 2) == 0.91
    # Negative is allowed and reported raw: rows disagree more than they agree.
    negative = icc3k([[0, 10], [10, 0], [5, 6], [6, 5]])
    assert negative is not None and negative < 0


def test_icc3k_is_none_when_undefined() -> None:
    assert icc3k([[1, 2], [2, 1], [3, 0]]) is None  # every row sums to 3: MS_rows = 0
    assert icc3k(np.zeros((12, 3))) is None
    assert icc3k([[1, 2, 3]]) is None  # one row
    assert icc3k([[1], [2], [3]]) is None  # one column
    assert icc3k([[1.0, math.nan], [2.0, 3.0], [0.0, 1.0]]) is None
    with pytest.raises(ValueError):
        icc3k([1, 2, 3])


# ---------------------------------------------------------------------------------------
# Granularity as the engine builds it


def emotion(
    family: str, intensity: int, *, word: str | None = None
) -> tuple[str, str, int, int, bool]:
    pleasantness = {"sadness": -3, "fear": -3, "anger": -4, "joy": 3, "calm": 2, "numb": 0}[family]
    return (word or family, family, pleasantness, intensity, family == "numb")


def test_granularity_matrix_takes_the_highest_intensity_per_family_and_skips_numb() -> None:
    start = berlin(2025, 1, 6)
    rng = np.random.default_rng(3)
    expected = []
    records = []
    for i in range(12):
        sad_a, sad_b, fear = (int(x) for x in rng.integers(0, 11, size=3))
        records.append(
            checkin(
                start + timedelta(hours=5 * i),
                5,
                [
                    emotion("sadness", sad_a, word="sad"),
                    emotion("sadness", sad_b, word="down"),
                    emotion("fear", fear),
                    emotion("numb", 9),  # excluded from granularity
                    emotion("joy", 4) if i % 2 else emotion("calm", 2),
                ],
            )
        )
        expected.append([max(sad_a, sad_b), fear])
    result = compute_insights(from_records(records, TZ))
    negative = result["granularity"]["negative"]
    assert (negative["n"], negative["k"]) == (12, 2)
    assert negative["icc"] == pytest.approx(icc3k(np.array(expected)))
    assert negative["differentiation"] == pytest.approx(1 - negative["icc"])
    assert negative["reason"] is None
    positive = result["granularity"]["positive"]
    # joy and calm never together: each row has one non-zero cell.
    assert (positive["n"], positive["k"]) == (12, 2)


def test_granularity_is_null_with_a_reason_below_10_checkins() -> None:
    records = [
        checkin(
            berlin(2025, 1, 6) + timedelta(hours=i),
            5,
            [emotion("sadness", i), emotion("fear", 9 - i)],
        )
        for i in range(9)
    ]
    negative = compute_insights(from_records(records, TZ))["granularity"]["negative"]
    assert negative["icc"] is None and negative["differentiation"] is None
    assert negative["n"] == 9
    assert "at least 10" in negative["reason"] and "9 so far" in negative["reason"]


def test_granularity_is_null_with_a_reason_for_one_family() -> None:
    records = [
        checkin(berlin(2025, 1, 6) + timedelta(hours=i), 5, [emotion("sadness", i % 10)])
        for i in range(15)
    ]
    negative = compute_insights(from_records(records, TZ))["granularity"]["negative"]
    assert negative["icc"] is None and negative["k"] == 1
    assert "one family" in negative["reason"]


def test_granularity_is_null_with_a_reason_for_zero_variance() -> None:
    # Every check-in: sadness + fear summing to 10, so every row has the same mean.
    records = [
        checkin(
            berlin(2025, 1, 6) + timedelta(hours=i),
            5,
            [emotion("sadness", i % 11), emotion("fear", 10 - i % 11)],
        )
        for i in range(15)
    ]
    negative = compute_insights(from_records(records, TZ))["granularity"]["negative"]
    assert negative["icc"] is None and negative["differentiation"] is None
    assert negative["n"] == 15 and negative["k"] == 2
    assert "no variation" in negative["reason"]
    positive = compute_insights(from_records(records, TZ))["granularity"]["positive"]
    assert positive["n"] == 0 and "0 so far" in positive["reason"]


def test_vocabulary_counts_distinct_words_and_new_words_per_local_month() -> None:
    records = [
        # 2025-01-31 23:30 UTC is already February in Berlin.
        checkin(datetime(2025, 1, 10, 12, tzinfo=UTC), 5, [emotion("sadness", 3, word="sad")]),
        checkin(
            datetime(2025, 1, 31, 23, 30, tzinfo=UTC),
            5,
            [emotion("sadness", 3, word="sad"), emotion("joy", 2)],
        ),
        checkin(datetime(2025, 4, 2, 12, tzinfo=UTC), 5, [emotion("numb", 7), emotion("fear", 2)]),
    ]
    vocabulary = compute_insights(from_records(records, TZ))["granularity"]["vocabulary"]
    assert vocabulary["distinct_words"] == 4  # sad, joy, numb, fear (numb words count here)
    assert vocabulary["distinct_families"] == 4
    assert vocabulary["by_month"] == [
        {"month": "2025-01", "distinct_words_cumulative": 1, "new_words": 1},
        {"month": "2025-02", "distinct_words_cumulative": 2, "new_words": 1},
        {"month": "2025-03", "distinct_words_cumulative": 2, "new_words": 0},
        {"month": "2025-04", "distinct_words_cumulative": 4, "new_words": 2},
    ]


# ---------------------------------------------------------------------------------------
# Variability


def test_mssd_pairs_only_successive_checkins_on_the_same_day() -> None:
    values = np.array([1.0, 3.0, 10.0, 4.0, 4.0])
    days = np.array([0, 0, 1, 1, 1])
    # Pairs (1, 3), (10, 4), (4, 4); (3, 10) spans two days and is left out.
    assert mssd_same_day(values, days) == (pytest.approx((4 + 36 + 0) / 3), 3)
    assert mssd_same_day(np.array([1.0, 5.0, 2.0]), np.array([0, 1, 2])) == (None, 0)
    assert mssd_same_day(np.array([1.0, 5.0]), np.array([0, 0])) == (None, 1)


def test_variability_in_the_engine_uses_same_day_pairs_and_weighted_pleasantness() -> None:
    records = [
        checkin(berlin(2025, 3, 3, 9), 2, [emotion("joy", 4), emotion("sadness", 4)]),  # p = 0
        checkin(berlin(2025, 3, 3, 15), 6, [emotion("joy", 2), emotion("sadness", 6)]),  # p = -1.5
        checkin(berlin(2025, 3, 4, 9), 9, [emotion("numb", 8)]),  # no pleasantness
        checkin(berlin(2025, 3, 4, 13), 8, [emotion("calm", 0)]),  # zero intensity: skipped
        checkin(berlin(2025, 3, 4, 20), 5, [emotion("calm", 5)]),  # p = 2
        checkin(berlin(2025, 3, 5, 9), 5, [emotion("anger", 5)]),  # p = -4
    ]
    variability = compute_insights(from_records(records, TZ))["variability"]
    # numbness pairs on the same day: (2,6), (9,8), (8,5) -> (16 + 1 + 9) / 3
    assert variability["numbness_mssd"] == pytest.approx(26 / 3)
    assert variability["n_pairs"] == 3
    # pleasantness series 0, -1.5 (day 1), 2 (day 2), -4 (day 3): one same-day pair only.
    assert variability["pleasantness_n_pairs"] == 1
    assert variability["pleasantness_mssd"] is None
    assert "at least 2 pairs" in variability["reasons"]["pleasantness_mssd"]
    assert variability["positive_intensity_mean"] == pytest.approx((4 + 2 + 0 + 5) / 4)
    assert variability["negative_intensity_mean"] == pytest.approx((4 + 6 + 5) / 3)
    expected_rvi = relative_variability(np.array([0.0, -1.5, 2.0, -4.0]), -5, 5)
    assert variability["pleasantness_rvi"] == pytest.approx(expected_rvi)


def test_rvi_is_zero_for_a_constant_and_one_for_the_widest_spread() -> None:
    assert relative_variability(np.full(8, 4.0), 0, 10) == 0.0
    assert relative_variability(np.array([0.0, 10, 0, 10]), 0, 10) == pytest.approx(1.0)
    assert relative_variability(np.array([0.0, 0, 0, 10]), 0, 10) == pytest.approx(1.0)
    # Mean 5 with 3 values: the widest is 0, 5, 10 (one value must sit inside). The usual
    # approximation (M - a)(b - M) n / (n - 1) = 37.5 would give 5 / 6.12 = 0.82 here.
    assert relative_variability(np.array([0.0, 5, 10]), 0, 10) == pytest.approx(1.0)
    assert max_sd_bounded(5.0, 3, 0, 10) == pytest.approx(5.0)
    assert relative_variability(np.full(5, 10.0), 0, 10) is None  # no room to vary
    assert relative_variability(np.array([3.0]), 0, 10) is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=2, max_size=40))
def test_max_sd_is_an_upper_bound_and_is_attained(values: list[int]) -> None:
    x = np.asarray(values, dtype=np.float64)
    n, mean = x.size, float(x.mean())
    largest = max_sd_bounded(mean, n, 0, 10)
    assert float(np.std(x, ddof=1)) <= largest + 1e-9
    # The extreme arrangement: floor(S) values at 10, one in between, the rest at 0.
    total = n * mean / 10
    top = math.floor(total + 1e-9)
    extreme = [10.0] * top + [max(total - top, 0.0) * 10] + [0.0] * (n - top - 1)
    extreme = extreme[:n]
    assert float(np.mean(extreme)) == pytest.approx(mean)
    assert float(np.std(extreme, ddof=1)) == pytest.approx(largest, abs=1e-9)
    rvi = relative_variability(x, 0, 10)
    assert rvi is None or 0.0 <= rvi <= 1.0


# ---------------------------------------------------------------------------------------
# Numbness: weekly means, trend, numb days


def test_weekly_trend_uses_the_real_week_offset_and_a_t_interval() -> None:
    # Weeks starting 2025-03-03, 03-10 and 03-24 (03-17 has no check-ins): x = 0, 1, 3.
    records = [
        checkin(berlin(2025, 3, 3, 9), 1),
        checkin(berlin(2025, 3, 9, 22), 1),  # Sunday: same week
        checkin(berlin(2025, 3, 12, 9), 2),
        checkin(berlin(2025, 3, 24, 9), 3),
        checkin(berlin(2025, 3, 25, 9), 5),
    ]
    numbness = compute_insights(from_records(records, TZ))["numbness"]
    assert [w["week_start"] for w in numbness["weekly"]] == [
        "2025-03-03",
        "2025-03-10",
        "2025-03-24",
    ]
    assert [w["mean"] for w in numbness["weekly"]] == [1.0, 2.0, 4.0]
    assert [w["n"] for w in numbness["weekly"]] == [2, 1, 2]
    reference = stats.linregress([0, 1, 3], [1.0, 2.0, 4.0])
    half = stats.t.ppf(0.975, 1) * reference.stderr
    assert numbness["trend_per_week"] == pytest.approx(reference.slope)
    assert numbness["trend_ci95"] == pytest.approx([reference.slope - half, reference.slope + half])
    assert numbness["trend_n_weeks"] == 3 and numbness["trend_reason"] is None
    assert numbness["mean"] == pytest.approx(12 / 5) and numbness["n"] == 5


def test_trend_ci_by_hand() -> None:
    # y = 1, 2, 4 at x = 0, 1, 2: slope 1.5; residuals 1/6, -1/3, 1/6, SSE 1/6, df 1;
    # SE = sqrt((1/6) / 2); t(.975, 1) = 12.7062.
    slope, low, high = ols_trend(np.array([0.0, 1, 2]), np.array([1.0, 2, 4])) or (0, 0, 0)
    half = 12.706204736 * math.sqrt((1 / 6) / 2)
    assert slope == pytest.approx(1.5)
    assert (low, high) == (pytest.approx(1.5 - half), pytest.approx(1.5 + half))
    assert ols_trend(np.array([0.0, 1]), np.array([1.0, 2])) is None


def test_trend_is_null_with_a_reason_below_three_weeks() -> None:
    records = [checkin(berlin(2025, 3, 3), 4), checkin(berlin(2025, 3, 11), 6)]
    numbness = compute_insights(from_records(records, TZ))["numbness"]
    assert numbness["trend_per_week"] is None and numbness["trend_ci95"] is None
    assert numbness["trend_n_weeks"] == 2
    assert "at least 3 different weeks" in numbness["trend_reason"]


def test_numb_days_and_streaks_break_on_days_without_checkins() -> None:
    records = [
        checkin(berlin(2025, 5, 1, 9), 7),  # Thu: numb
        checkin(berlin(2025, 5, 2, 9), 8),  # Fri: numb
        # Sat: no check-in -> the streak breaks
        checkin(berlin(2025, 5, 4, 9), 9),  # Sun: numb
        checkin(berlin(2025, 5, 5, 9), 9),  # Mon: mean (9 + 5) / 2 = 7 -> numb
        checkin(berlin(2025, 5, 5, 20), 5),
        checkin(berlin(2025, 5, 6, 9), 9),  # Tue: numb
        checkin(berlin(2025, 5, 7, 9), 3),  # Wed: not numb
    ]
    numbness = compute_insights(from_records(records, TZ))["numbness"]
    assert numbness["numb_days"] == 5
    assert numbness["longest_numb_streak"] == 3
    assert numbness["current_numb_streak"] == 0
    # Without Wednesday, the streak of 3 is current (now = the last check-in) ...
    current = compute_insights(from_records(records[:-1], TZ))["numbness"]
    assert current["current_numb_streak"] == 3
    # ... still current the next day, before a check-in ...
    wednesday = berlin(2025, 5, 7, 18).timestamp()
    later = compute_insights(from_records(records[:-1], TZ), now_epoch=wednesday)["numbness"]
    assert later["current_numb_streak"] == 3
    # ... but not two days later.
    thursday = berlin(2025, 5, 8, 18).timestamp()
    old = compute_insights(from_records(records[:-1], TZ), now_epoch=thursday)["numbness"]
    assert old["current_numb_streak"] == 0 and old["longest_numb_streak"] == 3


# ---------------------------------------------------------------------------------------
# Flattening


def flattening_person(*, flatten: bool) -> CheckInArrays:
    """120 days, 2 check-ins a day; the last 28 days weaker and narrower if ``flatten``."""
    rng = np.random.default_rng(11)
    start = berlin(2025, 1, 1, 9)
    last = start + timedelta(hours=12 * 239)  # "now" defaults to the last check-in
    records = []
    for i in range(240):
        at = start + timedelta(hours=12 * i)
        recent = at > last - timedelta(days=28)
        low, high = (1, 5) if flatten and recent else (1, 10)
        records.append(
            checkin(
                at,
                int(rng.integers(0, 11)),
                [
                    emotion("joy", int(rng.integers(low, high + 1))),
                    emotion("sadness", int(rng.integers(low, high + 1))),
                ],
            )
        )
    return from_records(records, TZ)


def test_flattening_is_found_when_both_valences_weaken_and_narrow() -> None:
    flat = compute_insights(flattening_person(flatten=True))["flattening"]
    assert (
        flat["label"]
        == FLATTENING_LABEL
        == "Thaw's own descriptive profile, not a validated measure"
    )
    assert flat["flattening"] is True and flat["reason"] is None
    assert flat["n_recent"] >= 10 and flat["n_baseline"] >= 10
    assert flat["recent"]["positive_mean"] < flat["baseline"]["positive_mean"] - 1
    assert flat["recent"]["negative_range"] <= 4 and flat["baseline"]["negative_range"] == 9


def test_flattening_is_false_when_nothing_changed() -> None:
    flat = compute_insights(flattening_person(flatten=False))["flattening"]
    assert flat["flattening"] is False and flat["reason"] is None


def test_flattening_is_null_with_a_reason_on_too_little_data() -> None:
    records = [
        checkin(berlin(2025, 1, 1) + timedelta(days=i), 5, [emotion("joy", 5)]) for i in range(20)
    ]
    flat = compute_insights(from_records(records, TZ))["flattening"]
    assert flat["flattening"] is None
    assert "at least 10 check-ins" in flat["reason"]
    empty = compute_insights(CheckInArrays.empty())["flattening"]
    assert empty["flattening"] is None and empty["label"] == FLATTENING_LABEL


# ---------------------------------------------------------------------------------------
# Patterns: the tests underneath


def test_benjamini_hochberg_by_hand_and_against_scipy() -> None:
    # sorted .01 .03 .04 .20 -> .04 .06 .0533 .20 -> running minimum from the top.
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.20])
    assert q == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.20])
    assert benjamini_hochberg([]).size == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=60))
def test_benjamini_hochberg_matches_scipy(p: list[float]) -> None:
    expected = stats.false_discovery_control(np.asarray(p), method="bh")
    assert benjamini_hochberg(p) == pytest.approx(expected, abs=1e-12)


def test_vectorised_welch_matches_scipy() -> None:
    rng = np.random.default_rng(5)
    for _ in range(50):
        a = rng.normal(rng.uniform(0, 5), rng.uniform(0.5, 3), size=int(rng.integers(5, 60)))
        b = rng.normal(rng.uniform(0, 5), rng.uniform(0.5, 3), size=int(rng.integers(5, 60)))
        t, df, p = welch_t(
            np.array([a.mean()]), np.array([a.var(ddof=1)]), np.array([float(a.size)]),
            np.array([b.mean()]), np.array([b.var(ddof=1)]), np.array([float(b.size)]),
        )  # fmt: skip
        reference = stats.ttest_ind(a, b, equal_var=False)
        assert t[0] == pytest.approx(reference.statistic, rel=1e-10)
        assert p[0] == pytest.approx(reference.pvalue, rel=1e-8)


def test_day_mean_welch_is_welch_over_days() -> None:
    rng = np.random.default_rng(6)
    y = np.round(rng.uniform(0, 10, size=90))
    factor = rng.random(90) < 0.3
    # One check-in per day: exactly Welch's test over check-ins.
    p, t, days_with, days_without = day_mean_welch(
        y, factor[:, None].astype(float), (~factor)[:, None].astype(float), np.arange(90)
    )
    reference = stats.ttest_ind(y[factor], y[~factor], equal_var=False)
    assert p[0] == pytest.approx(reference.pvalue, rel=1e-8)
    assert (days_with[0], days_without[0]) == (factor.sum(), (~factor).sum())
    # Three check-ins a day, a day-level factor: Welch's test over the daily means.
    day = np.repeat(np.arange(30), 3)
    monday = day % 7 == 0
    p, t, days_with, days_without = day_mean_welch(
        y, monday[:, None].astype(float), (~monday)[:, None].astype(float), day
    )
    daily = y.reshape(30, 3).mean(axis=1)
    reference = stats.ttest_ind(
        daily[np.arange(30) % 7 == 0], daily[np.arange(30) % 7 != 0], equal_var=False
    )
    assert p[0] == pytest.approx(reference.pvalue, rel=1e-8)
    assert (days_with[0], days_without[0]) == (5, 25)


# ---------------------------------------------------------------------------------------
# Patterns: what a person is told


def test_planted_patterns_are_found_and_nothing_else() -> None:
    rng = np.random.default_rng(2024)
    person = synthetic_person(
        rng, 365, effects={"work": 2.5, "evening": 2.0}, day_sd=1.0, substance=True
    )
    result = compute_insights(person)
    found = {p["factor"]: p for p in result["patterns"]}
    assert set(found) == {"tag:work", "time:evening"}, [p["sentence"] for p in result["patterns"]]
    work, evening = found["tag:work"], found["time:evening"]
    assert work["direction"] == evening["direction"] == "higher"
    assert work["mean_with"] - work["mean_without"] > 1.5
    assert work["q"] <= PATTERN_Q and work["effect"] > 0.5
    assert work["n_with"] + work["n_without"] == result["n_checkins"]
    assert work["sentence"] == (
        f"On {work['n_with']} check-ins tagged work your numbness averaged "
        f"{work['mean_with']:.1f}, against {work['mean_without']:.1f} otherwise."
    )
    assert evening["sentence"].startswith(
        f"On {evening['n_with']} check-ins in the evening (18:00–23:59)"
    )
    assert result["patterns_tested"] >= 20  # 8 tags, 5 body, 4 times, 7 weekdays, substance
    assert_plain_json(result)
    # The mirror image ("afternoons are less numb than other times", because other times
    # include the evenings) is tested, may pass BH, but is not told as a pattern of its own.
    afternoon = next(r for r in pattern_tests(person) if r["factor"] == "time:afternoon")
    assert afternoon["reported"] is False


def test_pure_noise_people_rarely_get_any_pattern() -> None:
    rng = np.random.default_rng(20_260_101)
    people = 200
    with_pattern = 0
    bh_alone = 0
    tested = []
    for _ in range(people):
        person = synthetic_person(
            rng,
            int(rng.integers(60, 150)),
            per_day=float(rng.uniform(1.5, 4)),
            day_sd=float(rng.uniform(0, 1.5)),
            substance=bool(rng.random() < 0.5),
        )
        result = compute_insights(person)
        tested.append(result["patterns_tested"])
        with_pattern += bool(result["patterns"])
        bh_alone += any(r["q"] <= PATTERN_Q for r in pattern_tests(person))
    rate = with_pattern / people
    print(
        f"\nnoise people with any pattern: {with_pattern}/{people} = {rate:.1%} "
        f"(BH alone, before the 1-point and shadow rules: {bh_alone / people:.1%}; "
        f"median factors tested {statistics.median(tested)})"
    )
    assert rate <= 0.10


def test_a_factor_needs_five_checkins_on_each_side() -> None:
    start = berlin(2025, 1, 6, 9)
    records = [
        checkin(
            start + timedelta(days=i),
            9 if i < 4 else 2 + i % 3,
            tags=(["four"] if i < 4 else []) + (["five"] if 10 <= i < 15 else []),
        )
        for i in range(60)
    ]
    rows = {r["factor"]: r for r in pattern_tests(from_records(records, TZ))}
    assert "tag:four" not in rows
    assert rows["tag:five"]["n_with"] == 5 and rows["tag:five"]["n_without"] == 55


def test_substance_use_within_24_hours_after_a_checkin() -> None:
    """Numbness before use: check-ins followed by use within 24 h run higher here."""
    rng = np.random.default_rng(8)
    start = berlin(2025, 1, 6, 10)
    records, uses = [], []
    for i in range(120):
        at = start + timedelta(days=2 * i)  # a check-in every other day at 10:00
        if i % 4 == 0:
            uses.append(at + timedelta(hours=20))  # within 24 h after: counts
        elif i % 4 == 2:
            # 30 h after this check-in and 18 h *before* the next one: counts for neither.
            uses.append(at + timedelta(hours=30))
        numbness = rng.normal(7 if i % 4 == 0 else 3, 1)
        records.append(checkin(at, int(np.clip(round(numbness), 0, 10))))
    data = from_records(records, TZ, substance_at=uses)
    rows = {r["factor"]: r for r in pattern_tests(data)}
    substance = rows["substance:within_24h"]
    assert substance["n_with"] == 30  # i = 0, 4, ..., 116
    # The last check-in's next 24 hours are not over yet ("now" = that check-in): left out.
    assert substance["n_with"] + substance["n_without"] == 119
    assert substance["reported"] and substance["direction"] == "higher"
    assert substance["sentence"].startswith(
        "On 30 check-ins followed by substance use within 24 hours your numbness averaged"
    )
    assert substance["sentence"].endswith("when no use followed.")
    # Two days later, the last check-in's 24 hours are over and it counts (as "without").
    later = (start + timedelta(days=2 * 119 + 2)).timestamp()
    rows_later = {r["factor"]: r for r in pattern_tests(data, now_epoch=later)}
    assert rows_later["substance:within_24h"]["n_without"] == 90
    # No substance log: the factor is not tested at all.
    without_log = {r["factor"] for r in pattern_tests(from_records(records, TZ))}
    assert "substance:within_24h" not in without_log


def test_patterns_are_sorted_by_q_and_are_plain_json() -> None:
    rng = np.random.default_rng(99)
    person = synthetic_person(rng, 200, effects={"work": 3.0, "evening": 1.5})
    result = compute_insights(person)
    qs = [p["q"] for p in result["patterns"]]
    assert qs == sorted(qs) and len(qs) >= 1
    json.dumps(result)
    assert_plain_json(result)


# ---------------------------------------------------------------------------------------
# Input, output shape, edge cases


def test_from_records_uses_the_local_time_zone() -> None:
    # 23:30 UTC on Sunday 2025-03-30 is 01:30 on Monday 2025-03-31 in Berlin (summer time).
    at = datetime(2025, 3, 30, 23, 30, tzinfo=UTC)
    data = from_records([checkin(at, 4, [emotion("numb", 8)], ["work"], ["chest/tight"])], TZ)
    assert (
        int(data.local_day[0]) == (datetime(2025, 3, 31).date() - datetime(1970, 1, 1).date()).days
    )
    assert (int(data.local_hour[0]), int(data.weekday[0])) == (1, 0)
    assert data.epoch[0] == at.timestamp()
    assert data.words == ("numb",) and data.families == ("numb",) and bool(data.emo_excluded[0])
    assert data.tags == ("work",) and data.body == ("chest/tight",)
    with pytest.raises(ValueError, match="no time zone"):
        from_records([checkin(datetime(2025, 1, 1), 3)], TZ)


def test_inconsistent_arrays_are_refused_with_the_reason() -> None:
    good = synthetic_person(np.random.default_rng(1), 10)
    fields = {name: getattr(good, name) for name in good.__dataclass_fields__}
    with pytest.raises(ValueError, match="numbness has length"):
        CheckInArrays(**{**fields, "numbness": good.numbness[:-1]})
    with pytest.raises(ValueError, match="sorted by time"):
        CheckInArrays(**{**fields, "epoch": good.epoch[::-1].copy()})
    with pytest.raises(ValueError, match="weekday"):
        CheckInArrays(**{**fields, "weekday": (good.weekday + 1) % 7})


EXPECTED_KEYS = {
    "n_checkins", "numbness", "granularity", "variability", "flattening", "patterns", "patterns_tested",
}  # fmt: skip


@pytest.mark.parametrize("n", [0, 1, 2, 12])
def test_tiny_histories_give_nulls_with_reasons_not_errors(n: int) -> None:
    records = [
        checkin(berlin(2025, 1, 6) + timedelta(hours=7 * i), i % 11, [emotion("joy", 5)])
        for i in range(n)
    ]
    data = from_records(records, TZ) if n else CheckInArrays.empty()
    result = compute_insights(data)
    assert set(result) == EXPECTED_KEYS
    assert result["n_checkins"] == n
    assert result["patterns"] == [] and result["patterns_tested"] == 0
    assert result["granularity"]["negative"]["reason"]
    json.dumps(result)
    assert_plain_json(result)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 45), st.floats(0.2, 4.0), st.booleans())
def test_any_small_history_gives_plain_json(
    seed: int, days: int, per_day: float, substance: bool
) -> None:
    person = synthetic_person(
        np.random.default_rng(seed), days, per_day=per_day, day_sd=1.0, substance=substance
    )
    result = compute_insights(person)
    assert set(result) == EXPECTED_KEYS and result["n_checkins"] == person.n
    assert_plain_json(result)
    for pattern in result["patterns"]:
        assert pattern["q"] <= PATTERN_Q
        assert min(pattern["n_with"], pattern["n_without"]) >= 5


# ---------------------------------------------------------------------------------------
# Performance: measured and printed, not asserted (the figures go in the closing note).


def test_performance_one_person_year_and_how_it_scales() -> None:
    lines = []
    medians = {}
    for scale in (1, 4, 16):
        person = synthetic_person(
            np.random.default_rng(scale), 365 * scale, words_per_checkin=3, substance=True
        )
        compute_insights(person)
        runs = 30 if scale < 16 else 10
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            compute_insights(person)
            times.append(time.perf_counter() - started)
        medians[scale] = statistics.median(times) * 1000
        lines.append(
            f"{scale:>2}x: {person.n} check-ins, {person.emo_row.size} words -> "
            f"median {medians[scale]:.2f} ms over {runs} runs"
        )
    print("\ncompute_insights:\n  " + "\n  ".join(lines))
    assert all(m > 0 for m in medians.values())
