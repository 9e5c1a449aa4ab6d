"""Helpers to run the real ``thaw`` command and server in isolation from the test database.

End-to-end tests start ``thaw serve`` as a subprocess on a free loopback port with its
own data directory. When the suite runs on PostgreSQL (``DATABASE_URL`` is set), each
server gets a fresh database in the same cluster, dropped afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# How long a test waits for something that will happen (a server answering, a worker's email):
# long enough that a loaded, shared machine never fails a test by timing, short enough that a
# real hang still ends the run. Tests poll for readiness; none sleeps a fixed time instead.
READY_TIMEOUT = 180.0


def wait_until(ready: Callable[[], bool], what: str, timeout: float = READY_TIMEOUT, poll: float = 0.2) -> None:
    """Poll ``ready`` until it is true; raise TimeoutError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(poll)


def another_vapid_key() -> str:
    """A Web Push key of the kind another server would generate for itself."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _is_postgres(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme.startswith("postgres")


@contextlib.contextmanager
def isolated_env(data_dir: Path) -> Iterator[dict[str, str]]:
    """An environment for a ``thaw`` subprocess: its own data dir and, on PostgreSQL, its own database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("THAW_") or k == "THAW_STATIC_ROOT"}
    env["THAW_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    admin_url = os.environ.get("DATABASE_URL")
    if not _is_postgres(admin_url):
        env.pop("DATABASE_URL", None)
        yield env
        return
    import psycopg

    name = f"thaw_e2e_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield env
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def thaw(*args: str, env: dict[str, str], input: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "thaw.cli", *args], env=env, input=input, capture_output=True, text=True, timeout=timeout
    )


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class LiveThaw:
    """A running ``thaw serve``, reached over real HTTP."""

    url: str
    env: dict[str, str]
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path
    token: str | None = field(default=None)

    def request(self, method: str, path: str, body: Any = None, token: str | None = None,
                raw: bytes | None = None, headers: dict[str, str] | None = None) -> Response:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        for key, value in (headers or {}).items():
            req.add_header(key, value)
        try:
            with urllib.request.urlopen(req, timeout=READY_TIMEOUT) as resp:
                return Response(resp.status, dict(resp.headers), resp.read())
        except urllib.error.HTTPError as err:
            return Response(err.code, dict(err.headers), err.read())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def live_thaw(data_dir: Path, workers: int = 2, site_url: bool = True) -> Iterator[LiveThaw]:
    """``thaw serve`` on a free port; with ``site_url=False`` THAW_SITE_URL is left unset."""
    with isolated_env(data_dir) as env:
        port = free_port()
        if site_url:
            env["THAW_SITE_URL"] = f"http://127.0.0.1:{port}"  # so links in emails and invitations point here
        log_path = data_dir.parent / f"{data_dir.name}-server.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "thaw.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                 "--workers", str(workers)],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        server = LiveThaw(f"http://127.0.0.1:{port}", env, data_dir, process, log_path)
        try:
            def healthy() -> bool:
                if process.poll() is not None:
                    raise RuntimeError(f"thaw serve exited early:\n{server.log()}")
                try:
                    return server.request("GET", "/healthz").status == 200
                except OSError:
                    return False

            try:
                wait_until(healthy, "thaw serve answering /healthz")
            except TimeoutError as exc:
                raise RuntimeError(f"{exc}:\n{server.log()}") from None
            yield server
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 15)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait(timeout=10)


def person_with_note(env: dict[str, str], email: str, note: str) -> None:
    """Through the real command: create an account (THAW_PASSWORD) and one check-in with ``note``."""
    env.setdefault("THAW_PASSWORD", "a calm, long passphrase")
    assert thaw("user", "add", email, env=env).returncode == 0
    script = ("from thaw.accounts.models import User; from thaw.checkins.services import create_checkin; "
              f"create_checkin(User.objects.get(email={email!r}), {{'emotions': [{{'word': 'calm', 'intensity': 2}}], "
              f"'numbness': 1, 'note': {note!r}}})")
    result = thaw("manage", "shell", "--no-imports", "-c", script, env=env)
    assert result.returncode == 0, result.stderr


def totp_code(secret: str) -> str:
    """The current two-factor code for ``secret``, as an authenticator app shows it. A code read in
    the last seconds of its 30-second window may expire before the server checks it (the server
    accepts the current window only), so then this waits for the next window: a person would too."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if 30 - time.time() % 30 < 5:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
