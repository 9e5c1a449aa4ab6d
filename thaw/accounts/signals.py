"""Count failed sign-ins for brute-force protection."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_login_failed

from thaw.core.net import client_ip


def on_sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    from thaw.accounts.throttle import note_failure

    email = str(credentials.get("email") or credentials.get("username") or "")
    note_failure(email, client_ip(request))


def connect() -> None:
    user_login_failed.connect(on_sign_in_failed, dispatch_uid="thaw-sign-in-throttle")
