"""API: export everything of yours (JSON, CSV zip or FHIR), optionally passphrase-sealed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from thaw.api_auth import BearerToken
from thaw.exports.service import FORMATS, MIN_PASSPHRASE, export
from thaw.text import SHORT, Text

router = Router(tags=["privacy"])


@router.get("/export", summary="Download everything of yours", response={200: None, 422: dict}, auth=[BearerToken()])
def export_data(request: HttpRequest, format: Text(SHORT) = "json") -> Any:
    """``format``: json (a versioned document), csv (a zip of CSV files) or fhir (a FHIR R4 Bundle).

    Send ``X-Thaw-Export-Passphrase`` (8+ characters) to receive the file sealed with it
    (scrypt + AES-256-GCM); ``thaw unseal`` opens it. Bearer tokens only: in a browser,
    Settings → Download all my data asks for the password again first.
    """
    from thaw.api import error_response

    errors = {}
    if format not in FORMATS:
        errors["format"] = f"use one of {', '.join(FORMATS)}"
    passphrase = request.headers.get("X-Thaw-Export-Passphrase") or None
    if passphrase is not None and len(passphrase) < MIN_PASSPHRASE:
        errors["X-Thaw-Export-Passphrase"] = f"a passphrase needs at least {MIN_PASSPHRASE} characters"
    if errors:
        return error_response(request, errors)
    data, content_type, name = export(request.user, format, passphrase, request=request)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
