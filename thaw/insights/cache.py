"""The insights page's figures, kept in the shared cache until the person's data changes.

The page runs the engine thirteen times over up to a year of check-ins (hundreds of ms);
the figures only change when the person's check-ins or substance log change, or as time
moves on. So they are cached in ``CACHES["default"]`` (the database cache, shared by every
app server) under a key made of what they depend on: the person, the window, the time zone,
the hour, and a stamp of the data (how many check-ins and uses, and the latest change). A
check-in written on any server changes the stamp, so the next view on every server computes
afresh: nothing needs to be invalidated by hand, and no write path pays for it. Each view
pays one small aggregate query instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from thaw.monitoring.metrics import PAGE_CACHE

KEEP_SECONDS = 3600


def data_stamp(person: Any) -> str:
    from thaw.checkins.models import CheckIn
    from thaw.substances.models import SubstanceUse

    parts = []
    for model in (CheckIn, SubstanceUse):
        row = model.objects.filter(person=person).aggregate(n=Count("id"), latest=Max("updated_at"))
        parts.append(f"{row['n']}:{row['latest'].timestamp() if row['latest'] else 0}")
    return "/".join(parts)


def cached_figures(person: Any, window: str, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    now = timezone.now()
    identity = f"{data_stamp(person)}|{timezone.get_current_timezone_name()}|{now:%Y-%m-%dT%H}"
    key = f"thaw:insights:{person.pk}:{window}:{hashlib.sha256(identity.encode()).hexdigest()[:24]}"
    figures = cache.get(key)
    if figures is not None:
        PAGE_CACHE.labels("insights", "hit").inc()
        return figures  # type: ignore[no-any-return]
    PAGE_CACHE.labels("insights", "miss").inc()
    figures = build()
    cache.set(key, figures, KEEP_SECONDS)
    return figures
