"""Questionnaire reminders follow the caseload's rule for "due" (thaw/clinic/cadence.py): the person
is reminded when the care team's caseload shows a questionnaire due, again each time it comes due
again while it is not taken, never twice for the same time, and saving the homework or the plan
again does not make it due again. The reminder's link names no questionnaire."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client

from thaw.assessments.instruments import instruments
from thaw.assessments.services import take
from thaw.clinic import homework
from thaw.clinic import services as clinic
from thaw.clinic.models import Membership, Program
from thaw.reminders import services
from thaw.reminders.models import Prompt, ReminderPlan
from thaw.tasks.worker import run_pending

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def start(alice) -> datetime:
    """10:00 on a weekday in the person's time zone, well in the past: the daytime, so a reminder
    due then goes at once."""
    return datetime.combine(datetime(2026, 3, 2).date(), time(10, 0), tzinfo=alice.tzinfo)


@pytest.fixture
def program(carol):
    program = Program.objects.create(name="Evening IOP", lead=carol)
    Membership.objects.create(program=program, clinician=carol)
    return program


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def remind(moment: datetime) -> list[Prompt]:
    """One worker pass at ``moment``; the questionnaire reminders it made."""
    before = set(Prompt.objects.values_list("pk", flat=True))
    with at(moment):
        services.run_due(moment)
    return list(Prompt.objects.filter(kind="questionnaire").exclude(pk__in=before))


def check_at(person) -> datetime:
    return ReminderPlan.objects.get(person=person).questionnaires_due_at


def caseload_phq9(carol, moment: datetime):
    with at(moment):
        row = next(r for r in clinic.caseload(carol, now=moment, audit=False))
    return next(s for s in row.questionnaires.states if s.instrument == "phq9")


def test_reminders_come_when_the_caseload_says_due_and_again_while_untaken(
        alice, carol, program, start, django_capture_on_commit_callbacks) -> None:
    with at(start), django_capture_on_commit_callbacks(execute=True):
        invite, _ = clinic.invite_person(program, carol)
        clinic.enrol(invite, alice, ["assessments", "flags"])
        homework.assign(alice, program, carol, assessments={"phq9": 7}, note="weekly")
        services.save_plan(alice, {"mode": "off", "questionnaire_reminders": True, "channels": ["email"]})
    first = remind(start + timedelta(minutes=1))
    assert [p.due_at for p in first] == [start], "due from when the team asked: reminded at once"
    # Three days on the clinician saves the same homework again, with a new note.
    with at(start + 3 * DAY), django_capture_on_commit_callbacks(execute=True):
        homework.assign(alice, program, carol, assessments={"phq9": 7}, note="weekly, any time of day")
    assert caseload_phq9(carol, start + 3 * DAY).due_at == start, "the caseload keeps the clock"
    assert remind(start + 3 * DAY + timedelta(hours=1)) == [], "saving the homework again is not a new due time"
    # Not taken: a week after it first came due it comes due again, on the caseload and by reminder.
    assert check_at(alice) == start + 7 * DAY
    assert remind(start + 7 * DAY - timedelta(minutes=1)) == []
    again = remind(start + 7 * DAY)
    assert [p.due_at for p in again] == [start + 7 * DAY]
    state = caseload_phq9(carol, start + 7 * DAY)
    assert state.due and state.due_at == start
    assert remind(start + 8 * DAY) == [], "one reminder per time it comes due"
    assert [p.due_at for p in remind(start + 14 * DAY)] == [start + 14 * DAY]
    # Taken: the next time is a week after that, as the caseload says.
    with at(start + 15 * DAY), django_capture_on_commit_callbacks(execute=True):
        take(alice, "phq9", [0] * 9)
    assert Prompt.objects.get(due_at=start + 14 * DAY).answered_at is not None
    assert caseload_phq9(carol, start + 15 * DAY + timedelta(hours=1)).due_at == start + 22 * DAY
    assert check_at(alice) == start + 22 * DAY
    assert remind(start + 21 * DAY) == []
    assert [p.due_at for p in remind(start + 22 * DAY)] == [start + 22 * DAY]


def test_saving_the_plan_again_does_not_send_the_persons_own_questionnaire_again(
        alice, start, django_capture_on_commit_callbacks) -> None:
    plan = {"mode": "off", "questionnaire_reminders": True, "questionnaires": ["who5"], "channels": ["email"]}
    with at(start):
        services.save_plan(alice, plan)
    assert [p.due_at for p in remind(start + timedelta(minutes=1))] == [start]
    with at(start + 2 * DAY):
        services.save_plan(alice, {**plan, "message": "Tea?"})
    assert remind(start + 2 * DAY + timedelta(hours=1)) == [], "the same choice, saved again"
    with at(start + 3 * DAY):
        services.save_plan(alice, {**plan, "questionnaires": ["who5", "gad7"]})
    assert [p.instrument for p in remind(start + 3 * DAY + timedelta(minutes=1))] == ["gad7"], "a new choice is due"
    assert [p.due_at for p in remind(start + 30 * DAY) if p.instrument == "who5"] == [start + 30 * DAY]


def test_the_reminder_names_no_questionnaire_and_its_link_opens_it_after_sign_in(
        alice, bob, start, django_capture_on_commit_callbacks) -> None:
    with at(start):
        services.save_plan(alice, {"mode": "off", "questionnaire_reminders": True, "questionnaires": ["phq9"],
                                   "channels": ["email"]})
    [prompt] = remind(start + timedelta(minutes=1))
    run_pending(start + timedelta(minutes=2))
    sent = mail.outbox[-1]
    phq9 = instruments()["phq9"]
    text = sent.subject + "\n" + sent.body
    for name in ("phq", "assessment", "questionnaire", phq9.name, phq9.title, phq9.measures):
        assert name.lower() not in text.lower(), name
    link = re.search(r"https?://\S+/reminders/open/\S+", sent.body).group(0)
    path = link[link.index("/reminders/"):]
    assert path == f"/reminders/open/{prompt.id}"
    assert not re.search(r"phq|take", str(services.notification(prompt, "")), re.IGNORECASE), "push: same link"
    web = Client()
    signed_out = web.get(path)
    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/accounts/login/?next=")
    web.force_login(alice)
    opened = web.get(path)
    assert opened.status_code == 302 and opened["Location"] == "/assessments/phq9/take"
    assert web.get(opened["Location"]).status_code == 200
    other = Client()
    other.force_login(bob)
    assert other.get(path).status_code == 404, "another person's reminder is not found"


def test_plans_from_before_the_caseload_rule_are_picked_up_by_the_upgrade(
        alice, start, django_capture_on_commit_callbacks) -> None:
    """The earlier rule left a plan with nothing scheduled once each questionnaire had had one
    reminder, and no record of when the person chose them. The upgrade keeps the plan's last save
    as that start and has the worker look again, so reminders come again while it is untaken."""
    import importlib

    from django.apps import apps

    with at(start):
        services.save_plan(alice, {"mode": "off", "questionnaire_reminders": True, "questionnaires": ["who5"],
                                   "channels": ["email"]})
    assert [p.due_at for p in remind(start + timedelta(minutes=1))] == [start]
    # As the earlier code left it after that one reminder.
    ReminderPlan.objects.filter(person=alice).update(questionnaires_due_at=None, questionnaires_since={},
                                                     updated_at=start)
    assert remind(start + 40 * DAY) == [], "left alone, nobody looks at the plan again"
    with at(start + 40 * DAY):
        importlib.import_module("thaw.reminders.migrations.0003_questionnaires_since").pick_up_plans(apps, None)
    row = ReminderPlan.objects.get(person=alice)
    assert {k: datetime.fromisoformat(v) for k, v in row.questionnaires_since.items()} == {"who5": start}
    assert [p.instrument for p in remind(start + 40 * DAY + timedelta(minutes=1))] == ["who5"], "due and untaken"
    assert check_at(alice) > start + 40 * DAY, "the worker set the real next time"

