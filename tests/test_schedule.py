"""Sessions and calendar feeds: scheduling, enrolment, attendance, who sees what (and nobody
else), the iCalendar feed (parses, right events and times, no health data, revocable), and
``last_session_end``."""

from __future__ import annotations

from datetime import UTC, timedelta
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from tests.conftest import ApiClient, make_user
from thaw.accounts.models import Role
from thaw.audit.models import AuditEvent
from thaw.circle import services as circle
from thaw.clinic import services as clinic
from thaw.clinic.models import Membership, Program
from thaw.safety.models import FlagKind, RiskFlag
from thaw.schedule import services
from thaw.schedule.models import Attendee, CalendarFeed, Session

pytestmark = pytest.mark.django_db

LINK = "https://meet.example.org/tuesday-group"


def two_factor(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    return user


def clinician(email: str):
    return two_factor(make_user(email, Role.CLINICIAN))


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clinic_setup(db, carol, alice):
    two_factor(carol)
    program = Program.objects.create(name="Virtual IOP")
    Membership.objects.create(program=program, clinician=carol)
    other = Program.objects.create(name="Other program")
    erin = clinician("erin@clinic.example")
    Membership.objects.create(program=other, clinician=erin)
    grant = enrol(alice, program, carol)
    return {"program": program, "other": other, "erin": erin, "grant": grant}


def enrol(person, program, by):
    invite, _ = clinic.invite_person(program, by)
    return clinic.enrol(invite, person, ["assessments", "flags"])


def make_session(program, by, *, start=None, hours=1, title="Tuesday skills group", **extra) -> Session:
    start = start or timezone.now() + timedelta(days=2)
    return services.schedule(by, {"program": program.pk, "title": title, "starts_at": start,
                                  "ends_at": start + timedelta(hours=hours), "video_link": LINK, **extra})


def session_body(program, **overrides):
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    body = {"program": program.pk, "kind": "group", "title": "Skills group", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(minutes=90)).isoformat(), "video_link": LINK}
    body.update(overrides)
    return body


def fields(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


# --- scheduling, enrolment, attendance -----------------------------------------------------------

def test_a_clinician_schedules_enrols_and_marks_attendance_on_the_pages(clinic_setup, carol, alice) -> None:
    page = web(carol)
    start = timezone.now().astimezone(carol.tzinfo) + timedelta(days=1)
    response = page.post("/clinic/sessions/", {
        "program": clinic_setup["program"].pk, "kind": "group", "title": "Skills group",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "video_link": LINK, "note": "Bring the worksheet",
    })
    session = Session.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/clinic/sessions/{session.pk}/"
    assert session.note == "Bring the worksheet" and session.created_by == carol
    detail = page.get(f"/clinic/sessions/{session.pk}/")
    assert b"alice@example.org" in detail.content, "alice is offered: she is enrolled in the program"
    assert page.post(f"/clinic/sessions/{session.pk}/", {"person": alice.pk}).status_code == 302
    assert Attendee.objects.get(session=session).person == alice
    # Not started yet: attendance waits.
    response = page.post(f"/clinic/sessions/{session.pk}/attendance", {"person": alice.pk, "attended": "1"})
    assert response.status_code == 400 and b"once the session has started" in response.content
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(hours=1),
                                                 ends_at=timezone.now())
    assert page.post(f"/clinic/sessions/{session.pk}/attendance",
                     {"person": alice.pk, "attended": "0"}).status_code == 302
    assert Attendee.objects.get(session=session).attended is False
    assert AuditEvent.objects.filter(action="session.attendance", person=alice).exists()
    assert page.post(f"/clinic/sessions/{session.pk}/remove", {"person": alice.pk}).status_code == 302
    assert not Attendee.objects.exists()
    assert page.post(f"/clinic/sessions/{session.pk}/cancel").status_code == 302
    session.refresh_from_db()
    assert session.cancelled_at is not None


def test_only_people_enrolled_in_the_program_can_be_added(clinic_setup, carol, alice, bob) -> None:
    session = make_session(clinic_setup["program"], carol)
    assert [pk for pk, _ in services.enrollable(session)] == [alice.pk]
    with pytest.raises(services.FieldErrors) as caught:
        services.enrol(session, carol, bob.pk)
    assert "person" in caught.value.errors
    response = web(carol).post(f"/clinic/sessions/{session.pk}/", {"person": bob.pk})
    assert response.status_code == 400 and not Attendee.objects.exists()
    services.enrol(session, carol, alice.pk)
    with pytest.raises(services.FieldErrors):
        services.enrol(session, carol, alice.pk)


def test_an_individual_session_is_for_one_person(clinic_setup, carol, alice, bob) -> None:
    enrol(bob, clinic_setup["program"], carol)
    session = make_session(clinic_setup["program"], carol, kind="individual")
    services.enrol(session, carol, alice.pk)
    with pytest.raises(services.FieldErrors) as caught:
        services.enrol(session, carol, bob.pk)
    assert "one person" in caught.value.errors["person"]


def test_the_database_refuses_a_session_that_ends_before_it_starts(clinic_setup, carol) -> None:
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(program=clinic_setup["program"], title="x", starts_at=now, ends_at=now,
                               video_link=LINK)


def test_a_bad_form_keeps_what_was_typed(clinic_setup, carol) -> None:
    start = timezone.now().astimezone(carol.tzinfo) + timedelta(days=1)
    response = web(carol).post("/clinic/sessions/", {
        "program": clinic_setup["program"].pk, "kind": "group", "title": "Typed title",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "video_link": "http://meet.example.org/plain", "note": "typed note",
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Typed title"' in html and 'value="http://meet.example.org/plain"' in html
    assert "typed note" in html
    assert "must be after the start" in html and "must be an https:// link" in html
    assert not Session.objects.exists()


def test_a_program_not_theirs_is_refused_on_the_page(clinic_setup, carol) -> None:
    start = timezone.now() + timedelta(days=1)
    response = web(carol).post("/clinic/sessions/", {
        "program": clinic_setup["other"].pk, "kind": "group", "title": "Sneaky",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "video_link": LINK,
    })
    assert response.status_code == 400 and not Session.objects.exists()


# --- the API --------------------------------------------------------------------------------------

def test_the_api_schedules_lists_and_marks_attendance(clinic_setup, carol, alice) -> None:
    api = ApiClient(carol)
    response = api.post("/api/v1/clinic/sessions", session_body(clinic_setup["program"], note="care team only"))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["title"] == "Skills group" and created["enrolled"] == 0 and created["note"] == "care team only"
    session_id = created["id"]
    response = api.post(f"/api/v1/clinic/sessions/{session_id}/attendees", {"person": alice.pk})
    assert response.status_code == 201 and response.json() == {"person": alice.pk, "name": "alice@example.org",
                                                               "attended": None}
    detail = api.get(f"/api/v1/clinic/sessions/{session_id}").json()
    assert detail["attendees"] == [{"person": alice.pk, "name": "alice@example.org", "attended": None}]
    assert [s["id"] for s in api.get("/api/v1/sessions").json()] == [session_id]

    mine = ApiClient(alice).get("/api/v1/sessions").json()
    assert [s["id"] for s in mine] == [session_id]
    assert mine[0]["video_link"] == LINK
    assert mine[0]["attendees"] is None and mine[0]["note"] is None and mine[0]["enrolled"] is None

    mark = {"person": alice.pk, "attended": True}
    assert api.post(f"/api/v1/clinic/sessions/{session_id}/attendance", mark).status_code == 422, "not started"
    Session.objects.filter(pk=session_id).update(starts_at=timezone.now() - timedelta(hours=2),
                                                 ends_at=timezone.now() - timedelta(hours=1))
    response = api.post(f"/api/v1/clinic/sessions/{session_id}/attendance", mark)
    assert response.status_code == 200 and response.json()["attended"] is True
    assert ApiClient(alice).get("/api/v1/sessions", when="past").json()[0]["attended"] is True
    assert ApiClient(alice).get("/api/v1/sessions", when="upcoming").json() == []


def test_the_api_answers_422_per_field(clinic_setup, carol) -> None:
    api = ApiClient(carol)
    program = clinic_setup["program"]
    start = timezone.now() + timedelta(days=1)
    response = api.post("/api/v1/clinic/sessions", session_body(
        program, starts_at=start.isoformat(), ends_at=(start - timedelta(minutes=5)).isoformat(),
        video_link="http://meet.example.org/x"))
    assert response.status_code == 422
    assert set(fields(response)) == {"ends_at", "video_link"}
    response = api.post("/api/v1/clinic/sessions", session_body(clinic_setup["other"]))
    assert response.status_code == 422 and set(fields(response)) == {"program"}
    response = api.post("/api/v1/clinic/sessions", session_body(program, colour="blue"))
    assert response.status_code == 422 and "colour" in fields(response)
    response = api.post("/api/v1/clinic/sessions", session_body(program, starts_at="next tuesday", title=""))
    assert response.status_code == 422 and set(fields(response)) == {"starts_at", "title"}
    response = api.post("/api/v1/clinic/sessions", session_body(program, video_link="javascript:alert(1)"))
    assert response.status_code == 422 and set(fields(response)) == {"video_link"}
    assert not Session.objects.exists()


def test_attendance_for_someone_not_in_the_session_is_404(clinic_setup, carol, alice, bob) -> None:
    session = make_session(clinic_setup["program"], carol, start=timezone.now() - timedelta(hours=2))
    response = ApiClient(carol).post(f"/api/v1/clinic/sessions/{session.pk}/attendance",
                                     {"person": alice.pk, "attended": True})
    assert response.status_code == 404, "alice is in the program but not in this session"
    assert ApiClient(carol).post("/api/v1/clinic/sessions/999999/attendance",
                                 {"person": alice.pk, "attended": True}).status_code == 404


# --- nobody else sees anything ---------------------------------------------------------------------

def test_outsiders_see_nothing(clinic_setup, carol, alice, bob, admin) -> None:
    session = make_session(clinic_setup["program"], carol, start=timezone.now() - timedelta(hours=2))
    services.enrol(session, carol, alice.pk)
    two_factor(admin)
    erin = clinic_setup["erin"]
    for outsider in (erin, bob, admin):
        page = web(outsider)
        for url in (f"/clinic/sessions/{session.pk}/",):
            assert page.get(url).status_code == 404, (outsider, url)
        for url in ("remove", "attendance", "cancel"):
            assert page.post(f"/clinic/sessions/{session.pk}/{url}",
                             {"person": alice.pk, "attended": "1"}).status_code == 404
        assert page.post(f"/clinic/sessions/{session.pk}/", {"person": alice.pk}).status_code == 404
        assert LINK.encode() not in page.get("/sessions/").content
        api = ApiClient(outsider)
        assert api.get("/api/v1/sessions").json() == []
        assert api.get(f"/api/v1/clinic/sessions/{session.pk}").status_code == 404
        assert api.post(f"/api/v1/clinic/sessions/{session.pk}/attendance",
                        {"person": alice.pk, "attended": True}).status_code == 404
        assert api.post(f"/api/v1/clinic/sessions/{session.pk}/attendees", {"person": alice.pk}).status_code == 404
        assert api.post(f"/api/v1/clinic/sessions/{session.pk}/cancel").status_code == 404
        assert api.delete(f"/api/v1/clinic/sessions/{session.pk}/attendees/{alice.pk}").status_code == 404
        assert services.last_session_end(outsider, timezone.now()) is None
        feed_text = Calendar.from_ical(services.ical_for(outsider))
        assert feed_text.walk("VEVENT") == []
    assert web(erin).get("/clinic/sessions/").status_code == 200
    assert LINK.encode() not in web(erin).get("/clinic/sessions/").content
    for not_clinician in (bob, admin):
        assert web(not_clinician).get("/clinic/sessions/").status_code == 404
        assert ApiClient(not_clinician).post("/api/v1/clinic/sessions",
                                             session_body(clinic_setup["program"])).status_code == 403
    assert ApiClient(None).get("/api/v1/sessions").status_code == 401
    assert Attendee.objects.get().attended is None and Session.objects.get().cancelled_at is None


def test_a_person_sees_only_their_sessions_and_leaving_the_program_takes_upcoming_ones(
        clinic_setup, carol, alice, bob) -> None:
    enrol(bob, clinic_setup["program"], carol)
    theirs = make_session(clinic_setup["program"], carol, title="Alice's")
    services.enrol(theirs, carol, alice.pk)
    past = make_session(clinic_setup["program"], carol, title="Earlier", start=timezone.now() - timedelta(days=3))
    services.enrol(past, carol, alice.pk)
    make_session(clinic_setup["program"], carol, title="Someone else's")
    page = web(alice).get("/sessions/").content.decode()
    assert "Alice&#x27;s" in page and "Earlier" in page and "Someone else" not in page
    assert ApiClient(bob).get("/api/v1/sessions").json() == []
    circle.set_paused(alice, True)
    assert len(ApiClient(alice).get("/api/v1/sessions").json()) == 2, "pausing sharing does not hide her own sessions"
    circle.set_paused(alice, False)
    circle.revoke(clinic_setup["grant"])
    assert [s["title"] for s in ApiClient(alice).get("/api/v1/sessions").json()] == ["Earlier"]


# --- calendar feeds --------------------------------------------------------------------------------

def feed_for(user) -> tuple[Client, str]:
    page = web(user)
    response = page.post("/calendar/", {"action": "create"})
    assert response.status_code == 302, "post, redirect, get: a reload makes no second link"
    url = page.get(response["Location"]).context["new_url"]
    assert url and page.get("/calendar/").context["new_url"] == "", "the link is shown once"
    return page, urlsplit(url).path


def test_the_feed_parses_and_has_the_right_events(clinic_setup, carol, alice) -> None:
    start = (timezone.now() + timedelta(days=60)).astimezone(UTC).replace(hour=17, minute=0, second=0, microsecond=0)
    session = make_session(clinic_setup["program"], carol, start=start, hours=1.5, title="Skills group")
    services.enrol(session, carol, alice.pk)
    cancelled = make_session(clinic_setup["program"], carol, start=start + timedelta(days=7), title="Called off")
    services.enrol(cancelled, carol, alice.pk)
    services.cancel(cancelled, carol)
    old = make_session(clinic_setup["program"], carol, start=timezone.now() - timedelta(days=40), title="Long ago")
    services.enrol(old, carol, alice.pk)

    _, path = feed_for(alice)
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Skills group", "Called off"}, "the last 30 days and upcoming only"
    event = events["Skills group"]
    assert event.decoded("DTSTART") == start and event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == start + timedelta(hours=1.5)
    assert str(event["URL"]) == LINK and str(event["LOCATION"]) == LINK
    assert str(event["UID"]) == f"thaw-session-{session.pk}@{settings.SITE_HOST}"
    assert str(event["STATUS"]) == "CONFIRMED" and str(events["Called off"]["STATUS"]) == "CANCELLED"
    # The UID stays the same from one fetch to the next, so calendars update rather than duplicate.
    again = Calendar.from_ical(Client().get(path).content)
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == {str(e["UID"]) for e in events.values()}


def test_the_clinicians_feed_has_their_programs_sessions_and_only_counts(clinic_setup, carol, alice) -> None:
    session = make_session(clinic_setup["program"], carol, note="alice struggled last week")
    services.enrol(session, carol, alice.pk)
    make_session(clinic_setup["other"], clinic_setup["erin"], title="Other program's")
    body = services.ical_for(carol)
    events = Calendar.from_ical(body).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Tuesday skills group"]
    assert "People enrolled: 1" in str(events[0]["DESCRIPTION"])
    assert b"alice" not in body.lower() and b"struggled" not in body


def test_the_feed_has_no_health_data(clinic_setup, carol, alice) -> None:
    session = make_session(clinic_setup["program"], carol, start=timezone.now() - timedelta(days=1),
                           note="private care team note")
    services.enrol(session, carol, alice.pk)
    services.mark(session, carol, alice.pk, False)
    RiskFlag.objects.create(person=alice, kind=FlagKind.CRISIS_LANGUAGE, source="checkin", reason="crisis words")
    for user in (alice, carol):
        body = services.ical_for(user).decode().lower()
        for secret in ("private care team note", "crisis", "flag", "score", "missed", "attended", "alice",
                       "virtual iop"):
            assert secret not in body, (user, secret)


def test_a_revoked_feed_404s_and_a_new_one_works(clinic_setup, carol, alice) -> None:
    page, first = feed_for(alice)
    assert Client().get(first).status_code == 200
    assert Client().head(first).status_code == 200, "some calendar apps ask with HEAD first"
    _, second = feed_for(alice)
    assert Client().get(first).status_code == 404, "a new link replaces the old one"
    assert Client().get(second).status_code == 200
    assert CalendarFeed.objects.filter(user=alice, revoked_at__isnull=True).count() == 1
    assert page.post("/calendar/", {"action": "revoke"}).status_code == 302
    assert Client().get(second).status_code == 404
    assert Client().get("/calendar/not-a-real-secret.ics").status_code == 404
    _, third = feed_for(alice)
    assert Client().get(third).status_code == 200
    alice.is_active = False
    alice.save()
    assert Client().get(third).status_code == 404, "a deactivated account's feed stops"


def test_only_the_hash_of_the_feed_secret_is_stored(alice) -> None:
    feed, raw = services.create_feed(alice)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM schedule_calendarfeed")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert raw not in stored and feed.token_hash in stored, "the secret itself is in no column"
    assert services.feed_owner(raw) == alice
    page = web(alice).get("/calendar/").content.decode()
    assert raw not in page, "the secret is shown once, when it is made"


def test_the_database_keeps_one_active_feed_per_user(alice) -> None:
    services.create_feed(alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarFeed.objects.create(user=alice, token_hash="0" * 64)


# --- last_session_end -------------------------------------------------------------------------------

def test_last_session_end_picks_the_latest_finished_uncancelled_session(clinic_setup, carol, alice) -> None:
    now = timezone.now()
    program = clinic_setup["program"]
    assert services.last_session_end(alice, now) is None
    older = make_session(program, carol, start=now - timedelta(days=7))
    latest = make_session(program, carol, start=now - timedelta(days=2))
    cancelled = make_session(program, carol, start=now - timedelta(days=1))
    running = make_session(program, carol, start=now - timedelta(minutes=30))
    future = make_session(program, carol, start=now + timedelta(days=1))
    not_hers = make_session(program, carol, start=now - timedelta(hours=5))
    for session in (older, latest, cancelled, running, future):
        services.enrol(session, carol, alice.pk)
    services.cancel(cancelled, carol)
    assert not_hers.ends_at > latest.ends_at
    assert services.last_session_end(alice, now) == latest.ends_at
    assert services.last_session_end(alice, latest.ends_at) == older.ends_at, "strictly before now"


def test_the_care_team_note_is_encrypted_at_rest(clinic_setup, carol) -> None:
    from django.db import connection

    session = make_session(clinic_setup["program"], carol, note="plaintext must not be stored")
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM schedule_session WHERE id = %s", [session.pk])
        stored = cursor.fetchone()[0]
    assert "plaintext" not in stored
    assert Session.objects.get(pk=session.pk).note == "plaintext must not be stored"


def test_last_session_end_is_limited_to_the_programs_asked_about_and_skips_missed_ones(alice, carol) -> None:
    from thaw.clinic.models import Program
    from thaw.schedule.models import Attendee, Session

    now = timezone.now()
    mine, theirs = Program.objects.create(name="Mine"), Program.objects.create(name="Theirs")

    def session(program, hours_ago, attended=None):
        ends = now - timedelta(hours=hours_ago)
        made = Session.objects.create(program=program, title="t", starts_at=ends - timedelta(hours=1), ends_at=ends,
                                      video_link="https://video.example/x")
        Attendee.objects.create(session=made, person=alice, attended=attended)
        return made

    in_mine = session(mine, 30)
    session(theirs, 5)
    session(mine, 2, attended=False)
    assert services.last_session_end(alice, now, [mine.pk]) == in_mine.ends_at
    assert services.last_session_end(alice, now) == now - timedelta(hours=5)


def test_someone_who_left_cannot_be_named_or_marked_and_odd_input_is_refused(clinic_setup, carol, alice) -> None:
    from thaw.circle.models import Grant

    session = make_session(clinic_setup["program"], carol, start=timezone.now() - timedelta(hours=2))
    services.enrol(session, carol, alice.pk)
    api = ApiClient(carol)
    url = f"/api/v1/clinic/sessions/{session.pk}/attendance"
    assert api.post(url, {"person": alice.pk, "attended": True}).status_code == 200
    circle.revoke(Grant.objects.get(owner=alice, program=clinic_setup["program"]))
    response = api.post(url, {"person": alice.pk, "attended": False})
    assert response.status_code == 404 and "alice" not in response.content.decode().lower()
    huge = 10**30
    assert api.post(url, {"person": huge, "attended": True}).status_code in (404, 422)
    assert api.delete(f"/api/v1/clinic/sessions/{session.pk}/attendees/{huge}").status_code == 404
    far = session_body(clinic_setup["program"], starts_at="9999-12-31T22:00:00", ends_at="9999-12-31T23:00:00")
    refused = api.post("/api/v1/clinic/sessions", far)
    assert refused.status_code == 422 and {"starts_at", "ends_at"} <= {e["field"] for e in refused.json()["errors"]}


def test_the_feed_is_written_in_its_owners_language_not_the_calendar_apps(clinic_setup, carol, alice, bob) -> None:
    """Alice chose Spanish; Bob's profile follows his browser and he last read Thaw in Spanish. The
    calendar app fetches without signing in and asks for English: the feed speaks Spanish anyway."""
    alice.language = "es"
    alice.save(update_fields=["language"])
    session = make_session(clinic_setup["program"], carol, title="Grupo de los martes")
    services.enrol(session, carol, alice.pk)
    _, path = feed_for(alice)
    calendar = Calendar.from_ical(Client(HTTP_ACCEPT_LANGUAGE="en").get(path).content)
    assert str(calendar["X-WR-CALNAME"]) == "Sesiones de Thaw"
    [event] = calendar.walk("VEVENT")
    assert str(event["DESCRIPTION"]) == f"Sesión grupal. Entra con el enlace de video: {LINK}"
    assert str(event["SUMMARY"]) == "Grupo de los martes", "the session's name is the care team's, as written"

    bob.last_language = "es"
    bob.save(update_fields=["last_language"])
    enrol(bob, clinic_setup["program"], carol)
    services.enrol(session, carol, bob.pk)
    assert "Sesiones de Thaw" in services.ical_for(bob).decode()
    carol.last_language = "es"
    carol.save(update_fields=["last_language"])
    assert "Personas inscritas: 2" in services.ical_for(carol).decode(), "the care team's count too"
