"""Schemathesis hooks for tests/fuzz/run_schemathesis.sh (not a pytest module).

The script loads this file with ``SCHEMATHESIS_HOOKS=thaw_fuzz_hooks`` and
``PYTHONPATH=tests/fuzz``. Nothing here is active unless a pass asks for it, so the main
pass fuzzes the schema exactly as the server serves it.

``THAW_FUZZ_FRESH_TOKEN=1``
    Give every test case its own freshly issued bearer token (POST /api/v1/auth/token with
    ``THAW_FUZZ_EMAIL`` / ``THAW_FUZZ_PASSWORD`` against ``THAW_FUZZ_BASE``). Used for the
    pass over ``DELETE /tokens/{token_id}``, which would otherwise revoke the token the rest
    of the run depends on.

``THAW_FUZZ_DOC_FORMATS=1``
    Declare the ``since``/``until`` query parameters as ``format: date-time`` (docs/API.md
    says they are ISO-8601; the served schema says only "string"), so that generation
    reaches the date handling instead of stopping at "not a date".
"""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Any

import schemathesis

TIME_PARAMETERS = ("since", "until")


def _issue_token() -> str:
    base = os.environ["THAW_FUZZ_BASE"].rstrip("/")
    if not base.startswith(("http://127.0.0.1:", "http://[::1]:", "http://localhost:")):
        raise RuntimeError(f"THAW_FUZZ_BASE={base!r} is not a loopback address")
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
        for operations in raw_schema.get("paths", {}).values():
            for operation in operations.values():
                if not isinstance(operation, dict):
                    continue
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "query" and parameter.get("name") in TIME_PARAMETERS:
                        parameter["schema"] = {"type": "string", "format": "date-time"}
