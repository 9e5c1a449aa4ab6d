"""Keep signed-in pages out of shared caches and the browser's disk cache."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date

# What add_never_cache_headers writes on a response that has no caching headers yet, with
# no-store first; written directly on the API's hot path (every API response is personal).
NEVER_CACHE = "no-store, max-age=0, no-cache, no-store, must-revalidate, private"


class PrivateCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        personal = (user is not None and user.is_authenticated) or "Authorization" in request.headers
        if personal and not request.path.startswith("/static/"):
            if "Cache-Control" in response or "Expires" in response:
                add_never_cache_headers(response)  # merges with what the view set
                response["Cache-Control"] = "no-store, " + response["Cache-Control"]
            else:
                response["Expires"] = http_date()
                response["Cache-Control"] = NEVER_CACHE
        return response


class LanguageMiddleware:
    """Answer in the person's language (thaw.core.language.resolve): profile, switcher,
    browser, site default. Responses say which (Content-Language) and vary on what chose it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        from thaw.core.language import remember, resolve

        language = resolve(request)
        remember(request, language)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            response.headers.setdefault("Content-Language", translation.get_language() or language)
            return response
        finally:
            translation.deactivate()
