"""API: grants (what you share, with whom, until when) and what others share with you."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool

from thaw.access import Category, audit_view, granted_categories
from thaw.circle import services
from thaw.circle.models import CATEGORY_LABELS, MESSAGE_MAX, NAME_MAX
from thaw.text import SHORT, Choice, Text

router = Router(tags=["trusted circle"])


class Problem(Schema):
    detail: str


def not_found() -> dict[str, str]:
    return {"detail": gettext("Not found.")}  # in the request's language, so made per request


class GranteeOut(Schema):
    email: str
    display_name: str


class GrantOut(Schema):
    id: str
    name: str
    email: str
    categories: list[str]
    until: str | None
    state: str = Field(description="invited, invitation expired, active, expired or revoked")
    grantee: GranteeOut | None
    created_at: str
    accepted_at: str | None
    revoked_at: str | None
    invite_expires_at: str | None


class GrantCreated(GrantOut):
    invite_url: str = Field(description="The single-use invitation link (valid 7 days). Shown only now.")


class GrantCreate(Schema):
    model_config = ConfigDict(extra="forbid")
    name: Text(NAME_MAX) = Field(description="What you call them")
    email: Text(254) | None = Field(None, description="Email the invitation; leave out to pass the link on yourself")
    categories: list[Choice(CATEGORY_LABELS)] = Field(
        description="What to share. 'notes' and 'substances' are never shared unless listed",
    )
    until: Text(SHORT) | None = Field(None, description="ISO-8601 date or time sharing ends; null for open-ended")


class GrantUpdate(Schema):
    model_config = ConfigDict(extra="forbid")
    name: Text(NAME_MAX) = None
    categories: list[Choice(CATEGORY_LABELS)] = None  # type: ignore[assignment]
    until: Text(SHORT) | None = None


class SharingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    paused: StrictBool


class SharingOut(Schema):
    paused: bool


class AcceptIn(Schema):
    model_config = ConfigDict(extra="forbid")
    invitation: Text(SHORT) = Field(description="The secret at the end of the invitation link")


class ReachOutIn(Schema):
    model_config = ConfigDict(extra="forbid")
    to: list[Text(SHORT)] = Field(description="Grant ids of the people to message")
    message: Text(MESSAGE_MAX)


class ReachOutOut(Schema):
    sent_to: int


class SharerOut(Schema):
    person: int
    name: str
    categories: list[str]


class WeekOut(Schema):
    week_ending: str
    checkins: int
    mean_numbness: float | None


class SummaryOut(Schema):
    weeks: list[WeekOut]
    this_week: WeekOut


class SharedLimit(Schema):
    limit: int = Field(50, ge=1, le=500)


@router.get("/grants", response=list[GrantOut], summary="Who you share with, and what")
def list_grants(request: HttpRequest) -> list[dict[str, Any]]:
    return [services.grant_as_dict(g) for g in services.grants_of(request.user)]


@router.post("/grants", response={201: GrantCreated}, summary="Invite a trusted person")
def create_grant(request: HttpRequest, payload: GrantCreate) -> Status[Any]:
    grant, raw = services.create_grant(request.user, payload.model_dump(exclude_unset=True))
    return Status(201, services.grant_as_dict(grant) | {"invite_url": services.invite_url(raw)})


@router.post("/grants/accept", response={200: SharerOut, 404: Problem}, summary="Accept an invitation")
def accept_grant(request: HttpRequest, payload: AcceptIn) -> Status[Any]:
    from thaw.circle.models import Grant

    grant = Grant.by_invite(payload.invitation)
    if grant is None:
        return Status(404, {"detail": gettext("No such invitation: it has expired, was used, or the link is "
                                              "incomplete.")})
    services.accept(grant, request.user)
    owner = grant.owner
    return Status(200, {"person": owner.pk, "name": services.person_label(owner), "categories": grant.categories})


@router.get("/grants/{grant_id}", response={200: GrantOut, 404: Problem}, summary="One grant")
def get_grant(request: HttpRequest, grant_id: str) -> Status[Any]:
    grant = services.own_grant(request.user, grant_id)
    if grant is None:
        return Status(404, not_found())
    return Status(200, services.grant_as_dict(grant))


@router.patch("/grants/{grant_id}", response={200: GrantOut, 404: Problem},
              summary="Change what is shared or until when (takes effect at once)")
def update_grant(request: HttpRequest, grant_id: str, payload: GrantUpdate) -> Status[Any]:
    grant = services.own_grant(request.user, grant_id)
    if grant is None:
        return Status(404, not_found())
    return Status(200, services.grant_as_dict(services.update_grant(grant, payload.model_dump(exclude_unset=True))))


@router.delete("/grants/{grant_id}", response={204: None, 404: Problem},
               summary="Stop sharing with this person now (they are not told)")
def revoke_grant(request: HttpRequest, grant_id: str) -> Status[Any]:
    grant = services.own_grant(request.user, grant_id)
    if grant is None:
        return Status(404, not_found())
    services.revoke(grant)
    return Status(204, None)


@router.post("/grants/{grant_id}/revoke", response={200: GrantOut, 404: Problem}, summary="Same as DELETE")
def revoke_grant_post(request: HttpRequest, grant_id: str) -> Status[Any]:
    grant = services.own_grant(request.user, grant_id)
    if grant is None:
        return Status(404, not_found())
    services.revoke(grant)
    return Status(200, services.grant_as_dict(grant))


@router.get("/sharing", response=SharingOut, summary="Whether all your sharing is paused")
def get_sharing(request: HttpRequest) -> dict[str, Any]:
    return {"paused": services.is_paused(request.user)}


@router.put("/sharing", response=SharingOut, summary="Pause (or resume) all sharing at once")
def put_sharing(request: HttpRequest, payload: SharingIn) -> dict[str, Any]:
    services.set_paused(request.user, payload.paused)
    return {"paused": payload.paused}


@router.post("/reach-out", response={202: ReachOutOut}, summary="Send a short message to trusted people by email")
def reach_out(request: HttpRequest, payload: ReachOutIn) -> Status[Any]:
    sent = services.reach_out(request.user, payload.to, payload.message)
    return Status(202, {"sent_to": sent})


def _notes_shown(request: HttpRequest, owner: Any) -> bool:
    """Whether the person's own words go along too (notes granted); if so, that look is audited as well."""
    with_notes = str(Category.NOTES) in granted_categories(request.user, owner.pk)
    if with_notes:
        audit_view(request.user, owner, Category.NOTES)
    return with_notes


@router.get("/shared", response=list[SharerOut], summary="People who share something with you")
def list_sharers(request: HttpRequest) -> list[dict[str, Any]]:
    return services.sharers_for(request.user)


@router.get("/shared/{person}/summary", response={200: SummaryOut, 404: Problem}, summary="Their weekly summary")
def shared_summary(request: HttpRequest, person: str) -> Status[Any]:
    owner = services.shared_owner(request.user, person, Category.SUMMARY)
    if owner is None:
        return Status(404, not_found())
    return Status(200, services.weekly_summary(owner))


@router.get("/shared/{person}/checkins", response={200: list[dict[str, Any]], 404: Problem},
            summary="Their check-ins (notes only if they shared notes)")
def shared_checkins(request: HttpRequest, person: str, filters: Query[SharedLimit]) -> Status[Any]:
    owner = services.shared_owner(request.user, person, Category.CHECKINS)
    if owner is None:
        return Status(404, not_found())
    with_notes = _notes_shown(request, owner)
    return Status(200, services.shared_checkins(owner, with_notes=with_notes, limit=filters.limit))


@router.get("/shared/{person}/assessments", response={200: list[dict[str, Any]], 404: Problem},
            summary="Their questionnaire scores")
def shared_assessments(request: HttpRequest, person: str) -> Status[Any]:
    owner = services.shared_owner(request.user, person, Category.ASSESSMENTS)
    if owner is None:
        return Status(404, not_found())
    return Status(200, services.shared_assessments(owner))


@router.get("/shared/{person}/grounding", response={200: dict[str, Any], 404: Problem},
            summary="Their grounding exercises and what works for them")
def shared_grounding(request: HttpRequest, person: str) -> Status[Any]:
    owner = services.shared_owner(request.user, person, Category.GROUNDING)
    if owner is None:
        return Status(404, not_found())
    with_notes = _notes_shown(request, owner)
    return Status(200, services.shared_grounding(owner, with_notes=with_notes))


@router.get("/shared/{person}/substance-use", response={200: dict[str, Any], 404: Problem},
            summary="Their substance use log (only with their explicit consent)")
def shared_substances(request: HttpRequest, person: str) -> Status[Any]:
    owner = services.shared_owner(request.user, person, Category.SUBSTANCES)
    if owner is None:
        return Status(404, not_found())
    with_notes = _notes_shown(request, owner)
    return Status(200, services.shared_substances(owner, with_notes=with_notes))
