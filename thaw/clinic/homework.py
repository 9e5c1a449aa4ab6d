"""Homework: what a care team suggests between sessions, and how the person sees it.

A clinician sets, per program, a check-in target per day, grounding exercises to try and
an assessment cadence. Each assignment is a new ``Homework`` row (the history stays); the
person sees the latest one of each program they are still enrolled in, on their home page,
with today's check-ins counted without any judgement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from thaw.access import live_grants
from thaw.assessments.instruments import instruments
from thaw.assessments.models import Assessment
from thaw.audit.models import record
from thaw.checkins.models import CheckIn
from thaw.clinic.cadence import CADENCE_INSTRUMENTS
from thaw.clinic.models import Homework, Membership, Program
from thaw.clinic.services import FieldErrors
from thaw.forms import TextField
from thaw.grounding.exercises import library
from thaw.text import take_text

CHECKINS_MAX = 12
CADENCE_MAX_DAYS = 365
NOTE_MAX = 500


def cadence_field(instrument: str) -> str:
    return f"every_{instrument}"


def exercise_choices() -> list[tuple[str, str]]:
    return [(e.id, e.title) for e in library().exercises.values()]


def cadence_instruments() -> list[tuple[str, str]]:
    """(id, name) of the instruments a cadence can be set for, in a fixed order."""
    known = instruments()
    return [(key, known[key].name) for key in CADENCE_INSTRUMENTS if key in known]


def shared_programs(clinician: Any, person: Any, now: datetime | None = None) -> list[Program]:
    """The clinician's programs the person is enrolled in right now (a live program grant)."""
    grants = (live_grants(now or timezone.now())
              .filter(owner_id=person.pk, program__isnull=False, program__memberships__clinician=clinician)
              .select_related("program"))
    found = {g.program_id: g.program for g in grants}
    return sorted(found.values(), key=lambda p: p.name)  # type: ignore[union-attr, return-value]


def program_categories(person: Any, programs: list[Program], now: datetime | None = None) -> set[str]:
    """The categories the person shares through their live grants to these programs."""
    grants = live_grants(now or timezone.now()).filter(owner_id=person.pk, program__in=programs)
    return {category for categories in grants.values_list("categories", flat=True) for category in categories}


# --- assigning -----------------------------------------------------------------------------

def clean(checkins_per_day: object, exercises: object, assessments: object, note: object) -> dict[str, Any]:
    """Check the suggestion; raise FieldErrors keyed like the form's fields."""
    errors: dict[str, str] = {}
    target = checkins_per_day if checkins_per_day not in (None, "") else 0
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target <= CHECKINS_MAX:
        errors["checkins_per_day"] = gettext("choose a whole number from 0 to %(most)s") % {"most": CHECKINS_MAX}
    known = dict(exercise_choices())
    chosen = list(exercises) if isinstance(exercises, (list, tuple)) else None
    if chosen is None or any(not isinstance(e, str) or e not in known for e in chosen):
        errors["exercises"] = gettext("choose exercises from the list")
    cadence: dict[str, int] = {}
    allowed = dict(cadence_instruments())
    for key, days in (assessments.items() if isinstance(assessments, dict) else []):
        if days in (None, ""):
            continue
        if key not in allowed:
            errors["assessments"] = gettext("unknown questionnaire")
        elif isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= CADENCE_MAX_DAYS:
            errors[cadence_field(key)] = (gettext("a number of days from 1 to %(most)s, or leave it empty")
                                               % {"most": CADENCE_MAX_DAYS})
        else:
            cadence[key] = days
    if not isinstance(assessments, dict):
        errors["assessments"] = gettext("expected questionnaire → days")
    text = take_text(errors, "note", note, NOTE_MAX).strip()
    if errors:
        raise FieldErrors(errors)
    return {"checkins_per_day": target, "exercises": list(dict.fromkeys(chosen or [])),
            "assessments": cadence, "note": text}


def assign(person: Any, program: Program, clinician: Any, *, checkins_per_day: object = 0, exercises: object = (),
           assessments: object = None, note: object = "") -> Homework:
    """Save a new suggestion for this person in this program and audit it."""
    cleaned = clean(checkins_per_day, list(exercises) if isinstance(exercises, (list, tuple)) else exercises,
                    assessments if assessments is not None else {}, note)
    if not Membership.objects.filter(program=program, clinician=clinician).exists():
        raise FieldErrors({"program": gettext("you are not on this program's care team")})
    if program.pk not in {p.pk for p in shared_programs(clinician, person)}:
        raise FieldErrors({"program": gettext("this person is not enrolled in this program")})
    with transaction.atomic():
        homework = Homework.objects.create(person=person, program=program, assigned_by=clinician, **cleaned)
        record("homework.assigned", actor=clinician, person=person, program=program.pk, homework=homework.pk,
               checkins_per_day=cleaned["checkins_per_day"], exercises=cleaned["exercises"],
               assessments=cleaned["assessments"])
    return homework


def latest(person: Any, programs: list[Program]) -> dict[int, Homework]:
    """The newest homework of each of these programs for this person."""
    found: dict[int, Homework] = {}
    for item in Homework.objects.filter(person=person, program__in=programs).order_by("-created_at", "-id"):
        found.setdefault(item.program_id, item)
    return found


class HomeworkForm(forms.Form):
    program = forms.ChoiceField(label=_("Program"), choices=())
    checkins_per_day = forms.IntegerField(
        label=_("Check-ins a day"), required=False, min_value=0, max_value=CHECKINS_MAX, initial=0)
    exercises = forms.MultipleChoiceField(label=_("Grounding exercises to try"), required=False, choices=(),
                                          widget=forms.CheckboxSelectMultiple)
    note = TextField(label=_("A short note for them (optional)"), required=False, max_length=NOTE_MAX,
                     widget=forms.Textarea(attrs={"rows": 2}),
                     help_text=_("They see this on their home page. Kept encrypted."))

    def __init__(self, *args: Any, programs: list[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [(str(p.pk), p.name) for p in programs]  # type: ignore[attr-defined]
        if len(programs) == 1:
            self.fields["program"].initial = str(programs[0].pk)
        self.fields["exercises"].choices = exercise_choices()  # type: ignore[attr-defined]
        target = self.fields["checkins_per_day"]
        target.help_text = gettext("0 to %(most)s; 0 means no target.") % {"most": CHECKINS_MAX}
        target.error_messages["invalid"] = gettext("Enter a whole number from 0 to %(most)s.") % {"most": CHECKINS_MAX}
        for key, name in cadence_instruments():
            self.fields[cadence_field(key)] = forms.IntegerField(
                label=gettext("%(instrument)s: every … days") % {"instrument": name}, required=False, min_value=1, max_value=CADENCE_MAX_DAYS,
                error_messages={"invalid": gettext("Enter a number of days, or leave it empty.")})
        self.programs = programs

    def cadence_fields(self) -> list[forms.BoundField]:
        return [self[cadence_field(key)] for key, _ in cadence_instruments()]

    def chosen_program(self) -> Program:
        return next(p for p in self.programs if str(p.pk) == self.cleaned_data["program"])

    def assessments(self) -> dict[str, int | None]:
        return {key: self.cleaned_data.get(cadence_field(key)) for key, _ in cadence_instruments()}

    @staticmethod
    def initial_from(homework: Homework | None) -> dict[str, Any]:
        if homework is None:
            return {}
        return {"program": str(homework.program_id), "checkins_per_day": homework.checkins_per_day,
                "exercises": list(homework.exercises), "note": homework.note,
                **{cadence_field(k): v for k, v in homework.assessments.items()}}


# --- what the person sees ------------------------------------------------------------------

@dataclass
class Suggestion:
    program: str
    created_at: datetime
    checkins_per_day: int
    checkins_today: int
    exercises: list[tuple[str, str]] = field(default_factory=list)  # (id, title)
    assessments: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    @property
    def met_today(self) -> bool:
        return self.checkins_per_day > 0 and self.checkins_today >= self.checkins_per_day


def checkins_today(person: Any, now: datetime | None = None) -> int:
    """Check-ins since local midnight in the person's own time zone."""
    now = now or timezone.now()
    tz = person.tzinfo
    start = datetime.combine(now.astimezone(tz).date(), time.min, tzinfo=tz)
    return CheckIn.objects.filter(person=person, at__gte=start, at__lte=now).count()


def for_person(person: Any, now: datetime | None = None) -> list[Suggestion]:
    """The latest homework of each program the person is still enrolled in, for their home page."""
    if not getattr(person, "is_authenticated", False):
        return []
    now = now or timezone.now()
    # The person's own enrolments, even while they have paused sharing: pausing hides their data
    # from others, not their own homework from them.
    from django.db.models import Q

    from thaw.circle.models import Grant

    enrolled = [g.program for g in Grant.objects.filter(owner=person, program__isnull=False, accepted_at__isnull=False,
                                                        revoked_at__isnull=True)
                .filter(Q(until__isnull=True) | Q(until__gt=now)).select_related("program")]
    newest = latest(person, enrolled)  # type: ignore[arg-type]
    if not newest:
        return []
    today = checkins_today(person, now)
    titles = dict(exercise_choices())
    names = dict(cadence_instruments())
    last_taken: dict[str, datetime] = dict(
        Assessment.objects.filter(person=person).values("instrument").annotate(last=Max("taken_at")).order_by()
        .values_list("instrument", "last"))
    out = []
    for item in sorted(newest.values(), key=lambda h: h.program.name):
        if not (item.checkins_per_day or item.exercises or item.assessments or item.note):
            continue
        cadence = []
        for key, days in item.assessments.items():
            if key not in names:
                continue
            last = last_taken.get(key)
            cadence.append({"id": key, "name": names[key], "days": days,
                            "due": last is None or last + timedelta(days=days) <= now})
        out.append(Suggestion(
            program=item.program.name, created_at=item.created_at, checkins_per_day=item.checkins_per_day,
            checkins_today=today, exercises=[(e, titles[e]) for e in item.exercises if e in titles],
            assessments=cadence, note=item.note))
    return out
