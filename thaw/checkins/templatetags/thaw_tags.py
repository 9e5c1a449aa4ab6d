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


@register.simple_tag
def wordfinding_mode() -> str:
    """Which word-finding mode this installation runs (Settings shows it)."""
    from thaw.checkins.wordmodel import mode

    return mode()
