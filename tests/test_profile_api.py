"""GET/PATCH /api/v1/me: the person's own small profile (email, time zone, crisis region,
the alcohol-screening cut-off). Field-level errors; all or nothing."""

from __future__ import annotations

import pytest

from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_me_shows_the_profile(api_alice: ApiClient) -> None:
    assert api_alice.get("/api/v1/me").json() == {
        "email": "alice@example.org", "timezone": "UTC", "crisis_region": None, "screening_sex": None,
        "language": None, "word_forms": None}


def test_patch_changes_only_what_is_sent(api_alice: ApiClient, alice) -> None:
    body = api_alice.patch("/api/v1/me", {"timezone": "Europe/Madrid", "crisis_region": "gb"}).json()
    assert body == {"email": "alice@example.org", "timezone": "Europe/Madrid", "crisis_region": "UK",
                    "screening_sex": None, "language": None, "word_forms": None}
    alice.refresh_from_db()
    assert alice.screening_sex_answered_at is None, "not asked yet: the AUDIT-C will still ask"
    assert api_alice.patch("/api/v1/me", {}).json() == body
    assert api_alice.patch("/api/v1/me", {"crisis_region": None}).json()["crisis_region"] is None


@pytest.mark.parametrize("value", ["female", "male", None])
def test_screening_sex_counts_as_answered(api_alice: ApiClient, alice, value) -> None:
    assert api_alice.patch("/api/v1/me", {"screening_sex": value}).json()["screening_sex"] == value
    alice.refresh_from_db()
    assert alice.screening_sex == (value or "") and alice.screening_sex_answered_at is not None


@pytest.mark.parametrize(("body", "field"), [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"timezone": 3}, "timezone"),
    ({"crisis_region": "ZZ"}, "crisis_region"),
    ({"screening_sex": "other"}, "screening_sex"),
    ({"screening_sex": True}, "screening_sex"),
    ({"email": "new@example.org"}, "email"),
    ({"display": "x"}, "display"),
])
def test_bad_changes_name_the_field_and_change_nothing(api_alice: ApiClient, alice, body: dict, field: str) -> None:
    response = api_alice.patch("/api/v1/me", {**body, "timezone": body.get("timezone", "Asia/Tokyo")}
                               if field != "timezone" else body)
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    alice.refresh_from_db()
    assert (alice.timezone, alice.screening_sex, alice.email) == ("UTC", "", "alice@example.org")


def test_patch_needs_a_json_object(api_alice: ApiClient) -> None:
    assert api_alice.patch("/api/v1/me", raw="[1]").status_code == 422
    assert api_alice.patch("/api/v1/me", raw="{").status_code == 400


def test_anonymous_has_no_profile(api_anon: ApiClient) -> None:
    assert api_anon.get("/api/v1/me").status_code == 401
    assert api_anon.patch("/api/v1/me", {"timezone": "UTC"}).status_code == 401
