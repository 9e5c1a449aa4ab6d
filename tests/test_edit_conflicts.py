"""Two tabs, one record: the second save does not silently overwrite the first.

Edits carry the version they started from (a hidden field in a form, ``If-Match`` in the
API); a stale save gets a conflict that shows both versions: the page answers 409 with the
saved version beside the person's own (kept in the form), the API answers 409 with
``current`` and ``yours``.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import ApiClient, checkin_body
from thaw.checkins.services import create_checkin
from thaw.core.versions import EditConflict
from thaw.safety.models import SafetyPlan

pytestmark = pytest.mark.django_db


def version_in(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)  # type: ignore[union-attr]


def edit_form(checkin, version: str, note: str) -> dict[str, object]:
    return {"word": ["lonely", "tired"], "intensity:lonely": "6", "intensity:tired": "4", "numbness": "7",
            "body": ["chest/tight"], "tag": ["work"], "note": note, "at": "", "version": version}


def test_two_tabs_editing_one_checkin_the_second_save_is_a_conflict_showing_both(web_alice: Client, alice) -> None:
    checkin = create_checkin(alice, checkin_body())
    url = f"/checkins/{checkin.id}/"
    tab_one = version_in(web_alice.get(url).content.decode())
    tab_two = version_in(web_alice.get(url).content.decode())
    assert web_alice.post(url, edit_form(checkin, tab_one, "Written in the first tab.")).status_code == 302

    stale = web_alice.post(url, edit_form(checkin, tab_two, "Written in the second tab."))
    page = stale.content.decode()
    assert stale.status_code == 409
    assert "changed somewhere else" in page and "Nothing was saved yet" in page
    assert "Written in the first tab." in page, "the saved version is shown"
    assert page.count("Written in the second tab.") >= 2, "yours is shown beside it and kept in the form"
    checkin.refresh_from_db()
    assert checkin.note == "Written in the first tab."

    # Saving the kept form again is a deliberate choice, based on the version now saved.
    again = web_alice.post(url, edit_form(checkin, version_in(page), "Written in the second tab."))
    assert again.status_code == 302
    checkin.refresh_from_db()
    assert checkin.note == "Written in the second tab." and checkin.version == 3


def test_an_error_page_keeps_the_version_the_edit_started_from(web_alice: Client, alice) -> None:
    checkin = create_checkin(alice, checkin_body())
    url = f"/checkins/{checkin.id}/"
    started = version_in(web_alice.get(url).content.decode())
    refused = web_alice.post(url, {**edit_form(checkin, started, "x"), "numbness": "eleven"})
    assert refused.status_code == 422 and version_in(refused.content.decode()) == started
    web_alice.post(url, edit_form(checkin, started, "From the other tab."))  # another tab saves meanwhile
    assert web_alice.post(url, edit_form(checkin, started, "Mine.")).status_code == 409


def test_api_get_gives_an_etag_and_a_stale_if_match_gets_409_with_both(api_alice: ApiClient, alice) -> None:
    checkin = create_checkin(alice, checkin_body(note="The original."))
    url = f"/api/v1/checkins/{checkin.id}"
    got = api_alice.get(url)
    etag = got["ETag"]
    assert etag == '"1"'
    api_alice.headers["If-Match"] = etag
    first = api_alice.patch(url, {"note": "First change."})
    assert first.status_code == 200 and first["ETag"] == '"2"'
    stale = api_alice.patch(url, {"note": "Second change.", "numbness": 2})
    body = stale.json()
    assert stale.status_code == 409 and stale["ETag"] == '"2"'
    assert body["current"]["note"] == "First change." and body["current"]["numbness"] == 7
    assert body["yours"] == {"note": "Second change.", "numbness": 2}
    assert "If-Match" in body["detail"]
    assert api_alice.get(url).json()["note"] == "First change."
    api_alice.headers["If-Match"] = stale["ETag"]
    assert api_alice.patch(url, {"note": "Second change."}).status_code == 200


@pytest.mark.parametrize("header", [None, "*", 'W/"1"', '"7", "1"'])
def test_if_match_is_optional_and_takes_the_usual_forms(api_alice: ApiClient, alice, header) -> None:
    checkin = create_checkin(alice, checkin_body())
    if header is not None:
        api_alice.headers["If-Match"] = header
    assert api_alice.patch(f"/api/v1/checkins/{checkin.id}", {"note": "ok"}).status_code == 200


def test_a_malformed_if_match_is_a_conflict_not_an_overwrite(api_alice: ApiClient, alice) -> None:
    checkin = create_checkin(alice, checkin_body(note="Keep me."))
    api_alice.headers["If-Match"] = "yesterday"
    assert api_alice.patch(f"/api/v1/checkins/{checkin.id}", {"note": "no"}).status_code == 409
    checkin.refresh_from_db()
    assert checkin.note == "Keep me."


def test_two_saves_from_one_version_exactly_one_wins(alice) -> None:
    from thaw.checkins.services import update_checkin

    checkin = create_checkin(alice, checkin_body())
    stale_copy = type(checkin).objects.get(pk=checkin.pk)
    update_checkin(checkin, {"note": "one"}, expected_version=1)
    with pytest.raises(EditConflict) as raised:
        update_checkin(stale_copy, {"note": "two"}, expected_version=1)
    assert raised.value.current.note == "one"


def test_someone_elses_checkin_stays_a_404_whatever_the_version(api_bob: ApiClient, alice) -> None:
    checkin = create_checkin(alice, checkin_body())
    api_bob.headers["If-Match"] = '"1"'
    assert api_bob.patch(f"/api/v1/checkins/{checkin.id}", {"note": "x"}).status_code == 404
    assert "ETag" not in api_bob.get(f"/api/v1/checkins/{checkin.id}")


def test_two_tabs_editing_the_safety_plan(web_alice: Client, alice) -> None:
    tab_one = version_in(web_alice.get("/safety-plan/").content.decode())
    tab_two = version_in(web_alice.get("/safety-plan/").content.decode())
    assert tab_one == tab_two == "0", "no plan yet"
    assert web_alice.post("/safety-plan/", {"reasons": "My sister.", "version": tab_one}).status_code == 302
    stale = web_alice.post("/safety-plan/", {"reasons": "My dog.", "coping_steps": "A walk.", "version": tab_two})
    page = stale.content.decode()
    assert stale.status_code == 409 and "My sister." in page and "My dog." in page and "A walk." in page
    assert SafetyPlan.objects.get(person=alice).reasons == "My sister."
    again = web_alice.post("/safety-plan/", {"reasons": "My dog.", "coping_steps": "A walk.", "version": version_in(page)})
    assert again.status_code == 302 and SafetyPlan.objects.get(person=alice).reasons == "My dog."


def test_safety_plan_api_etag_and_if_match(api_alice: ApiClient) -> None:
    empty = api_alice.get("/api/v1/safety-plan")
    assert empty["ETag"] == '"0"'
    api_alice.headers["If-Match"] = empty["ETag"]
    made = api_alice.put("/api/v1/safety-plan", {"reasons": "My sister."})
    assert made.status_code == 200 and made["ETag"] == '"1"'
    stale = api_alice.put("/api/v1/safety-plan", {"reasons": "My dog."})
    assert stale.status_code == 409
    assert stale.json()["current"]["reasons"] == "My sister." and stale.json()["yours"]["reasons"] == "My dog."
    api_alice.headers.pop("If-Match")
    assert api_alice.put("/api/v1/safety-plan", {"reasons": "My dog."}).status_code == 200, "no If-Match: as before"


def test_two_tabs_editing_one_substance_entry(web_alice: Client, api_alice: ApiClient, alice) -> None:
    from thaw.substances.services import create_use

    use = create_use(alice, {"substance": "alcohol", "amount": 330, "unit": "ml", "abv": 5, "note": "Saved first."})
    url = f"/substances/uses/{use.id}/"
    page = web_alice.get(url).content.decode()
    started = version_in(page)
    at = re.search(r'name="at" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
    form = {"substance": "alcohol", "amount": "330", "unit": "ml", "abv": "5", "at": at, "at_original": at,
            "craving_skip": "1", "version": started}
    assert web_alice.post(url, {**form, "note": "From the first tab."}).status_code == 302
    stale = web_alice.post(url, {**form, "note": "From the second tab."})
    assert stale.status_code == 409
    assert "From the first tab." in stale.content.decode() and "From the second tab." in stale.content.decode()
    use.refresh_from_db()
    assert use.note == "From the first tab."

    api_alice.headers["If-Match"] = '"1"'
    conflict = api_alice.patch(f"/api/v1/substance-use/{use.id}", {"note": "From a script."})
    assert conflict.status_code == 409 and conflict.json()["current"]["note"] == "From the first tab."
    api_alice.headers["If-Match"] = api_alice.get(f"/api/v1/substance-use/{use.id}")["ETag"]
    assert api_alice.patch(f"/api/v1/substance-use/{use.id}", {"note": "From a script."}).status_code == 200
