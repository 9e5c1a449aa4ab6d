"""The insights page's sentences in the reader's language, made from the engine's figures.

The engine (a pure core) writes its reasons and pattern sentences in English, and its results are
cached per person, not per language; the API gives them as they are. The page rebuilds each sentence
it shows from the numbers beside it, so a Spanish reader gets Spanish and an English reader the very
same words as the engine's.
"""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import gettext, gettext_noop, ngettext

from thaw.insights import engine

# The mood map's quadrants, named in English as keys (views.QUADRANT_NAMES) and shown translated.
QUADRANTS = (gettext_noop("pleasant and lively"), gettext_noop("pleasant and calm"),
             gettext_noop("unpleasant and stirred up"), gettext_noop("unpleasant and low"))


def localised(result: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``result`` whose shown sentences are in the active language."""
    result = copy.deepcopy(result)
    numbness = result["numbness"]
    if numbness.get("trend_reason"):
        numbness["trend_reason"] = _trend_reason(numbness)
    for side in ("negative", "positive"):
        part = result["granularity"][side]
        if part.get("reason"):
            part["reason"] = _granularity_reason(part, negative=side == "negative")
    flattening = result["flattening"]
    flattening["label"] = gettext("Thaw's own descriptive profile, not a validated measure")
    if flattening.get("reason"):
        flattening["reason"] = _flattening_reason(flattening)
    for row in result["patterns"]:
        row["sentence"] = pattern_sentence(row)
    return result


def _trend_reason(numbness: dict[str, Any]) -> str:
    if not numbness["n"]:
        return gettext("No check-ins with a numbness rating yet.")
    weeks = numbness["trend_n_weeks"]
    return ngettext(
        "A trend needs check-ins in at least %(needed)s different weeks; there is %(weeks)s so far.",
        "A trend needs check-ins in at least %(needed)s different weeks; there are %(weeks)s so far.",
        weeks) % {"needed": engine.MIN_TREND_WEEKS, "weeks": weeks}


def _granularity_reason(part: dict[str, Any], *, negative: bool) -> str:
    n, k = part["n"], part["k"]
    if n < engine.MIN_GRANULARITY_ROWS:
        if negative:
            text = ngettext(
                "Granularity needs at least %(needed)s check-ins that name an unpleasant feeling; "
                "there is %(n)s so far.",
                "Granularity needs at least %(needed)s check-ins that name an unpleasant feeling; "
                "there are %(n)s so far.", n)
        else:
            text = ngettext(
                "Granularity needs at least %(needed)s check-ins that name a pleasant feeling; "
                "there is %(n)s so far.",
                "Granularity needs at least %(needed)s check-ins that name a pleasant feeling; "
                "there are %(n)s so far.", n)
        return text % {"needed": engine.MIN_GRANULARITY_ROWS, "n": n}
    if k < engine.MIN_GRANULARITY_FAMILIES:
        if negative:
            return (gettext("Granularity compares different kinds of unpleasant feelings; so far they all "
                            "come from one family.") if k == 1 else
                    gettext("Granularity compares different kinds of unpleasant feelings; so far they all "
                            "come from no family."))
        return (gettext("Granularity compares different kinds of pleasant feelings; so far they all "
                        "come from one family.") if k == 1 else
                gettext("Granularity compares different kinds of pleasant feelings; so far they all "
                        "come from no family."))
    if negative:
        return gettext("Your unpleasant feelings had the same overall strength in every check-in, "
                       "so there is no variation to compare yet.")
    return gettext("Your pleasant feelings had the same overall strength in every check-in, "
                   "so there is no variation to compare yet.")


def _flattening_reason(flattening: dict[str, Any]) -> str:
    recent, baseline = flattening["recent"], flattening["baseline"]
    n_recent, n_baseline = flattening["n_recent"], flattening["n_baseline"]
    if recent is None or baseline is None:
        return gettext("No check-ins yet.")
    least = engine.FLATTENING_MIN_CHECKINS
    if n_recent < least or n_baseline < least:
        return gettext(
            "Needs at least %(least)s check-ins in the last %(days)s days and %(least)s before them; "
            "there are %(recent)s and %(baseline)s.") % {
            "least": least, "days": engine.FLATTENING_WINDOW_DAYS, "recent": n_recent, "baseline": n_baseline}
    for profile, recent_window in ((recent, True), (baseline, False)):
        for key in ("n_positive", "n_negative"):
            count = profile[key]
            if count is None or count < engine.FLATTENING_MIN_VALENCE:
                values = {"least": engine.FLATTENING_MIN_VALENCE, "count": count}
                if key == "n_positive":
                    text = (gettext("Needs at least %(least)s check-ins naming a pleasant feeling in each period; "
                                    "the last 28 days had %(count)s.") if recent_window else
                            gettext("Needs at least %(least)s check-ins naming a pleasant feeling in each period; "
                                    "the earlier had %(count)s."))
                else:
                    text = (gettext("Needs at least %(least)s check-ins naming an unpleasant feeling in each "
                                    "period; the last 28 days had %(count)s.") if recent_window else
                            gettext("Needs at least %(least)s check-ins naming an unpleasant feeling in each "
                                    "period; the earlier had %(count)s."))
                return text % values
    return str(flattening["reason"])


def _factor_phrases(factor: str) -> tuple[str, str]:
    """What goes with a factor, and what goes without it: ("tagged work", "otherwise")."""
    from django.utils import translation

    from thaw.checkins.vocabulary import translation as vocabulary_translation

    kind, _, value = factor.partition(":")
    found = vocabulary_translation((translation.get_language() or "en").split("-")[0])
    if kind == "tag":
        tag = found.tags.get(value, value) if found is not None else value
        return gettext("tagged %(tag)s") % {"tag": tag}, gettext("otherwise")
    if kind == "body":
        if found is not None:
            label = found.body.label(value)
        else:
            region, _, feeling = value.partition("/")  # as the engine words it: "chest: tight"
            label = f"{region}: {feeling}" if feeling else region
        return gettext("with %(sensation)s") % {"sensation": label}, gettext("otherwise")
    if kind == "time":
        phrases = {"night": gettext("at night (0:00–5:59)"), "morning": gettext("in the morning (6:00–11:59)"),
                   "afternoon": gettext("in the afternoon (12:00–17:59)"),
                   "evening": gettext("in the evening (18:00–23:59)")}
        return phrases.get(value, value), gettext("at other times of day")
    if kind == "weekday":
        days = {"monday": gettext("on Mondays"), "tuesday": gettext("on Tuesdays"),
                "wednesday": gettext("on Wednesdays"), "thursday": gettext("on Thursdays"),
                "friday": gettext("on Fridays"), "saturday": gettext("on Saturdays"), "sunday": gettext("on Sundays")}
        return days.get(value, value), gettext("on other days")
    return gettext("followed by substance use within 24 hours"), gettext("when no use followed")


def pattern_sentence(row: dict[str, Any]) -> str:
    with_phrase, without_phrase = _factor_phrases(row["factor"])
    return gettext("On %(n)s check-ins %(with)s your numbness averaged %(mean_with)s, against %(mean_without)s "
                   "%(without)s.") % {
        "n": row["n_with"], "with": with_phrase, "mean_with": _one_decimal(row["mean_with"]),
        "mean_without": _one_decimal(row["mean_without"]), "without": without_phrase}


def _one_decimal(value: float) -> str:
    from django.utils.formats import get_format

    return f"{value:.1f}".replace(".", str(get_format("DECIMAL_SEPARATOR")))
