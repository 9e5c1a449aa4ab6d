"""The insights page: charts a person would rather look at than read, each with a table."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from thaw.checkins.vocabulary import vocabulary
from thaw.insights import plain, words
from thaw.insights.cache import cached_figures
from thaw.insights.data import GRANULARITY_WINDOW_DAYS, PersonSpan, granularity_span
from thaw.insights.engine import PATTERN_MIN_PER_SIDE, CheckInArrays
from thaw.learn import links
from thaw.reminders.insights import answer_rate

QUADRANT_NAMES = {
    (1, 1): "pleasant and lively", (1, -1): "pleasant and calm",
    (-1, 1): "unpleasant and stirred up", (-1, -1): "unpleasant and low",
}
WINDOWS = {"30": 30, "90": 90, "365": 365, "all": None}


def mood_points(arrays: CheckInArrays) -> dict[str, Any]:
    """Each check-in placed at the mean pleasantness and energy of its words (numb words excluded)."""
    vocab = vocabulary()
    sums: dict[int, list[float]] = {}
    for row, word_code, excluded in zip(arrays.emo_row.tolist(), arrays.emo_word.tolist(),
                                        arrays.emo_excluded.tolist(), strict=True):
        if excluded:
            continue
        emotion = vocab.get(arrays.words[word_code])
        if emotion is None:
            continue
        acc = sums.setdefault(row, [0.0, 0.0, 0.0])
        acc[0] += emotion.pleasantness
        acc[1] += emotion.energy
        acc[2] += 1
    cells: Counter[tuple[int, int]] = Counter()
    quadrants: Counter[str] = Counter()
    for p, e, k in sums.values():
        x, y = round(p / k), round(e / k)
        cells[(x, y)] += 1
        if x and y:
            quadrants[QUADRANT_NAMES[(1 if x > 0 else -1, 1 if y > 0 else -1)]] += 1
    ordered = sorted(cells.items())
    return {
        "x": [float(x) for (x, _), _ in ordered], "y": [float(y) for (_, y), _ in ordered],
        "count": [c for _, c in ordered],
        "quadrants": [(name, quadrants.get(name, 0)) for name in QUADRANT_NAMES.values()],
        "numb_or_unsure": int(len(set(arrays.emo_row.tolist())) - len(sums)),
    }


def granularity_over_time(person: Any, end: datetime, months: int = 12, *, span: PersonSpan | None = None,
                          with_substances: bool = True) -> list[dict[str, Any]]:
    """Differentiation over a trailing 90 days, month by month (the engine, run per window).

    ``span``: the person's check-ins already read for the page (covering ``granularity_span``);
    ``with_substances`` only says which of its cached results to reuse (granularity ignores them).
    """
    span = span or PersonSpan(person, granularity_span(end, months), end)
    points = []
    for back in range(months - 1, -1, -1):
        until = end - timedelta(days=30 * back)
        result = span.insights(until - timedelta(days=GRANULARITY_WINDOW_DAYS), until, until,
                               with_substances=with_substances)
        neg = result["granularity"]["negative"]
        pos = result["granularity"]["positive"]
        points.append({"t": int(until.timestamp()), "date": until.date().isoformat(),
                       "negative": neg["differentiation"], "positive": pos["differentiation"],
                       "n_negative": neg["n"], "n_positive": pos["n"]})
    return points


@login_required
def insights_page(request: HttpRequest) -> HttpResponse:
    window_key = request.GET.get("window", "90")
    if window_key not in WINDOWS:
        window_key = "90"
    days = WINDOWS[window_key]
    figures = cached_figures(request.user, window_key, lambda: _figures(request.user, days))
    since = timezone.now() - timedelta(days=days) if days else None
    # The prompts' answer rate is read fresh: a prompt answered or expired does not touch the figures' cache.
    reminders = answer_rate(request.user, since, None)
    # The lead sentences are words in the reader's language: made per request from the cached figures.
    lead = plain.leads(figures["result"], figures["charts"]["mood"])
    # The Learn article that fits (numb weeks, numb streaks), only while it is live.
    numbness = figures["result"]["numbness"]
    article = links.live(links.for_insights(numbness.get("longest_numb_streak"), numbness.get("mean")))
    lead["reminders"] = plain.reminders(reminders)
    # Two charts are drawn from figures read per request (reminders) or labelled in the reader's language.
    charts = {**figures["charts"], "ups": strength_bars(figures["result"]["flattening"]),
              "reminders": reminder_bars(reminders)}
    has_granularity = any(p["negative"] is not None or p["positive"] is not None for p in charts["granularity"])
    page = {**figures, "charts": charts, "result": words.localised(figures["result"])}
    return render(request, "insights/page.html", {
        **page, "lead": lead, "reminders": reminders, "article": article, "has_granularity": has_granularity,
        "mood_placed": sum(charts["mood"]["count"]), "pattern_min": PATTERN_MIN_PER_SIDE,
        "window_key": window_key, "windows": list(WINDOWS)})


def strength_bars(flattening: dict[str, Any]) -> dict[str, Any]:
    """Average strength of pleasant and unpleasant feelings, before the last 28 days and in them (the
    flattening check's own figures): one group of bars per kind of feeling, one series per period
    that has any figure."""
    feelings = (("positive_mean", gettext("pleasant")), ("negative_mean", gettext("unpleasant")))
    series = []
    for period, label in (("baseline", gettext("earlier")), ("recent", gettext("last 28 days"))):
        profile = flattening.get(period) or {}
        values = [profile.get(key) for key, _ in feelings]
        if any(v is not None for v in values):
            series.append({"label": label, "values": values})
    return {"groups": [name for _, name in feelings] if series else [], "series": series}


def reminder_bars(rate: dict[str, Any]) -> dict[str, Any]:
    """Mean numbness when answering a reminder and when started by the person: only when both have one."""
    prompted, own = rate["prompted"]["mean_numbness"], rate["self_started"]["mean_numbness"]
    if prompted is None or own is None:
        return {"labels": [], "values": []}
    return {"labels": [gettext("when Thaw asked"), gettext("on your own")], "values": [prompted, own]}


def _figures(person: Any, days: int | None) -> dict[str, Any]:
    now = timezone.now()
    since = now - timedelta(days=days) if days else None
    # One read of the check-ins for the window and the twelve granularity windows.
    span = PersonSpan(person, min(since, granularity_span(now)) if since else None, None)
    arrays = span.window(since, None)
    result = span.insights(since, None, now)
    weekly = result["numbness"]["weekly"]
    charts = {
        "numbness": {"t": [int(datetime.fromisoformat(w["week_start"]).replace(tzinfo=timezone.get_current_timezone())
                                .timestamp()) for w in weekly],
                     "mean": [w["mean"] for w in weekly], "n": [w["n"] for w in weekly]},
        "mood": mood_points(arrays),
        "granularity": granularity_over_time(person, now, span=span),
        "patterns": [{"factor": p["factor"], "with": p["mean_with"], "without": p["mean_without"]}
                     for p in result["patterns"]],
    }
    return {"result": result, "charts": charts}
