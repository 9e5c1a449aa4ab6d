"""The one place that decides whether a viewer may see a person's data.

Every lookup of a person's record by id goes through here, so there is a single choke
point to review. Each condition stands on its own line, and a refusal looks exactly like
a record that does not exist (``None``, which views turn into 404), so nobody can learn
whether an id is real. The owner sees everything of theirs; anyone else sees a category
only through a live grant (``thaw.circle.models.Grant``: accepted, not revoked, not past
its end, and the owner has not paused sharing). Grants are read fresh on every request, so
a revocation takes effect at once. Every look at someone else's data is audited here.

Staff roles without clinical access decide here too: an editor (Learn articles, comment
moderation) and intake (contact requests) see no one's clinical data; only intake sees contact
requests, and every look at one is audited.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from thaw.assessments.models import Assessment
from thaw.audit.models import record
from thaw.checkins.models import CheckIn


class Category(StrEnum):
    SUMMARY = "summary"
    CHECKINS = "checkins"
    NOTES = "notes"
    ASSESSMENTS = "assessments"
    GROUNDING = "grounding"
    SUBSTANCES = "substances"
    FLAGS = "flags"


MAX_DB_ID = 2**63 - 1


def db_id(value: object) -> int | None:
    """A whole-number id from a URL or a body, or None (which callers answer with 404): ids
    too large for the database would otherwise fail inside it instead of "not found"."""
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if 0 < number <= MAX_DB_ID else None


def granted_categories(viewer: Any, owner_id: int) -> set[str]:
    """What this viewer may see of this owner through live grants (empty for strangers)."""
    if db_id(owner_id) is None:
        return set()
    if viewer is None or not viewer.is_authenticated or not viewer.is_active or viewer.pk == owner_id:
        return set()
    from django.utils import timezone

    now = timezone.now()
    live = live_grants(now).filter(owner_id=owner_id).filter(reaches(viewer))
    return {category for categories in live.values_list("categories", flat=True) for category in categories}


def live_grants(now: Any) -> Any:
    """Grants in force now: accepted, not revoked, not past their end, owner active and not paused."""
    from django.db.models import Q

    from thaw.circle.models import Grant, SharingState

    paused = SharingState.objects.filter(paused_at__isnull=False).values("person_id")
    return (Grant.objects.filter(accepted_at__isnull=False, revoked_at__isnull=True, owner__is_active=True)
            .filter(Q(until__isnull=True) | Q(until__gt=now)).exclude(owner_id__in=paused))


def reaches(viewer: Any) -> Any:
    """The grants that reach this viewer: made to them, or to a program whose care team they are on."""
    from django.db.models import Q

    return Q(grantee_id=viewer.pk) | Q(program__memberships__clinician_id=viewer.pk,
                                        program__memberships__clinician__role="clinician")


def may_see(viewer: Any, owner_id: int, category: Category) -> bool:
    if viewer is None or not viewer.is_authenticated:
        return False
    if not viewer.is_active:
        return False
    if viewer.pk == owner_id:
        return True
    # Anyone else, admins included, only through a live grant naming this category.
    return str(category) in granted_categories(viewer, owner_id)


def audit_view(viewer: Any, owner: Any, category: Category, object_id: Any = None) -> None:
    """Record that someone looked at another person's data (the owner sees these)."""
    if viewer.pk != owner.pk:
        record("data.viewed", actor=viewer, person=owner, category=str(category),
               object=str(object_id) if object_id is not None else "")


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def checkin(viewer: Any, checkin_id: object, queryset: Any = None) -> CheckIn | None:
    key = _uuid(checkin_id)
    if key is None:
        return None
    found = (queryset if queryset is not None else CheckIn.objects).filter(pk=key).select_related("person").first()
    if found is None:
        return None
    if not may_see(viewer, found.person_id, Category.CHECKINS):
        return None
    audit_view(viewer, found.person, Category.CHECKINS, found.pk)
    return found


def assessment(viewer: Any, assessment_id: object, queryset: Any = None) -> Assessment | None:
    key = _uuid(assessment_id)
    if key is None:
        return None
    found = (queryset if queryset is not None else Assessment.objects).filter(pk=key).select_related("person").first()
    if found is None:
        return None
    if not may_see(viewer, found.person_id, Category.ASSESSMENTS):
        return None
    audit_view(viewer, found.person, Category.ASSESSMENTS, found.pk)
    return found


# --- editors and intake: no clinical data, and contact requests for intake only --------------

def is_editor(viewer: Any) -> bool:
    """May write Learn articles, moderate comments and edit the programs' public pages."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if not viewer.is_active:
        return False
    return bool(viewer.holds("editor"))


def may_edit_program_pages(viewer: Any) -> bool:
    """Editors, and admins (who create the programs themselves)."""
    if is_editor(viewer):
        return True
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return False
    return bool(viewer.role == "admin")


def is_intake(viewer: Any) -> bool:
    """May read and work on contact requests (and nothing clinical)."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if not viewer.is_active:
        return False
    return bool(viewer.holds("intake"))


def contact_requests(viewer: Any) -> Any:
    """The contact requests this viewer may list: all of them for intake, none for anyone else.
    The caller audits what it shows (``audit_contact_list``)."""
    from thaw.intake.models import ContactRequest

    if not is_intake(viewer):
        return ContactRequest.objects.none()
    return ContactRequest.objects.all()


def audit_contact_list(viewer: Any, shown: list[Any]) -> None:
    if shown:
        record("contact_request.listed", actor=viewer, requests=[str(r.pk) for r in shown])


def contact_request(viewer: Any, request_id: object) -> Any:
    """One contact request for intake (audited), or None for anyone else and for a wrong id."""
    from thaw.intake.models import ContactRequest

    key = _uuid(request_id)
    if key is None:
        return None
    if not is_intake(viewer):
        return None
    found = ContactRequest.objects.filter(pk=key).select_related("program", "assigned_to", "invite").first()
    if found is None:
        return None
    record("contact_request.viewed", actor=viewer, request=str(found.pk))
    return found
