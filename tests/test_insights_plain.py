"""Insights lead with a plain sentence; the statistics stay in "How we know"."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

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


# --- the patterns sentence: a verb in every case, in English and Spanish --------------------------

def _patterns(*directions: str) -> dict:
    return {"patterns": [{"direction": d} for d in directions]}


@pytest.mark.parametrize(("directions", "english", "spanish"), [
    (["higher"], "1 thing went with feeling more numb. It is below, in your own check-ins' numbers.",
     "1 cosa coincidió con más entumecimiento. Está abajo, con las cifras de tus propios registros."),
    (["higher", "higher"], "2 things went with feeling more numb. Each is below, in your own check-ins' numbers.",
     "2 cosas coincidieron con más entumecimiento. Cada una está abajo, con las cifras de tus propios registros."),
    (["lower"], "1 thing went with feeling less numb. It is below, in your own check-ins' numbers.",
     "1 cosa coincidió con menos entumecimiento. Está abajo, con las cifras de tus propios registros."),
    (["lower", "lower"], "2 things went with feeling less numb. Each is below, in your own check-ins' numbers.",
     "2 cosas coincidieron con menos entumecimiento. Cada una está abajo, con las cifras de tus propios registros."),
    (["higher", "lower"],
     "1 thing went with feeling more numb and 1 thing with feeling less numb. Each is below, in your own "
     "check-ins' numbers.",
     "1 cosa coincidió con más entumecimiento y 1 cosa con menos. Cada una está abajo, con las cifras de tus "
     "propios registros."),
    (["higher", "higher", "lower"],
     "2 things went with feeling more numb and 1 thing with feeling less numb. Each is below, in your own "
     "check-ins' numbers.",
     "2 cosas coincidieron con más entumecimiento y 1 cosa con menos. Cada una está abajo, con las cifras de tus "
     "propios registros."),
    (["lower", "higher", "lower"],
     "1 thing went with feeling more numb and 2 things with feeling less numb. Each is below, in your own "
     "check-ins' numbers.",
     "1 cosa coincidió con más entumecimiento y 2 cosas con menos. Cada una está abajo, con las cifras de tus "
     "propios registros."),
])
def test_the_patterns_sentence_has_its_verb_and_agrees_with_its_count(directions: list[str], english: str,
                                                                      spanish: str) -> None:
    with translation.override("en"):
        assert plain.patterns(_patterns(*directions)) == english
    with translation.override("es"):
        assert plain.patterns(_patterns(*directions)) == spanish


@pytest.mark.parametrize(("rate", "english", "spanish"), [
    ({"sent": 1, "answered": 1, "prompted": {"n": 1}},
     "You answered 1 of the 1 reminder Thaw sent in this time.",
     "Respondiste 1 del 1 recordatorio que Thaw envió en este tiempo."),
    ({"sent": 4, "answered": 2, "prompted": {"n": 2}},
     "You answered 2 of the 4 reminders Thaw sent in this time. The others are fine to let go: a reminder is an "
     "offer, not a task.",
     "Respondiste 2 de los 4 recordatorios que Thaw envió en este tiempo. Está bien dejar pasar los demás: un "
     "recordatorio es una invitación, no una tarea."),
    ({"sent": 0, "answered": 0, "prompted": {"n": 1}},
     "Thaw sent no reminders in this time; 1 check-in answered an earlier one.",
     "Thaw no envió recordatorios en este tiempo; 1 registro respondió a uno anterior."),
])
def test_the_reminders_card_leads_with_what_happened(rate: dict, english: str, spanish: str) -> None:
    with translation.override("en"):
        assert plain.reminders(rate) == english
    with translation.override("es"):
        assert plain.reminders(rate) == spanish


# --- every card has the same shape ------------------------------------------------------------------

HOW = '<details class="how"><summary>How we know</summary>'


def _cards(html: str) -> dict[str, str]:
    return {re.search(r'<h2 id="([\w-]+)"', card).group(1): card
            for card in re.findall(r'<section class="card".*?</section>', html, re.S)}


def _assert_card_shape(name: str, card: str) -> None:
    """A plain sentence, then a chart or the reason there is none, then "How we know" with a count in it."""
    lead = card.find('<p class="lead-sentence">')
    chart = min(i for i in (card.find('class="chart-box'), card.find('class="no-chart"')) if i >= 0)
    how = card.rfind(HOW)
    assert 0 < lead < chart < how, (name, lead, chart, how)
    figures = re.sub(r"<[^>]+>", " ", card[how:])
    assert re.search(r"\d", figures), (name, figures)


def _prompt_answered(person, hours_ago: int, numbness: int | None) -> None:
    from thaw.reminders.models import Prompt

    now = timezone.now()
    at = now - timedelta(hours=hours_ago)
    prompt = Prompt.objects.create(person=person, due_at=at, sent_at=at, expires_at=at + timedelta(hours=1),
                                   channel="push")
    create_checkin(person, {"emotions": [{"word": "calm", "intensity": 4}], "numbness": numbness,
                            "prompt_id": str(prompt.id), "at": (at + timedelta(minutes=5)).isoformat()})


@pytest.mark.django_db
def test_with_no_check_ins_every_card_says_why_there_is_no_chart(web_alice: Client) -> None:
    cards = _cards(web_alice.get("/insights/").content.decode())
    assert set(cards) == {"numb-title", "pattern-title", "mood-title", "gran-title", "var-title"}
    for name, card in cards.items():
        _assert_card_shape(name, card)
        assert 'class="chart-box' not in card, name  # nothing to draw: an empty box would say nothing
        assert 'class="no-chart"' in card, name


@pytest.mark.django_db
def test_with_a_year_of_check_ins_every_card_has_a_chart_and_how_we_know(web_alice: Client, alice) -> None:
    from thaw.insights.demo import generate

    generate(alice, days=200, seed=3)
    _prompt_answered(alice, 30, 2)
    _prompt_answered(alice, 10, 4)
    html = web_alice.get("/insights/?window=all").content.decode()
    cards = _cards(html)
    assert set(cards) == {"numb-title", "pattern-title", "mood-title", "gran-title", "var-title", "prompt-title"}
    for name, card in cards.items():
        _assert_card_shape(name, card)
        assert 'class="chart-box' in card, name
    # The figures the two new charts draw, and their tables.
    data = json.loads(re.search(r'id="insights-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert data["ups"]["groups"] == ["pleasant", "unpleasant"]
    assert [s["label"] for s in data["ups"]["series"]] == ["earlier", "last 28 days"]
    assert all(len(s["values"]) == 2 and None not in s["values"] for s in data["ups"]["series"])
    assert data["reminders"] == {"labels": ["when Thaw asked", "on your own"],
                                 "values": [3.0, data["reminders"]["values"][1]]}
    assert "Before the last 28 days" in cards["var-title"] and "Last 28 days" in cards["var-title"]
    assert "You answered 2 of the 2 reminders Thaw sent in this time." in cards["prompt-title"]
    assert "not tested against each other" in cards["prompt-title"]
    placed = sum(data["mood"]["count"])
    assert f"{placed} check-ins are on the map;" in cards["mood-title"]


@pytest.mark.django_db
def test_a_chart_that_has_nothing_to_draw_says_so(web_alice: Client, alice) -> None:
    """Numbness never rated, and only "numb" named: no empty chart boxes, a reason for each."""
    for day in range(3):
        create_checkin(alice, {"emotions": [{"word": "numb", "intensity": 5}],
                               "at": (timezone.now() - timedelta(days=day)).isoformat()})
    cards = _cards(web_alice.get("/insights/").content.decode())
    for name, card in cards.items():
        _assert_card_shape(name, card)
    assert "No chart yet: it needs at least one check-in with numbness rated in this time." in cards["numb-title"]
    assert "names a feeling other than numb" in cards["mood-title"]
    assert "No chart yet: it needs check-ins that name pleasant or unpleasant feelings." in cards["var-title"]
    assert "0 check-ins are on the map; 3 named only numb" in re.sub(r"\s+", " ", cards["mood-title"])
