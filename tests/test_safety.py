"""The safety path: the help page, crisis language in notes, the safety plan."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import ApiClient, checkin_body
from thaw.checkins.models import CheckIn
from thaw.safety.models import RiskFlag, SafetyPlan
from thaw.safety.resources import crisis_regions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/", "/emotions/", "/help/"])
def test_get_help_now_is_on_every_page_signed_out(client: Client, url: str) -> None:
    page = client.get(url).content.decode()
    assert 'href="/help/"' in page and "Get help now" in page


@pytest.mark.parametrize("url", ["/", "/checkin/", "/checkins/", "/settings/", "/assessments/", "/safety-plan/", "/report/"])
def test_get_help_now_is_on_every_page_signed_in(web_alice: Client, url: str) -> None:
    page = web_alice.get(url).content.decode()
    assert 'href="/help/"' in page and "Get help now" in page


def test_help_page_shows_default_region_and_notice(client: Client) -> None:
    page = client.get("/help/").content.decode()
    assert 'href="tel:988"' in page and "741741" in page and 'href="tel:911"' in page
    assert "not an emergency service" in page and "not monitored in real time" in page


@pytest.mark.parametrize(
    ("region", "expected"),
    [("UK", "116 123"), ("CA", "9-8-8"), ("AU", "13 11 14"), ("EU", "112"), ("uk", "999"), ("XX", "988")],
)
def test_each_region_has_its_lines(client: Client, region: str, expected: str) -> None:
    assert expected in client.get("/help/", {"region": region}).content.decode()


def test_person_region_setting_is_used(web_alice: Client, alice) -> None:
    alice.crisis_region = "AU"
    alice.save()
    assert "Lifeline" in web_alice.get("/help/").content.decode()
    api = ApiClient(alice)
    assert api.get("/api/v1/crisis-resources").json()["region"] == "AU"


def test_crisis_resources_api_is_public(api_anon: ApiClient) -> None:
    body = api_anon.get("/api/v1/crisis-resources", region="UK").json()
    assert body["emergency"] == "999" and "Samaritans" in [r["name"] for r in body["resources"]]
    assert "not an emergency service" in body["notice"]
    assert set(body["regions"]) == set(crisis_regions()[1])


def test_crisis_words_in_a_note_flag_and_return_resources(api_alice: ApiClient, alice) -> None:
    response = api_alice.post("/api/v1/checkins", checkin_body(note="Honestly I want to die tonight."))
    assert response.status_code == 201
    body = response.json()
    assert body["crisis"] is True and body["resources"]
    flag = RiskFlag.objects.get(person=alice)
    assert flag.source == "checkin" and flag.source_id == body["id"]
    assert "want to die" not in flag.reason, "the flag never copies what the person wrote"


def test_negated_or_everyday_words_do_not_flag(api_alice: ApiClient) -> None:
    for note in ("I'm not suicidal, just tired.", "This commute is killing me.", "Dead tired after work."):
        body = api_alice.post("/api/v1/checkins", checkin_body(note=note)).json()
        assert body["crisis"] is False and body["resources"] == []
    assert RiskFlag.objects.count() == 0


def test_web_checkin_with_crisis_words_shows_the_crisis_screen_and_keeps_the_checkin(web_alice: Client) -> None:
    response = web_alice.post("/checkin/", {"word": ["hopeless"], "intensity": "9", "numbness": "9",
                                            "note": "I can't go on like this, I want to end my life."})
    assert response.status_code == 302 and response["Location"] == "/help/?from=checkin"
    assert CheckIn.objects.count() == 1
    assert "988" in web_alice.get(response["Location"]).content.decode()


def test_patching_a_note_with_crisis_words_flags(api_alice: ApiClient, alice) -> None:
    created = api_alice.post("/api/v1/checkins", checkin_body(note="ok day")).json()
    patched = api_alice.patch(f"/api/v1/checkins/{created['id']}", {"note": "I want to kill myself"}).json()
    assert patched["crisis"] is True
    assert RiskFlag.objects.filter(person=alice).count() == 1


def test_safety_plan_builder_web(web_alice: Client, alice) -> None:
    page = web_alice.get("/safety-plan/").content.decode()
    for title in ("My warning signs", "Things I can do on my own", "People I can ask for help",
                  "Professionals and crisis lines", "Making my surroundings safer"):
        assert title in page
    response = web_alice.post("/safety-plan/", {"warning_signs": "Not sleeping; skipping meals",
                                                "people_to_ask": "Sam 555-0100"})
    assert response.status_code == 302
    plan = SafetyPlan.objects.get(person=alice)
    assert plan.people_to_ask == "Sam 555-0100"
    help_page = web_alice.get("/help/").content.decode()
    assert "Sam 555-0100" in help_page and "Not sleeping" in help_page
    too_long = web_alice.post("/safety-plan/", {"warning_signs": "x" * 5001, "reasons": "my dog"})
    assert too_long.status_code == 422 and "my dog" in too_long.content.decode()
    plan.refresh_from_db()
    assert plan.reasons == ""


def test_safety_plan_api_is_private(api_alice: ApiClient, api_bob: ApiClient, api_anon: ApiClient) -> None:
    saved = api_alice.client.put("/api/v1/safety-plan", data='{"coping_steps": "Cold water on my face"}',
                                 content_type="application/json", headers=api_alice.headers)
    assert saved.status_code == 200 and saved.json()["coping_steps"] == "Cold water on my face"
    assert api_bob.get("/api/v1/safety-plan").json()["coping_steps"] == ""
    assert api_anon.get("/api/v1/safety-plan").status_code == 401
    bad = api_alice.client.put("/api/v1/safety-plan", data='{"coping_steps": 5}', content_type="application/json",
                               headers=api_alice.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "coping_steps"


def test_someone_elses_assessment_id_on_the_crisis_page_gives_no_link(web_bob: Client, alice) -> None:
    from thaw.assessments.services import take

    assessment = take(alice, "phq9", [0] * 8 + [1])
    page = web_bob.get("/help/", {"from": "assessment", "id": str(assessment.id)}).content.decode()
    assert "Continue to your results" not in page
    assert f"/assessments/result/{assessment.id}/" not in page
    assert "988" in page


def test_help_page_survives_an_unreadable_safety_plan(web_alice: Client, monkeypatch) -> None:
    from thaw.safety import views

    def broken(person):
        raise RuntimeError("the key ring is gone")

    monkeypatch.setattr(views, "plan_for", broken)
    page = web_alice.get("/help/")
    assert page.status_code == 200 and 'href="tel:988"' in page.content.decode()


def test_editing_only_a_tag_does_not_flag_an_old_crisis_note(web_alice: Client, alice) -> None:
    from thaw.checkins.services import create_checkin

    checkin = create_checkin(alice, {"emotions": [{"word": "hopeless", "intensity": 8}], "numbness": 8,
                                     "note": "I want to die"})
    assert RiskFlag.objects.count() == 1
    response = web_alice.post(f"/checkins/{checkin.id}/", {"word": ["hopeless"], "intensity": "8", "numbness": "8",
                                                           "note": "I want to die", "tag": ["home"]})
    assert response.status_code == 302 and response["Location"] == "/checkins/"
    assert RiskFlag.objects.count() == 1


def test_region_aliases(client: Client) -> None:
    assert "Samaritans" in client.get("/help/", {"region": "GB"}).content.decode()
