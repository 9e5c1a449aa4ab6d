"""Typed readers for Thaw's environment-variable settings.

Every setting a self-hoster can change is an environment variable. These helpers
refuse junk loudly (``THAW_DEBUG=yes please`` is an error, not ``False``) so a
misconfiguration is found at start-up rather than in production.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of true/false, 1/0, yes/no.")


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is too small: the minimum is {minimum}.")
    return value


def envstr(name: str, default: str) -> str:
    raw = os.environ.get(name)
    return default if raw is None or raw == "" else raw


def envsecret(name: str) -> str | None:
    """Read a secret from ``NAME`` or from the file named by ``NAME_FILE``."""
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if value and path:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc.strerror}.") from None
    return value or None


def write_private(path: Path, text: str, *, replace: bool) -> bool:
    """Write ``text`` to ``path`` with mode 0600, fsynced, never half-written.

    The text goes to a private temporary file first; with ``replace`` it then takes the
    place of any existing file, otherwise it is hard-linked into place only if nothing is
    there yet (so several workers starting together agree on one file). Returns whether
    this call's text is the one now at ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    if replace:
        os.replace(tmp, path)
        return True
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()


def secret_file(path: Path, *, nbytes: int = 50) -> str:
    """Return the secret kept in ``path``, creating it (mode 0600) on first use."""
    if not path.exists():
        write_private(path, secrets.token_urlsafe(nbytes) + "\n", replace=False)
    value = path.read_text().strip()
    if not value:
        raise ImproperlyConfigured(f"{path} is empty: delete it and Thaw will make a new one.")
    return value


def vapid_key_file(path: Path) -> str:
    """Return the PEM of the Web Push (VAPID) signing key in ``path``, creating it on first use.

    A P-256 key, like the secret key generated into the data dir (mode 0600, never half-written,
    several workers starting together agree on one). Browsers tie their push subscriptions to its
    public half, so replacing it means every device must subscribe again.
    """
    if not path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        write_private(path, pem, replace=False)
    value = path.read_text().strip()
    if "PRIVATE KEY" not in value:
        raise ImproperlyConfigured(f"{path} is not a PEM private key: delete it and Thaw will make a new one "
                                   "(devices will then need to turn notifications on again).")
    return value
