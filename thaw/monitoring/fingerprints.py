"""Fingerprints of the keys every app server must share, and their comparison."""

from __future__ import annotations

import hashlib

from django.conf import settings


def _digest(label: str, material: bytes) -> str:
    # A hash of 256-bit-strong secrets: it identifies a key without revealing anything of it.
    return hashlib.sha256(b"thaw key fingerprint\0" + label.encode() + b"\0" + material).hexdigest()


def local() -> dict[str, str]:
    """This server's fingerprints: the secret key, and the encryption key it writes with."""
    from thaw import crypto

    kid, key = crypto.keyring().current
    return {"secret_key": _digest("secret_key", settings.SECRET_KEY.encode()),
            "encryption_key": _digest("encryption_key", kid.encode() + b":" + key)}


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
