"""Extra sign-up field: the device's time zone, filled in by the browser when it can."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.http import HttpRequest


def valid_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"


class SignupExtra(forms.Form):
    timezone = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-detect-timezone": ""}))

    def signup(self, request: HttpRequest, user: Any) -> None:
        name = (self.cleaned_data.get("timezone") or "").strip()
        if name and valid_timezone(name):
            user.timezone = name
            user.save(update_fields=["timezone"])
