"""Structured logs: one JSON object per line, with the request id, and nothing personal.

Log lines leave Thaw (journald, a log shipper), so they carry what an operator needs and
no health data: no notes, no email addresses, no scores, no tokens. Thaw's own messages are
written that way; as a second line of defence this formatter replaces anything shaped like
an email address or a Thaw token, and Django's request warnings are reduced to the status
and the route (their message would otherwise carry the path, and a path can hold a token).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import re2

from thaw.monitoring.requestid import current

# Linear-time patterns (RE2): log text can come from anywhere.
_EMAIL = re2.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_TOKEN = re2.compile(r"thaw_[A-Za-z0-9_-]{8,}")
_REQUEST_LOGGERS = ("django.request", "django.security", "django.server")


def scrub(text: str) -> str:
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    if "thaw_" in text:
        text = _TOKEN.sub("[token]", text)
    return text


def _message(record: logging.LogRecord) -> str:
    if record.name.startswith(_REQUEST_LOGGERS) and hasattr(record, "request"):
        from thaw.monitoring.middleware import route_of

        status = getattr(record, "status_code", "")
        return f"{record.levelname.lower()}: status {status} on route {route_of(record.request)}"  # type: ignore[attr-defined]
    return record.getMessage()


class JsonFormatter(logging.Formatter):
    """``{"ts": …, "level": …, "logger": …, "msg": …, "request_id": …}`` plus any ``extra``
    fields a caller passes under the key ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": scrub(_message(record)),
        }
        request_id = getattr(record, "request_id", None) or current()
        if request_id:
            entry["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)
