"""How Thaw's bytes reach a slow phone: static files and pages, compressed and cached.

Static files (CSS, JavaScript, icons) are collected into ``STATIC_ROOT`` with a content hash
in their names and precompressed copies beside them (Brotli and gzip: WhiteNoise's
``CompressedManifestStaticFilesStorage`` with the ``brotli`` package). A hashed name never
changes its content, so it is cached for a year as ``immutable``: a phone fetches htmx once.

``collect_static()`` runs ``collectstatic`` only when a source file changed since the last
collection (a fingerprint of names, sizes and modification times), under a file lock, so
``thaw serve``, every test server and the test suite can all call it at start-up cheaply.

Pages (HTML) are gzip-compressed by ``PageCompression``, within limits chosen against BREACH
(docs/PERFORMANCE.md, "Compression and BREACH"):

- never an answer that shows a secret. One-time secrets are shown after the redirect that made
  them, in the answer to a GET, so the method alone does not keep them out: the answer says so
  itself. The pages that exist to show one are marked ``@never_compressed`` (circle, clinic and
  intake invitation links; the invitation pages, which carry their token in the page); Settings
  and the calendar page mark with ``keep_uncompressed`` only the one answer that shows a new API
  token or calendar link, so their ordinary loads stay small (Settings is 42 KB uncompressed);
- only answers to GET and HEAD: an answer to a POST (an error page that keeps what was typed) is
  never compressed;
- never the account pages under ``/accounts/`` (sign-in, two-factor set-up and recovery codes show
  secrets in answers to a GET) and never the API (bearer tokens, JSON for scripts);
- Django's gzip adds "Heal The Breach" random padding to every compressed answer, the CSRF token
  in a page is masked afresh for every answer, and the session cookie is ``SameSite=Lax``, so a
  page on another site cannot make a signed-in browser fetch Thaw's pages many times over.

Every page names its own stylesheets and scripts in ``Link: rel=preload`` headers
(``PreloadHeaders``), so a browser asks for them as soon as the answer's headers arrive, before it
has parsed the page. On a slow phone that saves a good part of one round trip (docs/PERFORMANCE.md,
"Time to interactive on a slow phone").

The JavaScript message catalogue (``/i18n/<lang>.js``: public strings, the same for everyone) is
compressed too. English pages load no catalogue: English is the source language, and
``thaw.js`` falls back to the English text when ``window.django`` is absent.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from whitenoise.middleware import WhiteNoiseMiddleware

logger = logging.getLogger(__name__)
ONE_YEAR = 365 * 24 * 3600
NOT_COMPRESSED = ("/accounts/", "/api/")
NEVER_COMPRESSED = "thaw_never_compressed"  # set on a response by @never_compressed
FINGERPRINT = ".source-fingerprint"


class StaticFiles(WhiteNoiseMiddleware):
    """WhiteNoise, with hashed (immutable) files cached for one year rather than ten."""

    FOREVER = ONE_YEAR


def keep_uncompressed(response: HttpResponse) -> HttpResponse:
    """Mark one answer that shows a secret: ``PageCompression`` leaves it as it is, whatever the
    method, so BREACH has no compressed size to read."""
    setattr(response, NEVER_COMPRESSED, True)
    return response


def never_compressed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a view whose page is there to show a secret (an invitation link, a page reached by
    one): none of its answers is compressed (``keep_uncompressed``)."""

    @wraps(view)
    def marked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return keep_uncompressed(view(request, *args, **kwargs))

    return marked


class PageCompression(GZipMiddleware):
    """Django's gzip (with its BREACH padding) for HTML answers to GET and HEAD, outside the
    account pages, the API and answers marked as showing a secret. See the module docstring
    for why each limit is there."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if (request.method not in ("GET", "HEAD") or request.path.startswith(NOT_COMPRESSED)
                or getattr(response, NEVER_COMPRESSED, False)):
            return response
        kind = response.get("Content-Type", "")
        if not (kind.startswith("text/html") or kind.startswith("text/javascript") and request.path.startswith("/i18n/")):
            return response  # pages, and the JavaScript catalogue (public strings, nothing secret in it)
        return super().process_response(request, response)  # type: ignore[no-any-return]


# A stylesheet or a script of our own in a page's <head>: <link rel="stylesheet" href="/static/…">
# or <script src="/static/…">. The page's own markup, written by Thaw's templates, not user text.
_HEAD_ASSET = re.compile(rb'<link rel="stylesheet" href="(/static/[^"<>]+)"|<script src="(/static/[^"<>]+)"')
_HEAD_END = b"</head>"


def preload_links(html: bytes) -> list[str]:
    """``Link`` header values for the stylesheets and scripts named in the page's <head>, in order."""
    end = html.find(_HEAD_END, 0, 16_384)
    if end == -1:
        return []
    links = []
    for style, script in _HEAD_ASSET.findall(html[:end]):
        if style:
            links.append(f"<{style.decode()}>; rel=preload; as=style")
        else:
            links.append(f"<{script.decode()}>; rel=preload; as=script")
    return links


class PreloadHeaders:
    """Name a page's stylesheets and scripts in ``Link: rel=preload`` headers (see the module
    docstring): the browser starts fetching them while the page itself is still arriving."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (request.method in ("GET", "HEAD") and response.status_code == 200 and not response.streaming
                and response.get("Content-Type", "").startswith("text/html") and "Link" not in response):
            links = preload_links(response.content)
            if links:
                response["Link"] = ", ".join(links)
        return response


def _source_fingerprint() -> str:
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f".{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def collect_static() -> bool:
    """Collect, hash and compress the static files into STATIC_ROOT unless they are already up
    to date. Returns True when it collected."""
    from django.conf import settings
    from django.core.management import call_command

    root = Path(settings.STATIC_ROOT)
    with _locked(root):
        fingerprint = _source_fingerprint()
        stamp = root / FINGERPRINT
        if stamp.exists() and stamp.read_text() == fingerprint and (root / "staticfiles.json").exists():
            _readable_by_all(root)  # collected by an older Thaw, which left them private
            return False
        call_command("collectstatic", interactive=False, clear=True, verbosity=0)
        stamp.write_text(fingerprint)
        _readable_by_all(root)
        return True


def _readable_by_all(root: Path) -> None:
    """Static files are public (styles, scripts, icons) and nginx, another user, serves them
    from disk (deploy/nginx). ``thaw`` runs under umask 0077 for the database and keys, which
    would leave the folders and the compressed copies readable by Thaw alone."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue  # never change what a link points to
        mode = 0o755 if path.is_dir() else 0o644
        try:
            if path.stat().st_mode & 0o777 != mode:
                path.chmod(mode)
        except OSError as exc:  # another user's file, or a read-only mount: serve anyway, and say so
            logger.warning("could not make %s readable by the web server: %s", path, exc)
