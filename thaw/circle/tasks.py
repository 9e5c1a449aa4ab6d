"""Periodic work for the trusted circle, run by the worker (``thaw serve`` or ``thaw worker``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from thaw.circle.services import run_check_on_me
from thaw.tasks.queue import periodic


@periodic("circle.check_on_me", every=timedelta(seconds=settings.THAW_CHECK_ON_ME_SECONDS))
def check_on_me(now: datetime) -> None:
    run_check_on_me(now)
