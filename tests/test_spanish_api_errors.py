"""The API's refusals in the caller's language (issue 17): the ``detail`` of a 401, 403, 404, 409,
429 and 500 answer is written when the answer is made, in the language the 422 messages already
use (a token's owner's profile, else the signed-in person's, else ``Accept-Language``, else
``THAW_LANGUAGE``), and its English wording is exactly what scripts have always read. Also here:
Learn's rules say what is wrong with a field in whole sentences of the editor's language."""

from __future__ import annotations

import ast
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.utils import translation

from tests.conftest import ApiClient, checkin_body
from tests.english import looks_english, measure
from tests.learn_support import seeded, staff
from thaw.accounts.models import Role

pytestmark = pytest.mark.django_db

SLUG = "what-is-emotional-numbness"


def speaks(user: Any, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def spanish(text: str) -> bool:
    return not looks_english(measure(text))


# --- 404 -----------------------------------------------------------------------------------------


def test_a_404_is_in_the_persons_language_and_unchanged_in_english(alice, api_alice: ApiClient) -> None:
    missing_checkin = f"/api/v1/checkins/{uuid.uuid4()}"
    missing_grant = f"/api/v1/grants/{uuid.uuid4()}"  # a module's shared "Not found." answer
    english = api_alice.get(missing_checkin)
    assert english.status_code == 404 and english.json() == {"detail": "No such check-in."}
    assert api_alice.get(missing_grant).json() == {"detail": "Not found."}
    speaks(alice, "es")
    answer = api_alice.get(missing_checkin)
    assert answer.status_code == 404 and answer["Content-Language"] == "es"
    assert answer.json() == {"detail": "No existe ese registro."}
    assert api_alice.get(missing_grant).json() == {"detail": "No se encontró."}
    assert api_alice.delete(f"/api/v1/tokens/{10**9}").json() == {"detail": "No existe ese token."}
    speaks(alice, "en")
    api_alice.headers["Accept-Language"] = "es"
    assert api_alice.get(missing_grant).json() == {"detail": "Not found."}, "the profile's language wins"
    speaks(alice, "")
    assert api_alice.get(missing_grant).json() == {"detail": "No se encontró."}, "then the request's"


def test_a_public_404_follows_accept_language(db) -> None:
    address = "/api/v1/articles/no-such-article"
    assert Client().get(address).json() == {"detail": "No published article has this address."}
    spanish_answer = Client(HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").get(address)
    assert spanish_answer.json() == {"detail": "Ningún artículo publicado tiene esta dirección."}
    with override_settings(THAW_LANGUAGE="es"):
        assert Client().get(address).json()["detail"] == "Ningún artículo publicado tiene esta dirección."


# --- 401 -----------------------------------------------------------------------------------------


def test_a_401_is_in_the_requests_language_and_unchanged_in_english(alice, api_anon: ApiClient) -> None:
    english = api_anon.get("/api/v1/me")
    assert english.status_code == 401
    assert english.json() == {"detail": "Sign in, or send an API token as 'Authorization: Bearer <token>'."}
    wrong = api_anon.post("/api/v1/auth/token", {"email": "alice@example.org", "password": "not it"})
    assert wrong.status_code == 401 and wrong.json() == {"detail": "That email and password do not match an account."}
    api_anon.headers["Accept-Language"] = "es"
    refused = api_anon.get("/api/v1/me")
    assert refused.status_code == 401 and refused["Content-Language"] == "es"
    assert refused["WWW-Authenticate"] == 'Bearer realm="thaw"'
    assert refused.json() == {"detail": "Inicia sesión o envía un token de la API como "
                                        "'Authorization: Bearer <token>'."}
    wrong = api_anon.post("/api/v1/auth/token", {"email": "alice@example.org", "password": "not it either"})
    assert wrong.json() == {"detail": "Ese correo y esa contraseña no coinciden con ninguna cuenta."}


# --- 403 -----------------------------------------------------------------------------------------


def test_a_403_is_in_the_persons_language_and_unchanged_in_english(alice, api_alice: ApiClient) -> None:
    english = api_alice.get("/api/v1/clinic/caseload")
    assert english.status_code == 403 and english.json() == {"detail": "Only clinicians have a caseload."}
    speaks(alice, "es")
    refused = api_alice.get("/api/v1/clinic/caseload")
    assert refused.status_code == 403 and refused["Content-Language"] == "es"
    assert refused.json() == {"detail": "Solo los profesionales clínicos tienen una lista de pacientes."}


def test_the_403s_made_outside_the_handlers_are_in_the_persons_language_too(alice, carol) -> None:
    # A write in a signed-in session without the CSRF token: django-ninja's own refusal.
    speaks(alice, "es")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    forged = browser.post("/api/v1/checkins", json.dumps(checkin_body()), content_type="application/json")
    assert forged.status_code == 403 and forged.json() == {"detail": "Falló la comprobación CSRF"}
    speaks(alice, "en")
    assert browser.post("/api/v1/checkins", json.dumps(checkin_body()),
                        content_type="application/json").json() == {"detail": "CSRF check Failed"}
    # A clinician without two-factor authentication: refused by the middleware before the API.
    clinic = Client()
    clinic.force_login(carol)
    english = clinic.get("/api/v1/me")
    assert english.status_code == 403 and english.json()["detail"].startswith(
        "Two-factor authentication is required for staff accounts (clinicians, admins, editors, intake)")
    speaks(carol, "es")
    refused = clinic.get("/api/v1/me")
    assert refused.status_code == 403 and refused.json() == {
        "detail": "Las cuentas del equipo (clínicos, administración, edición, admisión) necesitan verificación "
                  "en dos pasos: actívala en /accounts/2fa/."}


def test_a_403_on_the_intake_api_is_in_the_persons_language(db) -> None:
    editor = staff("editor@example.org", Role.EDITOR)
    speaks(editor, "es")
    refused = ApiClient(editor).get("/api/v1/intake/requests")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Las solicitudes de contacto son para el equipo de admisión."}


# --- 409 -----------------------------------------------------------------------------------------


def _conflict(api: ApiClient) -> Any:
    created = api.post("/api/v1/checkins", checkin_body(note="The original."))
    url = f"/api/v1/checkins/{created.json()['id']}"
    api.headers["If-Match"] = api.get(url)["ETag"]
    assert api.patch(url, {"note": "From the other tab."}).status_code == 200
    stale = api.patch(url, {"note": "Mine."})
    del api.headers["If-Match"]
    assert stale.status_code == 409
    return stale


def test_a_409_conflict_is_in_the_persons_language_and_unchanged_in_english(alice, api_alice: ApiClient) -> None:
    english = _conflict(api_alice).json()
    assert english["detail"] == ("This was changed after the version you started from (If-Match). Nothing was "
                                 "saved: compare `current` with `yours`, then send your change again with the "
                                 "new ETag.")
    speaks(alice, "es")
    stale = _conflict(api_alice)
    body = stale.json()
    assert stale["Content-Language"] == "es"
    assert body["detail"] == ("Esto cambió después de la versión de la que partiste (If-Match). No se guardó nada: "
                              "compara `current` con `yours` y vuelve a enviar tu cambio con el nuevo ETag.")
    assert body["yours"] == {"note": "Mine."}, "the field names a script reads stay as they are"


# --- 429 -----------------------------------------------------------------------------------------


@pytest.fixture
def one_failure_is_enough(settings) -> Any:
    settings.THAW_SIGNIN_ACCOUNT_LIMIT = 1
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_429_after_failed_sign_ins_is_in_the_requests_language(alice, one_failure_is_enough, language) -> None:
    api = ApiClient(None)
    if language == "es":
        api.headers["Accept-Language"] = "es"
    assert api.post("/api/v1/auth/token", {"email": "alice@example.org", "password": "a guess"}).status_code == 401
    refused = api.post("/api/v1/auth/token", {"email": "alice@example.org", "password": "a guess"})
    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert wait > 1
    expected = {"en": f"Too many failed sign-ins; try again in {wait} seconds.",
                "es": f"Demasiados intentos fallidos de iniciar sesión; vuelve a intentarlo dentro de {wait} segundos."}
    assert refused.json() == {"detail": expected[language]}


def test_one_second_to_wait_is_singular_in_spanish_and_as_before_in_english() -> None:
    from django.utils.translation import ngettext

    def said(wait: int) -> str:
        return ngettext("Too many failed sign-ins; try again in %(wait)s seconds.",
                        "Too many failed sign-ins; try again in %(wait)s seconds.", wait) % {"wait": wait}

    with translation.override("es"):
        assert said(1).endswith("dentro de 1 segundo.") and said(2).endswith("dentro de 2 segundos.")
    with translation.override("en"):
        assert said(1) == "Too many failed sign-ins; try again in 1 seconds.", "the wording scripts have always read"


@override_settings(THAW_COMMENT_LIMIT=1)
def test_a_429_for_too_many_comments_is_in_the_requests_language(db) -> None:
    seeded()
    cache.clear()

    def comment(client: Client) -> Any:  # a new comment each time (the same one again is not counted twice)
        return client.post(f"/api/v1/articles/{SLUG}/comments",
                           json.dumps({"name": "Sam", "body": f"Gracias {uuid.uuid4()}"}), content_type="application/json")

    spanish_reader = Client(REMOTE_ADDR="198.51.100.21", HTTP_ACCEPT_LANGUAGE="es")
    assert comment(spanish_reader).status_code == 202
    refused = comment(spanish_reader)
    wait = int(refused["Retry-After"])
    assert refused.status_code == 429 and refused.json() == {
        "detail": f"Demasiados comentarios desde esta conexión; vuelve a intentarlo dentro de {wait} segundos."}
    english_reader = Client(REMOTE_ADDR="198.51.100.22")
    assert comment(english_reader).status_code == 202
    refused = comment(english_reader)
    assert refused.json() == {
        "detail": f"Too many comments from this address; try again in {refused['Retry-After']} seconds."}


# --- 500 -----------------------------------------------------------------------------------------


def test_the_500_detail_is_in_the_language_the_request_was_answered_in() -> None:
    from thaw.api import on_unexpected

    request = RequestFactory().get("/api/v1/checkins")
    with translation.override("es"):
        spanish_answer = json.loads(on_unexpected(request, RuntimeError("a bug, for the test")).content)
    with translation.override("en"):
        english = json.loads(on_unexpected(request, RuntimeError("a bug, for the test")).content)
    assert spanish_answer == {"detail": "Algo salió mal del lado de Thaw. No se guardó nada; vuelve a intentarlo, "
                                        "por favor."}
    assert english == {"detail": "Something went wrong on Thaw's side. Nothing was saved; please try again."}


# --- no English sentence left as a detail ----------------------------------------------------------


def _sentence(node: ast.AST) -> bool:
    """A string literal, or an f-string whose own text is more than a field's name ("body: ")."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.JoinedStr):
        text = " ".join(part.value for part in node.values if isinstance(part, ast.Constant))
        return len(re.findall(r"[A-Za-z]{2,}", text)) > 1
    return False


def test_no_api_detail_is_an_english_literal() -> None:
    """A ``{"detail": "..."}`` or ``HttpError(403, "...")`` written as a literal would answer in
    English whatever the caller's language (and a module-level constant is made once, at import)."""
    package = Path(__file__).resolve().parent.parent / "thaw"
    found = []
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                found += [f"{path.relative_to(package.parent)}:{node.lineno}" for key, value in
                          zip(node.keys, node.values, strict=True)
                          if isinstance(key, ast.Constant) and key.value == "detail" and _sentence(value)]
            elif (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                    "HttpError", "AuthenticationError", "AuthorizationError")
                  and len(node.args) > 1 and _sentence(node.args[1])):
                found.append(f"{path.relative_to(package.parent)}:{node.lineno}")
    assert found == []


# --- Learn: whole sentences in the editor's language ---------------------------------------------


def _learn_errors() -> dict[str, str]:
    """Every message Learn's rules give about a field's text: one of each kind for each field."""
    from thaw.learn import services
    from thaw.learn.models import (
        ALT_MAX,
        BODY_MAX,
        COMMENT_MAX,
        COMMENT_NAME_MAX,
        REPLY_MAX,
        SLUG_MAX,
        SUMMARY_MAX,
        TITLE_MAX,
        Article,
    )

    article = Article.objects.get(slug=SLUG)
    editor = staff(f"editor-{uuid.uuid4().hex[:8]}@example.org", Role.EDITOR)
    held = services.post_comment(article, name="Sam", body=f"Held {uuid.uuid4()}", address="198.51.100.30").comment
    limits = {"slug": SLUG_MAX, "title": TITLE_MAX, "summary": SUMMARY_MAX, "body": BODY_MAX}
    found: dict[str, str] = {}
    for kind, make in (("not text", lambda n: 7), ("too long", lambda n: "x" * (n + 1)),
                       ("far too long", lambda n: "x" * (n + 1200)), ("control", lambda n: "a\x07b"),
                       ("broken", lambda n: "a\ud800b")):
        _, errors = services.clean_article({field: make(n) for field, n in limits.items()}, None)
        found |= {f"article {field}, {kind}": errors[field] for field in limits}
        _, _, errors = services.clean_comment(make(COMMENT_NAME_MAX), make(COMMENT_MAX))
        found |= {f"comment {field}, {kind}": errors[field] for field in ("name", "body")}
        with pytest.raises(services.FieldErrors) as refused:
            services.moderate(held, editor, "reply", make(REPLY_MAX))
        found[f"reply, {kind}"] = refused.value.errors["reply"]
        with pytest.raises(services.FieldErrors) as refused:
            services.set_image(article, editor, None, make(ALT_MAX))
        found[f"alt, {kind}"] = refused.value.errors["alt"]
    return found


def test_learns_field_messages_are_whole_spanish_sentences(db) -> None:
    seeded()
    with translation.override("es"):
        messages = _learn_errors()
    assert len(messages) == 40
    assert {name: text for name, text in messages.items() if not spanish(text)} == {}
    for name, text in messages.items():
        assert not re.search(r"\b(The|Your|the|your) (title|summary|article|address|reply|description|name|comment)\b",
                             text), (name, text)
    # Each sentence agrees with its own subject: "acórtala" for la respuesta, "acórtalo" for el título.
    assert messages["reply, too long"] == ("La respuesta tiene 2\xa0001 caracteres; el límite es 2\xa0000, así que "
                                           "acórtala en 1 carácter, por favor")
    assert messages["alt, far too long"] == ("La descripción tiene 1\xa0450 caracteres; el límite es 250, así que "
                                             "acórtala en 1\xa0200 caracteres, por favor")
    assert messages["article title, too long"] == ("El título tiene 101 caracteres; el límite es 100, así que "
                                                   "acórtalo en 1 carácter, por favor")
    assert messages["article slug, not text"] == "La dirección debe ser texto"
    assert messages["comment name, control"] == ("Tu nombre tiene un carácter de control invisible en la posición 2; "
                                                 "bórralo, por favor (los saltos de línea y las tabulaciones están "
                                                 "bien)")
    assert messages["article summary, broken"] == ("El resumen tiene un carácter roto en la posición 2 (la mitad de "
                                                   "un emoji o de un símbolo, perdida al copiar); vuelve a escribir "
                                                   "esa parte, por favor")


def test_learns_field_messages_read_in_english_exactly_as_before(db) -> None:
    """Before, the rules glued the field's name to the gate's words; the English is unchanged."""
    from thaw.text import problem

    seeded()
    with translation.override("en"):
        messages = _learn_errors()
        fragments = {"not text": "must be text", "control": problem("a\x07b", 100), "broken": problem("a\ud800b", 100)}
    subjects = {"article slug": "The address", "article title": "The title", "article summary": "The summary",
                "article body": "The article", "comment name": "Your name", "comment body": "Your comment",
                "reply": "The reply", "alt": "The description"}
    assert messages["article title, too long"] == ("The title is 101 characters long; the limit is 100, so please "
                                                   "shorten it by 1 character")
    assert messages["alt, far too long"] == ("The description is 1,450 characters long; the limit is 250, so please "
                                             "shorten it by 1,200 characters")
    for name, text in messages.items():
        field, kind = name.rsplit(", ", 1)
        if kind in fragments:
            assert text == f"{subjects[field]} {fragments[kind]}", name
        else:
            assert re.fullmatch(rf"{subjects[field]} is [\d,]+ characters long; the limit is [\d,]+, so please "
                                rf"shorten it by 1 character" if kind == "too long" else
                                rf"{subjects[field]} is [\d,]+ characters long; the limit is [\d,]+, so please "
                                rf"shorten it by 1,200 characters", text), (name, text)
