"""The substance insights lead each finding with a plain sentence; q and Hedges' g stay under "How we know"."""

from __future__ import annotations

import re
from datetime import timedelta

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone, translation

from tests.conftest import checkin_body
from thaw.checkins.services import create_checkin
from thaw.substances import plain, services


@pytest.mark.parametrize(("row", "english", "spanish"), [
    ({"test": "after_use:any", "difference": 2.1},
     "You felt more numb in the 24 hours after using something than when nothing was used.",
     "En las 24 horas después de consumir algo sentiste más entumecimiento que cuando no habías consumido nada."),
    ({"test": "after_use:any", "difference": -1.4},
     "You felt less numb in the 24 hours after using something than when nothing was used.",
     "En las 24 horas después de consumir algo sentiste menos entumecimiento que cuando no habías consumido nada."),
    ({"test": "after_use:alcohol", "difference": 1.5},
     "You felt more numb in the 24 hours after using alcohol than when nothing was used.",
     "En las 24 horas después de consumir alcohol sentiste más entumecimiento que cuando no habías consumido nada."),
    ({"test": "after_use:cannabis", "difference": -1.5},
     "You felt less numb in the 24 hours after using cannabis than when nothing was used.",
     "En las 24 horas después de consumir cannabis sentiste menos entumecimiento que cuando no habías consumido "
     "nada."),
    ({"test": "craving:unpleasant", "difference": 2.0},
     "Cravings were stronger when your feelings were mostly unpleasant than when they were mostly pleasant.",
     "Las ganas fueron más fuertes cuando tus sentimientos eran sobre todo desagradables que cuando eran sobre "
     "todo agradables."),
    ({"test": "craving:unpleasant", "difference": -2.0},
     "Cravings were stronger when your feelings were mostly pleasant than when they were mostly unpleasant.",
     "Las ganas fueron más fuertes cuando tus sentimientos eran sobre todo agradables que cuando eran sobre "
     "todo desagradables."),
    ({"test": "craving:numbness", "rho": 0.45},
     "On days with stronger cravings, you tended to feel more numb.",
     "Los días con más ganas solías sentir más entumecimiento."),
    ({"test": "craving:numbness", "rho": -0.45},
     "On days with stronger cravings, you tended to feel less numb.",
     "Los días con más ganas solías sentir menos entumecimiento."),
])
def test_each_finding_has_a_plain_sentence_in_english_and_spanish(row: dict, english: str, spanish: str) -> None:
    with translation.override("en"):
        assert plain.finding(row) == english
    with translation.override("es"):
        assert plain.finding(row) == spanish


@pytest.mark.django_db
def test_the_page_leads_with_the_sentence_and_keeps_q_and_g_under_how_we_know(web_alice: Client, alice) -> None:
    rng = np.random.default_rng(5)
    start = timezone.now() - timedelta(days=60)
    for d in range(60):
        day = start + timedelta(days=d)
        if d % 2 == 0:
            services.create_use(alice, {"substance": "alcohol", "amount": 2, "unit": "standard_drink",
                                        "at": (day + timedelta(hours=22)).isoformat(), "craving": 7,
                                        "motives": ["numb"]})
        for hour in (8, 12, 16):
            numb = (8 if d % 2 == 1 else 3) + int(rng.integers(-1, 2))  # the day after a use runs numb
            create_checkin(alice, checkin_body(numbness=numb, note="", at=(day + timedelta(hours=hour)).isoformat()))
    html = web_alice.get("/substances/insights/").content.decode()
    findings = re.search(r'<ul class="plain findings">(.*?)</ul>', html, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", findings, re.S)
    assert items
    assert ('<p class="lead-sentence">You felt more numb in the 24 hours after using something than when nothing '
            'was used.</p>') in findings
    for item in items:
        lead, how = item.split('<details class="how"><summary>How we know</summary>')
        assert 'class="lead-sentence"' in lead
        assert not re.search(r"\bq\b|Hedges|Spearman|\d[.,]\d", lead), lead  # no statistics before the disclosure
        assert re.search(r"False-discovery-adjusted q (=|&lt;)", how) and "check-ins" in how
    assert "Hedges' g" in findings and "Welch's t-test" in findings


@pytest.mark.django_db
def test_the_page_reads_in_spanish(alice) -> None:
    from thaw.accounts.models import User

    User.objects.filter(pk=alice.pk).update(language="es")
    rng = np.random.default_rng(7)
    start = timezone.now() - timedelta(days=40)
    for d in range(40):
        day = start + timedelta(days=d)
        if d % 2 == 0:
            services.create_use(alice, {"substance": "alcohol", "at": (day + timedelta(hours=22)).isoformat()})
        for hour in (8, 12, 16):
            create_checkin(alice, checkin_body(numbness=(8 if d % 2 == 1 else 2) + int(rng.integers(-1, 2)),
                                               note="",
                                               at=(day + timedelta(hours=hour)).isoformat()))
    client = Client()
    client.force_login(User.objects.get(pk=alice.pk))
    html = client.get("/substances/insights/").content.decode()
    assert "sentiste más entumecimiento que cuando no habías consumido nada." in html
    assert "Cómo lo sabemos" in html and "q ajustado por falsos descubrimientos" in html
