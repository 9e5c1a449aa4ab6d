"""Extra sign-up fields: the device's time zone, filled in by the browser when it can, and the
region whose crisis lines "Get help now" shows, suggested by the browser and confirmed by
the person."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy


def valid_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"


class RegionSelect(forms.Select):
    """Each region's option carries the time zones and countries it covers, so the browser can
    suggest one (static/thaw/thaw.js) without any script in the page."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        from thaw.safety.resources import crisis_regions

        region = crisis_regions()[1].get(str(value))
        if region is not None:
            option["attrs"]["data-time-zones"] = " ".join(region.time_zones)
            option["attrs"]["data-countries"] = " ".join(region.countries)
        return option


def signup_region_choices() -> list[tuple[str, str]]:
    from thaw.safety.resources import crisis_regions

    return [("", gettext("Not sure (decide later in Settings)"))] + [(c, r.name) for c, r in crisis_regions()[1].items()]


class SignupExtra(forms.Form):
    timezone = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-detect-timezone": ""}))
    crisis_region = forms.ChoiceField(
        label=gettext_lazy("Where are you?"), choices=signup_region_choices, required=False,
        widget=RegionSelect(attrs={"data-detect-region": ""}),
        help_text=gettext_lazy("So “Get help now” shows crisis lines that answer where you are. You can change it "
                               "any time."),
    )

    def signup(self, request: HttpRequest, user: Any) -> None:
        from thaw.safety.resources import accept_language, guess_region

        name = (self.cleaned_data.get("timezone") or "").strip()
        fields = []
        if name and valid_timezone(name):
            user.timezone = name
            fields.append("timezone")
        region = self.cleaned_data.get("crisis_region") or guess_region(
            name or None, accept_language(request.headers.get("Accept-Language", "")))
        if region:
            user.crisis_region = region
            fields.append("crisis_region")
        if fields:
            user.save(update_fields=fields)
