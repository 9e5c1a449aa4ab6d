"""Thaw's own words in Spanish where the first review still found English (issue 17): a
questionnaire's result and its chart, the PDF report, the pages shown when something fails, and
the installable app's manifest. The questionnaires' published English wording stays English,
inside ``lang="en"``; everything around it is Thaw's and must read in the reader's language."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path
from django.utils import translation

from tests.english import english_blocks
from tests.personas import PASSWORD
from thaw.assessments.instruments import instruments
from thaw.assessments.services import summary_of, take

pytestmark = pytest.mark.django_db


def _reader(language: str = "es", email: str = "ana@example.org", **extra: Any) -> tuple[Any, Client]:
    from thaw.accounts.models import User

    me = User.objects.create_user(email, PASSWORD, language=language, **extra)
    client = Client()
    client.force_login(me)
    return me, client


def _by_id(page: str, element_id: str) -> str:
    found = re.search(rf'<p id="{element_id}"([^>]*)>(.*?)</p>', page, re.S)
    assert found, f"no #{element_id} on the page"
    return found.group(1) + ">" + found.group(2)


# --- a questionnaire's result ------------------------------------------------------------------


def test_a_spanish_reader_reads_their_result_in_spanish_and_the_stored_result_is_unchanged() -> None:
    me, client = _reader()
    phq9 = take(me, "phq9", [1, 1, 1, 1, 1, 0, 0, 0, 0])  # 5: "mild"
    page = client.get(f"/assessments/result/{phq9.id}/").content.decode()
    summary = _by_id(page, "result-summary")
    assert "Algunos síntomas de depresión; vale la pena estar atento a ellos." in summary
    assert 'lang="en"' not in summary, "Thaw's own words are not marked as the instrument's English"
    assert '<span lang="en">mild</span>' in page, "the published band name stays English, marked so"
    # "How this is scored": Thaw's labels in Spanish, the published sources quoted in English.
    assert "Punto de corte: <span lang=\"en\">Kroenke K" in page and "Cut-off:" not in page
    assert "Cambio fiable (7 puntos o más; Jacobson–Truax a partir de r = 0,84 y DE = 6,1):" in page
    assert "Reliable change" not in page and "Clinically meaningful change" not in page
    assert [str(b) for b in english_blocks(page)] == []
    phq9.refresh_from_db()
    assert phq9.findings["summary"] == "Some symptoms of depression; worth keeping an eye on.", \
        "the stored result keeps its English record; it is translated only where it is shown"


@pytest.mark.parametrize(("instrument", "answers", "sex", "spanish"), [
    ("who5", [3, 3, 3, 3, 1], "", "Al menos una de tus respuestas fue una de las dos más bajas"),
    ("auditc", [1, 1, 1], "female", "El punto de corte que te corresponde es 3: el punto de corte para mujeres."),
    ("auditc", [1, 1, 1], "", "el punto de corte más bajo, que se usa cuando no se indica el sexo"),
    ("pcl5", [4] * 20, "", "Tu total de 80 está en el punto de corte de 33 o por encima"),
    ("pcl5", [0] * 20, "", "Tu total de 0 está por debajo del punto de corte de 33"),
    ("gad7", [3] * 7, "", "Ansiedad fuerte; por favor, busca pronto a un profesional."),
])
def test_every_kind_of_result_summary_is_written_in_the_readers_language(instrument: str, answers: list[int],
                                                                          sex: str, spanish: str) -> None:
    me, client = _reader(screening_sex=sex)
    result = take(me, instrument, answers)
    page = client.get(f"/assessments/result/{result.id}/").content.decode()
    assert spanish in _by_id(page, "result-summary")
    assert [str(b) for b in english_blocks(page)] == []
    with translation.override("en"):
        assert summary_of(result, instruments()[instrument]) == result.findings["summary"], \
            "in English, the summary written when shown is the one stored when it was scored"


def test_a_result_from_the_first_rules_says_so_in_spanish() -> None:
    me, client = _reader()
    old = take(me, "phq9", [0] * 9)
    old.rules_version, old.findings = 1, {}
    old.save(update_fields=["rules_version", "findings"])
    summary = _by_id(client.get(f"/assessments/result/{old.id}/").content.decode(), "result-summary")
    assert "Puntuado con las primeras reglas de Thaw (versión 1)" in summary
    assert "Pocos o ningún síntoma de depresión por ahora." in summary


def test_the_audit_c_change_without_a_reliable_status_is_explained_in_spanish() -> None:
    me, client = _reader(screening_sex="female")
    take(me, "auditc", [1, 1, 1])
    second = take(me, "auditc", [2, 1, 1])
    page = client.get(f"/assessments/result/{second.id}/").content.decode()
    assert "Thaw no ha encontrado una fiabilidad test-retest" in page and "Thaw has found no" not in page
    assert [str(b) for b in english_blocks(page)] == []


def test_the_pcl5_before_you_start_screen_is_in_spanish() -> None:
    _, client = _reader()
    page = client.get("/assessments/pcl5/take").content.decode()
    assert "Estas preguntas tratan de una experiencia muy estresante." in page
    assert "Opcional y privado: solo tú puedes verlo." in page
    assert [str(b) for b in english_blocks(page)] == []


def test_the_results_chart_speaks_spanish_to_a_screen_reader_and_names_spanish_months() -> None:
    me, client = _reader()
    for day, answers in ((datetime(2026, 1, 15, 12, tzinfo=UTC), [1] * 9), (datetime(2026, 8, 3, 12, tzinfo=UTC), [0] * 9)):
        result = take(me, "phq9", answers)
        result.taken_at = day
        result.save(update_fields=["taken_at"])
    page = client.get("/assessments/phq9/").content.decode()
    chart = page[page.index('<svg class="trend"'):]
    chart = chart[:chart.index("</svg>")]
    assert '<title id="chart-title">Puntuaciones del PHQ-9 a lo largo del tiempo</title>' in chart
    assert "2 puntuaciones de 0 a 27; la tabla de abajo las enumera." in chart
    assert "15 Ene 2026" in chart and "3 Ago 2026" in chart, "as the table beside it writes dates"
    assert "Jan" not in chart and "Aug" not in chart
    assert "Punto de corte:" in page and "Cambio fiable: 7 puntos o más" in page and "Cut-off:" not in page
    assert [str(b) for b in english_blocks(page)] == []


def test_the_detector_reads_a_charts_screen_reader_text() -> None:
    """The crawl skipped every SVG, so a chart's English title went unseen; now its title, desc
    and text are read, and only what is marked as the instrument's English is left out."""
    chart = ('<html lang="es"><body><svg role="img"><title>PHQ-9 scores over time</title>'
             '<desc>2 scores from 0 to 27; the table below lists them.</desc>'
             '<text lang="en">moderately severe</text></svg></body></html>')
    found = [b.text for b in english_blocks(chart)]
    assert found == ["PHQ-9 scores over time", "2 scores from 0 to 27; the table below lists them."]


# --- the PDF report ----------------------------------------------------------------------------


def _pdf_text(data: bytes) -> bytes:
    """Every content stream of the PDF, uncompressed (fpdf2 compresses them)."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(stream))
        except zlib.error:
            out.append(stream)
    return b"\n".join(out)


def test_the_pdf_report_is_in_the_readers_language() -> None:
    me, client = _reader()
    take(me, "phq9", [1, 1, 1, 1, 1, 0, 0, 0, 0])
    response = client.get("/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content).decode("latin-1")
    for spanish in ("Informe para mi cita", "Puntuaciones", "Cuestionario", "Entumecimiento",
                    "no es un servicio de emergencias", "primera puntuaci"):
        assert spanish in text, spanish
    for english in ("report for my appointment", "Scores", "Instrument", "Numbness", "emergency service",
                    "first score"):
        assert english not in text, english


# --- when something fails ----------------------------------------------------------------------


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug, for the test")


urlpatterns = [path("boom/", _boom)]


@override_settings(ROOT_URLCONF=__name__)
def test_the_500_page_is_in_the_language_the_request_was_answered_in() -> None:
    response = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="es").get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="es">' in page and "Algo salió mal" in page and "Pedir ayuda ahora" in page
    assert [str(b) for b in english_blocks(page)] == []
    me, client = _reader()
    client.raise_request_exception = False
    signed_in = client.get("/boom/").content.decode()
    assert "Algo salió mal" in signed_in, "a signed-in person's profile language, whatever the browser says"


def test_the_500_page_renders_without_a_request_in_the_sites_language() -> None:
    from django.template.loader import render_to_string

    translation.deactivate_all()
    try:
        page = render_to_string("500.html")
    finally:
        translation.deactivate()
    assert "Something went wrong" in page and "Get help now" in page


def test_the_bare_400_page_is_in_the_readers_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """When even the site's 400 page cannot be drawn, the bare one still speaks the reader's language."""
    from thaw.core import views

    def broken(*args: Any, **kwargs: Any) -> HttpResponse:
        raise RuntimeError("the layout failed too")

    monkeypatch.setattr(views, "render", broken)
    with translation.override("es"):
        response = views.bad_request(RequestFactory().post("/checkin/"))
    page = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="es">' in page and "No se pudo enviar" in page and "Pedir ayuda ahora" in page
    assert [str(b) for b in english_blocks(page)] == []


# --- the installable app -----------------------------------------------------------------------


def test_the_manifest_is_in_the_language_of_the_page_that_links_it() -> None:
    _, client = _reader()
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    link = re.search(r'<link rel="manifest" href="([^"]+)">', home)
    assert link and link.group(1) == "/manifest.webmanifest?lang=es"
    # Browsers fetch a manifest without cookies: the address alone says the language.
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(link.group(1))
    body = response.json()
    assert body["lang"] == "es" and response["Content-Language"] == "es"
    assert body["description"].startswith("Registra cómo estás")
    assert [s["name"] for s in body["shortcuts"]] == ["Registrar", "Me siento lejos"]
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/manifest.webmanifest?lang=en").json()
    assert english["lang"] == "en" and [s["name"] for s in english["shortcuts"]] == ["Check in", "I feel far away"]
    browser = Client(HTTP_ACCEPT_LANGUAGE="es-MX").get("/manifest.webmanifest").json()
    assert browser["lang"] == "es", "without the address's language, the request's"
