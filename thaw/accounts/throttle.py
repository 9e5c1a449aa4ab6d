"""Brute-force protection for sign-in, on the web and for API tokens.

Three counters of failed sign-ins, kept in the shared database cache so every app server
sees the same numbers (none holds an email: accounts are keyed by a keyed hash):

- **account and address**: ``THAW_SIGNIN_ACCOUNT_LIMIT`` (10) failures for one account from
  one address within the window (15 minutes) refuse that address for that account until
  the window has passed. An attacker guessing from one address stops there, and the owner
  signing in from anywhere else is not locked out by it.
- **account, from every address**: from the same number of failures on, each further
  attempt for the account must wait a delay that doubles with every failure (1 s, 2 s,
  4 s … up to ``THAW_SIGNIN_MAX_DELAY_SECONDS``), counted from the last failure. It slows
  a guesser spread over many addresses without ever locking the owner out; the count
  starts again once the window passes without a failure.
- **address**: ``THAW_SIGNIN_IP_LIMIT`` (100) failures from one address, whatever the
  accounts, refuse that address until the window passes.

When an account is first slowed or one of its addresses refused, the event is audited and
the owner is emailed (once per episode; the email holds no health data). The address is
the socket's unless a trusted proxy count is configured. Reading and updating a counter
are not atomic: parallel attempts can exceed a limit by about the number of workers.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

PREFIX = "thaw:signin:"


def _now() -> float:
    return time.time()


def _digest(*parts: str) -> str:
    """A keyed hash: the email cannot be recovered by hashing guesses without the secret key."""
    text = "\x1f".join(p.strip().lower() for p in parts)
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def _account_key(email: str) -> str:
    return PREFIX + "account:" + _digest(email)


def _address_key(ip: str) -> str | None:
    return PREFIX + "ip:" + _digest("ip", ip) if ip else None


def _pair(ip: str) -> str:
    """An address's slot inside the account's entry (so erasure forgets both at once)."""
    return _digest("pair", ip or "-")[:32]


def _window() -> int:
    return int(settings.THAW_SIGNIN_WINDOW_SECONDS)


def _fixed_wait(entry: dict[str, Any] | None, limit: int, now: float) -> int:
    """Seconds left on a counter that refuses once it reaches ``limit`` within the window."""
    if not entry or entry["n"] < limit:
        return 0
    left = entry["first"] + _window() - now
    return int(left) + 1 if left > 0 else 0


def account_delay(failures: int) -> int:
    """The wait after the last failure once an account has ``failures`` recent ones."""
    over = failures - int(settings.THAW_SIGNIN_ACCOUNT_LIMIT)
    if over < 0:
        return 0
    return int(min(2 ** min(over, 30), settings.THAW_SIGNIN_MAX_DELAY_SECONDS))


def _account_wait(entry: dict[str, Any] | None, now: float) -> int:
    if not entry or now - entry["last"] > _window():
        return 0
    left = entry["last"] + account_delay(entry["n"]) - now
    return int(left) + 1 if left > 0 else 0


def _read(email: str, ip: str) -> tuple[str, str | None, dict[str, Any] | None, dict[str, Any] | None]:
    account_key, address_key = _account_key(email), _address_key(ip)
    found = cache.get_many([k for k in (account_key, address_key) if k])
    return account_key, address_key, found.get(account_key), found.get(address_key) if address_key else None


def retry_after(email: str, ip: str) -> int:
    """Seconds until another attempt for this account from this address is allowed; 0 when allowed now."""
    _, _, account, address = _read(email, ip)
    now = _now()
    pair = (account or {}).get("pairs", {}).get(_pair(ip))
    return max(
        _account_wait(account, now),
        _fixed_wait(pair, int(settings.THAW_SIGNIN_ACCOUNT_LIMIT), now),
        _fixed_wait(address, int(settings.THAW_SIGNIN_IP_LIMIT), now),
    )


def _counted(entry: dict[str, Any] | None, now: float) -> dict[str, Any]:
    if not entry or now - entry["first"] > _window():
        return {"n": 1, "first": now}
    return {**entry, "n": entry["n"] + 1}


def note_failure(email: str, ip: str, request: Any = None) -> None:
    from thaw.monitoring.metrics import SIGN_IN_FAILURES

    api = request is not None and getattr(request, "path", "").startswith("/api/")
    SIGN_IN_FAILURES.labels("api" if api else "web").inc()
    account_key, address_key, account, address = _read(email, ip)
    now = _now()
    # The account's count runs until a whole window passes without a failure.
    if not account or now - account["last"] > _window():
        account = {"n": 0, "first": now, "notified": False, "pairs": {}}
    pairs = {k: v for k, v in account["pairs"].items() if now - v["first"] <= _window()}
    pairs[_pair(ip)] = pair = _counted(pairs.get(_pair(ip)), now)
    account = {**account, "n": account["n"] + 1, "last": now, "pairs": pairs}
    limit = int(settings.THAW_SIGNIN_ACCOUNT_LIMIT)
    if not account["notified"] and (pair["n"] >= limit or account["n"] >= limit):
        account["notified"] = _tell_owner(email, ip, account["n"], refused_address=pair["n"] >= limit)
    updates = {account_key: account}
    if address_key:
        updates[address_key] = _counted(address, now)
    cache.set_many(updates, timeout=_window() + int(settings.THAW_SIGNIN_MAX_DELAY_SECONDS) + 60)


def note_success(email: str, ip: str) -> None:
    """A correct password from this address ends that address's count for the account (the
    account's own slow-down runs its course: a guesser elsewhere may still be at work)."""
    account_key = _account_key(email)
    account = cache.get(account_key)
    if account and account["pairs"].pop(_pair(ip), None) is not None:
        cache.set(account_key, account, timeout=_window() + int(settings.THAW_SIGNIN_MAX_DELAY_SECONDS) + 60)


def forget(email: str) -> None:
    """Erasure: drop the account's counts, its addresses' included."""
    cache.delete(_account_key(email))


def _tell_owner(email: str, ip: str, failures: int, *, refused_address: bool) -> bool:
    """Audit the slow-down and email the owner, if the email belongs to an account."""
    from django.db import transaction
    from django.utils.translation import gettext

    from thaw.accounts.models import User
    from thaw.audit.models import record
    from thaw.core.language import override_for
    from thaw.tasks.queue import send_email

    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None:
        return True  # no one to tell; nothing to audit about an account that does not exist
    minutes = _window() // 60
    with transaction.atomic():
        record("account.sign_in_throttled", person=user, address=ip or "unknown", failures=failures,
               refused_address=refused_address)
        with override_for(user):
            subject = gettext("Thaw: failed sign-ins to your account")
            body = gettext(
                "Someone has tried to sign in to your Thaw account with a wrong password %(failures)s times "
                "in the last %(minutes)s minutes.\n\n"
                "To protect your account, Thaw now refuses further tries from the address they came from "
                "and makes every other try wait a little longer. You can still sign in as usual.\n\n"
                "If this was you, there is nothing to do. If it was not, your account is safe as long as "
                "your password is not known to anyone else. To be sure, change your password (this also "
                "ends every API token) and turn on two-factor authentication in Settings.\n"
            ) % {"failures": failures, "minutes": minutes}
        send_email([user.email], subject, body, person=user)
    return True


def spend(action: str, who: object, *, limit: int, window: int) -> int:
    """Count one use of ``action`` by ``who`` in a fixed window; seconds to wait, 0 if allowed.

    Counters live in the database cache (``CACHES``), like allauth's sign-in limits, so every
    app server sees the same count. Only the action and the account id are in the key.
    """
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
