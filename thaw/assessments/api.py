"""API: instruments, taking an assessment, and listing results."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from thaw.assessments import services
from thaw.assessments.instruments import Instrument, instruments
from thaw.assessments.scoring import RULES_VERSION
from thaw.safety.api import ResourceOut
from thaw.text import SHORT, Text

router = Router(tags=["assessments"])
# The PCL-5 anchor's limit, from its instrument file, so the OpenAPI document states the real one.
WORST_EVENT_MAX = next(i.anchor.max_length for i in instruments().values() if i.anchor is not None)


class AssessmentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    instrument: Text(SHORT) = Field(description="phq9, gad7, pcl5, who5 or auditc", examples=["phq9"])
    answers: list[Any] = Field(
        description="One whole number per question, in order. AUDIT-C: when question 1 is 0 (“Never”), questions 2 "
                    "and 3 are not asked, so [0] is accepted as well as [0, 0, 0].",
        examples=[[0, 1, 2, 1, 0, 0, 1, 0, 0]])
    difficulty: Any = Field(None, description="PHQ-9 only: the unscored question “how difficult have these problems "
                                               "made it…”, 0-3 (Not difficult at all … Extremely difficult)")
    worst_event: Text(WORST_EVENT_MAX) | None = Field(None, description="PCL-5 only, optional: a few words naming the event kept in mind "
                                                "while answering. Private and encrypted; never shared.")


class ChangeOut(Schema):
    previous_score: int
    delta: int
    status: str | None = Field(description="Jacobson–Truax: improved, recovered, no reliable change, deteriorated")
    clinically_meaningful: bool | None = Field(
        None, description="The change reaches the published clinically meaningful threshold (PCL-5, WHO-5, PHQ-9, "
                          "GAD-7); null where none is published")


class ClusterOut(Schema):
    endorsed: int
    needed: int
    met: bool


class DifficultyOut(Schema):
    value: int
    label: str


class AssessmentOut(Schema):
    id: str
    instrument: str
    name: str
    score: int
    max_score: int
    band: str
    summary: str = Field(description="The result in plain words")
    above_cutoff: bool | None = Field(description="On the clinical side of the screening cut-off that applies to "
                                                  "this person (for the WHO-5, 50 or below); null without a cut-off")
    cutoff: int | None = Field(description="The screening cut-off that applied")
    dsm5_clusters_met: bool | None = Field(description="PCL-5: the DSM-5 cluster rule; null for other instruments")
    clusters: dict[str, ClusterOut] | None = None
    item_rule_met: bool | None = Field(description="WHO-5: an item answered 0 or 1; null for other instruments")
    difficulty: DifficultyOut | None = None
    worst_event: str | None = None
    rules_version: int = Field(description="The version of Thaw's scoring rules that produced this result")
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
            "reliable_change": i.reliable_change_threshold, "caseness": i.cutoff.score,
            "rules": instrument_rules(i),
            "items": [{"number": q.number, "text": q.text,
                       "options": [{"value": o.value, "label": o.label} for o in q.options]} for q in i.items],
            "bands": [{"min": b.min, "max": b.max, "label": b.label} for b in i.bands],
        }
        for i in instruments().values()
    ]


def instrument_rules(i: Instrument) -> dict[str, Any]:
    """Every rule Thaw applies to the instrument, with its source."""
    rc, cm = i.reliable_change, i.clinically_meaningful
    return {
        "version": RULES_VERSION,
        "cutoff": {"score": i.cutoff.score, "positive_when": i.cutoff.positive_when, "by_sex": i.cutoff.by_sex or None,
                   "source": i.cutoff.source},
        "reliable_change": {"r": rc.r, "sd": rc.sd, "threshold": rc.threshold, "source": rc.source} if rc else None,
        "clinically_meaningful": {"points": cm.points, "source": cm.source} if cm else None,
        "recovery": {"definition": i.recovery.definition, "source": i.recovery.source} if i.recovery else None,
        "cluster_rule": {"endorsed_at": i.cluster_rule.endorsed_at, "source": i.cluster_rule.source,
                         "clusters": [{"id": c.id, "items": list(c.items), "needed": c.needed}
                                      for c in i.cluster_rule.clusters]} if i.cluster_rule else None,
        "item_rule": {"at_most": i.item_rule.at_most, "source": i.item_rule.source} if i.item_rule else None,
        "skip_rule": {"when_item": i.skip_rule.when_item, "equals": i.skip_rule.equals, "skip": list(i.skip_rule.skip),
                      "source": i.skip_rule.source} if i.skip_rule else None,
        "difficulty": {"text": i.difficulty.text, "options": [{"value": o.value, "label": o.label}
                                                              for o in i.difficulty.options],
                       "source": i.difficulty.source} if i.difficulty else None,
        "anchor": {"prompt": i.anchor.prompt, "max_length": i.anchor.max_length} if i.anchor else None,
    }


@router.post("/assessments", response={201: AssessmentOut}, summary="Take an assessment")
def take_assessment(request: HttpRequest, payload: AssessmentIn) -> Status[Any]:
    assessment = services.take(request.user, payload.instrument, payload.answers, difficulty=payload.difficulty,
                               worst_event=payload.worst_event)
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
        return Status(404, {"detail": gettext("No such assessment.")})
    return Status(200, services.as_dict(found))

