"""Small template helpers."""

from __future__ import annotations

from typing import Any

from django import template

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
