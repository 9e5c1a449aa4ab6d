"""The clinician portal: enrolment, who sees what (and nobody else), triage order, flags
and acknowledgement, alerts and escalation in time, and a constant query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.conftest import ApiClient, make_user
from thaw.accounts.models import Role
from thaw.assessments.services import take
from thaw.audit.models import AuditEvent, verify
from thaw.checkins.models import CheckIn
from thaw.checkins.services import create_checkin
from thaw.circle import services as circle
from thaw.circle.models import Grant
from thaw.clinic import services
from thaw.clinic.models import FlagAlert, Membership, Notification, Program
from thaw.clinic.rules import RulesInvalid, parse
from thaw.safety.models import FlagKind, RiskFlag
from thaw.tasks.worker import run_pending

pytestmark = pytest.mark.django_db


def clinician(email: str):
    user = make_user(email, Role.CLINICIAN)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    return user


@pytest.fixture
def clinic(db, carol):
    Authenticator.objects.create(user=carol, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    lead = clinician("lead@clinic.example")
    program = Program.objects.create(name="Virtual IOP", lead=lead, escalate_after_minutes=30)
    Membership.objects.create(program=program, clinician=carol, on_duty=True)
    Membership.objects.create(program=program, clinician=lead)
    other = Program.objects.create(name="Other program")
    erin = clinician("erin@clinic.example")
    Membership.objects.create(program=other, clinician=erin, on_duty=True)
    return {"program": program, "lead": lead, "other": other, "erin": erin}


def enrol(person, program, by, categories=("assessments", "flags", "summary")):
    invite, raw = services.invite_person(program, by)
    return services.enrol(invite, person, list(categories))


def names(rows) -> list[str]:
    return [r.name for r in rows]


def test_enrolment_shares_with_the_care_team_only(clinic, carol, alice, bob, admin) -> None:
    grant = enrol(alice, clinic["program"], carol)
    assert names(services.caseload(carol)) == ["alice@example.org"]
    assert services.caseload(clinic["erin"]) == [], "a clinician of another program sees nothing"
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    for outsider in (bob, admin):
        page = Client()
        page.force_login(outsider)
        assert page.get("/clinic/").status_code == 404
    page = Client()
    page.force_login(clinic["erin"])
    flag = RiskFlag.objects.create(person=alice, kind=FlagKind.CRISIS_LANGUAGE, source="checkin", reason="x")
    assert page.get(f"/clinic/flags/{flag.pk}/").status_code == 404
    circle.revoke(grant)
    assert services.caseload(carol) == [], "ending the enrolment ends access at once"
    page.force_login(carol)
    assert page.get(f"/clinic/flags/{flag.pk}/").status_code == 404


def test_the_minimum_is_assessments_and_flags(clinic, carol, alice) -> None:
    invite, _ = services.invite_person(clinic["program"], carol)
    with pytest.raises(services.FieldErrors) as caught:
        services.enrol(invite, alice, ["summary"])
    assert "categories" in caught.value.errors
    grant = services.enrol(invite, alice, ["assessments", "flags"])
    with pytest.raises(services.FieldErrors):
        circle.update_grant(grant, {"categories": ["assessments"]})
    with pytest.raises(services.FieldErrors):
        services.enrol(invite, alice, ["assessments", "flags"])  # single use


def test_a_clinician_who_leaves_the_team_loses_access(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol)
    Membership.objects.filter(clinician=carol).delete()
    assert services.caseload(carol) == []


def test_triage_sorts_by_need(clinic, carol) -> None:
    now = timezone.now()
    people = {name: make_user(f"{name}@example.org") for name in ("calm", "crisis", "worse", "quiet")}
    for person in people.values():
        enrol(person, clinic["program"], carol)
    Grant.objects.update(accepted_at=now - timedelta(days=30))
    for name in ("calm", "crisis", "worse"):
        CheckIn.objects.create(person=people[name], numbness=3, at=now - timedelta(hours=2))
    CheckIn.objects.create(person=people["quiet"], numbness=3, at=now - timedelta(days=9))
    take(people["worse"], "phq9", [0] * 9)
    take(people["worse"], "phq9", [2] * 8 + [0])  # 0 → 16: reliable deterioration
    take(people["crisis"], "phq9", [1] * 9)  # item 9 answered: a crisis flag
    rows = services.caseload(carol)
    assert names(rows) == ["crisis@example.org", "worse@example.org", "quiet@example.org", "calm@example.org"]
    assert [r.need for r in rows] == ["crisis", "deterioration", "disengagement", ""]
    assert rows[1].scores["phq9"]["arrow"] == "⬆" and rows[1].scores["phq9"]["score"] == 16
    assert names(services.caseload(carol, need="deterioration")) == ["worse@example.org"]


def test_only_granted_columns_are_filled(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol, categories=("assessments", "flags"))
    CheckIn.objects.create(person=alice, numbness=9)
    (row,) = services.caseload(carol)
    assert row.adherence is None and row.days == [] and not row.sees_checkins
    page = Client()
    page.force_login(carol)
    html = page.get("/clinic/").content.decode()
    assert "not shared" in html


def test_acknowledging_a_flag_needs_a_note_is_encrypted_and_audited(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol)
    take(alice, "phq9", [0] * 8 + [2])
    flag = RiskFlag.objects.get(person=alice)
    page = Client()
    page.force_login(carol)
    response = page.post(f"/clinic/flags/{flag.pk}/", {"note": ""})
    assert response.status_code == 400
    response = page.post(f"/clinic/flags/{flag.pk}/", {"note": "Called her, safety plan reviewed (ack-9917)"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.acknowledged_by == carol and flag.acknowledgement.endswith("(ack-9917)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT acknowledgement FROM safety_riskflag WHERE id = %s", [flag.pk])
        assert "ack-9917" not in cursor.fetchone()[0]
    assert AuditEvent.objects.filter(action="risk_flag.acknowledged", person_ref=alice.pk).exists()
    assert services.caseload(carol)[0].flags == []


def test_one_flag_per_critical_answer(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol)
    take(alice, "phq9", [0] * 8 + [3])
    assert RiskFlag.objects.filter(person=alice, kind=FlagKind.ASSESSMENT_ITEM).count() == 1


def test_a_crisis_flag_alerts_on_duty_and_escalates_to_the_lead_in_time(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        create_checkin(alice, {"emotions": [{"word": "hopeless", "intensity": 9}], "numbness": 8,
                               "note": "I want to end my life"})
        assert list(Notification.objects.values_list("user__email", flat=True)) == ["carol@clinic.example"]
        run_pending()
        assert [m.to for m in mail.outbox] == [["carol@clinic.example"]]
        assert "end my life" not in mail.outbox[0].body and "alice" not in mail.outbox[0].body
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert services.run_escalations(timezone.now()) == 0
        assert not Notification.objects.filter(user=clinic["lead"]).exists()
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        run_pending()  # the worker's periodic escalation task
        assert Notification.objects.filter(user=clinic["lead"], kind=Notification.ESCALATED).count() == 1
        assert FlagAlert.objects.get().escalated_at == timezone.now()
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        assert services.run_escalations(timezone.now()) == 0, "escalated once"


def test_an_acknowledged_flag_is_not_escalated(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        take(alice, "phq9", [0] * 8 + [1])
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        services.acknowledge(RiskFlag.objects.get(person=alice), carol, "Spoke with her")
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        assert services.run_escalations(timezone.now()) == 0


def test_disengagement_rule_flags_quiet_people_once_per_quiet_spell(clinic, carol, alice) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        enrol(alice, clinic["program"], carol)
        CheckIn.objects.create(person=alice, numbness=2)
    now = timezone.now()
    assert services.run_disengagement(now) == 1
    assert services.run_disengagement(now + timedelta(hours=1)) == 0
    flag = RiskFlag.objects.get(person=alice)
    assert flag.kind == FlagKind.DISENGAGEMENT
    assert Notification.objects.count() == 0, "only crisis flags page the on-duty clinician"
    services.acknowledge(flag, carol, "Sent a message")
    assert services.run_disengagement(now + timedelta(days=1)) == 0, "the same quiet spell: no new flag"
    CheckIn.objects.create(person=alice, numbness=2, at=now + timedelta(days=2))
    assert services.run_disengagement(now + timedelta(days=8)) == 1, "a new quiet spell"


def test_disengagement_needs_shared_check_ins(clinic, carol, alice) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        enrol(alice, clinic["program"], carol, categories=("assessments", "flags"))
    assert services.run_disengagement(timezone.now()) == 0, "would reveal check-in activity not shared"
    (row,) = services.caseload(carol)
    assert row.need == ""


def test_a_newcomer_without_check_ins_is_not_disengaged(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol)
    assert services.caseload(carol)[0].need == ""


def test_crisis_rows_wait_by_their_crisis_flag(clinic, carol) -> None:
    now = timezone.now()
    old_quiet, fresh = make_user("old@example.org"), make_user("fresh@example.org")
    for person in (old_quiet, fresh):
        enrol(person, clinic["program"], carol)
    RiskFlag.objects.create(person=old_quiet, kind=FlagKind.DISENGAGEMENT, source="x", reason="x",
                            created_at=now - timedelta(days=10))
    RiskFlag.objects.create(person=old_quiet, kind=FlagKind.CRISIS_LANGUAGE, source="x", reason="x",
                            created_at=now - timedelta(minutes=1))
    RiskFlag.objects.create(person=fresh, kind=FlagKind.CRISIS_LANGUAGE, source="x", reason="x",
                            created_at=now - timedelta(hours=2))
    assert names(services.caseload(carol)) == ["fresh@example.org", "old@example.org"]


def test_a_crisis_flag_reaches_someone_without_anyone_on_duty_or_a_lead(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol)
    Membership.objects.update(on_duty=False)
    take(alice, "phq9", [0] * 8 + [1])
    assert list(Notification.objects.values_list("user__email", flat=True)) == ["lead@clinic.example"]
    Notification.objects.all().delete()
    program = clinic["program"]
    program.lead = None
    program.save()
    RiskFlag.objects.filter(person=alice).update(acknowledged_at=timezone.now())
    take(alice, "phq9", [0] * 8 + [2])
    assert sorted(Notification.objects.values_list("user__email", flat=True)) == [
        "carol@clinic.example", "lead@clinic.example"], "no lead: the whole care team"
    later = timezone.now() + timedelta(hours=1)
    assert services.run_escalations(later) == 1
    assert Notification.objects.filter(kind=Notification.ESCALATED).count() == 2


def test_the_caseload_query_count_does_not_grow(clinic, carol) -> None:
    def load(n: int) -> int:
        for k in range(n):
            person = make_user(f"p{n}-{k}@example.org")
            enrol(person, clinic["program"], carol, categories=("assessments", "flags", "summary"))
            CheckIn.objects.create(person=person, numbness=k % 11)
            take(person, "phq9", [k % 4] * 8 + [0])
            if k % 3 == 0:
                RiskFlag.objects.create(person=person, kind=FlagKind.DISENGAGEMENT, source="x", reason="x")
        with CaptureQueriesContext(connection) as queries:
            rows = services.caseload(carol)
        assert len(rows) >= n
        return len(queries)

    small = load(3)
    large = load(25)
    assert small == large, (small, large)
    assert verify()[0], "the bulk audit keeps the chain intact"


def test_every_person_shown_is_audited(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol)
    services.caseload(carol)
    event = AuditEvent.objects.get(action="data.viewed", person_ref=alice.pk)
    assert event.actor_ref == carol.pk and event.details["category"] == "caseload"
    page = Client()
    page.force_login(alice)
    assert "(your care team)" in page.get("/circle/").content.decode()


def test_risk_rules_file_is_validated() -> None:
    with pytest.raises(RulesInvalid, match="unknown key"):
        parse('[[rule]]\nid="a"\nkind="disengagement"\nseverity="disengagement"\nlabel="x"\ndays=3\ncolour=1\n')
    with pytest.raises(RulesInvalid, match="days"):
        parse('[[rule]]\nid="a"\nkind="disengagement"\nseverity="disengagement"\nlabel="x"\ndays=0\n')
    with pytest.raises(RulesInvalid, match="severity"):
        parse('[[rule]]\nid="a"\nkind="crisis_language"\nseverity="mild"\nlabel="x"\n')


def test_the_person_can_see_and_end_the_enrolment(clinic, carol, alice) -> None:
    grant = enrol(alice, clinic["program"], carol)
    client = ApiClient(alice)
    listed = client.get("/api/v1/grants").json()
    assert listed[0]["name"] == "Virtual IOP" and listed[0]["state"] == "active"
    assert client.delete(f"/api/v1/grants/{grant.pk}").status_code == 204
    assert services.caseload(carol) == []


def test_enrol_page_keeps_choices_and_needs_sign_in(clinic, carol, alice) -> None:
    _, raw = services.invite_person(clinic["program"], carol)
    anonymous = Client().get(f"/enrol/{raw}/")
    assert anonymous.status_code == 200 and "Create an account" in anonymous.content.decode()
    page = Client()
    page.force_login(alice)
    bad = page.post(f"/enrol/{raw}/", {"categories": ["summary"]})
    assert bad.status_code == 400 and "at least your questionnaire scores" in bad.content.decode()
    ok = page.post(f"/enrol/{raw}/", {"categories": ["assessments", "flags", "summary"]})
    assert ok.status_code == 302
    assert Client().get(f"/enrol/{raw}/").status_code == 404, "used once"


def test_odd_input_gets_a_clear_answer_not_a_500(clinic, carol, alice, admin) -> None:
    huge = "99999999999999999999"
    api = ApiClient(carol)
    assert api.get("/api/v1/clinic/caseload", program=huge).status_code == 422
    assert api.post(f"/api/v1/clinic/flags/{huge}/acknowledge", {"note": "x"}).status_code == 404
    page = Client()
    page.force_login(carol)
    assert page.get(f"/clinic/flags/{huge}/").status_code == 404
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    page.force_login(admin)
    assert page.post(f"/clinic/programs/{clinic['program'].pk}/", {"remove": "abc"}).status_code == 302
    assert ApiClient(alice).get("/api/v1/substance-use/review", week="0001-01-01").status_code == 422


def test_the_caseload_shows_each_persons_language(clinic, carol, alice, bob) -> None:
    from thaw.clinic.render import rows_html

    alice.language = "es"
    alice.save(update_fields=["language"])
    enrol(alice, clinic["program"], carol)
    enrol(bob, clinic["program"], carol)
    rows = {row.name: row for row in services.caseload(carol)}
    assert rows["alice@example.org"].language == "es" and rows["bob@example.org"].language == ""
    html = rows_html(rows.values(), [])
    assert '<span class="language" lang="es">Español</span>' in html
    assert "language: their browser’s" in html


def test_the_caseload_shows_the_language_a_person_last_read_thaw_in(clinic, carol, alice, bob) -> None:
    """Alice's profile follows her browser, and she last read Thaw in Spanish: that is the language
    Thaw writes to her in, so it is the one her care team sees (not "their browser's")."""
    from thaw.clinic.render import rows_html

    alice.last_language = "es"
    alice.save(update_fields=["last_language"])
    enrol(alice, clinic["program"], carol)
    enrol(bob, clinic["program"], carol)
    rows = {row.name: row for row in services.caseload(carol)}
    alice_row = rows_html([rows["alice@example.org"]], [])
    assert '<span class="language" lang="es">Español</span>' in alice_row
    assert "their browser" not in alice_row
    assert "language: their browser’s" in rows_html([rows["bob@example.org"]], []), "Bob has never been seen"
    listed = {r["name"]: r for r in ApiClient(carol).get("/api/v1/clinic/caseload").json()}
    assert listed["alice@example.org"]["language"] is None and listed["alice@example.org"]["last_language"] == "es"
    assert listed["bob@example.org"]["last_language"] is None


def test_crisis_alerts_are_written_in_each_clinicians_language(clinic, carol, alice) -> None:
    """Carol reads Spanish, the lead English: each gets the alert (in Thaw and by email) in their
    own language, and the stored alert is no English sentence: Carol's page shows it in Spanish,
    with no note text in any of it."""
    carol.language = "es"
    carol.save()
    enrol(alice, clinic["program"], carol)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        create_checkin(alice, {"emotions": [{"word": "hopeless", "intensity": 9}], "numbness": 8,
                               "note": "I want to end my life"})
        run_pending()
    assert [m.to for m in mail.outbox] == [["carol@clinic.example"]]
    assert mail.outbox[0].subject == "Thaw: Nueva señal de crisis en Virtual IOP"
    assert "Abre Thaw para revisarla:" in mail.outbox[0].body
    stored = Notification.objects.get(user=carol)
    assert stored.text == "" and stored.params == {"program": "Virtual IOP"}, "what happened, not an English sentence"
    page = Client()
    page.force_login(carol)
    alerts = page.get("/clinic/").content.decode()
    assert "Nueva señal de crisis en Virtual IOP" in alerts and "New crisis flag" not in alerts
    assert [n["text"] for n in page.get("/api/v1/clinic/notifications").json()] == ["Nueva señal de crisis en Virtual IOP"]
    mail.outbox.clear()
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert services.run_escalations(timezone.now()) == 1
        run_pending()
    (escalation,) = mail.outbox
    assert escalation.to == ["lead@clinic.example"]
    assert escalation.subject == ("Thaw: Escalated: a crisis flag in Virtual IOP is unacknowledged after 30 minutes")
    lead = Notification.objects.get(user=clinic["lead"])
    with translation.override("es"):
        assert lead.shown() == "Escalada: una señal de crisis en Virtual IOP lleva 30 minutos sin atender"
    for message in [*mail.outbox, escalation]:
        assert "end my life" not in message.body and "alice" not in message.body


def test_a_day_of_unrated_check_ins_shows_as_activity_without_a_mean(clinic, carol, alice, bob) -> None:
    """Numbness is optional: a day whose check-ins all left it unrated is a check-in day (last
    activity, check-in days of 7, not quiet) with no point on the sparkline; the rated day keeps
    its mean."""
    enrol(alice, clinic["program"], carol)
    enrol(bob, clinic["program"], carol)
    now = timezone.now()
    CheckIn.objects.create(person=alice, numbness=6, at=now - timedelta(days=3))
    CheckIn.objects.create(person=alice, numbness=None, at=now - timedelta(minutes=5))
    CheckIn.objects.create(person=bob, numbness=None, at=now - timedelta(hours=1))
    rows = {r.name: r for r in services.caseload(carol)}
    alice_row, bob_row = rows[alice.email], rows[bob.email]
    assert alice_row.days[-4] == 6.0 and alice_row.days[-1] is None
    assert alice_row.last_activity > now - timedelta(minutes=6)
    assert alice_row.numb_recent == 6.0 and alice_row.adherence == 2  # two days checked in, one rated
    assert bob_row.days == [None] * 14 and bob_row.numb_recent is None and bob_row.adherence == 1
    assert bob_row.last_activity > now - timedelta(hours=2) and bob_row.need == ""
    page = Client()
    page.force_login(carol)
    assert page.get("/clinic/").status_code == 200
