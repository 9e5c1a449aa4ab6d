"""Ties allauth to Thaw's settings: open or closed registration, sign-in limits, and the
language of allauth's emails (the account's, not the language of whoever asked for them)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from thaw.core.language import account_for, override_for
from thaw.core.net import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.ACCOUNT_ALLOW_REGISTRATION)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """allauth's per-"key" limit on failed passwords counts per account *and address*.

        Keyed by the account alone (allauth's default), ten wrong passwords from anyone would
        lock the owner out everywhere: the very lock-out ``thaw.accounts.throttle`` avoids.
        The per-address limit and Thaw's progressive per-account delay still apply.
        """
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}@{client_ip(request)}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's emails (password reset, address confirmation) in the language of the account
        they go to; to an address with no account, in the language the page was shown in."""
        user = context.get("user") or account_for(email)
        with override_for(user, get_language()):
            super().send_mail(template_prefix, email, context)
