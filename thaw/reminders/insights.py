"""How reminders are answered, for the insights: the answer rate, and prompted check-ins beside
self-started ones. People tend to open Thaw when something is wrong; check-ins answering a random
moment show the rest of the day, so the two are shown side by side, each with its n."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Q

from thaw.checkins.models import CheckIn
from thaw.reminders.models import Prompt, PromptKind

# A prompt is "sent" once it reached a device or an inbox; "none" means nothing could reach them.
SENT_CHANNELS = ("push", "email")


def _window(field: str, since: datetime | None, until: datetime | None) -> Q:
    q = Q()
    if since is not None:
        q &= Q(**{f"{field}__gte": since})
    if until is not None:
        q &= Q(**{f"{field}__lte": until})
    return q


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def answer_rate(person: Any, since: datetime | None = None, until: datetime | None = None) -> dict[str, Any]:
    """Reminders (moments, not questionnaires) sent in the window and how many a check-in answered;
    check-ins in the window split by whether they answered a reminder, with the mean numbness of
    those where numbness was rated. Two queries."""
    prompts = Prompt.objects.filter(_window("due_at", since, until), person=person, kind=PromptKind.MOMENT,
                                     sent_at__isnull=False, channel__in=SENT_CHANNELS).aggregate(
        sent=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
    rows = (CheckIn.objects.filter(_window("at", since, until), person=person)
            .values(prompted=Q(prompt__isnull=False))
            .annotate(n=Count("id"), rated=Count("numbness"), numbness=Avg("numbness")))
    groups = {"prompted": {"n": 0, "n_rated": 0, "mean_numbness": None},
              "self_started": {"n": 0, "n_rated": 0, "mean_numbness": None}}
    for row in rows:
        groups["prompted" if row["prompted"] else "self_started"] = {
            "n": row["n"], "n_rated": row["rated"], "mean_numbness": _round(row["numbness"])}
    sent, answered = prompts["sent"], prompts["answered"]
    return {
        "sent": sent,
        "answered": answered,
        "answer_rate": round(answered / sent, 3) if sent else None,
        **groups,
    }
