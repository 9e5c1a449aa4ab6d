"""Sentences and dates on the pages read as a person would write them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import make_user
from thaw.checkins.services import create_checkin
from thaw.circle import services as circle

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_ups_and_downs_with_only_unpleasant_feelings_is_one_sentence(web_alice: Client, alice) -> None:
    start = timezone.now() - timedelta(days=3)
    for day in range(3):
        for hour, numbness in ((9, 3), (19, 6)):
            create_checkin(alice, {"emotions": [{"word": "lonely", "intensity": 6}], "numbness": numbness,
                                   "at": (start + timedelta(days=day, hours=hour - start.hour)).isoformat()})
    text = _text(web_alice.get("/insights/").content.decode())
    assert "from 3 pairs)." in text
    assert "Unpleasant feelings averaged 6.0 in strength; no pleasant ones named yet." in text
    assert ". ," not in text and " , unpleasant" not in text


def test_the_trusted_persons_view_shows_dates_and_words_as_words(alice) -> None:
    alice.timezone = "Europe/Berlin"
    alice.save()
    sam = make_user("sam@example.org")
    sam.timezone = "Europe/Berlin"
    sam.save()
    at = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    create_checkin(alice, {"emotions": [{"word": "not sure", "intensity": 0}], "numbness": 4, "at": at.isoformat()})
    grant, _ = circle.create_grant(alice, {"name": "Sam", "categories": ["checkins", "assessments"]})
    circle.accept(grant, sam)
    page = Client()
    page.force_login(sam)
    html = page.get(f"/shared/{alice.pk}/").content.decode()
    entry = _text(re.search(r'<div class="entry">.*?</div>', html, re.S).group(0))
    local = timezone.localtime(at, grant.owner.tzinfo)
    assert f"{local:%a} {local.day} {local:%b}, {local:%H:%M}" in entry, entry
    assert not re.search(r"\d{4}-\d\d-\d\d\d\d:\d\d", entry), "a date must not run into its time"
    assert "not sure" in entry and "not sure 0" not in entry
    assert "numbness 4/10" in entry
