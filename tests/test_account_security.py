"""Sign-in protection: brute force, required 2FA, idle sign-out, private caching, no admin back door."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD, ApiClient
from thaw.accounts.models import SignInFailure

pytestmark = pytest.mark.django_db


def web_login(client: Client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_ten_failures_lock_the_account_for_fifteen_minutes_on_web_and_api(alice, bob) -> None:
    client = Client()
    for _ in range(10):
        assert web_login(client, "alice@example.org", "wrong password").status_code == 200
    locked = web_login(client, "alice@example.org", PASSWORD)
    assert locked.status_code == 429 and 0 < int(locked["Retry-After"]) <= 900
    assert "Too many sign-in attempts" in locked.content.decode()
    api = ApiClient(None)
    refused = api.post("/api/v1/auth/token", {"email": "alice@example.org", "password": PASSWORD})
    assert refused.status_code == 429 and refused.json()["detail"].startswith("Too many")
    # Another account from the same address is not locked by Alice's failures.
    assert web_login(Client(), "bob@example.org", PASSWORD).status_code == 302
    SignInFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
    cache.clear()  # allauth's counter (the same window) expires too
    assert web_login(Client(), "alice@example.org", PASSWORD).status_code == 302


def test_api_failures_count_too(alice) -> None:
    api = ApiClient(None)
    for _ in range(10):
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
        cursor.execute("SELECT account FROM accounts_signinfailure")
        stored = cursor.fetchone()[0]
    assert "alice" not in stored and len(stored) == 64


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
