"""``/metrics`` for Prometheus (closed unless configured) and ``/readyz`` for load balancers."""

from __future__ import annotations

import hmac
import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.views.decorators.cache import never_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def allowed_networks() -> tuple[Network, ...]:
    raw = getattr(settings, "THAW_METRICS_ALLOW", "")
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip())


def _may_scrape(request: HttpRequest) -> bool:
    token = getattr(settings, "THAW_METRICS_TOKEN", "")
    sent = request.META.get("HTTP_AUTHORIZATION", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].encode(), token.encode()):
        return True
    networks = allowed_networks()
    if not networks:
        return False
    # The socket's peer only, never X-Forwarded-For, even behind trusted proxies: Prometheus scrapes
    # each app server directly, so a forwarded address on this route is whatever the sender wrote.
    # And a request that came through a proxy at all is refused by address: the proxy connects from
    # an address that may well be allowed (127.0.0.1), on behalf of anyone. Prometheus sends none.
    if any(request.META.get(header) for header in ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in networks)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format. Without THAW_METRICS_ALLOW or THAW_METRICS_TOKEN it does not exist."""
    if not _may_scrape(request):
        return HttpResponseNotFound("Not found", content_type="text/plain")
    from prometheus_client import CONTENT_TYPE_LATEST

    from thaw.monitoring.metrics import exposition

    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when this server can take traffic; 503 with what is missing otherwise. It says
    only ok or not, so it can be open like /healthz."""
    from thaw.monitoring.readiness import readiness

    ready, report = readiness()
    return JsonResponse({"status": "ready" if ready else "not ready", **report}, status=200 if ready else 503)
