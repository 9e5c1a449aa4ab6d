"""Every email a person, a trusted person or a visitor receives goes out in the RECIPIENT's
language (issue 17): the language of the account at that address, else the language the sender
or the request was made in, else THAW_LANGUAGE. English stays as it was."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone, translation

from tests.conftest import ApiClient
from tests.learn_support import seeded, staff, started
from thaw.accounts.models import Role
from thaw.checkins.services import create_checkin
from thaw.circle import services as circle
from thaw.clinic import services as clinic
from thaw.clinic.models import Membership, Program
from thaw.intake import services as intake
from thaw.intake.models import ContactRequest
from thaw.tasks.models import Job
from thaw.tasks.worker import run_pending

pytestmark = pytest.mark.django_db

FORM = {"name": "Rae", "reach_by": "email", "reach_at": "rae@example.org", "best_time": "evenings",
        "looking_for": "virtual-iop-adults", "region": "Oregon", "message": "Me siento apagada desde hace un año.",
        "consent": "on"}


def speaks(user: Any, language: str) -> Any:
    user.language = language
    user.save(update_fields=["language"])
    return user


def queued() -> list[dict[str, Any]]:
    return [json.loads(job.payload) for job in Job.objects.filter(kind="email.send").order_by("id")]


def share(owner: Any, grantee: Any) -> Any:
    grant, _ = circle.create_grant(owner, {"name": "Sam", "categories": ["summary"]})
    circle.accept(grant, grantee)
    grant.refresh_from_db()
    return grant


# --- the trusted circle -------------------------------------------------------------------------


def test_a_circle_invitation_to_a_new_address_goes_in_the_senders_language(alice) -> None:
    speaks(alice, "es")
    assert ApiClient(alice).post("/api/v1/grants", {"name": "Sam", "email": "sam@example.org",
                                                    "categories": ["summary"]}).status_code == 201
    run_pending()
    (message,) = mail.outbox
    assert message.subject == "alice@example.org te invita a su círculo de confianza en Thaw"
    assert "quiere que seas una de sus personas de confianza" in message.body and "/invite/" in message.body
    assert "Hello" not in message.body and "trusted" not in message.body


def test_a_circle_invitation_to_an_account_goes_in_that_accounts_language(alice, bob) -> None:
    speaks(alice, "es")
    speaks(bob, "en")
    ApiClient(alice).post("/api/v1/grants", {"name": "Bob", "email": "bob@example.org", "categories": ["summary"]})
    speaks(bob, "es")
    ApiClient(bob).post("/api/v1/grants", {"name": "Alice", "email": "alice@example.org", "categories": ["summary"]})
    english, spanish = queued()
    assert english["subject"] == "alice@example.org invited you to their trusted circle on Thaw"
    assert english["body"].startswith("Hello,\n\nalice@example.org would like you to be one of their trusted people")
    assert spanish["subject"].endswith("te invita a su círculo de confianza en Thaw")


def test_an_english_invitation_is_unchanged(alice) -> None:
    ApiClient(alice).post("/api/v1/grants", {"name": "Sam", "email": "sam@example.org", "categories": ["summary"]})
    (sent,) = queued()
    assert sent["subject"] == "alice@example.org invited you to their trusted circle on Thaw"
    assert "You will only ever see what they choose to share with you" in sent["body"]


def test_reach_out_reaches_a_spanish_trusted_person_in_spanish_with_only_the_chosen_words(alice, bob) -> None:
    grant = share(alice, speaks(bob, "es"))  # alice writes in English, Bob reads Spanish
    create_checkin(alice, {"emotions": [{"word": "numb", "intensity": 9}], "numbness": 9, "note": "canary-note-5"})
    ApiClient(alice).post("/api/v1/reach-out", {"to": [str(grant.pk)], "message": "Call me?"})
    run_pending()
    (message,) = mail.outbox
    assert message.subject == "Un mensaje de alice@example.org"
    assert message.body == ("alice@example.org te envía este mensaje a través de Thaw:\n\nCall me?\n\n"
                            "Puedes responder a este correo para contestarle directamente.\n")
    assert "canary-note-5" not in message.body and "9" not in message.body


def test_check_on_me_reaches_a_spanish_trusted_person_in_spanish(alice, bob) -> None:
    grant = share(alice, speaks(bob, "es"))
    circle.create_rule(alice, {"kind": "quiet_days", "days": 2, "grant": str(grant.pk), "message": "Call me?"})
    assert circle.run_check_on_me(timezone.now() + timedelta(days=3)) == 1
    run_pending()
    (message,) = mail.outbox
    assert message.subject == "Un mensaje de alice@example.org"
    assert message.body.startswith("Call me?\n\n—\nalice@example.org le pidió a Thaw que te enviara este mensaje")


def test_check_on_me_to_an_english_trusted_person_is_unchanged(alice, bob) -> None:
    grant = share(speaks(alice, "es"), speaks(bob, "en"))
    circle.create_rule(alice, {"kind": "quiet_days", "days": 2, "grant": str(grant.pk), "message": "¿Me llamas?"})
    circle.run_check_on_me(timezone.now() + timedelta(days=3))
    run_pending()
    (message,) = mail.outbox
    assert message.subject == "A message from alice@example.org"
    assert "asked Thaw to send you this message automatically" in message.body


# --- the care team, the account, intake ----------------------------------------------------------


def test_a_program_invitation_goes_in_the_language_of_the_account_at_that_address(carol, alice) -> None:
    program = Program.objects.create(name="Programa virtual")
    Membership.objects.create(program=program, clinician=carol)
    clinic.invite_person(program, carol, "alice@example.org")  # Alice has an English account
    speaks(alice, "es")
    clinic.invite_person(program, carol, "alice@example.org")
    with translation.override("es"):  # no account there: the language the clinician wrote in
        clinic.invite_person(program, carol, "new@example.org")
    english, spanish, visitor = queued()
    assert english["subject"] == "An invitation to Programa virtual on Thaw" and "invites you" in english["body"]
    assert spanish["subject"] == "Una invitación a Programa virtual en Thaw"
    assert "El equipo de atención de Programa virtual te invita" in spanish["body"] and "/enrol/" in spanish["body"]
    assert visitor["subject"] == spanish["subject"]


@override_settings(THAW_SIGNIN_ACCOUNT_LIMIT=3)
def test_failed_sign_ins_are_told_to_the_owner_in_their_language(alice) -> None:
    from thaw.accounts.throttle import _tell_owner

    speaks(alice, "es")
    with translation.override("en"):  # the attacker's page was English: it does not matter
        _tell_owner("alice@example.org", "192.0.2.9", 3, refused_address=True)
    (sent,) = queued()
    assert sent["subject"] == "Thaw: intentos fallidos de entrar en tu cuenta"
    assert "con una contraseña equivocada 3 veces" in sent["body"] and "verificación en dos pasos" in sent["body"]


def test_a_password_reset_goes_in_the_accounts_language(alice) -> None:
    speaks(alice, "es")
    page = Client(headers={"accept-language": "en"})
    assert page.post("/accounts/password/reset/", {"email": "alice@example.org"}).status_code == 302
    (message,) = mail.outbox
    assert "restablecer" in (message.subject + message.body).lower() and "/accounts/password/reset/key/" in message.body
    page.post("/accounts/password/reset/", {"email": "bob-not-here@example.org"})
    assert "restablecer" not in (mail.outbox[-1].subject + mail.outbox[-1].body).lower(), \
        "no account there: the page's language (English)"


@pytest.fixture
def intake_team(db):
    seeded()
    return staff("intake@clinic.example", Role.INTAKE)


def test_a_spanish_visitors_request_keeps_its_language_and_its_invitation_is_spanish(intake_team) -> None:
    visitor = Client(headers={"accept-language": "es"})
    assert visitor.post("/contact/", {**FORM, "started": started("contact")}).status_code == 302
    request = ContactRequest.objects.get()
    assert request.language == "es"
    (told,) = queued()
    assert told["subject"] == "A new contact request is waiting", "the intake team reads its own language"
    program = Program.objects.get(page__slug="virtual-iop-adults")
    with translation.override("en"):  # the intake worker's page is English
        intake.invite(request, intake_team, program, "rae@example.org")
    invitation = queued()[-1]
    assert invitation["subject"] == f"Una invitación a {program.name} en Thaw"
    assert invitation["body"].startswith("Hola:\n\nGracias por escribirnos.") and "/enrol/" in invitation["body"]
    for detail in ("Rae", "apagada", "Oregon"):
        assert detail not in invitation["body"]


def test_an_english_visitors_invitation_is_unchanged_and_staff_read_their_own_language(intake_team) -> None:
    speaks(intake_team, "es")
    assert Client().post("/contact/", {**FORM, "started": started("contact")}).status_code == 302
    request = ContactRequest.objects.get()
    assert request.language == "en"
    (told,) = queued()
    assert told["subject"] == "Hay una nueva solicitud de contacto esperando"
    assert "Este correo no incluye ningún dato de la persona" in told["body"]
    with translation.override("es"):
        intake.invite(request, intake_team, Program.objects.get(page__slug="virtual-iop-adults"), "rae@example.org")
    invitation = queued()[-1]
    assert invitation["subject"].startswith("An invitation to ")
    assert invitation["body"].startswith("Hello,\n\nThank you for getting in touch.")


def test_a_request_made_before_languages_were_kept_uses_the_site_default(intake_team, settings) -> None:
    assert Client().post("/contact/", {**FORM, "started": started("contact")}).status_code == 302
    request = ContactRequest.objects.get()
    ContactRequest.objects.filter(pk=request.pk).update(language="")
    request.refresh_from_db()
    settings.THAW_LANGUAGE = "es"
    intake.invite(request, intake_team, Program.objects.get(page__slug="virtual-iop-adults"), "rae@example.org")
    assert queued()[-1]["subject"].startswith("Una invitación a ")


def test_an_account_that_follows_its_browser_gets_mail_in_the_language_it_reads(alice, bob) -> None:
    """Bob chose no language: his pages follow his browser. An invitation from an English sender
    reaches him in Spanish once he has read Thaw in Spanish, and in the sender's language before."""
    assert bob.language == ""
    ApiClient(alice).post("/api/v1/grants", {"name": "Bob", "email": "bob@example.org", "categories": ["summary"]})
    page = Client()
    page.force_login(bob)
    assert page.get("/", HTTP_ACCEPT_LANGUAGE="es").status_code == 200
    ApiClient(alice).post("/api/v1/grants", {"name": "Bob", "email": "bob@example.org", "categories": ["summary"]})
    before, after = queued()
    assert before["subject"] == "alice@example.org invited you to their trusted circle on Thaw"
    assert after["subject"] == "alice@example.org te invita a su círculo de confianza en Thaw"
