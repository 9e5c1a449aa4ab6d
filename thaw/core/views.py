"""The home page, the health check, and the page for a request Thaw cannot read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from thaw.checkins import services
from thaw.checkins.views import quick_context
from thaw.clinic.homework import for_person as homework_for
from thaw.core.pwa import offline_page
from thaw.insights.summary import weekly_summary


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the app can reach its database; 503 otherwise. For load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@offline_page
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        from thaw.learn.views import public_home

        return public_home(request)  # the clinic's front door: latest articles, programs, contact
    recent = list(services.own_checkins(request.user).order_by("-at")[:5])
    week = weekly_summary(request.user)
    from thaw.learn import links

    return render(request, "core/home.html", {"recent": recent, "week": week, "homework": homework_for(request.user),
                                              "article": links.live(links.for_week(week)), **quick_context()})


@login_required
def tools(request: HttpRequest) -> HttpResponse:
    """The Tools tab: grounding, the circle, the safety plan, the substance log, questionnaires."""
    return render(request, "core/tools.html")


@login_required
def more(request: HttpRequest) -> HttpResponse:
    """The More tab: history, words, sessions, settings, export, sign out; staff areas too."""
    return render(request, "core/more.html")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's ``handler400``: a request Thaw cannot read, above all one larger than it accepts
    (413). The API answers in its JSON error shape; pages get a calm page that says nothing was
    saved and what to do, never a bare "Bad Request (400)"."""
    too_big = isinstance(exception, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent))
    status = 413 if too_big else 400
    if request.path.startswith("/api/"):
        from thaw.api import too_big_message

        message = too_big_message() if too_big else gettext("could not be read; nothing was saved")
        return JsonResponse({"detail": f"body: {message}", "errors": [{"field": "body", "message": message}]},
                            status=status)
    from django.conf import settings

    context = {"too_big": too_big, "limit_mb": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_000_000:.1f}"}
    try:
        return render(request, "400.html", context, status=status)
    except Exception:  # the page must not fail too: fall back to one without the site's layout
        from django.utils.html import format_html
        from django.utils.translation import get_language

        return HttpResponse(format_html(
            '<!DOCTYPE html><html lang="{}"><title>{} · Thaw</title><h1>{}</h1><p>{}</p><p><a href="/help/">{}</a></p>',
            get_language() or "en", gettext("Not sent"), gettext("That could not be sent"),
            gettext("Nothing was saved. Go back and try again."), gettext("Get help now")), status=status)


@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher (a plain form, no script): remember the choice and go back.

    Signed in, the choice is the person's profile language (the same field as ``PATCH /api/v1/me``);
    signed out, a cookie. "" means "follow my browser". Always a redirect (Post/Redirect/Get).

    CSRF is checked for the signed in (it changes their profile). Signed out, the form carries no
    token: the pages it is on set no cookie and are the same for every reader (issue 14: an article
    sets no cookie; thaw/learn/pagecache.py serves one copy), and the worst a forged post can do is
    switch a visitor's language cookie, which the switcher (labelled in both languages) undoes.
    """
    if request.user.is_authenticated:
        from django.middleware.csrf import CsrfViewMiddleware

        check = CsrfViewMiddleware(lambda r: HttpResponse())
        check.process_request(request)
        refused = check.process_view(request, None, (), {})  # type: ignore[arg-type]
        if refused is not None:
            return refused
    from django.conf import settings as django_settings
    from django.utils.http import url_has_allowed_host_and_scheme

    from thaw.accounts import profile
    from thaw.core.language import COOKIE, COOKIE_AGE, supported

    chosen = supported(request.POST.get("language", "")) or ""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    if request.user.is_authenticated:
        profile.update(request.user, {"language": chosen})
    response = redirect(target)
    if chosen:
        response.set_cookie(COOKIE, chosen, max_age=COOKIE_AGE, samesite="Lax",
                            secure=django_settings.SESSION_COOKIE_SECURE, httponly=True)
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response


def js_catalog(request: HttpRequest, language: str) -> HttpResponse:
    """The JavaScript strings of one language, as an external script (the strict CSP allows no
    inline script): ``django.gettext``, ``django.ngettext``, ``django.interpolate``, date and
    number formats. The language and a digest of its strings are in the address
    (``catalogue.js_url``), so the file can be cached and kept for offline use."""
    from django.http import Http404
    from django.utils import translation
    from django.views.i18n import JavaScriptCatalog

    from thaw.core.language import codes

    if language not in codes():
        raise Http404
    from thaw.core.catalogue import js_version

    with translation.override(language):
        response = JavaScriptCatalog.as_view(domain="djangojs")(request)
    # The versioned address (what pages name) never changes its content: cached like a hashed
    # static file. Without the version (an old page), for an hour.
    current = request.GET.get("v") == js_version(language)
    response["Cache-Control"] = "public, max-age=31536000, immutable" if current else "public, max-age=3600"
    return response
