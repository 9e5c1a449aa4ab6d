"""The client's IP address: from the socket, unless a trusted proxy count is configured."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if not proxies:
        return remote  # X-Forwarded-For is ignored: anyone can send it
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    # Each trusted proxy appends the address it saw; the client is the one the outermost trusted proxy saw.
    return chain[-proxies] if len(chain) >= proxies else remote
