"""What a person entered survives a sign-in in between (thaw/accounts/resume.py), at the HTTP level.

The browser half (the fields going back into the form) is tested in tests/e2e/test_resume_browser.py.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client

from tests.conftest import PASSWORD
from thaw.accounts.resume import COOKIE
from thaw.checkins.models import CheckIn

pytestmark = pytest.mark.django_db

NOTE = "Typed before the session ended; please keep me."
FORM = {"word": ["lonely", "tired"], "intensity:lonely": "8", "intensity:tired": "3", "numbness": "6",
        "note": NOTE, "tag": ["work"], "start": "words", "at": ""}


def browser_of(user) -> Client:
    """A browser where ``user`` signed in and opened a page (so it carries their mark)."""
    client = Client()
    client.force_login(user)
    assert client.get("/checkin/").status_code == 200
    assert COOKIE in client.cookies
    return client


def end_sessions() -> None:
    """The session expires on the server; the browser keeps its cookies, as a real one does."""
    Session.objects.all().delete()


def kept_fields(page: str) -> dict[str, list[str]]:
    raw = page.split('<script id="thaw-resume" type="application/json">')[1].split("</script>")[0]
    fields: dict[str, list[str]] = {}
    for name, value in json.loads(raw)["fields"]:
        fields.setdefault(name, []).append(value)
    return fields


def sign_in(client: Client, email: str, login_url: str) -> str:
    nxt = parse_qs(urlsplit(login_url).query)["next"][0]
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD, "next": nxt})
    assert response.status_code == 302
    return response["Location"]


def test_a_form_sent_after_the_session_ended_is_back_after_signing_in(alice) -> None:
    browser = browser_of(alice)
    end_sessions()
    sent = browser.post("/checkin/", FORM, HTTP_REFERER="http://testserver/checkin/?start=words")
    assert sent.status_code == 302 and sent["Location"].startswith("/accounts/login/")
    assert CheckIn.objects.count() == 0, "nothing is saved without the person"
    login_page = browser.get(sent["Location"]).content.decode()
    assert "not saved yet" in login_page and "back on the page" in login_page
    back_to = sign_in(browser, "alice@example.org", sent["Location"])
    assert back_to.startswith("/checkin/?") and "start=words" in back_to and "resume=" in back_to
    page = browser.get(back_to).content.decode()
    assert "You were signed out before this was saved" in page
    fields = kept_fields(page)
    assert fields["note"] == [NOTE] and fields["word"] == ["lonely", "tired"] and fields["intensity:lonely"] == ["8"]
    assert "csrfmiddlewaretoken" not in fields
    assert CheckIn.objects.count() == 0, "shown again, not saved behind the person's back"
    # Saving it (as the person does after checking) uses up the kept copy.
    assert browser.post("/checkin/", FORM).status_code == 302
    assert "thaw-resume" not in browser.get(back_to).content.decode()


def test_what_was_entered_is_sealed_at_rest(alice) -> None:
    browser = browser_of(alice)
    end_sessions()
    browser.post("/checkin/", FORM)
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_data FROM django_session")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert stored and "please keep me" not in stored
    assert all("please keep me" not in s.get_decoded().get("thaw.vault:resume", "") for s in Session.objects.all())


def test_a_different_person_signing_in_on_the_same_browser_never_gets_it(alice, bob) -> None:
    browser = browser_of(alice)
    end_sessions()
    sent = browser.post("/checkin/", FORM)
    back_to = sign_in(browser, "bob@example.org", sent["Location"])
    page = browser.get(back_to).content.decode()
    assert NOTE not in page and "thaw-resume" not in page
    assert all(NOTE not in str(s.get_decoded()) for s in Session.objects.all())
    # Bob signs out; Alice signs in on the same browser later: it was dropped, not kept for her either way.
    browser.post("/accounts/logout/")
    assert NOTE not in browser.get(back_to).content.decode()


def test_nothing_is_kept_after_signing_out_on_purpose(alice) -> None:
    browser = browser_of(alice)
    out = browser.post("/accounts/logout/")
    assert out.status_code == 302 and browser.cookies[COOKIE].value == "", "the browser forgets whose it was"
    sent = browser.post("/checkin/", FORM)
    assert sent.status_code == 302 and "resume" not in sent["Location"]
    page = browser.get(sent["Location"]).content.decode()
    assert "that was not saved" in page
    assert all("thaw.vault:resume" not in s.get_decoded() for s in Session.objects.all())


def test_a_one_tap_checkin_after_the_session_ended_takes_the_whole_page_to_sign_in(alice) -> None:
    browser = browser_of(alice)
    end_sessions()
    tapped = browser.post("/checkin/quick", {"choice": "heavy"},
                          headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/"})
    assert tapped.status_code == 200 and tapped.content == b"", "no sign-in page swapped into the home card"
    location = tapped["HX-Redirect"]
    assert location.startswith("/accounts/login/")
    back_to = sign_in(browser, "alice@example.org", location)
    assert back_to.startswith("/?resume=")
    page = browser.get(back_to).content.decode()
    assert kept_fields(page) == {"choice": ["heavy"]} and "How is it right now?" in page
    assert CheckIn.objects.count() == 0


def test_any_htmx_request_sent_to_sign_in_moves_the_whole_page(client: Client) -> None:
    response = client.post("/checkin/quick", {"choice": "okay"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Redirect"].startswith("/accounts/login/")


def test_an_idle_sign_out_keeps_the_form_too(carol, settings) -> None:
    Authenticator.objects.create(user=carol, type=Authenticator.Type.TOTP, data={"secret": "x"})
    browser = browser_of(carol)
    session = browser.session
    session["thaw_last_seen"] = time.time() - settings.THAW_IDLE_TIMEOUT_CLINICIAN - 5
    session.save()
    sent = browser.post("/safety-plan/", {"reasons": "Written before the idle sign-out.", "version": "0"})
    assert sent.status_code == 302 and "resume%3D" in sent["Location"]
    assert browser.cookies[COOKIE].value, "an idle sign-out is not a sign-out on purpose"


def test_someone_elses_resume_id_shows_nothing(alice, bob) -> None:
    browser = browser_of(alice)
    end_sessions()
    sent = browser.post("/checkin/", FORM)
    stash_id = parse_qs(urlsplit(parse_qs(urlsplit(sent["Location"]).query)["next"][0]).query)["resume"][0]
    other = browser_of(bob)
    assert "thaw-resume" not in other.get(f"/checkin/?resume={stash_id}").content.decode()


def test_a_sentence_for_finding_words_is_kept_only_when_the_person_chose_to_keep_it(alice) -> None:
    """The sentence is never stored unless "Keep this sentence with my check-in" is ticked: not even
    sealed in the session while the person signs in again."""
    sentence = "I sat in the car after work and could not feel anything"
    for keep, expected in (("", None), ("1", [sentence])):
        browser = browser_of(alice)
        end_sessions()
        sent = browser.post("/checkin/", {**FORM, "sentence": sentence, "keep_sentence": keep})
        fields = kept_fields(browser.get(sign_in(browser, "alice@example.org", sent["Location"])).content.decode())
        assert fields.get("sentence") == expected
        assert fields["note"] == [NOTE]


def test_the_sign_in_messages_speak_the_readers_language(alice) -> None:
    browser = browser_of(alice)
    end_sessions()
    sent = browser.post("/checkin/", FORM, HTTP_ACCEPT_LANGUAGE="es")
    page = browser.get(sent["Location"], HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Se cerró tu sesión" in page and "You were signed out" not in page
