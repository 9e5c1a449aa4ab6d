"""The audit trail: recorded, person-visible, hash-chained, tamper-evident, redactable."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import PASSWORD, ApiClient
from tests.support import isolated_env, thaw
from thaw.audit.models import AuditEvent, record, redact_person, verify

pytestmark = pytest.mark.django_db


def test_chain_verifies_and_detects_a_changed_event(alice, bob) -> None:
    for n in range(5):
        record("test.event", actor=bob, person=alice, n=n)
    assert verify() == (True, 5, "")
    AuditEvent.objects.filter(details__n=2).update(details={"n": 99})
    intact, checked, problem = verify()
    assert not intact and checked == 2 and "changed" in problem


def test_chain_detects_a_deleted_event(alice) -> None:
    events = [record("test.event", person=alice, n=n) for n in range(4)]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    intact, _, problem = verify()
    assert not intact and "deleted or reordered" in problem


def test_events_are_append_only(alice) -> None:
    event = record("test.event", person=alice)
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_redaction_keeps_the_chain_verifiable(alice, bob) -> None:
    record("test.event", actor=alice, person=alice, ip="10.0.0.1")
    record("test.event", actor=bob, person=bob, ip="10.0.0.2")
    assert redact_person(alice.pk) == 1
    assert verify()[0]
    redacted = AuditEvent.objects.get(redacted=True)
    assert redacted.details == {} and redacted.person_ref is None and redacted.actor_ref is None


def test_sign_in_and_failed_sign_in_are_recorded(alice) -> None:
    client = Client()
    client.post("/accounts/login/", {"login": "alice@example.org", "password": "wrong password"})
    client.post("/accounts/login/", {"login": "alice@example.org", "password": PASSWORD})
    actions = list(AuditEvent.objects.filter(person_ref=alice.pk).values_list("action", flat=True))
    assert actions == ["account.sign_in_failed", "account.signed_in"]
    assert AuditEvent.objects.filter(action="account.signed_in").get().details["ip"] == "127.0.0.1"
    assert verify()[0]


def test_person_sees_their_own_audit_and_no_one_elses(api_alice: ApiClient, api_bob: ApiClient, alice, bob) -> None:
    api_alice.post("/api/v1/assessments", {"instrument": "phq9", "answers": [0] * 8 + [2]})
    record("test.viewed", actor=bob, person=alice, what="weekly summary")
    mine = api_alice.get("/api/v1/audit").json()["items"]
    assert [e["action"] for e in mine] == ["test.viewed", "risk_flag.raised"]
    assert mine[0]["by"].startswith("person ") and mine[1]["by"] == "Thaw"
    assert api_bob.get("/api/v1/audit").json()["items"] == []
    assert ApiClient(None).get("/api/v1/audit").status_code == 401


def test_cli_audit_verify(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        env["THAW_PASSWORD"] = "a calm, long passphrase"
        assert thaw("user", "add", "au@example.org", env=env).returncode == 0
        script = ("from thaw.audit.models import record; from thaw.accounts.models import User; "
                  "u = User.objects.get(); [record('test.event', person=u, n=i) for i in range(3)]")
        assert thaw("manage", "shell", "--no-imports", "-c", script, env=env).returncode == 0
        ok = thaw("audit", "verify", env=env)
        assert ok.returncode == 0 and "3 event(s)" in ok.stdout
        tamper = "from thaw.audit.models import AuditEvent; AuditEvent.objects.filter(details__n=1).update(action='x')"
        assert thaw("manage", "shell", "--no-imports", "-c", tamper, env=env).returncode == 0
        broken = thaw("audit", "verify", env=env)
        assert broken.returncode == 1 and "BROKEN" in broken.stderr


def test_redaction_keeps_other_peoples_trail_and_salts(alice, bob) -> None:
    record("data.viewed", actor=bob, person=alice, category="checkins")
    mine = record("account.signed_in", actor=bob, person=bob, ip="10.0.0.9")
    assert len(mine.salt) == 32
    redact_person(bob.pk)
    viewed = AuditEvent.objects.get(action="data.viewed")
    assert viewed.person_ref == alice.pk and viewed.actor_ref is None and viewed.redacted
    gone = AuditEvent.objects.get(action="account.signed_in")
    assert gone.person_ref is None and gone.details == {} and gone.salt == ""
    assert verify()[0]
