"""API: the public contact request, and the intake team's requests (intake role only).

``POST /api/v1/contact`` is public: JSON only (see ``thaw.learn.api.require_json``), limited per
address in the shared database cache like the web form, and the same request sent twice is
saved once. The intake endpoints answer 403 to anyone without the intake role; every request
they return is audited (``thaw.access``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from thaw import access
from thaw.accounts.throttle import spend
from thaw.core.net import client_ip
from thaw.intake import services
from thaw.intake.models import (
    MESSAGE_MAX,
    NAME_MAX,
    NOTE_MAX,
    OPEN_STATUSES,
    REACH_MAX,
    REGION_MAX,
    WHEN_MAX,
    ContactRequest,
    ReachBy,
    RequestStatus,
)
from thaw.learn.api import require_json
from thaw.learn.services import address_key
from thaw.safety.api import ResourceOut
from thaw.safety.resources import region_for
from thaw.text import SHORT, Choice, Text

router = Router(tags=["intake"])


class ContactIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: Text(NAME_MAX)
    reach_by: Choice(ReachBy.values) = Field(description="email, phone or text")
    reach_at: Text(REACH_MAX) = Field(description="The email address or phone number")
    best_time: Text(WHEN_MAX) = ""
    looking_for: Text(SHORT) = Field(description="A program's slug (GET /api/v1/programs) or not_sure")
    region: Text(REGION_MAX) = Field(description="The state or region they live in")
    message: Text(MESSAGE_MAX) = ""
    consent: bool = Field(description="They agree to be contacted the way they chose; must be true")


class ContactReceived(Schema):
    id: str
    crisis: bool = Field(description="The message had crisis language: show the crisis resources at once")
    resources: list[ResourceOut]


class Problem(Schema):
    detail: str


@router.post("/contact", response={201: ContactReceived, 429: Problem}, auth=None,
             summary="Ask the clinic to contact you (public)")
def post_contact(request: HttpRequest, payload: ContactIn) -> Any:
    require_json(request)
    data = payload.dict()
    cleaned, errors = services.clean(data)
    if errors:
        raise services.FieldErrors(errors)
    wait = spend("contact", address_key(client_ip(request)), limit=settings.THAW_CONTACT_LIMIT, window=3600)
    if wait:
        from thaw.api import api

        # The English says "seconds" even for one (scripts match the wording); the plural is for translations.
        response = api.create_response(request, {"detail": ngettext(
            "Too many requests from this address; try again in %(wait)s seconds.",
            "Too many requests from this address; try again in %(wait)s seconds.", wait) % {"wait": wait}}, status=429)
        response["Retry-After"] = str(wait)
        return response
    received = services.receive(data)
    resources = [r.as_dict() for r in region_for(None).resources] if received.crisis else []
    return Status(201, {"id": str(received.request.pk), "crisis": received.crisis, "resources": resources})


class RequestOut(Schema):
    id: str
    name: str
    reach_by: str
    reach_at: str
    best_time: str
    looking_for: str | None = Field(description="The program's name, or null for not sure")
    region: str
    message: str
    urgent: bool
    status: str
    assigned_to: str | None
    invited: bool
    created_at: datetime
    updated_at: datetime


class RequestFilters(Schema):
    status: Choice(["open", "all", *RequestStatus.values]) = "open"


def _out(r: ContactRequest) -> dict[str, Any]:
    return {"id": str(r.pk), "name": r.name, "reach_by": r.reach_by, "reach_at": r.reach_at, "best_time": r.best_time,
            "looking_for": r.program.name if r.program else None, "region": r.region, "message": r.message,
            "urgent": r.urgent, "status": r.status, "assigned_to": r.assigned_to.email if r.assigned_to else None,
            "invited": r.invite_id is not None, "created_at": r.created_at, "updated_at": r.updated_at}


def _intake(request: HttpRequest) -> None:
    if not access.is_intake(request.user):
        raise HttpError(403, gettext("Contact requests are for the intake team."))


@router.get("/intake/requests", response=list[RequestOut], summary="Contact requests (intake only), urgent first")
def list_requests(request: HttpRequest, filters: Query[RequestFilters]) -> list[dict[str, Any]]:
    _intake(request)
    found = access.contact_requests(request.user).select_related("program", "assigned_to")
    if filters.status == "open":
        found = found.filter(status__in=OPEN_STATUSES)
    elif filters.status in RequestStatus.values:
        found = found.filter(status=filters.status)
    elif filters.status != "all":
        raise services.FieldErrors({"status": "must be open, all or a status: " + ", ".join(RequestStatus.values)})
    shown = list(found.order_by("-urgent", "created_at")[:500])
    access.audit_contact_list(request.user, shown)
    return [_out(r) for r in shown]


class RequestPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    status: Choice(RequestStatus.values) | None = None
    assigned_to: Text(SHORT) | None = Field(None, description="An intake account's email; empty string to unassign")
    note: Text(NOTE_MAX) | None = Field(None, description="Added to the request's notes (encrypted)")


@router.patch("/intake/requests/{request_id}", response={200: RequestOut, 403: Problem, 404: Problem},
              summary="Change a request's status or assignment, or add a note (intake only)")
def patch_request(request: HttpRequest, request_id: str, payload: RequestPatch) -> Any:
    _intake(request)
    found = access.contact_request(request.user, request_id)
    if found is None:
        return Status(404, {"detail": gettext("No contact request has this id.")})
    services.update(found, request.user, payload.dict(exclude_unset=True))
    return Status(200, _out(found))


