"""The settings page: name, time zone, crisis lines, the alcohol-screening cut-off, and API tokens."""

from __future__ import annotations

import zoneinfo
from functools import cache

from allauth.account.decorators import reauthentication_required
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from thaw.accounts import profile
from thaw.accounts.erasure import erase
from thaw.accounts.forms import valid_timezone
from thaw.accounts.models import ApiToken
from thaw.core import vault
from thaw.core.delivery import keep_uncompressed
from thaw.forms import TextField


@cache
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")
    return [(z, z.replace("_", " ")) for z in names]


def region_choices() -> list[tuple[str, str]]:
    from thaw.safety.resources import crisis_regions

    default, regions = crisis_regions()
    return [("", gettext("The site's default"))] + [(code, r.name) for code, r in regions.items()]


SCREENING_SEX_CHOICES = [("", gettext_lazy("Prefer not to say")), ("female", gettext_lazy("Female (cut-off 3)")),
                         ("male", gettext_lazy("Male (cut-off 4)"))]


def language_choices() -> list[tuple[str, str]]:
    from django.conf import settings

    return [("", gettext("Follow my browser"))] + list(settings.LANGUAGES)


def word_form_choices() -> list[tuple[str, str]]:
    return [("neutral", gettext("Neutral where there is a neutral wording (“con miedo”), else both (“cansada / cansado”)")),
            ("feminine", gettext("Feminine (“cansada”)")), ("masculine", gettext("Masculine (“cansado”)"))]


class ProfileForm(forms.Form):
    display_name = TextField(
        label=gettext_lazy("What should Thaw call you?"), max_length=80, required=False,
        help_text=gettext_lazy("Optional. Shown only to you (and later to people you choose to share with)."),
    )
    # The time zones' names are the tz database's own (English) identifiers, so they are marked lang="en".
    timezone = forms.ChoiceField(label=gettext_lazy("Your time zone"), choices=timezone_choices,
                                 widget=forms.Select(attrs={"lang": "en"}),
                                 help_text=gettext_lazy("Check-in times and daily patterns use it."))
    crisis_region = forms.ChoiceField(label=gettext_lazy("Crisis lines to show"), choices=region_choices,
                                      required=False,
                                      help_text=gettext_lazy("Which helplines the “Get help now” page shows first."))
    screening_sex = forms.ChoiceField(
        label=gettext_lazy("For alcohol screening, which cut-off applies to you?"), required=False,
        choices=SCREENING_SEX_CHOICES,
        help_text=gettext_lazy("Optional. Used only to score the AUDIT-C: 3 or more is a positive screen for women, "
                               "4 or more for men (Bradley et al. 2007). “Prefer not to say” uses 3, which leans "
                               "towards help."),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=language_choices, required=False,
                                 help_text=gettext_lazy("Pages, emails and messages from Thaw. “Follow my browser” "
                                                        "uses your browser’s language when Thaw speaks it."))
    word_forms = forms.ChoiceField(label=gettext_lazy("How should Spanish emotion words be shown to you?"),
                                   choices=word_form_choices, required=False,
                                   help_text=gettext_lazy("Many Spanish feeling words change with gender. Your "
                                                          "check-ins keep the same entries whichever you pick."))


class TokenForm(forms.Form):
    name = TextField(label=gettext_lazy("Token name"), max_length=80,
                     help_text=gettext_lazy("So you can tell tokens apart, e.g. “phone shortcut”."))


def _profile_initial(user: object) -> dict[str, str]:
    initial = {key: getattr(user, key) for key in ("display_name", "timezone", "crisis_region", "screening_sex",
                                                   "language", "word_forms")}
    initial["word_forms"] = initial["word_forms"] or "neutral"
    return initial


def _render(request: HttpRequest, profile_form: ProfileForm, token_form: TokenForm, new_token: str | None = None,
            status: int = 200) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user).usable()
    return render(request, "accounts/settings.html", {
        "profile_form": profile_form, "token_form": token_form, "tokens": tokens, "new_token": new_token,
        "lifetime_days": settings.THAW_TOKEN_LIFETIME_DAYS, "idle_hours": settings.THAW_TOKEN_IDLE_HOURS_CLINICIAN,
    }, status=status)


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            changes = {"timezone": data["timezone"], "crisis_region": data["crisis_region"],
                       "language": data["language"], "word_forms": data["word_forms"]}
            # Choosing an answer (or changing it) counts as answering: the AUDIT-C will not ask again.
            if data["screening_sex"] or data["screening_sex"] != user.screening_sex:
                changes["screening_sex"] = data["screening_sex"]
            user.display_name = data["display_name"]
            with transaction.atomic():
                user.save(update_fields=["display_name"])
                profile.update(user, changes)
            with translation.override(data["language"] or translation.get_language()):
                messages.success(request, gettext("Settings saved."))
            return redirect("settings")
        return _render(request, form, TokenForm(), status=422)
    form = ProfileForm(initial=_profile_initial(user))
    # A token made a moment ago is shown on this one page load, then forgotten.
    new_token = vault.pop(request, "new_token")
    response = _render(request, form, TokenForm(), new_token=new_token)
    return keep_uncompressed(response) if new_token else response  # the token: out of BREACH's reach


@login_required
@require_POST
def use_device_timezone(request: HttpRequest) -> HttpResponse:
    """One tap from the notice shown when the device's time zone differs from the saved one."""
    name = request.POST.get("timezone", "")
    if valid_timezone(name):
        request.user.timezone = name
        request.user.save(update_fields=["timezone"])
        messages.success(request, gettext("Times are now shown in %(zone)s.") % {"zone": name.replace("_", " ")})
    else:
        messages.error(request, gettext("That time zone was not recognised; choose yours in Settings."))
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "home")


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    profile = ProfileForm(initial=_profile_initial(request.user))
    if not form.is_valid():
        return _render(request, profile, form, status=422)
    _, raw = ApiToken.issue(request.user, form.cleaned_data["name"])
    vault.put(request, "new_token", raw)  # shown once, after the redirect: a reload makes no second token
    return redirect("settings")


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.active().filter(user=request.user, pk=token_id).first()
    if token is not None:
        token.revoke()
        messages.success(request, gettext("Token “%(name)s” revoked; it no longer works.") % {"name": token.name})
    return redirect("settings")


# Signing out leaves nothing of the person on the device: the service worker's caches, the
# check-ins waiting to be sent (IndexedDB), grounding sessions kept for later (localStorage)
# and the service worker itself with its push subscription. offline.js also tells the worker.
CLEAR_SITE_DATA = '"cache", "storage"'


def sign_out(request: HttpRequest) -> HttpResponse:
    """allauth's sign-out, with ``Clear-Site-Data`` on the answer to the sign-out itself."""
    from allauth.account.views import LogoutView

    response = LogoutView.as_view()(request)
    if request.method == "POST":
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


@login_required
@reauthentication_required
def erase_account(request: HttpRequest) -> HttpResponse:
    """Erase the account after the person types their email: one deliberate step, no dark patterns."""
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm", "").strip().lower() == request.user.email:
            user = request.user
            logout(request)
            erase(user)
            request.session["thaw.erased"] = True  # the new, signed-out session: for the page after the redirect
            response = redirect("account_erased")
            response["Clear-Site-Data"] = CLEAR_SITE_DATA  # on the answer to the erasure itself
            return response
        error = gettext("That is not your account's email address; nothing was deleted.")
    return render(request, "accounts/erase.html", {"error": error, "typed": request.POST.get("confirm", "")},
                  status=422 if error else 200)


def account_erased(request: HttpRequest) -> HttpResponse:
    """Shown once after an erasure; a reload or a later visit goes home (nothing is erased twice)."""
    if not request.session.pop("thaw.erased", False):
        return redirect("home")
    return render(request, "accounts/erased.html")


@login_required
@reauthentication_required
def export_page(request: HttpRequest) -> HttpResponse:
    from django.http import HttpResponse as Download

    from thaw.exports.service import FORMATS, MIN_PASSPHRASE, export

    error = ""
    if request.method == "POST":
        fmt = request.POST.get("format", "json")
        passphrase = request.POST.get("passphrase", "")
        if fmt not in FORMATS:
            error = "Choose one of the formats."
        elif passphrase and len(passphrase) < MIN_PASSPHRASE:
            error = f"A passphrase needs at least {MIN_PASSPHRASE} characters (or leave it empty)."
        else:
            data, content_type, name = export(request.user, fmt, passphrase or None, request=request)
            response = Download(data, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "accounts/export.html", {"error": error}, status=422 if error else 200)
