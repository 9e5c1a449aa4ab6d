"""The export document as a zip of CSV files or as a FHIR R4 Bundle; passphrase sealing.

FHIR: check-ins become Observations (numbness and each emotion as components, the note
as an annotation); assessments become QuestionnaireResponses, each pointing at a
Questionnaire built from the instrument file. The bundle is validated with
``fhir.resources`` (its R4B models, the maintained release of R4) before it is served.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import uuid
import zipfile
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from thaw.assessments.instruments import instruments
from thaw.assessments.scoring import AnswersInvalid, check_answers

THAW_SYSTEM = "urn:thaw:checkin"
MAGIC = b"THAW-EXPORT-SEALED-1\n"


# A spreadsheet reads a cell that begins with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet will show as text: one that could start a formula gets a leading
    apostrophe (which spreadsheets hide). Numbers are left alone; the JSON export is never touched."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _shown(word: str) -> str:
    """A vocabulary word in the language being spoken (neutral forms): exports keep the identifier
    beside it, so the data is the same whatever language it was exported in."""
    from django.utils.translation import get_language

    from thaw.checkins.vocabulary import translation

    found = translation((get_language() or "en").split("-")[0])
    return found.label(word, "neutral") if found is not None else word


def to_csv_zip(document: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        def table(name: str, header: list[str], rows: list[list[Any]]) -> None:
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(header)
            writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
            archive.writestr(name, text.getvalue())

        table("checkins.csv", ["id", "at", "numbness", "body", "tags", "note", "source", "created_at", "updated_at"],
              [[c["id"], c["at"], c["numbness"], ";".join(c["body"]), ";".join(c["tags"]), c["note"], c["source"],
                c["created_at"], c["updated_at"]] for c in document["checkins"]])
        # "word" is the vocabulary identifier (the same in every language); "shown_as" is how the
        # reader of this export sees it, in the language it was made in.
        table("emotions.csv", ["checkin_id", "position", "word", "intensity", "shown_as"],
              [[c["id"], n, e["word"], e["intensity"], _shown(e["word"])] for c in document["checkins"]
               for n, e in enumerate(c["emotions"])])
        table("assessments.csv", ["id", "instrument", "taken_at", "score", "band", "change_status", "previous_score",
                                  "answers", "rules_version", "above_cutoff", "cutoff", "dsm5_clusters_met",
                                  "item_rule_met", "difficulty", "worst_event"],
              [[a["id"], a["instrument"], a["taken_at"], a["score"], a["band"], a["change_status"] or "",
                "" if a["previous_score"] is None else a["previous_score"], " ".join(map(str, a["answers"])),
                a.get("rules_version", 1), *(_blank((a.get("findings") or {}).get(k)) for k in (
                    "above_cutoff", "cutoff", "dsm5_clusters_met", "item_rule_met")),
                _blank(a.get("difficulty")), a.get("worst_event") or ""]
               for a in document["assessments"]])
        plan = document.get("safety_plan") or {}
        table("safety_plan.csv", ["section", "text"], [[k, v] for k, v in plan.items()])
        table("risk_flags.csv", ["created_at", "kind", "source", "source_id", "reason", "acknowledged_at"],
              [[f["created_at"], f["kind"], f["source"], f["source_id"], f["reason"], f["acknowledged_at"] or ""]
               for f in document["risk_flags"]])
        table("grounding_sessions.csv", ["id", "exercise", "started_at", "ended_at", "completed", "before_presence",
                                         "before_numbness", "after_presence", "after_numbness", "made_worse", "note"],
              [[g["id"], g["exercise"], g["started_at"], g["ended_at"], g["completed"], *(
                  "" if g[k] is None else g[k] for k in ("before_presence", "before_numbness", "after_presence",
                                                        "after_numbness")), g["made_worse"], g.get("note", "")]
               for g in document.get("grounding_sessions", [])])
        table("substance_uses.csv", ["id", "at", "substance", "custom_name", "amount", "unit", "abv",
                                     "standard_drinks", "craving", "motives", "note"],
              [[u["id"], u["at"], u["substance"], u["custom_name"], *("" if u[k] is None else u[k] for k in (
                  "amount", "unit", "abv", "standard_drinks", "craving")), ";".join(u["motives"]), u["note"]]
               for u in document.get("substance_uses", [])])
        table("substance_cravings.csv", ["id", "at", "substance", "custom_name", "intensity", "helped", "helped_note"],
              [[c["id"], c["at"], c["substance"], c["custom_name"], c["intensity"], ";".join(c["helped"]),
                c["helped_note"]] for c in document.get("substance_cravings", [])])
        table("comments.csv", ["created_at", "article", "article_title", "name", "body", "status", "urgent", "reply",
                               "replied_at"],
              [[c["created_at"], c["article"], c["article_title"], c["name"], c["body"], c["status"], c["urgent"],
                c["reply"], c["replied_at"] or ""] for c in document.get("comments", [])])
        table("contact_requests.csv", ["id", "created_at", "name", "reach_by", "reach_at", "best_time", "program",
                                       "region", "message", "consent_at", "came_from", "language", "urgent", "status",
                                       "updated_at"],
              [[r["id"], r["created_at"], r["name"], r["reach_by"], r["reach_at"], r["best_time"], r["program"] or "",
                r["region"], r["message"], r["consent_at"], r["came_from"], r["language"], r["urgent"], r["status"],
                r["updated_at"]] for r in document.get("contact_requests", [])])
        table("account.csv", ["field", "value"], [[k, v] for k, v in document["account"].items()])
    return buffer.getvalue()


def _blank(value: Any) -> Any:
    return "" if value is None else value


def _patient_id(email: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "thaw:" + email))


def _choice(link: str, text: str, options: Any, *, required: bool = True) -> dict[str, Any]:
    return {"linkId": link, "text": text, "type": "choice", "required": required,
            "answerOption": [{"valueCoding": {"code": str(o.value), "display": o.label}} for o in options]}


def _questionnaire(key: str) -> dict[str, Any]:
    instrument = instruments()[key]
    items = [_choice(str(item.number), item.text, item.options) for item in instrument.items]
    rule = instrument.skip_rule
    if rule is not None:  # the AUDIT-C: questions 2 and 3 are asked only when question 1 is not "Never"
        for number in rule.skip:
            items[number - 1]["enableWhen"] = [{"question": str(rule.when_item), "operator": "!=",
                                                "answerCoding": {"code": str(rule.equals)}}]
    if instrument.difficulty is not None:
        items.append(_choice("difficulty", instrument.difficulty.text, instrument.difficulty.options, required=False))
    if instrument.anchor is not None:
        items.insert(0, {"linkId": "worst-event", "text": instrument.anchor.prompt, "type": "string",
                         "required": False})
    return {
        "resourceType": "Questionnaire", "id": key, "url": f"urn:thaw:questionnaire:{key}", "status": "active",
        "name": instrument.name.replace("-", ""), "title": instrument.title, "description": instrument.instructions,
        "copyright": f"{instrument.source} {instrument.licence}", "item": items,
    }


def _response_items(instrument: Any, a: dict[str, Any]) -> list[dict[str, Any]]:
    """The answers as asked (questions skipped by the skip rule are left out, as FHIR expects)."""
    def coded(link: str, text: str, value: int, label: str) -> dict[str, Any]:
        return {"linkId": link, "text": text, "answer": [{"valueCoding": {"code": str(value), "display": label}}]}

    items = [coded(str(item.number), item.text, value, item.label_for(value))
             for item, value in zip(instrument.items, a["answers"], strict=False)]
    if a.get("difficulty") is not None and instrument.difficulty is not None:
        items.append(coded("difficulty", instrument.difficulty.text, a["difficulty"],
                           instrument.difficulty.label_for(a["difficulty"])))
    if a.get("worst_event") and instrument.anchor is not None:
        items.insert(0, {"linkId": "worst-event", "text": instrument.anchor.prompt,
                         "answer": [{"valueString": a["worst_event"]}]})
    return items


def to_fhir(document: dict[str, Any]) -> dict[str, Any]:
    patient_id = _patient_id(document["account"]["email"])
    subject = {"reference": f"Patient/{patient_id}"}
    entries: list[dict[str, Any]] = [{"fullUrl": f"urn:uuid:{patient_id}", "resource": {
        "resourceType": "Patient", "id": patient_id,
        "telecom": [{"system": "email", "value": document["account"]["email"]}],
        **({"name": [{"text": document["account"]["display_name"]}]} if document["account"]["display_name"] else {}),
    }}]
    for c in document["checkins"]:
        numbness_code = {"coding": [{"system": THAW_SYSTEM, "code": "numbness"}], "text": "numbness (0-10)"}
        if c["numbness"] is None:  # not rated: FHIR's way to say a value is absent, and why
            components = [{"code": numbness_code, "dataAbsentReason": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "unknown"}],
                "text": "not rated"}}]
        else:
            components = [{"code": numbness_code, "valueInteger": c["numbness"]}]
        components += [{"code": {"coding": [{"system": "urn:thaw:emotion", "code": e["word"]}], "text": _shown(e["word"])},
                        "valueInteger": e["intensity"]} for e in c["emotions"]]
        components += [{"code": {"coding": [{"system": "urn:thaw:body", "code": b}], "text": b},
                        "valueBoolean": True} for b in c["body"]]
        components += [{"code": {"coding": [{"system": "urn:thaw:tag", "code": t}], "text": t},
                        "valueBoolean": True} for t in c["tags"]]
        observation = {
            "resourceType": "Observation", "id": c["id"], "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                      "code": "survey"}]}],
            "code": {"coding": [{"system": THAW_SYSTEM, "code": "checkin"}], "text": "Thaw check-in"},
            "subject": subject, "effectiveDateTime": c["at"], "component": components,
            **({"note": [{"text": c["note"]}]} if c["note"] else {}),
        }
        entries.append({"fullUrl": f"urn:uuid:{c['id']}", "resource": observation})
    used = sorted({a["instrument"] for a in document["assessments"] if a["instrument"] in instruments()})
    for key in used:
        entries.append({"fullUrl": f"urn:thaw:questionnaire:{key}", "resource": _questionnaire(key)})
    for a in document["assessments"]:
        instrument = instruments().get(a["instrument"])
        asked = _as_asked(instrument, a["answers"]) if instrument is not None else None
        if instrument is None or asked is None:
            continue  # an instrument file that changed since: the JSON export still has these answers
        response = {
            "resourceType": "QuestionnaireResponse", "id": a["id"], "status": "completed",
            "questionnaire": f"urn:thaw:questionnaire:{a['instrument']}", "subject": subject, "authored": a["taken_at"],
            "item": _response_items(instrument, {**a, "answers": asked}),
        }
        entries.append({"fullUrl": f"urn:uuid:{a['id']}", "resource": response})
    bundle = {"resourceType": "Bundle", "type": "collection", "timestamp": document["exported_at"], "entry": entries}
    from fhir.resources.R4B.bundle import Bundle  # here: the FHIR models are slow to import

    Bundle.model_validate(bundle)  # refuse to hand out a bundle that is not valid FHIR
    return bundle


def _as_asked(instrument: Any, answers: list[int]) -> list[int] | None:
    """The answers as the current instrument file asks them (first-rules AUDIT-C "Never" rows were
    stored as [0, 0, 0]); None when they no longer fit it."""
    try:
        return check_answers(instrument, answers)
    except AnswersInvalid:
        return None


def seal(data: bytes, passphrase: str) -> bytes:
    """Encrypt an export with a passphrase (scrypt, then AES-256-GCM)."""
    salt, nonce = os.urandom(16), os.urandom(12)
    key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())
    return MAGIC + base64.b64encode(salt + nonce + AESGCM(key).encrypt(nonce, data, MAGIC)) + b"\n"


def unseal(blob: bytes, passphrase: str) -> bytes:
    if not blob.startswith(MAGIC):
        raise ValueError("not a sealed Thaw export")
    raw = base64.b64decode(blob[len(MAGIC):].strip())
    salt, nonce, sealed = raw[:16], raw[16:28], raw[28:]
    key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())
    try:
        return AESGCM(key).decrypt(nonce, sealed, MAGIC)
    except Exception as exc:  # cryptography raises InvalidTag
        raise ValueError("wrong passphrase, or the file was changed") from exc


def to_json_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode()
