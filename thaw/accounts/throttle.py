"""Brute-force protection for sign-in, on the web and for API tokens.

Failures are kept in the database, so every app server sees the same count. After
``THAW_SIGNIN_ACCOUNT_LIMIT`` (10) failures for one account within the window (15
minutes), every further attempt for that account answers 429 until the window has
passed; a per-address limit (100) catches one address trying many accounts. The
address is the socket's unless a trusted proxy count is configured. The check and the
count are not atomic: parallel attempts can exceed the limit by about the number of
workers before the lock applies.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from thaw.accounts.models import SignInFailure


def _key(email: str) -> str:
    """A keyed hash: the email cannot be recovered by hashing guesses without the secret key."""
    return hmac.new(settings.SECRET_KEY.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()


def forget(email: str) -> None:
    """Erasure: drop the person's failed sign-ins."""
    SignInFailure.objects.filter(account=_key(email)).delete()


def retry_after(email: str, ip: str) -> int:
    """Seconds until another attempt is allowed; 0 when allowed now."""
    window = timedelta(seconds=settings.THAW_SIGNIN_WINDOW_SECONDS)
    since = timezone.now() - window
    waits = []
    for field, value, limit in (("account", _key(email), settings.THAW_SIGNIN_ACCOUNT_LIMIT),
                                ("ip", ip, settings.THAW_SIGNIN_IP_LIMIT)):
        if not value:
            continue
        recent = SignInFailure.objects.filter(**{field: value}, at__gte=since).order_by("-at")
        times = list(recent.values_list("at", flat=True)[:limit])
        if len(times) >= limit:
            waits.append(int((times[-1] + window - timezone.now()).total_seconds()) + 1)
    return max(waits, default=0)


def note_failure(email: str, ip: str) -> None:
    SignInFailure.objects.create(account=_key(email), ip=ip or "")
    # Old rows serve no purpose; drop them now and then.
    SignInFailure.objects.filter(at__lt=timezone.now() - timedelta(days=1)).delete()


def spend(action: str, who: object, *, limit: int, window: int) -> int:
    """Count one use of ``action`` by ``who`` in a fixed window; seconds to wait, 0 if allowed.

    Counters live in the database cache (``CACHES``), like allauth's sign-in limits, so every
    app server sees the same count. Only the action and the account id are in the key.
    """
    import time

    from django.core.cache import cache

    now = time.time()
    slot = int(now // window)
    key = f"thaw:limit:{action}:{who}:{slot}"
    cache.add(key, 0, timeout=window + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        used = 1
    if used > limit:
        return int((slot + 1) * window - now) + 1
    return 0
