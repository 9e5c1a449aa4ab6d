"""API: crisis resources (public) and the person's safety plan."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_noop
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from thaw.api_auth import optional_user
from thaw.core import versions
from thaw.safety.models import PLAN_FIELD_MAX, PLAN_SECTIONS, SafetyPlan
from thaw.safety.resources import region_for, region_language, regions_in
from thaw.safety.services import plan_for, save_plan
from thaw.text import Text

router = Router(tags=["safety"])


class ResourceOut(Schema):
    name: str
    how: str
    description: str
    phone: str
    sms: str
    sms_body: str
    language: str


class RegionOut(Schema):
    region: str
    name: str
    emergency: str
    resources: list[ResourceOut]
    regions: dict[str, str]
    notice: str


NOTICE = gettext_noop("Thaw is not an emergency service and is not monitored in real time. "
          "If you are in danger or might harm yourself, call your local emergency number now.")


# ``region`` is looked up, never stored or echoed: anything unknown gets the default region's lines,
# because the crisis path answers whatever it is sent.
@router.get("/crisis-resources", response=RegionOut, auth=None, summary="Crisis lines for a region")
def crisis_resources(request: HttpRequest, region: str | None = None) -> dict[str, Any]:
    person = optional_user(request)
    chosen = region_for(region or getattr(person, "crisis_region", "") or None)
    regions = regions_in(region_language())
    return {
        "region": chosen.code, "name": chosen.name, "emergency": chosen.emergency,
        "resources": [r.as_dict() for r in chosen.resources],
        "regions": {code: r.name for code, r in regions.items()}, "notice": gettext(NOTICE),
    }


class SafetyPlanIn(Schema):
    model_config = ConfigDict(extra="forbid")
    warning_signs: Text(PLAN_FIELD_MAX) = ""
    coping_steps: Text(PLAN_FIELD_MAX) = ""
    distractions: Text(PLAN_FIELD_MAX) = ""
    people_to_ask: Text(PLAN_FIELD_MAX) = ""
    professionals: Text(PLAN_FIELD_MAX) = ""
    safer_environment: Text(PLAN_FIELD_MAX) = ""
    reasons: Text(PLAN_FIELD_MAX) = ""


class SafetyPlanOut(Schema):
    warning_signs: str
    coping_steps: str
    distractions: str
    people_to_ask: str
    professionals: str
    safer_environment: str
    reasons: str
    updated_at: str | None


def plan_dict(plan: SafetyPlan) -> dict[str, Any]:
    body = {key: getattr(plan, key) for key, _, _ in PLAN_SECTIONS}
    body["updated_at"] = plan.updated_at.isoformat() if plan.pk else None
    return body


class SafetyPlanConflict(Schema):
    detail: str
    current: SafetyPlanOut = Field(description="The plan as saved now; its ETag is in the ETag header")
    yours: SafetyPlanIn = Field(description="The plan you sent, not saved")


@router.get("/safety-plan", response=SafetyPlanOut, summary="Your safety plan")
def get_plan(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """The ``ETag`` header is the plan's version (``"0"`` before there is one): send it back as
    ``If-Match`` with a PUT."""
    plan = plan_for(request.user)
    response["ETag"] = versions.etag(plan.version)
    return plan_dict(plan)


@router.put("/safety-plan", response={200: SafetyPlanOut, 409: SafetyPlanConflict}, summary="Replace your safety plan")
def put_plan(request: HttpRequest, payload: SafetyPlanIn, response: HttpResponse) -> Any:
    """With ``If-Match: <ETag from the GET>``, a plan changed since then is not overwritten:
    the answer is 409 with the saved plan (``current``) and yours (``yours``)."""
    try:
        plan = save_plan(request.user, payload.model_dump(), expected_version=versions.if_match(request))
    except versions.EditConflict as exc:
        return versions.conflict_response(request, plan_dict(exc.current), payload.model_dump(), exc.current.version)
    response["ETag"] = versions.etag(plan.version)
    return plan_dict(plan)

