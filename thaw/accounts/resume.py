"""What a person entered survives a sign-in in between.

A form sent after the session ended (it expired, or an idle sign-out) reaches a view that
wants a signed-in person, which answers with a redirect to the sign-in page. Here, at the
one place every such answer passes, the form's fields are kept (sealed like free text, in
the new session: ``thaw.core.vault``) and the sign-in page is told to come back to the page
the form was on, with ``?resume=<id>``. After signing in, that page gets the fields back
(``request.thaw_resume``, rendered by ``core/_resume.html``) and ``thaw/resume.js`` puts
them back into the form, so the person sees what they entered and saves it themselves.
Nothing is ever saved on their behalf: a stale form is shown, not replayed.

Only the same account gets the fields back. A signed-in browser carries an opaque cookie
naming its account (a keyed hash, not the id); a form sent without a session is kept for
that account alone, and a different person signing in on the same browser never sees it
(it is dropped when they sign in). Signing out on purpose removes the cookie, so a form sent
after that is not kept, and the page says so. For htmx requests (the one-tap check-in),
the sign-in page is not swapped into the page: the whole page goes to it (``HX-Redirect``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from thaw.core import vault

Handler = Callable[[HttpRequest], HttpResponse]

COOKIE = "thaw_signed_in_as"
VAULT_NAME = "resume"
KEEP_SECONDS = 24 * 3600
MAX_KEPT = 3
MAX_BYTES = 256 * 1024
SKIPPED_FIELDS = {"csrfmiddlewaretoken"}
# Fields kept only when the person chose to keep them: the sentence for finding words is never
# stored unless "Keep this sentence with my check-in" is ticked.
KEPT_ONLY_IF = {"sentence": "keep_sentence"}
# Forms whose intent must be given again after signing in, never carried over.
NOT_KEPT_PREFIXES = ("/accounts/", "/settings/erase", "/settings/export")


def owner_mark(user: Any) -> str:
    """The opaque mark of an account that the browser carries (not reversible without the secret key)."""
    return hmac.new(settings.SECRET_KEY.encode(), f"thaw-resume-owner:{user.pk}".encode(), hashlib.sha256).hexdigest()[:32]


def _login_path() -> str:
    return str(resolve_url(settings.LOGIN_URL))


def _is_sign_in_redirect(response: HttpResponse) -> bool:
    return response.status_code in (301, 302, 303) and urlsplit(response.get("Location", "")).path == _login_path()


def _same_site_page(request: HttpRequest, url: str) -> str | None:
    """``url``'s path and query if it is a page of this site, else None."""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.get_host():
        return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _page_of_form(request: HttpRequest) -> str:
    """The page the form was on (where the person should see it again), else the form's own address."""
    for candidate in (request.headers.get("HX-Current-URL", ""), request.headers.get("Referer", "")):
        page = _same_site_page(request, candidate) if candidate else None
        if page:
            return page
    return request.path


def _with_resume(page: str, stash_id: str) -> str:
    parts = urlsplit(page)
    query = QueryDict(parts.query, mutable=True)
    query.pop("resume", None)
    query["resume"] = stash_id
    return f"{parts.path}?{query.urlencode()}"


def _kept(request: HttpRequest) -> dict[str, Any]:
    found = vault.get(request, VAULT_NAME, {})
    if not isinstance(found, dict):
        return {}
    now = time.time()
    return {k: v for k, v in found.items() if isinstance(v, dict) and now - v.get("at", 0) < KEEP_SECONDS}


def _keep(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Keep the form sent without a session, if we know whose it is; send sign-in back to it."""
    owner = request.COOKIES.get(COOKIE, "")
    fields = [[name, value] for name, values in request.POST.lists() if name not in SKIPPED_FIELDS
              and (name not in KEPT_ONLY_IF or request.POST.get(KEPT_ONLY_IF[name]) == "1")
              for value in values]
    entry = {"owner": owner, "path": request.path, "fields": fields, "at": time.time()}
    if not owner or request.path.startswith(NOT_KEPT_PREFIXES) or len(json.dumps(entry)) > MAX_BYTES:
        messages.info(request, _("You were signed out, so that was not saved. Please sign in and try again."))
        return response
    stash_id = secrets.token_urlsafe(9)
    kept = _kept(request)
    kept[stash_id] = entry
    vault.put(request, VAULT_NAME, dict(sorted(kept.items(), key=lambda kv: kv[1]["at"])[-MAX_KEPT:]))
    messages.info(request, _("You were signed out, so that was not saved yet. Sign in, and what you entered will be "
                             "back on the page for you to check and save."))
    target = _with_resume(_page_of_form(request), stash_id)
    response["Location"] = f"{_login_path()}?{urlencode({'next': target})}"
    return response


def restore(request: HttpRequest) -> dict[str, Any] | None:
    """The kept form named by ``?resume=`` for the signed-in person, or None (another's is dropped)."""
    stash_id = request.GET.get("resume", "")
    kept = _kept(request)
    entry = kept.get(stash_id)
    if entry is None:
        return None
    if not hmac.compare_digest(entry.get("owner", ""), owner_mark(request.user)):
        kept.pop(stash_id)
        vault.put(request, VAULT_NAME, kept)
        return None
    return {"path": entry["path"], "fields": entry["fields"]}


def forget_others(request: HttpRequest, user: Any) -> None:
    """At sign-in: forms kept for another account are dropped, never shown to this one."""
    if not vault.names(request, VAULT_NAME):
        return
    kept = _kept(request)
    mine = {k: v for k, v in kept.items() if hmac.compare_digest(v.get("owner", ""), owner_mark(user))}
    vault.put(request, VAULT_NAME, mine)


def forget_sent(request: HttpRequest) -> None:
    """A form sent while signed in to a page with a kept copy: the copy has served its purpose."""
    kept = _kept(request)
    remaining = {k: v for k, v in kept.items() if v.get("path") != request.path}
    if remaining != kept:
        vault.put(request, VAULT_NAME, remaining)


class ResumeAfterSignInMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(("/api/", "/static/", "/healthz")):
            return self.get_response(request)
        signed_in = request.user.is_authenticated
        if signed_in and request.method == "GET" and "resume" in request.GET:
            request.thaw_resume = restore(request)  # type: ignore[attr-defined]
        elif signed_in and request.method == "POST" and vault.names(request, VAULT_NAME):
            forget_sent(request)
        response = self.get_response(request)
        if request.method == "POST" and not request.user.is_authenticated and _is_sign_in_redirect(response):
            response = _keep(request, response)
        if request.headers.get("HX-Request") == "true" and _is_sign_in_redirect(response):
            # htmx would follow the redirect and swap the whole sign-in page into a corner of this one.
            location = response["Location"]
            response = HttpResponse(status=200)
            response["HX-Redirect"] = location
        self._mark_browser(request, response)
        return response

    @staticmethod
    def _mark_browser(request: HttpRequest, response: HttpResponse) -> None:
        user = request.user
        current = request.COOKIES.get(COOKIE)
        if user.is_authenticated:
            mark = owner_mark(user)
            if current != mark:
                response.set_cookie(COOKIE, mark, max_age=settings.SESSION_COOKIE_AGE + 7 * 24 * 3600, httponly=True,
                                    secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
        elif current and getattr(request, "thaw_signed_out_on_purpose", False):
            response.delete_cookie(COOKIE, samesite="Lax")
