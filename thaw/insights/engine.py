"""The insights engine: when numbness comes, emotional granularity, variability, flattening.

Pure functions over one person's check-ins in columnar form (``CheckInArrays``); no
Django, no ORM. ``compute_insights`` returns plain JSON-ready data that the API and the
pages render as they are. The rules it follows (issue 4, PRODUCT.md principle 4):

- every figure carries its sample size, and is ``None`` with a plain-language reason
  when the data cannot support it;
- a pattern ("your numbness is higher at work") is told only when it survives the
  Benjamini–Hochberg false-discovery control (q = 0.10) across *every* factor tested,
  with the day as the unit of the test (check-ins of one day are not independent), a
  difference of at least one point, and, for times of day and weekdays, not merely as
  the mirror image of another time or day. Over pure-noise people, about 3–6 % get any
  pattern at all (tests/test_insights_engine.py).

Choices documented where they are made: substance use counts *after* a check-in
(``_substance_within_24h_after``), the effect size is Hedges' g (``stats_core.hedges_g``),
the relative variability index uses the exact maximum SD (``stats_core.max_sd_bounded``),
flattening thresholds are the ``FLATTENING_*`` constants. The statistical building blocks
live in ``stats_core``; ``icc3k`` and friends are re-exported here.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from thaw.insights.stats_core import (
    BoolArray,
    FloatArray,
    IntArray,
    benjamini_hochberg,
    day_mean_welch,
    hedges_g,
    icc3k,
    max_sd_bounded,
    mssd_same_day,
    ols_trend,
    relative_variability,
    welch_on_day_sums,
)

__all__ = [
    "CheckInArrays",
    "from_records",
    "compute_insights",
    "icc3k",
    "max_sd_bounded",
    "relative_variability",
    "benjamini_hochberg",
    "FLATTENING_LABEL",
    "PATTERN_Q",
    "PATTERN_MIN_DIFFERENCE",
    "pattern_tests",
]

DAY = 86_400.0
NUMB_DAY_THRESHOLD = 7.0
NUMBNESS_SCALE = (0.0, 10.0)
PLEASANTNESS_SCALE = (-5.0, 5.0)
MIN_TREND_WEEKS = 3
MIN_GRANULARITY_ROWS = 10
MIN_GRANULARITY_FAMILIES = 2

FLATTENING_LABEL = "Thaw's own descriptive profile, not a validated measure"
FLATTENING_WINDOW_DAYS = 28
FLATTENING_MIN_CHECKINS = 10
FLATTENING_MIN_VALENCE = 5  # check-ins naming a pleasant (or an unpleasant) feeling, per window
FLATTENING_MEAN_DROP = 1.0  # points on the 0..10 intensity scale
FLATTENING_RANGE_DROP = 2.0

PATTERN_Q = 0.10
PATTERN_MIN_PER_SIDE = 5
# A difference smaller than this (points on the 0..10 numbness scale) is not reported even
# when it is statistically clear: with a year of data, a 0.3-point difference can be
# "significant" and still mean nothing a person could act on.
PATTERN_MIN_DIFFERENCE = 1.0
SUBSTANCE_WINDOW = DAY
TIMES_OF_DAY = (
    ("night", "at night (0:00–5:59)", "at other times of day"),
    ("morning", "in the morning (6:00–11:59)", "at other times of day"),
    ("afternoon", "in the afternoon (12:00–17:59)", "at other times of day"),
    ("evening", "in the evening (18:00–23:59)", "at other times of day"),
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EPOCH_DATE = date(1970, 1, 1)


def _array(a: Any, dtype: type[np.generic]) -> Any:
    return np.ascontiguousarray(np.asarray(a, dtype=dtype))


@dataclass(frozen=True, eq=False)
class CheckInArrays:
    """Columnar check-ins of one person, sorted by time ascending. All arrays length n unless noted.

    ``eq=False``: arrays do not compare as booleans; two instances are equal only if
    they are the same object.
    """

    epoch: FloatArray  # float64 seconds since 1970 UTC
    local_day: IntArray  # int64 days since 1970-01-01 in the person's time zone
    local_hour: IntArray  # int64 0..23 in the person's time zone
    weekday: IntArray  # int64 0=Monday..6 in the person's time zone
    numbness: FloatArray  # float64 0..10, NaN where the person did not rate numbness
    # emotions, flattened: one entry per (check-in, word); length m
    emo_row: IntArray  # int64 index into the check-in arrays
    emo_word: IntArray  # int64 word code (index into words)
    emo_family: IntArray  # int64 family code (index into families)
    emo_pleasantness: IntArray  # int64 -5..5
    emo_intensity: IntArray  # int64 0..10
    emo_excluded: BoolArray  # True for the numbness family and "not sure"
    words: tuple[str, ...]
    families: tuple[str, ...]
    # factors for patterns: sparse (row, code) pairs
    tag_row: IntArray
    tag_code: IntArray
    tags: tuple[str, ...]
    body_row: IntArray
    body_code: IntArray
    body: tuple[str, ...]  # e.g. "chest/tight"
    substance_epoch: FloatArray  # float64 times of substance use (may be empty)

    def __post_init__(self) -> None:
        problems = self._problems()
        if problems:
            raise ValueError("CheckInArrays is inconsistent: " + "; ".join(problems))

    def _problems(self) -> list[str]:
        n = len(self.epoch)
        problems = [
            f"{name} has length {len(getattr(self, name))}, expected {n} (one per check-in)"
            for name in ("local_day", "local_hour", "weekday", "numbness")
            if len(getattr(self, name)) != n
        ]
        problems += _sparse_problems(
            "emo",
            n,
            self.emo_row,
            [
                (self.emo_word, len(self.words)),
                (self.emo_family, len(self.families)),
                (self.emo_pleasantness, None),
                (self.emo_intensity, None),
                (self.emo_excluded, None),
            ],
        )
        problems += _sparse_problems("tag", n, self.tag_row, [(self.tag_code, len(self.tags))])
        problems += _sparse_problems("body", n, self.body_row, [(self.body_code, len(self.body))])
        if problems:
            return problems
        if n > 1 and bool(np.any(np.diff(self.epoch) < 0)):
            problems.append("check-ins must be sorted by time ascending")
        if n and bool(np.any((self.local_day + 3) % 7 != self.weekday)):
            problems.append("weekday does not match local_day (0 = Monday)")
        if n and bool(np.any((self.local_hour < 0) | (self.local_hour > 23))):
            problems.append("local_hour must be 0..23")
        rated = self.numbness[~np.isnan(self.numbness)]
        if rated.size and not bool(np.all((rated >= 0) & (rated <= 10))):
            problems.append("numbness must be a number from 0 to 10 (or NaN: not rated)")
        return problems

    @property
    def n(self) -> int:
        return len(self.epoch)

    def rated(self) -> CheckInArrays:
        """Only the check-ins whose numbness was rated: every numbness figure is over these."""
        keep = ~np.isnan(self.numbness)
        if bool(keep.all()):
            return self
        new_row = np.cumsum(keep) - 1  # old row -> new row, for the rows kept

        def sparse(rows: IntArray, *columns: Any) -> list[Any]:
            kept = keep[rows]
            return [new_row[rows[kept]], *(c[kept] for c in columns)]

        emo_row, emo_word, emo_family, emo_p, emo_i, emo_x = sparse(
            self.emo_row, self.emo_word, self.emo_family, self.emo_pleasantness, self.emo_intensity, self.emo_excluded)
        tag_row, tag_code = sparse(self.tag_row, self.tag_code)
        body_row, body_code = sparse(self.body_row, self.body_code)
        return CheckInArrays(
            epoch=self.epoch[keep], local_day=self.local_day[keep], local_hour=self.local_hour[keep],
            weekday=self.weekday[keep], numbness=self.numbness[keep],
            emo_row=emo_row, emo_word=emo_word, emo_family=emo_family, emo_pleasantness=emo_p,
            emo_intensity=emo_i, emo_excluded=emo_x, words=self.words, families=self.families,
            tag_row=tag_row, tag_code=tag_code, tags=self.tags, body_row=body_row, body_code=body_code,
            body=self.body, substance_epoch=self.substance_epoch,
        )  # fmt: skip

    def between(self, start: float | None, end: float | None) -> CheckInArrays:
        """The check-ins (and substance uses) with ``start <= epoch <= end`` (``None``: no bound),
        with the name tables cut down to the names used there: the same arrays a fresh load of
        that window gives, so a page can read a person's check-ins once and cut every window it
        needs from them."""
        lo = 0 if start is None else int(np.searchsorted(self.epoch, start, side="left"))
        hi = self.n if end is None else int(np.searchsorted(self.epoch, end, side="right"))
        if lo == 0 and hi == self.n:
            keep_uses = _within(self.substance_epoch, start, end)
            if bool(keep_uses.all()):
                return self
            return dataclasses.replace(self, substance_epoch=self.substance_epoch[keep_uses])
        if lo >= hi:  # as a load finding no check-ins: substance uses alone tell nothing
            return CheckInArrays.empty()

        def sparse(rows: IntArray, *columns: Any) -> list[Any]:
            kept = (rows >= lo) & (rows < hi)
            return [rows[kept] - lo, *(c[kept] for c in columns)]

        emo_row, emo_word, emo_family, emo_p, emo_i, emo_x = sparse(
            self.emo_row, self.emo_word, self.emo_family, self.emo_pleasantness, self.emo_intensity, self.emo_excluded)
        emo_word, words = _used(emo_word, self.words)
        emo_family, families = _used(emo_family, self.families)
        tag_row, tag_code = sparse(self.tag_row, self.tag_code)
        tag_code, tags = _used(tag_code, self.tags)
        body_row, body_code = sparse(self.body_row, self.body_code)
        body_code, body = _used(body_code, self.body)
        window = slice(lo, hi)
        return CheckInArrays(
            epoch=self.epoch[window], local_day=self.local_day[window], local_hour=self.local_hour[window],
            weekday=self.weekday[window], numbness=self.numbness[window],
            emo_row=emo_row, emo_word=emo_word, emo_family=emo_family, emo_pleasantness=emo_p,
            emo_intensity=emo_i, emo_excluded=emo_x, words=words, families=families,
            tag_row=tag_row, tag_code=tag_code, tags=tags, body_row=body_row, body_code=body_code,
            body=body, substance_epoch=self.substance_epoch[_within(self.substance_epoch, start, end)],
        )  # fmt: skip

    @classmethod
    def empty(cls) -> CheckInArrays:
        """No check-ins at all (a new person)."""
        f = np.empty(0, dtype=np.float64)
        i = np.empty(0, dtype=np.int64)
        b = np.empty(0, dtype=np.bool_)
        return cls(
            epoch=f, local_day=i, local_hour=i, weekday=i, numbness=f,
            emo_row=i, emo_word=i, emo_family=i, emo_pleasantness=i, emo_intensity=i,
            emo_excluded=b, words=(), families=(),
            tag_row=i, tag_code=i, tags=(), body_row=i, body_code=i, body=(),
            substance_epoch=f,
        )  # fmt: skip


def _within(epoch: FloatArray, start: float | None, end: float | None) -> BoolArray:
    keep = np.ones(len(epoch), dtype=np.bool_)
    if start is not None:
        keep &= epoch >= start
    if end is not None:
        keep &= epoch <= end
    return keep


def _used(codes: IntArray, names: tuple[str, ...]) -> tuple[IntArray, tuple[str, ...]]:
    """Codes renumbered over only the names they use, in the table's order (sorted stays sorted)."""
    used = np.unique(codes)
    if len(used) == len(names):
        return codes, names
    return np.searchsorted(used, codes).astype(np.int64), tuple(names[i] for i in used.tolist())


def _sparse_problems(
    prefix: str, n: int, rows: IntArray, columns: Sequence[tuple[Any, int | None]]
) -> list[str]:
    problems = []
    m = len(rows)
    for column, _ in columns:
        if len(column) != m:
            problems.append(f"{prefix} arrays differ in length ({len(column)} vs {m} rows)")
            return problems
    if m and (int(rows.min()) < 0 or int(rows.max()) >= n):
        problems.append(f"{prefix}_row must index a check-in (0..{n - 1})")
    for column, size in columns:
        if size is not None and m and (int(column.min()) < 0 or int(column.max()) >= size):
            problems.append(f"a {prefix} code is outside its name table (0..{size - 1})")
    return problems


def _codes(names: dict[str, int], name: str) -> int:
    return names.setdefault(name, len(names))


def from_records(
    records: Iterable[Mapping[str, Any]],
    tz_name: str,
    *,
    substance_at: Iterable[datetime] = (),
) -> CheckInArrays:
    """Build ``CheckInArrays`` from plain dicts (tests, the demo; the app builds arrays directly).

    Each record: ``{"at": aware datetime, "numbness": int or None, "emotions": [(word, family,
    pleasantness, intensity, excluded)], "tags": [str], "body": [str]}``. Local day, hour
    and weekday are taken in ``tz_name``. Names are coded in order of first appearance.
    """
    tz = ZoneInfo(tz_name)
    ordered = sorted(records, key=lambda r: _aware(r["at"]).timestamp())
    words: dict[str, int] = {}
    families: dict[str, int] = {}
    tags: dict[str, int] = {}
    body: dict[str, int] = {}
    cols: dict[str, list[Any]] = {key: [] for key in (
        "epoch", "day", "hour", "weekday", "numbness",
        "emo_row", "emo_word", "emo_family", "emo_p", "emo_i", "emo_x",
        "tag_row", "tag_code", "body_row", "body_code",
    )}  # fmt: skip
    for row, record in enumerate(ordered):
        at = _aware(record["at"])
        local = at.astimezone(tz)
        cols["epoch"].append(at.timestamp())
        cols["day"].append((local.date() - _EPOCH_DATE).days)
        cols["hour"].append(local.hour)
        cols["weekday"].append(local.weekday())
        cols["numbness"].append(np.nan if record["numbness"] is None else float(record["numbness"]))
        for word, family, pleasantness, intensity, excluded in record.get("emotions", ()):
            cols["emo_row"].append(row)
            cols["emo_word"].append(_codes(words, word))
            cols["emo_family"].append(_codes(families, family))
            cols["emo_p"].append(int(pleasantness))
            cols["emo_i"].append(int(intensity))
            cols["emo_x"].append(bool(excluded))
        for tag in dict.fromkeys(record.get("tags", ())):
            cols["tag_row"].append(row)
            cols["tag_code"].append(_codes(tags, tag))
        for sensation in dict.fromkeys(record.get("body", ())):
            cols["body_row"].append(row)
            cols["body_code"].append(_codes(body, sensation))
    substance = sorted(_aware(at).timestamp() for at in substance_at)
    i64, f64 = np.int64, np.float64
    return CheckInArrays(
        epoch=_array(cols["epoch"], f64),
        local_day=_array(cols["day"], i64),
        local_hour=_array(cols["hour"], i64),
        weekday=_array(cols["weekday"], i64),
        numbness=_array(cols["numbness"], f64),
        emo_row=_array(cols["emo_row"], i64),
        emo_word=_array(cols["emo_word"], i64),
        emo_family=_array(cols["emo_family"], i64),
        emo_pleasantness=_array(cols["emo_p"], i64),
        emo_intensity=_array(cols["emo_i"], i64),
        emo_excluded=_array(cols["emo_x"], np.bool_),
        words=tuple(words),
        families=tuple(families),
        tag_row=_array(cols["tag_row"], i64),
        tag_code=_array(cols["tag_code"], i64),
        tags=tuple(tags),
        body_row=_array(cols["body_row"], i64),
        body_code=_array(cols["body_code"], i64),
        body=tuple(body),
        substance_epoch=_array(substance, f64),
    )


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"check-in time {at.isoformat()} has no time zone; pass an aware datetime")
    return at


# ---------------------------------------------------------------------------------------
# Per-check-in summaries of the emotion words, shared by several sections.


@dataclass(frozen=True, eq=False)
class _Feelings:
    """Per check-in (length n), NaN where a check-in has nothing to summarise."""

    pleasantness: FloatArray  # intensity-weighted mean pleasantness of its counted words
    positive: FloatArray  # mean intensity of its pleasant words
    negative: FloatArray  # mean intensity of its unpleasant words


def _feelings(data: CheckInArrays) -> _Feelings:
    n = data.n
    counted = ~data.emo_excluded
    rows = data.emo_row[counted]
    pleas = data.emo_pleasantness[counted].astype(np.float64)
    inten = data.emo_intensity[counted].astype(np.float64)
    weight = np.bincount(rows, weights=inten, minlength=n)
    weighted = np.bincount(rows, weights=inten * pleas, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        pleasantness = np.where(weight > 0, weighted / weight, np.nan)
    return _Feelings(
        pleasantness=pleasantness,
        positive=_mean_intensity(rows[pleas > 0], inten[pleas > 0], n),
        negative=_mean_intensity(rows[pleas < 0], inten[pleas < 0], n),
    )


def _mean_intensity(rows: IntArray, intensity: FloatArray, n: int) -> FloatArray:
    count = np.bincount(rows, minlength=n)
    total = np.bincount(rows, weights=intensity, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _num(x: float | np.floating[Any] | None) -> float | None:
    """A JSON-safe float: Python float, ``None`` for missing or non-finite."""
    if x is None:
        return None
    value = float(x)
    return value if math.isfinite(value) else None


def _iso_days(days: IntArray) -> list[str]:
    return [str(s) for s in np.datetime_as_string(days.astype("datetime64[D]"), unit="D")]


# ---------------------------------------------------------------------------------------
# Numbness: level, weekly trend, numb days.


def _numbness(data: CheckInArrays, now_epoch: float | None) -> dict[str, Any]:
    n = data.n
    result: dict[str, Any] = {
        "mean": _num(data.numbness.mean()) if n else None,
        "n": n,
        "weekly": [],
        "trend_per_week": None,
        "trend_ci95": None,
        "trend_n_weeks": 0,
        "trend_reason": None,
        "numb_days": 0,
        "longest_numb_streak": 0,
        "current_numb_streak": 0,
    }
    if n == 0:
        result["trend_reason"] = "No check-ins with a numbness rating yet."
        return result

    # Weeks start on Monday; 1970-01-01 was a Thursday, so (day + 3) % 7 == 0 on Mondays.
    week_start = data.local_day - (data.local_day + 3) % 7
    weeks, week_of = np.unique(week_start, return_inverse=True)
    week_n = np.bincount(week_of)
    week_mean = np.bincount(week_of, weights=data.numbness) / week_n
    result["weekly"] = [
        {"week_start": label, "mean": float(m), "n": int(c)}
        for label, m, c in zip(_iso_days(weeks), week_mean, week_n, strict=True)
    ]
    result["trend_n_weeks"] = len(weeks)
    trend = ols_trend(((weeks - weeks[0]) // 7).astype(np.float64), week_mean)
    if trend is None:
        result["trend_reason"] = (
            f"A trend needs check-ins in at least {MIN_TREND_WEEKS} different weeks; "
            f"there {'is' if len(weeks) == 1 else 'are'} {len(weeks)} so far."
        )
    else:
        slope, low, high = trend
        result["trend_per_week"] = _num(slope)
        result["trend_ci95"] = [_num(low), _num(high)]

    days, day_of = np.unique(data.local_day, return_inverse=True)
    day_mean = np.bincount(day_of, weights=data.numbness) / np.bincount(day_of)
    numb = day_mean >= NUMB_DAY_THRESHOLD - 1e-9
    result["numb_days"] = int(numb.sum())
    numb_days = days[numb]
    if numb_days.size:
        # A run of numb days breaks wherever the next numb day is not the next calendar day.
        breaks = np.flatnonzero(np.diff(numb_days) != 1)
        starts = np.concatenate(([0], breaks + 1))
        ends = np.concatenate((breaks + 1, [numb_days.size]))
        result["longest_numb_streak"] = int((ends - starts).max())
        today = _local_day_of(data, data.epoch[-1] if now_epoch is None else now_epoch)
        last_day = int(days[-1])
        # "Current" = the run that includes the latest day with check-ins, as long as that
        # day is today or yesterday: a day not checked in yet does not end a streak.
        if bool(numb[-1]) and today - last_day <= 1:
            result["current_numb_streak"] = int(ends[-1] - starts[-1])
    return result


def _local_day_of(data: CheckInArrays, epoch: float) -> int:
    """The person's local day at ``epoch``, using the UTC offset of their last check-in.

    The offset is known to the hour (from local_hour); off by one day only within an hour
    of local midnight or across a later time-zone change, which only matters for
    deciding whether a streak is "current".
    """
    local_seconds = float(data.local_day[-1]) * DAY + float(data.local_hour[-1]) * 3600.0
    offset = local_seconds - float(data.epoch[-1]) + 1800.0
    return math.floor((epoch + offset) / DAY)


# ---------------------------------------------------------------------------------------
# Granularity (emotion differentiation) and vocabulary.


def _granularity(data: CheckInArrays) -> dict[str, Any]:
    return {
        "negative": _differentiation(data, negative=True),
        "positive": _differentiation(data, negative=False),
        "vocabulary": _vocabulary(data),
    }


def _valence_matrix(data: CheckInArrays, *, negative: bool) -> FloatArray:
    """Rows: check-ins with a word of the valence; columns: families of that valence used.

    A cell is the intensity of that family's word in that check-in (the highest if the
    check-in has several words from the family, 0 if none).
    """
    pleas = data.emo_pleasantness
    chosen = ~data.emo_excluded & ((pleas < 0) if negative else (pleas > 0))
    rows, row_of = np.unique(data.emo_row[chosen], return_inverse=True)
    cols, col_of = np.unique(data.emo_family[chosen], return_inverse=True)
    matrix = np.zeros((rows.size, cols.size), dtype=np.float64)
    np.maximum.at(matrix, (row_of, col_of), data.emo_intensity[chosen].astype(np.float64))
    return matrix


def _differentiation(data: CheckInArrays, *, negative: bool) -> dict[str, Any]:
    matrix = _valence_matrix(data, negative=negative)
    n, k = matrix.shape
    feeling = "an unpleasant" if negative else "a pleasant"
    kind = "unpleasant" if negative else "pleasant"
    result: dict[str, Any] = {"icc": None, "differentiation": None, "n": n, "k": k, "reason": None}
    if n < MIN_GRANULARITY_ROWS:
        result["reason"] = (
            f"Granularity needs at least {MIN_GRANULARITY_ROWS} check-ins that name "
            f"{feeling} feeling; there {'is' if n == 1 else 'are'} {n} so far."
        )
        return result
    if k < MIN_GRANULARITY_FAMILIES:
        result["reason"] = (
            f"Granularity compares different kinds of {kind} feelings; so far they all "
            f"come from {'one family' if k == 1 else 'no family'}."
        )
        return result
    icc = icc3k(matrix)
    if icc is None:
        result["reason"] = (
            f"Your {kind} feelings had the same overall strength in every check-in, "
            "so there is no variation to compare yet."
        )
        return result
    result["icc"] = icc
    result["differentiation"] = 1.0 - icc
    return result


def _vocabulary(data: CheckInArrays) -> dict[str, Any]:
    """Breadth of the words used, all words counted (numb words and "not sure" included).

    Naming numbness precisely is labelling too, so the numb family counts here even
    though it is left out of granularity and valence.
    """
    words_used = np.unique(data.emo_word)
    result: dict[str, Any] = {
        "distinct_words": int(words_used.size),
        "distinct_families": int(np.unique(data.emo_family).size),
        "by_month": [],
    }
    if data.n == 0:
        return result
    month = data.local_day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    first_month, last_month = int(month.min()), int(month.max())
    n_months = last_month - first_month + 1
    new_words = np.zeros(n_months, dtype=np.int64)
    if data.emo_word.size:
        first_use = np.full(len(data.words), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_use, data.emo_word, month[data.emo_row])
        first_use = first_use[first_use != np.iinfo(np.int64).max]
        new_words = np.bincount(first_use - first_month, minlength=n_months)
    labels = np.datetime_as_string(
        np.arange(first_month, last_month + 1).astype("datetime64[M]"), unit="M"
    )
    result["by_month"] = [
        {"month": str(label), "distinct_words_cumulative": int(total), "new_words": int(new)}
        for label, total, new in zip(labels, np.cumsum(new_words), new_words, strict=True)
    ]
    return result


# ---------------------------------------------------------------------------------------
# Variability.


def _variability(data: CheckInArrays, feelings: _Feelings) -> dict[str, Any]:
    has_pleasantness = ~np.isnan(feelings.pleasantness)
    pleasantness = feelings.pleasantness[has_pleasantness]
    rated = ~np.isnan(data.numbness)
    numbness = data.numbness[rated]
    numbness_mssd, numbness_pairs = mssd_same_day(numbness, data.local_day[rated])
    pleasantness_mssd, pleasantness_pairs = mssd_same_day(
        pleasantness, data.local_day[has_pleasantness]
    )
    numbness_rvi = relative_variability(numbness, *NUMBNESS_SCALE)
    pleasantness_rvi = relative_variability(pleasantness, *PLEASANTNESS_SCALE)
    positive = feelings.positive[~np.isnan(feelings.positive)]
    negative = feelings.negative[~np.isnan(feelings.negative)]

    reasons: dict[str, str | None] = {
        "numbness_mssd": _pairs_reason(numbness_mssd, numbness_pairs),
        "pleasantness_mssd": _pairs_reason(pleasantness_mssd, pleasantness_pairs),
        "numbness_rvi": _rvi_reason(numbness_rvi, numbness.size),
        "pleasantness_rvi": _rvi_reason(pleasantness_rvi, pleasantness.size),
        "positive_intensity_mean": None if positive.size else "No pleasant feelings named yet.",
        "negative_intensity_mean": None if negative.size else "No unpleasant feelings named yet.",
    }
    return {
        "numbness_mssd": numbness_mssd,
        "pleasantness_mssd": pleasantness_mssd,
        "numbness_rvi": numbness_rvi,
        "pleasantness_rvi": pleasantness_rvi,
        "positive_intensity_mean": _num(positive.mean()) if positive.size else None,
        "negative_intensity_mean": _num(negative.mean()) if negative.size else None,
        "n_pairs": numbness_pairs,
        "pleasantness_n_pairs": pleasantness_pairs,
        "n_positive": int(positive.size),
        "n_negative": int(negative.size),
        "reasons": reasons,
    }


def _pairs_reason(value: float | None, n_pairs: int) -> str | None:
    if value is not None:
        return None
    return (
        "Needs at least 2 pairs of check-ins made on the same day; "
        f"there {'is' if n_pairs == 1 else 'are'} {n_pairs} so far."
    )


def _rvi_reason(value: float | None, n: int) -> str | None:
    if value is not None:
        return None
    if n < 2:
        return f"Needs at least 2 check-ins; there {'is' if n == 1 else 'are'} {n} so far."
    return "Every answer was at the end of the scale, so there was no room to vary."


# ---------------------------------------------------------------------------------------
# Flattening: pleasant and unpleasant feelings both weaker and narrower than before.


def _window_profile(feelings: _Feelings, in_window: BoolArray) -> dict[str, float | None]:
    def summary(values: FloatArray) -> tuple[float | None, float | None, int]:
        v = values[in_window]
        v = v[~np.isnan(v)]
        if v.size == 0:
            return None, None, 0
        return float(v.mean()), float(v.max() - v.min()), int(v.size)

    pos_mean, pos_range, n_pos = summary(feelings.positive)
    neg_mean, neg_range, n_neg = summary(feelings.negative)
    return {
        "positive_mean": pos_mean,
        "negative_mean": neg_mean,
        "positive_range": pos_range,
        "negative_range": neg_range,
        "n_positive": n_pos,
        "n_negative": n_neg,
    }


def _flattening(data: CheckInArrays, feelings: _Feelings, now: float | None) -> dict[str, Any]:
    """Compare the last 28 days with everything before, on intensity and range.

    Per check-in, a valence's intensity is the mean intensity of its words of that
    valence; check-ins without such a word do not count for that valence. ``range`` is
    max − min of those per-check-in intensities in the window. Flattening is reported
    only when both means fell by at least ``FLATTENING_MEAN_DROP`` and both ranges by at
    least ``FLATTENING_RANGE_DROP`` points.
    """
    result: dict[str, Any] = {
        "label": FLATTENING_LABEL,
        "flattening": None,
        "reason": None,
        "window_days": FLATTENING_WINDOW_DAYS,
        "thresholds": {"mean_drop": FLATTENING_MEAN_DROP, "range_drop": FLATTENING_RANGE_DROP},
        "recent": None,
        "baseline": None,
        "n_recent": 0,
        "n_baseline": 0,
    }
    if now is None or data.n == 0:
        result["reason"] = "No check-ins yet."
        return result
    cutoff = now - FLATTENING_WINDOW_DAYS * DAY
    recent_mask = (data.epoch > cutoff) & (data.epoch <= now)
    baseline_mask = data.epoch <= cutoff
    recent = _window_profile(feelings, recent_mask)
    baseline = _window_profile(feelings, baseline_mask)
    n_recent, n_baseline = int(recent_mask.sum()), int(baseline_mask.sum())
    result.update(recent=recent, baseline=baseline, n_recent=n_recent, n_baseline=n_baseline)
    if n_recent < FLATTENING_MIN_CHECKINS or n_baseline < FLATTENING_MIN_CHECKINS:
        result["reason"] = (
            f"Needs at least {FLATTENING_MIN_CHECKINS} check-ins in the last "
            f"{FLATTENING_WINDOW_DAYS} days and {FLATTENING_MIN_CHECKINS} before them; "
            f"there are {n_recent} and {n_baseline}."
        )
        return result
    for window, profile in (("last 28 days", recent), ("earlier", baseline)):
        for key, feeling in (("n_positive", "a pleasant"), ("n_negative", "an unpleasant")):
            count = profile[key]
            if count is None or count < FLATTENING_MIN_VALENCE:
                result["reason"] = (
                    f"Needs at least {FLATTENING_MIN_VALENCE} check-ins naming {feeling} "
                    f"feeling in each period; the {window} had {count}."
                )
                return result
    drops = [
        _drop(baseline, recent, "positive_mean") >= FLATTENING_MEAN_DROP,
        _drop(baseline, recent, "negative_mean") >= FLATTENING_MEAN_DROP,
        _drop(baseline, recent, "positive_range") >= FLATTENING_RANGE_DROP,
        _drop(baseline, recent, "negative_range") >= FLATTENING_RANGE_DROP,
    ]
    result["flattening"] = all(drops)
    return result


def _drop(
    baseline: Mapping[str, float | None], recent: Mapping[str, float | None], key: str
) -> float:
    before, after = baseline[key], recent[key]
    if before is None or after is None:
        return -math.inf
    return before - after + 1e-9  # a drop of exactly the threshold counts


# ---------------------------------------------------------------------------------------
# Patterns: "when do you feel numb".


@dataclass(frozen=True)
class _Factor:
    name: str
    with_phrase: str  # "tagged work"
    without_phrase: str  # "otherwise"


def _factors(data: CheckInArrays, now: float) -> tuple[list[_Factor], BoolArray, BoolArray]:
    """Every candidate factor, its with-mask and its eligibility mask (both n × F)."""
    n = data.n
    factors: list[_Factor] = []
    blocks: list[BoolArray] = []

    tagged = np.zeros((n, len(data.tags)), dtype=np.bool_)
    tagged[data.tag_row, data.tag_code] = True
    factors += [_Factor(f"tag:{t}", f"tagged {t}", "otherwise") for t in data.tags]
    blocks.append(tagged)

    felt = np.zeros((n, len(data.body)), dtype=np.bool_)
    felt[data.body_row, data.body_code] = True
    factors += [_Factor(f"body:{b}", f"with {_body_label(b)}", "otherwise") for b in data.body]
    blocks.append(felt)

    time_of_day = data.local_hour // 6
    blocks.append(time_of_day[:, None] == np.arange(len(TIMES_OF_DAY))[None, :])
    factors += [_Factor(f"time:{name}", phrase, other) for name, phrase, other in TIMES_OF_DAY]

    blocks.append(data.weekday[:, None] == np.arange(7)[None, :])
    factors += [
        _Factor(f"weekday:{day}", f"on {day.capitalize()}s", "on other days") for day in WEEKDAYS
    ]

    eligible = np.ones((n, len(factors)), dtype=np.bool_)
    if data.substance_epoch.size:
        followed, observed = _substance_within_24h_after(data.epoch, data.substance_epoch, now)
        factors.append(
            _Factor(
                "substance:within_24h",
                "followed by substance use within 24 hours",
                "when no use followed",
            )
        )
        blocks.append(followed[:, None])
        eligible = np.concatenate((eligible, observed[:, None]), axis=1)
    return factors, np.concatenate(blocks, axis=1), eligible


def _body_label(sensation: str) -> str:
    region, _, feeling = sensation.partition("/")
    return f"{region}: {feeling}" if feeling else region


def _substance_within_24h_after(
    checkin_epoch: FloatArray, substance_epoch: FloatArray, now: float
) -> tuple[BoolArray, BoolArray]:
    """Whether substance use followed each check-in within 24 h, and whether we can know.

    Issue 4 asks about "later substance use within 24 h": does numbness run higher before
    a person uses (numbing as a reason to use)? So the factor is use in (t, t + 24 h].
    Check-ins whose next 24 h are not over yet at ``now`` are left out of both groups:
    their "no use" is not known yet.
    """
    uses = np.sort(substance_epoch)
    nxt = np.searchsorted(uses, checkin_epoch, side="right")  # first use strictly after t
    has_next = nxt < uses.size
    next_use = np.where(has_next, uses[np.minimum(nxt, uses.size - 1)], np.inf)
    followed = next_use <= checkin_epoch + SUBSTANCE_WINDOW
    observed = checkin_epoch + SUBSTANCE_WINDOW <= now
    return followed & observed, observed


@dataclass(frozen=True, eq=False)
class _DaySums:
    """Per (local day, factor): check-in counts and numbness sums, with and without."""

    count_with: FloatArray  # days × F
    total_with: FloatArray
    count_without: FloatArray
    total_without: FloatArray
    n_with: FloatArray  # F: check-ins
    n_without: FloatArray
    squares_with: FloatArray  # F: sums of squared numbness
    squares_without: FloatArray


def _day_sums(data: CheckInArrays, with_: BoolArray, eligible: BoolArray) -> _DaySums:
    """Sums over the non-zero cells only, so the cost grows with n, not with n × F.

    "Without" is everything eligible minus "with"; almost every check-in is eligible
    for every factor, so the ineligible cells are few too.
    """
    y = data.numbness
    y2 = np.square(y)
    n_factors = with_.shape[1]
    _, day_of = np.unique(data.local_day, return_inverse=True)
    n_days = int(day_of.max()) + 1
    size = n_days * n_factors

    def by_cell(mask: BoolArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        rows, cols = np.nonzero(mask)
        cell = day_of[rows] * n_factors + cols
        count = np.bincount(cell, minlength=size).reshape(n_days, n_factors)
        total = np.bincount(cell, weights=y[rows], minlength=size).reshape(n_days, n_factors)
        squares = np.bincount(cols, weights=y2[rows], minlength=n_factors)
        return (
            count.astype(np.float64),
            total.astype(np.float64),
            squares.astype(np.float64),
        )

    count_with, total_with, squares_with = by_cell(with_)
    count_out, total_out, squares_out = by_cell(~eligible)
    day_count = np.bincount(day_of, minlength=n_days).astype(np.float64)[:, None]
    day_total = np.bincount(day_of, weights=y, minlength=n_days)[:, None]
    count_without = day_count - count_out - count_with
    total_without = day_total - total_out - total_with
    return _DaySums(
        count_with=count_with,
        total_with=total_with,
        count_without=count_without,
        total_without=total_without,
        n_with=count_with.sum(axis=0),
        n_without=count_without.sum(axis=0),
        squares_with=squares_with,
        squares_without=float(y2.sum()) - squares_out - squares_with,
    )


def pattern_tests(data: CheckInArrays, *, now_epoch: float | None = None) -> list[dict[str, Any]]:
    """Every factor that had enough data to be tested, with its numbers; for transparency.

    ``compute_insights`` reports only the rows with ``"reported": True``. A factor is
    tested when it has at least ``PATTERN_MIN_PER_SIDE`` check-ins on each side, spread
    over at least 2 days each, and numbness varies on at least one side. ``p`` is from
    Welch's t-test on day means (``stats_core.day_mean_welch``); ``q`` is the
    Benjamini–Hochberg adjusted p-value across all the factors in this list. A factor is
    reported when ``q <= PATTERN_Q`` and the means differ by at least
    ``PATTERN_MIN_DIFFERENCE`` points. Rows are sorted by q, then by effect size.
    """
    now = now_epoch if now_epoch is not None else (float(data.epoch[-1]) if data.n else None)
    if data.n < 2 * PATTERN_MIN_PER_SIDE or now is None:
        return []
    factors, with_mask, eligible = _factors(data, now)
    sums = _day_sums(data, with_mask & eligible, eligible)
    testable = (sums.n_with >= PATTERN_MIN_PER_SIDE) & (sums.n_without >= PATTERN_MIN_PER_SIDE)
    p, _, days_with, days_without = welch_on_day_sums(
        sums.count_with[:, testable],
        sums.total_with[:, testable],
        sums.count_without[:, testable],
        sums.total_without[:, testable],
    )
    tested = np.flatnonzero(testable)[
        np.isfinite(p)
        & (days_with >= PATTERN_MIN_PER_SIDE)
        & (days_without >= PATTERN_MIN_PER_SIDE)
    ]
    if tested.size == 0:
        return []
    keep = np.isin(np.flatnonzero(testable), tested)
    p, days_with, days_without = p[keep], days_with[keep], days_without[keep]
    factors = [factors[i] for i in tested]

    # The numbers a person sees are over check-ins; the test above is over days.
    n1, n0 = sums.n_with[tested], sums.n_without[tested]
    m1 = sums.total_with[:, tested].sum(axis=0) / n1
    m0 = sums.total_without[:, tested].sum(axis=0) / n0
    v1 = np.maximum((sums.squares_with[tested] - n1 * m1 * m1) / (n1 - 1), 0.0)
    v0 = np.maximum((sums.squares_without[tested] - n0 * m0 * m0) / (n0 - 1), 0.0)
    q = benjamini_hochberg(p)
    g = hedges_g(m1, v1, n1, m0, v0, n0)
    difference = m1 - m0
    passes = (q <= PATTERN_Q) & (np.abs(difference) >= PATTERN_MIN_DIFFERENCE - 1e-9)
    cutoff = float(p[passes].max()) if passes.any() else 0.0
    explained_by = _shadows(
        factors,
        passes,
        difference,
        with_mask[:, tested] & eligible[:, tested],
        eligible[:, tested],
        data,
        cutoff,
    )
    rows: list[dict[str, Any]] = []
    for i, factor in enumerate(factors):
        rows.append(
            {
                "factor": factor.name,
                "direction": "higher" if difference[i] > 0 else "lower",
                "mean_with": float(m1[i]),
                "mean_without": float(m0[i]),
                "n_with": int(n1[i]),
                "n_without": int(n0[i]),
                "days_with": int(days_with[i]),
                "days_without": int(days_without[i]),
                "effect": _num(g[i]),
                "q": float(q[i]),
                "p": float(p[i]),
                "sentence": (
                    f"On {int(n1[i])} check-ins {factor.with_phrase} your numbness averaged "
                    f"{m1[i]:.1f}, against {m0[i]:.1f} {factor.without_phrase}."
                ),
                "reported": bool(passes[i]) and i not in explained_by,
                "explained_by": explained_by.get(i),
            }
        )
    rows.sort(key=lambda r: (r["q"], -abs(r["effect"] or 0.0)))
    return rows


def _shadows(
    factors: Sequence[_Factor],
    passes: BoolArray,
    difference: FloatArray,
    with_: BoolArray,
    eligible: BoolArray,
    data: CheckInArrays,
    cutoff: float,
) -> dict[int, list[str]]:
    """Survivors of a time of day or weekday that are only the shadow of another one.

    Each time of day is compared with all the others, so when evenings are much more
    numb, "the afternoon" looks less numb than "other times" only because those
    include the evenings. Within each such family, survivors are taken from the largest
    difference down; each must still pass (p <= the Benjamini–Hochberg cut-off of the
    full run, difference >= the minimum, same direction) against the other levels once
    the levels already kept are left out. This only ever removes reports, so the false
    discovery control is kept. Returns {factor index: the kept levels that explain it}.
    """
    explained: dict[int, list[str]] = {}
    for family in ("time:", "weekday:"):
        members = [i for i, f in enumerate(factors) if f.name.startswith(family) and passes[i]]
        members.sort(key=lambda i: -abs(float(difference[i])))
        kept: list[int] = []
        for i in members:
            if kept:
                others = eligible[:, i] & ~with_[:, i] & ~with_[:, kept].any(axis=1)
                if not _still_differs(data, with_[:, i], others, cutoff, float(difference[i])):
                    explained[i] = [factors[j].name for j in kept]
                    continue
            kept.append(i)
    return explained


def _still_differs(
    data: CheckInArrays, with_: BoolArray, others: BoolArray, cutoff: float, sign: float
) -> bool:
    if others.sum() < PATTERN_MIN_PER_SIDE:
        return False
    y = data.numbness
    p, _, _, _ = day_mean_welch(
        y, with_[:, None].astype(np.float64), others[:, None].astype(np.float64), data.local_day
    )
    difference = float(y[with_].mean() - y[others].mean())
    return (
        bool(np.isfinite(p[0]))
        and float(p[0]) <= cutoff
        and abs(difference) >= PATTERN_MIN_DIFFERENCE - 1e-9
        and difference * sign > 0
    )


def _patterns(data: CheckInArrays, now: float | None) -> tuple[list[dict[str, Any]], int]:
    rows = pattern_tests(data, now_epoch=now)
    survivors = [
        {k: v for k, v in row.items() if k not in ("reported", "explained_by")}
        for row in rows
        if row["reported"]
    ]
    return survivors, len(rows)


# ---------------------------------------------------------------------------------------


def compute_insights(data: CheckInArrays, *, now_epoch: float | None = None) -> dict[str, Any]:
    """Every insight for one person's check-ins (already cut to the window asked for).

    ``now_epoch`` is the moment the insights are for (default: the last check-in); it
    sets the last 28 days for flattening, which check-ins' next 24 hours are over (for
    substance use), and whether a numb streak is current. Returns plain JSON-ready data:
    Python floats and ints, ``None`` where a figure cannot be computed (with a reason).
    """
    now = now_epoch if now_epoch is not None else (float(data.epoch[-1]) if data.n else None)
    feelings = _feelings(data)
    rated = data.rated()  # numbness figures skip the check-ins whose numbness was not rated
    patterns, tested = _patterns(rated, now)
    return {
        "n_checkins": data.n,
        "numbness": _numbness(rated, now),
        "granularity": _granularity(data),
        "variability": _variability(data, feelings),
        "flattening": _flattening(data, feelings, now),
        "patterns": patterns,
        "patterns_tested": tested,
    }
