"""The check-in API: create, read, page, change, delete; bad input; isolation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import ApiClient, checkin_body
from thaw.checkins.models import CheckIn, CheckInEmotion, CheckInTag

pytestmark = pytest.mark.django_db


def create(api: ApiClient, **overrides: object) -> dict:
    response = api.post("/api/v1/checkins", checkin_body(**overrides))
    assert response.status_code == 201, response.content
    return response.json()


def test_create_returns_the_saved_checkin(api_alice: ApiClient, alice) -> None:
    data = create(api_alice)
    assert data["id"]
    assert [(e["word"], e["intensity"]) for e in data["emotions"]] == [("lonely", 6), ("tired", 4)]
    assert data["emotions"][0]["family"] == "loneliness"
    assert data["numbness"] == 7
    assert data["body"] == ["chest/tight"]
    assert data["tags"] == ["work"]
    assert data["note"] == "Long day; felt far away in the meeting."
    assert data["source"] == "api"
    stored = CheckIn.objects.get(pk=data["id"])
    assert stored.person == alice
    assert stored.words == ["lonely", "tired"]


@pytest.mark.parametrize("note", ["Long day.", "I want to end my life", None])
def test_the_created_checkin_is_exactly_what_the_openapi_document_promises(api_alice: ApiClient, note) -> None:
    """POST /checkins renders its body without ninja's output validation (it is the hottest
    write): the body must still be exactly what CheckInSaved declares, crisis or not."""
    from thaw.checkins.api import CheckInSaved

    body = checkin_body(note=note)
    if note is None:
        del body["numbness"]
    response = api_alice.post("/api/v1/checkins", body)
    assert response.status_code == 201 and response["Content-Type"] == "application/json; charset=utf-8"
    data = response.json()
    assert CheckInSaved.model_validate(data).model_dump(mode="json") == data
    assert data["crisis"] is (note == "I want to end my life") and bool(data["resources"]) is data["crisis"]
    spec = api_alice.get("/api/v1/openapi.json").json()
    declared = spec["components"]["schemas"]["CheckInSaved"]["properties"]
    assert set(data) == set(declared)


def test_a_numb_word_alone_is_a_complete_checkin(api_alice: ApiClient) -> None:
    data = create(api_alice, emotions=[{"word": "numb", "intensity": 8}], body=None, tags=None, note=None)
    assert data["emotions"][0]["family"] == "numb"
    assert data["body"] == [] and data["tags"] == [] and data["note"] == ""


def test_not_sure_is_a_valid_answer(api_alice: ApiClient) -> None:
    data = create(api_alice, emotions=[{"word": "not sure", "intensity": 0}])
    assert data["emotions"][0]["word"] == "not sure"


def test_time_defaults_to_now_and_past_times_are_allowed(api_alice: ApiClient) -> None:
    before = timezone.now()
    now_data = create(api_alice)
    assert abs((timezone.datetime.fromisoformat(now_data["at"]) - before).total_seconds()) < 5
    past = create(api_alice, at="2021-06-01T08:30:00+02:00")
    assert past["at"].startswith("2021-06-01T06:30:00")


def test_a_time_a_little_ahead_is_accepted_for_clock_skew(api_alice: ApiClient) -> None:
    soon = (timezone.now() + timedelta(minutes=4)).isoformat()
    create(api_alice, at=soon)


def test_own_tags_are_kept_and_normalised(api_alice: ApiClient) -> None:
    data = create(api_alice, tags=["  Night   Shift ", "work", "work"])
    assert data["tags"] == ["night shift", "work"]
    listing = api_alice.get("/api/v1/tags").json()
    assert "night shift" in listing["own"]
    assert "work" in listing["place"]


BAD_INPUTS = [
    ({"emotions": [{"word": "blorp", "intensity": 5}]}, "emotions.0.word", "not in Thaw"),
    ({"emotions": [{"word": "lonely", "intensity": 11}]}, "emotions.0.intensity", "0 to 10"),
    ({"emotions": [{"word": "lonely", "intensity": -1}]}, "emotions.0.intensity", "0 to 10"),
    ({"emotions": [{"word": "lonely", "intensity": 5.5}]}, "emotions.0.intensity", "whole number"),
    ({"emotions": [{"word": "lonely", "intensity": "5"}]}, "emotions.0.intensity", "whole number"),
    ({"emotions": [{"word": "lonely", "intensity": True}]}, "emotions.0.intensity", "whole number"),
    ({"emotions": []}, "emotions", "between 1 and 5"),
    ({"emotions": [{"word": w, "intensity": 3} for w in ("sad", "tired", "lonely", "calm", "numb", "angry")]},
     "emotions", "between 1 and 5"),
    ({"emotions": [{"word": "sad", "intensity": 3}, {"word": "sad", "intensity": 4}]}, "emotions.1.word", "twice"),
    ({"emotions": "sad"}, "emotions", "list"),
    ({"numbness": 11}, "numbness", "0 (not numb) to 10"),
    ({"numbness": -1}, "numbness", "0 (not numb) to 10"),
    ({"numbness": "7"}, "numbness", "whole number"),
    ({"note": "x" * 5001}, "note", "5,000"),
    ({"note": 12}, "note", "must be text"),
    ({"body": ["chest/sparkly"]}, "body", "unknown body sensation"),
    ({"body": "chest/tight"}, "body", "list"),
    ({"tags": ["<script>"]}, "tags", "letters"),
    ({"tags": ["x" * 41]}, "tags", "40"),
    ({"at": "yesterday"}, "at", "ISO-8601"),
    ({"at": "2999-01-01T00:00:00Z"}, "at", "future"),
    ({"mood": "bad"}, "mood", "not a field here"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_INPUTS)
def test_bad_input_names_the_field_and_saves_nothing(api_alice: ApiClient, change: dict, field: str, message: str) -> None:
    response = api_alice.post("/api/v1/checkins", checkin_body(**change))
    assert response.status_code == 422, response.content
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert field in errors, errors
    assert message.lower() in errors[field].lower()
    assert message.lower() in response.json()["detail"].lower()
    assert CheckIn.objects.count() == 0
    assert CheckInEmotion.objects.count() == 0 and CheckInTag.objects.count() == 0


def test_missing_required_fields_are_named(api_alice: ApiClient) -> None:
    response = api_alice.post("/api/v1/checkins", {"note": "just a note"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert "emotions" in fields and "numbness" not in fields  # numbness may be left unrated


@pytest.mark.parametrize("numbness", ["left out", None])
def test_a_checkin_without_numbness_is_saved_as_not_rated(api_alice: ApiClient, numbness: object) -> None:
    body = checkin_body()
    if numbness == "left out":
        del body["numbness"]
    else:
        body["numbness"] = numbness
    response = api_alice.post("/api/v1/checkins", body)
    assert response.status_code == 201, response.content
    assert response.json()["numbness"] is None
    saved = api_alice.get(f"/api/v1/checkins/{response.json()['id']}").json()
    assert saved["numbness"] is None
    assert CheckIn.objects.get().numbness is None


def test_patch_can_rate_and_unrate_numbness(api_alice: ApiClient) -> None:
    body = checkin_body()
    del body["numbness"]
    url = f"/api/v1/checkins/{api_alice.post('/api/v1/checkins', body).json()['id']}"
    assert api_alice.patch(url, {"numbness": 4}).json()["numbness"] == 4
    assert api_alice.patch(url, {"note": "later"}).json()["numbness"] == 4, "fields not sent are kept"
    assert api_alice.patch(url, {"numbness": None}).json()["numbness"] is None


@pytest.mark.parametrize("raw", ['{"emotions": [', "not json at all", "\xff\xfe", "[1, 2]", '"text"', ""])
def test_malformed_or_non_object_bodies_get_a_clear_4xx(api_alice: ApiClient, raw: str) -> None:
    response = api_alice.post("/api/v1/checkins", raw=raw)
    assert 400 <= response.status_code < 500, response.content
    body = response.json()
    assert body["detail"]
    assert body["errors"][0]["field"] in ("body", "emotions", "numbness")
    assert CheckIn.objects.count() == 0


def test_several_problems_are_reported_together(api_alice: ApiClient) -> None:
    response = api_alice.post(
        "/api/v1/checkins",
        checkin_body(emotions=[{"word": "blorp", "intensity": 20}], numbness=12, at="2999-01-01T00:00:00Z"),
    )
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"emotions.0.word", "emotions.0.intensity", "numbness", "at"} <= fields


def test_list_is_newest_first_and_pages_with_a_cursor(api_alice: ApiClient) -> None:
    base = timezone.now() - timedelta(days=10)
    ids = [create(api_alice, at=(base + timedelta(hours=i)).isoformat())["id"] for i in range(7)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api_alice.get("/api/v1/checkins", **params).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == list(reversed(ids))


def test_list_pages_correctly_when_times_are_equal(api_alice: ApiClient) -> None:
    same = (timezone.now() - timedelta(days=1)).isoformat()
    ids = {create(api_alice, at=same)["id"] for _ in range(5)}
    first = api_alice.get("/api/v1/checkins", limit=2).json()
    second = api_alice.get("/api/v1/checkins", limit=2, cursor=first["next"]).json()
    third = api_alice.get("/api/v1/checkins", limit=2, cursor=second["next"]).json()
    got = [i["id"] for p in (first, second, third) for i in p["items"]]
    assert len(got) == 5 and set(got) == ids
    assert third["next"] is None


def test_list_filters_by_since_and_until_inclusive(api_alice: ApiClient) -> None:
    create(api_alice, at="2026-01-01T10:00:00Z")
    middle = create(api_alice, at="2026-01-02T10:00:00Z")
    create(api_alice, at="2026-01-03T10:00:00Z")
    page = api_alice.get("/api/v1/checkins", since="2026-01-02T10:00:00Z", until="2026-01-02T10:00:00Z").json()
    assert [i["id"] for i in page["items"]] == [middle["id"]]
    assert len(api_alice.get("/api/v1/checkins", since="2026-01-02T00:00:00Z").json()["items"]) == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"limit": "ten"}, "limit"),
     ({"cursor": "nonsense"}, "cursor"), ({"since": "soon"}, "since"), ({"until": "2026-13-45"}, "until")],
)
def test_bad_list_parameters_are_named(api_alice: ApiClient, params: dict, field: str) -> None:
    response = api_alice.get("/api/v1/checkins", **params)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


def test_limit_500_is_allowed(api_alice: ApiClient) -> None:
    create(api_alice)
    assert api_alice.get("/api/v1/checkins", limit=500).status_code == 200


def test_get_patch_delete_own_checkin(api_alice: ApiClient) -> None:
    data = create(api_alice)
    url = f"/api/v1/checkins/{data['id']}"
    assert api_alice.get(url).json()["id"] == data["id"]
    changed = api_alice.patch(url, {"numbness": 2, "emotions": [{"word": "calm", "intensity": 5}], "tags": []})
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["numbness"] == 2 and [e["word"] for e in body["emotions"]] == ["calm"] and body["tags"] == []
    assert body["note"] == data["note"], "fields not sent are kept"
    assert body["updated_at"] > data["updated_at"]
    assert api_alice.delete(url).status_code == 204
    assert api_alice.get(url).status_code == 404
    assert CheckInEmotion.objects.count() == 0


def test_bad_patch_changes_nothing(api_alice: ApiClient) -> None:
    data = create(api_alice)
    url = f"/api/v1/checkins/{data['id']}"
    response = api_alice.patch(url, {"numbness": 3, "emotions": [{"word": "blorp", "intensity": 2}]})
    assert response.status_code == 422
    saved = {k: v for k, v in data.items() if k not in ("crisis", "resources")}
    assert api_alice.get(url).json() == saved


def test_another_persons_checkin_answers_404(api_alice: ApiClient, api_bob: ApiClient) -> None:
    data = create(api_alice)
    url = f"/api/v1/checkins/{data['id']}"
    assert api_bob.get(url).status_code == 404
    assert api_bob.patch(url, {"numbness": 0}).status_code == 404
    assert api_bob.delete(url).status_code == 404
    assert api_bob.get("/api/v1/checkins").json()["items"] == []
    # Alice's check-in is untouched, and 404 looks the same as for an id that never existed.
    assert api_alice.get(url).json()["numbness"] == 7
    missing = api_bob.get("/api/v1/checkins/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json() == api_bob.get(url).json()
    assert api_bob.get("/api/v1/checkins/not-a-uuid").status_code == 404


def test_admin_has_no_access_to_a_persons_checkins(api_alice: ApiClient, admin) -> None:
    from allauth.mfa.models import Authenticator

    data = create(api_alice)
    assert ApiClient(admin).get("/api/v1/checkins").status_code == 401, "no API at all before two-factor"
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    api_admin = ApiClient(admin)
    assert api_admin.get(f"/api/v1/checkins/{data['id']}").status_code == 404
    assert api_admin.get("/api/v1/checkins").json()["items"] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/checkins"), ("post", "/api/v1/checkins"),
     ("get", "/api/v1/checkins/00000000-0000-0000-0000-000000000000"),
     ("patch", "/api/v1/checkins/00000000-0000-0000-0000-000000000000"),
     ("delete", "/api/v1/checkins/00000000-0000-0000-0000-000000000000"),
     ("get", "/api/v1/tags"), ("get", "/api/v1/tokens")],
)
def test_no_token_answers_401(api_anon: ApiClient, method: str, path: str) -> None:
    response = getattr(api_anon, method)(path, **({} if method in ("get", "delete") else {"body": checkin_body()}))
    assert response.status_code == 401
    assert response.json()["detail"]


def test_wrong_or_revoked_token_answers_401(api_alice: ApiClient, alice) -> None:
    bad = ApiClient(None)
    bad.headers["Authorization"] = "Bearer thaw_not-a-real-token"
    assert bad.get("/api/v1/checkins").status_code == 401
    from thaw.accounts.models import ApiToken

    token, raw = ApiToken.issue(alice, "to revoke")
    client = ApiClient(None)
    client.headers["Authorization"] = f"Bearer {raw}"
    assert client.get("/api/v1/checkins").status_code == 200
    token.revoke()
    assert client.get("/api/v1/checkins").status_code == 401


def test_session_auth_works_and_requires_csrf_for_writes(web_alice) -> None:
    assert web_alice.get("/api/v1/checkins").status_code == 200
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.cookies = web_alice.cookies
    response = strict.post("/api/v1/checkins", checkin_body(), content_type="application/json")
    assert response.status_code in (401, 403)
    assert CheckIn.objects.count() == 0


def test_emotions_endpoint_lists_the_vocabulary(api_anon: ApiClient) -> None:
    words = api_anon.get("/api/v1/emotions").json()
    assert len(words) >= 140
    entry = next(w for w in words if w["word"] == "numb")
    assert set(entry) == {"word", "family", "pleasantness", "energy", "definition"}
    assert entry["family"] == "numb"


def test_openapi_document_and_docs_page(api_anon: ApiClient) -> None:
    spec = api_anon.get("/api/v1/openapi.json").json()
    assert "/api/v1/checkins" in spec["paths"] and "/api/v1/auth/token" in spec["paths"]
    docs = api_anon.client.get("/api/v1/docs")
    assert docs.status_code == 200
    # Everything the docs page loads comes from this server: no CDN, no other host. (Looking for
    # "cdn" in the page was flaky: the page carries a random CSRF token.)
    loads = re.findall(r'(?:src|href)="([^"]*)"', docs.content.decode())
    assert loads and all(url.startswith("/static/") for url in loads), loads
