"""API: the person's insights over a window."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from thaw.checkins.rules import CheckInInvalid, parse_bound
from thaw.insights.service import insights_for
from thaw.text import SHORT, Text

router = Router(tags=["insights"])


@router.get("/insights", summary="When numbness comes, granularity, variability, patterns")
def get_insights(request: HttpRequest, response: HttpResponse, since: Text(SHORT) | None = None,
                 until: Text(SHORT) | None = None) -> dict[str, Any]:
    """Statistics over your check-ins between ``since`` and ``until`` (ISO-8601, inclusive; default: all).

    Patterns are reported only when they survive a false-discovery-rate control
    (Benjamini-Hochberg, q = 0.10) across every factor tested; every figure states its n.
    """
    window: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in (("since", since), ("until", until)):
        if value:
            try:
                window[name] = parse_bound(value, request.user.tzinfo, end=name == "until")
            except ValueError:
                errors[name] = "must be an ISO-8601 date or date and time, e.g. 2026-03-01T00:00:00Z"
    if not errors and window.get("since") and window.get("until") and window["since"] > window["until"]:
        errors["since"] = "is after until"
    if errors:
        raise CheckInInvalid(errors)
    result = insights_for(request.user, window.get("since"), window.get("until"))
    timing = result.pop("timing_ms")
    response["Server-Timing"] = f"load;dur={timing['load']}, analytics;dur={timing['analytics']}"
    return result
