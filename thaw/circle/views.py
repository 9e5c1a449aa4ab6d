"""Pages: your circle (grants, pause, who viewed what), invitations, reach out, check on me,
and the calm read-only view a trusted person gets of what was shared with them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext
from django.views.decorators.http import require_POST

from thaw.access import Category, audit_view, granted_categories
from thaw.accounts.models import Role, User
from thaw.assessments.older_rules import any_older
from thaw.circle import services
from thaw.circle.models import (
    CATEGORY_LABELS,
    DEFAULT_CATEGORIES,
    MESSAGE_MAX,
    NAME_MAX,
    PROGRAM_CATEGORY_LABELS,
    SENSITIVE,
    Grant,
    RuleKind,
)
from thaw.circle.services import FieldErrors
from thaw.core import vault
from thaw.core.delivery import never_compressed
from thaw.forms import TextField

# A grant's state (Grant.state), shown with {% translate g.state %} on the circle page.
GRANT_STATES = (gettext_noop("active"), gettext_noop("invited"), gettext_noop("invitation expired"),
                gettext_noop("expired"), gettext_noop("revoked"))

CATEGORY_CHOICES = [(key, gettext_lazy(label)) for key, label in CATEGORY_LABELS.items()]


class GrantForm(forms.Form):
    name = TextField(label=gettext_lazy("Their name"), max_length=NAME_MAX,
                     help_text=gettext_lazy("What you call them, e.g. Sam."))
    email = forms.EmailField(
        label=gettext_lazy("Their email (optional)"), required=False,
        help_text=gettext_lazy("Thaw emails them the invitation. Leave empty to get a link you pass on yourself."),
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("What they can see"), choices=CATEGORY_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Notes and substance use are never shared unless you tick them."),
    )
    until = forms.DateField(label=gettext_lazy("Share until (optional)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=gettext_lazy("Leave empty to share until you stop it. You can stop it any time."))


class EditGrantForm(GrantForm):
    email = None  # type: ignore[assignment]


class ReachOutForm(forms.Form):
    to = forms.MultipleChoiceField(label=gettext_lazy("Who"), widget=forms.CheckboxSelectMultiple, choices=())
    choice = forms.ChoiceField(label=gettext_lazy("Message"), widget=forms.RadioSelect, required=False,
                               choices=[(str(n), gettext_lazy(text)) for n, text in enumerate(services.REACH_OUT_CHOICES)]
                               + [("own", gettext_lazy("My own words"))])
    own = TextField(label=gettext_lazy("Your own words"), required=False, max_length=MESSAGE_MAX, multiline=True)

    def __init__(self, *args: Any, people: list[Grant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(str(g.id), g.name) for g in people]  # type: ignore[attr-defined]

    def message(self) -> str:
        choice = self.cleaned_data.get("choice") or ""
        if choice.isdigit() and int(choice) < len(services.REACH_OUT_CHOICES):
            return gettext(services.REACH_OUT_CHOICES[int(choice)])  # as the sender saw it
        return self.cleaned_data.get("own") or ""


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("When"), choices=RuleKind.choices, widget=forms.RadioSelect)
    days = forms.IntegerField(label=gettext_lazy("For how many days"), min_value=1, max_value=30, initial=3)
    grant = forms.ChoiceField(label=gettext_lazy("Message"), choices=())
    message = TextField(label=gettext_lazy("What the message says"), max_length=MESSAGE_MAX, multiline=True,
                        help_text=gettext_lazy("Your words go to them as written. Thaw adds no health details."))

    def __init__(self, *args: Any, people: list[Grant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grant"].choices = [(str(g.id), g.name) for g in people]  # type: ignore[attr-defined]


class JoinForm(forms.Form):
    display_name = TextField(label=gettext_lazy("Your name"), max_length=80,
                             help_text=gettext_lazy("So they know it's you."))
    email = forms.EmailField(label=gettext_lazy("Your email"))
    password = forms.CharField(label=gettext_lazy("Choose a password"), widget=forms.PasswordInput, strip=False,
                               help_text=gettext_lazy("At least 10 characters."))


def _apply_errors(form: forms.Form, errors: dict[str, str]) -> None:
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


def _grant_data(form: forms.Form) -> dict[str, Any]:
    until = form.cleaned_data.get("until")
    return {"name": form.cleaned_data["name"], "categories": form.cleaned_data["categories"],
            "until": until.isoformat() if until else None}


@login_required
def circle(request: HttpRequest) -> HttpResponse:
    grants = services.grants_of(request.user)
    return render(request, "circle/circle.html", {
        "grants": grants, "paused": services.is_paused(request.user), "views": services.views_of(request.user, 20),
        "labels": {key: gettext(label) for key, label in PROGRAM_CATEGORY_LABELS.items()}, "rules": request.user.check_on_me.select_related("grant"),
        "sharers": services.sharers_for(request.user),
    })


@login_required
def grant_new(request: HttpRequest) -> HttpResponse:
    form = GrantForm(request.POST or None, initial={"categories": DEFAULT_CATEGORIES})
    if request.method == "POST" and form.is_valid():
        try:
            data = _grant_data(form) | {"email": form.cleaned_data["email"]}
            grant, raw = services.create_grant(request.user, data)
        except FieldErrors as exc:
            _apply_errors(form, exc.errors)
        else:
            # Post, redirect, get: a reload of "Invitation ready" shows the page, never a second invitation.
            vault.put(request, f"circle-invite:{grant.pk}", services.invite_url(raw))
            return redirect("grant_invited", grant_id=grant.pk)
    return render(request, "circle/grant_form.html", {"form": form, "sensitive": SENSITIVE, "new": True},
                  status=400 if form.errors else 200)


@never_compressed
@login_required
def grant_invited(request: HttpRequest, grant_id: Any) -> HttpResponse:
    """The invitation link, shown on the first load after it was made and never again."""
    grant = _own_grant_or_404(request, grant_id)
    link = vault.pop(request, f"circle-invite:{grant.pk}")
    return render(request, "circle/invited.html", {"grant": grant, "link": link})


def _own_grant_or_404(request: HttpRequest, grant_id: object) -> Grant:
    grant = services.own_grant(request.user, grant_id)
    if grant is None:
        raise Http404("No such sharing.")
    return grant


@login_required
def grant_edit(request: HttpRequest, grant_id: Any) -> HttpResponse:
    grant = _own_grant_or_404(request, grant_id)
    initial = {"name": grant.name, "categories": grant.categories,
               "until": grant.until.astimezone(request.user.tzinfo).date() if grant.until else None}
    form = EditGrantForm(request.POST or None, initial=initial)
    if grant.program_id is not None:
        form.fields["categories"].choices = list(PROGRAM_CATEGORY_LABELS.items())  # type: ignore[attr-defined]
        form.fields["name"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.update_grant(grant, _grant_data(form))
        except FieldErrors as exc:
            _apply_errors(form, exc.errors)
        else:
            messages.success(request, gettext("Saved. %(name)s now sees only what is ticked.") % {"name": grant.name})
            return redirect("circle")
    return render(request, "circle/grant_form.html", {"form": form, "grant": grant, "sensitive": SENSITIVE},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, grant_id: Any) -> HttpResponse:
    grant = _own_grant_or_404(request, grant_id)
    services.revoke(grant)
    messages.success(request, gettext("Sharing with %(name)s has stopped. They are not told.") % {"name": grant.name})
    return redirect("circle")


@login_required
@require_POST
def sharing_pause(request: HttpRequest) -> HttpResponse:
    paused = request.POST.get("paused") == "1"
    services.set_paused(request.user, paused)
    messages.success(request, gettext("All sharing is paused. Nobody sees anything until you resume.")
                     if paused else gettext("Sharing is back on, as each grant says."))
    return redirect("circle")


@never_compressed
def accept(request: HttpRequest, token: str) -> HttpResponse:
    grant = Grant.by_invite(token)
    if grant is None or not grant.invite_open():
        return render(request, "circle/accept.html", {"gone": True}, status=404)
    owner_name = services.person_label(grant.owner)
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.accept(grant, request.user)
            except FieldErrors as exc:
                messages.error(request, next(iter(exc.errors.values())))
                return redirect("circle")
            messages.success(request, gettext("You're now in %(name)s's trusted circle.") % {"name": owner_name})
            return redirect("shared_person", person_id=grant.owner_id)
        return render(request, "circle/accept.html", {"grant": grant, "owner_name": owner_name, "token": token})
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        if User.objects.filter(email=email).exists():
            form.add_error("email", gettext("There is already an account for this address: sign in first, then open the "
                                            "link again."))
        else:
            try:
                validate_password(form.cleaned_data["password"])
            except ValidationError as exc:
                form.add_error("password", exc)
        if not form.errors:
            try:
                with transaction.atomic():  # no account is left behind if the link was used meanwhile
                    user = User.objects.create_user(email, form.cleaned_data["password"], role=Role.PERSON,
                                                    display_name=form.cleaned_data["display_name"])
                    services.accept(grant, user)
            except FieldErrors as exc:
                form.add_error(None, next(iter(exc.errors.values())))
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, gettext("Welcome. You're now in %(name)s's trusted circle.") % {"name": owner_name})
                return redirect("shared_person", person_id=grant.owner_id)
    return render(request, "circle/accept.html", {"grant": grant, "owner_name": owner_name, "token": token,
                                                  "form": form}, status=400 if form.errors else 200)


@login_required
def reach_out(request: HttpRequest) -> HttpResponse:
    people = services.reachable(request.user)
    form = ReachOutForm(request.POST or None, people=people, initial={"choice": "0"})
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.reach_out(request.user, form.cleaned_data["to"], form.message())
        except FieldErrors as exc:
            _apply_errors(form, {("own" if k == "message" else k): v for k, v in exc.errors.items()})
        else:
            messages.success(request, ngettext("Sent to %(n)s person.", "Sent to %(n)s people.", sent) % {"n": sent})
            return redirect("circle")
    return render(request, "circle/reach_out.html", {"form": form, "people": people},
                  status=400 if form.errors else 200)


@login_required
def check_on_me(request: HttpRequest) -> HttpResponse:
    people = services.reachable(request.user)
    form = RuleForm(request.POST or None, people=people, initial={"kind": RuleKind.QUIET_DAYS})
    if request.method == "POST" and form.is_valid():
        try:
            services.create_rule(request.user, form.cleaned_data)
        except FieldErrors as exc:
            _apply_errors(form, exc.errors)
        else:
            messages.success(request, gettext("Saved. You can turn it off here at any time."))
            return redirect("check_on_me")
    return render(request, "circle/check_on_me.html", {
        "form": form, "people": people, "rules": request.user.check_on_me.select_related("grant"),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def check_on_me_change(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = request.user.check_on_me.filter(pk=rule_id).first()
    if rule is None:
        raise Http404("No such rule.")
    action = request.POST.get("action")
    if action == "delete":
        rule.delete()
        messages.success(request, gettext("Removed."))
    else:
        rule.enabled = action == "on"
        rule.save(update_fields=["enabled"])
        messages.success(request, gettext("Turned on.") if rule.enabled else gettext("Turned off."))
    return redirect("check_on_me")


@login_required
def shared_list(request: HttpRequest) -> HttpResponse:
    return render(request, "circle/shared_list.html", {"sharers": services.sharers_for(request.user)})


@login_required
def shared_person(request: HttpRequest, person_id: int) -> HttpResponse:
    categories = granted_categories(request.user, person_id)
    owner = User.objects.filter(pk=person_id, is_active=True).first() if categories else None
    if owner is None:
        raise Http404("Nothing is shared with you here.")
    context: dict[str, Any] = {"owner": owner, "owner_name": services.person_label(owner),
                               "categories": categories}
    for category in categories:
        audit_view(request.user, owner, Category(category))
    if Category.SUMMARY in categories:
        context["summary"] = services.weekly_summary(owner)
    if Category.CHECKINS in categories:
        context["checkins"] = services.shared_checkins(owner, with_notes=Category.NOTES in categories, limit=30)
    if Category.ASSESSMENTS in categories:
        context["assessments"] = services.shared_assessments(owner)[:20]
        context["older_rules"] = any_older(a["rules_version"] for a in context["assessments"])
    if Category.GROUNDING in categories:
        context["grounding"] = services.shared_grounding(owner, with_notes=Category.NOTES in categories)
    if Category.SUBSTANCES in categories:
        context["substances"] = services.shared_substances(owner, with_notes=Category.NOTES in categories)
    return render(request, "circle/shared_person.html", context)
