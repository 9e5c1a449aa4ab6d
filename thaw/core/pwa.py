"""The installable app: the web app manifest, the service worker and the page shown offline.

The service worker is served from the root (``/sw.js``) by a Django view so that its scope is
the whole site, and it is rendered at request time: the static files it keeps for offline use
are named through ``static()``, so hashed file names (a manifest storage) need no change here,
and its version is a digest of those names and of the files' contents, so any change to them
installs a new worker that drops the old cache.

Pages that work offline (home, the check-in form, grounding) say so with the ``X-Thaw-Offline``
header, naming whose page it is: the service worker keeps only those, and drops them all when a
page comes back without it (the person signed out, or their session ended).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache, wraps
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

# Everything a page that works offline needs, by its name in the static files.
OFFLINE_STATIC = (
    "thaw/thaw.css", "thaw/thaw.js", "thaw/offline.js", "thaw/outbox.js", "thaw/icon.svg", "thaw/icon-192.png",
    "vendor/htmx.min.js", "checkins/wordfinding.js", "checkins/meter.js", "grounding/grounding.js",
    "grounding/grounding.css",
)
QUEUED_PATHS = ("checkin_new", "checkin_quick")
OFFLINE_HEADER = "X-Thaw-Offline"


def offline_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a page the service worker may keep for use offline (only for the signed-in person)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200 and request.user.is_authenticated:
            response[OFFLINE_HEADER] = str(request.user.pk)
        return response

    return wrapped


def offline_paths() -> list[str]:
    from thaw.grounding.exercises import library

    paths = [reverse("home"), reverse("checkin_new"), reverse("grounding"), reverse("grounding_now")]
    paths += [reverse("grounding_exercise", args=[e.id]) for e in library().exercises.values()]
    return paths


@cache
def _static_digest(names: tuple[str, ...]) -> str:
    """A digest of the static files' contents, so editing one installs a new service worker."""
    digest = hashlib.sha256()
    for name in names:
        found = finders.find(name)
        digest.update(name.encode())
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()


def _version(precache: list[str], pages: list[str]) -> str:
    from django.template.loader import get_template

    template = get_template("core/sw.js")
    source = getattr(getattr(template, "template", None), "source", "")
    digest = hashlib.sha256(json.dumps([precache, pages, source]).encode())
    digest.update(_static_digest(OFFLINE_STATIC).encode())
    return digest.hexdigest()[:16]


def catalogue_urls() -> list[str]:
    """The JavaScript catalogues, by their versioned addresses: a page kept for offline use
    names its language's catalogue, and without it that page's scripts would speak English.
    Every language but English (the source, which has none); each is a few kilobytes."""
    from thaw.core import catalogue

    return [catalogue.js_url(code) for code in catalogue.languages() if code != catalogue.SOURCE_LANGUAGE]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    precache = [static(name) for name in OFFLINE_STATIC] + catalogue_urls()
    pages = offline_paths()
    context = {
        "version": _version(precache, pages),
        "precache": json.dumps(precache),
        "pages": json.dumps(pages),
        "queued": json.dumps([reverse(name) for name in QUEUED_PATHS]),
        "offline_url": json.dumps(reverse("offline")),
        "outbox_url": json.dumps(static("thaw/outbox.js")),
        "icon_url": json.dumps(static("thaw/icon-192.png")),
        # The prefix of every static URL. (static("") is no file: the hashed-name manifest refuses it.)
        "static_prefix": json.dumps(settings.STATIC_URL),
        "catalogue_prefix": json.dumps(reverse("js_catalog", args=["xx"]).rsplit("xx", 1)[0]),
    }
    response = render(request, "core/sw.js", context, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker on every navigation; it must never come from a cache.
    response["Cache-Control"] = "no-cache, max-age=0"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest, in the language of the page that links to it.

    The page names its language in the address (``?lang=es``): browsers fetch a manifest without
    cookies, so the person's profile language could not choose it, and one address per language
    lets caches keep one copy of each. Without it, the request's own language (browser, default).
    """
    from django.utils import translation

    from thaw.core.language import supported

    language = supported(request.GET.get("lang")) or translation.get_language() or "en"
    icons = [
        {"src": static("thaw/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": static("thaw/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {"src": static("thaw/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        {"src": static("thaw/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
    ]
    with translation.override(language):
        body = {
            "id": "/",
            "name": "Thaw",
            "short_name": "Thaw",
            "description": gettext("Check in, ground yourself and see what helps, between sessions and at your "
                                   "own pace."),
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "orientation": "any",
            "background_color": "#fbf8f4",
            "theme_color": "#a8431b",
            "lang": language,
            "dir": "ltr",
            "icons": icons,
            "shortcuts": [
                {"name": gettext("Check in"), "url": reverse("checkin_new"), "icons": [icons[0]]},
                {"name": gettext("I feel far away"), "url": reverse("grounding_now"), "icons": [icons[0]]},
            ],
        }
    response = JsonResponse(body, content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    response["Content-Language"] = language
    return response


def offline(request: HttpRequest) -> HttpResponse:
    """What a page that is not kept on the phone shows when there is no connection. The service
    worker keeps one copy for everyone, so it is rendered as for a visitor: nothing personal."""
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return render(request, "core/offline.html")
