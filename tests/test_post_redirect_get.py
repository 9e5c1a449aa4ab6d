"""Every form that creates something answers with a redirect (post, redirect, get).

So the browser's Back and reload never offer "Confirm form resubmission", and reloading
the page that follows never makes a second record. Secrets shown once (an API token, an
invitation link, a calendar link) travel to that page sealed in the session and are
dropped after one showing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session as BrowserSession
from django.db.models import Model
from django.test import Client
from django.utils import timezone

from tests.conftest import make_user
from thaw.accounts.models import ApiToken, Role
from thaw.assessments.models import Assessment
from thaw.checkins.models import CheckIn
from thaw.circle.models import CheckOnMe, Grant
from thaw.clinic import services as clinic
from thaw.clinic.models import EnrolmentInvite, Homework, Membership, Program
from thaw.grounding.models import Affirmation
from thaw.safety.models import SafetyPlan
from thaw.schedule.models import Attendee, CalendarFeed, Session
from thaw.substances.models import Craving, SubstanceUse

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def team(carol, alice, admin) -> dict[str, Any]:
    for user in (carol, admin):
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    program = Program.objects.create(name="Virtual IOP")
    Membership.objects.create(program=program, clinician=carol, on_duty=True)
    invite, _ = clinic.invite_person(program, carol)
    clinic.enrol(invite, alice, ["assessments", "flags", "summary"])
    start = timezone.now().astimezone(carol.tzinfo) + timedelta(days=2)
    session = Session.objects.create(program=program, title="Group", starts_at=start, ends_at=start + timedelta(hours=1),
                                     created_by=carol, video_link="https://meet.example.org/x")
    return {"program": program, "session": session, "start": start}


# (who posts, where, what, which records the post makes)
FORMS: list[tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]], type[Model]]] = [
    ("alice", "/checkin/", lambda t: {"word": ["calm"], "intensity:calm": "3", "numbness": "2", "note": "tea"}, CheckIn),
    ("alice", "/checkin/quick", lambda t: {"choice": "okay"}, CheckIn),
    ("alice", "/assessments/gad7/take", lambda t: {"choice": "1"}, Assessment),  # a step: redirect, no record yet
    ("alice", "/grounding/affirmations/", lambda t: {"text": "I can take this slowly."}, Affirmation),
    ("alice", "/substances/log", lambda t: {"substance": "alcohol", "amount": "330", "unit": "ml", "abv": "5",
                                             "craving_skip": "1"}, SubstanceUse),
    ("alice", "/substances/craving", lambda t: {"substance": "alcohol", "intensity": "4"}, Craving),
    ("alice", "/safety-plan/", lambda t: {"reasons": "My sister"}, SafetyPlan),
    ("alice", "/circle/new/", lambda t: {"name": "Sam", "categories": ["summary"]}, Grant),
    ("alice", "/circle/check-on-me/", lambda t: {"kind": "quiet_days", "days": "3", "grant": "",
                                                 "message": "Are you ok?"}, CheckOnMe),
    ("alice", "/settings/tokens/new", lambda t: {"name": "script"}, ApiToken),
    ("alice", "/calendar/", lambda t: {"action": "create"}, CalendarFeed),
    ("carol", "/clinic/invite/", lambda t: {"program": str(t["program"].pk)}, EnrolmentInvite),
    ("carol", "/clinic/sessions/", lambda t: {
        "program": t["program"].pk, "kind": "group", "title": "Skills", "video_link": "https://meet.example.org/y",
        "starts_at": t["start"].strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (t["start"] + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}, Session),
    ("carol", "session", lambda t: {"person": "alice"}, Attendee),
    ("carol", "homework", lambda t: {"program": str(t["program"].pk), "checkins_per_day": "2"}, Homework),
    ("admin", "/clinic/programs/", lambda t: {"name": "Evening group", "escalate_after_minutes": "30"}, Program),
]


@pytest.mark.parametrize(("who", "url", "data", "model"), FORMS, ids=[f[1] for f in FORMS])
def test_every_form_that_creates_something_redirects_and_a_reload_makes_nothing_more(
        request, team, alice, who, url, data, model) -> None:
    client = signed_in(request.getfixturevalue(who))
    body = data(team)
    if url == "session":
        url, body = f"/clinic/sessions/{team['session'].pk}/", {"person": alice.pk}
    elif url == "homework":
        url = f"/clinic/people/{alice.pk}/homework"
    if model is CheckOnMe:
        body["grant"] = str(Grant.objects.create(owner=alice, name="Sam", categories=["summary"],
                                                 accepted_at=timezone.now(), grantee=make_user("sam@example.org")).pk)
    before = model.objects.count()
    response = client.post(url, body)
    assert response.status_code == 302, (url, response.status_code, response.content.decode()[:300])
    made = model.objects.count() - before
    assert made == (0 if model is Assessment else 1)
    target = response["Location"]
    for _ in range(2):  # the page after the post, and a reload of it
        assert client.get(target).status_code in (200, 302), target
    assert model.objects.count() - before == made, "loading the page after the post again made nothing more"


def test_invitation_ready_shows_the_link_once_and_a_reload_makes_no_second_invitation(alice) -> None:
    client = signed_in(alice)
    response = client.post("/circle/new/", {"name": "Sam", "categories": ["summary"]})
    grant = Grant.objects.get()
    assert response["Location"] == f"/circle/{grant.pk}/invited"
    page = client.get(response["Location"]).content.decode()
    assert "Invitation ready" in page and 'id="invite-link"' in page and "/invite/" in page
    again = client.get(response["Location"]).content.decode()
    assert "Invitation ready" in again and 'id="invite-link"' not in again and "shown once" in again
    assert Grant.objects.count() == 1


def test_someone_else_cannot_open_the_invitation_page(alice, bob) -> None:
    client = signed_in(alice)
    client.post("/circle/new/", {"name": "Sam", "categories": ["summary"]})
    assert signed_in(bob).get(f"/circle/{Grant.objects.get().pk}/invited").status_code == 404


def test_the_link_waits_in_the_session_sealed(alice) -> None:
    client = signed_in(alice)
    client.post("/circle/new/", {"name": "Sam", "categories": ["summary"]})
    stored = BrowserSession.objects.get(session_key=client.session.session_key).get_decoded()
    sealed = [v for k, v in stored.items() if k.startswith("thaw.vault:circle-invite:")]
    assert len(sealed) == 1 and sealed[0].startswith("enc1:") and "/invite/" not in sealed[0]


def test_a_clinic_invitation_link_is_shown_once(team, carol, alice) -> None:
    client = signed_in(carol)
    response = client.post("/clinic/invite/", {"program": str(team["program"].pk), "email": "new@example.org"})
    assert response.status_code == 302
    first = client.get(response["Location"]).content.decode()
    assert 'id="invite-link"' in first and "/enrol/" in first and "new@example.org" in first
    assert 'id="invite-link"' not in client.get(response["Location"]).content.decode()
    other = make_user("erin@clinic.example", Role.CLINICIAN)
    Authenticator.objects.create(user=other, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    assert signed_in(other).get(response["Location"]).status_code == 404, "only the program's clinicians"


def test_a_new_token_is_shown_once(alice) -> None:
    client = signed_in(alice)
    response = client.post("/settings/tokens/new", {"name": "script"})
    assert response.status_code == 302
    assert 'id="new-token"' in client.get("/settings/").content.decode()
    assert 'id="new-token"' not in client.get("/settings/").content.decode()
    assert ApiToken.objects.count() == 1
