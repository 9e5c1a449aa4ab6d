"""The caseload shows the questionnaires the care team set as homework: how many are due, which
are overdue (due for more than 2 days), and completion over the last 30 days, on the page (table
and phone card alike) and in the API, for the whole caseload in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import ApiClient, make_user
from thaw.accounts.models import Role
from thaw.assessments.services import take
from thaw.clinic import homework, services
from thaw.clinic.models import Membership, Program

pytestmark = pytest.mark.django_db

ANSWERS = {"phq9": [0] * 9, "gad7": [0] * 7}
NOW = timezone.now()


def ago(days: float):
    return NOW - timedelta(days=days)


@pytest.fixture
def program(carol):
    Authenticator.objects.create(user=carol, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    program = Program.objects.create(name="Virtual IOP", lead=carol)
    Membership.objects.create(program=program, clinician=carol, on_duty=True)
    return program


def enrol(person, program, clinician):
    invite, _ = services.invite_person(program, clinician)
    return services.enrol(invite, person, ["assessments", "flags", "summary"])


def assign(person, program, clinician, when, **cadence):
    with time_machine.travel(when, tick=False):
        homework.assign(person, program, clinician, assessments=cadence, note="between sessions")


def taken(person, instrument, *days_ago):
    for days in days_ago:
        with time_machine.travel(ago(days), tick=False):
            take(person, instrument, ANSWERS[instrument])


@pytest.fixture
def caseload(program, carol):
    """Four people: one with a questionnaire due, one overdue, one who kept up, one without homework."""
    people = {name: make_user(f"{name}@example.org") for name in ("dana", "erik", "fay", "gus")}
    for person in people.values():
        enrol(person, program, carol)
    # Dana: PHQ-9 every 14 days, taken 29 and 15 days ago: due since yesterday (not late yet).
    assign(people["dana"], program, carol, ago(40), phq9=14)
    taken(people["dana"], "phq9", 29, 15)
    # Erik: PHQ-9 every 7 days since 20 days ago, never taken (the homework saved again yesterday
    # does not restart the clock), and GAD-7 every 30 days, taken 3 days ago.
    assign(people["erik"], program, carol, ago(20), phq9=7)
    assign(people["erik"], program, carol, ago(1), phq9=7, gad7=30)
    taken(people["erik"], "gad7", 3)
    # Fay: GAD-7 every 7 days, taken on time for the month.
    assign(people["fay"], program, carol, ago(45), gad7=7)
    taken(people["fay"], "gad7", 34, 27, 20, 13, 6)
    # Gus: no homework here; another program's homework is not this care team's.
    other = Program.objects.create(name="Other program")
    erin = make_user("erin@clinic.example", Role.CLINICIAN)
    Membership.objects.create(program=other, clinician=erin)
    enrol(people["gus"], other, erin)
    assign(people["gus"], other, erin, ago(30), phq9=7)
    return people


def row_html(html: str, person) -> str:
    found = re.search(rf'<tr class="need-[a-z]+" data-person="{person.pk}">(.*?)</tr>', html, re.S)
    assert found, f"no caseload row for {person.email}"
    return found.group(1)


def questionnaire_cell(html: str, person) -> str:
    cell = re.search(r'<td><span class="cell-label">(?:Questionnaires due|Cuestionarios pendientes)</span><div class="cell-value">(.*?)</div></td>',
                     row_html(html, person), re.S)
    assert cell, "every row has the column, named for the phone card"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell.group(1))).strip()


def page(clinician) -> str:
    client = Client()
    client.force_login(clinician)
    response = client.get("/clinic/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_caseload_page_shows_due_overdue_and_completion(caseload, carol) -> None:
    html = page(carol)
    assert '<th scope="col">Questionnaires due</th>' in html
    assert questionnaire_cell(html, caseload["dana"]) == "1 due PHQ-9 Last 30 days: 1 of 1 done (100%)"
    assert questionnaire_cell(html, caseload["erik"]) == "1 due, 1 overdue PHQ-9 (overdue) Last 30 days: 0 of 3 done (0%)"
    assert questionnaire_cell(html, caseload["fay"]) == "none due Last 30 days: 4 of 4 done (100%)"
    assert questionnaire_cell(html, caseload["gus"]) == "– none set as homework"
    assert "more than 2 days" in html, "the page says what overdue means"


def test_the_caseload_speaks_the_clinicians_language(caseload, carol) -> None:
    carol.language = "es"
    carol.save(update_fields=["language"])
    html = page(carol)
    assert '<th scope="col">Cuestionarios pendientes</th>' in html
    assert questionnaire_cell(html, caseload["erik"]) == (
        "1 pendiente, 1 atrasado PHQ-9 (atrasado) Últimos 30 días: 0 de 3 hechos (0 %)")
    assert questionnaire_cell(html, caseload["fay"]) == "ninguno pendiente Últimos 30 días: 4 de 4 hechos (100 %)"
    assert questionnaire_cell(html, caseload["gus"]) == "– ninguno puesto como tarea"


def test_the_api_adds_the_questionnaire_fields(caseload, carol) -> None:
    response = ApiClient(carol).get("/api/v1/clinic/caseload")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()}
    dana, erik, fay, gus = (rows[f"{n}@example.org"] for n in ("dana", "erik", "fay", "gus"))
    assert set(dana) >= {"person", "scores", "numbness_daily", "checkin_days_last_7", "open_flags"}, "nothing renamed"
    assert (dana["questionnaires_due"], dana["questionnaires_overdue"], dana["questionnaire_completion_30d"]) == (1, 0, 100)
    assert dana["questionnaires"] == [{"instrument": "phq9", "every_days": 14, "due_at": dana["questionnaires"][0]["due_at"],
                                       "due": True, "overdue": False}]
    assert timedelta(0) < timezone.now() - datetime.fromisoformat(dana["questionnaires"][0]["due_at"]) < timedelta(days=2)
    assert (erik["questionnaires_due"], erik["questionnaires_overdue"]) == (1, 1)
    assert (erik["questionnaires_came_due_30d"], erik["questionnaires_completed_30d"],
            erik["questionnaire_completion_30d"]) == (3, 0, 0)
    assert [(q["instrument"], q["every_days"], q["due"], q["overdue"]) for q in erik["questionnaires"]] == [
        ("phq9", 7, True, True), ("gad7", 30, False, False)]
    assert (fay["questionnaires_due"], fay["questionnaires_came_due_30d"], fay["questionnaire_completion_30d"]) == (0, 4, 100)
    assert gus["questionnaires"] == [] and gus["questionnaires_due"] == 0
    assert gus["questionnaire_completion_30d"] is None, "none came due: no figure, not 0 %"


def test_the_query_count_does_not_grow_with_homework(program, carol) -> None:
    def load(n: int) -> int:
        for k in range(n):
            person = make_user(f"q{n}-{k}@example.org")
            enrol(person, program, carol)
            assign(person, program, carol, ago(40 + k % 5), phq9=7 + k % 3, gad7=14)
            assign(person, program, carol, ago(10), phq9=7 + k % 3, gad7=14)
            taken(person, "phq9", 33 - k % 4, 12)
            taken(person, "gad7", 50)
        with CaptureQueriesContext(connection) as queries:
            rows = services.caseload(carol)
        assert len(rows) >= n and all(r.questionnaires and r.questionnaires.states for r in rows)
        return len(queries)

    assert load(3) == load(25)
