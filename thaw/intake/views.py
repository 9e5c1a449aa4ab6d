"""The public contact form, and the intake team's inbox.

The form is public (from every article and program page): after sending it shows what happens
next and the crisis lines; a message with crisis language shows the crisis screen first. The inbox
is for the intake role only (``thaw.access``), and every request it shows is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from thaw import access
from thaw.accounts.models import User
from thaw.accounts.throttle import spend
from thaw.clinic.models import Program
from thaw.core import vault
from thaw.core.delivery import never_compressed
from thaw.core.net import client_ip
from thaw.forms import TextField
from thaw.intake import services
from thaw.intake.models import (
    MESSAGE_MAX,
    NAME_MAX,
    NOTE_MAX,
    OPEN_STATUSES,
    REACH_MAX,
    REGION_MAX,
    WHEN_MAX,
    ReachBy,
    RequestStatus,
)
from thaw.learn import spam
from thaw.learn.services import address_key
from thaw.safety.services import person_region


class ContactForm(forms.Form):
    name = TextField(label=gettext_lazy("Your name"), max_length=NAME_MAX,
                     help_text=gettext_lazy("What should we call you? A first name is fine."))
    reach_by = forms.ChoiceField(label=gettext_lazy("How should we reach you?"), choices=ReachBy.choices,
                                 widget=forms.RadioSelect)
    reach_at = TextField(label=gettext_lazy("Your email address or phone number"), max_length=REACH_MAX)
    best_time = TextField(label=gettext_lazy("When is a good time? (optional)"), max_length=WHEN_MAX, required=False,
                          help_text=gettext_lazy("For example: weekday evenings after 6, or any time by email."))
    looking_for = forms.ChoiceField(label=gettext_lazy("What are you looking for?"), choices=())
    region = TextField(label=gettext_lazy("Which state or region do you live in?"), max_length=REGION_MAX,
                       help_text=gettext_lazy("Programs can only serve people in some places."))
    message = TextField(label=gettext_lazy("Anything you would like us to know (optional)"), max_length=MESSAGE_MAX,
                        required=False, multiline=True, widget=forms.Textarea(attrs={"rows": 5}),
                        help_text=gettext_lazy("Only the clinic's intake team reads this. It is stored encrypted."))
    consent = forms.BooleanField(label=gettext_lazy("I agree that the clinic may contact me in the way I chose above"),
                                 required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["looking_for"].choices = services.program_choices()  # type: ignore[attr-defined]


def contact(request: HttpRequest) -> HttpResponse:
    chosen = request.GET.get("program", "")
    came_from = (request.POST.get("came_from") or request.GET.get("from") or request.GET.get("program") or "")[:100]
    form = ContactForm(request.POST or None, initial={"looking_for": chosen or services.NOT_SURE})
    status, problem = 200, None
    if request.method == "POST":
        problem = spam.check(request, "contact", gettext("What you wrote"))
        if not form.is_valid():
            # The service's messages say what to do ("tick the box", "which state"); they replace
            # the form's generic ones, and fields only the service checks (consent) are marked too.
            for key, message in services.clean(request.POST.dict())[1].items():
                if key in form.fields:
                    form.errors[key] = form.error_class([message])
        elif problem is None:
            wait = spend("contact", address_key(client_ip(request)), limit=_limit(), window=3600)
            if wait:
                problem = gettext("Thaw takes a few requests an hour from one place, to keep spam out. Please send "
                                  "this in %(minutes)s minutes, or call the clinic. What you wrote is still here.") % {
                    "minutes": max(1, wait // 60)}
                status = 429
            else:
                try:
                    received = services.receive({**form.cleaned_data, "came_from": came_from})
                except services.FieldErrors as exc:
                    for key, message in exc.errors.items():
                        form.add_error(key if key in form.fields else None, message)
                else:
                    if received.crisis:
                        return redirect(f"{reverse('crisis')}?from=contact")
                    return redirect("contact_sent")
        if status == 200:
            status = 400 if (form.errors or problem) else 200
    return render(request, "intake/contact.html", {"form": form, "problem": problem, "came_from": came_from,
                                                   "started": spam.started_token("contact")}, status=status)


def _limit() -> int:
    from django.conf import settings

    return int(settings.THAW_CONTACT_LIMIT)


@require_GET
def contact_sent(request: HttpRequest) -> HttpResponse:
    region = person_region(request.user if request.user.is_authenticated else None)
    return render(request, "intake/sent.html", {"region": region})


# --- the intake inbox ----------------------------------------------------------------------------

def intake_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.is_intake(request.user):
            raise Http404("This page is for the intake team.")
        return view(request, *args, **kwargs)

    return wrapped


@intake_only
def inbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    mine = request.GET.get("mine") == "1"
    found = access.contact_requests(request.user).select_related("program", "assigned_to")
    if status == "open":
        found = found.filter(status__in=OPEN_STATUSES)
    elif status in RequestStatus.values:
        found = found.filter(status=status)
    else:
        status = "all"
    if mine:
        found = found.filter(assigned_to=request.user)
    shown = list(found.order_by("-urgent", "created_at")[:200])
    access.audit_contact_list(request.user, shown)
    return render(request, "intake/inbox.html", {"requests": shown, "status": status, "mine": mine,
                                                 "statuses": RequestStatus.choices})


class UpdateForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=RequestStatus.choices)
    assigned_to = forms.ChoiceField(label=gettext_lazy("Assigned to"), choices=(), required=False)
    note = TextField(label=gettext_lazy("Add a note (only the intake team sees it)"), max_length=NOTE_MAX, required=False,
                     multiline=True)

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].choices = [("", gettext("Nobody yet"))] + [  # type: ignore[attr-defined]
            (u.email, u.display_name or u.email) for u in staff]


class InviteForm(forms.Form):
    program = forms.ChoiceField(label=gettext_lazy("Program"), choices=())
    email = forms.EmailField(label=gettext_lazy("Their email (optional)"), required=False,
                             help_text=gettext_lazy("Thaw emails the invitation. Leave it empty to get a link to pass "
                                                    "on yourself."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [(str(p.pk), p.name) for p in Program.objects.order_by("name")]  # type: ignore[attr-defined]


def _detail(request: HttpRequest, found: Any, form: UpdateForm, invite_form: InviteForm, status: int = 200) -> HttpResponse:
    return render(request, "intake/request.html", {
        "r": found, "form": form, "invite_form": invite_form, "notes": found.notes.select_related("author")},
        status=status)


@intake_only
def request_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    found = access.contact_request(request.user, request_id)
    if found is None:
        raise Http404("No such contact request.")
    staff = services.intake_staff()
    initial = {"status": found.status, "assigned_to": found.assigned_to.email if found.assigned_to else ""}
    form = UpdateForm(request.POST or None, initial=initial, staff=staff)
    email = found.reach_at if found.reach_by == ReachBy.EMAIL else ""
    invite_form = InviteForm(initial={"program": str(found.program_id or ""), "email": email})
    if request.method == "POST" and form.is_valid():
        try:
            services.update(found, request.user, form.cleaned_data)
        except services.FieldErrors as exc:
            for key, message in exc.errors.items():
                form.add_error(key if key in form.fields else None, message)
        else:
            messages.success(request, gettext("Saved."))
            return redirect("intake_request", request_id=found.pk)
    return _detail(request, found, form, invite_form, status=400 if form.errors else 200)


@intake_only
@require_POST
def invite(request: HttpRequest, request_id: str) -> HttpResponse:
    found = access.contact_request(request.user, request_id)
    if found is None:
        raise Http404("No such contact request.")
    invite_form = InviteForm(request.POST)
    form = UpdateForm(initial={"status": found.status}, staff=services.intake_staff())
    if invite_form.is_valid():
        program = Program.objects.filter(pk=access.db_id(invite_form.cleaned_data["program"]) or 0).first()
        try:
            if program is None:
                raise services.FieldErrors({"program": gettext("choose a program")})
            link = services.invite(found, request.user, program, invite_form.cleaned_data["email"])
        except services.FieldErrors as exc:
            for key, message in exc.errors.items():
                invite_form.add_error(key if key in invite_form.fields else None, message)
        else:
            vault.put(request, f"intake-invite:{found.pk}", link)  # shown once on the next page (PRG), sealed meanwhile
            return redirect("intake_invited", request_id=found.pk)
    return _detail(request, found, form, invite_form, status=400)


@never_compressed
@intake_only
def invited(request: HttpRequest, request_id: str) -> HttpResponse:
    found = access.contact_request(request.user, request_id)
    if found is None:
        raise Http404("No such contact request.")
    link = vault.pop(request, f"intake-invite:{found.pk}", "")
    return render(request, "intake/invited.html", {"r": found, "link": link})


