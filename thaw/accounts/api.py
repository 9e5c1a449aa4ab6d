"""API: exchange an email and password for a bearer token; list and revoke tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from thaw.accounts.models import ApiToken
from thaw.accounts.throttle import retry_after
from thaw.api_auth import BearerToken, needs_two_factor
from thaw.core.net import client_ip
from thaw.text import Text


def api_error(request: HttpRequest, body: dict[str, Any], status: int) -> Any:
    from thaw.api import api

    return api.create_response(request, body, status=status)

router = Router(tags=["auth"])


class TokenRequest(Schema):
    model_config = ConfigDict(extra="forbid")
    email: Text(254)
    password: Text(1024)
    name: Text(80) | None = Field(None, description="To tell your tokens apart")


class TokenIssued(Schema):
    token: str
    name: str
    hint: str
    expires_at: datetime = Field(description="When the token stops working unless revoked sooner")


class TokenInfo(Schema):
    id: int
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime = Field(description="When the token stops working: its end date, or for a clinician's or "
                                             "admin's token, 12 hours after its last use if that comes first")


def token_info(token: ApiToken) -> dict[str, Any]:
    return {"id": token.pk, "name": token.name, "hint": token.hint, "created_at": token.created_at,
            "last_used_at": token.last_used_at, "expires_at": token.expiry()}


class Problem(Schema):
    detail: str


@router.post("/auth/token", auth=None, response={200: TokenIssued, 401: Problem, 403: Problem, 429: Problem},
             summary="Get an API token")
def issue_token(request: HttpRequest, payload: TokenRequest) -> Any:
    """Sign in with email and password and receive a bearer token (shown only once)."""
    email = payload.email.strip().lower()
    wait = retry_after(email, client_ip(request))
    if wait:
        # The English says "seconds" even for one (scripts match the wording); the plural is for translations.
        response = api_error(request, {"detail": ngettext("Too many failed sign-ins; try again in %(wait)s seconds.",
                                                          "Too many failed sign-ins; try again in %(wait)s seconds.",
                                                          wait) % {"wait": wait}}, 429)
        response["Retry-After"] = str(wait)
        return response
    user = authenticate(request, email=email, password=payload.password)
    if user is None or not user.is_active:
        return Status(401, {"detail": gettext("That email and password do not match an account.")})
    if is_mfa_enabled(user):
        return Status(403, {"detail": gettext("Two-factor authentication is on for this account: sign in on the web "
                                              "with your code and create a token on the Settings page.")})
    if needs_two_factor(user):
        return Status(403, {"detail": gettext("Staff accounts (clinicians, admins, editors, intake) need two-factor "
                                              "authentication: set it up on the web first, then create a token on "
                                              "the Settings page.")})
    token, raw = ApiToken.issue(user, payload.name or "API token")
    return Status(200, {"token": raw, "name": token.name, "hint": token.hint, "expires_at": token.expiry()})


@router.get("/tokens", response=list[TokenInfo], summary="Your API tokens")
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    """Tokens that still work, with ``expires_at``; revoked and expired ones are not listed."""
    return [token_info(t) for t in ApiToken.objects.filter(user=request.user).usable()]


@router.delete("/tokens/{token_id}", response={204: None, 404: Problem}, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: int) -> Status[Any]:
    token = ApiToken.objects.active().filter(user=request.user, pk=token_id).first()
    if token is None:
        return Status(404, {"detail": gettext("No such token.")})
    token.revoke()
    return Status(204, None)


class EraseRequest(Schema):
    model_config = ConfigDict(extra="forbid")
    confirm: Text(254) = Field(description="Your account's email address, to show you mean it")


class MeOut(Schema):
    email: str
    timezone: str = Field(description="IANA time zone name; check-in times and daily patterns use it")
    crisis_region: str | None = Field(description="Which crisis lines to show first; null means the site default")
    screening_sex: Literal["female", "male"] | None = Field(
        description="For alcohol screening (AUDIT-C): which cut-off applies, female (3 or more) or male (4 or more); "
                    "null means not given, which uses 3")
    language: Literal["en", "es"] | None = Field(
        description="The language Thaw speaks to you (pages, emails, API error messages); null follows your "
                    "browser's Accept-Language, then the site default (THAW_LANGUAGE)")
    word_forms: Literal["feminine", "masculine", "neutral"] | None = Field(
        description="How gendered words (Spanish emotion words) are shown to you; null means neutral wordings")


class MePatch(Schema):
    """Only the fields sent are changed. Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")
    email: Any = Field(None, description="Read-only here")
    timezone: Any = Field(None, description="IANA time zone name, e.g. Europe/London")
    crisis_region: Any = Field(None, description="A crisis-resource region code (US, UK, CA, AU, EU), or null")
    screening_sex: Any = Field(None, description='"female", "male" or null (prefer not to say)')
    language: Any = Field(None, description='"en", "es", or null to follow the browser')
    word_forms: Any = Field(None, description='"feminine", "masculine", "neutral" or null')


@router.get("/me", response=MeOut, summary="Your profile")
def get_me(request: HttpRequest) -> dict[str, Any]:
    """Only ever the caller's own profile: there is no way to name anyone else."""
    from thaw.accounts import profile

    return profile.read(request.user)


@router.patch("/me", response={200: MeOut, 422: Problem}, summary="Change your profile")
def update_me(request: HttpRequest, payload: MePatch) -> Any:
    from thaw.accounts import profile
    from thaw.api import error_response

    try:
        return profile.update(request.user, {name: getattr(payload, name) for name in payload.model_fields_set})
    except profile.ProfileInvalid as exc:
        return error_response(request, exc.errors)


@router.delete("/me", response={204: None, 422: Problem}, auth=[BearerToken()],
               summary="Erase your account and all your data")
def erase_me(request: HttpRequest, payload: EraseRequest) -> Any:
    """Irreversible. Afterwards every token and session is dead and nothing of yours remains.

    Bearer tokens only: in a browser, Settings → Delete my account asks for the password again first.
    """
    from thaw.accounts.erasure import erase
    from thaw.api import error_response

    if payload.confirm.strip().lower() != request.user.email:
        return error_response(request, {"confirm": "type your account's email address exactly to confirm"})
    erase(request.user)
    return Status(204, None)
