"""Erasure: one request, everything gone, sessions and tokens dead, the audit chain intact."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import PASSWORD, ApiClient, checkin_body
from thaw.accounts.models import ApiToken, User
from thaw.assessments.models import Assessment
from thaw.audit.models import AuditEvent, record, verify
from thaw.checkins.models import CheckIn, CheckInEmotion, CheckInTag
from thaw.safety.models import RiskFlag, SafetyPlan
from thaw.safety.services import save_plan

pytestmark = pytest.mark.django_db


def fill(api: ApiClient, person) -> None:
    api.post("/api/v1/checkins", checkin_body(tags=["zebra crossing"]))
    api.post("/api/v1/assessments", {"instrument": "phq9", "answers": [0] * 8 + [1]})
    save_plan(person, {"reasons": "my cat"})


def test_wrong_confirmation_deletes_nothing(api_alice: ApiClient, alice) -> None:
    fill(api_alice, alice)
    response = api_alice.client.delete("/api/v1/me", data='{"confirm": "bob@example.org"}',
                                       content_type="application/json", headers=api_alice.headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "confirm"
    assert User.objects.filter(pk=alice.pk).exists() and CheckIn.objects.count() == 1


def test_erasure_removes_everything_and_kills_tokens_and_sessions(api_alice: ApiClient, api_bob: ApiClient,
                                                                  alice, bob) -> None:
    fill(api_alice, alice)
    fill(api_bob, bob)
    browser = Client()
    browser.force_login(alice)
    record("test.viewed", actor=bob, person=alice)
    response = api_alice.client.delete("/api/v1/me", data='{"confirm": "Alice@Example.org"}',
                                       content_type="application/json", headers=api_alice.headers)
    assert response.status_code == 204
    assert not User.objects.filter(email="alice@example.org").exists()
    for model in (CheckIn, Assessment, SafetyPlan, RiskFlag, ApiToken):
        assert model.objects.count() == (1 if model is not ApiToken else 1), model  # only Bob's remain
    assert not CheckInTag.objects.exclude(checkin__person=bob).exists()
    assert not CheckInEmotion.objects.exclude(checkin__person=bob).exists()
    assert api_alice.get("/api/v1/checkins").status_code == 401
    assert browser.get("/checkins/").status_code == 302
    erased = AuditEvent.objects.get(action="account.erased")
    assert erased.details == {} and erased.person_ref is None and erased.actor_ref is None
    assert not AuditEvent.objects.filter(person_ref=alice.pk).exists()
    assert AuditEvent.objects.filter(person_ref=bob.pk).exists(), "Bob's own records stay"
    assert verify()[0]


def test_erase_page_asks_to_sign_in_again_then_for_the_email(web_alice: Client, alice) -> None:
    stale = web_alice.get("/settings/erase")
    assert stale.status_code == 302 and "/accounts/reauthenticate/" in stale["Location"]
    web_alice.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = web_alice.get("/settings/erase")
    assert page.status_code == 200 and "Delete everything" in page.content.decode()
    wrong = web_alice.post("/settings/erase", {"confirm": "nope@example.org"})
    assert wrong.status_code == 422 and "nothing was deleted" in wrong.content.decode()
    done = web_alice.post("/settings/erase", {"confirm": "alice@example.org"})
    assert done.status_code == 302 and done["Location"] == "/settings/erased"
    assert "Your account is deleted" in web_alice.get("/settings/erased").content.decode()
    assert web_alice.get("/settings/erased")["Location"] == "/", "a reload goes home; nothing is erased twice"
    assert not User.objects.filter(pk=alice.pk).exists()


def test_erasure_forgets_failed_sign_ins(alice) -> None:
    from django.core.cache import cache

    from thaw.accounts.erasure import erase
    from thaw.accounts.throttle import _account_key

    Client().post("/accounts/login/", {"login": "alice@example.org", "password": "wrong password"})
    assert cache.get(_account_key("alice@example.org"))["n"] == 1
    erase(alice)
    assert cache.get(_account_key("alice@example.org")) is None
