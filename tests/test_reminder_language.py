"""Thaw's own reminder text follows the person's language (issue 17): a plan keeps "" until the
person writes their own words, and the default is translated when it is sent. Spanish words that
would tell an onlooker what Thaw is about are refused like the English ones."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client

from tests.conftest import ApiClient
from thaw.reminders import services
from thaw.reminders.models import Prompt, ReminderPlan
from thaw.tasks.worker import run_pending

pytestmark = pytest.mark.django_db
FIXED = {"mode": "fixed", "times": ["08:15"], "channels": ["email"]}


def speaks(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


def send_one(person) -> tuple[dict, object]:
    plan = ReminderPlan.objects.get(person=person)
    assert services.run_due(plan.next_due_at) == 1
    prompt = Prompt.objects.filter(person=person).latest("due_at")
    run_pending()
    return services.notification(prompt, plan.message), mail.outbox[-1]


def test_the_default_reminder_reaches_a_spanish_speaker_in_spanish(alice) -> None:
    speaks(alice, "es")
    api = ApiClient(alice)
    assert api.get("/api/v1/reminders").json()["message"] == "Thaw: ¿un momento para ti?"
    assert api.put("/api/v1/reminders", FIXED).status_code == 200
    assert ReminderPlan.objects.get(person=alice).message == "", "the default is kept as 'not written'"
    pushed, emailed = send_one(alice)
    assert pushed["title"] == "Thaw: ¿un momento para ti?" and pushed["body"] == ""
    assert emailed.subject == "Thaw: ¿un momento para ti?"
    assert emailed.body.startswith("Thaw: ¿un momento para ti?\n\n")
    assert "Pediste a Thaw estos recordatorios. Cámbialos o detenlos:" in emailed.body
    assert "You asked" not in emailed.body


def test_the_default_follows_a_change_of_language_and_english_is_unchanged(alice) -> None:
    speaks(alice, "es")
    api = ApiClient(alice)
    # The Spanish default sent back as it was shown is still "Thaw's text", not the person's own.
    api.put("/api/v1/reminders", {**FIXED, "message": "Thaw: ¿un momento para ti?"})
    speaks(alice, "en")
    assert api.get("/api/v1/reminders").json()["message"] == "Thaw: a moment for you?"
    pushed, emailed = send_one(alice)
    assert pushed["title"] == emailed.subject == "Thaw: a moment for you?"
    assert "You asked Thaw for these reminders. Change or stop them:" in emailed.body


def test_the_persons_own_words_are_sent_as_written_in_any_language(alice) -> None:
    speaks(alice, "es")
    ApiClient(alice).put("/api/v1/reminders", {**FIXED, "message": "¿Un té?"})
    pushed, emailed = send_one(alice)
    assert pushed["title"] == emailed.subject == "¿Un té?"


def test_the_reminders_page_offers_the_default_in_the_page_language(alice) -> None:
    from django.test import Client

    speaks(alice, "es")
    ApiClient(alice).put("/api/v1/reminders", FIXED)
    web = Client()
    web.force_login(alice)
    assert 'value="Thaw: ¿un momento para ti?"' in web.get("/reminders/").content.decode()


@pytest.mark.parametrize("text", ["Revisa tu estado de ánimo", "¿Te sientes entumecida?", "Salud MENTAL"])
def test_spanish_words_that_reveal_what_thaw_is_about_are_refused_in_spanish(alice, text) -> None:
    speaks(alice, "es")
    refused = ApiClient(alice).put("/api/v1/reminders", {**FIXED, "message": text})
    assert refused.status_code == 422
    (error,) = [e["message"] for e in refused.json()["errors"] if e["field"] == "message"]
    assert error.startswith("quita «") and "pantalla de bloqueo" in error


def test_a_cheer_or_a_number_is_not_refused(alice) -> None:
    for text in ("¡Ánimo! ¿Un momento?", "Call number 3"):
        assert ApiClient(alice).put("/api/v1/reminders", {**FIXED, "message": text}).status_code == 200


def test_the_migration_forgets_the_stored_english_default_only(alice, bob) -> None:
    migration = importlib.import_module("thaw.reminders.migrations.0002_default_message_follows_language")
    ReminderPlan.objects.create(person=alice, message="Thaw: a moment for you?")
    ReminderPlan.objects.create(person=bob, message="Tea?")
    migration.forget_stored_default(apps, None)
    assert dict(ReminderPlan.objects.values_list("person__email", "message")) == {
        "alice@example.org": "", "bob@example.org": "Tea?"}
    migration.store_default(apps, None)
    assert ReminderPlan.objects.get(person=alice).message == "Thaw: a moment for you?"


def test_a_person_whose_browser_speaks_spanish_gets_reminders_in_spanish(alice) -> None:
    """No language chosen in the profile: the pages follow the browser, and so does what Thaw
    sends later (before, the Spanish default shown on the page came back as "" and went out in
    English)."""
    assert alice.language == ""
    page = Client()
    page.force_login(alice)
    shown = page.get("/reminders/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert shown.status_code == 200 and "Thaw: ¿un momento para ti?" in shown.content.decode()
    assert ApiClient(alice).put("/api/v1/reminders", {**FIXED, "message": "Thaw: ¿un momento para ti?"}
                                ).status_code == 200
    assert ReminderPlan.objects.get(person=alice).message == ""
    pushed, emailed = send_one(alice)
    assert pushed["title"] == emailed.subject == "Thaw: ¿un momento para ti?"
    page.get("/reminders/", HTTP_ACCEPT_LANGUAGE="en")  # the browser switched back to English
    pushed, emailed = send_one(alice)
    assert pushed["title"] == emailed.subject == "Thaw: a moment for you?"
