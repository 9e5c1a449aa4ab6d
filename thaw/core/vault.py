"""Encrypted values in the browser's session, for what must outlive one request but not a sign-out.

Sessions are rows in the database, so anything sensitive kept in one is sealed with the
key ring like every other free text (``thaw.crypto``): a secret shown once after a redirect
(a new API token, an invitation link), answers to a questionnaire in progress, or a form
that arrived after the session had ended. Each value is bound to its name, so a sealed
value copied under another name does not open. A value the key ring can no longer read
(the key was dropped) reads as missing.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest

from thaw import crypto

PREFIX = "thaw.vault:"


def _context(name: str) -> str:
    return f"session-vault:{name}"


def put(request: HttpRequest, name: str, value: Any) -> None:
    request.session[PREFIX + name] = crypto.encrypt(json.dumps(value), _context(name))


def get(request: HttpRequest, name: str, default: Any = None) -> Any:
    sealed = request.session.get(PREFIX + name)
    if not isinstance(sealed, str):
        return default
    try:
        return json.loads(crypto.decrypt(sealed, _context(name)))
    except (crypto.DecryptionError, ValueError):
        return default


def pop(request: HttpRequest, name: str, default: Any = None) -> Any:
    value = get(request, name, default)
    request.session.pop(PREFIX + name, None)
    return value


def names(request: HttpRequest, prefix: str = "") -> list[str]:
    return [key[len(PREFIX):] for key in list(request.session.keys()) if key.startswith(PREFIX + prefix)]
