"""Schemathesis hooks for tests/fuzz/run_schemathesis.sh (not a pytest module).

The script loads this file with ``SCHEMATHESIS_HOOKS=thaw_fuzz_hooks`` and
``PYTHONPATH=tests/fuzz``. Nothing here is active unless a pass asks for it, so the main
pass fuzzes the schema exactly as the server serves it.

``THAW_FUZZ_FRESH_TOKEN=1``
    Give every test case its own freshly issued bearer token (POST /api/v1/auth/token with
    ``THAW_FUZZ_EMAIL`` / ``THAW_FUZZ_PASSWORD`` against ``THAW_FUZZ_BASE``). Used for the
    pass over ``DELETE /tokens/{token_id}`` and ``DELETE /me``, which would otherwise revoke
    the token (or erase the account) the rest of the run depends on.

``THAW_FUZZ_DOC_FORMATS=1``
    Tell the fuzzer what docs/API.md says but the served schema does not, so that
    generation gets past "not a word" / "not a date" and reaches the code behind it:

    - ``since``/``until`` query parameters are ISO-8601 (``format: date-time``), with
      boundary examples (the first and last representable instants, with offsets that push
      them past the ends of the range once converted to UTC), and ``cursor`` gets cursors
      built from the same instants. Random generation rarely lands on those edges.
    - an emotion ``word`` is one of GET /emotions, a ``body`` item one of
      GET /body-sensations, ``instrument`` one of GET /instruments, and an answer a whole
      number from 0 to 4 (fetched from ``THAW_FUZZ_BASE`` when the schema loads).

    Only request schemas change; responses are still checked against the served schema.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.request
from typing import Any

import schemathesis

TIME_PARAMETERS = ("since", "until")
BOUNDARY_TIMES = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999Z",
    "1970-01-01T00:00:00Z",
]


def _cursor(at: str) -> str:
    raw = f"{at}|00000000-0000-4000-8000-000000000000".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _base() -> str:
    base = os.environ["THAW_FUZZ_BASE"].rstrip("/")
    if not base.startswith(("http://127.0.0.1:", "http://[::1]:", "http://localhost:")):
        raise RuntimeError(f"THAW_FUZZ_BASE={base!r} is not a loopback address")
    return base


def _get(path: str) -> Any:
    with urllib.request.urlopen(f"{_base()}/api/v1{path}", timeout=30) as response:
        return json.load(response)


def _issue_token() -> str:
    base = _base()
    body = json.dumps(
        {
            "email": os.environ["THAW_FUZZ_EMAIL"],
            "password": os.environ["THAW_FUZZ_PASSWORD"],
            "name": "fuzz (fresh)",
        }
    ).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.load(response)["token"])


if os.environ.get("THAW_FUZZ_FRESH_TOKEN") == "1":

    @schemathesis.auth(refresh_interval=None)
    class FreshToken:
        def get(self, case: Any, ctx: Any) -> str:
            return _issue_token()

        def set(self, case: Any, data: str, ctx: Any) -> None:
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {data}"


if os.environ.get("THAW_FUZZ_DOC_FORMATS") == "1":

    @schemathesis.hook
    def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
        _declare_vocabularies(raw_schema.get("components", {}).get("schemas", {}))
        for operations in raw_schema.get("paths", {}).values():
            for operation in operations.values():
                if not isinstance(operation, dict):
                    continue
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") != "query":
                        continue
                    if parameter.get("name") in TIME_PARAMETERS:
                        parameter["schema"] = {
                            "type": "string",
                            "format": "date-time",
                            "examples": BOUNDARY_TIMES,
                        }
                    elif parameter.get("name") == "cursor":
                        parameter["schema"] = {
                            "type": "string",
                            "examples": [_cursor(at) for at in BOUNDARY_TIMES],
                        }


def _declare_vocabularies(schemas: dict[str, Any]) -> None:
    words = sorted(e["word"] for e in _get("/emotions"))
    sensations = sorted(_get("/body-sensations"))
    instrument_ids = sorted(i["id"] for i in _get("/instruments"))
    if "EmotionIn" in schemas:
        schemas["EmotionIn"]["properties"]["word"]["enum"] = words
    for name in ("CheckInCreate", "CheckInUpdate"):
        body = schemas.get(name, {}).get("properties", {}).get("body", {})
        for option in body.get("anyOf", []):
            if option.get("type") == "array":
                option["items"] = {"type": "string", "enum": sensations}
    assessment = schemas.get("AssessmentIn", {}).get("properties", {})
    if assessment:
        assessment["instrument"]["enum"] = instrument_ids
        assessment["answers"]["items"] = {"type": "integer", "minimum": 0, "maximum": 4}
