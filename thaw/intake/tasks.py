"""Background work for intake: the retention rule, run by the worker (``thaw serve`` or ``thaw worker``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from thaw.intake.services import apply_retention
from thaw.tasks.queue import periodic


@periodic("intake.retention", every=timedelta(hours=6))
def retention(now: datetime) -> None:
    apply_retention(now)
