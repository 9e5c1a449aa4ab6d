"""What every server of one installation must agree on, recorded once in the shared database."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class KeyFingerprint(models.Model):
    """A one-way fingerprint of a key every app server must share (the secret key signs
    sessions and keys the sign-in counters; the current encryption key seals notes; the Web
    Push key signs reminders to devices subscribed through any server).

    The first server to start records it; later servers compare theirs (system checks
    thaw.E030, E033, E034), so a server started with another key refuses to run instead of signing
    people out or writing notes the others cannot read. ``thaw rotate-key`` updates it.
    """

    name = models.CharField(max_length=32, unique=True)
    fingerprint = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name}: {self.fingerprint[:12]}…"
