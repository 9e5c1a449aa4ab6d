"""Web pages for the substance log: log a use or a craving, edit and delete, the weekly
review, the insights, and the settings (standard-drink size, goals).

Views only translate between HTML forms and ``services``; the rules live in
``rules`` so the forms and the API refuse exactly the same things. A refused form is
shown again with everything as typed and a message next to each field.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from thaw.checkins.rules import NOTE_MAX, CheckInInvalid
from thaw.core import versions
from thaw.substances import plain, rules, services
from thaw.substances.models import Craving, SubstanceUse
from thaw.substances.units import (
    CUSTOM,
    DRINK_SIZES,
    HELPED,
    MOTIVES,
    SERVINGS,
    SUBSTANCES,
    UNITS,
    substance_label,
)
from thaw.validation import decimal

DEFAULT_CRAVING = "5"


def _to_int(text: str | None) -> int | str | None:
    if text is None or text.strip() == "":
        return None
    try:
        return int(text)
    except ValueError:
        return text  # kept as typed; the rules name the problem


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def _form_errors(errors: dict[str, str]) -> dict[str, str]:
    return {field.split(".")[0]: _sentence(message) for field, message in errors.items()}


# --- the use form ----------------------------------------------------------------------------

def use_state_from_post(post: QueryDict) -> dict[str, Any]:
    """What the person typed, kept as-is so an error page shows it back to them."""
    return {
        "substance": post.get("substance", ""),
        "custom_name": post.get("custom_name", ""),
        "amount": post.get("amount", ""),
        "unit": post.get("unit", ""),
        "abv": post.get("abv", ""),
        "at": post.get("at", ""),
        "craving": post.get("craving", DEFAULT_CRAVING),
        "craving_skip": post.get("craving_skip") == "1",
        "motives": post.getlist("motive"),
        "note": post.get("note", ""),
    }


def use_data(state: dict[str, Any]) -> dict[str, Any]:
    """The form state as the data the rules check. Fields the chosen substance does not use
    (a leftover name, a strength for a non-ml unit) are dropped, since the form shows them
    only when they apply."""
    substance = state["substance"]
    data: dict[str, Any] = {"substance": substance or None, "motives": state["motives"], "note": state["note"]}
    if substance == CUSTOM:
        data["custom_name"] = state["custom_name"]
    if state["amount"].strip():
        data["amount"] = state["amount"]
        data["unit"] = state["unit"]
        if substance == "alcohol" and state["unit"] == "ml":
            data["abv"] = state["abv"]
    if not state["craving_skip"]:
        data["craving"] = _to_int(state["craving"])
    if state["at"]:
        data["at"] = state["at"]
    return data


def _blank_use_state() -> dict[str, Any]:
    return {"substance": "", "custom_name": "", "amount": "", "unit": "", "abv": "", "at": "",
            "craving": DEFAULT_CRAVING, "craving_skip": True, "motives": [], "note": ""}


def _state_from_use(use: SubstanceUse) -> dict[str, Any]:
    return {
        "substance": use.substance, "custom_name": use.custom_name,
        "amount": f"{use.amount:f}".rstrip("0").rstrip(".") if use.amount is not None else "",
        "unit": use.unit, "abv": f"{use.abv:f}".rstrip("0").rstrip(".") if use.abv is not None else "",
        "at": timezone.localtime(use.at).strftime("%Y-%m-%dT%H:%M"),
        "craving": str(use.craving) if use.craving is not None else DEFAULT_CRAVING,
        "craving_skip": use.craving is None, "motives": list(use.motives), "note": use.note,
    }


def craving_state_from_post(post: QueryDict) -> dict[str, Any]:
    return {
        "substance": post.get("substance", ""),
        "custom_name": post.get("custom_name", ""),
        "intensity": post.get("intensity", DEFAULT_CRAVING),
        "helped": post.getlist("helped"),
        "helped_note": post.get("helped_note", ""),
        "at": post.get("at", ""),
    }


def craving_data(state: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"substance": state["substance"] or None, "intensity": _to_int(state["intensity"]),
                            "helped": state["helped"], "helped_note": state["helped_note"]}
    if state["substance"] == CUSTOM:
        data["custom_name"] = state["custom_name"]
    if state["at"]:
        data["at"] = state["at"]
    return data


def _blank_craving_state() -> dict[str, Any]:
    return {"substance": "", "custom_name": "", "intensity": DEFAULT_CRAVING, "helped": [], "helped_note": "", "at": ""}


def _form_context(person: Any) -> dict[str, Any]:
    grams = services.grams_for(person)
    return {
        "substances": [{"key": s.key, "label": gettext(s.label)} for s in SUBSTANCES.values()],
        "unit_groups": [({"key": s.key, "label": gettext(s.label)}, [(u, gettext(UNITS[u].label_plural)) for u in s.units])
                        for s in SUBSTANCES.values()],
        "motives": [(key, gettext(label)) for key, label in MOTIVES.items()],
        "helped_choices": [(key, gettext(label)) for key, label in HELPED.items()],
        "servings": [{"ml": s.ml, "abv": s.abv, "label": gettext(s.label)} for s in SERVINGS],
        "drink_grams": f"{grams:g}",
        "note_max": NOTE_MAX,
        "custom_max": rules.CUSTOM_NAME_MAX,
        "helped_max": rules.HELPED_NOTE_MAX,
        "now_local": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }


# --- the main page ----------------------------------------------------------------------------

def _timeline(person: Any, limit: int = 20) -> list[dict[str, Any]]:
    uses = list(services.uses_for(person)[:limit])
    cravings = list(services.cravings_for(person)[:limit])
    entries: list[dict[str, Any]] = [{"kind": "use", "at": u.at, "use": u, "text": services.describe_use(u),
                                      "motives": [gettext(MOTIVES[m]) for m in u.motives if m in MOTIVES]} for u in uses]
    entries += [{"kind": "craving", "at": c.at, "craving": c, "text": substance_label(c.substance, c.custom_name),
                 "helped": [gettext(HELPED[h]) for h in c.helped if h in HELPED]} for c in cravings]
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]


def _goal_lines(person: Any) -> list[str]:
    lines = []
    for goal in services.active_goals(person).values():
        label = gettext(SUBSTANCES[goal.substance].label)
        if goal.kind == "abstain":
            since = date_format(goal.since, "j M Y")
            lines.append(gettext("%(substance)s: not using, since %(since)s") % {"substance": label, "since": since})
        else:
            unit = gettext("times") if goal.limit_unit == rules.GOAL_UNIT_USES else (
                gettext(UNITS[goal.limit_unit].label_plural) if goal.limit_unit in UNITS else goal.limit_unit)
            lines.append(gettext("%(substance)s: up to %(limit)s %(unit)s a week") % {
                "substance": label, "limit": decimal(goal.weekly_limit or 0), "unit": unit})
    return lines


def _translated_label(row: dict[str, Any]) -> str:
    """A row's English label (a substance, a reason, what helped) in the reader's language."""
    english: str = row["label"]
    return gettext(english)


def _days_text(days: int) -> str:
    if days == 0:
        return gettext("today")
    if days == 1:
        return gettext("yesterday")
    return ngettext("%(days)s day ago", "%(days)s days ago", days) % {"days": days}


def _render_index(request: HttpRequest, *, use_state: dict[str, Any] | None = None,
                  use_errors: dict[str, str] | None = None, craving_state: dict[str, Any] | None = None,
                  craving_errors: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
    person = request.user
    prefs = services.preferences(person)
    last = services.days_since_last_use(person) if prefs.show_days_since else []
    context = {
        "use_state": use_state or _blank_use_state(),
        "use_errors": use_errors or {},
        "craving_state": craving_state or _blank_craving_state(),
        "craving_errors": craving_errors or {},
        "entries": _timeline(person),
        "last_use": [{**row, "label": _translated_label(row), "text": _days_text(row["days"])} for row in last],
        "show_days_since": prefs.show_days_since,
        "goal_lines": _goal_lines(person),
        **_form_context(person),
    }
    return render(request, "substances/index.html", context, status=status)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return _render_index(request)


def _after_save(request: HttpRequest, crisis: bool, message: str) -> HttpResponse:
    messages.success(request, message)
    if crisis:
        return redirect(reverse("crisis") + "?from=substances")
    return redirect("substances")


@login_required
@require_POST
def log_use(request: HttpRequest) -> HttpResponse:
    state = use_state_from_post(request.POST)
    try:
        use = services.create_use(request.user, use_data(state))
    except CheckInInvalid as exc:
        return _render_index(request, use_state=state, use_errors=_form_errors(exc.errors), status=422)
    return _after_save(request, use.crisis, f"Logged: {services.describe_use(use)}. Thank you for writing it down.")


@login_required
@require_POST
def log_craving(request: HttpRequest) -> HttpResponse:
    state = craving_state_from_post(request.POST)
    try:
        craving = services.create_craving(request.user, craving_data(state))
    except CheckInInvalid as exc:
        return _render_index(request, craving_state=state, craving_errors=_form_errors(exc.errors), status=422)
    return _after_save(request, craving.crisis, "Logged: a craving that passed without using. That took something.")


def _own_use(request: HttpRequest, use_id: object) -> SubstanceUse:
    use = services.own_use(request.user, use_id)
    if use is None:
        raise Http404("No such entry.")
    return use


def _own_craving(request: HttpRequest, craving_id: object) -> Craving:
    craving = services.own_craving(request.user, craving_id)
    if craving is None:
        raise Http404("No such entry.")
    return craving


@login_required
def edit_use(request: HttpRequest, use_id: object) -> HttpResponse:
    use = _own_use(request, use_id)
    errors: dict[str, str] = {}
    conflict: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        state = use_state_from_post(request.POST)
        data = use_data(state)
        if "at" in data and data["at"] == request.POST.get("at_original"):
            data.pop("at")  # unchanged: keep the exact stored time, not the minute shown in the form
        # The form sends every field: a field left empty clears it.
        for clearable in ("custom_name", "amount", "unit", "abv", "craving"):
            data.setdefault(clearable, None)
        started_from = versions.form_version(request.POST.get("version"))
        version = started_from
        try:
            use = services.update_use(use, data, expected_version=started_from)
        except CheckInInvalid as exc:
            errors, status = _form_errors(exc.errors), 422
        except versions.EditConflict as exc:
            saved = exc.current
            use, version, status = saved, saved.version, 409
            conflict = {"conflict_rows": versions.conflict_rows(_use_summary(_state_from_use(saved)),
                                                                _use_summary(state)),
                        "conflict_saved_at": saved.updated_at, "conflict_keep_url": reverse("substances")}
        except SubstanceUse.DoesNotExist:
            raise Http404("No such entry.") from None
        else:
            return _after_save(request, use.crisis, gettext("Entry updated."))
    else:
        state, version = _state_from_use(use), use.version
    context = {"use": use, "use_state": state, "use_errors": errors, "version": version, **conflict,
               **_form_context(request.user)}
    return render(request, "substances/edit.html", context, status=status)


def _use_summary(state: dict[str, Any]) -> dict[str, str]:
    """An entry (saved, or as typed) in words, for showing two versions side by side."""
    amount = " ".join(p for p in (state["amount"], state["unit"]) if p)
    return {
        "What": f"{state['substance']} ({state['custom_name']})" if state["custom_name"] else state["substance"],
        "Amount": f"{amount} at {state['abv']}%" if state["abv"] else amount,
        "When": state["at"].replace("T", " "),
        "Craving": "" if state["craving_skip"] else f"{state['craving']}/10",
        "Why": ", ".join(state["motives"]),
        "Note": state["note"],
    }


@login_required
def delete_use(request: HttpRequest, use_id: object) -> HttpResponse:
    use = _own_use(request, use_id)
    if request.method == "POST":
        services.delete_use(use)
        messages.success(request, gettext("Entry deleted."))
        return redirect("substances")
    return render(request, "substances/confirm_delete.html", {"what": services.describe_use(use), "at": use.at,
                                                              "back": reverse("substances_use_edit", args=[use.id])})


@login_required
def delete_craving(request: HttpRequest, craving_id: object) -> HttpResponse:
    craving = _own_craving(request, craving_id)
    if request.method == "POST":
        services.delete_craving(craving)
        messages.success(request, gettext("Entry deleted."))
        return redirect("substances")
    what = gettext("A craving (%(substance)s, %(intensity)s/10) that passed") % {
        "substance": substance_label(craving.substance, craving.custom_name), "intensity": craving.intensity}
    return render(request, "substances/confirm_delete.html", {"what": what, "at": craving.at,
                                                              "back": reverse("substances")})


# --- weekly review -----------------------------------------------------------------------------

@login_required
def review(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        day = date.fromisoformat(request.GET.get("week", "")) if request.GET.get("week") else today
    except ValueError:
        day = today
    if not 1970 <= day.year <= 9000:
        day = today
    result = services.weekly_review(request.user, day)
    start = date.fromisoformat(result["week_start"])
    this_week = services.week_start_of(today)
    for row in result["substances"]:
        row["label"] = _translated_label(row)
        if row["standard_drinks"] is not None:
            row["drinks_text"] = decimal(row["standard_drinks"])
    for row in result["motives"] + result["helped"]:
        row["label"] = _translated_label(row)
    context = {
        "review": result,
        "start": start,
        "end": start + timedelta(days=6),
        "previous": (start - timedelta(days=7)).isoformat(),
        "following": (start + timedelta(days=7)).isoformat() if start < this_week else None,
        "is_this_week": start == this_week,
        "drink_grams": decimal(services.grams_for(request.user)),
    }
    return render(request, "substances/review.html", context)


# --- insights -----------------------------------------------------------------------------------

@login_required
def insights(request: HttpRequest) -> HttpResponse:
    result = services.insights(request.user)
    for row in result["findings"]:
        row["lead"] = plain.finding(row)  # the plain sentence first; the figures go under "How we know"
    motive = result["numb_motive"]
    share = motive["share"]
    context = {
        "result": result,
        "numb_percent": round(share * 100) if share is not None else None,
        "numb_interval": [round(x * 100) for x in motive["interval"]] if motive["interval"] else None,
    }
    return render(request, "substances/insights.html", context)


# --- settings: standard-drink size and goals -------------------------------------------------------

def _goal_rows(person: Any, post: QueryDict | None, errors: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    goals = services.active_goals(person)
    rows = []
    for key, substance in SUBSTANCES.items():
        goal = goals.get(key)
        if post is not None:
            kind = post.get(f"goal-{key}-kind", "none")
            limit = post.get(f"goal-{key}-weekly_limit", "")
            unit = post.get(f"goal-{key}-limit_unit", "")
        else:
            kind = goal.kind if goal else "none"
            limit = f"{goal.weekly_limit:g}" if goal and goal.weekly_limit is not None else ""
            unit = goal.limit_unit if goal else ""
        units = [(u, gettext("times used") if u == rules.GOAL_UNIT_USES else gettext(UNITS[u].label_plural))
                 for u in rules.goal_units(key)]
        rows.append({"key": key, "label": gettext(substance.label), "kind": kind, "weekly_limit": limit, "limit_unit": unit,
                     "units": units, "errors": errors.get(key, {}), "since": goal.since if goal else None})
    return rows


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    person = request.user
    prefs = services.preferences(person)
    goal_errors: dict[str, dict[str, str]] = {}
    error = ""
    status = 200
    drink_size, show_days = prefs.drink_size, prefs.show_days_since
    if request.method == "POST":
        drink_size = request.POST.get("drink_size", "")
        show_days = request.POST.get("show_days_since") == "1"
        goals = []
        for key in SUBSTANCES:
            data = {"substance": key, "kind": request.POST.get(f"goal-{key}-kind", "none")}
            if data["kind"] == "weekly_limit":
                data["weekly_limit"] = request.POST.get(f"goal-{key}-weekly_limit", "")
                data["limit_unit"] = request.POST.get(f"goal-{key}-limit_unit", "")
            try:
                rules.clean_goal(data)
            except CheckInInvalid as exc:
                goal_errors[key] = _form_errors(exc.errors)
            goals.append(data)
        if drink_size and drink_size not in DRINK_SIZES:
            error = gettext("Choose a standard-drink size from the list.")
        if not goal_errors and not error:
            with transaction.atomic():
                services.set_preferences(person, drink_size=drink_size, show_days_since=show_days)
                for data in goals:
                    services.set_goal(person, data)
            messages.success(request, gettext("Settings saved."))
            return redirect("substances_settings")
        status = 422
    context = {
        "drink_sizes": [{"key": d.key, "label": gettext(d.label)} for d in DRINK_SIZES.values()],
        "drink_size": drink_size,
        "site_grams": decimal(services.site_drink_grams()),
        "show_days_since": show_days,
        "goal_rows": _goal_rows(person, request.POST if request.method == "POST" else None, goal_errors),
        "error": error,
        "has_errors": bool(goal_errors or error),
    }
    return render(request, "substances/settings.html", context, status=status)


__all__ = ["index", "log_use", "log_craving", "edit_use", "delete_use", "delete_craving", "review", "insights",
           "settings_page"]
