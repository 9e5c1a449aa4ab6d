"""Record sign-ins, failed sign-ins and two-factor changes in the audit trail."""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed

from thaw.audit.models import record
from thaw.core.net import client_ip


def on_signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record("account.signed_in", actor=user, person=user, ip=client_ip(request))


def on_sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    email = str(credentials.get("email") or credentials.get("username") or "").strip().lower()
    person = get_user_model().objects.filter(email=email).first() if email else None
    if person is not None:  # an unknown address is not anyone's data
        record("account.sign_in_failed", person=person, ip=client_ip(request))


def on_mfa_change(action: str) -> Any:
    def handler(sender: Any, request: Any, user: Any, authenticator: Any = None, **kwargs: Any) -> None:
        kind = getattr(authenticator, "type", "") if authenticator is not None else ""
        record(action, actor=user, person=user, method=str(kind), ip=client_ip(request))

    return handler


_handlers = {name: on_mfa_change(f"mfa.{name}") for name in ("authenticator_added", "authenticator_removed",
                                                              "authenticator_reset")}


def connect() -> None:
    user_logged_in.connect(on_signed_in, dispatch_uid="thaw-audit-signed-in")
    user_login_failed.connect(on_sign_in_failed, dispatch_uid="thaw-audit-sign-in-failed")
    for name, handler in _handlers.items():
        signal = getattr(mfa_signals, name, None)
        if signal is not None:
            signal.connect(handler, dispatch_uid=f"thaw-audit-{name}")
