"""Enqueue background jobs, and the registry of what each kind of job does.

``enqueue`` only writes a row; call it inside the transaction that decided the work
should happen. ``handler`` registers the function for a kind; ``periodic`` registers a
function the worker calls on a schedule (at most once per period across all workers).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.mail import EmailMessage
from django.utils import timezone

from thaw.monitoring.requestid import current as current_request_id
from thaw.tasks.models import Job

Handler = Callable[[dict[str, Any]], None]

_HANDLERS: dict[str, Handler] = {}


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    run: Callable[[datetime], None]


_PERIODIC: dict[str, Periodic] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        _HANDLERS[kind] = function
        return function

    return register


def periodic(name: str, every: timedelta) -> Callable[[Callable[[datetime], None]], Callable[[datetime], None]]:
    def register(function: Callable[[datetime], None]) -> Callable[[datetime], None]:
        _PERIODIC[name] = Periodic(name, every, function)
        return function

    return register


def handlers() -> dict[str, Handler]:
    return dict(_HANDLERS)


def periodic_tasks() -> list[Periodic]:
    return list(_PERIODIC.values())


def enqueue(kind: str, payload: dict[str, Any], *, person: Any = None, run_after: datetime | None = None,
            max_attempts: int = 8) -> Job:
    if kind not in _HANDLERS:
        raise ValueError(f"no handler registered for job kind {kind!r}")
    return Job.objects.create(kind=kind, payload=json.dumps(payload), person=person,
                              run_after=run_after or timezone.now(), max_attempts=max_attempts,
                              request_id=current_request_id())


def send_email(to: list[str], subject: str, body: str, *, person: Any = None, reply_to: list[str] | None = None) -> Job:
    """Queue one email; the worker sends it through Django's email framework, retrying on failure."""
    return enqueue("email.send", {"to": to, "subject": subject, "body": body, "reply_to": reply_to or []},
                   person=person)


@handler("email.send")
def _send(payload: dict[str, Any]) -> None:
    message = EmailMessage(subject=payload["subject"], body=payload["body"], to=payload["to"],
                           reply_to=payload.get("reply_to") or None)
    message.send(fail_silently=False)
