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
    page = created.content.decode()
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
