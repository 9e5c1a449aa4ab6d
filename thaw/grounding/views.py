"""Web pages for grounding: the exercise list, the exercises, "I feel far away", what works, affirmations.

The exercise page is one form that works without JavaScript (everything on one page, a
plain POST). ``static/grounding/grounding.js`` turns it into one step per screen with a
breathing pacer and saves through the API, keeping the session on the phone while offline.
Views only translate between forms and ``services``; the rules live in ``rules.py``.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from thaw.checkins.rules import CheckInInvalid
from thaw.core.pwa import offline_page
from thaw.grounding import services
from thaw.grounding.exercises import AFFIRMATION_MAX, Exercise, library
from thaw.grounding.models import Source
from thaw.grounding.rules import LONGEST_SESSION, NOTE_MAX, RATING_MAX, RATING_MIN

SCALES = {
    "before_presence": (gettext_lazy("How present do you feel right now?"), gettext_lazy("far away"), gettext_lazy("fully here")),
    "before_numbness": (gettext_lazy("How numb do you feel right now?"), gettext_lazy("not numb"), gettext_lazy("completely numb")),
    "after_presence": (gettext_lazy("How present do you feel now?"), gettext_lazy("far away"), gettext_lazy("fully here")),
    "after_numbness": (gettext_lazy("How numb do you feel now?"), gettext_lazy("not numb"), gettext_lazy("completely numb")),
}
FIELD_LABELS = {
    "before_presence": gettext_lazy("How present before"),
    "before_numbness": gettext_lazy("Numbness before"),
    "after_presence": gettext_lazy("How present after"),
    "after_numbness": gettext_lazy("Numbness after"),
    "note": gettext_lazy("Note"),
    "started_at": gettext_lazy("Start time"),
    "ended_at": gettext_lazy("End time"),
    "id": gettext_lazy("Session"),
    "exercise": gettext_lazy("Exercise"),
}


def _exercise_or_404(slug: str) -> Exercise:
    exercise = library().get(slug)
    if exercise is None:
        raise Http404("No such exercise.")
    return exercise


def _scales(state: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "legend": legend, "low": low, "high": high, "value": state.get(name, ""),
         "options": [str(n) for n in range(RATING_MIN, RATING_MAX + 1)]}
        for name, (legend, low, high) in SCALES.items() if name.startswith(prefix)
    ]


def _blank_state() -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "started_at": timezone.now().isoformat(), "note": "", "made_worse": False,
            "stopped": False}


def _render_exercise(request: HttpRequest, exercise: Exercise, *, now: bool = False, state: dict[str, Any] | None = None,
                     errors: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
    state = state or _blank_state()
    signed_in = request.user.is_authenticated
    person = request.user if signed_in else None
    lib = library()
    context = {
        "exercise": exercise,
        "switch_to": lib.get(exercise.switch_to),
        "now": now,
        "signed_in": signed_in,
        "owner_key": request.user.pk if signed_in else "",
        "state": state,
        "errors": errors or {},
        "before_scales": _scales(state, "before"),
        "after_scales": _scales(state, "after"),
        "note_max": NOTE_MAX,
        "affirmations": services.all_affirmations(person),
        "exercise_data": exercise.as_dict(),
    }
    return render(request, "grounding/exercise.html", context, status=status)


@offline_page
@login_required
def index(request: HttpRequest) -> HttpResponse:
    lib = library()
    recent = list(services.sessions_for(request.user)[:5])
    titles = {e.id: e.title for e in lib.exercises.values()}
    return render(request, "grounding/index.html", {
        "exercises": list(lib.exercises.values()),
        "far_away": lib.far_away_exercise,
        "recent": [(s, titles.get(s.exercise, s.exercise)) for s in recent],
    })


@offline_page
def far_away(request: HttpRequest) -> HttpResponse:
    """One tap from every page, signed in or not: straight into a short eyes-open exercise.

    Signed-out visitors get the same exercise; only saving needs an account.
    ``?exercise=`` may pick another exercise that is not body-focused (the "switch" offer).
    """
    lib = library()
    exercise = lib.far_away_exercise
    wanted = lib.get(request.GET.get("exercise", ""))
    if wanted is not None and not wanted.body_focused:
        exercise = wanted
    return _render_exercise(request, exercise, now=True)


def _rating(text: str | None) -> int | str | None:
    if text is None or text.strip() == "":
        return None
    try:
        return int(text)
    except ValueError:
        return text  # kept as sent; the rules name the problem


def form_state_from_post(post: QueryDict) -> dict[str, Any]:
    """What the person chose and typed, kept as-is so an error page shows it back."""
    state: dict[str, Any] = {name: post.get(name, "") for name in SCALES}
    state.update(id=post.get("id", ""), started_at=post.get("started_at", ""), note=post.get("note", ""),
                 made_worse=bool(post.get("made_worse")), stopped=bool(post.get("stopped")))
    return state


def _form_start(exercise: Exercise, started_at: str, now: datetime) -> str | None:
    """The plain form's start time is when the page was rendered. A page left open for hours
    is still one short exercise: count it from the exercise's length before now, rather than
    refuse the save and lose what was typed."""
    if not started_at:
        return None
    try:
        started = datetime.fromisoformat(started_at)
    except ValueError:
        return started_at  # validation names it
    if started.tzinfo is not None and now - started > LONGEST_SESSION:
        return (now - timedelta(minutes=exercise.minutes)).isoformat()
    return started_at


def session_data(exercise: Exercise, state: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {name: _rating(state[name]) for name in SCALES}
    data.update(exercise=exercise.id, started_at=_form_start(exercise, state["started_at"], timezone.now()),
                completed=not state["stopped"], made_worse=state["made_worse"], note=state["note"])
    if state["id"]:
        data["id"] = state["id"]
    return data


@offline_page
@login_required
def exercise_page(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = _exercise_or_404(slug)
    if request.method != "POST":
        return _render_exercise(request, exercise)
    # The plain-form path (no JavaScript): everything arrives in one POST.
    state = form_state_from_post(request.POST)
    try:
        session, _created = services.create_session(request.user, session_data(exercise, state), source=Source.FORM)
    except CheckInInvalid as exc:
        errors = {f: f"{FIELD_LABELS.get(f, f)}: {m}" for f, m in exc.errors.items()}
        return _render_exercise(request, exercise, state=state, errors=errors, status=422)
    if session.crisis:
        return redirect(reverse("crisis") + "?from=grounding")
    messages.success(request, _("Saved."))
    return redirect("grounding_session", session_id=session.id)


@login_required
def session_page(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    session = services.own_session(request.user, session_id)
    if session is None:
        raise Http404("No such session.")
    lib = library()
    exercise = lib.get(session.exercise)
    return render(request, "grounding/session.html", {
        "session": session,
        "exercise": exercise,
        "switch_to": lib.get(exercise.switch_to) if exercise else lib.far_away_exercise,
        "affirmation": services.an_affirmation(request.user),
    })


@login_required
def what_works(request: HttpRequest) -> HttpResponse:
    result = services.what_works(request.user)
    titles = {e.id: e.title for e in library().exercises.values()}
    return render(request, "grounding/what_works.html", {
        "ranked": [(titles.get(e.exercise, e.exercise), e) for e in result.ranked],
        "too_few": [(titles.get(e.exercise, e.exercise), e) for e in result.too_few],
        "min_rated": result.min_rated,
    })


@login_required
def affirmations(request: HttpRequest) -> HttpResponse:
    typed = ""
    error = ""
    status = 200
    if request.method == "POST":
        typed = request.POST.get("text", "")
        try:
            services.add_affirmation(request.user, typed)
        except CheckInInvalid as exc:
            error = exc.errors["text"]
            status = 422
        else:
            messages.success(request, _("Added to your affirmations."))
            return redirect("grounding_affirmations")
    # "Another" passes the index shown, never the text: a person's own words stay out of URLs and logs.
    texts = services.all_affirmations(request.user)
    shown = request.GET.get("after", "")
    previous = texts[int(shown)] if re.fullmatch(r"[0-9]{1,6}", shown) and int(shown) < len(texts) else ""
    affirmation = services.an_affirmation(request.user, not_this=previous)
    return render(request, "grounding/affirmations.html", {
        "affirmation": affirmation,
        "affirmation_index": texts.index(affirmation),
        "own": services.own_affirmations(request.user),
        "typed": typed,
        "error": error,
        "max_length": AFFIRMATION_MAX,
    }, status=status)


@login_required
@require_POST
def affirmation_delete(request: HttpRequest, affirmation_id: uuid.UUID) -> HttpResponse:
    if not services.delete_affirmation(request.user, affirmation_id):
        raise Http404("No such affirmation.")
    messages.success(request, _("Deleted."))
    return redirect("grounding_affirmations")
