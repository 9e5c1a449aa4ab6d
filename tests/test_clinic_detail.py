"""The clinician's person-detail page: only granted sections, every look audited, 404 for
everyone else; "since last session" on planted data; homework from form to home page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.utils import timezone

from tests.conftest import make_user
from thaw.accounts.models import Role
from thaw.assessments.models import Assessment
from thaw.assessments.services import take
from thaw.audit.models import AuditEvent
from thaw.checkins.models import CheckIn
from thaw.circle import services as circle
from thaw.circle.models import Grant
from thaw.clinic import services, summary
from thaw.clinic.models import Homework, Membership, Program
from thaw.grounding.models import GroundingSession
from thaw.safety.models import FlagKind, RiskFlag
from thaw.substances.models import SubstanceUse

pytestmark = pytest.mark.django_db

ALL_SECTIONS = {"since", "scores", "numbness", "granularity", "patterns", "grounding", "substances", "homework"}


def with_2fa(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    return user


@pytest.fixture
def clinic(db, carol):
    with_2fa(carol)
    program = Program.objects.create(name="Virtual IOP")
    Membership.objects.create(program=program, clinician=carol)
    other = Program.objects.create(name="Other program")
    erin = with_2fa(make_user("erin@clinic.example", Role.CLINICIAN))
    Membership.objects.create(program=other, clinician=erin)
    return {"program": program, "other": other, "erin": erin}


def enrol(person, program, by, categories=("assessments", "flags")):
    invite, _ = services.invite_person(program, by)
    return services.enrol(invite, person, list(categories))


def page_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def section_ids(html: str) -> set[str]:
    return set(re.findall(r'<section class="card" id="([a-z-]+)"', html))


def url(person) -> str:
    return f"/clinic/people/{person.pk}/"


# --- what is shown, and to whom -------------------------------------------------------------

def test_only_granted_sections_are_shown(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol)
    take(alice, "phq9", [1] * 8 + [0])
    CheckIn.objects.create(person=alice, numbness=8)
    response = page_of(carol).get(url(alice))
    assert response.status_code == 200
    html = response.content.decode()
    assert section_ids(html) == {"since", "scores", "homework"}
    assert 'id="open-flags"' in html
    assert "not shared" in html
    assert '<svg class="trend"' in html and 'id="chart-title-phq9"' in html


def test_everything_shared_shows_every_section(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol,
          categories=("assessments", "flags", "summary", "checkins", "grounding", "substances", "notes"))
    html = page_of(carol).get(url(alice)).content.decode()
    assert section_ids(html) == ALL_SECTIONS
    assert "not shared" not in html


def test_each_category_shown_is_audited(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol, categories=("assessments", "flags", "summary", "grounding"))
    page_of(carol).get(url(alice))
    seen = set(AuditEvent.objects.filter(action="data.viewed", actor_ref=carol.pk, person_ref=alice.pk)
               .values_list("details__category", flat=True))
    assert seen == {"assessments", "flags", "summary", "grounding"}


def test_nobody_else_gets_the_page(clinic, carol, alice, bob, admin) -> None:
    grant = enrol(alice, clinic["program"], carol)
    assert page_of(carol).get(url(alice)).status_code == 200
    with_2fa(admin)
    for outsider in (clinic["erin"], admin, bob, alice):
        client = page_of(outsider)
        assert client.get(url(alice)).status_code == 404, outsider.email
        assert client.post(f"{url(alice)}homework", {"checkins_per_day": "2"}).status_code in (404, 405)
    assert page_of(carol).get(url(bob)).status_code == 404, "not enrolled: the same as not existing"
    assert page_of(carol).get("/clinic/people/999999/").status_code == 404
    circle.revoke(grant)
    assert page_of(carol).get(url(alice)).status_code == 404, "ending the enrolment ends access at once"
    assert page_of(carol).post(f"{url(alice)}homework", {"checkins_per_day": "2"}).status_code == 404
    assert not Homework.objects.exists()


def test_substances_only_when_granted(clinic, carol, alice) -> None:
    grant = enrol(alice, clinic["program"], carol, categories=("assessments", "flags", "summary"))
    SubstanceUse.objects.create(person=alice, substance="alcohol", at=timezone.now() - timedelta(days=1),
                                motives=["numb"], note="private words 7731")
    html = page_of(carol).get(url(alice)).content.decode()
    assert "substances" not in section_ids(html)
    assert "to stop feeling" not in html
    grant.categories = [*grant.categories, "substances"]
    grant.save(update_fields=["categories"])
    html = page_of(carol).get(url(alice)).content.decode()
    assert "substances" in section_ids(html)
    assert "“To stop feeling” was a reason for 1 of 1" in html
    assert "Alcohol 1" in html
    assert "private words 7731" not in html, "no notes without the notes category"
    assert AuditEvent.objects.filter(action="data.viewed", person_ref=alice.pk,
                                     details__category="substances").count() == 1


def test_what_helped_in_their_own_words_needs_the_notes_category(clinic, carol, alice) -> None:
    from thaw.substances.models import Craving

    grant = enrol(alice, clinic["program"], carol, categories=("assessments", "flags", "substances"))
    Craving.objects.create(person=alice, substance="alcohol", intensity=6, at=timezone.now() - timedelta(hours=3),
                           helped_note="phoned my sister 4402")
    assert "phoned my sister 4402" not in page_of(carol).get(url(alice)).content.decode()
    grant.categories = [*grant.categories, "checkins", "notes"]
    grant.save(update_fields=["categories"])
    assert "phoned my sister 4402" in page_of(carol).get(url(alice)).content.decode()
    assert AuditEvent.objects.filter(action="data.viewed", person_ref=alice.pk, details__category="notes").exists()


def test_a_personal_grant_to_the_clinician_does_not_widen_the_care_team_view(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol, categories=("assessments", "flags"))
    personal, _ = circle.create_grant(alice, {"name": "Carol", "categories": ["substances", "checkins"]})
    circle.accept(personal, carol)
    SubstanceUse.objects.create(person=alice, substance="alcohol", at=timezone.now() - timedelta(days=1))
    html = page_of(carol).get(url(alice)).content.decode()
    assert "substances" not in section_ids(html) and "granularity" not in section_ids(html)


# --- since last session --------------------------------------------------------------------

def plant(alice, now):
    """3 numb days and 1 calm day in the last week, a numb day before it; 2 new scores (one a
    reliable deterioration) and 1 old; a flag in the window and one before it."""
    for days_ago, numbness in ((1, 8), (2, 9), (2, 7), (3, 7), (4, 2), (10, 9)):
        CheckIn.objects.create(person=alice, numbness=numbness, at=now - timedelta(days=days_ago))
    old = take(alice, "phq9", [0] * 9)
    Assessment.objects.filter(pk=old.pk).update(taken_at=now - timedelta(days=20))
    take(alice, "phq9", [2] * 8 + [0])
    take(alice, "gad7", [1] * 7)
    RiskFlag.objects.create(person=alice, kind=FlagKind.CRISIS_LANGUAGE, source="checkin", reason="in window")
    RiskFlag.objects.create(person=alice, kind=FlagKind.DISENGAGEMENT, source="schedule", reason="before",
                            created_at=now - timedelta(days=20))


def test_since_last_session_counts_planted_data(clinic, carol, alice) -> None:
    grant = enrol(alice, clinic["program"], carol, categories=("assessments", "flags", "summary", "grounding"))
    now = timezone.now()
    Grant.objects.filter(pk=grant.pk).update(accepted_at=now - timedelta(days=30))
    plant(alice, now)
    GroundingSession.objects.create(person=alice, exercise="box-breathing", started_at=now - timedelta(days=1),
                                    ended_at=now - timedelta(days=1) + timedelta(minutes=2))
    anchor = summary.anchor_for(alice, timezone.now(), [clinic["program"].pk])
    assert anchor.kind == "week" and anchor.label == "in the last 7 days"
    since = summary.since_last_session(alice, set(grant.categories), anchor, timezone.now())
    assert since["numbness"]["numb_days"] == 3
    assert since["numbness"]["checkins"] == 5
    assert [s["assessment"].instrument for s in since["scores"]] == ["phq9", "gad7"]
    assert since["scores"][0]["assessment"].change_status == "deteriorated"
    # the planted flag, and the one the clinic's rules raised for the reliable deterioration; not the old one
    assert [f.kind for f in since["flags"]] == [FlagKind.DETERIORATION, FlagKind.CRISIS_LANGUAGE]
    assert since["grounding"]["sessions"] == 1 and since["grounding"]["exercises"] == [("Box breathing, 4-4-4-4", 1)]
    assert since["granularity"] is None and since["substances"] is None, "not shared"

    html = page_of(carol).get(url(alice)).content.decode()
    assert "In the last 7 days" in html
    since_html = html.split('id="since"')[1].split("</section>")[0]
    assert "<strong>3</strong> numb days" in since_html
    assert "deteriorated" in since_html and "first score" in since_html
    assert since_html.count("not shared") == 2  # granularity and substances


def test_granularity_trend_says_when_there_is_not_enough_data(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol, categories=("assessments", "flags", "checkins"))
    CheckIn.objects.create(person=alice, numbness=5)
    html = page_of(carol).get(url(alice)).content.decode()
    since_html = html.split('id="since"')[1].split("</section>")[0]
    assert "not enough data to compare" in since_html


def test_the_anchor_is_the_last_session_else_the_enrolment_or_a_week(clinic, carol, alice) -> None:
    from thaw.schedule.models import Attendee, Session

    grant = enrol(alice, clinic["program"], carol)
    now = timezone.now()
    Grant.objects.filter(pk=grant.pk).update(accepted_at=now - timedelta(days=5))
    anchor = summary.anchor_for(alice, now, [clinic["program"].pk])
    assert anchor.kind == "enrolment" and anchor.label.startswith("since they joined the program on ")
    Homework.objects.create(person=alice, program=clinic["program"], assigned_by=carol,
                            created_at=now - timedelta(days=2))
    assert summary.anchor_for(alice, now, [clinic["program"].pk]).kind == "enrolment", "homework is no anchor"
    ended = now - timedelta(days=1)
    session = Session.objects.create(program=clinic["program"], title="Group", starts_at=ended - timedelta(hours=1),
                                     ends_at=ended, video_link="https://video.example/room")
    Attendee.objects.create(session=session, person=alice)
    anchor = summary.anchor_for(alice, now, [clinic["program"].pk])
    assert anchor.kind == "session" and anchor.at == ended and "last session" in anchor.label
    Grant.objects.filter(pk=grant.pk).update(accepted_at=now - timedelta(days=30))
    Session.objects.all().delete()
    assert summary.anchor_for(alice, now, [clinic["program"].pk]).kind == "week"


def test_the_page_uses_the_fallback_anchor_without_sessions(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol)
    Grant.objects.filter(owner=alice).update(accepted_at=timezone.now() - timedelta(days=30))
    response = page_of(carol).get(url(alice))
    assert response.status_code == 200
    assert "In the last 7 days" in response.content.decode(), "no session on record: the fallback anchor"


# --- homework ------------------------------------------------------------------------------

def test_homework_is_assigned_audited_and_shown_on_home(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol)
    response = page_of(carol).post(f"{url(alice)}homework", {
        "program": str(clinic["program"].pk), "checkins_per_day": "2", "exercises": ["box-breathing"],
        "every_phq9": "14", "every_gad7": "", "note": "Small steps (hw-5521)"})
    assert response.status_code == 302 and response["Location"] == url(alice)
    homework = Homework.objects.get(person=alice)
    assert homework.checkins_per_day == 2 and homework.exercises == ["box-breathing"]
    assert homework.assessments == {"phq9": 14} and homework.assigned_by == carol
    assert AuditEvent.objects.filter(action="homework.assigned", actor_ref=carol.pk, person_ref=alice.pk).exists()
    assert "Small steps (hw-5521)" in page_of(carol).get(url(alice)).content.decode()

    CheckIn.objects.create(person=alice, numbness=4)
    home = page_of(alice).get("/").content.decode()
    assert "Your care team suggests" in home
    assert "1 of 2 today" in home
    assert "Box breathing, 4-4-4-4" in home
    assert "PHQ-9 every 14 days" in home
    assert "Small steps (hw-5521)" in home


def test_bad_homework_keeps_what_was_typed(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol)
    response = page_of(carol).post(f"{url(alice)}homework", {
        "program": str(clinic["program"].pk), "checkins_per_day": "13", "exercises": ["box-breathing", "no-such"],
        "every_phq9": "fortnightly", "every_who5": "0", "note": "kept words 8812"})
    assert response.status_code == 400
    html = response.content.decode()
    form = html.split('id="homework-form"')[1]
    assert 'value="13"' in form
    assert 'value="fortnightly"' in form
    assert "kept words 8812" in form
    for field in ("checkins_per_day", "exercises", "every_phq9", "every_who5"):
        assert f'id="id_{field}_error"' in form, field
    assert not Homework.objects.exists()


def test_homework_ends_with_the_enrolment(clinic, carol, alice) -> None:
    grant = enrol(alice, clinic["program"], carol)
    Homework.objects.create(person=alice, program=clinic["program"], assigned_by=carol, checkins_per_day=3)
    assert "Your care team suggests" in page_of(alice).get("/").content.decode()
    circle.revoke(grant)
    assert "Your care team suggests" not in page_of(alice).get("/").content.decode()


def test_scores_state_the_rules_findings_but_never_the_pcl5_anchor(clinic, carol, alice) -> None:
    enrol(alice, clinic["program"], carol)
    take(alice, "pcl5", [2] * 20, worst_event="canary-event-7731")
    take(alice, "who5", [5, 5, 5, 5, 1])
    Assessment.objects.create(person=alice, instrument="gad7", answers=[1] * 7, score=7, band="mild",
                              previous_score=12, change_status="recovered", rules_version=1)
    html = page_of(carol).get(url(alice)).content.decode()
    assert "probable PTSD" in html and "DSM-5 cluster pattern: met" in html and "Cut-off 33: past it" in html
    assert "A single WHO-5 item at 0 or 1" in html
    assert "Results marked “rules v1” were scored with Thaw&#x27;s first scoring rules" in html
    assert "canary-event-7731" not in html, "the anchor is the person's alone"
