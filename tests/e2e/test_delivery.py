"""Pages that arrive fast, through the real server: hashed static files cached for a year as
immutable and precompressed (Brotli, gzip); HTML compressed only where BREACH cannot reach a
secret (thaw/core/delivery.py, docs/PERFORMANCE.md)."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from tests.support import LiveThaw

pytestmark = pytest.mark.e2e

ONE_YEAR = 365 * 24 * 3600


def _assets(html: bytes) -> list[str]:
    return [m.decode() for m in re.findall(rb'(?:src|href)="(/static/[^"]+)"', html)]


def test_static_files_have_hashed_names_are_immutable_for_a_year_and_precompressed(server: LiveThaw) -> None:
    page = server.request("GET", "/accounts/login/")
    assets = _assets(page.body)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets), assets
    for asset in assets:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", asset), f"{asset} has no content hash in its name"
        plain = server.request("GET", asset)
        assert plain.status == 200 and "Content-Encoding" not in plain.headers
        assert plain.headers["Cache-Control"] == f"max-age={ONE_YEAR}, public, immutable", asset
        if asset.endswith((".js", ".css", ".svg")):
            br = server.request("GET", asset, headers={"Accept-Encoding": "br, gzip"})
            assert br.headers.get("Content-Encoding") == "br", asset
            assert brotli.decompress(br.body) == plain.body
            gz = server.request("GET", asset, headers={"Accept-Encoding": "gzip"})
            assert gz.headers.get("Content-Encoding") == "gzip" and gzip.decompress(gz.body) == plain.body
            assert "Accept-Encoding" in br.headers.get("Vary", "")
    # The unhashed name is not served: a page can only name a file whose content cannot change under it.
    assert server.request("GET", "/static/vendor/htmx.min.js").status == 404


def test_pages_are_gzipped_with_random_padding_and_a_fresh_csrf_mask(server: LiveThaw) -> None:
    """Django's gzip pads every answer with random bytes (Heal The Breach) and masks the CSRF
    token anew each time: two answers to the same request differ in their compressed length
    and in the token a form carries, so their sizes leak nothing stable."""
    lengths, tokens = set(), set()
    for _ in range(8):
        answer = server.request("GET", "/help/", headers={"Accept-Encoding": "gzip"})
        assert answer.status == 200 and answer.headers.get("Content-Encoding") == "gzip"
        assert "Accept-Encoding" in answer.headers.get("Vary", "")
        html = gzip.decompress(answer.body)
        assert b"Get help now" in html
        lengths.add(len(answer.body))
        tokens.update(re.findall(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert len(lengths) > 1, "compressed pages carry random padding"
    assert len(tokens) > 1 or not tokens  # the help page may carry no form for a visitor


def test_secrets_are_never_in_a_compressed_answer(server: LiveThaw) -> None:
    """No compression for account pages (sign-in, two-factor set-up, recovery codes), for the API,
    or for any answer to a POST (where new tokens and invitation links are shown)."""
    login = server.request("GET", "/accounts/login/", headers={"Accept-Encoding": "gzip"})
    assert login.status == 200 and "Content-Encoding" not in login.headers
    assert re.search(rb'name="csrfmiddlewaretoken"', login.body)
    api = server.request("GET", "/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert api.status == 200 and "Content-Encoding" not in api.headers
    posted = server.request("POST", "/accounts/login/", raw=b"login=x%40example.org&password=wrong",
                            headers={"Accept-Encoding": "gzip", "Content-Type": "application/x-www-form-urlencoded"})
    assert "Content-Encoding" not in posted.headers


def test_cookies_stay_home(server: LiveThaw) -> None:
    """SameSite=Lax: a page on another site cannot make a signed-in browser fetch Thaw's pages
    over and over with the person's cookies (what BREACH needs)."""
    login = server.request("GET", "/accounts/login/")
    assert "samesite=lax" in login.headers.get("Set-Cookie", "").lower()
    from django.conf import settings

    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
