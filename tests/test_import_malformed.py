"""``thaw import`` on a malformed or edited file: one line saying what is wrong and where, exit
status 2, and nothing changed in the database (checked table by table).

These run the command's own entry point in-process (the subprocess path is covered in
tests/test_exports.py); that keeps twelve refusals to a second or two.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from tests.conftest import ApiClient, checkin_body
from thaw.backup import MAGIC as BACKUP_MAGIC
from thaw.cli import main
from thaw.exports.document import build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_password_hashes(settings) -> None:
    # These tests are about the file, not the password hash: Django's fastest hasher keeps them quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def exported(alice) -> dict[str, Any]:
    client = ApiClient(alice)
    for note in ("first", "second"):
        assert client.post("/api/v1/checkins", checkin_body(note=note)).status_code == 201
    assert client.post("/api/v1/assessments", {"instrument": "who5", "answers": [3, 2, 1, 4, 5]}).status_code == 201
    document = build(alice)
    document["account"]["email"] = "moved@example.org"  # as if from another install
    return document


def _everything() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _edited(document: dict[str, Any], change: Any) -> Any:
    copied = copy.deepcopy(document)
    return change(copied) or copied


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def change(document: dict[str, Any]) -> None:
        target = document
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return change


def _drop(path: tuple[Any, ...]) -> Any:
    def change(document: dict[str, Any]) -> None:
        target = document
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]
    return change


CASES = [  # (id, file content from the exported document, words that must be in the one line)
    ("deep nesting", lambda d: "[" * 100_000 + "]" * 100_000, "not a JSON file: it is nested too deeply"),
    ("deep in a field", lambda d: json.dumps(_edited(d, _set(("checkins", 0, "emotions"), [[[[[[]]]]]]))),
     "checkins[0].emotions[0]: must be an object"),
    ("a top-level list", lambda d: json.dumps([d]), "a Thaw export is a JSON object; this file holds a list"),
    ("not JSON", lambda d: "numbness: 7", "not a JSON file: expecting value at line 1, column 1"),
    ("not text", lambda d: b"\xff\xfe\x00junk", "not a JSON file: it is not UTF-8 text"),
    ("a backup", lambda d: BACKUP_MAGIC + b"\x00\x00\x00\x02{}", "this is a backup of a whole install"),
    ("not an export", lambda d: json.dumps({"format": "something else"}), "this is not a Thaw export"),
    ("a later version", lambda d: json.dumps(_edited(d, _set(("version",), 2))),
     "version: this file is version 2 of the export; this Thaw reads version 1"),
    ("a wrong type", lambda d: json.dumps(_edited(d, _set(("checkins", 1, "numbness"), "seven"))),
     "checkins[1].numbness: must be a whole number"),
    ("out of range", lambda d: json.dumps(_edited(d, _set(("checkins", 0, "emotions", 0, "intensity"), 99))),
     "checkins[0].emotions[0].intensity: must be at most 10"),
    ("a huge number", lambda d: json.dumps(_edited(d, _set(("checkins", 0, "numbness"), 0))).replace(
        '"numbness": 0', '"numbness": ' + "9" * 5000, 1), "a number in it has too many digits"),
    ("a missing field", lambda d: json.dumps(_edited(d, _drop(("checkins", 1, "at")))),
     "checkins[1].at: this field is required"),
    ("a missing account", lambda d: json.dumps(_edited(d, _drop(("account",)))), "account: this field is required"),
    ("a bad time", lambda d: json.dumps(_edited(d, _set(("assessments", 0, "taken_at"), "last tuesday"))),
     "assessments[0].taken_at: must be an ISO-8601 date and time"),
    ("a broken character", lambda d: json.dumps(_edited(d, _set(("checkins", 0, "note"), "PLACEHOLDER"))).replace(
        "PLACEHOLDER", "x\\ud800y"), "checkins[0].note: contains a broken character"),
    ("ids already here", lambda d: json.dumps(d),
     "checkins[0].id: a check-in with this id is already here (was this file imported before?)"),
    ("an id twice", lambda d: json.dumps(_edited(d, _set(("checkins", 1, "id"), d["checkins"][0]["id"]))),
     "checkins[1].id: the same id as checkins[0]"),
    ("an account that exists", lambda d: json.dumps(_edited(d, _set(("account", "email"), "alice@example.org"))),
     "account.email: an account for alice@example.org already exists here"),
    ("a language this Thaw does not speak", lambda d: json.dumps(_edited(d, _set(("account", "language"), "fr"))),
     "account.language: must be one of: en, es"),
    ("a regional language code", lambda d: json.dumps(_edited(d, _set(("account", "last_language"), "es-MX"))),
     "account.last_language: must be one of: en, es"),
    ("a language that is not text", lambda d: json.dumps(_edited(d, _set(("account", "language"), 7))),
     "account.language: must be text"),
    ("unknown word forms", lambda d: json.dumps(_edited(d, _set(("account", "word_forms"), "plural"))),
     "account.word_forms: must be one of: feminine, masculine, neutral"),
]


@pytest.mark.parametrize(("content", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_malformed_import_says_what_and_where_exits_2_and_changes_nothing(
        exported, content, words, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("THAW_PASSWORD", "a calm, long passphrase")
    data = content(exported)
    path = tmp_path / "export.json"
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    before = _everything()
    status = main(["import", str(path)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"Not imported: {path}: ") and err.rstrip().endswith("Nothing was changed."), err
    assert words in err, err
    assert _everything() == before, "nothing was written"


def test_the_same_file_made_sound_again_imports(exported, tmp_path: Path, monkeypatch, capsys) -> None:
    """The refusals above are about the file, not the command: a fresh copy with new ids imports."""
    import uuid

    monkeypatch.setenv("THAW_PASSWORD", "a calm, long passphrase")
    for record in exported["checkins"] + exported["assessments"]:
        record["id"] = str(uuid.uuid4())
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported))
    assert main(["import", str(path)]) == 0, capsys.readouterr().err
    from thaw.accounts.models import User

    assert User.objects.get(email="moved@example.org").checkins.count() == 2


def test_how_thaw_speaks_to_the_person_is_imported(exported, tmp_path: Path, monkeypatch, capsys) -> None:
    import uuid

    from thaw.accounts.models import User

    monkeypatch.setenv("THAW_PASSWORD", "a calm, long passphrase")
    for record in exported["checkins"] + exported["assessments"]:
        record["id"] = str(uuid.uuid4())
    exported["account"].update(language="es", word_forms="neutral", last_language="en")
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported))
    assert main(["import", str(path)]) == 0, capsys.readouterr().err
    person = User.objects.get(email="moved@example.org")
    assert (person.language, person.word_forms, person.last_language) == ("es", "neutral", "en")
    assert {k: build(person)["account"][k] for k in ("language", "word_forms", "last_language")} == {
        "language": "es", "word_forms": "neutral", "last_language": "en"}
