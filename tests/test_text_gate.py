"""Text from outside passes one gate (thaw.text): a lone surrogate, a control character or text
over a field's limit gets a clear 4xx naming the field, never a 500 and never a half-saved record.

The API half walks the OpenAPI document, so a string field added later without the gate fails
here. The forms half is the role crawl (tests/test_role_crawl.py), which posts junk into every text
box of every form it finds.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.test import Client

from tests.conftest import ApiClient, checkin_body
from thaw.api import api
from thaw.checkins.models import CheckIn
from thaw.circle.models import Grant
from thaw.safety.models import SafetyPlan
from thaw.tasks.models import Job
from thaw.text import TextInvalid, clean_text, shown

CONTROL = "x\x01y"
SURROGATE_JSON = '"x\\ud800y"'  # a JSON escape: what a client really sends


# --- the gate itself ----------------------------------------------------------------------------

def test_the_gate_keeps_what_a_person_writes_and_refuses_what_cannot_be_stored() -> None:
    assert clean_text("Tabs\tand\nlines, emoji 😶‍🌫️, ünïcödé", 100) == "Tabs\tand\nlines, emoji 😶‍🌫️, ünïcödé"
    assert clean_text("windows\r\nline\rends", 100) == "windows\nline\nends", "CR LF from a textarea is a line break"
    assert clean_text("é" * 10, 10) == "é" * 10, "counted in characters, not bytes"
    for bad, words in (("x\ud800y", "broken character"), ("a\x00b", "control character"),
                       ("a\x1bb", "control character"), ("a\x85b", "control character"),
                       ("é" * 11, "11 characters long; the limit is 10")):
        with pytest.raises(TextInvalid) as caught:
            clean_text(bad, 10)
        assert words in caught.value.message


def test_a_value_quoted_in_a_message_is_never_a_python_repr() -> None:
    assert shown("😶\u200d🌫️ fog") == "“😶\u200d🌫️ fog”"
    assert shown("a\x00b\ud800") == "“a\ufffdb\ufffd”"
    assert shown("x" * 100).endswith("…”") and len(shown("x" * 100)) < 50


# --- every string the API accepts goes through it ------------------------------------------------

def _string_paths(schema: dict[str, Any], components: dict[str, Any], path: tuple[Any, ...] = ()) -> list[tuple]:
    """(path, schema) of every string an operation's body accepts; list items as index 0."""
    if "$ref" in schema:
        return _string_paths(components[schema["$ref"].split("/")[-1]], components, path)
    found: list[tuple] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _string_paths(sub, components, path)
    if schema.get("type") == "string":
        found.append((path, schema))
    for name, sub in schema.get("properties", {}).items():
        found += _string_paths(sub, components, (*path, name))
    if schema.get("type") == "array":
        found += _string_paths(schema.get("items", {}), components, (*path, 0))
    return found


def _body_with(path: tuple[Any, ...], raw_value: str) -> str:
    """A JSON body holding ``raw_value`` (already JSON) at ``path``, nothing else."""
    text = raw_value
    for part in reversed(path):
        text = f"[{text}]" if part == 0 else "{" + json.dumps(part) + ": " + text + "}"
    return text


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = api.get_openapi_schema()
    found = []
    for route, item in schema["paths"].items():
        for method, operation in item.items():
            found.append((method, route, operation))
    return found


def _url(route: str, operation: dict[str, Any]) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            value = "1" if parameter["schema"].get("type") == "integer" else str(uuid.uuid4())
            route = route.replace("{" + parameter["name"] + "}", value)
    return route


def _send(client: ApiClient, method: str, url: str, raw: str) -> Any:
    return client.client.generic(method.upper(), url, data=raw.encode(), content_type="application/json",
                                 headers=client.headers)


def test_every_string_in_every_api_body_goes_through_the_gate(alice) -> None:
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    client = ApiClient(alice)
    checked = 0
    for method, route, operation in _operations():
        body = operation.get("requestBody")
        if not body:
            continue
        for path, string in _string_paths(body["content"]["application/json"]["schema"], components):
            field = ".".join(str(p) for p in path)
            where = f"{method.upper()} {route} {field}"
            assert "maxLength" in string or "enum" in string, f"{where}: a string without a stated limit"
            for raw, words in ((json.dumps(CONTROL), "control character"), (SURROGATE_JSON, "broken character")):
                response = _send(client, method, _url(route, operation), _body_with(path, raw))
                assert response.status_code == 422, f"{where}: {response.status_code} {response.content[:300]!r}"
                errors = {e["field"]: e["message"] for e in response.json()["errors"]}
                assert field in errors, f"{where}: the error does not name the field: {errors}"
                assert words in errors[field] or errors[field].startswith("must be one of"), f"{where}: {errors}"
            if "maxLength" in string:
                too_long = json.dumps("é" * (string["maxLength"] + 1))
                response = _send(client, method, _url(route, operation), _body_with(path, too_long))
                errors = {e["field"]: e["message"] for e in response.json()["errors"]}
                assert "characters long" in errors.get(field, ""), f"{where}: over-long text not refused: {errors}"
            checked += 1
    assert checked >= 60, checked  # the walk really found the API's strings
    assert not CheckIn.objects.exists() and not Grant.objects.exists(), "nothing refused was saved"


def test_no_query_parameter_turns_junk_into_a_500(alice) -> None:
    client = ApiClient(alice)
    for method, route, operation in _operations():
        if method != "get":
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            response = client.get(_url(route, operation), **{parameter["name"]: CONTROL})
            assert response.status_code < 500, f"GET {route}?{parameter['name']}: {response.status_code}"
            if response.status_code == 422:
                fields = [e["field"] for e in response.json().get("errors", [])]
                assert parameter["name"] in fields, (route, fields)


# --- the cases that were found ------------------------------------------------------------------

def test_a_lone_surrogate_in_a_note_is_refused_not_a_500(alice) -> None:
    client = ApiClient(alice)
    raw = json.dumps(checkin_body(note="PLACEHOLDER")).replace("PLACEHOLDER", "x\\ud800y")
    response = client.post("/api/v1/checkins", raw=raw)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "note", "message": response.json()["errors"][0]["message"]}]
    assert "broken character" in response.json()["errors"][0]["message"]
    assert not CheckIn.objects.exists()


def test_a_reach_out_that_could_never_be_delivered_is_refused_up_front(alice, bob) -> None:
    from thaw.circle import services as circle

    grant, raw = circle.create_grant(alice, {"name": "Bob", "categories": ["summary"]})
    circle.accept(grant, bob)
    client = ApiClient(alice)
    for message in ("x\\ud800y", "bell\\u0007"):
        raw = json.dumps({"to": [str(grant.id)], "message": "MESSAGE"}).replace("MESSAGE", message)
        response = client.post("/api/v1/reach-out", raw=raw)
        assert response.status_code == 422, response.content
        assert [e["field"] for e in response.json()["errors"]] == ["message"]
    assert not Job.objects.exists(), "nothing was queued to send"
    sent = client.post("/api/v1/reach-out", {"to": [str(grant.id)], "message": "Could you call me tonight? 🙏"})
    assert sent.status_code == 202


def test_a_control_character_in_a_web_form_gets_a_message_and_keeps_the_text(web_alice) -> None:
    typed = "My sister\x07 Ana"
    response = web_alice.post("/safety-plan/", {"people_to_ask": typed, "reasons": "the dog"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "invisible control character" in page
    assert "My sister" in page and "the dog" in page, "what was typed is shown again"
    assert not SafetyPlan.objects.exists()


# --- bodies over the size limit ------------------------------------------------------------------

def test_a_body_over_the_limit_answers_413_in_the_api_error_shape(alice) -> None:
    client = ApiClient(alice)
    note = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = client.post("/api/v1/checkins", checkin_body(note=note))
    assert response.status_code == 413
    body = response.json()
    assert body["errors"][0]["field"] == "body" and "MB" in body["errors"][0]["message"]
    assert "nothing was saved" in body["detail"]
    assert not CheckIn.objects.exists()
    assert 413 in api.get_openapi_schema()["paths"]["/api/v1/checkins"]["post"]["responses"]


def test_a_paste_over_the_size_limit_gets_a_styled_page_not_a_bare_400(web_alice) -> None:
    huge = "a calm day " * 300_000  # about 3 MB, as in the report
    response = web_alice.post("/safety-plan/", {"warning_signs": huge})
    assert response.status_code == 413
    page = response.content.decode()
    assert "Get help now" in page and "nothing was saved" in page and static("thaw/thaw.css") in page
    assert not SafetyPlan.objects.exists()


def test_over_long_text_in_a_form_re_renders_with_a_field_message_and_the_text(web_alice) -> None:
    note = "I wrote a lot today. " * 250  # 5,250 characters; the limit is 5,000
    response = web_alice.post("/checkin/", {"word": ["tired"], "intensity:tired": "4", "numbness": "6", "note": note})
    assert response.status_code == 422
    page = response.content.decode()
    assert "5,250 characters long; the limit is 5,000" in page
    assert note.strip() in page.replace("&#x27;", "'"), "the whole note is shown again, not cut"
    assert 'data-limit="5000"' in page and 'maxlength="5000"' in page
    assert not CheckIn.objects.exists()


def test_django_form_fields_carry_their_limit_and_say_when_it_is_passed(web_alice) -> None:
    page = web_alice.get("/circle/new/").content.decode()
    assert 'maxlength="60"' in page and 'data-limit="60"' in page
    response = web_alice.post("/circle/new/", {"name": "S" * 61, "categories": ["summary"]})
    assert response.status_code in (400, 422)
    assert "61 characters long; the limit is 60" in response.content.decode()
    assert "S" * 61 in response.content.decode()
    assert not Grant.objects.exists()


def test_a_clinician_form_refuses_control_characters_too(db) -> None:
    from allauth.mfa.models import Authenticator

    from tests.conftest import make_user
    from thaw.accounts.models import Role

    admin = make_user("admin@example.org", Role.ADMIN)
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    page = Client()
    page.force_login(admin)
    response = page.post("/clinic/programs/", {"name": "Evening\x1b[31m IOP", "escalate_after_minutes": "30"})
    assert response.status_code == 400
    assert "invisible control character" in response.content.decode()


# --- messages speak to a person ------------------------------------------------------------------

PYTHON_TALK = ("Input should", "Value error", "sys.", "set_int_max_str_digits", "\\u", "Traceback", "Extra inputs",
               "dictionary", "NoneType", "'")
HUMAN_CASES = [  # (method, path, raw body, field, words the message must have)
    ("post", "/api/v1/checkins", json.dumps(checkin_body(tags=["😶\u200d🌫️ fog"])), "tags", "“😶\u200d🌫️ fog”"),
    ("post", "/api/v1/checkins", '{"emotions": [{"word": "sad", "intensity": 3}], "numbness": ' + "9" * 5000 + "}",
     "body", "too many digits"),
    ("post", "/api/v1/checkins", '{"emotions": [{"word": "sad", "intensity": 3}], "numbness": NaN}', "body", "NaN"),
    ("post", "/api/v1/checkins", "[" * 100_000 + "]" * 100_000, "body", "nested too deeply"),
    ("post", "/api/v1/checkins", "[1, 2]", "body", "JSON object"),
    ("post", "/api/v1/checkins", json.dumps(checkin_body(numbness="3")), "numbness", "whole number"),
    ("post", "/api/v1/checkins", json.dumps(checkin_body(mood="low")), "mood", "not a field here"),
    ("post", "/api/v1/checkins", json.dumps(checkin_body(emotions=[{"word": "bl'orp", "intensity": 2}])),
     "emotions.0.word", "“bl"),
    ("put", "/api/v1/substance-use/goals",
     '{"substance": "alcohol", "kind": "weekly_limit", "weekly_limit": 3, "limit_unit": "bottles"}',
     "limit_unit", "standard drinks"),
    ("post", "/api/v1/substance-use", '{"substance": "alcohol", "amount": 2, "unit": "bottle"}', "unit", "“bottle”"),
    ("post", "/api/v1/substance-use", '{"substance": "alcohol", "motives": ["boredom"]}', "motives", "“boredom”"),
    ("post", "/api/v1/grants", '{"name": "Sam", "categories": ["diary"]}', "categories", "“diary”"),
    ("post", "/api/v1/grounding/sessions",
     '{"exercise": "levitate", "started_at": "2026-01-01T10:00:00Z"}', "exercise", "“levitate”"),
    ("get", "/api/v1/sessions?when=tomorrow", "", "when", "upcoming, past or all"),
]


@pytest.mark.parametrize(("method", "path", "raw", "field", "words"), HUMAN_CASES,
                         ids=[f"{c[0]} {c[1]} {c[3]} {c[4][:12]}" for c in HUMAN_CASES])
def test_error_messages_speak_to_a_person(alice, method, path, raw, field, words) -> None:
    response = _send(ApiClient(alice), method, path, raw)
    assert 400 <= response.status_code < 500, response.content[:300]
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert words in errors.get(field, ""), errors
    for message in errors.values():
        for talk in PYTHON_TALK:
            if talk == "'":  # apostrophes in words are fine; a quoted repr like 'fog' is not
                assert not re.search(r"'[^' ]+'", message), message
            else:
                assert talk not in message, message


def test_every_text_box_in_a_template_counts_towards_its_limit() -> None:
    """A box with maxlength but no data-limit is cut at the limit by the browser without a word
    (thaw.js takes maxlength off the boxes it counts). Search boxes are not text a person keeps."""
    import re
    from pathlib import Path

    import thaw

    missing = []
    for template in Path(thaw.__file__).parent.rglob("*.html"):
        for box in re.findall(r"<(?:textarea|input)\b[^>]*>", template.read_text(), flags=re.S):
            if "maxlength" in box and "data-limit" not in box and 'type="search"' not in box:
                missing.append(f"{template.name}: {box[:80]}")
    assert not missing, missing


def test_the_gates_messages_speak_the_readers_language(alice, web_alice) -> None:
    """A Spanish reader's field message is Spanish from its first word, and so is the API's answer
    to a body larger than Thaw accepts."""
    response = web_alice.post("/circle/new/", {"name": "S" * 61, "categories": ["summary"]}, HTTP_ACCEPT_LANGUAGE="es")
    page = response.content.decode()
    assert "Este campo tiene 61 caracteres" in page and "This " not in page.split("Este campo")[0][-20:]
    note = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    spanish = ApiClient(alice)
    spanish.headers["Accept-Language"] = "es"
    body = spanish.post("/api/v1/checkins", checkin_body(note=note)).json()
    assert body["errors"][0]["message"].startswith("es más grande de lo que Thaw acepta (2,6 MB como máximo)")
