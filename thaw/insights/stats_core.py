"""The statistical building blocks behind insights, each small enough to check by hand.

Pure functions over numpy arrays: no Django, no I/O. ``engine`` combines them into the
insights a person sees; the tests cross-check them against independent implementations
(pingouin, scipy). Every function returns ``None`` rather than a number when the number
would not mean anything (too little data, no variance), so callers can say why.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Relative tolerance under which a sum of squares counts as zero: sums of squares of
# integer ratings that should cancel exactly leave rounding noise of about 1e-16.
_ZERO_SS = 1e-12


def icc3k(matrix: npt.ArrayLike) -> float | None:
    """ICC(3,k): two-way mixed, consistency, average measures (Shrout and Fleiss 1979).

    Rows are targets (here: check-ins), columns are raters (here: emotion families).
    From the two-way ANOVA without replication, ``(MS_rows - MS_error) / MS_rows``. The
    raw value is returned and may be negative. ``None`` when it is undefined: fewer than
    2 rows or columns, a non-finite cell, or no variance between rows (MS_rows == 0).
    """
    x = np.asarray(matrix, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"icc3k needs a 2-D matrix, got {x.ndim} dimension(s)")
    n, k = x.shape
    if n < 2 or k < 2 or not np.isfinite(x).all():
        return None
    centred = x - x.mean()
    row_dev = centred.mean(axis=1)
    col_dev = centred.mean(axis=0)
    ss_total = float(np.square(centred).sum())
    ss_rows = k * float(np.square(row_dev).sum())
    # The residual computed directly, not as a difference of sums, so it stays
    # non-negative and accurate when rows or columns explain almost everything.
    residual = centred - row_dev[:, None] - col_dev[None, :]
    ss_error = float(np.square(residual).sum())
    if ss_total == 0.0 or ss_rows <= _ZERO_SS * ss_total:
        return None
    ms_rows = ss_rows / (n - 1)
    ms_error = ss_error / ((n - 1) * (k - 1))
    icc = (ms_rows - ms_error) / ms_rows
    return icc if math.isfinite(icc) else None


def same_day_pairs(day: IntArray) -> BoolArray:
    """For successive entries i, i+1 (length len(day) - 1): True when both share a day."""
    return np.asarray(day[1:] == day[:-1], dtype=np.bool_)


def mssd_same_day(values: FloatArray, day: IntArray) -> tuple[float | None, int]:
    """Mean squared successive difference, over successive pairs on the same local day.

    ``values`` and ``day`` are in time order. A pair that spans midnight (or a gap of
    days) is not a "successive" moment and is left out, so overnight change does not
    count as moment-to-moment instability. Returns ``(mssd, n_pairs)``; the MSSD is
    ``None`` below 2 pairs.
    """
    if len(values) < 2:
        return None, 0
    diffs = np.diff(values)[same_day_pairs(day)]
    n_pairs = int(diffs.size)
    if n_pairs < 2:
        return None, n_pairs
    return float(np.mean(np.square(diffs))), n_pairs


def max_sd_bounded(mean: float, n: int, low: float, high: float) -> float:
    """The largest sample SD (ddof=1) that ``n`` values on ``[low, high]`` with ``mean`` can have.

    Exact, not the usual ``(M - a)(b - M) n / (n - 1)`` approximation: the variance is a
    convex function of the values, so on the set of values with a fixed sum it is largest
    at a vertex, where at most one value lies strictly inside the scale. Scaled to [0, 1]
    with ``S = n (M - a) / (b - a)``: ``floor(S)`` values at the top, one value at
    ``S - floor(S)``, the rest at the bottom. The approximation is exact when ``S`` is a
    whole number and overstates the maximum otherwise.
    """
    if n < 2:
        raise ValueError("a sample SD needs at least 2 values")
    if not low < high:
        raise ValueError("the scale needs low < high")
    width = high - low
    u = min(max((mean - low) / width, 0.0), 1.0)
    total = n * u
    at_top = math.floor(total + 1e-9)
    rest = min(max(total - at_top, 0.0), 1.0)
    sum_squares = at_top + rest * rest
    variance = max(sum_squares - n * u * u, 0.0) / (n - 1)
    return math.sqrt(variance) * width


def relative_variability(values: FloatArray, low: float, high: float) -> float | None:
    """Relative variability index (Mestdagh et al., 2018, Psychological Methods 23(4)).

    The sample SD divided by the largest SD possible for the same mean and number of
    observations on the bounded scale ``[low, high]`` (see ``max_sd_bounded``): 0 when
    every value is the same, 1 when the values are spread as far as the mean allows.
    ``None`` below 2 values or when the mean sits on a bound (no room to vary at all).
    """
    n = len(values)
    if n < 2:
        return None
    mean = float(np.mean(values))
    largest = max_sd_bounded(mean, n, low, high)
    if largest <= 1e-12 * (high - low):
        return None
    observed = float(np.std(values, ddof=1))
    return min(observed / largest, 1.0)


def benjamini_hochberg(p_values: npt.ArrayLike) -> FloatArray:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order.

    A hypothesis is a discovery at false discovery rate ``q`` when its adjusted value is
    at most ``q``. Same definition as ``scipy.stats.false_discovery_control(method="bh")``.
    """
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    if m == 0:
        return np.empty(0, dtype=np.float64)
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    q = np.empty(m, dtype=np.float64)
    q[order] = np.minimum(adjusted, 1.0)
    return q


def welch_t(
    mean_1: FloatArray,
    var_1: FloatArray,
    n_1: FloatArray,
    mean_0: FloatArray,
    var_0: FloatArray,
    n_0: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Welch's unequal-variance t-test on summary statistics, for many comparisons at once.

    Variances are sample variances (ddof=1). Returns ``(t, df, two-sided p)``; the same
    numbers as ``scipy.stats.ttest_ind(a, b, equal_var=False)``, without calling it once
    per comparison. Callers must drop comparisons where both variances are zero.
    """
    a = var_1 / n_1
    b = var_0 / n_0
    se2 = a + b
    t = (mean_1 - mean_0) / np.sqrt(se2)
    df = se2 * se2 / (a * a / (n_1 - 1) + b * b / (n_0 - 1))
    from scipy import special  # here, not at the top: a command that never tests starts faster

    p = 2.0 * special.stdtr(df, -np.abs(t))  # Student's t survival function, both tails
    return t, df, np.asarray(p, dtype=np.float64)


def hedges_g(
    mean_1: FloatArray,
    var_1: FloatArray,
    n_1: FloatArray,
    mean_0: FloatArray,
    var_0: FloatArray,
    n_0: FloatArray,
) -> FloatArray:
    """Hedges' g: Cohen's d with the pooled SD, times the small-sample correction J.

    ``J = 1 - 3 / (4 (n_1 + n_0) - 9)`` (Hedges 1981, the usual approximation). Positive
    when group 1's mean is higher.
    """
    pooled = np.sqrt(((n_1 - 1) * var_1 + (n_0 - 1) * var_0) / (n_1 + n_0 - 2))
    correction = 1.0 - 3.0 / (4.0 * (n_1 + n_0) - 9.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = (mean_1 - mean_0) / pooled
    return np.asarray(correction * d, dtype=np.float64)


def ols_trend(x: FloatArray, y: FloatArray) -> tuple[float, float, float] | None:
    """Ordinary least-squares slope of ``y`` on ``x`` with its 95 % confidence interval.

    The interval uses Student's t with ``n - 2`` degrees of freedom. ``None`` below 3
    points or when ``x`` does not vary. Returns ``(slope, low, high)``.
    """
    n = len(x)
    if n < 3:
        return None
    dx = x - x.mean()
    sxx = float(np.dot(dx, dx))
    if sxx <= 0.0:
        return None
    slope = float(np.dot(dx, y - y.mean())) / sxx
    residual = y - y.mean() - slope * dx
    s2 = float(np.dot(residual, residual)) / (n - 2)
    from scipy import special

    half = float(special.stdtrit(n - 2, 0.975)) * math.sqrt(s2 / sxx)  # Student's t quantile
    return slope, slope - half, slope + half


def day_mean_welch(
    y: FloatArray, with_mask: FloatArray, without_mask: FloatArray, day: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Welch's t-test between days, per column: the day's mean y with vs without a factor.

    ``with_mask`` and ``without_mask`` are n × F 0/1 matrices (a check-in may be in
    neither, e.g. when it cannot be classified yet); ``day`` labels each check-in's
    local day. Check-ins on the same day are not independent (a bad day lifts all of
    them), and a t-test over check-ins treats a day-level factor such as "Mondays" as if
    it had three times the data it has: in our simulations (day-to-day SD 1.5, SD 2
    within a day, ~3 check-ins a day) that test found a "pattern" in about a third of
    pure-noise people. So the unit is the day: for each day, the mean of its check-ins
    with the factor and, separately, of those without it; then Welch's test compares
    the two sets of day means. A day with both kinds of check-in contributes to both
    sides; with the usual positive within-day correlation that makes the test more
    cautious, not less (the shared day level is counted as noise on both sides).

    Returns ``(p, t, days_with, days_without)`` per column; ``p`` and ``t`` are ``nan``
    where a side has fewer than 2 days or neither side varies. ``welch_on_day_sums`` is
    the same test from per-day sums (what the engine builds from sparse factors).
    """
    _, day_of = np.unique(day, return_inverse=True)
    n_days = int(day_of.max()) + 1 if day_of.size else 0

    def sums(mask: FloatArray) -> tuple[FloatArray, FloatArray]:
        count = np.zeros((n_days, mask.shape[1]))
        total = np.zeros((n_days, mask.shape[1]))
        np.add.at(count, day_of, mask)
        np.add.at(total, day_of, mask * y[:, None])
        return count, total

    return welch_on_day_sums(*sums(with_mask), *sums(without_mask))


def welch_on_day_sums(
    count_with: FloatArray,
    total_with: FloatArray,
    count_without: FloatArray,
    total_without: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """``day_mean_welch`` from days × F matrices of check-in counts and sums of y."""

    def day_means(
        count: FloatArray, total: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        present = count > 0
        means = np.where(present, total / np.maximum(count, 1.0), 0.0)
        k = present.sum(axis=0).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = means.sum(axis=0) / k
            var = (np.square(means - mean) * present).sum(axis=0) / (k - 1)
        return mean, var, k

    m1, v1, k1 = day_means(count_with, total_with)
    m0, v0, k0 = day_means(count_without, total_without)
    usable = (k1 >= 2) & (k0 >= 2) & ((v1 > _ZERO_SS) | (v0 > _ZERO_SS))
    p = np.full(m1.shape, np.nan)
    t = np.full(m1.shape, np.nan)
    if usable.any():
        t_u, _, p_u = welch_t(
            m1[usable], v1[usable], k1[usable], m0[usable], v0[usable], k0[usable]
        )
        t[usable], p[usable] = t_u, p_u
    return p, t, k1, k0
