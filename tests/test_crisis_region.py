"""Which crisis lines a person sees: suggested from the browser at sign-up, every region for a visitor."""

from __future__ import annotations

import zoneinfo

import pytest
from django.test import Client

from thaw.accounts.models import User
from thaw.safety.resources import accept_language, crisis_regions, guess_region

PASSWORD = "a calm, long passphrase"


@pytest.mark.parametrize(("zone", "languages", "expected"), [
    ("Europe/Berlin", ["en-GB", "en"], "EU"),  # the device's place wins over the browser's language
    ("Europe/London", ["de-DE"], "UK"),
    ("America/Toronto", ["en-US"], "CA"),
    ("America/Indiana/Indianapolis", [], "US"),
    ("Australia/Perth", [], "AU"),
    (None, ["en-GB", "en"], "UK"),
    ("Asia/Tokyo", ["fr-FR"], "EU"),  # no region for the place: the language's country is next
    ("Asia/Tokyo", ["ja-JP", "ja"], None),
    (None, ["en", "de"], None),  # a language alone says nothing about a country
])
def test_guess_region(zone: str | None, languages: list[str], expected: str | None) -> None:
    assert guess_region(zone, languages) == expected


def test_every_region_hint_is_a_real_time_zone_or_prefix() -> None:
    zones = zoneinfo.available_timezones()
    for region in crisis_regions()[1].values():
        assert region.time_zones and region.countries, region.code
        for name in region.time_zones:
            assert name in zones or (name.endswith("/") and any(z.startswith(name) for z in zones)), name


def test_accept_language_is_read_in_order_of_preference() -> None:
    assert accept_language("de;q=0.5, en-GB, fr-FR;q=0.8, *;q=0.1, xx;q=0") == ["en-GB", "fr-FR", "de"]
    assert accept_language("") == []


def _sign_up(client: Client, email: str, headers: dict[str, str] | None = None, **fields: str) -> User:
    response = client.post("/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD,
                                                 **fields}, headers=headers or {})
    assert response.status_code == 302, response.content.decode()[:2000]
    client.post("/accounts/logout/")
    return User.objects.get(email=email)


@pytest.mark.django_db
def test_sign_up_keeps_the_confirmed_region_or_guesses_from_the_browser(client: Client) -> None:
    page = client.get("/accounts/signup/").content.decode()
    assert 'data-detect-region' in page and 'data-time-zones="Europe/London' in page
    chosen = _sign_up(client, "chosen@example.org", {"Accept-Language": "en-US"}, crisis_region="AU",
                      timezone="Europe/Berlin")
    assert chosen.crisis_region == "AU", "what the person confirmed wins"
    # Without a script the form sends no choice: the time zone, then the browser's language decide.
    berlin = _sign_up(client, "berlin@example.org", {"Accept-Language": "en-GB,en;q=0.9"}, timezone="Europe/Berlin")
    assert berlin.crisis_region == "EU"
    british = _sign_up(client, "uk@example.org", {"Accept-Language": "en-GB,en;q=0.9"})
    assert british.crisis_region == "UK"
    unknown = _sign_up(client, "tokyo@example.org", {"Accept-Language": "ja"}, timezone="Asia/Tokyo")
    assert unknown.crisis_region == "", "nothing to go on: the site default"


@pytest.mark.django_db
def test_the_signed_out_help_page_lists_every_region(client: Client) -> None:
    page = client.get("/help/", headers={"Accept-Language": "en-GB"}).content.decode()
    _, regions = crisis_regions()
    assert "Talk to someone now · United Kingdom" in page
    for region in regions.values():
        assert region.name in page and f'href="tel:{region.resources[0].phone}"' in page, region.code
    assert 'id="elsewhere"' in page and "Talk to someone now · United States" not in page


@pytest.mark.django_db
def test_a_signed_in_person_sees_their_own_region_first(web_alice: Client, alice) -> None:
    alice.crisis_region = "AU"
    alice.save()
    page = web_alice.get("/help/").content.decode()
    assert "Talk to someone now · Australia" in page and 'id="elsewhere"' not in page
