"""Helpers for the Learn and intake tests: staff with two-factor, the seed content, a form's
time-trap token from a while ago (a person takes a few seconds to write)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core import signing
from django.test import Client
from django.utils import timezone

from tests.conftest import make_user


def staff(email: str, role: str, extra: tuple[str, ...] = ()) -> Any:
    user = make_user(email, role)
    if extra:
        user.extra_roles = list(extra)
        user.save(update_fields=["extra_roles"])
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    return user


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def seeded() -> None:
    """The seed content in this test database (a transactional test elsewhere may have emptied it)."""
    from thaw.learn.content import load_seed

    load_seed(apps)


def started(purpose: str, seconds_ago: int = 30) -> str:
    """The form's "shown at" token, as if the form had been open ``seconds_ago``."""
    return signing.TimestampSigner(salt=f"thaw.spam.{purpose}").sign(str(int(timezone.now().timestamp()) - seconds_ago))
