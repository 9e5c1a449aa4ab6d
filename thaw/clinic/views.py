"""Clinician pages (caseload triage, flags, invitations, notifications), the admin's program
pages, and the page where a person accepts an enrolment."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from thaw.access import db_id
from thaw.accounts.models import Role, User
from thaw.assessments.older_rules import any_older
from thaw.circle.models import PROGRAM_CATEGORY_LABELS, PROGRAM_MINIMUM
from thaw.clinic import services
from thaw.clinic.cadence import OVERDUE_AFTER
from thaw.clinic.models import EnrolmentInvite, Membership, Notification, Program
from thaw.clinic.render import column_names, rows_html
from thaw.clinic.services import FieldErrors
from thaw.core import vault
from thaw.core.delivery import never_compressed
from thaw.forms import TextField


def clinician_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.is_clinician(request.user):
            raise Http404("This page is for clinicians.")
        return view(request, *args, **kwargs)

    return wrapped


def admin_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.role != Role.ADMIN:
            raise Http404("This page is for admins.")
        return view(request, *args, **kwargs)

    return wrapped


class AckForm(forms.Form):
    note = TextField(label=_("What you did or will do"), max_length=services.ACK_NOTE_MAX,
                     widget=forms.Textarea(attrs={"rows": 2}))


@clinician_only
def caseload(request: HttpRequest) -> HttpResponse:
    programs = services.programs_of(request.user)
    program_id = request.GET.get("program", "")
    need = request.GET.get("need", "")
    chosen = int(program_id) if program_id.isdigit() and any(p.pk == int(program_id) for p in programs) else None
    rows = services.caseload(request.user, program_id=chosen,
                             need=need if need in services.NEED_ORDER and need else "")
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True)[:10]
    duty = {m.program_id: m.on_duty for m in Membership.objects.filter(clinician=request.user)}
    return render(request, "clinic/caseload.html", {
        "rows": rows, "programs": programs, "chosen": chosen, "need": need, "unread": unread, "duty": duty,
        "instruments": services.TRIAGE_INSTRUMENTS, "table_rows": rows_html(rows, services.TRIAGE_INSTRUMENTS),
        "columns": column_names(), "overdue_days": OVERDUE_AFTER.days,
        "older_rules": any_older(s.get("rules_version") for row in rows for s in row.scores.values()),
    })


@clinician_only
def flag_detail(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = services.flag_for(request.user, flag_id)
    if flag is None:
        raise Http404("No such flag.")
    form = AckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.acknowledge(flag, request.user, form.cleaned_data["note"])
        except FieldErrors as exc:
            for key, message in exc.errors.items():
                form.add_error("note" if key == "note" else None, message)
        else:
            messages.success(request, gettext("Acknowledged."))
            return redirect("caseload")
    from thaw.access import Category, audit_view

    audit_view(request.user, flag.person, Category.FLAGS, flag.pk)
    return render(request, "clinic/flag.html", {"flag": flag, "form": form}, status=400 if form.errors else 200)


class InviteForm(forms.Form):
    program = forms.ChoiceField(label=_("Program"), choices=())
    email = forms.EmailField(label=_("Their email (optional)"), required=False,
                             help_text=_("Thaw emails the invitation. Leave empty to get a link to pass on yourself."))

    def __init__(self, *args: Any, programs: list[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [(str(p.pk), p.name) for p in programs]  # type: ignore[attr-defined]


@clinician_only
def invite(request: HttpRequest) -> HttpResponse:
    programs = services.programs_of(request.user)
    form = InviteForm(request.POST or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        program = next(p for p in programs if str(p.pk) == form.cleaned_data["program"])
        try:
            invite_made, raw = services.invite_person(program, request.user, form.cleaned_data["email"])
        except FieldErrors as exc:
            for key, message in exc.errors.items():
                form.add_error(key if key in form.fields else None, message)
        else:
            # Post, redirect, get: a reload shows the page again, never makes a second invitation.
            vault.put(request, f"enrol-invite:{invite_made.pk}", services.enrol_url(raw))
            return redirect("clinic_invited", invite_id=invite_made.pk)
    return render(request, "clinic/invite.html", {"form": form, "programs": programs},
                  status=400 if form.errors else 200)


@never_compressed
@clinician_only
def invited(request: HttpRequest, invite_id: Any) -> HttpResponse:
    """The enrolment link, shown on the first load after it was made and never again."""
    found = EnrolmentInvite.objects.filter(pk=invite_id, program__in=services.programs_of(request.user)).first()
    if found is None:
        raise Http404("No such invitation.")
    link = vault.pop(request, f"enrol-invite:{found.pk}")
    return render(request, "clinic/invited.html", {"link": link, "program": found.program, "email": found.email})


@clinician_only
@require_POST
def duty(request: HttpRequest, program_id: int) -> HttpResponse:
    membership = Membership.objects.filter(clinician=request.user, program_id=program_id).first()
    if membership is None:
        raise Http404("Not your program.")
    membership.on_duty = request.POST.get("on_duty") == "1"
    membership.save(update_fields=["on_duty"])
    messages.success(request, gettext("You are on duty: new crisis flags reach you.") if membership.on_duty
                     else gettext("You are off duty."))
    return redirect("caseload")


@clinician_only
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("caseload")


class EnrolForm(forms.Form):
    categories = forms.MultipleChoiceField(label=_("What the care team can see"), widget=forms.CheckboxSelectMultiple,
                                           choices=[(key, _(label)) for key, label in PROGRAM_CATEGORY_LABELS.items()])


@never_compressed
def enrol(request: HttpRequest, token: str) -> HttpResponse:
    found = EnrolmentInvite.by_token(token)
    if found is None or not found.is_open():
        return render(request, "clinic/enrol.html", {"gone": True}, status=404)
    form = EnrolForm(request.POST or None, initial={"categories": PROGRAM_MINIMUM})
    if request.user.is_authenticated and request.method == "POST" and form.is_valid():
        try:
            services.enrol(found, request.user, form.cleaned_data["categories"])
        except FieldErrors as exc:
            for key, message in exc.errors.items():
                form.add_error("categories" if key == "categories" else None, message)
        else:
            messages.success(request, gettext("You joined %(program)s. You can change or end this on the Circle page.")
                             % {"program": found.program.name})
            return redirect("circle")
    return render(request, "clinic/enrol.html", {"invite": found, "form": form, "token": token},
                  status=400 if form.errors else 200)


# --- admin: programs ---------------------------------------------------------------------

class ProgramForm(forms.Form):
    name = TextField(label=_("Name"), max_length=120)
    description = TextField(label=_("Description (optional)"), max_length=300, required=False)
    escalate_after_minutes = forms.IntegerField(label=_("Escalate unacknowledged crisis flags after (minutes)"),
                                                min_value=1, max_value=1440, initial=30)


class MemberForm(forms.Form):
    email = forms.EmailField(label=_("Clinician's email"))
    lead = forms.BooleanField(label=_("Make them the program lead"), required=False)
    on_duty = forms.BooleanField(label=_("On duty"), required=False)


@admin_only
def programs(request: HttpRequest) -> HttpResponse:
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if Program.objects.filter(name=form.cleaned_data["name"]).exists():
            form.add_error("name", gettext("a program with this name exists"))
        else:
            program = Program.objects.create(**form.cleaned_data)
            from thaw.audit.models import record

            record("program.created", actor=request.user, program=program.pk)
            return redirect("program", program_id=program.pk)
    return render(request, "clinic/programs.html", {"form": form, "programs": Program.objects.all()},
                  status=400 if form.errors else 200)


@admin_only
def program(request: HttpRequest, program_id: int) -> HttpResponse:
    item = get_object_or_404(Program, pk=program_id)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and request.POST.get("remove"):
        removed = db_id(request.POST["remove"])
        Membership.objects.filter(program=item, clinician_id=removed).delete()
        if item.lead_id and item.lead_id == removed:
            item.lead = None
            item.save(update_fields=["lead"])
        messages.success(request, gettext("Removed from the care team; their access ended at once."))
        return redirect("program", program_id=item.pk)
    if request.method == "POST" and form.is_valid():
        clinician = User.objects.filter(email=form.cleaned_data["email"].lower(), role=Role.CLINICIAN,
                                        is_active=True).first()
        if clinician is None:
            form.add_error("email", gettext("no active clinician account has this address (create one with thaw user add)"))
        else:
            membership, _ = Membership.objects.get_or_create(program=item, clinician=clinician)
            membership.on_duty = form.cleaned_data["on_duty"]
            membership.save()
            if form.cleaned_data["lead"]:
                item.lead = clinician
                item.save(update_fields=["lead"])
            from thaw.audit.models import record

            record("program.member_added", actor=request.user, program=item.pk, clinician=clinician.pk)
            return redirect("program", program_id=item.pk)
    members = item.memberships.select_related("clinician").order_by("clinician__email")
    return render(request, "clinic/program.html", {"program": item, "form": form, "members": members},
                  status=400 if form.errors else 200)

