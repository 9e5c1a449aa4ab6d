"""One plain sentence to lead each insights card: what a tired person would want to know first.

The figures behind each sentence (n, interval, test, q-value) stay on the page under "How we know";
no statistics word appears here. Pure functions of the engine's result, so they are tested alone;
the words are in the active language (gettext), made per request from the cached figures.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext, ngettext


def numbness(result: dict[str, Any]) -> str:
    n = result["numbness"]
    if not result["n_checkins"]:
        return gettext("You have not checked in during this time yet.")
    if n["mean"] is None:
        return gettext("You have not rated how numb you feel in this time yet, so there is nothing to compare.")
    level = round(n["mean"])
    if n["trend_ci95"] is None:
        return gettext("Your numbness has been about %(level)s out of 10. A few more weeks of check-ins will "
                       "show whether it is lifting.") % {"level": level}
    low, high = n["trend_ci95"]
    weeks = n["trend_n_weeks"]
    if high < 0:
        return gettext("You have been feeling less numb over these %(weeks)s weeks.") % {"weeks": weeks}
    if low > 0:
        return gettext("You have been feeling more numb over these %(weeks)s weeks.") % {"weeks": weeks}
    return gettext("Your numbness has stayed about the same over these %(weeks)s weeks, around %(level)s "
                   "out of 10.") % {"weeks": weeks, "level": level}


def patterns(result: dict[str, Any]) -> str:
    found = result["patterns"]
    if not found:
        return gettext("Nothing stands out yet as going with more or less numbness.")
    higher = sum(1 for p in found if p["direction"] == "higher")
    lower = len(found) - higher
    # The verb agrees with the first count (Spanish "coincidió"/"coincidieron"), so each sentence is
    # chosen by that count; a second count only names its things.
    if higher and lower:
        text = ngettext("%(n)s thing went with feeling more numb and %(other)s with feeling less numb.",
                        "%(n)s things went with feeling more numb and %(other)s with feeling less numb.",
                        higher) % {"n": higher, "other": _things(lower)}
    elif higher:
        text = ngettext("%(n)s thing went with feeling more numb.",
                        "%(n)s things went with feeling more numb.", higher) % {"n": higher}
    else:
        text = ngettext("%(n)s thing went with feeling less numb.",
                        "%(n)s things went with feeling less numb.", lower) % {"n": lower}
    below = ngettext("It is below, in your own check-ins' numbers.",
                     "Each is below, in your own check-ins' numbers.", len(found))
    return f"{text} {below}"


def _things(n: int) -> str:
    return ngettext("%(n)s thing", "%(n)s things", n) % {"n": n}


def mood(chart: dict[str, Any]) -> str:
    counts = dict(chart["quadrants"])
    unsure = chart["numb_or_unsure"]
    if not any(counts.values()) and not unsure:
        return gettext("Name a feeling when you check in and this shows where your feelings sit.")
    ranked = sorted([*counts.items(), ("", unsure)], key=lambda kv: kv[1], reverse=True)
    (place, most), (_, second) = ranked[0], ranked[1]
    if most == second:
        return gettext("Your feelings were spread over more than one place; no single one stood out.")
    if not place:
        return gettext("Most of your check-ins were numb or not sure, and that is worth knowing too.")
    return gettext("Most of your feelings sat in “%(place)s”.") % {"place": gettext(place)}


def granularity(result: dict[str, Any]) -> str:
    g = result["granularity"]
    neg, pos = g["negative"]["differentiation"], g["positive"]["differentiation"]
    words = g["vocabulary"]["distinct_words"]
    if neg is not None and pos is not None and abs(neg - pos) >= 0.25:
        if neg > pos:
            return gettext("You tell unpleasant feelings apart more finely than pleasant ones.")
        return gettext("You tell pleasant feelings apart more finely than unpleasant ones.")
    if words:
        return ngettext("You have named your feelings with %(n)s different word.",
                        "You have named your feelings with %(n)s different words.", words) % {"n": words}
    return gettext("Name a feeling when you check in and this shows how finely you tell them apart.")


def ups_and_downs(result: dict[str, Any]) -> str:
    if result["flattening"]["flattening"]:
        return gettext("Your feelings have been flatter lately than before.")
    mssd = result["variability"]["numbness_mssd"]
    if mssd is None:
        return gettext("Check in more than once on some days to see how your numbness moves within a day.")
    typical = round(math.sqrt(mssd))
    if typical < 1:
        return gettext("Within a day, your numbness stays about the same.")
    return ngettext("Within a day, your numbness typically moves about %(n)s point between check-ins.",
                    "Within a day, your numbness typically moves about %(n)s points between check-ins.",
                    typical) % {"n": typical}


def reminders(rate: dict[str, Any]) -> str:
    """The reminders card: what happened, never a judgement of unanswered ones, and no comparison
    of numbness (the two groups are shown side by side, not tested)."""
    sent, answered = rate["sent"], rate["answered"]
    if sent:
        text = ngettext("You answered %(answered)s of the %(sent)s reminder Thaw sent in this time.",
                        "You answered %(answered)s of the %(sent)s reminders Thaw sent in this time.",
                        sent) % {"answered": answered, "sent": sent}
        if answered < sent:
            text += " " + gettext("The others are fine to let go: a reminder is an offer, not a task.")
        return text
    return ngettext("Thaw sent no reminders in this time; %(n)s check-in answered an earlier one.",
                    "Thaw sent no reminders in this time; %(n)s check-ins answered earlier ones.",
                    rate["prompted"]["n"]) % {"n": rate["prompted"]["n"]}


def leads(result: dict[str, Any], mood_chart: dict[str, Any]) -> dict[str, str]:
    return {"numbness": numbness(result), "patterns": patterns(result), "mood": mood(mood_chart),
            "granularity": granularity(result), "ups_and_downs": ups_and_downs(result)}
