"""Who is calling the API: a signed-in session or a bearer token.

Kept apart from ``thaw.api`` so routers can import it without importing the API itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from thaw.accounts.models import ApiToken


class BearerToken(HttpBearer):
    """``Authorization: Bearer thaw_…`` for scripts and apps."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is None or needs_two_factor(user):
            return None
        request.user = user
        speak_their_language(request, user)
        return user


def speak_their_language(request: HttpRequest, user: Any) -> None:
    """A token identifies the person only after the middleware chose a language from the request:
    their profile's language wins over the browser's, as on the web (thaw.core.language)."""
    from django.utils import translation

    from thaw.core.language import person_language

    language = person_language(user)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]


def needs_two_factor(user: Any) -> bool:
    """Staff (clinicians, admins, editors, intake) must have two-factor authentication before using
    the API at all."""
    from allauth.mfa.utils import is_mfa_enabled

    return bool(user.is_staff_member) and not is_mfa_enabled(user)


class SignedInSession(SessionAuth):
    """The browser's session, with Django's CSRF check for writes.

    Without a session cookie there is nothing to check: the caller is simply not signed
    in, which answers 401 (ninja's own session auth would answer 403 "CSRF check Failed"
    to a script that sent no credentials, or a wrong token, at all).
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)


def optional_user(request: HttpRequest) -> Any | None:
    """The caller on a public endpoint, if they identified themselves; never an error."""
    if request.user.is_authenticated:
        return request.user
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        return ApiToken.authenticate(token.strip())
    return None
