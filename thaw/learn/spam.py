"""Keeping spam out of the public forms without any third party: a honeypot box people never
see, a time trap (a signed "form shown at" time: a person takes a few seconds, a script none),
and a rate limit per sender's address (``thaw.accounts.throttle.spend``: the database cache,
shared by every app server; the address itself is only ever used as a keyed hash)."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

MIN_SECONDS = 3
MAX_AGE = timedelta(days=1)
HONEYPOT = "website"


def started_token(purpose: str) -> str:
    return signing.TimestampSigner(salt=f"thaw.spam.{purpose}").sign(str(int(timezone.now().timestamp())))


def check(request: HttpRequest, purpose: str, what: str) -> str | None:
    """Why this submission looks like a script's (the honeypot was filled, or the timing is off),
    or None. Nothing is saved then; the form comes back with what was typed, so a person who was
    caught by mistake (an over-eager autofill, say) just sends it again."""
    if request.POST.get(HONEYPOT):
        return gettext("This could not be sent. %(what)s is still here: please send it again.") % {"what": what}
    return time_trap(request, purpose, what)


def time_trap(request: HttpRequest, purpose: str, what: str) -> str | None:
    """Why the form's timing looks like a script or a stale page (a message saying ``what`` is
    kept), or None when it looks like a person."""
    token = request.POST.get("started", "")
    signer = signing.TimestampSigner(salt=f"thaw.spam.{purpose}")
    try:
        signer.unsign(token, max_age=MAX_AGE)
    except signing.SignatureExpired:
        return gettext("This page was open for a long time. %(what)s is still here: please send it again.") % {
            "what": what}
    except signing.BadSignature:
        return gettext("The form was incomplete. %(what)s is still here: please send it again.") % {"what": what}
    started = int(token.split(":", 1)[0])
    if timezone.now().timestamp() - started < MIN_SECONDS:
        return gettext("That was sent very quickly. %(what)s is still here: please send it again.") % {"what": what}
    return None
