"""Web Push: checking a subscription's endpoint, and sending one encrypted message to it.

The message is encrypted for the subscription's keys (RFC 8291, ``aes128gcm``) by pywebpush,
and signed with Thaw's VAPID key (RFC 8292) by py_vapid. Thaw carries the request itself
with urllib3 because of server-side request forgery: a subscription's endpoint is a URL that
a browser (or anyone with an account) hands us, and the worker will POST to it. So:

- it must be ``https`` on a host that resolves only to public addresses (no loopback,
  private, link-local, multicast or reserved address): checked when the subscription is
  saved, and again at every send;
- at send time the connection goes to the address that was just checked (pinned), with
  TLS still verified against the host's name, so a DNS answer that changes between the check
  and the connection (DNS rebinding) cannot point the worker at an internal service;
- redirects are never followed.

``THAW_PUSH_ALLOW_LOOPBACK=1`` additionally allows ``http`` (and ``https``) endpoints whose
host resolves to a loopback address, for tests and local trials only.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import socket
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

ENDPOINT_MAX = 2000
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
VAPID_LIFETIME = 12 * 3600  # push services accept at most 24 h


class EndpointRefused(ValueError):
    """The endpoint cannot be used; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked IP address the connection goes to


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _acceptable(address: str, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_loopback
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_private)


def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to (IP literals resolve to themselves)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise EndpointRefused("the push service's address could not be found") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_endpoint(url: str) -> Target:
    """The endpoint as a place to connect to, or EndpointRefused saying why not."""
    allow_loopback = bool(getattr(settings, "THAW_PUSH_ALLOW_LOOPBACK", False))
    if len(url) > ENDPOINT_MAX:
        raise EndpointRefused(f"is longer than {ENDPOINT_MAX} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise EndpointRefused("is not a web address") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise EndpointRefused("must be an https:// address")
    if parts.username is not None or parts.password is not None:
        raise EndpointRefused("must not contain a user name or password")
    if parts.fragment:
        raise EndpointRefused("must not contain a #fragment")
    if parts.scheme == "http" and not allow_loopback:
        raise EndpointRefused("must be an https:// address")
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    if not addresses or not all(_acceptable(a, allow_loopback) for a in addresses):
        raise EndpointRefused("must be a push service on the public internet, not a private or local address")
    if parts.scheme == "http" and not all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses):
        raise EndpointRefused("must be an https:// address")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, addresses[0])


def check_keys(p256dh: str, auth: str) -> dict[str, str]:
    """The subscription's keys checked: a P-256 public key and a 16-byte secret; errors by field."""
    from cryptography.hazmat.primitives.asymmetric import ec

    errors = {}
    try:
        raw = _b64decode(p256dh)
        if len(raw) != 65 or raw[0] != 4:
            raise ValueError
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except (ValueError, TypeError):
        errors["keys.p256dh"] = "must be the browser's P-256 public key (65 bytes, base64url)"
    try:
        if len(_b64decode(auth)) != 16:
            raise ValueError
    except (ValueError, TypeError):
        errors["keys.auth"] = "must be the browser's 16-byte authentication secret (base64url)"
    return errors


# --- VAPID -----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _vapid() -> Any:
    from py_vapid import Vapid02

    return Vapid02.from_pem(settings.THAW_VAPID_PRIVATE_KEY.encode())


def public_key() -> str:
    """The applicationServerKey browsers subscribe with (base64url, uncompressed P-256 point)."""
    from cryptography.hazmat.primitives import serialization

    raw = _vapid().public_key.public_bytes(serialization.Encoding.X962,
                                           serialization.PublicFormat.UncompressedPoint)
    return b64encode(raw)


_signed: dict[str, tuple[float, str]] = {}
_signed_lock = threading.Lock()


def _authorization(audience: str) -> str:
    """The VAPID Authorization header for a push service, reused until an hour before it expires."""
    now = time.time()
    with _signed_lock:
        cached = _signed.get(audience)
        if cached and cached[0] - 3600 > now:
            return cached[1]
        expires = int(now) + VAPID_LIFETIME
        header = _vapid().sign({"aud": audience, "exp": expires, "sub": settings.THAW_VAPID_SUBJECT})["Authorization"]
        _signed[audience] = (expires, header)
        return header


# --- sending ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    delivered: bool
    gone: bool  # the push service says the subscription no longer exists (404/410): drop it
    status: int | None
    error: str = ""


_pools: dict[tuple[str, str, str, int], urllib3.HTTPConnectionPool] = {}
_pools_lock = threading.Lock()


def _pool(target: Target) -> urllib3.HTTPConnectionPool:
    """A keep-alive connection pool to the checked address (one per push service and address)."""
    key = (target.scheme, target.host, target.address, target.port)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT)
            if target.scheme == "https":
                import certifi

                pool = urllib3.HTTPSConnectionPool(
                    target.address, target.port, timeout=timeout, maxsize=4, retries=False,
                    server_hostname=target.host, assert_hostname=target.host, cert_reqs="CERT_REQUIRED",
                    ca_certs=certifi.where())
            else:
                pool = urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout, maxsize=4,
                                                  retries=False)
            _pools[key] = pool
        return pool


def encrypt(endpoint: str, p256dh: str, auth: str, payload: bytes) -> bytes:
    """The payload encrypted for this subscription (RFC 8291, aes128gcm), by pywebpush."""
    from pywebpush import WebPusher

    pusher = WebPusher({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}})
    return bytes(pusher.encode(payload, content_encoding="aes128gcm")["body"])


def send(endpoint: str, p256dh: str, auth: str, message: dict[str, Any], *, ttl: int, topic: str = "") -> Outcome:
    """Encrypt ``message`` (JSON) for the subscription and POST it to its push service."""
    try:
        target = check_endpoint(endpoint)  # again: the address may have changed since subscribing
    except EndpointRefused as exc:
        return Outcome(False, False, None, f"refused: {exc}")
    body = encrypt(endpoint, p256dh, auth, json.dumps(message, separators=(",", ":")).encode())
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    if ":" in target.host and not target.host.startswith("["):
        host_header = f"[{target.host}]" if target.port in (80, 443) else f"[{target.host}]:{target.port}"
    audience = f"{target.scheme}://{host_header}"
    headers = {
        "Host": host_header,
        "TTL": str(max(0, int(ttl))),
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "Urgency": "normal",
        "Authorization": _authorization(audience),
    }
    if topic:
        headers["Topic"] = topic[:32]
    try:
        response = _pool(target).urlopen("POST", target.path, body=body, headers=headers, redirect=False,
                                         assert_same_host=False, retries=False, release_conn=True)
    except urllib3.exceptions.HTTPError as exc:
        return Outcome(False, False, None, f"{type(exc).__name__}: {exc}"[:200])
    status = response.status
    if 200 <= status < 300:
        return Outcome(True, False, status)
    return Outcome(False, status in (404, 410), status, f"push service answered {status}")
