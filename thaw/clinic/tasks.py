"""Periodic clinic work for the worker: escalations and the disengagement rule."""

from __future__ import annotations

from datetime import datetime, timedelta

from thaw.clinic.services import run_disengagement, run_escalations
from thaw.tasks.queue import periodic


@periodic("clinic.escalations", every=timedelta(minutes=1))
def escalations(now: datetime) -> None:
    run_escalations(now)


@periodic("clinic.disengagement", every=timedelta(hours=1))
def disengagement(now: datetime) -> None:
    run_disengagement(now)
