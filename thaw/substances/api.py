"""API: the person's own substance-use log, cravings that passed, goals, review and insights.

Bad input answers 422 with a message per field, exactly like check-ins. Only the owner
can see an entry; anyone else gets the same 404 as for an id that does not exist.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictFloat, StrictInt

from thaw.checkins.api import ListFilters, Problem, parse_list_filters
from thaw.checkins.rules import NOTE_MAX, CheckInInvalid
from thaw.core import versions
from thaw.safety.api import ResourceOut
from thaw.safety.services import resources_payload
from thaw.substances import services
from thaw.substances.models import SubstanceUse
from thaw.substances.rules import CRAVING_MAX, CUSTOM_NAME_MAX, HELPED_NOTE_MAX
from thaw.substances.units import HELPED, MOTIVES, SUBSTANCES, UNITS
from thaw.text import SHORT, Choice, Text

router = Router(tags=["substance use"])

Number = StrictFloat  # accepts whole numbers too, never strings or booleans
_RATING: dict[str, Any] = {"minimum": 0, "maximum": CRAVING_MAX}


class UseCreate(Schema):
    model_config = ConfigDict(extra="forbid")
    substance: Choice(SUBSTANCES)
    custom_name: Text(CUSTOM_NAME_MAX) | None = Field(
        None, description='Your own name for it; required when substance is "other"')
    amount: Number | None = Field(None, description="More than 0; optional (leave out if unsure)")
    unit: Choice(UNITS) | None = Field(None, description="One of the substance's units (see GET /substance-use/units)")
    abv: Number | None = Field(None, description="% alcohol by volume, 0-100; required for alcohol in ml")
    at: Text(SHORT) | None = Field(None, description="ISO-8601; default now; at most 5 minutes ahead",
                                   json_schema_extra={"format": "date-time"})
    craving: StrictInt | None = Field(None, description="0 none … 10 as strong as it gets", json_schema_extra=_RATING)
    motives: list[Choice(MOTIVES)] | None = None
    note: Text(NOTE_MAX) | None = None


class UseUpdate(UseCreate):
    """Send only what changes; null clears an optional field. The result is checked as a whole."""

    substance: Choice(SUBSTANCES) = None
    at: Text(SHORT) = Field(None, json_schema_extra={"format": "date-time"})


class UseOut(Schema):
    id: UUID
    substance: str
    custom_name: str
    label: str
    amount: float | None
    unit: str | None
    abv: float | None
    standard_drinks: float | None = Field(description="Alcohol only, in your standard-drink size")
    at: str
    craving: int | None
    motives: list[str]
    note: str
    created_at: str
    updated_at: str


class UseSaved(UseOut):
    crisis: bool = Field(description="The note contained crisis language: show the crisis resources")
    resources: list[ResourceOut]


class UsePage(Schema):
    items: list[UseOut]
    next: str | None = Field(description="Pass as ?cursor= for the next (older) page; null at the end")


class CravingCreate(Schema):
    model_config = ConfigDict(extra="forbid")
    substance: Choice(SUBSTANCES)
    custom_name: Text(CUSTOM_NAME_MAX) | None = None
    at: Text(SHORT) | None = Field(None, json_schema_extra={"format": "date-time"})
    intensity: StrictInt = Field(description="How strong the craving was, 0-10", json_schema_extra=_RATING)
    helped: list[Choice(HELPED)] | None = None
    helped_note: Text(HELPED_NOTE_MAX) | None = Field(None, description="What helped, in your own words")


class CravingOut(Schema):
    id: UUID
    substance: str
    custom_name: str
    label: str
    at: str
    intensity: int
    helped: list[str]
    helped_note: str
    created_at: str


class CravingSaved(CravingOut):
    crisis: bool
    resources: list[ResourceOut]


class CravingPage(Schema):
    items: list[CravingOut]
    next: str | None


class GoalIn(Schema):
    model_config = ConfigDict(extra="forbid")
    substance: Choice(SUBSTANCES)
    kind: Text(SHORT) = Field(description='"abstain", "weekly_limit" or "none" (ends the goal)')
    weekly_limit: Number | None = Field(None, description="For weekly_limit: more than 0")
    limit_unit: Text(SHORT) | None = Field(None, description='"standard_drink" (alcohol), "use" (times) or a unit')


class GoalOut(Schema):
    substance: str
    kind: str
    weekly_limit: float | None
    limit_unit: str | None
    since: str
    active: bool


def _body(payload: Schema) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True, mode="python")


def _saved_use(use: Any) -> dict[str, Any]:
    body = services.as_dict(use)
    body["crisis"] = bool(use.crisis)
    body["resources"] = resources_payload(use.person) if use.crisis else []
    return body


def not_found() -> dict[str, str]:
    return {"detail": gettext("No such entry.")}  # in the request's language, so made per request


@router.get("/substance-use/units", auth=None, summary="Substances, their units, motives and what can help")
def list_units(request: HttpRequest) -> dict[str, Any]:
    return {
        "substances": [{"key": s.key, "label": s.label, "units": list(s.units)} for s in SUBSTANCES.values()],
        "motives": MOTIVES,
        "helped": HELPED,
    }


# The fixed paths come before /substance-use/{use_id} so that they are never read as an id.
@router.get("/substance-use/cravings", response=CravingPage, summary="Cravings that passed without using, newest first")
def list_cravings(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    items, following = services.page_of(services.cravings_for(request.user), **parse_list_filters(request, filters))
    return {"items": [services.craving_as_dict(c) for c in items], "next": following.encode() if following else None}


@router.post("/substance-use/cravings", response={201: CravingSaved}, summary="Log a craving that passed without using")
def create_craving(request: HttpRequest, payload: CravingCreate) -> Status[Any]:
    craving = services.create_craving(request.user, _body(payload))
    body = services.craving_as_dict(craving)
    body["crisis"] = bool(craving.crisis)
    body["resources"] = resources_payload(request.user) if craving.crisis else []
    return Status(201, body)


@router.delete("/substance-use/cravings/{craving_id}", response={204: None, 404: Problem}, summary="Delete a craving")
def delete_craving(request: HttpRequest, craving_id: str) -> Status[Any]:
    craving = services.own_craving(request.user, craving_id)
    if craving is None:
        return Status(404, not_found())
    services.delete_craving(craving)
    return Status(204, None)


@router.get("/substance-use/goals", response=list[GoalOut], summary="Your current goals, one per substance")
def list_goals(request: HttpRequest) -> list[dict[str, Any]]:
    return [services.goal_as_dict(g) for g in services.active_goals(request.user).values()]


@router.put("/substance-use/goals", response={200: GoalOut, 204: None}, summary="Set or end the goal for a substance")
def put_goal(request: HttpRequest, payload: GoalIn) -> Status[Any]:
    goal = services.set_goal(request.user, _body(payload))
    return Status(204, None) if goal is None else Status(200, services.goal_as_dict(goal))


@router.get("/substance-use/review", summary="The calm weekly review (Monday to Sunday, your time zone)")
def get_review(request: HttpRequest, week: Text(SHORT) | None = None) -> dict[str, Any]:
    """``week``: any date in the week (YYYY-MM-DD); default this week."""
    day = timezone.now().astimezone(request.user.tzinfo).date()
    if week:
        try:
            day = date.fromisoformat(week)
        except ValueError:
            raise CheckInInvalid({"week": "must be a date, YYYY-MM-DD"}) from None
        if not 1970 <= day.year <= 9000:
            raise CheckInInvalid({"week": "must be a date between 1970 and 9000"})
    return services.weekly_review(request.user, day)


@router.get("/substance-use/insights", summary="How use relates to numbness and feelings (FDR-controlled)")
def get_substance_insights(request: HttpRequest) -> dict[str, Any]:
    return services.insights(request.user)


@router.get("/substance-use", response=UsePage, summary="Your substance use, newest first")
def list_uses(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    items, following = services.page_of(services.uses_for(request.user), **parse_list_filters(request, filters))
    return {"items": [services.as_dict(u) for u in items], "next": following.encode() if following else None}


@router.post("/substance-use", response={201: UseSaved}, summary="Log a use")
def create_use(request: HttpRequest, payload: UseCreate) -> Status[Any]:
    data = {k: v for k, v in _body(payload).items() if v is not None}
    return Status(201, _saved_use(services.create_use(request.user, data)))


class UseConflict(Schema):
    detail: str
    current: UseOut = Field(description="The entry as saved now; its ETag is in the ETag header")
    yours: dict[str, Any] = Field(description="The change you sent, not saved")


@router.get("/substance-use/{use_id}", response={200: UseOut, 404: Problem}, summary="One use")
def get_use(request: HttpRequest, use_id: str, response: HttpResponse) -> Status[Any]:
    """The ``ETag`` header is the entry's version: send it back as ``If-Match`` with a PATCH."""
    use = services.own_use(request.user, use_id)
    if use is None:
        return Status(404, not_found())
    response["ETag"] = versions.etag(use.version)
    return Status(200, services.as_dict(use))


@router.patch("/substance-use/{use_id}", response={200: UseSaved, 404: Problem, 409: UseConflict},
              summary="Change a use")
def update_use(request: HttpRequest, use_id: str, payload: UseUpdate, response: HttpResponse) -> Any:
    """With ``If-Match``, an entry changed since the GET is not overwritten: 409 with both."""
    use = services.own_use(request.user, use_id)
    if use is None:
        return Status(404, not_found())
    changes = _body(payload)
    for required in ("substance", "at"):
        if required in changes and changes[required] is None:
            raise CheckInInvalid({required: "cannot be removed; send a new value or leave the field out"})
    try:
        use = services.update_use(use, changes, expected_version=versions.if_match(request))
    except versions.EditConflict as exc:
        return versions.conflict_response(request, services.as_dict(exc.current), _body(payload),
                                          exc.current.version)
    except SubstanceUse.DoesNotExist:
        return Status(404, not_found())
    response["ETag"] = versions.etag(use.version)
    return Status(200, _saved_use(use))


@router.delete("/substance-use/{use_id}", response={204: None, 404: Problem}, summary="Delete a use")
def delete_use(request: HttpRequest, use_id: str) -> Status[Any]:
    use = services.own_use(request.user, use_id)
    if use is None:
        return Status(404, not_found())
    services.delete_use(use)
    return Status(204, None)
