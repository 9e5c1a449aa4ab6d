"""The substance-use log: standard drinks, the API and its refusals, ownership, encryption,
the weekly review's numbers and words, the insights, erasure, and the web forms."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.templatetags.static import static
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ApiClient, checkin_body
from thaw.accounts.erasure import erase
from thaw.checkins.services import create_checkin
from thaw.safety.models import RiskFlag
from thaw.substances import services
from thaw.substances.analysis import SubstanceData, analyse, wilson_interval
from thaw.substances.models import Craving, Goal, SubstanceUse
from thaw.substances.units import DRINK_SIZES, SUBSTANCES, UNITS, standard_drinks

URL = "/api/v1/substance-use"


# --- standard drinks ------------------------------------------------------------------------

def test_standard_drinks_known_values() -> None:
    assert standard_drinks(330, 5, 10) == pytest.approx(1.30185)  # a can at 10 g
    assert standard_drinks(330, 5, 14) == pytest.approx(0.92989, rel=1e-4)  # the same can, US size
    assert standard_drinks(568, 4.5, 8) == pytest.approx(2.521, rel=1e-3)  # a UK pint in UK units
    assert standard_drinks(750, 12, 10) == pytest.approx(7.101)  # a bottle of wine
    assert standard_drinks(500, 0, 10) == 0.0
    assert DRINK_SIZES["us"].grams == 14 and DRINK_SIZES["uk"].grams == 8 and DRINK_SIZES["ca"].grams == 13.45


@given(st.floats(0, 5000), st.floats(0, 100), st.floats(1, 50), st.floats(1.01, 4))
def test_standard_drinks_is_linear_and_monotone(ml: float, abv: float, grams: float, factor: float) -> None:
    base = standard_drinks(ml, abv, grams)
    assert base >= 0
    assert standard_drinks(ml * factor, abv, grams) == pytest.approx(base * factor, rel=1e-9, abs=1e-12)
    assert standard_drinks(ml, abv, grams * factor) == pytest.approx(base / factor, rel=1e-9, abs=1e-12)
    assert standard_drinks(ml + 1, abv, grams) >= base
    assert standard_drinks(ml, min(abv + 1, 100), grams) >= base


@pytest.mark.parametrize("args", [(-1, 5, 10), (330, -0.1, 10), (330, 100.5, 10), (330, 5, 0)])
def test_standard_drinks_refuses_impossible_input(args: tuple[float, float, float]) -> None:
    with pytest.raises(ValueError):
        standard_drinks(*args)


def test_every_substance_unit_is_known() -> None:
    assert {u for s in SUBSTANCES.values() for u in s.units} <= set(UNITS)


# --- the API ---------------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


def use_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"substance": "alcohol", "amount": 330, "unit": "ml", "abv": 5, "craving": 6,
                            "motives": ["numb", "social"], "note": "after the call with my brother"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def log(api: ApiClient, **overrides: Any) -> dict[str, Any]:
    response = api.post(URL, use_body(**overrides))
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.django_db
def test_create_alcohol_counts_standard_drinks(api_alice: ApiClient, alice) -> None:
    data = log(api_alice)
    assert data["standard_drinks"] == 1.3 and data["abv"] == 5.0 and data["amount"] == 330.0
    assert data["motives"] == ["numb", "social"] and data["craving"] == 6 and data["crisis"] is False
    stored = SubstanceUse.objects.get(pk=data["id"])
    assert stored.person == alice and float(stored.standard_drinks) == 1.3
    direct = log(api_alice, amount=2, unit="standard_drink", abv=None)
    assert direct["standard_drinks"] == 2.0
    other = log(api_alice, substance="cannabis", amount=1, unit="joint", abv=None)
    assert other["standard_drinks"] is None
    unsure = log(api_alice, substance="nicotine", amount=None, unit=None, abv=None, craving=None, motives=None)
    assert unsure["amount"] is None and unsure["unit"] is None


@pytest.mark.django_db
@override_settings(THAW_STANDARD_DRINK_GRAMS=14)
def test_site_default_and_personal_drink_size(api_alice: ApiClient, alice) -> None:
    first = log(api_alice)
    assert first["standard_drinks"] == 0.93  # the site default: 14 g
    services.set_preferences(alice, drink_size="uk", show_days_since=True)
    assert log(api_alice)["standard_drinks"] == 1.63  # 13.02 g / 8 g
    # The earlier entry is recounted in the person's new size.
    assert api_alice.get(f"{URL}/{first['id']}").json()["standard_drinks"] == 1.63


@pytest.mark.django_db
def test_list_get_update_delete(api_alice: ApiClient) -> None:
    older = log(api_alice, at=(timezone.now() - timedelta(days=2)).isoformat())
    newer = log(api_alice)
    page = api_alice.get(URL).json()
    assert [i["id"] for i in page["items"]] == [newer["id"], older["id"]] and page["next"] is None
    first = api_alice.get(URL, limit="1").json()
    assert [i["id"] for i in first["items"]] == [newer["id"]] and first["next"]
    second = api_alice.get(URL, limit="1", cursor=first["next"]).json()
    assert [i["id"] for i in second["items"]] == [older["id"]]
    since = api_alice.get(URL, since=(timezone.now() - timedelta(days=1)).isoformat()).json()
    assert [i["id"] for i in since["items"]] == [newer["id"]]

    changed = api_alice.patch(f"{URL}/{newer['id']}", {"amount": 660, "note": None, "craving": None})
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["standard_drinks"] == 2.6 and body["note"] == "" and body["craving"] is None
    switched = api_alice.patch(f"{URL}/{newer['id']}", {"substance": "cannabis", "unit": "g", "amount": 0.5})
    assert switched.status_code == 200, switched.content
    assert switched.json()["abv"] is None and switched.json()["standard_drinks"] is None

    assert api_alice.delete(f"{URL}/{newer['id']}").status_code == 204
    assert api_alice.get(f"{URL}/{newer['id']}").status_code == 404
    assert api_alice.delete(f"{URL}/{newer['id']}").status_code == 404


def future() -> str:
    return (timezone.now() + timedelta(hours=2)).isoformat()


BAD_INPUT = [
    ({"substance": "chocolate"}, "substance"),
    ({"substance": "other", "custom_name": None, "amount": None, "unit": None, "abv": None}, "custom_name"),
    ({"substance": "other", "custom_name": "   ", "amount": None, "unit": None, "abv": None}, "custom_name"),
    ({"substance": "other", "custom_name": "x" * 61, "amount": None, "unit": None, "abv": None}, "custom_name"),
    ({"unit": "joint"}, "unit"),
    ({"unit": "litre"}, "unit"),
    ({"substance": "cannabis", "unit": "ml", "abv": None}, "unit"),
    ({"amount": 0}, "amount"),
    ({"amount": -330}, "amount"),
    ({"amount": 50_000}, "amount"),
    ({"amount": 3, "unit": "standard_drink", "abv": None, "craving": None, "substance": "alcohol"}, None),
    ({"unit": None}, "unit"),
    ({"abv": 101}, "abv"),
    ({"abv": -1}, "abv"),
    ({"abv": None}, "abv"),
    ({"substance": "cannabis", "unit": "joint", "amount": 1, "abv": 5}, "abv"),
    ({"craving": 11}, "craving"),
    ({"craving": -1}, "craving"),
    ({"craving": 5.5}, "craving"),
    ({"craving": "5"}, "craving"),
    ({"craving": True}, "craving"),
    ({"motives": ["boredom"]}, "motives"),
    ({"motives": "numb"}, "motives"),
    ({"at": "yesterday evening"}, "at"),
    ({"note": "x" * 5001}, "note"),
    ({"note": 5}, "note"),
    ({"amount": "330"}, "amount"),
    ({"mood": "fine"}, "mood"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field", BAD_INPUT)
def test_bad_input_names_the_field(api_alice: ApiClient, overrides: dict[str, Any], field: str | None) -> None:
    body = use_body(**overrides)
    for key, value in overrides.items():
        if value is None:
            body.pop(key, None)
    response = api_alice.post(URL, body)
    if field is None:  # a control: the same shape, valid
        assert response.status_code == 201, response.content
        return
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert field in [e["field"] for e in errors], errors
    assert all(e["message"] for e in errors)
    assert SubstanceUse.objects.count() == 0


@pytest.mark.django_db
def test_future_time_and_bad_json_are_refused(api_alice: ApiClient) -> None:
    response = api_alice.post(URL, use_body(at=future()))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "at"
    assert api_alice.post(URL, raw="{not json").status_code == 400
    assert api_alice.post(URL, {}).json()["errors"][0]["field"] == "substance"
    assert api_alice.get(URL, limit="0").status_code == 422
    assert api_alice.get(URL, since="soon").json()["errors"][0]["field"] == "since"
    assert api_alice.get(URL, cursor="nope").status_code == 422
    created = log(api_alice)
    patch = api_alice.patch(f"{URL}/{created['id']}", {"abv": 150})
    assert patch.status_code == 422 and patch.json()["errors"][0]["field"] == "abv"
    assert api_alice.patch(f"{URL}/{created['id']}", {"at": None}).status_code == 422
    assert api_alice.patch(f"{URL}/{created['id']}", {"colour": "red"}).status_code == 422
    assert float(SubstanceUse.objects.get(pk=created["id"]).abv) == 5.0


@pytest.mark.django_db
def test_custom_substance_needs_and_keeps_its_name(api_alice: ApiClient) -> None:
    data = log(api_alice, substance="other", custom_name="kratom", amount=2, unit="dose", abv=None)
    assert data["custom_name"] == "kratom" and data["label"] == "kratom"


@pytest.mark.django_db
def test_crisis_language_in_a_note_shows_resources_and_flags(api_alice: ApiClient, alice) -> None:
    body = log(api_alice, note="honestly I want to die")
    assert body["crisis"] is True and body["resources"]
    assert RiskFlag.objects.filter(person=alice, source="substance_use", source_id=body["id"]).count() == 1
    craving = api_alice.post(f"{URL}/cravings", {"substance": "alcohol", "intensity": 8,
                                                 "helped_note": "I want to kill myself"}).json()
    assert craving["crisis"] is True
    calm = log(api_alice, note="quiet evening")
    assert calm["crisis"] is False and calm["resources"] == []
    # Editing something else does not raise the same flag again.
    api_alice.patch(f"{URL}/{body['id']}", {"craving": 2})
    assert RiskFlag.objects.filter(person=alice, source="substance_use").count() == 1


@pytest.mark.django_db
def test_cravings_and_route_order(api_alice: ApiClient) -> None:
    created = api_alice.post(f"{URL}/cravings", {"substance": "nicotine", "intensity": 7,
                                                 "helped": ["waited", "outside"], "helped_note": "a walk"})
    assert created.status_code == 201, created.content
    listed = api_alice.get(f"{URL}/cravings").json()["items"]
    assert [c["helped"] for c in listed] == [["waited", "outside"]]
    assert api_alice.get(URL).json()["items"] == []  # a craving is not a use
    for bad, field in (({"substance": "nicotine", "intensity": 12}, "intensity"),
                       ({"substance": "nicotine"}, "intensity"),
                       ({"substance": "nicotine", "intensity": 3, "helped": ["magic"]}, "helped"),
                       ({"substance": "nicotine", "intensity": 3, "helped_note": "x" * 1001}, "helped_note")):
        response = api_alice.post(f"{URL}/cravings", bad)
        assert response.status_code == 422 and field in [e["field"] for e in response.json()["errors"]]
    assert api_alice.delete(f"{URL}/cravings/{created.json()['id']}").status_code == 204
    assert Craving.objects.count() == 0


@pytest.mark.django_db
def test_goals_api(api_alice: ApiClient, alice) -> None:
    response = api_alice._call("put", f"{URL}/goals", {"substance": "alcohol", "kind": "weekly_limit",
                                                       "weekly_limit": 10, "limit_unit": "standard_drink"})
    assert response.status_code == 200, response.content
    assert api_alice.get(f"{URL}/goals").json() == [response.json()]
    bad = api_alice._call("put", f"{URL}/goals", {"substance": "alcohol", "kind": "weekly_limit", "weekly_limit": 0})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "weekly_limit"
    api_alice._call("put", f"{URL}/goals", {"substance": "alcohol", "kind": "abstain"})
    assert Goal.objects.filter(person=alice, active=True).get().kind == "abstain"
    assert Goal.objects.filter(person=alice).count() == 2  # the old goal is kept, inactive
    assert api_alice._call("put", f"{URL}/goals", {"substance": "alcohol", "kind": "none"}).status_code == 204
    assert api_alice.get(f"{URL}/goals").json() == []


@pytest.mark.django_db
def test_it_checks_ownership(api_alice: ApiClient, api_bob: ApiClient, api_anon: ApiClient, web_bob: Client) -> None:
    mine = log(api_alice)
    craving = api_alice.post(f"{URL}/cravings", {"substance": "alcohol", "intensity": 5}).json()
    assert api_bob.get(f"{URL}/{mine['id']}").status_code == 404
    assert api_bob.patch(f"{URL}/{mine['id']}", {"craving": 1}).status_code == 404
    assert api_bob.delete(f"{URL}/{mine['id']}").status_code == 404
    assert api_bob.delete(f"{URL}/cravings/{craving['id']}").status_code == 404
    assert api_bob.get(URL).json()["items"] == []
    assert api_bob.get(f"{URL}/cravings").json()["items"] == []
    assert api_bob.get(f"{URL}/review").json()["uses"] == 0
    assert api_bob.get(f"{URL}/insights").json()["n_uses"] == 0
    assert api_anon.get(URL).status_code == 401
    assert api_anon.post(URL, use_body()).status_code == 401
    assert web_bob.get(f"/substances/uses/{mine['id']}/").status_code == 404
    assert web_bob.post(f"/substances/uses/{mine['id']}/delete").status_code == 404
    assert web_bob.post(f"/substances/cravings/{craving['id']}/delete").status_code == 404
    assert "after the call" not in web_bob.get("/substances/").content.decode()
    assert SubstanceUse.objects.filter(pk=mine["id"]).exists() and Craving.objects.filter(pk=craving["id"]).exists()
    assert Client().get("/substances/").status_code == 302  # sign in first


@pytest.mark.django_db
def test_free_text_is_encrypted_at_rest(api_alice: ApiClient) -> None:
    log(api_alice, substance="other", custom_name="moonshine special", amount=1, unit="dose", abv=None,
        note="my secret about the river")
    api_alice.post(f"{URL}/cravings", {"substance": "alcohol", "intensity": 5, "helped_note": "phoned Ana on 555-0142"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT custom_name, note FROM substances_substanceuse")
        raw_name, raw_note = cursor.fetchone()
        cursor.execute("SELECT helped_note FROM substances_craving")
        (raw_helped,) = cursor.fetchone()
    assert raw_name.startswith("enc1:") and "moonshine" not in raw_name
    assert raw_note.startswith("enc1:") and "river" not in raw_note
    assert raw_helped.startswith("enc1:") and "555" not in raw_helped
    assert api_alice.get(URL).json()["items"][0]["note"] == "my secret about the river"


@pytest.mark.django_db
def test_erasure_removes_substance_rows(api_alice: ApiClient, alice, bob) -> None:
    log(api_alice)
    api_alice.post(f"{URL}/cravings", {"substance": "alcohol", "intensity": 5})
    services.set_goal(alice, {"substance": "alcohol", "kind": "abstain"})
    services.set_preferences(alice, drink_size="us", show_days_since=False)
    services.create_use(bob, use_body())
    erase(alice)
    assert SubstanceUse.objects.count() == 1 and SubstanceUse.objects.get().person == bob
    assert Craving.objects.count() == 0 and Goal.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM substances_substancepreferences")
        assert cursor.fetchone()[0] == 0


# --- days since, weekly review -------------------------------------------------------------------

SHAMING = re.compile(r"fail|relapse|streak|broke|shame|should|bad\b|guilt|disappoint|slipped up|clean", re.I)


def _walk_text(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _walk_text(v)]
    if isinstance(value, list):
        return [t for v in value for t in _walk_text(v)]
    return []


@pytest.mark.django_db
def test_weekly_review_numbers_and_calm_words(alice, web_alice: Client) -> None:
    alice.timezone = "Europe/Berlin"
    alice.save()
    tz = alice.tzinfo
    monday = date(2026, 3, 2)

    def at(day: int, hour: int) -> str:
        return datetime(2026, 3, 2 + day, hour, 0, tzinfo=tz).isoformat()

    services.set_goal(alice, {"substance": "alcohol", "kind": "weekly_limit", "weekly_limit": "3",
                              "limit_unit": "standard_drink"})
    services.set_goal(alice, {"substance": "cannabis", "kind": "abstain"})
    Goal.objects.update(since=date(2026, 3, 1))  # the goals were set before the week reviewed
    services.create_use(alice, {"substance": "alcohol", "amount": 330, "unit": "ml", "abv": 5, "at": at(0, 20),
                                "motives": ["numb"]})
    services.create_use(alice, {"substance": "alcohol", "amount": 2.5, "unit": "standard_drink", "at": at(2, 21),
                                "motives": ["social", "numb"]})
    services.create_use(alice, {"substance": "cannabis", "amount": 1, "unit": "joint", "at": at(6, 23),
                                "motives": ["sleep"]})
    services.create_use(alice, {"substance": "alcohol", "amount": 1, "unit": "standard_drink", "at": at(7, 0)})  # next week
    services.create_craving(alice, {"substance": "alcohol", "intensity": 8, "at": at(3, 18), "helped": ["called"]})
    services.create_craving(alice, {"substance": "alcohol", "intensity": 6, "at": at(4, 18),
                                    "helped": ["called", "waited"], "helped_note": "tea and a call"})
    review = services.weekly_review(alice, monday + timedelta(days=3))  # any day in the week
    assert review["week_start"] == "2026-03-02" and review["week_end"] == "2026-03-08"
    assert review["uses"] == 3 and review["cravings_passed"] == 2 and review["craving_mean"] == 7.0
    rows = {r["substance"]: r for r in review["substances"]}
    assert rows["alcohol"]["uses"] == 2 and rows["alcohol"]["days_used"] == 2
    assert rows["alcohol"]["standard_drinks"] == 3.8
    assert rows["alcohol"]["goal"]["within"] is False and rows["alcohol"]["goal"]["total"] == 3.8
    assert rows["cannabis"]["goal"]["within"] is False
    assert "lapse is information" in rows["cannabis"]["goal"]["sentence"]
    assert review["motives"][0] == {"motive": "numb", "label": "to stop feeling, to numb", "count": 2}
    assert review["numb_motive"] == {"count": 2, "with_reason": 3}
    assert review["helped"][0]["helped"] == "called" and review["helped"][0]["count"] == 2
    assert review["helped_in_own_words"] == ["tea and a call"]
    words = " ".join(_walk_text(review))
    assert not SHAMING.search(words), SHAMING.search(words)

    page = web_alice.get("/substances/review/", {"week": "2026-03-04"})
    assert page.status_code == 200
    text = re.sub(r"<[^>]+>", " ", page.content.decode())
    assert "3.8 standard drinks" in text and "lapse is information" in text
    assert not SHAMING.search(text.split("Thaw is not an emergency service")[0]), SHAMING.search(text)
    empty = services.weekly_review(alice, date(2026, 1, 5))
    assert empty["uses"] == 0 and empty["sentences"]
    assert not SHAMING.search(" ".join(_walk_text(empty)))


@pytest.mark.django_db
def test_days_since_last_use_is_in_the_persons_days(alice) -> None:
    now = timezone.now()
    services.create_use(alice, {"substance": "alcohol", "amount": 1, "unit": "standard_drink",
                                "at": (now - timedelta(days=3)).isoformat()})
    services.create_use(alice, {"substance": "nicotine", "at": now.isoformat()})
    rows = {r["substance"]: r["days"] for r in services.days_since_last_use(alice)}
    assert rows == {"alcohol": 3, "nicotine": 0}


# --- insights -------------------------------------------------------------------------------------

DAY = 86_400.0


def synthetic(seed: int, *, effect: float = 0.0, craving_effect: float = 0.0, days: int = 120) -> SubstanceData:
    """Three check-ins a day with a day-level wobble; a use on about a third of evenings.
    ``effect`` points are added to numbness in the 24 h after a use; ``craving_effect`` to
    craving when feelings were unpleasant."""
    rng = np.random.default_rng(seed)
    ce, nb, val, day_of = [], [], [], []
    use_days = set(np.flatnonzero(rng.random(days) < 0.35).tolist())
    uses = [d * DAY + 20 * 3600 for d in sorted(use_days)]
    for d in range(days):
        level = rng.normal(4.5, 1.2)
        for hour in (9, 14, 21):
            t = d * DAY + hour * 3600 + rng.uniform(0, 1800)
            after = any(0 <= t - u <= DAY for u in uses)
            ce.append(t)
            day_of.append(d)
            nb.append(float(np.clip(round(level + rng.normal(0, 1.5) + (effect if after else 0)), 0, 10)))
            val.append(float(rng.choice([-3, -1, 1, 3])))
    use_craving = []
    for u in uses:
        near = int(np.argmin(np.abs(np.array(ce) - u)))
        bump = craving_effect if val[near] < 0 else 0.0
        use_craving.append(float(np.clip(round(rng.normal(5, 2) + bump), 0, 10)))
    return SubstanceData.build(
        checkin_epoch=ce, checkin_day=day_of, numbness=nb, valence=val, use_epoch=uses,
        use_substance=[0] * len(uses), use_craving=use_craving,
        use_numb=(rng.random(len(uses)) < 0.4).tolist(), use_has_motive=[True] * len(uses),
        substances=("alcohol",), log_start=0.0,
    )


def test_a_planted_numbness_effect_after_use_is_found() -> None:
    result = analyse(synthetic(1, effect=2.5))
    found = {r["test"]: r for r in result["findings"]}
    assert "after_use:any" in found
    row = found["after_use:any"]
    assert row["mean_with"] - row["mean_without"] > 1.5 and row["q"] <= 0.10 and row["effect"] > 0.5
    assert row["n_with"] > 0 and row["days_with"] >= 5 and "24 hours after" in row["sentence"]


def test_a_planted_craving_effect_is_found() -> None:
    result = analyse(synthetic(2, craving_effect=3.0))
    assert "craving:unpleasant" in {r["test"] for r in result["findings"]}


def test_pure_noise_rarely_gives_a_finding() -> None:
    hits = sum(bool(analyse(synthetic(seed)).get("findings")) for seed in range(100, 140))
    assert hits <= 4, hits  # FDR at 0.10 over a few tests, plus the minimum difference


def test_too_little_data_says_why() -> None:
    small = SubstanceData.build(checkin_epoch=[0, 3600, 7200], numbness=[5, 6, 7], use_epoch=[1800],
                                use_craving=[4], use_has_motive=[False], log_start=0.0)
    result = analyse(small)
    assert result["findings"] == [] and result["tests"] == []
    reasons = {r["test"]: r["reason"] for r in result["not_tested"]}
    assert reasons["after_use:any"].startswith("Not enough data yet")
    assert "craving:numbness" in reasons
    assert result["numb_motive"]["share"] is None and result["numb_motive"]["reason"]


def test_numb_motive_share_and_interval() -> None:
    data = SubstanceData.build(use_epoch=[1.0, 2.0, 3.0, 4.0], use_numb=[True, True, False, True],
                               use_has_motive=[True, True, True, False], log_start=0.0)
    motive = analyse(data)["numb_motive"]
    assert motive["numb"] == 2 and motive["with_reason"] == 3 and motive["share"] == pytest.approx(2 / 3)
    low, high = motive["interval"]
    assert low < 2 / 3 < high and 0 <= low and high <= 1
    assert wilson_interval(0, 0) is None
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-3)


@pytest.mark.django_db
def test_insights_from_the_database(api_alice: ApiClient, alice) -> None:
    rng = np.random.default_rng(5)
    start = timezone.now() - timedelta(days=60)
    for d in range(60):
        day = start + timedelta(days=d)
        used = d % 2 == 0
        if used:
            services.create_use(alice, {"substance": "alcohol", "amount": 2, "unit": "standard_drink",
                                        "at": (day + timedelta(hours=22)).isoformat(), "craving": 7,
                                        "motives": ["numb"]})
        for hour in (8, 12, 16):
            numb = (8 if d % 2 == 1 else 3) + int(rng.integers(-1, 2))  # the day after a use runs numb
            create_checkin(alice, checkin_body(numbness=numb, note="", at=(day + timedelta(hours=hour)).isoformat()))
    body = api_alice.get(f"{URL}/insights").json()
    assert body["n_uses"] == 30 and body["numb_motive"]["share"] == 1.0
    assert "after_use:any" in {r["test"] for r in body["findings"]}


@pytest.mark.django_db
def test_the_insights_engine_now_sees_substance_use(api_alice: ApiClient, alice) -> None:
    """The engine's own factor, "followed by substance use within 24 hours", is tested and
    found when numbness runs higher before uses."""
    rng = np.random.default_rng(9)
    start = timezone.now() - timedelta(days=40)
    for d in range(40):
        day = start + timedelta(days=d)
        before_use = d % 3 == 0
        for hour in (10, 12):
            numb = (8 if before_use else 3) + int(rng.integers(-1, 2))
            create_checkin(alice, checkin_body(numbness=numb, note="", tags=[], body=[],
                                               at=(day + timedelta(hours=hour)).isoformat()))
        if before_use:
            services.create_use(alice, {"substance": "alcohol", "amount": 1, "unit": "standard_drink",
                                        "at": (day + timedelta(hours=20)).isoformat()})
    before = api_alice.get("/api/v1/insights").json()
    assert "substance:within_24h" in {p["factor"] for p in before["patterns"]}
    SubstanceUse.objects.all().delete()
    after = api_alice.get("/api/v1/insights").json()
    assert after["patterns_tested"] == before["patterns_tested"] - 1
    assert "substance:within_24h" not in {p["factor"] for p in after["patterns"]}


# --- web pages --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_log_page_saves_and_shows_standard_drinks(web_alice: Client, alice) -> None:
    page = web_alice.get("/substances/")
    assert page.status_code == 200
    html = page.content.decode()
    assert static("substances/substances.js") in html and "<script>" not in html and "style=" not in html
    response = web_alice.post("/substances/log", {"substance": "alcohol", "amount": "500", "unit": "ml", "abv": "4,8",
                                                  "craving": "7", "motive": ["numb", "stress"], "note": "long day",
                                                  "custom_name": "leftover", "at": ""}, follow=True)
    assert response.status_code == 200
    use = SubstanceUse.objects.get(person=alice)
    assert float(use.abv) == 4.8 and float(use.standard_drinks) == 1.89 and use.craving == 7
    assert use.custom_name == "" and use.motives == ["numb", "stress"]
    assert "500 ml at 4.8% (1.89 standard drinks)" in response.content.decode()
    crisis = web_alice.post("/substances/log", {"substance": "nicotine", "craving_skip": "1",
                                                "note": "I want to die"})
    assert crisis.status_code == 302 and crisis["Location"] == reverse("crisis") + "?from=substances"


@pytest.mark.django_db
def test_a_refused_form_keeps_what_was_typed(web_alice: Client) -> None:
    response = web_alice.post("/substances/log", {"substance": "alcohol", "amount": "330", "unit": "ml", "abv": "140",
                                                  "motive": ["sleep"], "note": "please keep this", "craving": "4"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="err-use-abv"' in html and "from 0 to 100" in html
    assert "please keep this</textarea>" in html and 'value="140"' in html and 'value="330"' in html
    assert re.search(r'value="sleep" checked', html) and re.search(r'value="alcohol" checked', html)
    assert SubstanceUse.objects.count() == 0
    craving = web_alice.post("/substances/craving", {"substance": "", "intensity": "6", "helped_note": "a walk"})
    assert craving.status_code == 422
    html = craving.content.decode()
    assert "Choose one of" in html and "a walk</textarea>" in html
    saved = web_alice.post("/substances/craving", {"substance": "alcohol", "intensity": "6", "helped": ["waited"]})
    assert saved.status_code == 302 and Craving.objects.get().helped == ["waited"]


@pytest.mark.django_db
def test_edit_and_delete_pages(web_alice: Client, alice) -> None:
    use = services.create_use(alice, {"substance": "alcohol", "amount": 330, "unit": "ml", "abv": 5, "note": "x"})
    page = web_alice.get(f"/substances/uses/{use.id}/")
    assert page.status_code == 200 and 'value="330"' in page.content.decode()
    form = {"substance": "alcohol", "amount": "", "unit": "ml", "abv": "5", "craving_skip": "1", "note": "",
            "at": page.context["use_state"]["at"], "at_original": page.context["use_state"]["at"]}
    assert web_alice.post(f"/substances/uses/{use.id}/", form).status_code == 302
    use.refresh_from_db()
    assert use.amount is None and use.standard_drinks is None and use.note == ""
    assert web_alice.get(f"/substances/uses/{use.id}/delete").status_code == 200
    assert web_alice.post(f"/substances/uses/{use.id}/delete").status_code == 302
    assert not SubstanceUse.objects.exists()


@pytest.mark.django_db
def test_settings_page_sets_size_and_goals(web_alice: Client, alice) -> None:
    bad = web_alice.post("/substances/settings/", {"drink_size": "us", "goal-alcohol-kind": "weekly_limit",
                                                   "goal-alcohol-weekly_limit": "-3",
                                                   "goal-alcohol-limit_unit": "standard_drink"})
    assert bad.status_code == 422 and 'value="-3"' in bad.content.decode()
    assert not Goal.objects.exists()
    ok = web_alice.post("/substances/settings/", {"drink_size": "us", "goal-alcohol-kind": "weekly_limit",
                                                  "goal-alcohol-weekly_limit": "7",
                                                  "goal-alcohol-limit_unit": "standard_drink",
                                                  "goal-nicotine-kind": "abstain"})
    assert ok.status_code == 302
    assert services.grams_for(alice) == 14 and not services.preferences(alice).show_days_since
    assert {g.substance: g.kind for g in Goal.objects.filter(person=alice, active=True)} == {
        "alcohol": "weekly_limit", "nicotine": "abstain"}
    services.create_use(alice, {"substance": "nicotine"})
    assert "Last logged" not in web_alice.get("/substances/").content.decode()  # the person hid it


@pytest.mark.django_db
def test_every_page_renders(web_alice: Client, alice) -> None:
    for path in ("/substances/", "/substances/review/", "/substances/review/?week=garbage",
                 "/substances/insights/", "/substances/settings/"):
        response = web_alice.get(path)
        assert response.status_code == 200, path
        assert "<script>" not in response.content.decode()
    assert math.isfinite(services.site_drink_grams())


def test_a_goal_does_not_judge_uses_from_before_it_was_set(alice) -> None:
    used_at = timezone.now() - timedelta(days=8)
    services.create_use(alice, {"substance": "alcohol", "amount": 1, "unit": "standard_drink",
                                "at": used_at.isoformat()})
    services.set_goal(alice, {"substance": "alcohol", "kind": "abstain"})
    review = services.weekly_review(alice, used_at.astimezone(alice.tzinfo).date())
    (row,) = review["substances"]
    assert row["uses"] == 1 and row["goal"] is None, "the goal did not exist that week"
    assert "lapse" not in str(review).lower()


def test_a_double_tap_logs_one_use(alice, web_alice: Client) -> None:
    form = {"substance": "alcohol", "amount": "1", "unit": "standard_drink", "craving_unrated": "1"}
    first = web_alice.post("/substances/log", form)
    second = web_alice.post("/substances/log", form)
    assert first.status_code == second.status_code == 302
    assert SubstanceUse.objects.filter(person=alice).count() == 1
