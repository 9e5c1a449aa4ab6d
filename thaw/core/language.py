"""Which language a request is answered in, and the person's choices about it.

The order (issue 17): the person's own choice in their profile (``User.language``), else the
language a visitor picked with the switcher (a cookie), else the browser's ``Accept-Language``,
else the site's default (``THAW_LANGUAGE``). A code Thaw has no translation for is never used.

Also here: ``override_for(person)`` for texts made outside a request (emails, push
notifications, worker jobs), so they go out in the recipient's language, not the sender's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

# The cookie the switcher sets for a visitor who is not signed in (a signed-in person's choice
# is in their profile). Not a secret and not personal: only "en" or "es".
COOKIE = "thaw_language"
COOKIE_AGE = 365 * 24 * 3600

# How a gendered Spanish word is shown (thaw/checkins/data/emotions.es.toml's header).
WORD_FORMS = ("feminine", "masculine", "neutral")
DEFAULT_WORD_FORMS = "neutral"


def codes() -> tuple[str, ...]:
    return tuple(code for code, _ in settings.LANGUAGES)


def supported(code: object) -> str | None:
    """``code`` as one of Thaw's languages ("es-MX" -> "es"), or None."""
    if not isinstance(code, str) or not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in codes() else None


def site_default() -> str:
    return supported(settings.THAW_LANGUAGE) or "en"


def from_browser(request: HttpRequest) -> str | None:
    """The first of the browser's ``Accept-Language`` entries Thaw speaks, or None."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    if not header:
        return None
    for accepted, _ in translation.trans_real.parse_accept_lang_header(header[:500]):
        found = supported(accepted)
        if found:
            return found
    return None


def person_language(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return supported(getattr(user, "language", ""))


def resolve(request: HttpRequest) -> str:
    return (person_language(getattr(request, "user", None)) or supported(request.COOKIES.get(COOKIE))
            or from_browser(request) or site_default())


def word_forms(user: Any) -> str:
    """"feminine", "masculine" or "neutral": how this person wants gendered words shown."""
    chosen = getattr(user, "word_forms", "") if user is not None else ""
    return chosen if chosen in WORD_FORMS else DEFAULT_WORD_FORMS


def last_read_in(user: Any) -> str | None:
    """The language ``user`` last read Thaw's pages in (recorded by the language middleware while
    their profile's choice is blank), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return supported(getattr(user, "last_language", ""))


def remember(request: HttpRequest, language: str) -> None:
    """For a signed-in person who lets the browser choose: note the language their pages are in,
    so what Thaw sends them later (emails, reminders, alerts) is in it too. Written only when it
    changes."""
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "language", ""):
        return
    if getattr(user, "last_language", "") != language:
        from django.contrib.auth import get_user_model

        get_user_model().objects.filter(pk=user.pk).update(last_language=language)
        user.last_language = language


def language_for(user: Any, fallback: object = None) -> str:
    """The language to write to ``user`` in: their profile's, else the one they last read Thaw
    in, else ``fallback`` (the language the sender or the request was made in), else the site's
    default."""
    return person_language(user) or last_read_in(user) or supported(fallback) or site_default()


def account_for(email: str) -> Any:
    """The active account with this address, if there is one (an email to an address that has
    an account goes out in that account's language, whoever sent it)."""
    from thaw.accounts.models import User

    address = (email or "").strip().lower()
    return User.objects.filter(email=address, is_active=True).first() if address else None


@contextmanager
def override_for(user: Any, fallback: object = None) -> Iterator[str]:
    """Everything made inside speaks ``user``'s language (else ``fallback``'s, else the site's
    default): for emails, notifications and worker jobs, which must go out in the recipient's
    language, not the sender's."""
    language = language_for(user, fallback)
    with translation.override(language):
        yield language
