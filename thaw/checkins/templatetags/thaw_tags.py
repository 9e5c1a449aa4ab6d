"""Small template helpers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "") if isinstance(mapping, dict) else ""


@register.filter
def body_label(value: str) -> str:
    """"chest/tight" → "Chest: tight"."""
    from thaw.checkins.vocabulary import body_map

    return body_map().label(value)


@register.filter
def widget_kind(bound_field: Any) -> str:
    """How the shared field template lays a form field out: "choices" (a group of radio buttons or
    checkboxes, one per choice), "checkbox" (one yes/no box), "hidden", or "input" (everything else)."""
    from django import forms

    widget = bound_field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


@register.filter
def local_time(value: Any) -> datetime | None:
    """An ISO-8601 time as the API gives it ("2026-12-03T15:56:00+00:00") as a datetime in the
    viewer's time zone, for the ``date`` filter: ``{{ c.at|local_time|date:"D j M, H:i" }}``."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    return timezone.localtime(value)


@register.simple_tag
def wordfinding_mode() -> str:
    """Which word-finding mode this installation runs (Settings shows it)."""
    from thaw.checkins.wordmodel import mode

    return mode()
