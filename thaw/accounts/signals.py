"""Account events: count failed sign-ins, and end every credential when a password changes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal

from thaw.core.net import client_ip

# Sent after a password was changed or reset (by the person, a reset link or ``thaw``), with
# ``user``. Receivers end whatever lets someone act as the person without the new password.
password_changed = Signal()


def on_sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    from thaw.accounts.throttle import note_failure

    email = str(credentials.get("email") or credentials.get("username") or "")
    note_failure(email, client_ip(request), request)


def on_signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from thaw.accounts.resume import forget_others
    from thaw.accounts.throttle import note_success

    note_success(user.email, client_ip(request))
    if request is not None and hasattr(request, "session"):
        forget_others(request, user)  # what someone else entered on this browser is never shown to this account


def on_signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and not getattr(request, "thaw_idle_sign_out", False):
        request.thaw_signed_out_on_purpose = True  # thaw.accounts.resume forgets whose browser this was


def revoke_tokens(sender: Any, user: Any, **kwargs: Any) -> None:
    """Every API token dies. Other browser sessions die through Django's session hash (it
    covers the password), and allauth keeps the session that made the change signed in."""
    from django.db import transaction
    from django.utils import timezone

    from thaw.accounts.models import ApiToken
    from thaw.audit.models import record

    with transaction.atomic():
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        record("account.password_changed", actor=user, person=user, tokens_revoked=revoked)


def connect() -> None:
    user_login_failed.connect(on_sign_in_failed, dispatch_uid="thaw-sign-in-throttle")
    user_logged_in.connect(on_signed_in, dispatch_uid="thaw-sign-in-throttle-success")
    user_logged_out.connect(on_signed_out, dispatch_uid="thaw-signed-out")
    password_changed.connect(revoke_tokens, dispatch_uid="thaw-revoke-tokens")
