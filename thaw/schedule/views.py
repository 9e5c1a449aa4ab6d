"""Pages: the care team's sessions (schedule, enrol, attendance, cancel), a person's own
sessions, and the secret calendar feed (its settings page and the .ics it serves)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from thaw.clinic.services import is_clinician, programs_of
from thaw.clinic.views import clinician_only
from thaw.core import vault
from thaw.core.delivery import keep_uncompressed
from thaw.forms import TextField
from thaw.schedule import services
from thaw.schedule.models import LINK_MAX, NOTE_MAX, TITLE_MAX, Session, SessionKind
from thaw.schedule.services import FieldErrors

_LOCAL = "%Y-%m-%dT%H:%M"


class SessionForm(forms.Form):
    program = forms.ChoiceField(label=_("Program"), choices=())
    kind = forms.ChoiceField(label=_("Kind"), choices=[(SessionKind.GROUP, _("Group")), (SessionKind.INDIVIDUAL, _("Individual"))], initial=SessionKind.GROUP)
    title = TextField(label=_("Title"), max_length=TITLE_MAX, help_text=_(
        "What attendees see, e.g. Tuesday skills group. It also appears in their calendar, so leave out anything "
        "private."))
    starts_at = forms.DateTimeField(label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                                 format=_LOCAL))
    ends_at = forms.DateTimeField(label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                             format=_LOCAL))
    video_link = TextField(label=_("Video link"), max_length=LINK_MAX,
                           widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
                           help_text=_("The https link people click to join."))
    note = TextField(label=_("Note for the care team (optional)"), required=False, max_length=NOTE_MAX,
                     widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Only the care team sees it."))

    def __init__(self, *args: Any, programs: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [(str(p.pk), p.name) for p in programs]  # type: ignore[attr-defined]


class EnrolForm(forms.Form):
    person = forms.ChoiceField(label=_("Add someone enrolled in the program"), choices=())

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(str(pk), name) for pk, name in people]  # type: ignore[attr-defined]


def _apply_errors(form: forms.Form, errors: dict[str, str]) -> None:
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


def _split(sessions: Any, now: Any) -> tuple[list[Session], list[Session]]:
    upcoming = list(sessions.filter(ends_at__gt=now).order_by("starts_at", "id"))
    past = list(sessions.filter(ends_at__lte=now).order_by("-starts_at", "-id")[:50])
    return upcoming, past


@clinician_only
def clinic_sessions(request: HttpRequest) -> HttpResponse:
    programs = programs_of(request.user)
    form = SessionForm(request.POST or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.schedule(request.user, form.cleaned_data)
        except FieldErrors as exc:
            _apply_errors(form, exc.errors)
        else:
            messages.success(request, gettext("Session scheduled. Now add the people who will come."))
            return redirect("clinic_session", session.pk)
    sessions = services.annotate_for(request.user, services.sessions_for_clinician(request.user))
    upcoming, past = _split(sessions, timezone.now())
    return render(request, "schedule/clinic_sessions.html", {
        "form": form, "programs": programs, "upcoming": upcoming, "past": past,
    }, status=400 if form.errors else 200)


def _session_or_404(request: HttpRequest, session_id: int) -> Session:
    session = services.session_for_clinician(request.user, session_id)
    if session is None:
        raise Http404("No such session.")
    return session


def _render_detail(request: HttpRequest, session: Session, enrol_form: EnrolForm | None = None,
                   errors: dict[str, str] | None = None) -> HttpResponse:
    people = services.enrollable(session, shown_to=request.user)
    enrol_form = enrol_form or EnrolForm(people=people)
    return render(request, "schedule/clinic_session.html", {
        "session": session, "attendees": services.attendees_for(session, request.user), "enrol_form": enrol_form,
        "people": people, "errors": errors or {}, "started": session.starts_at <= timezone.now(),
    }, status=400 if errors or enrol_form.errors else 200)


@clinician_only
def clinic_session(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(request, session_id)
    if request.method != "POST":
        return _render_detail(request, session)
    form = EnrolForm(request.POST, people=services.enrollable(session))
    if form.is_valid():
        try:
            services.enrol(session, request.user, form.cleaned_data["person"])
        except FieldErrors as exc:
            _apply_errors(form, exc.errors)
        else:
            messages.success(request, gettext("Added to the session."))
            return redirect("clinic_session", session.pk)
    return _render_detail(request, session, enrol_form=form)


@clinician_only
@require_POST
def clinic_session_remove(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(request, session_id)
    if services.remove(session, request.user, request.POST.get("person")):
        messages.success(request, gettext("Removed from the session."))
    return redirect("clinic_session", session.pk)


@clinician_only
@require_POST
def clinic_session_attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(request, session_id)
    choice = request.POST.get("attended")
    if choice not in ("1", "0"):
        return _render_detail(request, session, errors={"attended": "choose attended or missed"})
    try:
        marked = services.mark(session, request.user, request.POST.get("person"), choice == "1")
    except FieldErrors as exc:
        return _render_detail(request, session, errors=exc.errors)
    if marked is None:
        raise Http404("Not in this session.")
    messages.success(request, gettext("Attendance saved."))
    return redirect("clinic_session", session.pk)


@clinician_only
@require_POST
def clinic_session_cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(request, session_id)
    services.cancel(session, request.user)
    messages.success(request, gettext("Session cancelled. It shows as cancelled in everyone's calendar."))
    return redirect("clinic_session", session.pk)


@login_required
def my_sessions(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    sessions = services.annotate_for(request.user, services.sessions_for_person(request.user, now))
    upcoming, past = _split(sessions, now)
    return render(request, "schedule/my_sessions.html", {"upcoming": upcoming, "past": past,
                                                         "clinician": is_clinician(request.user)})


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            _, raw = services.create_feed(request.user)
            vault.put(request, "calendar-url", services.feed_url(raw))  # shown once, after the redirect
        elif action == "revoke":
            if services.revoke_feed(request.user):
                messages.success(request, gettext("Your calendar link no longer works. Calendars using it stop updating."))
        return redirect("calendar")
    new_url = vault.pop(request, "calendar-url", "")
    response = render(request, "schedule/calendar.html", {"feed": services.active_feed(request.user), "new_url": new_url})
    return keep_uncompressed(response) if new_url else response  # the link: out of BREACH's reach


@require_safe
def calendar_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself: no sign-in, the secret in the URL is the key."""
    owner = services.feed_owner(token)
    if owner is None:
        raise Http404("No such calendar.")
    response = HttpResponse(services.ical_for(owner), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="thaw.ics"'
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
