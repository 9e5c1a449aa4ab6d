"""The request id: taken from the proxy's ``X-Request-ID`` when it is sane, made up otherwise.

It lives in a context variable for the length of a request (or of a background job, which
stores the id of the request that queued it), so every log line can carry it.
"""

from __future__ import annotations

import contextvars
import re
import uuid

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("thaw_request_id", default="")

# What we accept from outside: short, and only characters that cannot forge a log line.
_SANE = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def from_header(value: str) -> str:
    """The proxy's id if it looks like one, else a new one."""
    return value if value and _SANE.fullmatch(value) else uuid.uuid4().hex


def current() -> str:
    return REQUEST_ID.get()
