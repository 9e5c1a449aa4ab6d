"""The weekly summary on the home page: this week against last week, in a sentence or two."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from django.db.models import Avg, Count
from django.utils import timezone

from thaw.checkins.models import CheckIn, CheckInEmotion


def weekly_summary(person: Any) -> dict[str, Any]:
    now = timezone.now()
    this_week = CheckIn.objects.filter(person=person, at__gt=now - timedelta(days=7), at__lte=now)
    last_week = CheckIn.objects.filter(person=person, at__gt=now - timedelta(days=14), at__lte=now - timedelta(days=7))
    # Avg and Count("numbness") skip check-ins whose numbness was not rated.
    current = this_week.aggregate(n=Count("id"), rated=Count("numbness"), mean=Avg("numbness"))
    previous = last_week.aggregate(n=Count("id"), mean=Avg("numbness"))
    words = Counter(
        CheckInEmotion.objects.filter(checkin__in=this_week.values("id")).values_list("word", flat=True)
    ).most_common(3)
    change = None
    if current["mean"] is not None and previous["mean"] is not None:
        change = current["mean"] - previous["mean"]
    return {"n": current["n"], "rated": current["rated"], "mean": current["mean"], "previous_n": previous["n"],
            "previous_mean": previous["mean"], "change": change, "top_words": [w for w, _ in words]}
