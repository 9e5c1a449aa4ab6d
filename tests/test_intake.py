"""Intake: a contact request from the public (web form and API), the intake inbox, the invitation
that turns a request into a program enrolment, retention, erasure, and the staff roles."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from tests.conftest import ApiClient
from tests.learn_support import seeded, signed_in, staff, started
from thaw.accounts.models import Role
from thaw.audit.models import AuditEvent
from thaw.clinic import services as clinic
from thaw.clinic.models import EnrolmentInvite, Program
from thaw.intake import services
from thaw.intake.models import ContactNote, ContactRequest, RequestStatus
from thaw.tasks.models import Job

pytestmark = pytest.mark.django_db

FORM = {"name": "Rae", "reach_by": "email", "reach_at": "rae@example.org", "best_time": "evenings",
        "looking_for": "virtual-iop-adults", "region": "Oregon", "message": "I have felt flat for a year.",
        "consent": "on"}


@pytest.fixture
def intake(db):
    seeded()
    return staff("intake@clinic.example", Role.INTAKE)


def send(client: Client, **changes):
    return client.post("/contact/", {**FORM, "started": started("contact"), **changes})


def test_a_request_is_saved_encrypted_and_the_team_is_told_without_details(intake) -> None:
    response = send(Client())
    assert response.status_code == 302 and response["Location"] == "/contact/sent/"
    sent = Client().get("/contact/sent/").content.decode()
    assert "What happens next" in sent and "Talk to someone" not in sent or "988" in sent
    request = ContactRequest.objects.get()
    assert request.program.name.startswith("Virtual intensive") and not request.urgent and request.status == "new"
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, reach_at, message FROM intake_contactrequest")
        stored = cursor.fetchone()
    assert all(value.startswith("enc1:") for value in stored), "what they wrote is encrypted at rest"
    job = Job.objects.get(kind="email.send")
    payload = json.loads(job.payload)
    assert payload["to"] == ["intake@clinic.example"] and "/intake/" in payload["body"]
    for detail in ("Rae", "rae@example.org", "flat", "Oregon", "Virtual"):
        assert detail not in payload["subject"] + payload["body"], detail
    assert send(Client()).status_code == 302 and ContactRequest.objects.count() == 1, "sent twice, saved once"


def test_crisis_words_show_the_crisis_screen_first_and_mark_the_request_urgent(intake) -> None:
    send(Client(), name="Calm", reach_at="calm@example.org", message="Just curious.")
    response = send(Client(), message="Some days I want to kill myself.")
    assert response["Location"] == "/help/?from=contact"
    crisis = Client().get(response["Location"]).content.decode()
    assert "Talk to someone now" in crisis and "intake team will see that it is urgent" in crisis
    assert "/contact/sent/" in crisis
    inbox = signed_in(intake).get("/intake/").content.decode()
    assert inbox.index("Rae") < inbox.index("Calm"), "urgent first"
    assert "A contact request marked urgent" in Job.objects.order_by("-id").first().payload


def test_bad_input_keeps_what_was_typed_and_saves_nothing(intake) -> None:
    response = send(Client(), reach_at="rae@", consent="", region="", message="Keep me")
    page = response.content.decode()
    assert response.status_code == 400
    assert "not an email address" in page and "tick the box" in page and "which state" in page
    assert "Keep me" in page and 'value="Rae"' in page
    quick = send(Client(), started=started("contact", seconds_ago=0))
    assert quick.status_code == 400 and "very quickly" in quick.content.decode()
    assert send(Client(), website="spam").status_code == 400
    assert send(Client(), looking_for="no-such-program").status_code == 400
    assert not ContactRequest.objects.exists() and not Job.objects.exists()


@override_settings(THAW_CONTACT_LIMIT=1)
def test_requests_from_one_address_are_limited(intake) -> None:
    assert send(Client(REMOTE_ADDR="192.0.2.1")).status_code == 302
    again = send(Client(REMOTE_ADDR="192.0.2.1"), name="Other", reach_at="other@example.org")
    assert again.status_code == 429 and "Other" in again.content.decode()


def test_the_contact_api(intake) -> None:
    body = {"name": "Tam", "reach_by": "phone", "reach_at": "+1 503 555 0199", "looking_for": "not_sure",
            "region": "Oregon", "message": "I feel nothing and I want to die", "consent": True}
    response = ApiClient(None).post("/api/v1/contact", body)
    assert response.status_code == 201
    data = response.json()
    assert set(data) == {"id", "crisis", "resources"} and data["crisis"] and data["resources"]
    assert ContactRequest.objects.get(pk=data["id"]).urgent
    refused = ApiClient(None).post("/api/v1/contact", {**body, "consent": False, "reach_by": "pigeon"})
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} >= {"consent", "reach_by"}
    form_post = Client().post("/api/v1/contact", json.dumps(body), content_type="text/plain")
    assert form_post.status_code == 415
    assert ContactRequest.objects.count() == 1


def test_the_inbox_is_for_intake_only_and_every_look_is_audited(intake, alice) -> None:
    send(Client())
    request = ContactRequest.objects.get()
    others = [alice, staff("ed@clinic.example", Role.EDITOR), staff("doc@clinic.example", Role.CLINICIAN),
              staff("boss@clinic.example", Role.ADMIN)]
    for user in others:
        for path in ("/intake/", f"/intake/{request.pk}/"):
            assert signed_in(user).get(path).status_code == 404, (user.role, path)
    before = AuditEvent.objects.filter(action="contact_request.viewed").count()
    page = signed_in(intake).get(f"/intake/{request.pk}/").content.decode()
    assert "rae@example.org" in page and "I have felt flat for a year." in page
    assert AuditEvent.objects.filter(action="contact_request.viewed").count() == before + 1
    assert AuditEvent.objects.filter(action="contact_request.listed").count() == 0
    signed_in(intake).get("/intake/")
    assert AuditEvent.objects.filter(action="contact_request.listed").exists()
    assert signed_in(intake).get("/intake/00000000-0000-0000-0000-000000000000/").status_code == 404
    # An admin who also holds intake reaches it.
    both = staff("both@clinic.example", Role.ADMIN, extra=("intake",))
    assert signed_in(both).get(f"/intake/{request.pk}/").status_code == 200


def test_status_assignment_and_notes(intake) -> None:
    send(Client())
    request = ContactRequest.objects.get()
    client = signed_in(intake)
    saved = client.post(f"/intake/{request.pk}/", {"status": "contacted", "assigned_to": intake.email,
                                                   "note": "Left a voicemail."})
    assert saved.status_code == 302
    request.refresh_from_db()
    assert request.status == "contacted" and request.assigned_to == intake
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM intake_contactnote")
        assert cursor.fetchone()[0].startswith("enc1:")
    wrong = client.post(f"/intake/{request.pk}/", {"status": "new", "note": "x" * 3001})
    assert wrong.status_code == 400 and "x" * 3001 in wrong.content.decode()
    assert ContactNote.objects.count() == 1
    with pytest.raises(services.FieldErrors) as by_hand:
        services.update(request, intake, {"status": "enrolled", "note": "skipping ahead"})
    assert "accepts its invitation" in by_hand.value.errors["status"]
    assert ContactNote.objects.count() == 1, "a refused change adds no note"
    services.update(request, intake, {"status": "not_a_fit"})
    with pytest.raises(services.FieldErrors) as refused:
        services.update(request, intake, {"status": "scheduled"})
    assert "can become" in refused.value.errors["status"]


def test_a_request_becomes_an_invitation_the_person_accepts_and_then_it_leaves_with_their_account(intake) -> None:
    from tests.conftest import make_user
    from thaw.accounts.erasure import erase

    send(Client())
    request = ContactRequest.objects.get()
    program = Program.objects.get(page__slug="virtual-iop-adults")
    made = signed_in(intake).post(f"/intake/{request.pk}/invite", {"program": program.pk, "email": "rae@example.org"})
    assert made.status_code == 302
    shown = signed_in(intake)
    shown_page = shown.get(made["Location"])  # another client: the link was only in the first session
    assert "Its link was shown once" in shown_page.content.decode()
    invitation = EnrolmentInvite.objects.get()
    request.refresh_from_db()
    assert request.invite == invitation and request.status == "contacted" and invitation.invited_by == intake
    mail = json.loads(Job.objects.filter(kind="email.send").order_by("-id").first().payload)
    assert mail["to"] == ["rae@example.org"] and "/enrol/" in mail["body"]
    rae = make_user("rae@example.org")
    clinic.enrol(invitation, rae, ["summary", "assessments", "flags"])
    request.refresh_from_db()
    assert request.status == RequestStatus.ENROLLED and request.person == rae
    erase(rae)
    assert not ContactRequest.objects.exists(), "the request leaves with the account it became"


def test_requests_not_enrolled_are_deleted_after_the_retention_period(intake) -> None:
    from tests.conftest import make_user

    for name in ("Old", "Recent", "Enrolled"):
        send(Client(), name=name, reach_at=f"{name.lower()}@example.org")
    old_time = timezone.now() - timedelta(days=181)
    ContactRequest.objects.exclude(name__isnull=True)  # names are encrypted: pick them in Python
    by_name = {r.name: r for r in ContactRequest.objects.all()}
    enrolled = by_name["Enrolled"]
    enrolled.status, enrolled.person = RequestStatus.ENROLLED, make_user("enrolled@example.org")
    enrolled.save()
    ContactRequest.objects.filter(pk__in=[by_name["Old"].pk, enrolled.pk]).update(updated_at=old_time)
    assert services.apply_retention() == 1
    assert {r.name for r in ContactRequest.objects.all()} == {"Recent", "Enrolled"}
    with override_settings(THAW_CONTACT_RETENTION_DAYS=1):
        ContactRequest.objects.filter(name__isnull=False).update(updated_at=timezone.now() - timedelta(days=2))
        assert services.apply_retention() == 1


def test_thaw_user_add_makes_editor_intake_and_combined_staff_accounts(tmp_path) -> None:
    from tests.support import isolated_env, thaw
    from thaw.cli import _roles

    # How `--role` given more than once is read (what `thaw user add` runs before touching anything).
    assert _roles(["admin", "intake", "editor"]) == ("admin", ["intake", "editor"])
    assert _roles(["editor"]) == ("editor", [])
    assert "cannot also be staff" in _roles(["person", "editor"])[1][0]
    assert "one main role" in _roles(["clinician", "admin"])[1][0]

    with isolated_env(tmp_path / "data") as env:
        env["THAW_PASSWORD"] = "a calm, long passphrase"
        for email, roles in (("ed@example.org", ["editor"]), ("in@example.org", ["intake"]),
                             ("boss@example.org", ["admin", "intake"])):
            result = thaw("user", "add", email, *[a for r in roles for a in ("--role", r)], env=env)
            assert result.returncode == 0 and "two-factor" in result.stdout, result.stderr
            assert f"Created {' + '.join(roles)} account {email}." in result.stdout
        added = thaw("user", "roles", "boss@example.org", "--add", "editor", "--remove", "intake", env=env)
        # The roles command reads the account back from the database and says what it holds now.
        assert added.returncode == 0 and "boss@example.org: admin + editor." in added.stdout


def test_an_invitation_link_waits_sealed_for_the_page_that_shows_it_once(intake) -> None:
    """Between the post and the page after it, the link (a credential) is sealed in the session
    like every other one-time link, not kept there in plain text."""
    from django.contrib.sessions.models import Session

    send(Client())
    request = ContactRequest.objects.get()
    program = Program.objects.get(page__slug="virtual-iop-adults")
    staff = signed_in(intake)
    made = staff.post(f"/intake/{request.pk}/invite", {"program": program.pk, "email": "rae@example.org"})
    assert made.status_code == 302
    assert all("/enrol/" not in json.dumps(s.get_decoded()) for s in Session.objects.all())
    first = staff.get(made["Location"]).content.decode()
    assert "/enrol/" in first
    assert "/enrol/" not in staff.get(made["Location"]).content.decode(), "shown once"
