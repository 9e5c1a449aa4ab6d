"""Numbers in sentences are written as the reader writes them (issue 17): "1,89" in Spanish,
"1.89" in English. Form fields keep a point (an <input type="number"> wants one)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from thaw.substances import services
from thaw.validation import decimal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("value", "places", "fixed", "en", "es"), [
    (1.89, 2, False, "1.89", "1,89"), (330.0, 2, False, "330", "330"), (4.80, 2, False, "4.8", "4,8"),
    (4.0, 1, True, "4.0", "4,0"), (-0.251, 2, True, "-0.25", "-0,25"), (1e-9, 2, False, "0", "0"),
])
def test_decimals_in_each_language(value, places, fixed, en, es) -> None:
    with translation.override("en"):
        assert decimal(value, places, fixed=fixed) == en
    with translation.override("es"):
        assert decimal(value, places, fixed=fixed) == es


def spanish(user) -> Client:
    user.language = "es"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def test_a_spanish_speakers_log_writes_decimals_with_a_comma(alice) -> None:
    page = spanish(alice).post("/substances/log", {"substance": "alcohol", "amount": "500", "unit": "ml",
                                                   "abv": "4,8", "craving": "7", "at": ""}, follow=True)
    html = page.content.decode()
    assert "500 ml al 4,8" in html and "(1,89 " in html
    # Everything but a <time datetime="…:34.808…">, which may carry "4.8" in its microseconds.
    shown = re.sub(r'\sdatetime="[^"]*"', "", html)
    assert "4.8" not in shown and "1.89" not in shown


def test_the_weekly_goal_sentence_in_spanish_and_english(alice) -> None:
    services.set_goal(alice, {"substance": "alcohol", "kind": "weekly_limit", "weekly_limit": "3.5",
                              "limit_unit": "standard_drink"})
    at = timezone.now() - timedelta(minutes=1)  # a use in the future would be refused
    day = at.astimezone(alice.tzinfo).date()
    services.create_use(alice, {"substance": "alcohol", "amount": 2.5, "unit": "standard_drink",
                                "at": at.isoformat()})
    with translation.override("es"):
        sentence = {r["substance"]: r for r in services.weekly_review(alice, day)["substances"]}["alcohol"]
    assert sentence["goal"]["sentence"].startswith("2,5 de las 3,5 ")
    with translation.override("en"):
        english = {r["substance"]: r for r in services.weekly_review(alice, day)["substances"]}["alcohol"]
    assert english["goal"]["sentence"].startswith("2.5 of the 3.5 standard drinks a week")


def test_an_amount_too_large_is_refused_with_the_readers_numbers(alice) -> None:
    from thaw.checkins.rules import CheckInInvalid

    with translation.override("es"), pytest.raises(CheckInInvalid) as refused:
        services.set_goal(alice, {"substance": "alcohol", "kind": "weekly_limit", "weekly_limit": "20000",
                                  "limit_unit": "standard_drink"})
    assert "10 000" in refused.value.errors["weekly_limit"].replace("\xa0", " ")
