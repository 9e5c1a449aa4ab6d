"""The clinician's page for one enrolled person: since last session, scores, numbness,
granularity, patterns, grounding, substances (only if shared) and homework.

Access: a clinician sees a person only while the person has a live enrolment in one of
the clinician's programs, and only the categories granted (``thaw.access``); anything
else is a 404, the same as an id that does not exist. Every category shown is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from thaw.access import Category, audit_view, granted_categories
from thaw.accounts.models import Role, User
from thaw.circle.models import PROGRAM_CATEGORY_LABELS
from thaw.clinic import homework as homework_service
from thaw.clinic import summary
from thaw.clinic.models import Program
from thaw.clinic.services import FieldErrors
from thaw.clinic.views import clinician_only


def _enrolled_person(clinician: Any, person_id: int) -> tuple[User, set[str], list[Program]]:
    """The person, what they share with this clinician, and the programs they share it through; else 404."""
    person = User.objects.filter(pk=person_id, is_active=True, role=Role.PERSON).first()
    if person is None:
        raise Http404("No such person.")
    if not granted_categories(clinician, person.pk):  # also refuses anyone who is not a live grantee
        raise Http404("No such person.")
    programs = homework_service.shared_programs(clinician, person)
    if not programs:
        raise Http404("No such person.")
    # What the person shares with the care team, from the program grants alone: a personal
    # (trusted-circle) grant to this clinician's own account is not the care team's to use here.
    categories = homework_service.program_categories(person, programs)
    return person, categories, programs


def _render(request: HttpRequest, person: User, categories: set[str], programs: list[Program],
            form: homework_service.HomeworkForm | None = None, status: int = 200) -> HttpResponse:
    now = timezone.now()
    anchor = summary.anchor_for(person, now, [p.pk for p in programs])
    span = summary.span_for(person, anchor.at, now)  # the check-ins, read once for every section
    since = summary.since_last_session(person, categories, anchor, now, span)
    detail = summary.person_detail(person, categories, now, span)
    for category in sorted(detail["shown"] | since["shown"]):
        audit_view(request.user, person, Category(category))
    current = homework_service.latest(person, programs)
    if form is None:
        first = current.get(programs[0].pk)
        form = homework_service.HomeworkForm(initial=homework_service.HomeworkForm.initial_from(first),
                                             programs=programs)
    titles = dict(homework_service.exercise_choices())
    names = dict(homework_service.cadence_instruments())
    assigned = [{"program": p, "homework": current[p.pk],
                 "exercises": [titles.get(e, e) for e in current[p.pk].exercises],
                 "assessments": [(names.get(k, k), days) for k, days in current[p.pk].assessments.items()]}
                for p in programs if p.pk in current]
    return render(request, "clinic/person.html", {
        "person": person, "name": person.display_name or person.email, "programs": programs,
        "categories": categories, "shared_labels": [gettext(label) for key, label in PROGRAM_CATEGORY_LABELS.items()
                                                    if key in categories],
        "since": since, "anchor": anchor, "detail": detail, "form": form, "assigned": assigned,
        "numb_category": summary.numbness_category(categories),
    }, status=status)


@clinician_only
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    found, categories, programs = _enrolled_person(request.user, person_id)
    return _render(request, found, categories, programs)


@clinician_only
@require_POST
def assign_homework(request: HttpRequest, person_id: int) -> HttpResponse:
    found, categories, programs = _enrolled_person(request.user, person_id)
    form = homework_service.HomeworkForm(request.POST, programs=programs)
    if form.is_valid():
        try:
            homework_service.assign(
                found, form.chosen_program(), request.user,
                checkins_per_day=form.cleaned_data["checkins_per_day"],
                exercises=form.cleaned_data["exercises"], assessments=form.assessments(),
                note=form.cleaned_data["note"])
        except FieldErrors as exc:
            for key, message in exc.errors.items():
                form.add_error(key if key in form.fields else None, message)
        else:
            messages.success(request, gettext("Homework saved. They will see it on their home page."))
            return redirect("clinic_person", person_id=found.pk)
    return _render(request, found, categories, programs, form=form, status=400)
