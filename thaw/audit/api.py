"""API: everything the audit trail holds about the person's own data."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from thaw.audit.models import AuditEvent

router = Router(tags=["privacy"])


def _who(event: AuditEvent, me: Any) -> str:
    if event.actor_ref is None:
        return "Thaw"
    if event.actor_ref == me.pk:
        return "you"
    actor = event.actor
    return f"{actor.get_role_display().lower()} {actor.display_name or actor.email}" if actor else "a deleted account"


@router.get("/audit", summary="Everything recorded about your data, newest first")
def my_audit(request: HttpRequest, limit: int = 500) -> dict[str, Any]:
    limit = max(1, min(limit, 500))
    events = AuditEvent.objects.filter(person_ref=request.user.pk).select_related("actor").order_by("-id")[:limit]
    return {"items": [{"at": e.at.isoformat(), "action": e.action, "by": _who(e, request.user), "details": e.details}
                      for e in events]}
