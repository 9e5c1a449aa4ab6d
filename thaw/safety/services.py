"""The safety path: what happens when risk shows.

Any trigger (a critical assessment answer, crisis language in something the person
wrote) records a risk flag, audits it, and answers with the crisis resources for the
person's region. It never blocks the person and never contacts anyone without them.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from thaw.audit.models import record
from thaw.core import versions
from thaw.safety.backstop import crisis_language
from thaw.safety.language import CrisisMatch
from thaw.safety.models import PLAN_SECTIONS, FlagKind, RiskFlag, SafetyPlan
from thaw.safety.resources import Region, region_for


def person_region(person: Any) -> Region:
    return region_for(getattr(person, "crisis_region", "") or None)


def resources_payload(person: Any) -> list[dict[str, str]]:
    region = person_region(person)
    return [r.as_dict() for r in region.resources]


def raise_flag(person: Any, *, kind: str, source: str, source_id: str, reason: str) -> RiskFlag:
    flag = RiskFlag.objects.create(person=person, kind=kind, source=source, source_id=source_id, reason=reason[:200])
    record("risk_flag.raised", actor=None, person=person, flag_id=flag.pk, kind=kind, source=source)
    return flag


def scan_text(*texts: str | None) -> list[CrisisMatch]:
    """Crisis language in what a person wrote (several fields read as one text).

    The phrases and rules, and the semantic backstop where the word-finding model is
    installed (``thaw.safety.backstop``). Pure; call it BEFORE opening the write transaction, so a scan never holds the
    database's write lock, then pass the result to ``flag_crisis`` inside the transaction.
    """
    return crisis_language("\n".join(t for t in texts if t))


def flag_crisis(person: Any, matches: list[CrisisMatch], *, source: str, source_id: str) -> bool:
    """Record a risk flag for crisis language found by ``scan_text``; True if the crisis screen
    should be shown. Runs inside the caller's write transaction, so the flag and the record
    that raised it are saved together. The reason names categories, never the person's words."""
    if not matches:
        return False
    categories = sorted({m.category for m in matches})
    raise_flag(person, kind=FlagKind.CRISIS_LANGUAGE, source=source, source_id=source_id,
               reason="Crisis language (" + ", ".join(c.replace("_", " ") for c in categories) + ")")
    return True


def plan_for(person: Any) -> SafetyPlan:
    """The person's plan; an empty one at version 0 if they have none yet."""
    plan = SafetyPlan.objects.filter(person=person).first()
    return plan if plan is not None else SafetyPlan(person=person, version=0)


def save_plan(person: Any, fields: dict[str, str], *, expected_version: versions.Expected = None) -> SafetyPlan:
    """Replace the person's safety plan.

    With ``expected_version`` (the version the edit started from; 0 for "no plan yet") a
    plan changed meanwhile raises ``EditConflict`` and nothing is saved.

    The plan is not scanned for crisis language: it is written in a calmer moment and
    names warning signs on purpose; flagging it would teach clinicians to ignore flags.
    """
    with transaction.atomic():
        plan = SafetyPlan.objects.filter(person=person).first()
        if plan is None:
            plan = SafetyPlan(person=person, version=1)
        else:
            versions.claim(plan, expected_version)
        for key, _, _ in PLAN_SECTIONS:
            setattr(plan, key, fields.get(key, "").strip())
        plan.updated_at = timezone.now()
        try:
            with transaction.atomic():
                plan.save()
        except IntegrityError:  # another tab made the first plan at the same moment
            raise versions.EditConflict(SafetyPlan.objects.get(person=person)) from None
    return plan
