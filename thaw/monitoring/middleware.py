"""The first middleware: a request id for every request, and its count, latency and queries.

Kept cheap because it wraps every request, the check-in write path included: a context
variable, a query-counting wrapper, three metric updates, and one log call that is dropped
at once unless ``THAW_LOG_LEVEL`` is INFO or lower.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

from thaw.monitoring import metrics
from thaw.monitoring.requestid import REQUEST_ID, from_header

access_log = logging.getLogger("thaw.access")


def route_of(request: HttpRequest) -> str:
    """The URL pattern that answered (``clinic/people/<int:person_id>/``), never the URL itself."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return "/" + match.route
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"  # answered before URL resolution (413, 429, a redirect) or nothing matched


class _QueryCounter:
    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


class RequestObservationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = from_header(request.META.get("HTTP_X_REQUEST_ID", ""))
        reset = REQUEST_ID.set(request_id)
        counter = _QueryCounter()
        started = time.perf_counter()
        try:
            with connection.execute_wrapper(counter):
                response = self.get_response(request)
            elapsed = time.perf_counter() - started
            route = route_of(request)
            method = request.method or ""
            metrics.REQUESTS.labels(route, method, str(response.status_code)).inc()
            metrics.LATENCY.labels(route, method).observe(elapsed)
            metrics.QUERIES.labels(route).observe(counter.count)
            if access_log.isEnabledFor(logging.INFO):
                access_log.info("request", extra={"fields": {
                    "method": method, "route": route, "status": response.status_code,
                    "ms": round(elapsed * 1000, 1), "queries": counter.count}})
        finally:
            REQUEST_ID.reset(reset)
        response["X-Request-ID"] = request_id
        return response
