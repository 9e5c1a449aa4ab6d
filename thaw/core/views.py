"""The home page and the health check."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from thaw.checkins import services
from thaw.checkins.views import quick_context
from thaw.clinic.homework import for_person as homework_for
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


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "core/welcome.html")
    recent = list(services.own_checkins(request.user).order_by("-at")[:5])
    week = weekly_summary(request.user)
    return render(request, "core/home.html", {"recent": recent, "week": week, "homework": homework_for(request.user),
                                              **quick_context()})
