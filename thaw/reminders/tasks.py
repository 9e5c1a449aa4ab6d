"""The worker's reminder pass: due moments and questionnaires become prompts and go out."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from thaw.reminders.services import run_due
from thaw.tasks.queue import periodic


@periodic("reminders.due", every=timedelta(seconds=settings.THAW_REMINDER_POLL_SECONDS))
def reminders_due(now: datetime) -> None:
    run_due(now)
