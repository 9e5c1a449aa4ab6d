"""The trusted circle: grants, the persona matrix over every shared endpoint and page,
invitations, pausing, the audit the owner sees, reach-out and check-on-me emails."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.conftest import ApiClient, checkin_body, make_user
from thaw.accounts.models import Role
from thaw.audit.models import AuditEvent
from thaw.checkins.models import CheckIn
from thaw.checkins.services import create_checkin
from thaw.circle import services
from thaw.circle.models import CATEGORY_LABELS, CheckOnMe, Grant
from thaw.tasks.worker import run_pending

pytestmark = pytest.mark.django_db

CANARY = "owner-note-canary-71c2"
ENDPOINTS = {  # shared endpoint → the category that opens it
    "summary": "summary", "checkins": "checkins", "assessments": "assessments",
    "grounding": "grounding", "substance-use": "substances",
}


@pytest.fixture
def sam(db):
    return make_user("sam@example.org")


def share(owner, grantee, categories, until=None) -> Grant:
    grant, _ = services.create_grant(owner, {"name": "Sam", "categories": categories, "until": until})
    services.accept(grant, grantee)
    grant.refresh_from_db()
    return grant


@pytest.fixture
def alice_data(alice):
    owner = ApiClient(alice)
    assert owner.post("/api/v1/checkins", checkin_body(note=CANARY)).status_code == 201
    assert owner.post("/api/v1/assessments", {"instrument": "phq9", "answers": [1] * 8 + [0]}).status_code == 201
    assert owner.post("/api/v1/assessments", {"instrument": "pcl5", "answers": [1] * 20,
                                              "worst_event": CANARY}).status_code == 201  # private, never shared
    return owner


def statuses(client: ApiClient, person_id: int) -> dict[str, int]:
    return {name: client.get(f"/api/v1/shared/{person_id}/{name}").status_code for name in ENDPOINTS}


@pytest.mark.parametrize("category", [c for c in CATEGORY_LABELS if c != "notes"])
def test_a_trusted_person_sees_exactly_the_granted_category(alice, alice_data, sam, category) -> None:
    share(alice, sam, [category])
    seen = statuses(ApiClient(sam), alice.pk)
    assert seen == {name: (200 if cat == category else 404) for name, cat in ENDPOINTS.items()}
    page = Client()
    page.force_login(sam)
    html = page.get(f"/shared/{alice.pk}/").content.decode()
    assert CANARY not in html, "notes (and the PCL-5 anchor) are never shown without their own tick"
    if category == "assessments":
        shared = ApiClient(sam).get(f"/api/v1/shared/{alice.pk}/assessments").content.decode()
        assert "PCL-5" in shared or "pcl5" in shared
        assert CANARY not in shared
    for section, cat in [("shared-summary", "summary"), ("shared-checkins", "checkins"),
                         ("shared-assessments", "assessments")]:
        assert (section in html) == (cat == category), (section, category)


def test_notes_need_their_own_tick(alice, alice_data, sam) -> None:
    grant = share(alice, sam, ["checkins"])
    client = ApiClient(sam)
    body = client.get(f"/api/v1/shared/{alice.pk}/checkins").content.decode()
    assert "lonely" in body and CANARY not in body and '"note"' not in body
    services.update_grant(grant, {"categories": ["checkins", "notes"]})
    assert CANARY in client.get(f"/api/v1/shared/{alice.pk}/checkins").content.decode()


def test_substance_use_and_notes_are_never_shared_by_default(alice) -> None:
    page = Client()
    page.force_login(alice)
    html = page.get("/circle/new/").content.decode()
    ticked = set(re.findall(r'name="categories" value="(\w+)"[^>]*checked', html))
    assert ticked == {"summary"}, ticked
    response = ApiClient(alice).post("/api/v1/grants", {"name": "Jo", "categories": ["summary"]})
    assert response.status_code == 201 and response.json()["categories"] == ["summary"]


def test_an_invitation_to_see_nothing_is_refused_and_the_form_kept(alice) -> None:
    """No category ticked is a missed tick, not an invitation: a field message, the form kept."""
    page = Client()
    page.force_login(alice)
    response = page.post("/circle/new/", {"name": "Sam", "email": "sam@example.org"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "tick at least one thing they can see" in html.lower()
    assert 'value="Sam"' in html and 'value="sam@example.org"' in html
    client = ApiClient(alice)
    for body in ({"name": "Sam", "categories": []}, {"name": "Sam"}):
        refused = client.post("/api/v1/grants", body)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "categories", refused.content
    assert Grant.objects.count() == 0 and mail.outbox == []
    grant, _ = services.create_grant(alice, {"name": "Jo", "categories": ["summary"]})
    changed = client.patch(f"/api/v1/grants/{grant.pk}", {"categories": []})
    assert changed.status_code == 422 and changed.json()["errors"][0]["field"] == "categories"
    grant.refresh_from_db()
    assert grant.categories == ["summary"]


def test_revocation_expiry_pause_stranger_admin_and_owner_all_see_nothing(alice, alice_data, sam, bob) -> None:
    everything = [c for c in CATEGORY_LABELS]
    grant = share(alice, sam, everything)
    trusted = ApiClient(sam)
    assert set(statuses(trusted, alice.pk).values()) == {200}
    nothing = dict.fromkeys(ENDPOINTS, 404)

    admin = make_user("root@example.org", Role.ADMIN)
    from allauth.mfa.models import Authenticator
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    for outsider in (ApiClient(bob), ApiClient(admin), alice_data):
        assert statuses(outsider, alice.pk) == nothing
    assert set(statuses(ApiClient(None), alice.pk).values()) == {401}

    services.set_paused(alice, True)
    assert statuses(trusted, alice.pk) == nothing
    services.set_paused(alice, False)
    assert set(statuses(trusted, alice.pk).values()) == {200}

    Grant.objects.filter(pk=grant.pk).update(until=timezone.now() - timedelta(seconds=1))
    assert statuses(trusted, alice.pk) == nothing
    Grant.objects.filter(pk=grant.pk).update(until=timezone.now() + timedelta(days=1))
    assert set(statuses(trusted, alice.pk).values()) == {200}

    assert alice_data.delete(f"/api/v1/grants/{grant.pk}").status_code == 204
    assert statuses(trusted, alice.pk) == nothing
    page = Client()
    page.force_login(sam)
    assert page.get(f"/shared/{alice.pk}/").status_code == 404
    assert trusted.get("/api/v1/shared").json() == []


def test_the_shared_page_answers_404_to_everyone_without_a_grant(alice, alice_data, bob) -> None:
    for who in (bob, alice):
        client = Client()
        client.force_login(who)
        assert client.get(f"/shared/{alice.pk}/").status_code == 404
    assert Client().get(f"/shared/{alice.pk}/").status_code == 302  # sign in first


def test_views_are_audited_and_the_owner_sees_who_looked(alice, alice_data, sam) -> None:
    share(alice, sam, ["summary"])
    assert ApiClient(sam).get(f"/api/v1/shared/{alice.pk}/summary").status_code == 200
    event = AuditEvent.objects.filter(action="data.viewed", person_ref=alice.pk, actor_ref=sam.pk).get()
    assert event.details["category"] == "summary"
    page = Client()
    page.force_login(alice)
    html = page.get("/circle/").content.decode()
    assert "Sam viewed your weekly summary on" in html


def test_the_weekly_summary_has_no_words(alice, alice_data, sam) -> None:
    share(alice, sam, ["summary"])
    body = ApiClient(sam).get(f"/api/v1/shared/{alice.pk}/summary").json()
    assert body["this_week"]["checkins"] == 1 and body["this_week"]["mean_numbness"] == 7.0
    text = str(body)
    assert "lonely" not in text and CANARY not in text and len(body["weeks"]) == 6


def test_changing_a_grant_takes_effect_at_once(alice, alice_data, sam) -> None:
    grant = share(alice, sam, ["summary", "assessments"])
    trusted = ApiClient(sam)
    assert trusted.get(f"/api/v1/shared/{alice.pk}/assessments").status_code == 200
    response = alice_data.patch(f"/api/v1/grants/{grant.pk}", {"categories": ["summary"]})
    assert response.status_code == 200 and response.json()["categories"] == ["summary"]
    assert trusted.get(f"/api/v1/shared/{alice.pk}/assessments").status_code == 404


def test_grant_api_bad_input_names_each_field(alice) -> None:
    client = ApiClient(alice)
    cases = [
        ({"name": "", "categories": []}, "name"),
        ({"name": "Sam", "categories": ["diary"]}, "categories"),
        ({"name": "Sam", "categories": ["notes"]}, "categories"),
        ({"name": "Sam", "categories": "summary"}, "categories"),
        ({"name": "Sam", "categories": [], "until": "2001-01-01"}, "until"),
        ({"name": "Sam", "categories": [], "until": "soon"}, "until"),
        ({"name": "Sam", "categories": [], "email": "not-an-email"}, "email"),
        ({"name": "Sam", "categories": [], "email": "alice@example.org"}, "email"),
        ({"name": "x" * 61, "categories": []}, "name"),
        ({"name": "Sam", "categories": [], "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/grants", body)
        assert response.status_code == 422, (body, response.content)
        assert field in [e["field"] for e in response.json()["errors"]], (body, response.json())
    assert Grant.objects.count() == 0, "nothing half-saved"
    assert client.post("/api/v1/grants", raw="{").status_code == 400


def test_others_cannot_touch_someone_elses_grants(alice, bob, sam) -> None:
    grant = share(alice, sam, ["summary"])
    for who in (ApiClient(bob), ApiClient(sam)):
        assert who.get(f"/api/v1/grants/{grant.pk}").status_code == 404
        assert who.patch(f"/api/v1/grants/{grant.pk}", {"categories": ["checkins"]}).status_code == 404
        assert who.delete(f"/api/v1/grants/{grant.pk}").status_code == 404
        assert who.get("/api/v1/grants").json() == []
    grant.refresh_from_db()
    assert grant.revoked_at is None and grant.categories == ["summary"]
    page = Client()
    page.force_login(bob)
    assert page.post(f"/circle/{grant.pk}/stop").status_code == 404


def test_an_invitation_link_works_once_and_expires_after_seven_days(alice, sam, bob) -> None:
    created = ApiClient(alice).post("/api/v1/grants", {"name": "Sam", "categories": ["summary"]}).json()
    token = created["invite_url"].rsplit("/invite/", 1)[1].strip("/")
    assert Client().get(f"/invite/{token}/").status_code == 200
    assert ApiClient(alice).post("/api/v1/grants/accept", {"invitation": token}).status_code == 422
    assert ApiClient(sam).post("/api/v1/grants/accept", {"invitation": token}).status_code == 200
    assert ApiClient(bob).post("/api/v1/grants/accept", {"invitation": token}).status_code == 404
    assert Client().get(f"/invite/{token}/").status_code == 404

    grant, raw = services.create_grant(alice, {"name": "Late", "categories": ["summary"]})
    Grant.objects.filter(pk=grant.pk).update(invite_expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiClient(bob).post("/api/v1/grants/accept", {"invitation": raw}).status_code == 422
    assert ApiClient(bob).get(f"/api/v1/shared/{alice.pk}/summary").status_code == 404


def test_accepting_creates_a_limited_account_for_a_newcomer(alice, alice_data) -> None:
    _, raw = services.create_grant(alice, {"name": "Sam", "categories": ["summary"]})
    newcomer = Client()
    bad = newcomer.post(f"/invite/{raw}/", {"display_name": "Sam", "email": "new@example.org", "password": "short"})
    assert bad.status_code == 400 and 'value="new@example.org"' in bad.content.decode(), "typed values are kept"
    ok = newcomer.post(f"/invite/{raw}/", {"display_name": "Sam", "email": "new@example.org",
                                           "password": "a calm, long passphrase"})
    assert ok.status_code == 302 and ok["Location"] == f"/shared/{alice.pk}/"
    assert "Weekly summary" in newcomer.get(ok["Location"]).content.decode()
    from thaw.accounts.models import User
    user = User.objects.get(email="new@example.org")
    assert user.role == Role.PERSON and not user.is_staff


def test_emailed_invitation_goes_through_the_worker(alice) -> None:
    response = ApiClient(alice).post("/api/v1/grants", {"name": "Sam", "email": "Sam@Example.org",
                                                        "categories": ["summary"]})
    assert response.status_code == 201
    assert mail.outbox == [], "queued, not sent inside the request"
    assert run_pending() == 1
    (message,) = mail.outbox
    assert message.to == ["sam@example.org"] and "/invite/" in message.body
    assert CANARY not in message.body and "numb" not in message.body.lower()


def test_reach_out_sends_only_the_chosen_words(alice, alice_data, sam, bob) -> None:
    grant = share(alice, sam, ["summary"])
    client = ApiClient(alice)
    bad = client.post("/api/v1/reach-out", {"to": [], "message": ""})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"to", "message"}
    other = share(bob, sam, ["summary"])
    assert client.post("/api/v1/reach-out", {"to": [str(other.pk)], "message": "hi"}).status_code == 422
    sent = client.post("/api/v1/reach-out", {"to": [str(grant.pk)], "message": services.REACH_OUT_CHOICES[0]})
    assert sent.status_code == 202 and sent.json() == {"sent_to": 1}
    run_pending()
    (message,) = mail.outbox
    assert message.to == ["sam@example.org"] and message.reply_to == ["alice@example.org"]
    assert services.REACH_OUT_CHOICES[0] in message.body
    for leak in (CANARY, "lonely", "tired", "chest", "PHQ", "phq9", "score"):
        assert leak not in message.body
    services.revoke(grant)
    assert client.post("/api/v1/reach-out", {"to": [str(grant.pk)], "message": "hi"}).status_code == 422


def _numb_day(person, day_offset: int, now) -> None:
    create_checkin(person, {"emotions": [{"word": "numb", "intensity": 8}], "numbness": 8,
                            "at": (now - timedelta(days=day_offset)).isoformat()})


def test_check_on_me_numb_days_sends_once_per_episode(alice, sam) -> None:
    grant = share(alice, sam, ["summary"])
    services.create_rule(alice, {"kind": "numb_days", "days": 3, "grant": str(grant.pk),
                                 "message": "Could you give me a call this week?"})
    now = timezone.now()
    _numb_day(alice, 1, now)
    _numb_day(alice, 0, now)
    assert services.run_check_on_me(now) == 0, "two numb days are not three"
    _numb_day(alice, 2, now)
    assert services.run_check_on_me(now) == 1
    assert services.run_check_on_me(now + timedelta(minutes=15)) == 0, "one message per episode"
    run_pending()
    (message,) = mail.outbox
    assert "Could you give me a call this week?" in message.body
    assert "numb" not in message.body.lower() and "8" not in message.body, "no health data beyond their words"


def test_check_on_me_quiet_days_and_turning_it_off(alice, sam) -> None:
    grant = share(alice, sam, ["summary"])
    rule = services.create_rule(alice, {"kind": "quiet_days", "days": 2, "grant": str(grant.pk),
                                        "message": "Thinking of you."})
    now = timezone.now()
    assert services.run_check_on_me(now + timedelta(days=1)) == 0
    rule.enabled = False
    rule.save()
    assert services.run_check_on_me(now + timedelta(days=3)) == 0, "off means off"
    rule.enabled = True
    rule.save()
    services.set_paused(alice, True)
    assert services.run_check_on_me(now + timedelta(days=3)) == 0, "paused sharing pauses these too"
    services.set_paused(alice, False)
    assert services.run_check_on_me(now + timedelta(days=3)) == 1
    assert services.run_check_on_me(now + timedelta(days=4)) == 0
    CheckIn.objects.create(person=alice, numbness=2, at=now + timedelta(days=4))
    assert services.run_check_on_me(now + timedelta(days=5)) == 0
    assert services.run_check_on_me(now + timedelta(days=6, minutes=1)) == 1, "a new quiet spell, a new message"


def test_check_on_me_rules_are_off_by_default_and_validated(alice, sam) -> None:
    assert CheckOnMe.objects.count() == 0
    with pytest.raises(services.FieldErrors) as caught:
        services.create_rule(alice, {"kind": "always", "days": 0, "grant": "nope", "message": ""})
    assert set(caught.value.errors) == {"kind", "days", "grant", "message"}
    share(alice, sam, ["summary"])
    page = Client()
    page.force_login(alice)
    response = page.post("/circle/check-on-me/", {"kind": "quiet_days", "days": "99", "message": "hello"})
    assert response.status_code == 400 and "hello" in response.content.decode()


def test_circle_pages_render_and_revoke_is_one_tap(alice, sam) -> None:
    grant = share(alice, sam, ["summary"])
    page = Client()
    page.force_login(alice)
    for url in ("/circle/", "/circle/new/", f"/circle/{grant.pk}/", "/circle/reach-out/", "/circle/check-on-me/",
                "/shared/"):
        assert page.get(url).status_code == 200, url
    response = page.post(f"/circle/{grant.pk}/stop", follow=True)
    assert "has stopped" in response.content.decode()
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert mail.outbox == [], "revoking does not notify the other side"


def test_new_grant_form_keeps_what_was_typed(alice) -> None:
    page = Client()
    page.force_login(alice)
    response = page.post("/circle/new/", {"name": "Sam", "email": "broken@", "categories": ["summary", "notes"]})
    html = response.content.decode()
    assert response.status_code == 400 and 'value="Sam"' in html and "broken@" in html
    assert Grant.objects.count() == 0


def test_a_long_numb_streak_sends_one_message(alice, sam) -> None:
    grant = share(alice, sam, ["summary"])
    services.create_rule(alice, {"kind": "numb_days", "days": 3, "grant": str(grant.pk), "message": "Call me?"})
    start = timezone.now().replace(hour=12, minute=0) - timedelta(days=12)
    sent = 0
    for day in range(12):
        noon = start + timedelta(days=day)
        create_checkin(alice, {"emotions": [{"word": "numb", "intensity": 9}], "numbness": 9,
                               "at": noon.isoformat()})
        sent += services.run_check_on_me(noon + timedelta(minutes=1))
    assert sent == 1, "one message for one unbroken streak"


def test_huge_or_odd_ids_answer_404_not_500(alice, sam) -> None:
    share(alice, sam, ["summary"])
    huge = "99999999999999999999"
    assert ApiClient(sam).get(f"/api/v1/shared/{huge}/summary").status_code == 404
    page = Client()
    page.force_login(sam)
    assert page.get(f"/shared/{huge}/").status_code == 404


def test_an_invitation_used_while_a_newcomer_fills_the_form_leaves_no_account(alice, sam) -> None:
    from thaw.accounts.models import User

    grant, raw = services.create_grant(alice, {"name": "Sam", "categories": ["summary"]})
    newcomer = Client()
    assert newcomer.get(f"/invite/{raw}/").status_code == 200
    services.accept(grant, sam)  # someone else used the link first
    response = newcomer.post(f"/invite/{raw}/", {"display_name": "Late", "email": "late@example.org",
                                                 "password": "a calm, long passphrase"})
    assert response.status_code == 404
    assert not User.objects.filter(email="late@example.org").exists()
