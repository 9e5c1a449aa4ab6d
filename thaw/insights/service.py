"""Insights for one person over a window: load, compute, and time both parts."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.utils import timezone

from thaw.insights.data import load_arrays
from thaw.insights.engine import compute_insights


def insights_for(person: Any, since: datetime | None = None, until: datetime | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    arrays = load_arrays(person, since, until)
    loaded = time.perf_counter()
    # "Now" is the end of the window, or the real now: a person who stopped checking in
    # months ago has no "current" numb streak and no "recent" flattening.
    now = until or timezone.now()
    result = compute_insights(arrays, now_epoch=min(now, timezone.now()).timestamp())
    done = time.perf_counter()
    from thaw.reminders.insights import answer_rate

    result["reminders"] = answer_rate(person, since, until)  # answered reminders; prompted vs self-started
    result["timing_ms"] = {"load": round((loaded - started) * 1000, 2), "analytics": round((done - loaded) * 1000, 2)}
    return result
