"""Inputs found by review and fuzzing: each once answered 500 or did the wrong thing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import ApiClient, checkin_body
from tests.support import isolated_env, person_with_note, thaw
from thaw.assessments.models import Assessment

pytestmark = pytest.mark.django_db


def test_patch_cannot_erase_the_time(api_alice: ApiClient) -> None:
    created = api_alice.post("/api/v1/checkins", checkin_body(at="2020-05-01T10:00:00Z")).json()
    response = api_alice.patch(f"/api/v1/checkins/{created['id']}", {"at": None})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "at"
    assert api_alice.get(f"/api/v1/checkins/{created['id']}").json()["at"].startswith("2020-05-01")


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01"])
def test_edge_of_calendar_bounds_are_refused_not_crashing(api_alice: ApiClient, value: str) -> None:
    for path in ("/api/v1/checkins", "/api/v1/insights"):
        assert api_alice.get(path, since=value).status_code == 422, path
    assert api_alice.post("/api/v1/checkins", checkin_body(at=value)).status_code == 422


def test_date_only_until_includes_that_whole_day(api_alice: ApiClient) -> None:
    api_alice.post("/api/v1/checkins", checkin_body(at="2021-03-01T15:00:00Z"))
    assert len(api_alice.get("/api/v1/checkins", until="2021-03-01").json()["items"]) == 1
    assert len(api_alice.get("/api/v1/checkins", until="2021-02-28").json()["items"]) == 0
    assert len(api_alice.get("/api/v1/checkins", since="2021-03-01").json()["items"]) == 1


def test_history_far_future_date(web_alice: Client) -> None:
    assert web_alice.get("/checkins/", {"to": "9999-12-31", "from": "0001-01-01"}).status_code == 200


@pytest.mark.parametrize("choice", ["²", "--1", "1e1", " 1", "١"])
def test_odd_numbers_in_the_questionnaire_form(web_alice: Client, choice: str) -> None:
    response = web_alice.post("/assessments/phq9/take", {"a": ["1"], "choice": choice})
    assert response.status_code == 422
    tampered = web_alice.post("/assessments/phq9/take", {"a": ["²"], "choice": "1"})
    assert tampered.status_code == 422


def test_a_complete_set_of_hidden_answers_is_refused(web_alice: Client) -> None:
    response = web_alice.post("/assessments/phq9/take", {"a": ["1"] * 9, "choice": "1"})
    assert response.status_code == 422 and Assessment.objects.count() == 0


def test_submitting_the_last_screen_twice_stores_one_result(web_alice: Client, alice) -> None:
    for _ in range(2):
        response = web_alice.post("/assessments/gad7/take", {"a": ["1"] * 6, "choice": "1"})
        assert response.status_code == 302
    assert Assessment.objects.filter(person=alice).count() == 1


def test_unexpected_api_errors_are_json(api_alice: ApiClient, monkeypatch) -> None:
    from thaw.checkins import services

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(services, "page_of_checkins", boom)
    response = api_alice.get("/api/v1/checkins")
    assert response.status_code == 500 and "Nothing was saved" in response.json()["detail"]


def test_settings_that_would_fall_back_silently_are_errors(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        region = thaw("check", env={**env, "THAW_CRISIS_REGION": "DE"})
        assert region.returncode != 0 and "THAW_CRISIS_REGION" in region.stderr and "UK" in region.stderr
        assert thaw("check", env={**env, "THAW_CRISIS_REGION": "GB"}).returncode == 0
        zone = thaw("check", env={**env, "THAW_DEFAULT_TIMEZONE": "Europe/Londn"})
        assert zone.returncode != 0 and "THAW_DEFAULT_TIMEZONE" in zone.stderr
        if "DATABASE_URL" not in env:  # the SQLite writer lock means nothing on PostgreSQL
            lock = thaw("check", env={**env, "THAW_SQLITE_WRITE_LOCK": "maybe"})
            assert lock.returncode != 0 and "THAW_SQLITE_WRITE_LOCK" in lock.stderr
        workers = thaw("--help", env={**env, "THAW_WORKERS": "lots"})
        assert workers.returncode == 0


def test_a_missing_encryption_key_is_caught_before_serving(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        person_with_note(env, "k@example.org", "kept safe")
        (Path(env["THAW_DATA_DIR"]) / "encryption_key").unlink()
        result = thaw("check", env=env)
        assert result.returncode != 0 and "thaw.E008" in result.stderr and "Never delete the key file" in result.stderr


def test_writes_without_credentials_answer_401_not_a_csrf_403(api_anon: ApiClient) -> None:
    response = api_anon.post("/api/v1/checkins", checkin_body())
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    api_anon.headers["Authorization"] = "Bearer thaw_wrong"
    assert api_anon.post("/api/v1/assessments", {"instrument": "phq9", "answers": [0] * 9}).status_code == 401


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_crafted_cursor_at_the_edge_of_the_calendar_is_refused(api_alice: ApiClient, when: str) -> None:
    import base64

    raw = f"{when}|00000000-0000-4000-8000-000000000000".encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    response = api_alice.get("/api/v1/checkins", cursor=cursor)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "cursor"


def test_patch_null_for_required_fields_is_refused_and_documented(api_alice: ApiClient) -> None:
    created = api_alice.post("/api/v1/checkins", checkin_body()).json()
    for field in ("emotions", "at"):
        response = api_alice.patch(f"/api/v1/checkins/{created['id']}", {field: None})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field
    spec = api_alice.get("/api/v1/openapi.json").json()
    schema = spec["components"]["schemas"]["CheckInUpdate"]["properties"]
    assert "anyOf" not in schema["emotions"] and "anyOf" in schema["note"]
    assert "anyOf" in schema["numbness"], "numbness may be null: not rated"


def test_openapi_declares_the_error_answers(api_anon: ApiClient) -> None:
    spec = api_anon.get("/api/v1/openapi.json").json()
    post = spec["paths"]["/api/v1/checkins"]["post"]["responses"]
    assert {"201", "400", "401", "403", "422", "500"} <= set(post)
    assert "401" not in spec["paths"]["/api/v1/emotions"]["get"]["responses"]
    assert "Error" in spec["components"]["schemas"]
