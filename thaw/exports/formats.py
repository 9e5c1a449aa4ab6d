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
from fhir.resources.R4B.bundle import Bundle

from thaw.assessments.instruments import instruments

THAW_SYSTEM = "urn:thaw:checkin"
MAGIC = b"THAW-EXPORT-SEALED-1\n"


def to_csv_zip(document: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        def table(name: str, header: list[str], rows: list[list[Any]]) -> None:
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(header)
            writer.writerows(rows)
            archive.writestr(name, text.getvalue())

        table("checkins.csv", ["id", "at", "numbness", "body", "tags", "note", "source", "created_at", "updated_at"],
              [[c["id"], c["at"], c["numbness"], ";".join(c["body"]), ";".join(c["tags"]), c["note"], c["source"],
                c["created_at"], c["updated_at"]] for c in document["checkins"]])
        table("emotions.csv", ["checkin_id", "position", "word", "intensity"],
              [[c["id"], n, e["word"], e["intensity"]] for c in document["checkins"]
               for n, e in enumerate(c["emotions"])])
        table("assessments.csv", ["id", "instrument", "taken_at", "score", "band", "change_status", "previous_score",
                                  "answers"],
              [[a["id"], a["instrument"], a["taken_at"], a["score"], a["band"], a["change_status"] or "",
                "" if a["previous_score"] is None else a["previous_score"], " ".join(map(str, a["answers"]))]
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
        table("account.csv", ["field", "value"], [[k, v] for k, v in document["account"].items()])
    return buffer.getvalue()


def _patient_id(email: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "thaw:" + email))


def _questionnaire(key: str) -> dict[str, Any]:
    instrument = instruments()[key]
    return {
        "resourceType": "Questionnaire", "id": key, "url": f"urn:thaw:questionnaire:{key}", "status": "active",
        "name": instrument.name.replace("-", ""), "title": instrument.title, "description": instrument.instructions,
        "copyright": f"{instrument.source} {instrument.licence}",
        "item": [{"linkId": str(item.number), "text": item.text, "type": "choice", "required": True,
                  "answerOption": [{"valueCoding": {"code": str(o.value), "display": o.label}} for o in item.options]}
                 for item in instrument.items],
    }


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
        components += [{"code": {"coding": [{"system": "urn:thaw:emotion", "code": e["word"]}], "text": e["word"]},
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
        if instrument is None or len(instrument.items) != len(a["answers"]):
            continue  # an instrument file that changed since: the JSON export still has these answers
        items = instrument.items
        response = {
            "resourceType": "QuestionnaireResponse", "id": a["id"], "status": "completed",
            "questionnaire": f"urn:thaw:questionnaire:{a['instrument']}", "subject": subject, "authored": a["taken_at"],
            "item": [{"linkId": str(item.number), "text": item.text, "answer": [{"valueCoding": {
                "code": str(value), "display": next((o.label for o in item.options if o.value == value), str(value))}}]}
                for item, value in zip(items, a["answers"], strict=True)],
        }
        entries.append({"fullUrl": f"urn:uuid:{a['id']}", "resource": response})
    bundle = {"resourceType": "Bundle", "type": "collection", "timestamp": document["exported_at"], "entry": entries}
    Bundle.model_validate(bundle)  # refuse to hand out a bundle that is not valid FHIR
    return bundle


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
