"""Insights lead with a plain sentence; the statistics stay in "How we know"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from thaw.checkins.services import create_checkin
from thaw.insights import plain
from thaw.insights.engine import compute_insights, from_records

JARGON = re.compile(r"differentiation|mean squared|false-discovery|q-value|\bq\b|interval|effect size|trend", re.I)


LONELY = [("lonely", "lonely", -3, 5, False)]


def _records(weekly_numbness: list[int]) -> list[dict]:
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)  # a Monday
    out = []
    for week, numbness in enumerate(weekly_numbness):
        for day in range(3):
            out.append({"at": start + timedelta(weeks=week, days=day), "numbness": numbness,
                        "emotions": LONELY})
    return out


def _result(weekly: list[int]) -> dict:
    return compute_insights(from_records(_records(weekly), "UTC"))


@pytest.mark.parametrize(("weekly", "expected"), [
    ([9, 8, 8, 7, 6, 5, 4, 3], "You have been feeling less numb over these 8 weeks."),
    ([2, 3, 4, 4, 5, 6, 7, 8], "You have been feeling more numb over these 8 weeks."),
    ([5, 4, 6, 5, 4, 6, 5, 5], "Your numbness has stayed about the same over these 8 weeks, around 5 out of 10."),
    ([6], "Your numbness has been about 6 out of 10. A few more weeks of check-ins will show whether it is lifting."),
])
def test_the_numbness_sentence_says_which_way_it_is_going(weekly: list[int], expected: str) -> None:
    assert plain.numbness(_result(weekly)) == expected


def test_no_lead_sentence_speaks_statistics() -> None:
    for weekly in ([9, 8, 8, 7, 6, 5, 4, 3], [5, 4, 6, 5, 4, 6, 5, 5], [6], []):
        result = _result(weekly) if weekly else compute_insights(from_records([], "UTC"))
        mood = {"quadrants": [("unpleasant and low", len(weekly))], "numb_or_unsure": 0}
        for card, sentence in plain.leads(result, mood).items():
            assert not JARGON.search(sentence), (card, sentence)
            assert sentence.endswith("."), (card, sentence)


@pytest.mark.django_db
def test_each_card_leads_with_its_sentence_and_keeps_the_figures_under_how_we_know(web_alice: Client,
                                                                                   alice) -> None:
    start = timezone.now() - timedelta(days=3)
    for day in range(3):
        for hour, numbness in ((9, 3), (19, 6)):
            create_checkin(alice, {"emotions": [{"word": "lonely", "intensity": 6}], "numbness": numbness,
                                   "at": (start + timedelta(days=day, hours=hour - start.hour)).isoformat()})
    html = web_alice.get("/insights/").content.decode()
    cards = re.findall(r'<section class="card".*?</section>', html, re.S)
    assert len(cards) == 5
    for card in cards:
        lead = re.search(r'<p class="lead-sentence">(.*?)</p>', card, re.S)
        assert lead, card[:200]
        # The sentence comes right after the heading, before any chart or figures.
        assert card.index("lead-sentence") < card.find("chart-box") or "chart-box" not in card
        assert not JARGON.search(lead.group(1)), lead.group(1)
    assert "Within a day, your numbness typically moves about 3 points between check-ins." in html
    assert "Most of your feelings sat in “unpleasant and low”." in html
    how = re.findall(r'<details class="how"><summary>How we know</summary>(.*?)</details>', html, re.S)
    assert any("mean squared change" in h for h in how) and any("95 %" in h or "trend needs" in h.lower() for h in how)


@pytest.mark.parametrize(("quadrants", "unsure", "expected"), [
    ([("pleasant and calm", 3), ("unpleasant and low", 1)], 1, "Most of your feelings sat in “pleasant and calm”."),
    ([("pleasant and calm", 1), ("unpleasant and low", 1)], 4, "Most of your check-ins were numb or not sure, and that is worth knowing too."),
    ([("pleasant and calm", 1), ("unpleasant and low", 1)], 1, "Your feelings were spread over more than one place; no single one stood out."),
])
def test_the_mood_sentence_names_a_place_only_when_one_stands_out(quadrants: list, unsure: int, expected: str) -> None:
    assert plain.mood({"quadrants": quadrants, "numb_or_unsure": unsure}) == expected
