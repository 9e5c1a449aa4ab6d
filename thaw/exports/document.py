"""The person's data as one versioned document, and back.

``build`` gathers everything of one person into plain JSON data (no internal integer
ids: check-ins and assessments keep their UUIDs). ``restore`` writes such a document
into a fresh install, so export → import → export gives the same document.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from thaw.accounts.forms import valid_timezone
from thaw.accounts.models import Role, User
from thaw.assessments.models import Assessment
from thaw.audit.models import AuditEvent
from thaw.checkins.models import CheckIn, CheckInEmotion, CheckInTag
from thaw.safety.models import PLAN_SECTIONS, RiskFlag, SafetyPlan

FORMAT = "thaw-export"
VERSION = 1


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def build(person: User) -> dict[str, Any]:
    checkins = []
    qs = CheckIn.objects.filter(person=person).order_by("at", "id").prefetch_related("emotions", "tag_links")
    for c in qs:
        checkins.append({
            "id": str(c.id), "at": _iso(c.at), "numbness": c.numbness,
            "emotions": [{"word": e.word, "intensity": e.intensity} for e in c.emotions.all()],
            "body": list(c.body), "tags": [t.name for t in c.tag_links.all()], "note": c.note, "source": c.source,
            "created_at": _iso(c.created_at), "updated_at": _iso(c.updated_at),
        })
    assessments = [
        {"id": str(a.id), "instrument": a.instrument, "answers": a.answers, "score": a.score, "band": a.band,
         "subscores": a.subscores, "crisis": a.crisis, "previous_score": a.previous_score,
         "change_status": a.change_status or None, "taken_at": _iso(a.taken_at), "created_at": _iso(a.created_at)}
        for a in Assessment.objects.filter(person=person).order_by("taken_at", "id")
    ]
    plan = SafetyPlan.objects.filter(person=person).first()
    flags = [
        {"kind": f.kind, "source": f.source, "source_id": f.source_id, "reason": f.reason,
         "created_at": _iso(f.created_at), "acknowledged_at": _iso(f.acknowledged_at)}
        for f in RiskFlag.objects.filter(person=person).order_by("created_at", "id")
    ]
    audit = [
        {"at": _iso(e.at), "action": e.action, "by_you": e.actor_ref == person.pk, "details": e.details}
        for e in AuditEvent.objects.filter(person_ref=person.pk).order_by("id")
    ]
    return {
        "format": FORMAT, "version": VERSION, "exported_at": _iso(timezone.now()),
        "account": {"email": person.email, "display_name": person.display_name, "role": person.role,
                    "timezone": person.timezone, "crisis_region": person.crisis_region,
                    "date_joined": _iso(person.date_joined)},
        "checkins": checkins,
        "assessments": assessments,
        "safety_plan": ({key: getattr(plan, key) for key, _, _ in PLAN_SECTIONS} | {"updated_at": _iso(plan.updated_at)})
        if plan else None,
        "risk_flags": flags,
        "audit": audit,
    }


class ImportError_(ValueError):
    pass


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def restore(document: dict[str, Any], password: str) -> User:
    """Create the account and all its records from an export. Refuses to overwrite an account."""
    if document.get("format") != FORMAT or document.get("version") != VERSION:
        raise ImportError_(f"not a {FORMAT} version {VERSION} document")
    account = document["account"]
    if User.objects.filter(email=account["email"]).exists():
        raise ImportError_(f"an account for {account['email']} already exists here; nothing was imported")
    with transaction.atomic():
        zone = account.get("timezone", "UTC")
        person = User.objects.create_user(
            account["email"], password, display_name=account.get("display_name", ""),
            # Always a person: an edited file must not be able to create a clinician or an admin.
            role=Role.PERSON, timezone=zone if valid_timezone(zone) else "UTC",
            crisis_region=account.get("crisis_region", ""), date_joined=_time(account.get("date_joined")),
        )
        checkins, emotions, tags = [], [], []
        for raw in document.get("checkins", []):
            c = CheckIn(id=raw["id"], person=person, at=_time(raw["at"]), numbness=raw["numbness"], body=raw["body"],
                        note=raw["note"], source=raw["source"], created_at=_time(raw["created_at"]),
                        updated_at=_time(raw["updated_at"]))
            checkins.append(c)
            emotions += [CheckInEmotion(checkin=c, word=e["word"], intensity=e["intensity"], position=n)
                         for n, e in enumerate(raw["emotions"])]
            tags += [CheckInTag(checkin=c, name=t) for t in raw["tags"]]
        CheckIn.objects.bulk_create(checkins, batch_size=1000)
        CheckInEmotion.objects.bulk_create(emotions, batch_size=2000)
        CheckInTag.objects.bulk_create(tags, batch_size=2000)
        Assessment.objects.bulk_create([
            Assessment(id=a["id"], person=person, instrument=a["instrument"], answers=a["answers"], score=a["score"],
                       band=a["band"], subscores=a["subscores"], crisis=a["crisis"],
                       previous_score=a["previous_score"], change_status=a["change_status"] or "",
                       taken_at=_time(a["taken_at"]), created_at=_time(a["created_at"]))
            for a in document.get("assessments", [])
        ])
        plan = document.get("safety_plan")
        if plan:
            SafetyPlan.objects.create(person=person, updated_at=_time(plan["updated_at"]),
                                      **{key: plan.get(key, "") for key, _, _ in PLAN_SECTIONS})
        RiskFlag.objects.bulk_create([
            RiskFlag(person=person, kind=f["kind"], source=f["source"], source_id=f["source_id"], reason=f["reason"],
                     created_at=_time(f["created_at"]), acknowledged_at=_time(f["acknowledged_at"]))
            for f in document.get("risk_flags", [])
        ])
    return person
