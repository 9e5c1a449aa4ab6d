"""System check: contact requests sent at /contact/ reach someone."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def contact_requests_reach_someone(app_configs: object = None, databases: object = None,
                                   **kwargs: object) -> list[Warning]:
    """The contact form is public from the first start; with no intake account and no notice address,
    a request (an urgent one too) would wait in an inbox nobody opens."""
    if not databases or settings.THAW_INTAKE_NOTIFY_EMAIL:
        return []
    from django.db import DatabaseError

    from thaw.intake.services import intake_staff

    try:
        if intake_staff():
            return []
    except DatabaseError:
        return []  # not migrated yet: thaw.E032 says so
    return [Warning(
        "Contact requests sent at /contact/ would go unseen: no active account holds the intake role and "
        "THAW_INTAKE_NOTIFY_EMAIL is unset.",
        hint="Create an intake account (`thaw user add EMAIL --role intake`, or `thaw user roles EMAIL --add "
             "intake`), or set THAW_INTAKE_NOTIFY_EMAIL to an address someone reads (docs/INTAKE.md).",
        id="thaw.W060")]
