"""The offer to send fewer reminders, shown where the person lands (their home page)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("reminders/_fewer.html", takes_context=True)
def fewer_offer(context: dict[str, Any]) -> dict[str, Any]:
    from thaw.reminders.services import fewer_offer as should_offer

    request = context.get("request")
    user = getattr(request, "user", None)
    show = bool(user is not None and user.is_authenticated and should_offer(user))
    return {"show": show, "csrf_token": context.get("csrf_token")}
