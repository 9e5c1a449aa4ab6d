"""The JSON API at /api/v1: one NinjaAPI, its authentication and its error format.

Every error is JSON. Validation problems answer 422 with
``{"detail": "<summary>", "errors": [{"field": "emotions.0.word", "message": "..."}]}``
so a script (or a person reading its output) knows which field to fix. Every ``detail`` is
written when the answer is made, in the request's language (``thaw.core.language``: a token's
owner's profile, else the browser's, else the site's); the English wording is kept as it is.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from thaw.api_auth import BearerToken, SignedInSession
from thaw.assessments.scoring import AnswersInvalid
from thaw.checkins.rules import CheckInInvalid
from thaw.validation import BodyNotJSON, field_path, parse_json_body, validation_message


class StrictJSONParser(Parser):
    """Parse JSON bodies, remembering why a body could not be parsed."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            return parse_json_body(request.body)
        except BodyNotJSON as exc:
            request.thaw_parse_error = str(exc)  # type: ignore[attr-defined]
            raise


logger = logging.getLogger(__name__)

ERROR_SCHEMA = {
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "required": ["field", "message"], "properties": {
            "field": {"type": "string"}, "message": {"type": "string"}}}},
    },
}


class ThawAPI(NinjaAPI):
    """Declares, for every operation, the error answers Thaw really gives, in one JSON shape."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for item in schema["paths"].values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                wanted = [(500, "An unexpected error on Thaw's side; nothing was saved")]
                if operation.get("security"):
                    wanted += [(401, "Not signed in, or the token is wrong or revoked"),
                               (403, "Not allowed: a failed CSRF check, or two-factor authentication is required")]
                if operation.get("requestBody"):
                    wanted.append((400, "The body is not JSON"))
                    wanted.append((413, "The body is larger than Thaw accepts; nothing was saved"))
                if operation.get("requestBody") or operation.get("parameters"):
                    wanted.append((422, "Something sent is not valid; errors name each field"))
                for code, description in wanted:
                    if code not in responses and str(code) not in responses:
                        responses[code] = {"description": description, **error}
        return schema


api = ThawAPI(
    title="Thaw API",
    version="1",
    description=(
        "Thaw's JSON API. Authenticate with `Authorization: Bearer <token>` "
        "(get one from `POST /api/v1/auth/token` or the Settings page) or with a signed-in session."
    ),
    auth=[BearerToken(), SignedInSession()],
    parser=StrictJSONParser(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(request: HttpRequest, errors: dict[str, str], status: int = 422) -> HttpResponse:
    summary = "; ".join(f"{field}: {message}" for field, message in errors.items())
    body = {"detail": summary, "errors": [{"field": f, "message": m} for f, m in errors.items()]}
    return api.create_response(request, body, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, str] = {}
    for item in exc.errors:
        field = field_path(item.get("loc", ()))
        message = validation_message(item)
        if field == "body" and item.get("type") == "missing":
            message = "a JSON object body is required"
        elif field == "body" and item.get("type") in ("model_attributes_type", "dict_type", "model_type"):
            message = 'must be a JSON object, like {"field": "value"}'
        errors.setdefault(field, message)
    return error_response(request, errors)


@api.exception_handler(CheckInInvalid)
def on_checkin_invalid(request: HttpRequest, exc: CheckInInvalid) -> HttpResponse:
    return error_response(request, exc.errors)


@api.exception_handler(AnswersInvalid)
def on_answers_invalid(request: HttpRequest, exc: AnswersInvalid) -> HttpResponse:
    return error_response(request, exc.errors)


def ninja_message(message: str) -> str:
    """django-ninja's own error messages, in the request's language (Thaw's own ``HttpError``s are
    translated where they are raised)."""
    if message == "CSRF check Failed":  # ninja's session auth, on a write without the CSRF token
        return gettext("CSRF check Failed")
    return message


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    parse_error = getattr(request, "thaw_parse_error", None)
    if exc.status_code == 400 and parse_error:
        return error_response(request, {"body": f"is not valid JSON: {parse_error}"}, status=400)
    return api.create_response(request, {"detail": ninja_message(str(exc))}, status=exc.status_code)


def too_big_message() -> str:
    from thaw.validation import decimal

    limit = decimal(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_000_000, 1, fixed=True)
    return gettext("is larger than Thaw accepts (%(limit)s MB at most); nothing was saved. Send less at once, or "
                   "shorten the text") % {"limit": limit}


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, {"body": too_big_message()}, status=413)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Even a bug answers JSON. Writes are transactions, so nothing was half-saved."""
    logger.exception("unhandled error in %s %s", request.method, request.path)
    return api.create_response(
        request, {"detail": gettext("Something went wrong on Thaw's side. Nothing was saved; please try again.")},
        status=500,
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": gettext("Sign in, or send an API token as 'Authorization: Bearer <token>'.")},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="thaw"'
    return response


def _register_routers() -> None:
    from thaw.accounts.api import router as accounts_router
    from thaw.assessments.api import router as assessments_router
    from thaw.audit.api import router as audit_router
    from thaw.checkins.api import router as checkins_router
    from thaw.circle.api import router as circle_router
    from thaw.clinic.api import router as clinic_router
    from thaw.exports.api import router as exports_router
    from thaw.grounding.api import router as grounding_router
    from thaw.insights.api import router as insights_router
    from thaw.intake.api import router as intake_router
    from thaw.learn.api import router as learn_router
    from thaw.reminders.api import router as reminders_router
    from thaw.safety.api import router as safety_router
    from thaw.schedule.api import router as schedule_router
    from thaw.substances.api import router as substances_router

    api.add_router("", accounts_router)
    api.add_router("", checkins_router)
    api.add_router("", assessments_router)
    api.add_router("", safety_router)
    api.add_router("", insights_router)
    api.add_router("", grounding_router)
    api.add_router("", substances_router)
    api.add_router("", circle_router)
    api.add_router("", clinic_router)
    api.add_router("", audit_router)
    api.add_router("", exports_router)
    api.add_router("", schedule_router)
    api.add_router("", reminders_router)
    api.add_router("", learn_router)
    api.add_router("", intake_router)


_register_routers()
