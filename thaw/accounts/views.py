"""The settings page: name, time zone and API tokens."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from thaw.accounts.models import ApiToken


@cache
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")
    return [(z, z.replace("_", " ")) for z in names]


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label="What should Thaw call you?", max_length=80, required=False,
        help_text="Optional. Shown only to you (and later to people you choose to share with).",
    )
    timezone = forms.ChoiceField(label="Your time zone", choices=timezone_choices,
                                 help_text="Check-in times and daily patterns use it.")


class TokenForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=80, help_text="So you can tell tokens apart, e.g. “phone shortcut”.")


def _render(request: HttpRequest, profile_form: ProfileForm, token_form: TokenForm, new_token: str | None = None,
            status: int = 200) -> HttpResponse:
    tokens = ApiToken.objects.active().filter(user=request.user)
    return render(request, "accounts/settings.html", {
        "profile_form": profile_form, "token_form": token_form, "tokens": tokens, "new_token": new_token,
    }, status=status)


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            user.display_name = form.cleaned_data["display_name"]
            user.timezone = form.cleaned_data["timezone"]
            user.save(update_fields=["display_name", "timezone"])
            messages.success(request, "Settings saved.")
            return redirect("settings")
        return _render(request, form, TokenForm(), status=422)
    form = ProfileForm(initial={"display_name": user.display_name, "timezone": user.timezone})
    return _render(request, form, TokenForm())


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    profile = ProfileForm(initial={"display_name": request.user.display_name, "timezone": request.user.timezone})
    if not form.is_valid():
        return _render(request, profile, form, status=422)
    _, raw = ApiToken.issue(request.user, form.cleaned_data["name"])
    return _render(request, profile, TokenForm(), new_token=raw)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.active().filter(user=request.user, pk=token_id).first()
    if token is not None:
        token.revoke()
        messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
    return redirect("settings")
