"""The insights page and the clinician's person page read a person's check-ins once and cut
every window they show from that read (issue 19: they used to read each of up to eighteen
windows from the database). The figures must be exactly those of reading each window."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from thaw.checkins.models import CheckIn, CheckInEmotion, CheckInTag
from thaw.clinic import services
from thaw.clinic.models import Membership, Program
from thaw.insights import data
from thaw.insights.data import PersonSpan, load_arrays
from thaw.insights.demo import generate
from thaw.insights.engine import compute_insights
from thaw.substances.models import SubstanceUse

pytestmark = pytest.mark.django_db


def figures(result: dict) -> str:
    return json.dumps(result, sort_keys=True, default=str)


@pytest.fixture
def year(alice):
    end = timezone.now()
    generate(alice, days=240, seed=3, end=end)
    for days_back in (3, 40, 41, 100, 200):  # substance uses: "followed by use within 24 h" is tested
        SubstanceUse.objects.create(person=alice, substance="alcohol", amount=1, at=end - timedelta(days=days_back))
    return end


def test_every_window_cut_from_one_read_is_the_window_read_alone(alice, year) -> None:
    span = PersonSpan(alice, year - timedelta(days=300), None)
    stamps = list(CheckIn.objects.filter(person=alice).order_by("at").values_list("at", flat=True))
    rng = random.Random(5)
    windows = [(year - timedelta(days=90), year), (year - timedelta(days=90), None), (year - timedelta(days=1), None),
               (stamps[10], stamps[60]),  # a check-in exactly on each edge is inside, as in SQL
               (year - timedelta(days=299), year - timedelta(days=250)),  # before the first check-in: empty
               ]
    windows += [(start, start + timedelta(days=rng.uniform(1, 120)))
                for start in (year - timedelta(days=rng.uniform(0, 250)) for _ in range(12))]
    for since, until in windows:
        alone = compute_insights(load_arrays(alice, since, until), now_epoch=year.timestamp())
        cut = compute_insights(span.window(since, until), now_epoch=year.timestamp())
        assert figures(cut) == figures(alone), (since, until)
    assert span.window(stamps[10], stamps[60]).n == 51


def test_a_window_outside_the_read_is_refused(alice, year) -> None:
    span = PersonSpan(alice, year - timedelta(days=90), year)
    with pytest.raises(ValueError):
        span.window(year - timedelta(days=91), year)
    with pytest.raises(ValueError):
        span.window(year - timedelta(days=10), None)


def words_read(captured: CaptureQueriesContext) -> int:
    return sum('"checkins_checkinemotion"' in q["sql"] for q in captured.captured_queries)


def test_the_insights_page_reads_the_words_once(alice, year) -> None:
    client = Client()
    client.force_login(alice)
    for window in ("90", "all"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/insights/?window={window}")
        assert response.status_code == 200
        assert words_read(captured) == 1  # the window and the twelve months of granularity


def test_the_person_page_reads_the_words_once_and_audits_each_section(alice, carol, year) -> None:
    Authenticator.objects.create(user=carol, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    program = Program.objects.create(name="Virtual IOP")
    Membership.objects.create(program=program, clinician=carol)
    invite, _ = services.invite_person(program, carol)
    services.enrol(invite, alice, ["assessments", "flags", "summary", "checkins", "grounding", "substances"])
    client = Client()
    client.force_login(carol)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/clinic/people/{alice.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="granularity"' in html and 'id="patterns"' in html and 'id="numbness"' in html
    assert words_read(captured) == 1  # since the session, 90 days, six months of granularity, patterns
    from thaw.audit.models import AuditEvent

    seen = set(AuditEvent.objects.filter(action="data.viewed", actor_ref=carol.pk, person_ref=alice.pk)
               .values_list("details__category", flat=True))
    assert seen == {"assessments", "flags", "summary", "checkins", "grounding", "substances"}


def test_a_check_in_written_while_the_figures_are_read_does_not_break_the_page(alice, monkeypatch) -> None:
    """Each query reads its own snapshot: a check-in committed after the check-ins were read
    but before their words and tags were must not fail the page (it did, with a 500)."""
    CheckIn.objects.create(person=alice, numbness=4)
    real = data._raw
    calls = []

    def raw_with_a_write_in_between(queryset):
        rows = real(queryset)
        calls.append(1)
        if len(calls) == 1:  # after the check-ins, before their words and tags
            late = CheckIn.objects.create(person=alice, numbness=9)
            CheckInEmotion.objects.create(checkin=late, word="numb", intensity=8, position=0)
            CheckInTag.objects.create(checkin=late, name="work")
        return rows

    monkeypatch.setattr(data, "_raw", raw_with_a_write_in_between)
    arrays = load_arrays(alice)
    assert arrays.n == 1 and len(arrays.emo_row) == 0 and len(arrays.tag_row) == 0
    monkeypatch.setattr(data, "_raw", real)
    assert load_arrays(alice).n == 2  # the next view sees it whole
