"""One plain sentence to lead each insights card: what a tired person would want to know first.

The figures behind each sentence (n, interval, test, q-value) stay on the page under "How we know";
no statistics word appears here. Pure functions of the engine's result, so they are tested alone.
"""

from __future__ import annotations

import math
from typing import Any


def numbness(result: dict[str, Any]) -> str:
    n = result["numbness"]
    if not result["n_checkins"]:
        return "You have not checked in during this time yet."
    if n["mean"] is None:
        return "You have not rated how numb you feel in this time yet, so there is nothing to compare."
    level = round(n["mean"])
    if n["trend_ci95"] is None:
        return (f"Your numbness has been about {level} out of 10. A few more weeks of check-ins will "
                "show whether it is lifting.")
    low, high = n["trend_ci95"]
    weeks = n["trend_n_weeks"]
    if high < 0:
        return f"You have been feeling less numb over these {weeks} weeks."
    if low > 0:
        return f"You have been feeling more numb over these {weeks} weeks."
    return f"Your numbness has stayed about the same over these {weeks} weeks, around {level} out of 10."


def patterns(result: dict[str, Any]) -> str:
    found = result["patterns"]
    if not found:
        return "Nothing stands out yet as going with more or less numbness."
    higher = sum(1 for p in found if p["direction"] == "higher")
    lower = len(found) - higher
    parts = []
    if higher:
        parts.append(f"{_count(higher, 'thing')} went with feeling more numb")
    if lower:
        parts.append(f"{_count(lower, 'thing')} with feeling less numb")
    return " and ".join(parts).capitalize() + ". Each is below, in your own check-ins' numbers."


def mood(chart: dict[str, Any]) -> str:
    counts = dict(chart["quadrants"])
    unsure = chart["numb_or_unsure"]
    if not any(counts.values()) and not unsure:
        return "Name a feeling when you check in and this shows where your feelings sit."
    ranked = sorted([*counts.items(), ("", unsure)], key=lambda kv: kv[1], reverse=True)
    (place, most), (_, second) = ranked[0], ranked[1]
    if most == second:
        return "Your feelings were spread over more than one place; no single one stood out."
    if not place:
        return "Most of your check-ins were numb or not sure, and that is worth knowing too."
    return f"Most of your feelings sat in “{place}”."


def granularity(result: dict[str, Any]) -> str:
    g = result["granularity"]
    neg, pos = g["negative"]["differentiation"], g["positive"]["differentiation"]
    words = g["vocabulary"]["distinct_words"]
    if neg is not None and pos is not None and abs(neg - pos) >= 0.25:
        finer, other = ("unpleasant", "pleasant") if neg > pos else ("pleasant", "unpleasant")
        return f"You tell {finer} feelings apart more finely than {other} ones."
    if words:
        return f"You have named your feelings with {_count(words, 'different word')}."
    return "Name a feeling when you check in and this shows how finely you tell them apart."


def ups_and_downs(result: dict[str, Any]) -> str:
    if result["flattening"]["flattening"]:
        return "Your feelings have been flatter lately than before."
    mssd = result["variability"]["numbness_mssd"]
    if mssd is None:
        return "Check in more than once on some days to see how your numbness moves within a day."
    typical = round(math.sqrt(mssd))
    if typical < 1:
        return "Within a day, your numbness stays about the same."
    return f"Within a day, your numbness typically moves about {_count(typical, 'point')} between check-ins."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def leads(result: dict[str, Any], mood_chart: dict[str, Any]) -> dict[str, str]:
    return {"numbness": numbness(result), "patterns": patterns(result), "mood": mood(mood_chart),
            "granularity": granularity(result), "ups_and_downs": ups_and_downs(result)}
