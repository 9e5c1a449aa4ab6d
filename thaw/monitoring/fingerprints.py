"""Fingerprints of the keys every app server must share, and their comparison."""

from __future__ import annotations

import hashlib

from django.conf import settings


def _digest(label: str, material: bytes) -> str:
    # A hash of 256-bit-strong secrets: it identifies a key without revealing anything of it.
    return hashlib.sha256(b"thaw key fingerprint\0" + label.encode() + b"\0" + material).hexdigest()


def vapid_public_key() -> bytes | None:
    """The public half of the Web Push (VAPID) key: browsers subscribe to it, so every server
    that hands it out and every worker that signs a push must have the same private key.
    None when the configured key is not a usable P-256 PEM (push itself reports that)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        key = serialization.load_pem_private_key(settings.THAW_VAPID_PRIVATE_KEY.encode(), password=None)
    except (ValueError, TypeError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    return key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def local() -> dict[str, str]:
    """This server's fingerprints: the secret key, the encryption key it writes with, and the
    Web Push key."""
    from thaw import crypto

    kid, key = crypto.keyring().current
    found = {"secret_key": _digest("secret_key", settings.SECRET_KEY.encode()),
             "encryption_key": _digest("encryption_key", kid.encode() + b":" + key)}
    vapid = vapid_public_key()
    if vapid is not None:
        found["vapid_key"] = _digest("vapid_key", vapid)
    return found


def record(*, replace: str | None = None) -> None:
    """Store the fingerprints nobody has stored yet (first start); ``replace`` overwrites one
    (after ``thaw rotate-key``)."""
    from django.utils import timezone

    from thaw.monitoring.models import KeyFingerprint

    for name, fingerprint in local().items():
        if name == replace:
            KeyFingerprint.objects.update_or_create(
                name=name, defaults={"fingerprint": fingerprint, "recorded_at": timezone.now()})
        else:
            KeyFingerprint.objects.get_or_create(name=name, defaults={"fingerprint": fingerprint})


def disagreements() -> list[str]:
    """The keys on which this server and the recorded fingerprints differ."""
    from thaw.monitoring.models import KeyFingerprint

    stored = dict(KeyFingerprint.objects.values_list("name", "fingerprint"))
    return [name for name, fingerprint in local().items() if name in stored and stored[name] != fingerprint]
