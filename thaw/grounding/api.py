"""API: the grounding exercises and the person's own grounding sessions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool, StrictInt

from thaw.checkins.api import parse_list_filters
from thaw.grounding import services
from thaw.grounding.exercises import library
from thaw.grounding.models import Source
from thaw.grounding.rules import NOTE_MAX, RATING_MAX, RATING_MIN
from thaw.safety.api import ResourceOut
from thaw.safety.services import resources_payload
from thaw.text import SHORT, Text

router = Router(tags=["grounding"])

_RATING = {"minimum": RATING_MIN, "maximum": RATING_MAX}
_TIME = {"format": "date-time"}


class PhaseOut(Schema):
    name: str = Field(description="in, hold or out")
    seconds: float
    label: str


class PatternOut(Schema):
    cycles: int
    phases: list[PhaseOut]


class ExerciseOut(Schema):
    id: str
    title: str
    summary: str
    minutes: int
    kind: str = Field(description="steps or breathing")
    body_focused: bool = Field(description="Asks the person to notice their body; may raise distress after trauma")
    eyes_open: str
    switch_to: str = Field(description="A non-body-focused exercise to offer if this one made things worse")
    steps: list[str]
    pattern: PatternOut | None


class SessionCreate(Schema):
    model_config = ConfigDict(extra="forbid")
    id: Text(SHORT) | None = Field(
        None, description="A UUID made by the client; sending it again returns the saved session (200), not a copy",
        json_schema_extra={"format": "uuid"})
    exercise: Text(SHORT) = Field(description="An id from GET /api/v1/grounding/exercises", examples=["orienting"])
    started_at: Text(SHORT) = Field(description="ISO-8601; at most 5 minutes ahead", json_schema_extra=_TIME)
    ended_at: Text(SHORT) | None = Field(None, description="ISO-8601; default now; not before started_at",
                                       json_schema_extra=_TIME)
    completed: StrictBool | None = Field(None, description="false when “Stop now” was used; default true")
    before_presence: StrictInt | None = Field(None, description="0 far away … 10 fully here; null = skipped",
                                              json_schema_extra=_RATING)
    before_numbness: StrictInt | None = Field(None, description="0 not numb … 10 completely numb; null = skipped",
                                              json_schema_extra=_RATING)
    after_presence: StrictInt | None = Field(None, json_schema_extra=_RATING)
    after_numbness: StrictInt | None = Field(None, json_schema_extra=_RATING)
    made_worse: StrictBool | None = Field(None, description="The person said this made things worse; default false")
    note: Text(NOTE_MAX) | None = None


class SessionOut(Schema):
    id: str
    exercise: str
    exercise_title: str
    started_at: str
    ended_at: str
    completed: bool
    before_presence: int | None
    before_numbness: int | None
    after_presence: int | None
    after_numbness: int | None
    made_worse: bool
    note: str
    source: str
    created_at: str


class SessionSaved(SessionOut):
    crisis: bool = Field(description="The note contained crisis language: show the crisis resources")
    resources: list[ResourceOut] = Field(description="Crisis resources for the person's region when crisis is true")


class SessionPage(Schema):
    items: list[SessionOut]
    next: str | None = Field(description="Pass as ?cursor= for the next (older) page; null at the end")


class ListFilters(Schema):
    since: Text(SHORT) | None = Field(None, description="ISO-8601; only sessions started at or after this time")
    until: Text(SHORT) | None = Field(None, description="ISO-8601; only sessions started at or before this time")
    limit: Text(SHORT) | None = Field(None, description="1-500, default 50")
    cursor: Text(SHORT) | None = None


@router.get("/grounding/exercises", response=list[ExerciseOut], auth=None, summary="The grounding exercises")
def list_exercises(request: HttpRequest) -> list[dict[str, Any]]:
    return [e.as_dict() for e in library().exercises.values()]


@router.post("/grounding/sessions", response={200: SessionSaved, 201: SessionSaved},
             summary="Record a grounding session (201; 200 when that id was already saved)")
def create_session(request: HttpRequest, payload: SessionCreate) -> Status[Any]:
    data = payload.model_dump(exclude_unset=True, mode="python")
    session, created = services.create_session(request.user, data, source=Source.API)
    body = services.as_dict(session)
    body["crisis"] = bool(session.crisis)
    body["resources"] = resources_payload(request.user) if session.crisis else []
    return Status(201 if created else 200, body)


@router.get("/grounding/sessions", response=SessionPage, summary="Your grounding sessions, newest first")
def list_sessions(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    items, following = services.page_of_sessions(request.user, **parse_list_filters(request, filters))
    return {"items": [services.as_dict(s) for s in items], "next": following.encode() if following else None}
