"""API for clinicians (caseload, flags, invitations, notifications) and for people joining a program."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from thaw.circle.models import PROGRAM_CATEGORY_LABELS
from thaw.clinic import services
from thaw.clinic.models import EnrolmentInvite, Notification, Program
from thaw.text import SHORT, Choice, Text

router = Router(tags=["clinic"])


class Problem(Schema):
    detail: str


def not_found() -> dict[str, str]:
    return {"detail": gettext("Not found.")}  # in the request's language, so made per request


class ScoreOut(Schema):
    score: int
    band: str
    status: str = Field(description="recovered, improved, no reliable change, deteriorated, or empty for a first score")
    taken_at: str
    rules_version: int = Field(description="The version of Thaw's scoring rules that produced the band and status; "
                                           "results are never re-scored")


class FlagOut(Schema):
    id: int
    kind: str
    reason: str
    created_at: str


class QuestionnaireOut(Schema):
    instrument: str
    every_days: int = Field(description="The care team's cadence")
    due_at: str = Field(description="When it is due (or first was), UTC")
    due: bool
    overdue: bool = Field(description="Due for more than 2 days")


class CaseloadRow(Schema):
    person: int
    name: str
    programs: list[str]
    need: str = Field(description="crisis, deterioration, disengagement or empty")
    categories: list[str]
    scores: dict[str, ScoreOut]
    numbness_daily: list[float | None] = Field(description="14 daily means, oldest first (UTC days); empty if not shared")
    numbness_last_7: float | None
    numbness_previous_7: float | None
    checkin_days_last_7: int | None
    last_activity: str | None
    open_flags: list[FlagOut]
    language: str | None = Field(None, description="The person's language (en, es); null: it follows their browser")
    last_language: str | None = Field(None, description="The language they last read Thaw in (en, es), what Thaw "
                                                        "writes to them in while `language` is null; null if not known")
    questionnaires: list[QuestionnaireOut] = Field(
        [], description="Questionnaires the care team set on a cadence (homework); empty if none or not shared")
    questionnaires_due: int | None = Field(None, description="How many are due now, overdue included; null if not shared")
    questionnaires_overdue: int | None = Field(None, description="How many have been due for more than 2 days")
    questionnaires_came_due_30d: int | None = Field(
        None, description="Times a questionnaire came due in the last 30 days (one due under 2 days ago and not "
                          "yet taken is not counted)")
    questionnaires_completed_30d: int | None = Field(None, description="Of those, the times it was then taken")
    questionnaire_completion_30d: int | None = Field(
        None, description="completed / came due, in percent; null when none came due or not shared")


class CaseloadFilters(Schema):
    program: int | None = Field(None, ge=1, le=2**63 - 1)
    need: Text(SHORT) | None = Field(None, description="crisis, deterioration or disengagement")


class AckIn(Schema):
    model_config = ConfigDict(extra="forbid")
    note: Text(services.ACK_NOTE_MAX)


class InviteIn(Schema):
    model_config = ConfigDict(extra="forbid")
    program: int = Field(ge=1, le=2**63 - 1)
    email: Text(254) | None = None


class InviteOut(Schema):
    invite_url: str
    expires_at: str


class EnrolIn(Schema):
    model_config = ConfigDict(extra="forbid")
    invitation: Text(SHORT)
    categories: list[Choice(PROGRAM_CATEGORY_LABELS)]


class ProgramOut(Schema):
    id: int
    name: str
    description: str


class NotificationOut(Schema):
    id: int
    text: str
    link: str
    created_at: str
    read: bool


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def _refuse_non_clinicians(request: HttpRequest) -> Status[Any] | None:
    if not services.is_clinician(request.user):
        return Status(403, {"detail": gettext("Only clinicians have a caseload.")})
    return None


@router.get("/clinic/caseload", response={200: list[CaseloadRow], 403: Problem}, summary="Your caseload, by need")
def caseload(request: HttpRequest, filters: Query[CaseloadFilters]) -> Status[Any]:
    refused = _refuse_non_clinicians(request)
    if refused:
        return refused
    need = filters.need or ""
    if need and need not in ("crisis", "deterioration", "disengagement"):
        raise services.FieldErrors({"need": "must be crisis, deterioration or disengagement"})
    rows = services.caseload(request.user, program_id=filters.program, need=need)
    return Status(200, [{
        "person": r.person_id, "name": r.name, "programs": r.programs, "need": r.need, "language": r.language or None,
        "last_language": r.last_language or None,
        "categories": sorted(r.categories),
        "scores": {k: {**v, "taken_at": _iso(v["taken_at"])} for k, v in r.scores.items()},
        "numbness_daily": r.days, "numbness_last_7": r.numb_recent, "numbness_previous_7": r.numb_before,
        "checkin_days_last_7": r.adherence, "last_activity": _iso(r.last_activity),
        "open_flags": [{"id": f.pk, "kind": f.kind, "reason": f.reason, "created_at": _iso(f.created_at)}
                       for f in r.flags],
        **_questionnaires(r.questionnaires),
    } for r in rows])


def _questionnaires(summary: Any) -> dict[str, Any]:
    if summary is None:
        return {"questionnaires": [], "questionnaires_due": None, "questionnaires_overdue": None,
                "questionnaires_came_due_30d": None, "questionnaires_completed_30d": None,
                "questionnaire_completion_30d": None}
    return {"questionnaires": [{"instrument": s.instrument, "every_days": s.every_days, "due_at": _iso(s.due_at),
                                "due": s.due, "overdue": s.overdue} for s in summary.states],
            "questionnaires_due": summary.due, "questionnaires_overdue": summary.overdue,
            "questionnaires_came_due_30d": summary.came_due, "questionnaires_completed_30d": summary.completed,
            "questionnaire_completion_30d": summary.completion}


@router.post("/clinic/flags/{flag_id}/acknowledge", response={200: FlagOut, 403: Problem, 404: Problem},
             summary="Acknowledge a risk flag with a short note")
def acknowledge(request: HttpRequest, flag_id: str, payload: AckIn) -> Status[Any]:
    refused = _refuse_non_clinicians(request)
    if refused:
        return refused
    flag = services.flag_for(request.user, flag_id)
    if flag is None:
        return Status(404, not_found())
    flag = services.acknowledge(flag, request.user, payload.note)
    return Status(200, {"id": flag.pk, "kind": flag.kind, "reason": flag.reason, "created_at": _iso(flag.created_at)})


@router.get("/clinic/programs", response={200: list[ProgramOut], 403: Problem}, summary="Programs you are on")
def programs(request: HttpRequest) -> Status[Any]:
    refused = _refuse_non_clinicians(request)
    if refused:
        return refused
    return Status(200, [{"id": p.pk, "name": p.name, "description": p.description}
                        for p in services.programs_of(request.user)])


@router.post("/clinic/invites", response={201: InviteOut, 403: Problem}, summary="Invite a person to a program")
def invite(request: HttpRequest, payload: InviteIn) -> Status[Any]:
    refused = _refuse_non_clinicians(request)
    if refused:
        return refused
    program = Program.objects.filter(pk=payload.program).first()
    if program is None:
        raise services.FieldErrors({"program": "no such program"})
    found, raw = services.invite_person(program, request.user, payload.email or "")
    return Status(201, {"invite_url": services.enrol_url(raw), "expires_at": _iso(found.expires_at)})


@router.get("/clinic/notifications", response={200: list[NotificationOut], 403: Problem},
            summary="Your alerts, newest first")
def notifications(request: HttpRequest) -> Status[Any]:
    refused = _refuse_non_clinicians(request)
    if refused:
        return refused
    items = Notification.objects.filter(user=request.user)[:100]
    return Status(200, [{"id": n.pk, "text": n.shown(), "link": n.link, "created_at": _iso(n.created_at),
                         "read": n.read_at is not None} for n in items])


@router.post("/clinic/notifications/read", response={204: None, 403: Problem}, summary="Mark all alerts read")
def notifications_read(request: HttpRequest) -> Status[Any]:
    refused = _refuse_non_clinicians(request)
    if refused:
        return refused
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return Status(204, None)


@router.post("/enrolments/accept", response={201: dict[str, Any], 404: Problem},
             summary="Join a program: choose what its care team sees (assessments and flags at least)")
def accept(request: HttpRequest, payload: EnrolIn) -> Status[Any]:
    found = EnrolmentInvite.by_token(payload.invitation)
    if found is None or not found.is_open():
        return Status(404, {"detail": gettext("No such invitation: it has expired, was used, or the link is "
                                              "incomplete.")})
    grant = services.enrol(found, request.user, payload.categories)
    return Status(201, {"grant": str(grant.id), "program": found.program.name, "categories": grant.categories})
