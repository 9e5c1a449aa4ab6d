"""The one place that decides whether a viewer may see a person's data.

Every lookup of a person's record by id goes through here, so there is a single choke
point to review. Each condition stands on its own line, and a refusal looks exactly like
a record that does not exist (``None``, which views turn into 404), so nobody can learn
whether an id is real. Today only the owner may see their data; when trusted people and
clinicians arrive, their grants are decided in ``may_see`` and every look at someone
else's data is recorded in the audit trail here.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from thaw.assessments.models import Assessment
from thaw.audit.models import record
from thaw.checkins.models import CheckIn


class Category(StrEnum):
    CHECKINS = "checkins"
    ASSESSMENTS = "assessments"


def may_see(viewer: Any, owner_id: int, category: Category) -> bool:
    if viewer is None or not viewer.is_authenticated:
        return False
    if not viewer.is_active:
        return False
    # No grants exist yet: the owner, and only the owner. Admins get no blanket access.
    return bool(viewer.pk == owner_id)


def _audit_if_someone_else(viewer: Any, owner: Any, category: Category, object_id: Any) -> None:
    if viewer.pk != owner.pk:
        record("data.viewed", actor=viewer, person=owner, category=str(category), object=str(object_id))


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
    _audit_if_someone_else(viewer, found.person, Category.CHECKINS, found.pk)
    return found


def assessment(viewer: Any, assessment_id: object) -> Assessment | None:
    key = _uuid(assessment_id)
    if key is None:
        return None
    found = Assessment.objects.filter(pk=key).select_related("person").first()
    if found is None:
        return None
    if not may_see(viewer, found.person_id, Category.ASSESSMENTS):
        return None
    _audit_if_someone_else(viewer, found.person, Category.ASSESSMENTS, found.pk)
    return found
