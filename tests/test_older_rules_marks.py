"""Issue 12, section 3: results scored under Thaw's first rules are never re-scored, and every
place that shows one says so. A version-1 GAD-7 change from 12 to 7 reads "recovered" (the
published rules call it "no reliable change"); wherever that status is shown (the person's own
pages, the clinician's caseload, person page and "since last session", the trusted person's
page and API) it carries the same "rules v1" mark and the note saying what the mark means,
and a result scored under the current rules carries neither."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.utils import timezone

from tests.conftest import ApiClient, make_user
from thaw.assessments.models import Assessment
from thaw.assessments.services import take
from thaw.circle import services as circle
from thaw.circle.models import Grant
from thaw.clinic import services as clinic_services
from thaw.clinic.models import Membership, Program

pytestmark = pytest.mark.django_db

MARK = '<span class="hint rules-mark">· rules v1</span>'
NOTE = "Results marked “rules v1” were scored with Thaw&#x27;s first scoring rules"


@pytest.fixture
def history(alice):
    """GAD-7 12 then 7 under the first rules ("recovered" then), and a PHQ-9 under the current ones."""
    now = timezone.now()
    Assessment.objects.create(person=alice, instrument="gad7", answers=[2, 2, 2, 2, 2, 1, 1], score=12,
                              band="moderate", rules_version=1, taken_at=now - timedelta(days=20),
                              created_at=now - timedelta(days=20))
    Assessment.objects.create(person=alice, instrument="gad7", answers=[1] * 7, score=7, band="mild",
                              previous_score=12, change_status="recovered", rules_version=1,
                              taken_at=now - timedelta(days=2), created_at=now - timedelta(days=2))
    take(alice, "phq9", [1] * 8 + [0])
    return alice


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def marked_once(fragment: str) -> bool:
    return fragment.count(MARK) == 1


@pytest.fixture
def carol_sees_alice(carol, history):
    Authenticator.objects.create(user=carol, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    program = Program.objects.create(name="Virtual IOP")
    Membership.objects.create(program=program, clinician=carol)
    invite, _ = clinic_services.invite_person(program, carol)
    grant = clinic_services.enrol(invite, history, ["assessments", "flags"])
    Grant.objects.filter(pk=grant.pk).update(accepted_at=timezone.now() - timedelta(days=30))
    return signed_in(carol)


# --- the clinician ---------------------------------------------------------------------------

def test_since_last_session_marks_a_status_from_the_first_rules(carol_sees_alice, alice) -> None:
    html = carol_sees_alice.get(f"/clinic/people/{alice.pk}/").content.decode()
    since = html.split('id="since"')[1].split("</section>")[0]
    scores = since.split('id="since-scores"')[1].split("</dd>")[0]
    gad7, phq9 = scores.split('<p class="hint older-rules">')[0].split("<br>")
    assert "GAD-7" in gad7 and "recovered" in gad7 and marked_once(gad7)
    assert "PHQ-9" in phq9 and "rules v" not in phq9, "scored under the current rules: no mark"
    assert NOTE in since


def test_the_person_page_marks_the_latest_status_beside_it(carol_sees_alice, alice) -> None:
    html = carol_sees_alice.get(f"/clinic/people/{alice.pk}/").content.decode()
    scores = html.split('id="scores"')[1].split("</section>")[0]
    gad7 = next(f for f in scores.split("<figure") if "<h3>GAD-7</h3>" in f)
    phq9 = next(f for f in scores.split("<figure") if "<h3>PHQ-9</h3>" in f)
    latest_line = gad7.split("<p>")[1].split("</p>")[0]
    assert "recovered" in latest_line and marked_once(latest_line)
    assert NOTE in gad7
    assert "rules v" not in phq9 and NOTE not in phq9


def test_the_caseload_marks_a_score_from_the_first_rules(carol_sees_alice, carol, alice) -> None:
    html = carol_sees_alice.get("/clinic/").content.decode()
    row = html.split(f'data-person="{alice.pk}"')[1].split("</tr>")[0]
    cells = dict(re.findall(r'<span class="cell-label">(\w+)</span><div class="cell-value">(.*?)</div></td>', row))
    assert "recovered" in cells["GAD7"] and marked_once(cells["GAD7"])
    assert "rules v" not in cells["PHQ9"]
    assert NOTE in html
    (api_row,) = ApiClient(carol).get("/api/v1/clinic/caseload").json()
    assert api_row["scores"]["gad7"]["status"] == "recovered" and api_row["scores"]["gad7"]["rules_version"] == 1
    assert api_row["scores"]["phq9"]["rules_version"] == 2


def test_a_caseload_scored_under_the_current_rules_has_no_note(carol, bob) -> None:
    Authenticator.objects.create(user=carol, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    program = Program.objects.create(name="Virtual IOP")
    Membership.objects.create(program=program, clinician=carol)
    invite, _ = clinic_services.invite_person(program, carol)
    clinic_services.enrol(invite, bob, ["assessments", "flags"])
    take(bob, "gad7", [2] * 7)
    html = signed_in(carol).get("/clinic/").content.decode()
    assert "rules v" not in html and NOTE not in html


# --- the trusted person ----------------------------------------------------------------------

def test_the_trusted_person_sees_which_rules_scored_each_result(history, alice) -> None:
    sam = make_user("sam@example.org")
    grant, _ = circle.create_grant(alice, {"name": "Sam", "categories": ["assessments"], "until": None})
    circle.accept(grant, sam)
    html = signed_in(sam).get(f"/shared/{alice.pk}/").content.decode()
    shown = html.split('id="shared-assessments"')[1].split("</section>")[0]
    items = re.findall(r"<li>(.*?)</li>", shown)
    gad7_recovered = next(i for i in items if i.startswith("GAD7: 7"))
    gad7_first = next(i for i in items if i.startswith("GAD7: 12"))
    phq9 = next(i for i in items if i.startswith("PHQ9"))
    assert "recovered" in gad7_recovered and marked_once(gad7_recovered)
    assert marked_once(gad7_first), "its band came from the first rules too"
    assert "rules v" not in phq9
    assert NOTE in shown

    body = ApiClient(sam).get(f"/api/v1/shared/{alice.pk}/assessments").json()
    assert sorted((a["instrument"], a["score"], a["rules_version"]) for a in body) == [
        ("gad7", 7, 1), ("gad7", 12, 1), ("phq9", 8, 2)]


# --- the person ------------------------------------------------------------------------------

def test_the_persons_own_questionnaire_list_marks_the_last_status(history, alice) -> None:
    html = signed_in(alice).get("/assessments/").content.decode()
    cards = html.split('<li class="card">')
    gad7 = next(c for c in cards if "<h2>GAD-7" in c)
    phq9 = next(c for c in cards if "<h2>PHQ-9" in c)
    last = gad7.split("<p>")[1].split("</p>")[0]
    assert "recovered" in last and marked_once(last)
    assert NOTE in html
    assert "rules v" not in phq9


def test_the_persons_history_and_report_use_the_same_mark_and_note(history, alice) -> None:
    page = signed_in(alice)
    results = page.get("/assessments/gad7/").content.decode()
    assert results.count(MARK) == 2 and NOTE in results and "never re-scored" in results
    report = page.get("/report/").content.decode()
    assert report.count(MARK) == 2 and NOTE in report


def test_the_mark_and_note_are_in_the_readers_language(carol_sees_alice, carol, alice) -> None:
    carol.language = "es"
    carol.save(update_fields=["language"])
    html = carol_sees_alice.get("/clinic/").content.decode()
    row = html.split(f'data-person="{alice.pk}"')[1].split("</tr>")[0]
    assert '<span class="hint rules-mark">· reglas v1</span>' in row
    assert "Los resultados marcados “reglas v1” se puntuaron con las primeras reglas de Thaw" in html
    assert "rules v1" not in html
