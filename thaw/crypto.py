"""Encryption at rest for free text: AES-256-GCM with the key kept outside the database.

The key comes from ``THAW_ENCRYPTION_KEY`` (or ``THAW_ENCRYPTION_KEY_FILE``), else from
``<data dir>/encryption_key``, generated on first run with mode 0600. A key ring holds
the current key first and older keys after it (one ``id:base64`` per line, or comma
separated in the variable), so ``thaw rotate-key`` can re-encrypt without downtime.

Stored form: ``enc1:<key id>:<base64url(nonce || ciphertext+tag)>``. The associated data
names the table and column, so a value copied into another column does not decrypt.
Values that do not start with ``enc1:`` are legacy plaintext and are read as they are
(the migration that turned encryption on re-saves them encrypted).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from thaw.env import write_private

PREFIX = "enc1:"
KEY_ID = re.compile(r"[0-9a-z]{8}")


class DecryptionError(ValueError):
    pass


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[tuple[str, bytes], ...]  # (id, 32-byte key); the first encrypts

    @property
    def current(self) -> tuple[str, bytes]:
        return self.keys[0]

    def get(self, key_id: str) -> bytes | None:
        return next((key for kid, key in self.keys if kid == key_id), None)

    def serialise(self) -> str:
        return "".join(f"{kid}:{base64.urlsafe_b64encode(key).decode()}\n" for kid, key in self.keys)


def new_key() -> tuple[str, bytes]:
    return secrets.token_hex(4), AESGCM.generate_key(bit_length=256)


def parse_keyring(text: str, source: str) -> KeyRing:
    keys = []
    for part in text.replace(",", "\n").split("\n"):
        part = part.strip()
        if not part:
            continue
        kid, sep, encoded = part.partition(":")
        try:
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError:
            key = b""
        if not sep or not KEY_ID.fullmatch(kid) or len(key) != 32:
            raise ImproperlyConfigured(
                f"{source} must hold lines like '1a2b3c4d:<base64 of 32 random bytes>' (an id of 8 lowercase "
                "letters or digits, then the key); `thaw rotate-key` with a key file makes one."
            )
        keys.append((kid, key))
    if not keys:
        raise ImproperlyConfigured(f"{source} holds no key.")
    return KeyRing(tuple(keys))


def key_file() -> Path:
    return Path(settings.DATA_DIR) / "encryption_key"


def _from_environment() -> KeyRing | None:
    value = os.environ.get("THAW_ENCRYPTION_KEY")
    path = os.environ.get("THAW_ENCRYPTION_KEY_FILE")
    if value and path:
        raise ImproperlyConfigured("Set THAW_ENCRYPTION_KEY or THAW_ENCRYPTION_KEY_FILE, not both.")
    if value:
        return parse_keyring(value, "THAW_ENCRYPTION_KEY")
    if path:
        try:
            return parse_keyring(Path(path).read_text(), f"THAW_ENCRYPTION_KEY_FILE={path}")
        except OSError as exc:
            raise ImproperlyConfigured(f"THAW_ENCRYPTION_KEY_FILE={path!r} cannot be read: {exc.strerror}.") from None
    return None


def write_key_file(path: Path, ring: KeyRing) -> None:
    """Write the ring atomically with mode 0600."""
    write_private(path, ring.serialise(), replace=True)


_cached: tuple[float, KeyRing] | None = None


def keyring() -> KeyRing:
    """The key ring, read again whenever the key file changes (after a rotation in another
    process), so no worker keeps encrypting with a key that has been retired."""
    global _cached
    ring = _from_environment()
    if ring is not None:
        return ring
    path = key_file()
    if not path.exists():  # first run; if another worker makes it first, theirs is used
        write_private(path, KeyRing((new_key(),)).serialise(), replace=False)
    stamp = path.stat().st_mtime_ns
    if _cached is None or _cached[0] != stamp:
        _cached = (stamp, parse_keyring(path.read_text(), str(path)))
    return _cached[1]


def _forget() -> None:
    global _cached
    _cached = None


keyring.cache_clear = _forget  # type: ignore[attr-defined]


def encrypt(plaintext: str, context: str, ring: KeyRing | None = None) -> str:
    ring = ring or keyring()
    kid, key = ring.current
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}{kid}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(stored: str, context: str, ring: KeyRing | None = None) -> str:
    if not stored.startswith(PREFIX):
        return stored  # legacy plaintext, from before encryption was turned on
    ring = ring or keyring()
    kid, _, encoded = stored[len(PREFIX):].partition(":")
    key = ring.get(kid)
    if key is None and ring is keyring():
        keyring.cache_clear()  # another process may have rotated the key: read the ring again
        ring = keyring()
        key = ring.get(kid)
    if key is None:
        raise DecryptionError(f"no key with id {kid!r} in the key ring; was a key removed too early?")
    try:
        raw = base64.urlsafe_b64decode(encoded)
        return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode()).decode()
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError("a stored value failed authentication (tampered, or the wrong key)") from exc


def key_id_of(stored: str) -> str | None:
    return stored[len(PREFIX):].partition(":")[0] if stored.startswith(PREFIX) else None


def encrypted_fields() -> list[tuple[type, list[str]]]:
    """Every model with encrypted text, and which fields."""
    from django.apps import apps

    from thaw.fields import EncryptedTextField

    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


MFA_CONTEXT = "mfa_authenticator.data"
MFA_FIELDS = ("secret", "seed")  # what allauth's MFA adapter encrypts inside Authenticator.data


def _mfa_values() -> list[tuple[Any, str, str]]:
    from allauth.mfa.models import Authenticator

    found = []
    for authenticator in Authenticator.objects.all():
        for name in MFA_FIELDS:
            value = (authenticator.data or {}).get(name)
            if isinstance(value, str) and value.startswith(PREFIX):
                found.append((authenticator, name, value))
    return found


def key_ids_in_use() -> dict[str, int]:
    """How many stored values each key id encrypts (counted without decrypting)."""
    from django.db import connection

    counts: dict[str, int] = {}
    start = len(PREFIX) + 1
    with connection.cursor() as cursor:
        for model, names in encrypted_fields():
            table = connection.ops.quote_name(model._meta.db_table)
            for name in names:
                column = connection.ops.quote_name(model._meta.get_field(name).column)
                # The key id sits between "enc1:" and the next ":"; key ids are 8 characters.
                cursor.execute(
                    f"SELECT substr({column}, {start}, 8), count(*) FROM {table} "
                    f"WHERE {column} LIKE %s GROUP BY substr({column}, {start}, 8)",
                    [PREFIX + "%"],
                )
                for kid, count in cursor.fetchall():
                    counts[kid] = counts.get(kid, 0) + count
    for _, _, value in _mfa_values():
        kid = key_id_of(value) or "?"
        counts[kid] = counts.get(kid, 0) + 1
    return counts


def _reencrypt_mfa() -> int:
    rewritten = 0
    for authenticator, name, value in _mfa_values():
        authenticator.data[name] = encrypt(decrypt(value, MFA_CONTEXT), MFA_CONTEXT)
        authenticator.save(update_fields=["data"])
        rewritten += 1
    return rewritten


def rotate(drop_old: bool = False) -> tuple[str, int, dict[str, int]]:
    """Without ``drop_old``: add a new current key and re-encrypt everything with it.
    With ``drop_old``: keep the current key and remove the others, but only if nothing
    stored still uses them (run it after every server has restarted on the new key)."""
    from django.db import transaction

    from thaw.fields import reencrypt

    if _from_environment() is not None:
        raise ImproperlyConfigured(
            "The key comes from THAW_ENCRYPTION_KEY(_FILE). To rotate: put a new key first and the old one after it "
            "(comma separated), restart, run `thaw rotate-key` again to re-encrypt, then remove the old key."
        )
    ring = keyring()
    if drop_old:
        current = ring.current
        in_use = key_ids_in_use()
        if not set(in_use) <= {current[0]}:
            raise ImproperlyConfigured(
                f"Stored values still use key(s) {', '.join(sorted(set(in_use) - {current[0]}))}: run "
                "`thaw rotate-key` (without --drop-old) first, then restart every server."
            )
        write_key_file(key_file(), KeyRing((current,)))
        _forget()
        return current[0], 0, in_use
    fresh = new_key()
    write_key_file(key_file(), KeyRing((fresh, *ring.keys)))
    _forget()
    rewritten = 0
    for model, names in encrypted_fields():
        with transaction.atomic():
            rewritten += reencrypt(model, names)
    with transaction.atomic():
        rewritten += _reencrypt_mfa()
    return fresh[0], rewritten, key_ids_in_use()


def secret_digest(raw: str) -> str:
    """How Thaw stores a secret it hands out (API tokens, invitation links, calendar feeds):
    only its SHA-256, so a copy of the database cannot be used to act as anyone."""
    return hashlib.sha256(raw.encode()).hexdigest()
