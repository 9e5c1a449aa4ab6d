"""How substance use relates to numbness and feelings: pure statistics over numpy arrays.

The same rules as the insights engine (``thaw.insights.engine``), so a person can trust
both the same way:

- the day is the unit of every test (check-ins of one day are not independent);
- every test run here is in one Benjamini–Hochberg family (q = ``PATTERN_Q``), and a
  finding is told only when it survives it *and* the difference is large enough to
  matter (``PATTERN_MIN_DIFFERENCE`` points, or |Spearman's rho| >= ``MIN_RHO``);
- a test is run only with at least ``PATTERN_MIN_PER_SIDE`` observations on
  ``PATTERN_MIN_PER_SIDE`` different days on each side; otherwise it is listed with a
  plain reason instead of a number.

Three questions:

(a) Is numbness different in the 24 hours *after* a use than when nothing was used in the
    24 hours before? (The engine asks the mirror question: numbness *before* use.)
    Check-ins before the person started the log are left out: "no use logged" means
    nothing before then.
(b) Does craving go with feelings? For each craving rating (on a use or a craving that
    passed), the nearest check-in within ``PAIR_WINDOW`` (3 h): craving when the
    check-in's named feelings were mostly unpleasant versus mostly pleasant, and
    numbness against craving (Spearman over day means).
(c) How often "to stop feeling, to numb" was a reason: a share with its 95 % Wilson
    interval; descriptive, no test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext

from thaw.insights.engine import PATTERN_MIN_DIFFERENCE, PATTERN_MIN_PER_SIDE, PATTERN_Q
from thaw.insights.stats_core import (
    BoolArray,
    FloatArray,
    IntArray,
    benjamini_hochberg,
    day_mean_welch,
    hedges_g,
)
from thaw.validation import decimal

HOUR = 3600.0
AFTER_WINDOW = 24 * HOUR
PAIR_WINDOW = 3 * HOUR
MIN_RHO = 0.3
MIN_DAYS_FOR_CORRELATION = 10


@dataclass(frozen=True, eq=False)
class SubstanceData:
    """One person's check-ins and substance entries, as columns.

    Check-in columns share a row index; ``valence`` is the mean pleasantness of the
    check-in's named feelings (numb and "not sure" words left out), ``nan`` when none.
    ``use_craving`` is ``nan`` where no craving was rated. ``log_start`` is the epoch of
    the person's first substance entry (None: no entries).
    """

    checkin_epoch: FloatArray
    checkin_day: IntArray
    numbness: FloatArray  # NaN where the person did not rate numbness
    valence: FloatArray
    use_epoch: FloatArray
    use_substance: IntArray
    use_craving: FloatArray
    use_numb: BoolArray
    use_has_motive: BoolArray
    craving_epoch: FloatArray
    craving_intensity: FloatArray
    substances: tuple[str, ...]
    log_start: float | None = None

    @classmethod
    def build(cls, **columns: Any) -> SubstanceData:
        """From plain sequences (tests, callers): arrays of the right dtype, in time order."""
        f, i, b = np.float64, np.int64, np.bool_
        ce = np.asarray(columns.get("checkin_epoch", ()), dtype=f)
        order = np.argsort(ce, kind="stable")
        ue = np.asarray(columns.get("use_epoch", ()), dtype=f)
        n_uses = ue.size

        def uses(name: str, dtype: Any, fill: Any) -> Any:
            value = columns.get(name)
            return np.full(n_uses, fill, dtype=dtype) if value is None else np.asarray(value, dtype=dtype)

        return cls(
            checkin_epoch=ce[order],
            checkin_day=np.asarray(columns.get("checkin_day", np.floor_divide(ce, 86400)), dtype=i)[order],
            numbness=np.asarray(columns.get("numbness", ()), dtype=f)[order],
            valence=np.asarray(columns.get("valence", np.full(ce.size, np.nan)), dtype=f)[order],
            use_epoch=ue,
            use_substance=uses("use_substance", i, 0),
            use_craving=uses("use_craving", f, np.nan),
            use_numb=uses("use_numb", b, False),
            use_has_motive=uses("use_has_motive", b, False),
            craving_epoch=np.asarray(columns.get("craving_epoch", ()), dtype=f),
            craving_intensity=np.asarray(columns.get("craving_intensity", ()), dtype=f),
            substances=tuple(columns.get("substances", ("alcohol",))),
            log_start=columns.get("log_start"),
        )


@dataclass
class _Test:
    key: str
    label: str
    kind: str  # "difference" or "correlation"
    p: float
    figures: dict[str, Any]
    sentence: str


def _after(checkin_epoch: FloatArray, use_epoch: FloatArray) -> BoolArray:
    """For each check-in: was there a use in the 24 hours up to and including it?"""
    if use_epoch.size == 0:
        return np.zeros(checkin_epoch.size, dtype=np.bool_)
    uses = np.sort(use_epoch)
    last = np.searchsorted(uses, checkin_epoch, side="right") - 1
    has = last >= 0
    since = checkin_epoch - uses[np.maximum(last, 0)]
    return np.asarray(has & (since <= AFTER_WINDOW), dtype=np.bool_)


def substance_name(key: str) -> str:
    """A substance as the sentences name it: the key in English ("alcohol"), else the translated label."""
    from thaw.substances.units import SUBSTANCES

    found = SUBSTANCES.get(key)
    if found is None:
        return key
    translated = gettext(found.label)
    return key if translated == found.label else translated.lower()


def _side_problem(n_with: int, n_without: int, days_with: int, days_without: int, what: str) -> str | None:
    need = PATTERN_MIN_PER_SIDE
    if min(n_with, n_without) < need or min(days_with, days_without) < need:
        values = {"need": need, "n_with": n_with, "days_with": days_with, "n_without": n_without,
                  "days_without": days_without}
        if what == "check-ins":
            return gettext("Not enough data yet: this needs at least %(need)s check-ins on at least %(need)s "
                           "different days on each side (so far %(n_with)s on %(days_with)s days, and "
                           "%(n_without)s on %(days_without)s days).") % values
        return gettext("Not enough data yet: this needs at least %(need)s craving ratings on at least %(need)s "
                       "different days on each side (so far %(n_with)s on %(days_with)s days, and "
                       "%(n_without)s on %(days_without)s days).") % values
    return None


def _difference_test(
    key: str, label: str, y: FloatArray, with_: BoolArray, without: BoolArray, day: IntArray, *,
    what: str, sentence: str,
) -> _Test | str:
    """A day-level Welch test of y with vs without; a reason string when it cannot be run."""
    n1, n0 = int(with_.sum()), int(without.sum())
    d1, d0 = len(np.unique(day[with_])), len(np.unique(day[without]))
    problem = _side_problem(n1, n0, d1, d0, what)
    if problem:
        return problem
    p, _, _, _ = day_mean_welch(y, with_[:, None].astype(np.float64), without[:, None].astype(np.float64), day)
    if not np.isfinite(p[0]):
        return gettext("Not testable: the values did not vary at all.")
    a, b = y[with_], y[without]
    m1, m0 = float(a.mean()), float(b.mean())
    g = hedges_g(np.array([m1]), np.array([a.var(ddof=1)]), np.array([float(n1)]),
                 np.array([m0]), np.array([b.var(ddof=1)]), np.array([float(n0)]))[0]
    figures = {"mean_with": m1, "mean_without": m0, "difference": m1 - m0, "n_with": n1, "n_without": n0,
               "days_with": d1, "days_without": d0, "effect": float(g) if np.isfinite(g) else None}
    return _Test(key, label, "difference", float(p[0]), figures,
                 sentence % {"m1": decimal(m1, 1, fixed=True), "m0": decimal(m0, 1, fixed=True), "n1": n1, "n0": n0, "d1": d1, "d0": d0})


def _after_use_tests(data: SubstanceData) -> list[tuple[str, str, _Test | str]]:
    out: list[tuple[str, str, _Test | str]] = []
    if data.use_epoch.size == 0:
        return out
    start = data.log_start if data.log_start is not None else float(data.use_epoch.min())
    rated = ~np.isnan(data.numbness)  # check-ins whose numbness was not rated are on neither side
    eligible = (data.checkin_epoch >= start) & rated
    numbness = np.where(rated, data.numbness, 0.0)
    after_any = _after(data.checkin_epoch, data.use_epoch) & eligible
    clear = eligible & ~after_any
    groups: list[tuple[str, str, BoolArray]] = [("after_use:any", "any substance", after_any)]
    used = sorted(set(data.use_substance.tolist()))
    if len(used) > 1:  # with one substance the per-substance test is the same test again
        for code in used:
            name = data.substances[code]
            mask = _after(data.checkin_epoch, data.use_epoch[data.use_substance == code]) & eligible
            groups.append((f"after_use:{name}", name, mask))
    for key, name, mask in groups:
        used_what = gettext("anything") if name == "any substance" else substance_name(name)
        label = gettext("Numbness in the 24 hours after using %(what)s") % {"what": used_what}
        sentence = gettext("In the 24 hours after using %(what)s, numbness averaged %%(m1)s over %%(n1)s check-ins "
                           "(%%(d1)s days), against %%(m0)s over %%(n0)s check-ins (%%(d0)s days) with nothing "
                           "used in the 24 hours before.") % {"what": used_what}
        result = _difference_test(
            key, label, numbness, mask, clear, data.checkin_day, what="check-ins", sentence=sentence,
        )
        out.append((key, label, result))
    return out


def _pairs(data: SubstanceData) -> tuple[FloatArray, IntArray]:
    """Each craving rating with the index of the nearest check-in within PAIR_WINDOW (-1: none)."""
    rated = ~np.isnan(data.use_craving)
    epochs = np.concatenate((data.use_epoch[rated], data.craving_epoch))
    values = np.concatenate((data.use_craving[rated], data.craving_intensity))
    if data.checkin_epoch.size == 0 or epochs.size == 0:
        return values, np.full(values.size, -1, dtype=np.int64)
    ce = data.checkin_epoch
    right = np.searchsorted(ce, epochs)
    left = np.maximum(right - 1, 0)
    right = np.minimum(right, ce.size - 1)
    pick = np.where(np.abs(ce[left] - epochs) <= np.abs(ce[right] - epochs), left, right)
    near = np.abs(ce[pick] - epochs) <= PAIR_WINDOW
    return values, np.where(near, pick, -1).astype(np.int64)


def _craving_tests(data: SubstanceData) -> list[tuple[str, str, _Test | str]]:
    craving, idx = _pairs(data)
    paired = idx >= 0
    craving, idx = craving[paired], idx[paired]
    out: list[tuple[str, str, _Test | str]] = []
    label = gettext("Craving when feelings were mostly unpleasant, against mostly pleasant")
    together = gettext("Numbness and craving together")
    if craving.size == 0:
        reason = gettext("Not enough data yet: this needs craving ratings with a check-in within 3 hours "
                         "(none so far).")
        return [("craving:unpleasant", label, reason),
                ("craving:numbness", together, reason)]
    valence = data.valence[idx]
    day = data.checkin_day[idx]
    unpleasant = np.nan_to_num(valence, nan=0.0) < 0
    pleasant = np.nan_to_num(valence, nan=0.0) > 0
    out.append(("craving:unpleasant", label, _difference_test(
        "craving:unpleasant", label, craving, unpleasant, pleasant, day, what="craving ratings",
        sentence=gettext("Near check-ins naming mostly unpleasant feelings, craving averaged %(m1)s out of 10 "
                         "(%(n1)s ratings, %(d1)s days), against %(m0)s near mostly pleasant ones (%(n0)s ratings, "
                         "%(d0)s days)."),
    )))
    numbness = data.numbness[idx]
    rated = ~np.isnan(numbness)  # pairs with a check-in whose numbness was not rated say nothing here
    out.append(("craving:numbness", together, _correlation_test(
        craving[rated], numbness[rated], day[rated])))
    return out


def _correlation_test(craving: FloatArray, numbness: FloatArray, day: IntArray) -> _Test | str:
    days, day_of = np.unique(day, return_inverse=True)
    if days.size < MIN_DAYS_FOR_CORRELATION:
        return gettext("Not enough data yet: this needs craving ratings next to check-ins on at least "
                       "%(need)s different days (so far %(days)s).") % {"need": MIN_DAYS_FOR_CORRELATION,
                                                                       "days": days.size}
    count = np.bincount(day_of).astype(np.float64)
    c = np.bincount(day_of, weights=craving) / count
    n = np.bincount(day_of, weights=numbness) / count
    if np.ptp(c) == 0 or np.ptp(n) == 0:
        return gettext("Not testable: craving or numbness did not vary from day to day.")
    from scipy import stats  # here: scipy.stats takes most of a second to import, every start

    rho, p = stats.spearmanr(c, n)
    rho, p = float(rho), float(p)
    if not (math.isfinite(rho) and math.isfinite(p)):
        return gettext("Not testable: craving or numbness did not vary from day to day.")
    values = {"days": days.size, "rho": decimal(rho, 2, fixed=True), "n": craving.size}
    if rho > 0:
        sentence = gettext("Over %(days)s days with craving ratings next to a check-in, days with stronger craving "
                           "tended to have higher numbness (Spearman's rho %(rho)s; %(n)s ratings).") % values
    else:
        sentence = gettext("Over %(days)s days with craving ratings next to a check-in, days with stronger craving "
                           "tended to have lower numbness (Spearman's rho %(rho)s; %(n)s ratings).") % values
    return _Test("craving:numbness", gettext("Numbness and craving together"), "correlation", p,
                 {"rho": rho, "days": int(days.size), "n": int(craving.size)}, sentence)


def wilson_interval(k: int, n: int, z: float = 1.959964) -> tuple[float, float] | None:
    """95 % Wilson score interval for a proportion k/n; None when n is 0."""
    if n <= 0:
        return None
    phat = k / n
    denom = 1 + z * z / n
    centre = (phat + z * z / (2 * n)) / denom
    half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _numb_motive(data: SubstanceData) -> dict[str, Any]:
    with_reason = int(data.use_has_motive.sum())
    numb = int((data.use_numb & data.use_has_motive).sum())
    interval = wilson_interval(numb, with_reason)
    by_substance = []
    for code, name in enumerate(data.substances):
        mine = (data.use_substance == code) & data.use_has_motive
        if mine.any():
            by_substance.append({"substance": name, "numb": int((data.use_numb & mine).sum()), "with_reason": int(mine.sum())})
    return {
        "n_uses": int(data.use_epoch.size), "with_reason": with_reason, "numb": numb,
        "share": numb / with_reason if with_reason else None,
        "interval": list(interval) if interval else None,
        "by_substance": by_substance,
        "reason": None if with_reason else gettext("No uses with a reason recorded yet."),
    }


def analyse(data: SubstanceData) -> dict[str, Any]:
    """Every substance insight for one person; JSON-ready, every figure with its n."""
    candidates = _after_use_tests(data) + _craving_tests(data)
    tests = [(key, label, r) for key, label, r in candidates if isinstance(r, _Test)]
    not_tested = [{"test": key, "label": label, "reason": r} for key, label, r in candidates if isinstance(r, str)]
    q = benjamini_hochberg([t.p for _, _, t in tests]) if tests else np.empty(0)
    rows = []
    for (key, label, test), q_value in zip(tests, q.tolist(), strict=True):
        assert isinstance(test, _Test)
        if test.kind == "difference":
            large = abs(test.figures["difference"]) >= PATTERN_MIN_DIFFERENCE - 1e-9
        else:
            large = abs(test.figures["rho"]) >= MIN_RHO
        rows.append({"test": key, "label": label, "kind": test.kind, **test.figures, "p": test.p, "q": q_value,
                     "sentence": test.sentence, "reported": bool(q_value <= PATTERN_Q and large)})
    rows.sort(key=lambda r: r["q"])
    return {
        "n_checkins": int(data.checkin_epoch.size),
        "n_uses": int(data.use_epoch.size),
        "n_cravings": int(data.craving_epoch.size),
        "q_threshold": PATTERN_Q,
        "min_difference": PATTERN_MIN_DIFFERENCE,
        "min_rho": MIN_RHO,
        "findings": [r for r in rows if r["reported"]],
        "tests": rows,
        "not_tested": not_tested,
        "numb_motive": _numb_motive(data),
    }
