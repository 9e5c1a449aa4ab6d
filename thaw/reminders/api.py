"""API: the person's reminder plan, the prompts it sent, and their devices' push subscriptions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool, StrictInt

from thaw.checkins.rules import CheckInInvalid, parse_bound
from thaw.reminders import services
from thaw.reminders.models import PushSubscription
from thaw.reminders.push import ENDPOINT_MAX, public_key
from thaw.reminders.rules import CHANNELS, DAY_NAMES, MESSAGE_MAX, PlanInvalid
from thaw.text import SHORT, Choice, Text

router = Router(tags=["reminders"])


class Problem(Schema):
    detail: str


class WindowIn(Schema):
    model_config = ConfigDict(extra="forbid")
    start: Text(SHORT) = Field(description="HH:MM in your time zone", examples=["09:00"])
    end: Text(SHORT) = Field(description="HH:MM, later than start", examples=["21:00"])
    count: StrictInt = Field(description="How many moments in the window, 1 to 8", examples=[3])


class QuietIn(Schema):
    model_config = ConfigDict(extra="forbid")
    start: Text(SHORT) = Field(examples=["22:00"])
    end: Text(SHORT) = Field(examples=["07:00"])


class PlanIn(Schema):
    """The whole plan (PUT replaces it). Times are wall-clock times in your time zone (GET /me)."""

    model_config = ConfigDict(extra="forbid")
    mode: Choice(("off", "fixed", "random")) = Field(description="off (the default), fixed times, or random moments")
    times: list[Text(SHORT)] | None = Field(None, description='Fixed times, e.g. ["09:00", "20:30"]')
    windows: list[WindowIn] | None = Field(None, description="Random moments: windows with a count each")
    min_gap_minutes: StrictInt | None = Field(None, description="Random moments at least this far apart (default 120)")
    quiet_hours: QuietIn | None = Field(None, description="Nothing arrives between start and end; null for none")
    days: list[Choice(DAY_NAMES)] | None = Field(None, description="Days of the week (default all)")
    channels: list[Choice(CHANNELS)] | None = Field(None, description="push and/or email (default both)")
    message: Text(MESSAGE_MAX) | None = Field(
        None, description='What the reminder says (default "Thaw: a moment for you?"); never "mood", "numb" '
                          "or \"mental\": it shows on a lock screen")
    expires_minutes: StrictInt | None = Field(None, description="How long a reminder stays open (default 60)")
    questionnaire_reminders: StrictBool | None = Field(
        None, description="Remind me when a questionnaire is due (care team's cadence and my own); default false")
    questionnaires: list[Choice(("phq9", "gad7", "pcl5", "who5", "auditc"))] | None = Field(
        None, description="Questionnaires on my own cadence (THAW_ASSESSMENT_CADENCE)")


class WindowOut(Schema):
    start: str
    end: str
    count: int


class QuietOut(Schema):
    start: str
    end: str


class PlanOut(Schema):
    mode: str
    times: list[str]
    windows: list[WindowOut]
    min_gap_minutes: int
    quiet_hours: QuietOut | None
    days: list[str]
    channels: list[str]
    message: str
    expires_minutes: int
    questionnaire_reminders: bool
    questionnaires: list[str]
    timezone: str
    next_due_at: str | None = Field(description="When the next check-in reminder is due (UTC)")
    questionnaires_due_at: str | None = Field(description="When a questionnaire reminder is next due (UTC)")


class PromptOut(Schema):
    id: UUID
    kind: str = Field(description="moment or questionnaire")
    instrument: str | None
    due_at: str
    sent_at: str | None = Field(description="When it went out; sent_at − due_at is the delivery delay")
    expires_at: str
    answered_at: str | None
    channel: str | None = Field(description="push, email or none")
    status: str = Field(description="waiting, open, answered or expired")
    checkin_id: UUID | None = Field(description="The check-in that answered it")


class PromptFilters(Schema):
    since: Text(SHORT) | None = Field(None, description="ISO-8601; prompts due at or after this time")
    limit: Text(SHORT) | None = Field(None, description="1-500, default 100")


class KeysIn(Schema):
    model_config = ConfigDict(extra="forbid")
    p256dh: Text(200)
    auth: Text(SHORT)


class SubscriptionIn(Schema):
    """A browser's PushSubscription.toJSON()."""

    model_config = ConfigDict(extra="ignore")  # browsers add expirationTime and may add more
    endpoint: Text(ENDPOINT_MAX) = Field(description="https URL of the browser's push service")
    keys: KeysIn


class EndpointIn(Schema):
    model_config = ConfigDict(extra="forbid")
    endpoint: Text(ENDPOINT_MAX)


class SubscriptionOut(Schema):
    id: UUID
    host: str = Field(description="The push service's host")
    created_at: str
    last_success_at: str | None


class KeyOut(Schema):
    public_key: str = Field(description="The VAPID applicationServerKey (base64url) to subscribe with")


def _invalid(request: HttpRequest, errors: dict[str, str]) -> Any:
    from thaw.api import error_response

    return error_response(request, errors)


@router.get("/reminders", response=PlanOut, summary="Your reminder plan")
def get_reminder_plan(request: HttpRequest) -> dict[str, Any]:
    return services.as_dict(services.plan_of(request.user), request.user)


@router.put("/reminders", response={200: PlanOut, 422: Problem}, summary="Replace your reminder plan")
def put_reminder_plan(request: HttpRequest, payload: PlanIn) -> Any:
    data = {k: v for k, v in payload.model_dump(mode="python").items() if k in payload.model_fields_set}
    try:
        row = services.save_plan(request.user, data)
    except PlanInvalid as exc:
        return _invalid(request, exc.errors)
    return services.as_dict(row, request.user)


@router.get("/prompts", response=list[PromptOut], summary="Reminders sent to you, newest first")
def list_prompts(request: HttpRequest, filters: Query[PromptFilters]) -> Any:
    since = None
    limit = 100
    errors = {}
    if filters.since:
        try:
            since = parse_bound(filters.since, request.user.tzinfo, end=False)
        except ValueError:
            errors["since"] = "must be an ISO-8601 date or date and time, e.g. 2026-03-01T00:00:00Z"
    if filters.limit is not None:
        try:
            limit = int(filters.limit)
        except ValueError:
            limit = 0
        if not 1 <= limit <= 500:
            errors["limit"] = "must be a whole number from 1 to 500"
    if errors:
        raise CheckInInvalid(errors)
    return services.prompts_since(request.user, since, limit)


@router.get("/push/key", response=KeyOut, summary="The key a browser subscribes to Thaw's push messages with")
def push_key(request: HttpRequest) -> dict[str, str]:
    return {"public_key": public_key()}


@router.get("/push/subscriptions", response=list[SubscriptionOut], summary="Your devices that get notifications")
def list_subscriptions(request: HttpRequest) -> list[dict[str, Any]]:
    return [services.subscription_as_dict(s) for s in services.devices_of(request.user)]


@router.post("/push/subscriptions", response={200: SubscriptionOut, 201: SubscriptionOut, 422: Problem},
             summary="Turn on notifications for a device (201; 200 when it was already on)")
def add_subscription(request: HttpRequest, payload: SubscriptionIn) -> Any:
    # Added from a signed-in browser: signing out there removes it again.
    session = getattr(request, "session", None)
    key = session.session_key if session is not None and "Authorization" not in request.headers else ""
    try:
        sub, created = services.subscribe(request.user, payload.endpoint, payload.keys.p256dh, payload.keys.auth,
                                          session_key=key or "")
    except PlanInvalid as exc:
        return _invalid(request, exc.errors)
    return Status(201 if created else 200, services.subscription_as_dict(sub))


@router.delete("/push/subscriptions", response={204: None, 404: Problem},
               summary="Turn off notifications for a device, named by its endpoint")
def remove_subscription(request: HttpRequest, payload: EndpointIn) -> Status[Any]:
    if not services.unsubscribe(request.user, payload.endpoint):
        return Status(404, {"detail": gettext("No such device.")})
    return Status(204, None)


@router.delete("/push/subscriptions/{subscription_id}", response={204: None, 404: Problem},
               summary="Turn off notifications for a device, named by its id")
def remove_subscription_by_id(request: HttpRequest, subscription_id: str) -> Status[Any]:
    try:
        key = UUID(subscription_id)
    except ValueError:
        return Status(404, {"detail": gettext("No such device.")})
    if not PushSubscription.objects.filter(person=request.user, pk=key).delete()[0]:
        return Status(404, {"detail": gettext("No such device.")})
    return Status(204, None)
