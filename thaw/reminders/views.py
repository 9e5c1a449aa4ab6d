"""The reminders page: how and when Thaw may come to the person, and the devices it reaches.

A hand-built form that makes the same plain data as ``PUT /api/v1/reminders`` and is checked by
the same rules; an error keeps everything as typed. Every change redirects (Post/Redirect/Get).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from thaw.clinic.homework import cadence_instruments
from thaw.reminders import services
from thaw.reminders.models import Prompt, PromptKind, PushSubscription
from thaw.reminders.push import public_key
from thaw.reminders.rules import DAY_NAMES, MAX_TIMES, MAX_WINDOWS, MESSAGE_MAX, PlanInvalid

DAY_LABELS = dict(zip(DAY_NAMES, (gettext_lazy("Mon"), gettext_lazy("Tue"), gettext_lazy("Wed"), gettext_lazy("Thu"),
                                    gettext_lazy("Fri"), gettext_lazy("Sat"), gettext_lazy("Sun")), strict=True))
TIME_ROWS = 4


def _number(value: str | None) -> int | str | None:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        return value  # kept as typed; the rules name the problem


def data_from_post(post: QueryDict) -> dict[str, Any]:
    """The form as the API's plain data (blank rows left out)."""
    windows = []
    for n in range(MAX_WINDOWS):
        start, end, count = (post.get(f"window_{n}_{part}", "").strip() for part in ("start", "end", "count"))
        if start or end or count:
            windows.append({"start": start, "end": end, "count": _number(count)})
    quiet_start, quiet_end = post.get("quiet_start", "").strip(), post.get("quiet_end", "").strip()
    return {
        "mode": post.get("mode", "off"),
        "times": [t.strip() for t in post.getlist("time") if t.strip()],
        "windows": windows,
        "min_gap_minutes": _number(post.get("min_gap_minutes")),
        "quiet_hours": {"start": quiet_start, "end": quiet_end} if quiet_start or quiet_end else None,
        "days": post.getlist("day"),
        "channels": post.getlist("channel"),
        "message": post.get("message", ""),
        "expires_minutes": _number(post.get("expires_minutes")),
        "questionnaire_reminders": post.get("questionnaire_reminders") == "1",
        "questionnaires": post.getlist("questionnaire"),
    }


def _state(data: dict[str, Any]) -> dict[str, Any]:
    """What the form shows: fixed rows for times and windows, padded with blanks."""
    times = list(data.get("times") or [])[:MAX_TIMES]
    windows = list(data.get("windows") or [])[:MAX_WINDOWS]
    quiet = data.get("quiet_hours") or {}
    return {**data,
            "time_rows": times + [""] * max(0, TIME_ROWS - len(times)),
            "window_rows": [(n, w) for n, w in enumerate(windows + [{}] * (MAX_WINDOWS - len(windows)))],
            "quiet_start": quiet.get("start") or "", "quiet_end": quiet.get("end") or ""}


def _errors_by_field(errors: dict[str, str]) -> dict[str, str]:
    grouped: dict[str, str] = {}
    for field, message in errors.items():
        head = field.split(".")[0]
        key = f"{head}_{field.split('.')[1]}" if head == "windows" and "." in field else head
        grouped.setdefault(key, message[:1].upper() + message[1:] + ("" if message.endswith(".") else "."))
    return grouped


def _render(request: HttpRequest, data: dict[str, Any], errors: dict[str, str] | None = None,
            status: int = 200) -> HttpResponse:
    from thaw.circle.services import is_paused

    row = services.plan_of(request.user)
    return render(request, "reminders/page.html", {
        "state": _state(data), "errors": _errors_by_field(errors or {}), "raw_errors": errors or {},
        "days": list(DAY_LABELS.items()), "instruments": cadence_instruments(), "message_max": MESSAGE_MAX,
        "devices": services.devices_of(request.user), "vapid_key": public_key(),
        "next_due_at": row.next_due_at if row else None, "paused": is_paused(request.user),
        "due": services.due_questionnaires(request.user, row, timezone.now()) if row else [],
    }, status=status)


@login_required
def reminders_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request, services.as_dict(services.plan_of(request.user), request.user))
    data = data_from_post(request.POST)
    try:
        row = services.save_plan(request.user, data)
    except PlanInvalid as exc:
        return _render(request, data, exc.errors, status=422)
    if row.mode == "off":
        messages.success(request, gettext("Saved. Check-in reminders are off."))
    else:
        messages.success(request, gettext("Saved. Your reminders follow the new plan from now on."))
    return redirect("reminders")


@login_required
@require_POST
def fewer(request: HttpRequest) -> HttpResponse:
    accept = request.POST.get("answer") == "fewer"
    if services.send_fewer(request.user, accept) is not None:
        messages.success(request, gettext("Thaw will send fewer reminders. You can change them any time on the "
                                          "Reminders page.") if accept else gettext("Your reminders stay as they are."))
    return redirect("reminders" if accept else "home")


@login_required
@require_POST
def device_remove(request: HttpRequest, device_id: object) -> HttpResponse:
    removed = PushSubscription.objects.filter(person=request.user, pk=device_id).delete()[0]
    if not removed:
        raise Http404("No such device.")
    messages.success(request, gettext("That device will get no more notifications from Thaw."))
    return redirect("reminders")


@login_required
def open_prompt(request: HttpRequest, prompt_id: object) -> HttpResponse:
    """Where a questionnaire reminder's link goes: the link names nothing, and this opens the
    questionnaire it is about (after sign-in). Another person's reminder is not found."""
    prompt = Prompt.objects.filter(person=request.user, pk=prompt_id).first()
    if prompt is None:
        raise Http404("No such reminder.")
    if prompt.kind == PromptKind.QUESTIONNAIRE and prompt.instrument:
        return redirect("assessment_take", key=prompt.instrument)
    return redirect(f"/checkin/?prompt={prompt.pk}")
