"""API tokens: issued by password, listed and revoked on the settings page and the API; never shared."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from tests.conftest import PASSWORD, ApiClient
from thaw.accounts.models import ApiToken
from thaw.checkins.services import create_checkin

pytestmark = pytest.mark.django_db


def test_token_for_email_and_password(api_anon: ApiClient, alice) -> None:
    response = api_anon.post("/api/v1/auth/token", {"email": "ALICE@example.org", "password": PASSWORD, "name": "phone"})
    assert response.status_code == 200
    body = response.json()
    assert body["token"].startswith("thaw_") and body["name"] == "phone"
    stored = ApiToken.objects.get(user=alice)
    assert body["token"] not in (stored.key_hash, stored.hint), "only a hash is stored"
    api_anon.headers["Authorization"] = f"Bearer {body['token']}"
    assert api_anon.get("/api/v1/checkins").status_code == 200


@pytest.mark.parametrize(
    "body",
    [{"email": "alice@example.org", "password": "wrong"}, {"email": "nobody@example.org", "password": PASSWORD}],
)
def test_wrong_credentials_answer_401_without_saying_which(api_anon: ApiClient, alice, body) -> None:
    response = api_anon.post("/api/v1/auth/token", body)
    assert response.status_code == 401
    assert response.json()["detail"] == "That email and password do not match an account."
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({"email": "alice@example.org"}, "password"), ({"email": 5, "password": PASSWORD}, "email"),
     ({"email": "alice@example.org", "password": "a\x00b"}, "password")],
)
def test_bad_token_requests_name_the_field(api_anon: ApiClient, alice, body, field) -> None:
    response = api_anon.post("/api/v1/auth/token", body)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


def test_inactive_account_gets_no_token(api_anon: ApiClient, alice) -> None:
    alice.is_active = False
    alice.save()
    assert api_anon.post("/api/v1/auth/token", {"email": "alice@example.org", "password": PASSWORD}).status_code == 401


def test_tokens_are_listed_and_revoked_by_their_owner_only(api_alice: ApiClient, api_bob: ApiClient, alice) -> None:
    mine = api_alice.get("/api/v1/tokens").json()
    assert [t["name"] for t in mine] == ["tests"]
    assert "token" not in mine[0] and "key_hash" not in mine[0]
    token_id = mine[0]["id"]
    assert api_bob.delete(f"/api/v1/tokens/{token_id}").status_code == 404
    assert api_alice.get("/api/v1/checkins").status_code == 200
    assert [t["name"] for t in api_bob.get("/api/v1/tokens").json()] == ["tests"]
    assert api_alice.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert api_alice.get("/api/v1/checkins").status_code == 401


def test_settings_page_creates_shows_once_and_revokes(web_alice: Client, web_bob: Client, alice) -> None:
    created = web_alice.post("/settings/tokens/new", {"name": "laptop-script"})
    assert created.status_code == 302 and created["Location"] == "/settings/"
    page = web_alice.get(created["Location"]).content.decode()
    raw = page.split('id="new-token">')[1].split("<")[0]
    assert raw.startswith("thaw_")
    again = web_alice.get("/settings/").content.decode()
    assert "laptop-script" in again and raw not in again
    token = ApiToken.objects.get(user=alice, name="laptop-script")
    web_bob.post(f"/settings/tokens/{token.id}/revoke")
    token.refresh_from_db()
    assert token.revoked_at is None, "someone else cannot revoke it"
    web_alice.post(f"/settings/tokens/{token.id}/revoke")
    token.refresh_from_db()
    assert token.revoked_at is not None
    web_alice.get("/settings/")  # shows the one-off "revoked" message
    assert "laptop-script" not in web_alice.get("/settings/").content.decode()


def test_settings_page_refuses_a_blank_token_name(web_alice: Client) -> None:
    response = web_alice.post("/settings/tokens/new", {"name": ""})
    assert response.status_code == 422 and "This field is required" in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_time_zone_setting_changes_how_times_are_read_and_shown(web_alice: Client, alice) -> None:
    response = web_alice.post("/settings/", {"display_name": "Al", "timezone": "Asia/Tokyo"})
    assert response.status_code == 302
    alice.refresh_from_db()
    checkin = create_checkin(alice, {"emotions": [{"word": "calm", "intensity": 3}], "numbness": 1, "at": "2026-02-01T09:00"})
    assert checkin.at == datetime(2026, 2, 1, 0, 0, tzinfo=UTC)
    assert "09:00" in web_alice.get("/checkins/").content.decode()
    bad = web_alice.post("/settings/", {"display_name": "Al", "timezone": "Mars/Olympus"})
    assert bad.status_code == 422 and "Mars/Olympus" in bad.content.decode()


def test_own_tags_are_private(api_alice: ApiClient, api_bob: ApiClient, alice) -> None:
    create_checkin(alice, {"emotions": [{"word": "calm", "intensity": 3}], "numbness": 1, "tags": ["my secret place"]})
    assert "my secret place" in api_alice.get("/api/v1/tags").json()["own"]
    assert api_bob.get("/api/v1/tags").json()["own"] == []


NEW_PASSWORD = "another calm, long passphrase"


def test_changing_the_password_ends_every_token_and_every_other_session(alice, api_alice: ApiClient) -> None:
    from django.contrib.auth import SESSION_KEY

    from thaw.schedule.services import active_feed, create_feed

    here, elsewhere = Client(), Client()
    here.force_login(alice)
    elsewhere.force_login(alice)
    assert api_alice.get("/api/v1/checkins").status_code == 200
    create_feed(alice)
    changed = here.post("/accounts/password/change/", {"oldpassword": PASSWORD, "password1": NEW_PASSWORD,
                                                        "password2": NEW_PASSWORD})
    assert changed.status_code == 302
    assert api_alice.get("/api/v1/checkins").status_code == 401, "the token died with the old password"
    assert here.get("/checkins/").status_code == 200, "the session that made the change stays signed in"
    assert elsewhere.get("/checkins/").status_code == 302, "every other session is signed out"
    assert SESSION_KEY not in elsewhere.session
    assert active_feed(alice) is None, "the calendar link (a bearer secret too) stops working"
    from thaw.audit.models import AuditEvent

    assert AuditEvent.objects.get(action="account.password_changed").details == {"tokens_revoked": 1}


def test_resetting_the_password_ends_every_token_and_session(alice, api_alice: ApiClient) -> None:
    import re

    from django.core import mail

    signed_in = Client()
    signed_in.force_login(alice)
    anonymous = Client()
    assert anonymous.post("/accounts/password/reset/", {"email": "alice@example.org"}).status_code == 302
    link = re.search(r"http://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[-1].body).group(1)
    form = anonymous.get(link, follow=True)
    assert form.status_code == 200
    done = anonymous.post(form.redirect_chain[-1][0] if form.redirect_chain else link,
                          {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert api_alice.get("/api/v1/checkins").status_code == 401
    assert signed_in.get("/checkins/").status_code == 302


def test_a_new_token_ends_after_the_configured_days_and_says_when(api_alice: ApiClient, alice, settings) -> None:
    from datetime import timedelta

    from django.utils import timezone

    listed = api_alice.get("/api/v1/tokens").json()[0]
    expires = datetime.fromisoformat(listed["expires_at"])
    assert abs(expires - (timezone.now() + timedelta(days=90))) < timedelta(minutes=5)
    settings.THAW_TOKEN_LIFETIME_DAYS = 7
    short = ApiClient(alice)
    assert any(abs(datetime.fromisoformat(t["expires_at"]) - (timezone.now() + timedelta(days=7))) < timedelta(minutes=5)
               for t in short.get("/api/v1/tokens").json())
    ApiToken.objects.filter(user=alice).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_alice.get("/api/v1/checkins").status_code == 401
    assert api_alice.client.get("/api/v1/tokens").status_code == 401


def test_settings_shows_when_each_token_ends(web_alice: Client, alice) -> None:
    token, _ = ApiToken.issue(alice, "phone shortcut")
    page = web_alice.get("/settings/").content.decode()
    assert f"expires {token.expires_at:%-d %b %Y}" in page and "works for 90 days" in page


def test_a_clinicians_token_ends_after_twelve_hours_unused(carol, alice) -> None:
    from datetime import timedelta

    from allauth.mfa.models import Authenticator
    from django.utils import timezone

    Authenticator.objects.create(user=carol, type=Authenticator.Type.TOTP, data={"secret": "x"})
    clinician, person = ApiClient(carol), ApiClient(alice)
    assert clinician.get("/api/v1/tokens").status_code == 200
    listed = clinician.get("/api/v1/tokens").json()[0]
    assert datetime.fromisoformat(listed["expires_at"]) - timezone.now() < timedelta(hours=12, minutes=1)
    idle = timezone.now() - timedelta(hours=12, minutes=5)
    ApiToken.objects.update(created_at=idle, last_used_at=idle)
    assert clinician.get("/api/v1/tokens").status_code == 401
    assert person.get("/api/v1/tokens").status_code == 200, "a person's token has no idle limit"
    used = timezone.now() - timedelta(hours=11)
    ApiToken.objects.filter(user=carol).update(last_used_at=used)
    assert clinician.get("/api/v1/tokens").status_code == 200, "use within twelve hours keeps it alive"
