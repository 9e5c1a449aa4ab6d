"""Per-request account rules: time zone, sign-in throttling, idle sign-out, required 2FA."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from thaw.core.net import client_ip

Handler = Callable[[HttpRequest], HttpResponse]


class PersonTimezoneMiddleware:
    """Show times in the signed-in person's own time zone."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user.tzinfo)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class SignInThrottleMiddleware:
    """Answer 429 to sign-in attempts for a locked account or address, before any password check."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in (reverse("account_login"), reverse("account_reauthenticate")):
            from thaw.accounts.throttle import retry_after

            email = request.POST.get("login", "") or getattr(request.user, "email", "")
            wait = retry_after(email, client_ip(request))
            if wait:
                response = render(request, "accounts/too_many.html", {"wait": wait, "minutes": (wait + 59) // 60},
                                  status=429)
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)


class IdleSignOutMiddleware:
    """Sign out after a stretch without requests: 30 minutes for clinicians and admins by default."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            limit = (settings.THAW_IDLE_TIMEOUT_CLINICIAN if user.is_staff_member
                     else settings.THAW_IDLE_TIMEOUT_PERSON)
            now = time.time()
            last = request.session.get("thaw_last_seen")
            if limit and last is not None and now - float(last) > limit:
                request.thaw_idle_sign_out = True  # type: ignore[attr-defined]  # not on purpose: keep the browser's mark
                logout(request)
                if request.method == "POST":
                    # Let the form reach its view as a signed-out request: its answer (a redirect to
                    # sign in) is where thaw.accounts.resume keeps what the person entered.
                    return self.get_response(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, _("You were signed out after a while without activity. Please sign in again."))
                    return redirect(f"{reverse('account_login')}?next={request.path}")
            elif last is None or now - float(last) > 60:  # write the session at most once a minute
                request.session["thaw_last_seen"] = now
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """Staff (clinicians, admins, editors, intake) must turn on two-factor authentication before
    anything else. Public pages (the Learn articles, programs, the contact form) stay open."""

    ALLOWED_PREFIXES = ("/accounts/", "/help/", "/static/", "/healthz")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff_member
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            from allauth.mfa.utils import is_mfa_enabled

            if not is_mfa_enabled(user):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Two-factor authentication is required for staff accounts "
                                                     "(clinicians, admins, editors, intake): set it up at "
                                                     "/accounts/2fa/.")}, status=403)
                messages.info(request, _("Staff accounts (clinicians, admins, editors, intake) need two-factor "
                                         "authentication. Please set it up to continue."))
                return redirect("mfa_index")
        return self.get_response(request)
