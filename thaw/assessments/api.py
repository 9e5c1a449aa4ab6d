"""API: instruments, taking an assessment, and listing results."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from thaw.assessments import services
from thaw.assessments.instruments import instruments
from thaw.safety.api import ResourceOut
from thaw.text import SHORT, Text

router = Router(tags=["assessments"])


class AssessmentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    instrument: Text(SHORT) = Field(description="phq9, gad7, pcl5, who5 or auditc", examples=["phq9"])
    answers: list[Any] = Field(description="One whole number per question, in order", examples=[[0, 1, 2, 1, 0, 0, 1, 0, 0]])


class ChangeOut(Schema):
    previous_score: int
    delta: int
    status: str | None


class AssessmentOut(Schema):
    id: str
    instrument: str
    name: str
    score: int
    max_score: int
    band: str
    subscores: dict[str, int]
    crisis: bool
    resources: list[ResourceOut]
    change: ChangeOut | None
    taken_at: str


class AssessmentList(Schema):
    items: list[AssessmentOut]
    next: str | None = None


class Problem(Schema):
    detail: str


@router.get("/instruments", auth=None, summary="The instruments, with their official wording")
def list_instruments(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": i.id, "name": i.name, "title": i.title, "instructions": i.instructions,
            "recall_period": i.recall_period, "source": i.source, "licence": i.licence,
            "min_score": i.min_score, "max_score": i.max_score, "higher_is": i.higher_is,
            "reliable_change": i.reliable_change, "caseness": services.caseness_for(i) or i.caseness,
            "items": [{"number": q.number, "text": q.text,
                       "options": [{"value": o.value, "label": o.label} for o in q.options]} for q in i.items],
            "bands": [{"min": b.min, "max": b.max, "label": b.label} for b in i.bands],
        }
        for i in instruments().values()
    ]


@router.post("/assessments", response={201: AssessmentOut}, summary="Take an assessment")
def take_assessment(request: HttpRequest, payload: AssessmentIn) -> Status[Any]:
    assessment = services.take(request.user, payload.instrument, payload.answers)
    return Status(201, services.as_dict(assessment))


@router.get("/assessments", response=AssessmentList, summary="Your assessment results, newest first")
def list_assessments(request: HttpRequest, instrument: Text(SHORT) | None = None) -> dict[str, Any]:
    if instrument:
        services.instrument_or_error(instrument)
    return {"items": [services.as_dict(a, with_resources=False) for a in services.history(request.user, instrument)],
            "next": None}


@router.get("/assessments/{assessment_id}", response={200: AssessmentOut, 404: Problem}, summary="One result")
def get_assessment(request: HttpRequest, assessment_id: str) -> Status[Any]:
    found = services.own_assessment(request.user, assessment_id)
    if found is None:
        return Status(404, {"detail": "No such assessment."})
    return Status(200, services.as_dict(found))

