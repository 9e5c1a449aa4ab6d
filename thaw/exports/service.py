"""Produce an export in the chosen format, optionally sealed, and audit it."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from thaw.audit.models import record
from thaw.exports.document import build
from thaw.exports.formats import seal, to_csv_zip, to_fhir, to_json_bytes

FORMATS = {"json": ("application/json", "json"), "csv": ("application/zip", "zip"),
           "fhir": ("application/fhir+json", "fhir.json")}
MIN_PASSPHRASE = 8


def export(person: Any, fmt: str, passphrase: str | None = None, *, request: Any = None) -> tuple[bytes, str, str]:
    """Return (content, content type, file name)."""
    document = build(person)
    if fmt == "csv":
        data = to_csv_zip(document)
    elif fmt == "fhir":
        data = json.dumps(to_fhir(document), ensure_ascii=False, indent=1).encode()
    else:
        data = to_json_bytes(document)
    content_type, extension = FORMATS[fmt]
    name = f"thaw-export-{timezone.localdate():%Y-%m-%d}.{extension}"
    if passphrase:
        data, content_type, name = seal(data, passphrase), "application/octet-stream", name + ".sealed"
    from thaw.core.net import client_ip

    record("data.exported", actor=person, person=person, format=fmt, sealed=bool(passphrase), ip=client_ip(request))
    return data, content_type, name
