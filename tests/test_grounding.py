"""Grounding: the exercise files, the sessions API, what works, affirmations and the pages."""

from __future__ import annotations

import json
import re
import tomllib
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.conftest import ApiClient
from thaw.grounding import services
from thaw.grounding.effects import MIN_RATED, Rated, what_works
from thaw.grounding.exercises import (
    DATA_DIR,
    ExerciseFileError,
    library,
    parse_library,
    starter_affirmations,
)
from thaw.grounding.models import Affirmation, GroundingSession
from thaw.safety.models import RiskFlag

SESSIONS = "/api/v1/grounding/sessions"


def session_body(**overrides: Any) -> dict[str, Any]:
    start = timezone.now() - timedelta(minutes=5)
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "exercise": "five-senses",
        "started_at": start.isoformat(),
        "ended_at": (start + timedelta(minutes=3)).isoformat(),
        "completed": True,
        "before_presence": 3,
        "before_numbness": 8,
        "after_presence": 6,
        "after_numbness": 5,
        "made_worse": False,
        "note": "the kettle helped",
    }
    body.update(overrides)
    return body


def field_errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


# --- the data files ---------------------------------------------------------------------

def test_the_shipped_exercises_cover_the_issue_and_say_how_to_stop_or_switch() -> None:
    lib = library()
    assert {"orienting", "five-senses", "breathing-4-6", "box-breathing", "muscle-relaxation", "temperature",
            "categories", "grounding-statements"} <= set(lib.exercises)
    for exercise in lib.exercises.values():
        assert exercise.eyes_open.strip(), exercise.id
        alternative = lib.get(exercise.switch_to)
        assert alternative is not None and not alternative.body_focused, exercise.id
        assert exercise.steps
    for body_focused in ("breathing-4-6", "box-breathing", "muscle-relaxation", "temperature"):
        assert lib.exercises[body_focused].body_focused
    assert not lib.far_away_exercise.body_focused and lib.far_away_exercise.minutes <= 3


def test_breathing_patterns_are_about_six_breaths_a_minute_and_box_is_four_square() -> None:
    slow = library().exercises["breathing-4-6"].pattern
    assert slow is not None and [(p.name, p.seconds) for p in slow.phases] == [("in", 4), ("out", 6)]
    assert slow.breaths_per_minute == 6.0
    box = library().exercises["box-breathing"].pattern
    assert box is not None and [(p.name, p.seconds) for p in box.phases] == [("in", 4), ("hold", 4), ("out", 4), ("hold", 4)]


def test_there_is_a_starter_set_of_affirmations() -> None:
    texts = starter_affirmations()
    assert len(texts) >= 20 and all(0 < len(t) <= 200 for t in texts)


def _doc() -> dict[str, Any]:
    return tomllib.loads((DATA_DIR / "exercises.toml").read_text())


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["exercise"][0].update(colour="blue"), "exercise 'orienting': unknown key 'colour'"),
    (lambda d: d["exercise"][0].update(minutes=0), "exercise 'orienting': minutes must be a whole number"),
    (lambda d: d["exercise"][0].update(kind="dance"), "exercise 'orienting': kind must be one of steps, breathing"),
    (lambda d: d["exercise"][0].pop("eyes_open"), "exercise 'orienting': 'eyes_open' is required"),
    (lambda d: d["exercise"][4]["pattern"]["phases"][0].update(seconds=40), "exercise 'breathing-4-6': pattern.phases #1"),
    (lambda d: d["exercise"][0].update(switch_to="temperature"), "switch_to must name a different exercise"),
    (lambda d: d.update(far_away="temperature"), "far_away 'temperature' must not be body-focused"),
    (lambda d: d["exercise"][1].update(id="orienting"), "exercise 'orienting' is defined twice"),
    (lambda d: d["exercise"][0].update(id="now"), "reserved"),
])
def test_a_broken_exercise_file_is_refused_naming_file_exercise_and_field(change: Any, expected: str) -> None:
    doc = _doc()
    change(doc)
    with pytest.raises(ExerciseFileError) as caught:
        parse_library(doc, "exercises.toml")
    assert str(caught.value).startswith("exercises.toml is invalid")
    assert expected in str(caught.value)


# --- the sessions API ---------------------------------------------------------------

def test_create_and_list_sessions(api_alice: ApiClient, alice: Any) -> None:
    body = session_body()
    response = api_alice.post(SESSIONS, body)
    assert response.status_code == 201, response.content
    saved = response.json()
    assert saved["id"] == body["id"] and saved["exercise_title"] == "Five things, four, three, two, one"
    assert (saved["before_presence"], saved["after_presence"], saved["note"]) == (3, 6, "the kettle helped")
    assert saved["crisis"] is False
    older = api_alice.post(SESSIONS, session_body(started_at="2025-01-01T10:00:00Z", ended_at="2025-01-01T10:05:00Z"))
    assert older.status_code == 201
    listed = api_alice.get(SESSIONS).json()
    assert [s["id"] for s in listed["items"]] == [body["id"], older.json()["id"]]
    assert [s["id"] for s in api_alice.get(SESSIONS, since="2025-06-01").json()["items"]] == [body["id"]]
    first = api_alice.get(SESSIONS, limit="1").json()
    assert len(first["items"]) == 1 and first["next"]
    assert api_alice.get(SESSIONS, limit="1", cursor=first["next"]).json()["items"][0]["id"] == older.json()["id"]
    assert GroundingSession.objects.get(pk=body["id"]).person == alice


def test_skipped_ratings_and_a_stopped_session_are_fine(api_alice: ApiClient) -> None:
    body = {"exercise": "box-breathing", "started_at": timezone.now().isoformat(), "completed": False,
            "before_presence": None, "made_worse": True}
    saved = api_alice.post(SESSIONS, body).json()
    assert saved["completed"] is False and saved["made_worse"] is True
    assert saved["before_presence"] is None and saved["after_presence"] is None and saved["note"] == ""


@pytest.mark.parametrize(("overrides", "field"), [
    ({"exercise": "juggling"}, "exercise"),
    ({"before_presence": 11}, "before_presence"),
    ({"after_numbness": -1}, "after_numbness"),
    ({"after_presence": "7"}, "after_presence"),
    ({"after_presence": 7.5}, "after_presence"),
    ({"completed": "yes"}, "completed"),
    ({"made_worse": 1}, "made_worse"),
    ({"note": "x" * 2001}, "note"),
    ({"note": 5}, "note"),
    ({"id": "not-a-uuid"}, "id"),
    ({"started_at": "yesterday"}, "started_at"),
    ({"started_at": (timezone.now() + timedelta(hours=1)).isoformat(), "ended_at": None}, "started_at"),
    ({"ended_at": (timezone.now() + timedelta(hours=1)).isoformat()}, "ended_at"),
    ({"ended_at": "2020-01-01T00:00:00Z"}, "ended_at"),
    ({"mood": "ok"}, "mood"),
])
def test_bad_input_is_refused_naming_the_field(api_alice: ApiClient, overrides: dict[str, Any], field: str) -> None:
    body = {k: v for k, v in session_body(**overrides).items() if v is not None}
    errors = field_errors(api_alice.post(SESSIONS, body))
    assert field in errors, errors
    assert GroundingSession.objects.count() == 0


def test_missing_fields_and_a_non_json_body_are_refused(api_alice: ApiClient) -> None:
    errors = field_errors(api_alice.post(SESSIONS, {"note": "hi"}))
    assert {"exercise", "started_at"} <= set(errors)
    bad = api_alice.post(SESSIONS, raw="{not json")
    assert bad.status_code == 400


def test_list_filters_are_checked(api_alice: ApiClient) -> None:
    assert "limit" in field_errors(api_alice.get(SESSIONS, limit="0"))
    assert "since" in field_errors(api_alice.get(SESSIONS, since="last week"))
    assert "cursor" in field_errors(api_alice.get(SESSIONS, cursor="nonsense"))


def test_a_retry_with_the_same_id_returns_the_saved_session_not_a_copy(api_alice: ApiClient) -> None:
    body = session_body()
    assert api_alice.post(SESSIONS, body).status_code == 201
    same = api_alice.post(SESSIONS, body)
    assert same.status_code == 200 and same.json()["after_presence"] == 6
    # Sent again with a change (the person went back and edited): one session, the latest words.
    again = api_alice.post(SESSIONS, {**body, "after_presence": 10})
    assert again.status_code == 200 and again.json()["after_presence"] == 10
    assert GroundingSession.objects.count() == 1


def test_sessions_need_sign_in_but_exercises_do_not(api_anon: ApiClient) -> None:
    assert api_anon.get(SESSIONS).status_code == 401
    assert api_anon.post(SESSIONS, session_body()).status_code == 401
    exercises = api_anon.get("/api/v1/grounding/exercises")
    assert exercises.status_code == 200
    by_id = {e["id"]: e for e in exercises.json()}
    assert by_id["breathing-4-6"]["pattern"]["phases"][1] == {"name": "out", "seconds": 6.0, "label": "Breathe out"}


def test_bob_cannot_see_or_overwrite_alices_sessions(api_alice: ApiClient, api_bob: ApiClient, web_bob: Client) -> None:
    body = session_body(note="alice's private note")
    api_alice.post(SESSIONS, body)
    assert api_bob.get(SESSIONS).json()["items"] == []
    taken = api_bob.post(SESSIONS, {**body, "note": "bob was here", "after_presence": 0})
    errors = field_errors(taken)
    assert set(errors) == {"id"}
    assert "alice" not in taken.content.decode() and "private" not in taken.content.decode()
    stored = GroundingSession.objects.get(pk=body["id"])
    assert stored.note == "alice's private note" and stored.after_presence == 6
    assert GroundingSession.objects.count() == 1
    # Alice's session page is a 404 for Bob, exactly like an id that does not exist.
    assert web_bob.get(f"/grounding/sessions/{body['id']}/").status_code == 404
    assert web_bob.get(f"/grounding/sessions/{uuid.uuid4()}/").status_code == 404


def test_the_note_is_encrypted_at_rest(api_alice: ApiClient) -> None:
    api_alice.post(SESSIONS, session_body(note="the blue chair by the window"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM grounding_groundingsession")
        (raw,) = cursor.fetchone()
    assert raw.startswith("enc1:") and "chair" not in raw


def test_crisis_language_in_a_note_raises_a_flag_and_returns_resources(api_alice: ApiClient, alice: Any) -> None:
    saved = api_alice.post(SESSIONS, session_body(note="I want to kill myself")).json()
    assert saved["crisis"] is True and saved["resources"]
    assert RiskFlag.objects.filter(person=alice, source="grounding").count() == 1


def test_a_retried_save_still_says_crisis_and_raises_no_second_flag(api_alice: ApiClient, alice: Any) -> None:
    body = session_body(id=str(uuid.uuid4()), note="I want to kill myself")
    first = api_alice.post(SESSIONS, body)
    again = api_alice.post(SESSIONS, body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["crisis"] is True and again.json()["resources"], "the lost first answer is repeated"
    assert RiskFlag.objects.filter(person=alice, source="grounding").count() == 1


# --- what works --------------------------------------------------------------------------

def rated(exercise: str, before: int | None, after: int | None, nb: int | None = None, na: int | None = None,
          worse: bool = False) -> Rated:
    return Rated(exercise, before, after, nb, na, worse)


def test_what_works_ranks_by_mean_change_and_holds_back_too_few() -> None:
    sessions = [
        rated("orienting", 2, 5, 8, 6), rated("orienting", 3, 5, 7, 7), rated("orienting", 4, 5),  # +3 +2 +1 → 2.0
        rated("categories", 2, 6), rated("categories", 2, 6), rated("categories", 2, 7, worse=True),  # 4.33
        rated("temperature", 1, 9), rated("temperature", 1, 9),  # two rated tries only
        rated("temperature", None, 9), rated("temperature", 5, None, worse=True),  # not rated: count as tries
    ]
    result = what_works(sessions)
    assert [e.exercise for e in result.ranked] == ["categories", "orienting"]
    categories, orienting = result.ranked
    assert categories.presence_change == 4.3 and categories.rated == 3 and categories.made_worse == 1
    assert (orienting.presence_change, orienting.presence_low, orienting.presence_high) == (2.0, 1, 3)
    assert orienting.numbness_change == 1.0 and orienting.numbness_rated == 2
    [temperature] = result.too_few
    assert temperature.tries == 4 and temperature.rated == 2 and not temperature.enough
    assert temperature.made_worse == 1


def test_what_works_threshold_is_three_rated_tries() -> None:
    assert MIN_RATED == 3
    two = [rated("orienting", 1, 2)] * 2
    assert what_works(two).ranked == [] and len(what_works(two).too_few) == 1
    assert [e.exercise for e in what_works([*two, rated("orienting", 1, 2)]).ranked] == ["orienting"]


def test_what_works_uses_only_the_persons_own_sessions(api_alice: ApiClient, api_bob: ApiClient, alice: Any,
                                                        bob: Any) -> None:
    for _ in range(3):
        api_alice.post(SESSIONS, session_body())
    api_bob.post(SESSIONS, session_body(exercise="categories"))
    mine = services.what_works(alice)
    assert [e.exercise for e in mine.ranked] == ["five-senses"] and mine.ranked[0].presence_change == 3.0
    assert mine.too_few == []
    assert [e.exercise for e in services.what_works(bob).too_few] == ["categories"]


def test_what_works_page_shows_rank_tries_and_too_few(web_alice: Client, api_alice: ApiClient) -> None:
    for _ in range(3):
        api_alice.post(SESSIONS, session_body())
    api_alice.post(SESSIONS, session_body(exercise="categories", made_worse=True))
    page = web_alice.get("/grounding/what-works/").content.decode()
    assert "Five things, four, three, two, one" in page and "+3.0" in page and "3 rated tries" in page
    assert "Too few to tell yet" in page and "too few to tell yet" in page
    assert "Made it worse 1 time" in page


# --- affirmations ---------------------------------------------------------------------------

def test_affirmations_add_keep_typed_on_error_and_delete(web_alice: Client, alice: Any) -> None:
    response = web_alice.post("/grounding/affirmations/", {"text": "I  am allowed to go slowly."})
    assert response.status_code == 302
    [mine] = services.own_affirmations(alice)
    assert mine.text == "I am allowed to go slowly."
    assert "I am allowed to go slowly." in services.all_affirmations(alice)
    too_long = "a" * 201
    refused = web_alice.post("/grounding/affirmations/", {"text": too_long})
    assert refused.status_code == 422
    assert too_long in refused.content.decode() and "the limit is 200" in refused.content.decode()
    page = web_alice.get("/grounding/affirmations/").content.decode()
    assert "I am allowed to go slowly." in page
    assert web_alice.post(f"/grounding/affirmations/{mine.id}/delete").status_code == 302
    assert services.own_affirmations(alice) == []


def test_affirmations_are_owner_only_and_encrypted(web_alice: Client, web_bob: Client, alice: Any) -> None:
    web_alice.post("/grounding/affirmations/", {"text": "Quiet lake mornings are mine."})
    [mine] = services.own_affirmations(alice)
    assert "Quiet lake" not in web_bob.get("/grounding/affirmations/").content.decode()
    assert web_bob.post(f"/grounding/affirmations/{mine.id}/delete").status_code == 404
    assert Affirmation.objects.filter(pk=mine.id).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM grounding_affirmation")
        (raw,) = cursor.fetchone()
    assert raw.startswith("enc1:") and "lake" not in raw


def test_another_affirmation_link_never_puts_the_text_in_the_address(web_alice: Client) -> None:
    web_alice.post("/grounding/affirmations/", {"text": "My own secret words."})
    for _ in range(5):
        page = web_alice.get("/grounding/affirmations/").content.decode()
        link = re.search(r'href="(/grounding/affirmations/\?[^"]*)"', page)
        assert link and re.fullmatch(r"/grounding/affirmations/\?after=\d+", link.group(1))


# --- pages --------------------------------------------------------------------------------

def test_pages_render_for_a_signed_in_person(web_alice: Client) -> None:
    index = web_alice.get("/grounding/").content.decode()
    for exercise in library().exercises.values():
        assert exercise.title in index
    assert "body-focused" in index and "What works for you" in index
    for slug in library().exercises:
        page = web_alice.get(f"/grounding/{slug}/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "Stop now" in text and "This made it worse" in text and 'name="before_presence"' in text
    breathing = web_alice.get("/grounding/breathing-4-6/").content.decode()
    assert 'id="pacer"' in breathing and "If noticing your body makes things worse" in breathing
    assert "If noticing your body" not in web_alice.get("/grounding/orienting/").content.decode()
    assert web_alice.get("/grounding/no-such-thing/").status_code == 404
    assert web_alice.get("/grounding/affirmations/").status_code == 200
    assert web_alice.get("/grounding/what-works/").status_code == 200


def test_exercise_pages_have_no_inline_script_or_style(web_alice: Client) -> None:
    text = web_alice.get("/grounding/box-breathing/").content.decode()
    assert " style=" not in text and " onclick" not in text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", text, re.S)
    for attrs, body in scripts:
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
        assert "src=" not in attrs or not body.strip()


def test_personal_pages_need_sign_in(client: Client, db: Any) -> None:
    for path in ("/grounding/", "/grounding/orienting/", "/grounding/what-works/", "/grounding/affirmations/"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], path


def test_i_feel_far_away_is_one_tap_from_every_page_and_works_signed_out(client: Client, web_alice: Client) -> None:
    for web, path in ((client, "/"), (client, "/help/"), (web_alice, "/"), (web_alice, "/checkin/"),
                      (web_alice, "/grounding/what-works/"), (web_alice, "/grounding/box-breathing/")):
        assert 'href="/grounding/now/"' in web.get(path).content.decode(), path
    signed_out = client.get("/grounding/now/")
    assert signed_out.status_code == 200
    text = signed_out.content.decode()
    assert library().far_away_exercise.title in text and "Stop now" in text and "Nothing is saved" in text
    assert 'name="before_presence"' not in text  # nothing to save, so nothing to rate
    signed_in = web_alice.get("/grounding/now/").content.decode()
    assert 'name="before_presence"' in signed_in and "(optional)" in signed_in
    # The "switch" offer may pick another eyes-open exercise, never a body-focused one.
    assert "The categories game" in client.get("/grounding/now/?exercise=categories").content.decode()
    assert "Box breathing" not in client.get("/grounding/now/?exercise=box-breathing").content.decode()


def test_the_plain_form_saves_without_javascript_and_keeps_typing_on_error(web_alice: Client, alice: Any) -> None:
    page = web_alice.get("/grounding/orienting/").content.decode()
    session_id = re.search(r'name="id" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    started = re.search(r'name="started_at" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"id": session_id, "started_at": started, "before_presence": "2", "after_presence": "5",
            "note": "x" * 2001, "made_worse": "1", "stopped": "1"}
    refused = web_alice.post("/grounding/orienting/", form)
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "the limit is 2,000" in text and "x" * 2001 in text
    assert 'value="2" checked' in text and 'value="5" checked' in text
    form["note"] = "window light"
    saved = web_alice.post("/grounding/orienting/", form)
    assert saved.status_code == 302
    session = GroundingSession.objects.get(pk=session_id)
    assert (session.person, session.completed, session.made_worse, session.before_presence) == (alice, False, True, 2)
    assert session.source == "form"
    detail = web_alice.get(saved["Location"]).content.decode()
    assert "Thank you for telling us" in detail and "/help/" in detail and "Find the room" in detail
    # Pressing Save twice (or the back button) does not make a second session.
    assert web_alice.post("/grounding/orienting/", form).status_code == 302
    assert GroundingSession.objects.count() == 1


def test_going_back_and_sending_again_with_a_changed_note_keeps_the_new_words(web_alice: Client, alice: Any) -> None:
    page = web_alice.get("/grounding/orienting/").content.decode()
    session_id = re.search(r'name="id" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    started = re.search(r'name="started_at" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"id": session_id, "started_at": started, "note": "ok"}
    assert web_alice.post("/grounding/orienting/", form).status_code == 302
    form["note"] = "ok. honestly I want to die"
    again = web_alice.post("/grounding/orienting/", form)
    assert again.status_code == 302 and "/help/" in again["Location"], "the new words are checked and heard"
    assert GroundingSession.objects.get(pk=session_id).note == "ok. honestly I want to die"
    assert GroundingSession.objects.count() == 1
    assert RiskFlag.objects.filter(person=alice, source="grounding").count() == 1


def test_a_page_left_open_for_hours_still_saves(web_alice: Client, alice: Any) -> None:
    page = web_alice.get("/grounding/orienting/").content.decode()
    session_id = re.search(r'name="id" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    overnight = (timezone.now() - timedelta(hours=9)).isoformat()
    saved = web_alice.post("/grounding/orienting/", {"id": session_id, "started_at": overnight, "after_presence": "6"})
    assert saved.status_code == 302
    session = GroundingSession.objects.get(pk=session_id)
    assert session.ended_at - session.started_at <= timedelta(minutes=10) and session.after_presence == 6


def test_service_helpers_for_export_and_sharing(api_alice: ApiClient, alice: Any) -> None:
    api_alice.post(SESSIONS, session_body(note="private words"))
    [session] = services.sessions_for(alice)
    assert services.as_dict(session)["note"] == "private words"
    assert "note" not in services.as_dict(session, include_note=False)
    plain = services.what_works(alice).as_dict()
    assert plain["too_few"][0]["exercise"] == "five-senses" and plain["min_rated"] == 3
    json.dumps(plain)  # plain JSON types only
