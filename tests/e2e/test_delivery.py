"""Pages that arrive fast, through the real server: hashed static files cached for a year as
immutable and precompressed (Brotli, gzip); HTML compressed only where BREACH cannot reach a
secret (thaw/core/delivery.py, docs/PERFORMANCE.md)."""

from __future__ import annotations

import gzip
import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import brotli
import pytest

from tests.personas import PASSWORD, TOTP_SECRET
from tests.support import READY_TIMEOUT, LiveThaw, Response, thaw, totp_code

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


class _StayPut(urllib.request.HTTPRedirectHandler):
    """Answer a redirect with the redirect itself, so the test sees each answer in turn."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _Visitor:
    """One browser over real HTTP: its own cookies, and gzip accepted on every request, as a
    browser does (so the server decides, answer by answer, whether to compress)."""

    def __init__(self, server: LiveThaw) -> None:
        self.server = server
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _StayPut())

    def request(self, method: str, path: str, fields: dict[str, str] | None = None) -> Response:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        req = urllib.request.Request(self.server.url + path, data=data, method=method,
                                     headers={"Accept-Encoding": "gzip"})
        if data is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with self.opener.open(req, timeout=READY_TIMEOUT) as resp:
                return Response(resp.status, dict(resp.headers), resp.read())
        except urllib.error.HTTPError as err:
            return Response(err.code, dict(err.headers), err.read())

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post_form(self, page: str, fields: dict[str, str], action: str | None = None) -> str:
        """Send a form the way a person does (its page first, for the CSRF token); the address
        the answer redirects to."""
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', _html(self.get(page)))
        assert token, f"no form on {page}"
        answer = self.request("POST", action or page, {"csrfmiddlewaretoken": token.group(1).decode(), **fields})
        assert answer.status == 302, (action or page, answer.status, _html(answer)[:2000])
        return urllib.parse.urlsplit(answer.headers["Location"]).path

    def sign_in(self, email: str, two_factor: bool = False) -> None:
        landed = self.post_form("/accounts/login/", {"login": email, "password": PASSWORD})
        if two_factor:
            landed = self.post_form(landed, {"code": totp_code(TOTP_SECRET)})
        assert not landed.startswith("/accounts/"), landed


def _html(answer: Response) -> bytes:
    return gzip.decompress(answer.body) if answer.headers.get("Content-Encoding") == "gzip" else answer.body


def _shows_secret_uncompressed(visitor: _Visitor, path: str, secret: bytes) -> bytes:
    """Open ``path`` and check the answer shows a secret matching ``secret`` and is not compressed."""
    answer = visitor.get(path)
    assert answer.status == 200, (path, answer.status)
    shown = re.search(secret, _html(answer))
    assert shown, f"{path} does not show its secret"
    assert "Content-Encoding" not in answer.headers, (
        f"{path} shows a secret in a compressed answer ({answer.headers.get('Content-Encoding')}): BREACH can read it")
    return shown.group(1)


def _compressed(visitor: _Visitor, path: str) -> None:
    answer = visitor.get(path)
    assert answer.status == 200 and answer.headers.get("Content-Encoding") == "gzip", (path, answer.status)
    assert not re.search(rb'id="(new-token|feed-url|invite-link)"', _html(answer)), f"{path} shows a secret"


WORLD = """
import json
from allauth.mfa.totp.internal.auth import TOTP
from thaw.accounts.models import User
from thaw.clinic.models import Membership, Program
from thaw.intake import services
def user(email, role):
    made = User.objects.create_user(email, {password!r}, role=role)
    if role != "person":
        TOTP.activate(made, {secret!r})
    return made
user("breach-person@example.org", "person")
clinician = user("breach-clinician@example.org", "clinician")
user("breach-intake@example.org", "intake")
program = Program.objects.create(name="Breach evening program", lead=clinician)
Membership.objects.create(program=program, clinician=clinician)
asked = services.receive({{"name": "Dee", "reach_by": "email", "reach_at": "dee@example.org", "consent": True,
                           "looking_for": services.NOT_SURE, "region": "Oregon"}})
print(json.dumps({{"program": str(program.pk), "request": str(asked.request.pk)}}))
"""


def test_secrets_are_never_in_a_compressed_answer(server: LiveThaw) -> None:
    """No compression for a page that shows a secret: account pages (sign-in, two-factor set-up,
    recovery codes), the API, answers to a POST, and every page that shows a one-time secret after
    the redirect (a new API token, a calendar link, circle, clinic and intake invitation links) or
    carries one in its address (the invitation pages). Ordinary pages of the same people still are
    compressed, Settings and the calendar page too once the secret is no longer on them."""
    login = server.request("GET", "/accounts/login/", headers={"Accept-Encoding": "gzip"})
    assert login.status == 200 and "Content-Encoding" not in login.headers
    assert re.search(rb'name="csrfmiddlewaretoken"', login.body)
    api = server.request("GET", "/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert api.status == 200 and "Content-Encoding" not in api.headers
    posted = server.request("POST", "/accounts/login/", raw=b"login=x%40example.org&password=wrong",
                            headers={"Accept-Encoding": "gzip", "Content-Type": "application/x-www-form-urlencoded"})
    assert "Content-Encoding" not in posted.headers

    made = thaw("manage", "shell", "--no-imports", "-c", WORLD.format(password=PASSWORD, secret=TOTP_SECRET),
                env=server.env)
    assert made.returncode == 0, made.stderr
    world = json.loads(made.stdout.strip().splitlines()[-1])

    person = _Visitor(server)
    person.sign_in("breach-person@example.org")
    _compressed(person, "/")
    _compressed(person, "/circle/")
    assert person.post_form("/settings/", {"name": "Laptop script"}, action="/settings/tokens/new") == "/settings/"
    _shows_secret_uncompressed(person, "/settings/", rb'id="new-token">([^<]+)<')
    _compressed(person, "/settings/")  # shown once: the next load has no token in it, and is small again
    assert person.post_form("/calendar/", {"action": "create"}) == "/calendar/"
    _shows_secret_uncompressed(person, "/calendar/", rb'id="feed-url" type="text" readonly value="([^"]+)"')
    _compressed(person, "/calendar/")
    invited = person.post_form("/circle/new/", {"name": "Sam", "categories": "summary"})
    circle_link = _shows_secret_uncompressed(person, invited, rb'id="invite-link">([^<]+)<')

    clinician = _Visitor(server)
    clinician.sign_in("breach-clinician@example.org", two_factor=True)
    _compressed(clinician, "/clinic/")
    invited = clinician.post_form("/clinic/invite/", {"program": world["program"]})
    enrol_link = _shows_secret_uncompressed(clinician, invited, rb'id="invite-link">([^<]+)<')

    intake = _Visitor(server)
    intake.sign_in("breach-intake@example.org", two_factor=True)
    _compressed(intake, "/intake/")
    request = f"/intake/{world['request']}/"
    invited = intake.post_form(request, {"program": world["program"]}, action=f"{request}invite")
    intake_link = _shows_secret_uncompressed(intake, invited, rb'id="invite-link">([^<]+)<')

    # The invitation pages carry their token in their own address and in the page.
    for link in (circle_link, enrol_link, intake_link):
        path = urllib.parse.urlsplit(link.decode()).path
        _shows_secret_uncompressed(_Visitor(server), path, b"(" + re.escape(path.encode()) + b")")


def test_cookies_stay_home(server: LiveThaw) -> None:
    """SameSite=Lax: a page on another site cannot make a signed-in browser fetch Thaw's pages
    over and over with the person's cookies (what BREACH needs)."""
    login = server.request("GET", "/accounts/login/")
    assert "samesite=lax" in login.headers.get("Set-Cookie", "").lower()
    from django.conf import settings

    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
