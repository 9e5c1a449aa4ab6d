"""Thaw in more than one language (issue 17, part A): which language a request gets, the switcher,
the profile fields, API errors in the person's language, the JavaScript catalogue, and the
catalogue check that fails ``make test`` when a marked string has no Spanish translation."""

from __future__ import annotations

import gettext
from typing import Any

import pytest
from django.core.checks import run_checks
from django.test import Client, override_settings

from tests.conftest import ApiClient
from thaw.core import catalogue
from thaw.core.language import COOKIE

pytestmark = pytest.mark.django_db


# --- the catalogue: every marked string translated, compiled in pure Python -------------------


def test_every_marked_string_has_a_spanish_translation() -> None:
    # A fresh extraction from the source (templates, Python, JavaScript), against the committed
    # .po: a new {% translate %} or gettext() without its Spanish fails here, naming the file.
    assert catalogue.untranslated("es") == []


def test_the_check_names_a_string_added_without_translation(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    template = tmp_path / "templates" / "probe.html"
    template.parent.mkdir()
    template.write_text('{% load i18n %}<p>{% translate "A sentence nobody translated" %}</p>', encoding="utf-8")
    monkeypatch.setattr(catalogue, "PACKAGE", tmp_path)
    problems = catalogue.untranslated("es")
    assert len(problems) == 1 and "A sentence nobody translated" in problems[0] and "probe.html" in problems[0]


def test_compiling_needs_no_gnu_gettext_and_leaves_out_fuzzy_guesses(tmp_path: Any) -> None:
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n"Plural-Forms: nplurals=2; '
                  'plural=(n != 1);\\n"\n\nmsgid "Settled"\nmsgstr "Resuelto"\n\n#, fuzzy\nmsgid "Guessed"\n'
                  'msgstr "Adivinado"\n', encoding="utf-8")
    assert catalogue.compile_stale([po]) == [po.with_suffix(".mo")]
    compiled = gettext.GNUTranslations(open(po.with_suffix(".mo"), "rb"))
    assert compiled.gettext("Settled") == "Resuelto" and compiled.gettext("Guessed") == "Guessed"
    assert catalogue.compile_stale([po]) == [], "an up-to-date .mo is not written again"


def test_the_shipped_catalogues_are_compiled_at_start_up() -> None:
    assert catalogue.po_files() and catalogue.stale_or_missing() == []


# --- which language a request gets -------------------------------------------------------------


def page_language(client: Client, **headers: str) -> str:
    response = client.get("/help/", headers=headers)
    assert response.status_code == 200
    return response["Content-Language"]


def test_a_visitor_gets_the_browsers_language_else_the_site_default() -> None:
    assert page_language(Client(), **{"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}) == "es"
    assert page_language(Client(), **{"Accept-Language": "fr-FR,fr;q=0.9"}) == "en"
    with override_settings(THAW_LANGUAGE="es"):
        assert page_language(Client(), **{"Accept-Language": "fr-FR"}) == "es"
        assert page_language(Client()) == "es"


def test_the_profile_wins_over_the_switcher_and_the_browser(alice: Any, web_alice: Client) -> None:
    alice.language = "es"
    alice.save(update_fields=["language"])
    web_alice.cookies[COOKIE] = "en"
    assert page_language(web_alice, **{"Accept-Language": "en-US"}) == "es"


def test_the_switcher_remembers_a_visitors_choice_and_goes_back() -> None:
    client = Client()
    response = client.post("/language", {"language": "es", "next": "/help/?region=US"})
    assert response.status_code == 302 and response["Location"] == "/help/?region=US"
    assert client.cookies[COOKIE].value == "es"
    page = client.get("/help/", headers={"Accept-Language": "en-US"})
    assert page["Content-Language"] == "es" and '<html lang="es">' in page.content.decode()
    assert client.post("/language", {"language": "es", "next": "https://elsewhere.example/"})["Location"] == "/"
    client.post("/language", {"language": "", "next": "/"})
    assert page_language(client, **{"Accept-Language": "en-US"}) == "en"


def test_every_page_offers_visitors_the_switcher_without_a_script() -> None:
    html = Client().get("/help/").content.decode()
    assert 'action="/language"' in html and 'name="language"' in html and "Idioma" in html


def test_signed_in_the_switcher_and_settings_set_the_profile(alice: Any, web_alice: Client) -> None:
    web_alice.post("/language", {"language": "es", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == "es"
    settings_page = web_alice.get("/settings/").content.decode()
    assert 'name="language"' in settings_page and 'name="word_forms"' in settings_page


# --- the API: the same order, errors in the person's language ----------------------------------


def test_me_has_language_and_word_forms(api_alice: ApiClient, alice: Any) -> None:
    body = api_alice.patch("/api/v1/me", {"language": "es", "word_forms": "feminine"}).json()
    assert body["language"] == "es" and body["word_forms"] == "feminine"
    alice.refresh_from_db()
    assert (alice.language, alice.word_forms) == ("es", "feminine")
    assert api_alice.patch("/api/v1/me", {"language": None}).json()["language"] is None


@pytest.mark.parametrize("body, field", [({"language": "fr"}, "language"), ({"language": "es-MX"}, "language"),
                                         ({"word_forms": "plural"}, "word_forms")])
def test_bad_language_fields_are_refused_by_name(api_alice: ApiClient, body: dict, field: str) -> None:
    response = api_alice.patch("/api/v1/me", body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_api_errors_speak_the_persons_language(api_alice: ApiClient, alice: Any) -> None:
    bad = {"emotions": [{"word": "numb", "intensity": "lots"}], "numbness": 5}
    english = api_alice.post("/api/v1/checkins", bad)
    assert english.status_code == 422 and "whole number" in english.json()["detail"]
    alice.language = "es"
    alice.save(update_fields=["language"])
    spanish = api_alice.post("/api/v1/checkins", bad)
    assert spanish.status_code == 422 and "número entero" in spanish.json()["detail"]
    assert spanish["Content-Language"] == "es"


def test_a_script_without_a_profile_language_gets_its_accept_language(api_anon: ApiClient) -> None:
    api_anon.headers["Accept-Language"] = "es"
    response = api_anon.post("/api/v1/auth/token", raw="{not json")
    assert response.status_code in (400, 422) and response["Content-Language"] == "es"


def test_text_gate_messages_count_in_the_readers_numbers(api_alice: ApiClient, alice: Any) -> None:
    alice.language = "es"
    alice.save(update_fields=["language"])
    response = api_alice.post("/api/v1/checkins", {"emotions": [{"word": "numb", "intensity": 5}], "numbness": 5,
                                                   "note": "x" * 5001})
    assert response.status_code == 422
    # Spanish groups thousands with a (no-break) space, as the RAE recommends: 5 001, not 5,001.
    assert "tiene 5\xa0001 caracteres; el límite es 5\xa0000" in response.json()["detail"]


# --- JavaScript strings: an external catalogue, so the strict CSP stays --------------------------


def test_the_javascript_catalogue_is_an_external_script_per_language() -> None:
    response = Client().get("/i18n/es.js")
    assert response.status_code == 200 and "javascript" in response["Content-Type"]
    assert "django.gettext" in response.content.decode()
    assert Client().get("/i18n/xx.js").status_code == 404
    html = Client().get("/help/", headers={"Accept-Language": "es"}).content.decode()
    assert f'<script src="/i18n/es.js?v={catalogue.js_version("es")}" defer></script>' in html
    # English is the source language: an English page fetches no catalogue at all.
    assert "/i18n/" not in Client().get("/help/", headers={"Accept-Language": "en"}).content.decode()
    # The catalogue travels compressed, like the pages.
    packed = Client().get("/i18n/es.js", headers={"Accept-Encoding": "gzip"})
    assert packed["Content-Encoding"] == "gzip" and len(packed.content) < len(response.content)


def test_the_catalogue_address_is_versioned_so_the_offline_copy_is_never_stale(tmp_path: Any,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    version = catalogue.js_version("es")
    assert len(version) == 12 and catalogue.js_url("es") == f"/i18n/es.js?v={version}"
    # The versioned address never changes its content, so it is cached like a hashed static file.
    assert "immutable" in Client().get(catalogue.js_url("es"))["Cache-Control"]
    assert Client().get("/i18n/es.js?v=old")["Cache-Control"] == "public, max-age=3600"
    # A changed translation is a new address.
    po = tmp_path / "es" / "LC_MESSAGES" / "djangojs.po"
    po.parent.mkdir(parents=True)
    po.write_text(catalogue.po_path("es", "djangojs").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(catalogue, "LOCALE_DIR", tmp_path)
    assert catalogue.js_version("es") == version
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "con"', 'msgstr "junto a"'), encoding="utf-8")
    assert catalogue.js_version("es") != version


def test_the_service_worker_keeps_the_spanish_catalogue_and_speaks_the_persons_language(alice: Any) -> None:
    english = Client().get("/sw.js").content.decode()
    assert f'"{catalogue.js_url("es")}"' in english, "precached for whoever may read Spanish offline"
    assert "url.pathname.indexOf(CATALOGUE_PREFIX) === 0" in english and 'var CATALOGUE_PREFIX = "/i18n/";' in english
    assert 'var SAVED_HERE = "Saved on this phone. It will be sent when you are back online.";' in english
    assert 'var DEFAULT_TITLE = "Thaw: a moment for you?";' in english
    alice.language = "es"
    alice.save(update_fields=["language"])
    client = Client()
    client.force_login(alice)
    spanish = client.get("/sw.js").content.decode()
    assert 'var SAVED_HERE = "Guardado en este teléfono. Se enviará cuando vuelvas a tener conexión.";' in spanish
    assert 'var DEFAULT_TITLE = "Thaw: ¿un momento para ti?";' in spanish
    kept_page = client.get("/").content.decode()
    assert f'<script src="{catalogue.js_url("es")}" defer></script>' in kept_page


# --- configuration -------------------------------------------------------------------------------


def test_an_unknown_site_language_is_a_clear_error() -> None:
    with override_settings(THAW_LANGUAGE="fr"):
        errors = [e for e in run_checks() if e.id == "thaw.E050"]
    assert errors and "THAW_LANGUAGE='fr'" in errors[0].msg and "en, es" in errors[0].hint
    assert not [e for e in run_checks() if e.id in ("thaw.E050", "thaw.E051")]


# --- instruments: only official wording; none confirmed in Spanish yet ----------------------------


def test_a_spanish_speaker_gets_the_english_phq9_with_a_spanish_note_saying_why(alice: Any, web_alice: Client) -> None:
    alice.language = "es"
    alice.save(update_fields=["language"])
    page = web_alice.get("/assessments/phq9/take").content.decode()
    assert 'id="instrument-language-note"' in page and "todavía no pudimos confirmar la versión oficial" in page
    assert 'class="question" lang="en"' in page  # a screen reader reads the English items as English
    alice.language = "en"
    alice.save(update_fields=["language"])
    assert 'id="instrument-language-note"' not in web_alice.get("/assessments/phq9/take").content.decode()


@pytest.mark.django_db
def test_a_spanish_speakers_edit_conflict_on_the_safety_plan_is_in_spanish(alice: Any, web_alice: Client) -> None:
    import re

    alice.language = "es"
    alice.save(update_fields=["language"])

    def version(html: str) -> str:
        return re.search(r'name="version" value="(\d+)"', html).group(1)  # type: ignore[union-attr]

    tab_one = version(web_alice.get("/safety-plan/").content.decode())
    tab_two = version(web_alice.get("/safety-plan/").content.decode())
    assert web_alice.post("/safety-plan/", {"reasons": "Mi hermana.", "version": tab_one}).status_code == 302
    stale = web_alice.post("/safety-plan/", {"reasons": "Mi perro.", "version": tab_two})
    page = stale.content.decode()
    assert stale.status_code == 409
    assert "Esto cambió en otro lugar" in page and "Guardado ahora:" in page and "Lo que me importa" in page
    assert "changed somewhere else" not in page and "Saved now" not in page
