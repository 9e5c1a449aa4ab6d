"""API: your sessions, and for the care team scheduling, enrolment, attendance and cancelling."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool, StrictInt

from thaw.clinic.services import is_clinician
from thaw.schedule import services
from thaw.schedule.models import LINK_MAX, NOTE_MAX, TITLE_MAX
from thaw.text import SHORT, Text

router = Router(tags=["sessions"])

def not_found() -> dict[str, str]:
    return {"detail": gettext("Not found.")}  # in the request's language, so made per request


class Problem(Schema):
    detail: str


class AttendeeOut(Schema):
    person: int
    name: str
    attended: bool | None = Field(description="null until someone marks it")


class SessionOut(Schema):
    id: int
    program: int
    program_name: str
    kind: str = Field(description="group or individual")
    title: str
    starts_at: str
    ends_at: str
    video_link: str
    cancelled_at: str | None
    attended: bool | None = Field(description="For a person: whether they came (null: not marked). Null for the "
                                              "care team.")
    enrolled: int | None = Field(description="For the care team: how many people are in it. Null for a person.")
    note: str | None = Field(description="The care team's note; null for a person")
    attendees: list[AttendeeOut] | None = Field(description="Only on one session, for its care team")


class SessionFilters(Schema):
    when: Literal["upcoming", "past", "all"] = "all"
    limit: int = Field(100, ge=1, le=500)


class SessionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    program: StrictInt = Field(description="One of your programs")
    kind: Literal["group", "individual"] = "group"
    title: Text(TITLE_MAX)
    starts_at: Text(SHORT) = Field(description="ISO 8601; without an offset it is in your time zone")
    ends_at: Text(SHORT) = Field(description="ISO 8601, after starts_at and at most 12 hours later")
    video_link: Text(LINK_MAX) = Field(description="An https:// link")
    note: Text(NOTE_MAX) | None = Field(None, description="For the care team only")


class PersonIn(Schema):
    model_config = ConfigDict(extra="forbid")
    person: StrictInt


class AttendanceIn(Schema):
    model_config = ConfigDict(extra="forbid")
    person: StrictInt
    attended: StrictBool


def _activate(request: HttpRequest) -> None:
    # Bearer-token calls bypass the session's time-zone middleware; naive times mean the caller's zone.
    timezone.activate(request.user.tzinfo)  # type: ignore[union-attr]


@router.get("/sessions", response=list[SessionOut],
            summary="Your sessions: the ones you are in, or for the care team, your programs' sessions")
def list_my_sessions(request: HttpRequest, filters: Query[SessionFilters]) -> list[dict[str, Any]]:
    user = request.user
    now = timezone.now()
    sessions = services.sessions_for_clinician(user) if is_clinician(user) else services.sessions_for_person(user, now)
    sessions = services.annotate_for(user, sessions)
    if filters.when == "upcoming":
        sessions = sessions.filter(ends_at__gt=now).order_by("starts_at", "id")
    elif filters.when == "past":
        sessions = sessions.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    else:
        sessions = sessions.order_by("-starts_at", "-id")
    return [services.session_as_dict(s, user) for s in sessions[:filters.limit]]


@router.post("/clinic/sessions", response={201: SessionOut, 403: Problem}, summary="Schedule a session")
def schedule_session(request: HttpRequest, payload: SessionIn) -> Status[Any]:
    if not is_clinician(request.user):
        return Status(403, {"detail": gettext("Only clinicians schedule sessions.")})
    _activate(request)
    session = services.schedule(request.user, payload.model_dump())
    return Status(201, services.session_as_dict(session, request.user))


@router.get("/clinic/sessions/{session_id}", response={200: SessionOut, 404: Problem},
            summary="One of your programs' sessions, with who is in it")
def get_session(request: HttpRequest, session_id: int) -> Status[Any]:
    session = services.session_for_clinician(request.user, session_id)
    if session is None:
        return Status(404, not_found())
    attendees = services.attendees_for(session, request.user)
    return Status(200, services.session_as_dict(session, request.user, attendees=attendees))


@router.post("/clinic/sessions/{session_id}/attendees", response={201: AttendeeOut, 404: Problem},
             summary="Add someone enrolled in the program to the session")
def add_attendee(request: HttpRequest, session_id: int, payload: PersonIn) -> Status[Any]:
    session = services.session_for_clinician(request.user, session_id)
    if session is None:
        return Status(404, not_found())
    attendee = services.enrol(session, request.user, payload.person)
    return Status(201, {"person": attendee.person_id, "name": services.person_label(attendee.person),
                        "attended": attendee.attended})


@router.delete("/clinic/sessions/{session_id}/attendees/{person_id}", response={204: None, 404: Problem},
               summary="Take someone out of the session")
def remove_attendee(request: HttpRequest, session_id: int, person_id: int) -> Status[Any]:
    session = services.session_for_clinician(request.user, session_id)
    if session is None or not services.remove(session, request.user, person_id):
        return Status(404, not_found())
    return Status(204, None)


@router.post("/clinic/sessions/{session_id}/attendance", response={200: AttendeeOut, 404: Problem},
             summary="Mark whether someone came")
def mark_attendance(request: HttpRequest, session_id: int, payload: AttendanceIn) -> Status[Any]:
    session = services.session_for_clinician(request.user, session_id)
    if session is None:
        return Status(404, not_found())
    attendee = services.mark(session, request.user, payload.person, payload.attended)
    if attendee is None:
        return Status(404, not_found())
    return Status(200, {"person": attendee.person_id, "name": services.person_label(attendee.person),
                        "attended": attendee.attended})


@router.post("/clinic/sessions/{session_id}/cancel", response={200: SessionOut, 404: Problem},
             summary="Cancel the session (calendars show it as cancelled)")
def cancel_session(request: HttpRequest, session_id: int) -> Status[Any]:
    session = services.session_for_clinician(request.user, session_id)
    if session is None:
        return Status(404, not_found())
    services.cancel(session, request.user)
    return Status(200, services.session_as_dict(session, request.user))
