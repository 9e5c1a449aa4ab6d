"""Sign-in protection: brute force, required 2FA, idle sign-out, private caching, no admin back door."""

from __future__ import annotations

import json
import time

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db import connection
from django.test import Client

from tests.conftest import PASSWORD, ApiClient
from thaw.accounts.throttle import retry_after

pytestmark = pytest.mark.django_db


def web_login(client: Client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password})


ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


class Clock:
    """The throttle's clock, moved by hand: no test waits for real time to pass."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = time.time()
        monkeypatch.setattr("thaw.accounts.throttle._now", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def api_from(address: str) -> ApiClient:
    api = ApiClient(None)
    api.client = Client(REMOTE_ADDR=address)
    return api


def test_ten_failures_from_one_address_refuse_that_address_for_fifteen_minutes(alice, bob, clock) -> None:
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(10):
        assert web_login(attacker, "alice@example.org", "wrong password").status_code == 200
    clock.advance(5)
    refused = web_login(attacker, "alice@example.org", PASSWORD)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 900
    assert "Too many sign-in attempts" in refused.content.decode()
    api_refused = api_from(ATTACKER).post("/api/v1/auth/token", {"email": "alice@example.org", "password": PASSWORD})
    assert api_refused.status_code == 429 and api_refused.json()["detail"].startswith("Too many")
    # Another account from the same address is not refused because of Alice's failures.
    assert web_login(Client(REMOTE_ADDR=ATTACKER), "bob@example.org", PASSWORD).status_code == 302
    clock.advance(15 * 60)
    assert retry_after("alice@example.org", ATTACKER) == 0
    cache.clear()  # allauth's counter (the same window) runs on the real clock: let it expire too
    assert web_login(Client(REMOTE_ADDR=ATTACKER), "alice@example.org", PASSWORD).status_code == 302


def test_an_attackers_failures_do_not_lock_the_owner_out_from_another_address(alice, clock) -> None:
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(11):
        web_login(attacker, "alice@example.org", "wrong password")
    api_attacker = api_from(ATTACKER)
    assert api_attacker.post("/api/v1/auth/token", {"email": "alice@example.org", "password": "guess"}).status_code == 429
    clock.advance(3)  # the account-wide delay after ten failures is a second or two, not a lock-out
    owner = web_login(Client(REMOTE_ADDR=OWNER), "alice@example.org", PASSWORD)
    assert owner.status_code == 302 and owner["Location"] == "/", "the owner signs in from their own address"
    assert api_from(OWNER).post("/api/v1/auth/token", {"email": "alice@example.org", "password": PASSWORD}
                                ).status_code == 200


@pytest.fixture
def low_limit(settings) -> int:
    """Fewer failures before the limits start, so these tests hash fewer passwords."""
    settings.THAW_SIGNIN_ACCOUNT_LIMIT = 3
    return 3


def test_failures_spread_over_many_addresses_slow_the_account_progressively(alice, clock, settings, low_limit) -> None:
    from thaw.accounts.throttle import note_failure

    waits = []
    for n in range(9):
        if n % 3 == 0:  # through the real sign-in page now and then; the rest straight to the counter
            web_login(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), "alice@example.org", "wrong password")
        else:
            note_failure("alice@example.org", f"192.0.2.{n + 1}")
        waits.append(retry_after("alice@example.org", OWNER))
        clock.advance(waits[-1])
    assert waits[:2] == [0, 0], "no delay before the limit"
    assert waits[2:] == sorted(waits[2:]) and waits[-1] > 2 * waits[3] > 0, waits
    settings.THAW_SIGNIN_MAX_DELAY_SECONDS = 20
    note_failure("alice@example.org", "192.0.2.99")
    assert 0 < retry_after("alice@example.org", OWNER) <= 21, "the delay has a ceiling"
    clock.advance(21)
    assert web_login(Client(REMOTE_ADDR=OWNER), "alice@example.org", PASSWORD).status_code == 302


def test_the_owner_is_told_once_and_it_is_audited(alice, clock, low_limit) -> None:
    from thaw.audit.models import AuditEvent
    from thaw.tasks.models import Job

    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(2):
        web_login(attacker, "alice@example.org", "wrong password")
    assert not Job.objects.filter(kind="email.send").exists()
    web_login(attacker, "alice@example.org", "wrong password")
    for n in range(2):
        clock.advance(200)
        web_login(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), "alice@example.org", "wrong password")
    emails = [json.loads(j.payload) for j in Job.objects.filter(kind="email.send")]
    assert len(emails) == 1 and emails[0]["to"] == ["alice@example.org"]
    assert "wrong password 3 times" in emails[0]["body"] and "change your password" in emails[0]["body"]
    event = AuditEvent.objects.get(action="account.sign_in_throttled")
    assert event.person_id == alice.pk and event.details["address"] == ATTACKER


def test_api_failures_count_too(alice, low_limit) -> None:
    api = api_from(ATTACKER)
    for _ in range(3):
        assert api.post("/api/v1/auth/token", {"email": "alice@example.org", "password": "nope"}).status_code == 401
    assert api.post("/api/v1/auth/token", {"email": "alice@example.org", "password": PASSWORD}).status_code == 429


def test_per_address_limit(alice, settings) -> None:
    settings.THAW_SIGNIN_IP_LIMIT = 5
    client = Client()
    for n in range(5):
        web_login(client, f"nobody{n}@example.org", "whatever")
    assert web_login(client, "alice@example.org", PASSWORD).status_code == 429


def test_failures_store_no_email(alice) -> None:
    web_login(Client(), "alice@example.org", "wrong password")
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM thaw_cache")
        stored = " ".join(f"{key} {value}" for key, value in cursor.fetchall())
    assert "thaw:signin:account:" in stored and "alice" not in stored


def test_clinicians_must_set_up_two_factor(carol) -> None:
    client = Client()
    client.force_login(carol)
    response = client.get("/checkins/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
    assert client.get("/help/").status_code == 200, "the crisis page is never blocked"
    assert client.get("/api/v1/checkins").status_code == 403
    Authenticator.objects.create(user=carol, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get("/checkins/").status_code == 200


def test_people_are_not_forced_into_two_factor(web_alice: Client) -> None:
    assert web_alice.get("/checkins/").status_code == 200


def test_token_endpoint_refuses_accounts_with_two_factor(alice) -> None:
    Authenticator.objects.create(user=alice, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response = ApiClient(None).post("/api/v1/auth/token", {"email": "alice@example.org", "password": PASSWORD})
    assert response.status_code == 403 and "Two-factor" in response.json()["detail"]


def test_two_factor_secrets_are_encrypted_at_rest(alice) -> None:
    from allauth.mfa.adapter import get_adapter

    stored = get_adapter().encrypt("JBSWY3DPEHPK3PXP")
    assert stored.startswith("enc1:") and "JBSWY3" not in stored
    assert get_adapter().decrypt(stored) == "JBSWY3DPEHPK3PXP"


def test_idle_clinician_is_signed_out(carol, settings) -> None:
    Authenticator.objects.create(user=carol, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = Client()
    client.force_login(carol)
    assert client.get("/checkins/").status_code == 200
    session = client.session
    session["thaw_last_seen"] = time.time() - settings.THAW_IDLE_TIMEOUT_CLINICIAN - 5
    session.save()
    response = client.get("/checkins/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/checkins/").status_code == 302


def test_a_person_is_not_signed_out_for_idling(web_alice: Client) -> None:
    session = web_alice.session
    session["thaw_last_seen"] = time.time() - 7200
    session.save()
    assert web_alice.get("/checkins/").status_code == 200


def test_signed_in_pages_and_api_are_not_cached(web_alice: Client, api_alice: ApiClient, client: Client) -> None:
    for url in ("/checkins/", "/settings/", "/insights/", "/report/"):
        assert "no-store" in web_alice.get(url)["Cache-Control"], url
    assert "no-store" in api_alice.get("/api/v1/checkins")["Cache-Control"]
    assert "no-store" not in client.get("/help/").get("Cache-Control", "")


def test_there_is_no_django_admin(client: Client) -> None:
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404


def test_clinicians_without_two_factor_get_no_api_access(carol) -> None:
    refused = ApiClient(None).post("/api/v1/auth/token", {"email": "carol@clinic.example", "password": PASSWORD})
    assert refused.status_code == 403 and "two-factor" in refused.json()["detail"]
    assert ApiClient(carol).get("/api/v1/checkins").status_code == 401, "an older token stops working too"


def test_export_and_erasure_need_a_token_not_just_a_browser_session(web_alice: Client, alice) -> None:
    assert web_alice.get("/api/v1/export").status_code == 401
    assert web_alice.delete("/api/v1/me", data='{"confirm": "alice@example.org"}',
                            content_type="application/json").status_code in (401, 403)
    assert alice.__class__.objects.filter(pk=alice.pk).exists()


def test_wrong_two_factor_codes_are_limited(alice) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(alice, generate_totp_secret())
    client = Client()
    first = web_login(client, "alice@example.org", PASSWORD)
    assert first.status_code == 302 and "/accounts/2fa/authenticate/" in first["Location"]
    pages = [client.post("/accounts/2fa/authenticate/", {"code": "000000"}).content.decode() for _ in range(11)]
    assert "Too many failed" in pages[-1] or "too many" in pages[-1].lower()
    assert "Too many" not in pages[0]
