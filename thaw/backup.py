"""``thaw backup`` and ``thaw restore``: an encrypted, integrity-checked copy of the database.

SQLite: an online backup (consistent while Thaw runs). PostgreSQL: ``pg_dump`` in its
custom format (``pg_restore`` to restore). The copy is encrypted with the current key of
the encryption key ring, in 4 MiB AES-256-GCM chunks whose order and end are
authenticated, and carries the SHA-256 of the plaintext, checked on restore together
with SQLite's own ``integrity_check``. The key is not in the backup: keep the key file
(or ``THAW_ENCRYPTION_KEY``) backed up separately, or the backup cannot be opened.

The Web Push (VAPID) key travels inside the backup, sealed with the same key in the header's
``vapid_key``: every device's reminder subscription in the database is tied to it, so a
restore on a new machine without it would silently stop every push. ``restore`` puts it
back in the data directory (or, when the key comes from the environment, beside it, saying so).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connection
from django.utils import timezone

from thaw import crypto
from thaw.env import write_private
from thaw.validation import BodyNotJSON, parse_json_body

MAGIC = b"THAW-BACKUP-1\n"
CHUNK = 4 * 1024 * 1024


class BackupError(RuntimeError):
    pass


def _nonce(base: bytes, index: int) -> bytes:
    return base + struct.pack(">I", index)


def seal_file(source: Path, target: Path, header: dict[str, Any]) -> None:
    """Encrypt ``source`` into ``target``; adds the key id to ``header``."""
    kid, key = crypto.keyring().current
    aead = AESGCM(key)
    base = os.urandom(8)
    header["key_id"] = kid
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
        meta = json.dumps(header).encode()
        out.write(MAGIC + struct.pack(">I", len(meta)) + meta + base)
        index = 0
        chunk = src.read(CHUNK)
        while True:
            following = src.read(CHUNK)
            last = not following
            sealed = aead.encrypt(_nonce(base, index), chunk, f"{index}|{int(last)}".encode() + meta)
            out.write(struct.pack(">I", len(sealed)) + sealed)
            if last:
                break
            chunk, index = following, index + 1
        out.flush()
        os.fsync(out.fileno())


HEADER_MAX = 64 * 1024
# What the header must hold, and how a person would say its kind.
_HEADER = {"key_id": (str, "text"), "sha256": (str, "text"), "engine": (str, "text"), "created": (str, "text"),
           "bytes": (int, "a whole number")}


def _read_header(source: Path, meta: bytes) -> dict[str, Any]:
    try:
        header = parse_json_body(meta)
    except BodyNotJSON as exc:
        raise BackupError(f"{source}: its header is not valid JSON ({exc}); the file is damaged") from None
    if not isinstance(header, dict):
        raise BackupError(f"{source}: its header is not a JSON object; the file is damaged")
    for key, (kind, said) in _HEADER.items():
        if key not in header:
            raise BackupError(f"{source}: its header has no {key}; the file is damaged")
        if not isinstance(header[key], kind) or isinstance(header[key], bool):
            raise BackupError(f"{source}: header.{key} must be {said}; the file is damaged")
    return header


def open_file(source: Path, target: Path) -> dict[str, Any]:
    """Decrypt ``source`` into ``target``; return the header. Raises BackupError when anything is off."""
    try:
        return _open_file(source, target)
    except struct.error:
        raise BackupError(f"{source} ends too early: the file is truncated or damaged") from None
    except FileNotFoundError:
        raise BackupError(f"{source} does not exist") from None
    except OSError as exc:
        raise BackupError(f"{source} cannot be read ({exc.strerror or exc})") from None


def _open_file(source: Path, target: Path) -> dict[str, Any]:
    with open(source, "rb") as src, open(target, "wb") as out:
        start = src.read(len(MAGIC))
        if start != MAGIC:
            hint = " (it looks like an export: import it with `thaw import`)" if start.lstrip()[:1] in (b"{", b"[") \
                or start.startswith(b"THAW-EXPORT") else ""
            raise BackupError(f"{source} is not a Thaw backup{hint}")
        (size,) = struct.unpack(">I", src.read(4))
        if size > HEADER_MAX:
            raise BackupError(f"{source}: its header claims {size:,} bytes; the file is damaged")
        meta = src.read(size)
        header = _read_header(source, meta)
        key = crypto.keyring().get(header["key_id"])
        if key is None:
            raise BackupError(f"{source} was made with key {header['key_id']}, which this server does not have")
        aead, base = AESGCM(key), src.read(8)
        digest = hashlib.sha256()
        index = 0
        while True:
            length = src.read(4)
            wanted = struct.unpack(">I", length)[0] if len(length) == 4 else -1
            if wanted > CHUNK + 64:  # a chunk is at most CHUNK bytes and its tag
                raise BackupError(f"{source}: chunk {index + 1} claims {wanted:,} bytes; the file is damaged")
            sealed = src.read(wanted) if wanted >= 0 else b""
            if wanted < 0 or len(sealed) < wanted:
                raise BackupError(f"{source} ends too early in chunk {index + 1}: the file is truncated")
            for last in (0, 1):
                try:
                    plain = aead.decrypt(_nonce(base, index), sealed, f"{index}|{last}".encode() + meta)
                    break
                except InvalidTag:
                    plain = None
            if plain is None:
                raise BackupError(f"{source}: chunk {index + 1} failed its authentication check; "
                                  "the file was changed or is damaged")
            out.write(plain)
            digest.update(plain)
            index += 1
            if last:
                break
        if digest.hexdigest() != header["sha256"]:
            raise BackupError(f"{source}: the checksum of what it holds does not match header.sha256")
    return header


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_environment() -> dict[str, str]:
    """Connection details for pg_dump/pg_restore in the environment, never on the command line
    (where any local user could read the password with ps)."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"),
                          ("PGDATABASE", "NAME")):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def backup(target: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR) as tmp:
        plain = Path(tmp) / "plain"
        if connection.vendor == "sqlite":
            source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
            dest = sqlite3.connect(plain)
            with dest:
                source.backup(dest)
            dest.close()
            source.close()
        elif connection.vendor == "postgresql":
            pg_dump = shutil.which("pg_dump")
            if not pg_dump:
                raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
            subprocess.run([pg_dump, "--format=custom", "--no-owner", "--file", str(plain)], check=True,
                           env=_pg_environment())
        else:
            raise BackupError(f"backups of {connection.vendor} are not supported")
        header = {"engine": connection.vendor, "created": timezone.now().isoformat(), "sha256": _sha256(plain),
                  "bytes": plain.stat().st_size}
        header["vapid_key"] = _seal_vapid(header["sha256"])
        seal_file(plain, target, header)
    return header


def _vapid_aad(sha256: str) -> bytes:
    return b"thaw backup vapid key\0" + sha256.encode()  # tied to this backup's contents


def _seal_vapid(sha256: str) -> str:
    _kid, key = crypto.keyring().current  # the key seal_file uses for the rest
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, settings.THAW_VAPID_PRIVATE_KEY.encode(), _vapid_aad(sha256))
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def _open_vapid(source: Path, header: dict[str, Any]) -> str | None:
    """The Web Push key the backup carries (None in backups made before it did)."""
    sealed = header.get("vapid_key")
    if sealed is None:
        return None
    key = crypto.keyring().get(header["key_id"])
    try:
        raw = base64.urlsafe_b64decode(str(sealed).encode())
        return AESGCM(key).decrypt(raw[:12], raw[12:], _vapid_aad(header["sha256"])).decode()
    except (ValueError, TypeError, InvalidTag, UnicodeDecodeError):
        raise BackupError(f"{source}: header.vapid_key failed its authentication check; the file is damaged") from None


def _put_back_vapid(pem: str) -> str:
    """Make the backup's Web Push key this server's; say what was done (or must be)."""
    if pem.strip() == settings.THAW_VAPID_PRIVATE_KEY.strip():
        return ""
    data_file = Path(settings.DATA_DIR) / "vapid_private_key.pem"
    if not (os.environ.get("THAW_VAPID_PRIVATE_KEY") or os.environ.get("THAW_VAPID_PRIVATE_KEY_FILE")):
        write_private(data_file, pem + "\n", replace=True)
        return (f"The backup's Web Push key replaced {data_file} (devices keep their reminders). "
                "Restart Thaw, and copy that file to every other server.")
    aside = Path(settings.DATA_DIR) / "vapid_private_key.restored.pem"
    write_private(aside, pem + "\n", replace=True)
    return (f"The backup's Web Push key differs from THAW_VAPID_PRIVATE_KEY(_FILE): it is in {aside}. "
            "Point THAW_VAPID_PRIVATE_KEY_FILE at it on every server and restart, or devices' reminders stop.")


def restore(source: Path) -> dict[str, Any]:
    """Replace the database with the backup. Stop Thaw first."""
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR) as tmp:
        plain = Path(tmp) / "plain"
        header = open_file(source, plain)
        if header["engine"] != connection.vendor:
            raise BackupError(f"this is a {header['engine']} backup; this Thaw uses {connection.vendor}")
        vapid = _open_vapid(source, header)  # checked before anything is replaced
        if connection.vendor == "sqlite":
            check = sqlite3.connect(plain)
            try:
                result = check.execute("PRAGMA integrity_check").fetchone()[0]
                tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            finally:
                check.close()
            if result != "ok" or "checkins_checkin" not in tables:
                raise BackupError(f"the restored database failed its integrity check ({result})")
            connection.close()
            database = Path(settings.DATABASES["default"]["NAME"])
            for suffix in ("-wal", "-shm"):
                Path(str(database) + suffix).unlink(missing_ok=True)
            os.replace(plain, database)
        else:
            pg_restore = shutil.which("pg_restore")
            if not pg_restore:
                raise BackupError("pg_restore is not installed (Debian: apt-get install postgresql-client)")
            connection.close()
            env = _pg_environment()
            subprocess.run([pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                            "--dbname", env.get("PGDATABASE", ""), str(plain)], check=True, env=env)
    header["vapid_note"] = _put_back_vapid(vapid) if vapid is not None else ""
    return header
