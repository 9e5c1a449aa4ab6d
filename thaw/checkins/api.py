"""API: the emotion vocabulary and the person's own check-ins."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictInt

from thaw.checkins import services, suggest
from thaw.checkins.models import CheckIn, Source
from thaw.checkins.rules import (
    INTENSITY_MAX,
    INTENSITY_MIN,
    MAX_BODY,
    MAX_TAGS,
    MAX_WORDS,
    MIN_WORDS,
    NOTE_MAX,
    NUMBNESS_MAX,
    NUMBNESS_MIN,
    CheckInInvalid,
    parse_bound,
)
from thaw.checkins.vocabulary import body_map, tag_groups, vocabulary
from thaw.checkins.wordfinding import MAX_TEXT
from thaw.core import versions
from thaw.safety.api import ResourceOut
from thaw.safety.services import resources_payload
from thaw.text import SHORT, Text

router = Router(tags=["check-ins"])


class Problem(Schema):
    detail: str


class EmotionOut(Schema):
    word: str
    family: str
    pleasantness: int
    energy: int
    definition: str


class EmotionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    word: Text(SHORT) = Field(description="A word from GET /api/v1/emotions", examples=["lonely"])
    intensity: StrictInt = Field(
        description="How strong, 0 to 10", json_schema_extra={"minimum": INTENSITY_MIN, "maximum": INTENSITY_MAX}
    )


_EMOTIONS_DOC = {"minItems": MIN_WORDS, "maxItems": MAX_WORDS}
_NUMBNESS_DOC = {"minimum": NUMBNESS_MIN, "maximum": NUMBNESS_MAX}


class CheckInCreate(Schema):
    model_config = ConfigDict(extra="forbid")
    emotions: list[EmotionIn] = Field(json_schema_extra=_EMOTIONS_DOC, description='1-5 words; "not sure" is a word')
    numbness: StrictInt | None = Field(
        None, json_schema_extra=_NUMBNESS_DOC,
        description="0 not numb … 10 completely numb; leave out (or null) when not rated, and it is saved as null")
    body: list[Text(SHORT)] | None = Field(None, json_schema_extra={"maxItems": MAX_BODY}, examples=[["chest/tight"]])
    tags: list[Text(SHORT)] | None = Field(None, json_schema_extra={"maxItems": MAX_TAGS}, examples=[["work"]])
    note: Text(NOTE_MAX) | None = None
    at: Text(SHORT) | None = Field(
        None, description="ISO-8601 time; default now; at most 5 minutes ahead", json_schema_extra={"format": "date-time"}
    )
    id: Text(SHORT) | None = Field(
        None, description="A UUID made by the client; sending it again returns the saved check-in (200), not a copy",
        json_schema_extra={"format": "uuid"})
    prompt_id: Text(SHORT) | None = Field(
        None, description="The reminder this check-in answers (from the notification's link); leave out when "
                          "self-started. A reminder that had expired by the check-in's time leaves it self-started",
        json_schema_extra={"format": "uuid"})


class CheckInUpdate(Schema):
    """Send only what changes. ``note``, ``body`` and ``tags`` may be null to clear them, and
    ``numbness`` null means "not rated"; ``emotions`` and ``at`` cannot be removed, only replaced."""

    model_config = ConfigDict(extra="forbid")
    emotions: list[EmotionIn] = Field(None, json_schema_extra=_EMOTIONS_DOC)  # type: ignore[assignment]
    numbness: StrictInt | None = Field(None, json_schema_extra=_NUMBNESS_DOC)
    body: list[Text(SHORT)] | None = Field(None, json_schema_extra={"maxItems": MAX_BODY})
    tags: list[Text(SHORT)] | None = Field(None, json_schema_extra={"maxItems": MAX_TAGS})
    note: Text(NOTE_MAX) | None = None
    at: Text(SHORT) = Field(None, json_schema_extra={"format": "date-time"})  # type: ignore[assignment]


class CheckInEmotionOut(Schema):
    word: str
    intensity: int
    family: str | None
    pleasantness: int | None
    energy: int | None


class CheckInOut(Schema):
    id: UUID
    at: str
    emotions: list[CheckInEmotionOut]
    numbness: int | None = Field(description="0 to 10, or null: not rated")
    body: list[str]
    tags: list[str]
    note: str
    source: str
    prompt_id: UUID | None = Field(None, description="The reminder this check-in answered; null when self-started")
    created_at: str
    updated_at: str


class CheckInSaved(CheckInOut):
    crisis: bool = Field(description="The note contained crisis language: show the crisis resources")
    resources: list[ResourceOut] = Field(description="Crisis resources for the person's region when crisis is true")


class CheckInPage(Schema):
    items: list[CheckInOut]
    next: str | None = Field(description="Pass as ?cursor= for the next (older) page; null at the end")


class ListFilters(Schema):
    since: Text(SHORT) | None = Field(None, description="ISO-8601; only check-ins at or after this time")
    until: Text(SHORT) | None = Field(None, description="ISO-8601; only check-ins at or before this time")
    limit: Text(SHORT) | None = Field(None, description="1-500, default 50")
    cursor: Text(SHORT) | None = None


@router.get("/emotions", response=list[EmotionOut], auth=None, summary="The emotion vocabulary")
def list_emotions(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"word": e.word, "family": e.family, "pleasantness": e.pleasantness, "energy": e.energy, "definition": e.definition}
        for e in vocabulary().emotions.values()
    ]


class SuggestIn(Schema):
    model_config = ConfigDict(extra="forbid")
    text: Text(MAX_TEXT) = Field(
        description="What happened or how it is, in the person's words. Never stored or logged.",
        examples=["I sat in the car after work and couldn't feel anything"],
    )


class SuggestionOut(Schema):
    word: str
    family: str
    definition: str
    score: float = Field(description="0 to 1; the best suggestion has 1")


class SuggestOut(Schema):
    suggestions: list[SuggestionOut] = Field(description="Up to 5 words, best first; empty when crisis is true")
    crisis: bool = Field(description="The text contains crisis language: show the crisis resources first")
    resources: list[ResourceOut] = Field(description="Crisis resources for the person's region when crisis is true")
    word_to_try: SuggestionOut | None = Field(
        None, description="A word the person has never used whose definition matches the text")
    mode: str = Field(description='"lexicon", or "lexicon+model" when the local model is loaded')


@router.post("/emotions/suggest", response={200: SuggestOut, 429: Problem},
             summary="Suggest emotion words from a sentence (private: nothing is stored)")
def suggest_emotions(request: HttpRequest, payload: SuggestIn) -> Any:
    try:
        text = suggest.clean(payload.text)
    except suggest.TextInvalid as exc:
        raise CheckInInvalid({"text": exc.message}) from None
    wait = suggest.retry_after(request.user)
    if wait:
        from thaw.api import error_response

        response = error_response(request, {"text": f"too many suggestions just now; try again in {wait} seconds"},
                                  status=429)
        response["Retry-After"] = str(wait)
        return response
    return suggest.suggest(request.user, text).as_dict()


@router.get("/body-sensations", response=list[str], auth=None, summary="Valid body sensations (region/sensation)")
def list_body_sensations(request: HttpRequest) -> list[str]:
    body = body_map()
    return [f"{r}/{s}" for r in body.regions for s in body.sensations]


@router.get("/tags", response=dict[str, list[str]], summary="Built-in tags by group, and your own")
def list_tags(request: HttpRequest) -> dict[str, list[str]]:
    groups = {g.name: list(g.tags) for g in tag_groups()}
    groups["own"] = services.own_tags(request.user)
    return groups


def _body(payload: Schema) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True, mode="python")


def _saved(checkin: Any) -> dict[str, Any]:
    body = services.as_dict(checkin)
    body["crisis"] = bool(checkin.crisis)
    body["resources"] = resources_payload(checkin.person) if checkin.crisis else []
    return body


@router.post("/checkins", response={200: CheckInSaved, 201: CheckInSaved},
             summary="Record a check-in (201; 200 when that id was already saved)")
def create_checkin(request: HttpRequest, payload: CheckInCreate) -> Status[Any]:
    data = _body(payload)
    for optional in ("body", "tags", "note", "at", "id", "prompt_id"):
        if data.get(optional, "") is None:
            data.pop(optional)
    checkin = services.create_checkin(request.user, data, source=Source.API)
    # The hottest write in Thaw: the body (built by services.as_dict, held to CheckInSaved by
    # tests/test_api_checkins.py) is rendered as it is, without validating our own output again.
    from thaw.api import api  # not at the top: thaw.api imports this router

    return api.create_response(request, _saved(checkin), status=200 if getattr(checkin, "resent", False) else 201)


def parse_list_filters(request: HttpRequest, filters: Any) -> dict[str, Any]:
    """since/until/limit/cursor from a list endpoint's query, or 422 naming each bad one."""
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {"limit": 50}
    for name in ("since", "until"):
        value = getattr(filters, name)
        if value:
            try:
                parsed[name] = parse_bound(value, request.user.tzinfo, end=name == "until")
            except ValueError:
                errors[name] = "must be an ISO-8601 date or date and time, e.g. 2026-03-01T00:00:00Z"
    if filters.limit is not None:
        try:
            limit = int(filters.limit)
        except ValueError:
            limit = 0
        if not 1 <= limit <= 500:
            errors["limit"] = "must be a whole number from 1 to 500"
        parsed["limit"] = limit
    if filters.cursor:
        try:
            parsed["cursor"] = services.Cursor.decode(filters.cursor)
        except ValueError as exc:
            errors["cursor"] = str(exc)
    if errors:
        raise CheckInInvalid(errors)
    return parsed


@router.get("/checkins", response=CheckInPage, summary="Your check-ins, newest first")
def list_checkins(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    items, following = services.page_of_checkins(request.user, **parse_list_filters(request, filters))
    return {"items": [services.as_dict(c) for c in items], "next": following.encode() if following else None}


class CheckInConflict(Schema):
    detail: str
    current: CheckInOut = Field(description="The check-in as saved now; its ETag is in the ETag header")
    yours: dict[str, Any] = Field(description="The change you sent, not saved")


@router.get("/checkins/{checkin_id}", response={200: CheckInOut, 404: Problem}, summary="One check-in")
def get_checkin(request: HttpRequest, checkin_id: str, response: HttpResponse) -> Status[Any]:
    """The ``ETag`` header is the check-in's version: send it back as ``If-Match`` with a PATCH."""
    checkin = services.own_checkin(request.user, checkin_id)
    if checkin is None:
        return Status(404, {"detail": gettext("No such check-in.")})
    response["ETag"] = versions.etag(checkin.version)
    return Status(200, services.as_dict(checkin))


@router.patch("/checkins/{checkin_id}", response={200: CheckInSaved, 404: Problem, 409: CheckInConflict},
              summary="Change a check-in")
def update_checkin(request: HttpRequest, checkin_id: str, payload: CheckInUpdate, response: HttpResponse) -> Any:
    """With ``If-Match: <ETag from the GET>``, a check-in changed since then is not overwritten:
    the answer is 409 with the saved version (``current``) and your change (``yours``)."""
    checkin = services.own_checkin(request.user, checkin_id)
    if checkin is None:
        return Status(404, {"detail": gettext("No such check-in.")})
    data = _body(payload)
    if data.get("note", "") is None:
        data["note"] = ""
    for clearable in ("body", "tags"):
        if clearable in data and data[clearable] is None:
            data[clearable] = []
    try:
        checkin = services.update_checkin(checkin, data, expected_version=versions.if_match(request))
    except versions.EditConflict:
        current = services.own_checkin(request.user, checkin_id)  # with its words and tags
        if current is not None:
            return versions.conflict_response(request, services.as_dict(current), _body(payload), current.version)
        return Status(404, {"detail": gettext("No such check-in.")})
    except CheckIn.DoesNotExist:
        return Status(404, {"detail": gettext("No such check-in.")})
    response["ETag"] = versions.etag(checkin.version)
    return Status(200, _saved(checkin))


@router.delete("/checkins/{checkin_id}", response={204: None, 404: Problem}, summary="Delete a check-in")
def delete_checkin(request: HttpRequest, checkin_id: str) -> Status[Any]:
    checkin = services.own_checkin(request.user, checkin_id)
    if checkin is None:
        return Status(404, {"detail": gettext("No such check-in.")})
    services.delete_checkin(checkin)
    return Status(204, None)
