"""The person's data as one versioned document, and back.

``build`` gathers everything of one person into plain JSON data (no internal integer
ids: check-ins and assessments keep their UUIDs). ``restore`` writes such a document
into a fresh install, so export → import → export gives the same document.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from thaw.accounts.forms import valid_timezone
from thaw.accounts.models import Role, User
from thaw.assessments.models import Assessment
from thaw.audit.models import AuditEvent
from thaw.checkins.models import CheckIn, CheckInEmotion, CheckInTag
from thaw.exports.schema import FORMAT, VERSION, DocumentInvalid, check_document
from thaw.safety.models import PLAN_SECTIONS, RiskFlag, SafetyPlan


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
         "change_status": a.change_status or None, "rules_version": a.rules_version, "findings": a.findings,
         "difficulty": a.difficulty, "worst_event": a.worst_event, "taken_at": _iso(a.taken_at),
         "created_at": _iso(a.created_at)}
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
    from thaw.circle.models import Grant
    from thaw.clinic.models import Homework
    from thaw.grounding import services as grounding
    from thaw.grounding.models import Affirmation
    from thaw.schedule.models import Attendee
    from thaw.substances import services as substances
    from thaw.substances.models import Goal, SubstancePreferences

    prefs = SubstancePreferences.objects.filter(person=person).first()
    return {
        "format": FORMAT, "version": VERSION, "exported_at": _iso(timezone.now()),
        "account": {"email": person.email, "display_name": person.display_name, "role": person.role,
                    "timezone": person.timezone, "crisis_region": person.crisis_region,
                    "screening_sex": person.screening_sex or None,
                    "screening_sex_answered_at": _iso(person.screening_sex_answered_at),
                    # How Thaw speaks to them (docs/TRANSLATING.md); null: follow the browser, neutral
                    # wordings, never recorded.
                    "language": person.language or None, "word_forms": person.word_forms or None,
                    "last_language": person.last_language or None,
                    "date_joined": _iso(person.date_joined)},
        "checkins": checkins,
        "assessments": assessments,
        "safety_plan": ({key: getattr(plan, key) for key, _, _ in PLAN_SECTIONS} | {"updated_at": _iso(plan.updated_at)})
        if plan else None,
        "risk_flags": flags,
        "grounding_sessions": [grounding.as_dict(g) for g in grounding.sessions_for(person).order_by("started_at", "id")],
        "affirmations": [{"text": a.text, "created_at": _iso(a.created_at)}
                         for a in Affirmation.objects.filter(person=person).order_by("created_at", "id")],
        "substance_uses": [substances.as_dict(u) for u in substances.uses_for(person).order_by("at", "id")],
        "substance_cravings": [substances.craving_as_dict(c)
                               for c in substances.cravings_for(person).order_by("at", "id")],
        "substance_goals": [{"substance": g.substance, "kind": g.kind,
                             "weekly_limit": float(g.weekly_limit) if g.weekly_limit is not None else None,
                             "limit_unit": g.limit_unit, "since": g.since.isoformat(), "active": g.active,
                             "created_at": _iso(g.created_at)}
                            for g in Goal.objects.filter(person=person).order_by("created_at", "id")],
        "substance_preferences": ({"drink_size": prefs.drink_size, "show_days_since": prefs.show_days_since}
                                  if prefs else None),
        # Who you share with (exported for your records; an import does not recreate sharing).
        "sharing": [{"name": g.name, "program": g.program.name if g.program_id else None,
                     "categories": g.categories, "until": _iso(g.until), "state": g.state,
                     "created_at": _iso(g.created_at), "revoked_at": _iso(g.revoked_at)}
                    for g in Grant.objects.filter(owner=person).select_related("program").order_by("created_at")],
        # From your care teams (exported for your records; an import does not recreate programs).
        "homework": [{"program": h.program.name, "checkins_per_day": h.checkins_per_day, "exercises": h.exercises,
                      "assessments": h.assessments, "note": h.note, "created_at": _iso(h.created_at)}
                     for h in Homework.objects.filter(person=person).select_related("program").order_by("created_at")],
        "sessions": [{"program": a.session.program.name, "kind": a.session.kind, "title": a.session.title,
                      "starts_at": _iso(a.session.starts_at), "ends_at": _iso(a.session.ends_at),
                      "cancelled": a.session.cancelled_at is not None, "attended": a.attended}
                     for a in Attendee.objects.filter(person=person).select_related("session__program")
                     .order_by("session__starts_at")],
        # What you wrote under Learn articles while signed in, and your contact request once it led to
        # your enrolment (exported for your records; an import does not recreate them: they belong to
        # the old install's articles and clinic). The intake team's own notes are not included.
        "comments": _comments(person),
        "contact_requests": _contact_requests(person),
        "audit": audit,
    }


def _comments(person: User) -> list[dict[str, Any]]:
    from thaw.learn.models import Comment

    return [{"article": c.article.slug, "article_title": c.article.title, "name": c.name, "body": c.body,
             "status": c.status, "urgent": c.urgent, "created_at": _iso(c.created_at), "reply": c.reply,
             "replied_at": _iso(c.replied_at)}
            for c in Comment.objects.filter(author=person).select_related("article").order_by("created_at", "id")]


def _contact_requests(person: User) -> list[dict[str, Any]]:
    from thaw.intake.models import ContactRequest

    return [{"id": str(r.id), "created_at": _iso(r.created_at), "name": r.name, "reach_by": r.reach_by,
             "reach_at": r.reach_at, "best_time": r.best_time, "program": r.program.name if r.program_id else None,
             "region": r.region, "message": r.message, "consent_at": _iso(r.consent_at), "came_from": r.came_from,
             "language": r.language, "urgent": r.urgent, "status": r.status, "updated_at": _iso(r.updated_at)}
            for r in ContactRequest.objects.filter(person=person).select_related("program")
            .order_by("created_at", "id")]


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# Records that keep their ids across an export and an import, and what a person calls them.
_KEPT_IDS = (("checkins", "checkins.CheckIn", "check-in"), ("assessments", "assessments.Assessment",
             "questionnaire result"), ("grounding_sessions", "grounding.GroundingSession", "grounding session"),
             ("substance_uses", "substances.SubstanceUse", "substance-use entry"),
             ("substance_cravings", "substances.Craving", "craving"))


def _refuse_existing(document: dict[str, Any]) -> None:
    """Nothing in the document may already be here: not the account, not any record's id."""
    from django.apps import apps

    email = document["account"]["email"].strip().lower()
    if User.objects.filter(email=email).exists():
        raise DocumentInvalid("account.email", f"an account for {email} already exists here")
    for key, model_name, noun in _KEPT_IDS:
        ids = [str(record["id"]).lower() for record in document.get(key, [])]
        for n, ident in enumerate(ids):
            if ids.index(ident) != n:
                raise DocumentInvalid(f"{key}[{n}].id", f"the same id as {key}[{ids.index(ident)}]")
        model = apps.get_model(model_name)
        here = {str(i) for i in model.objects.filter(id__in=ids).values_list("id", flat=True)}
        for n, ident in enumerate(ids):
            if ident in here:
                raise DocumentInvalid(f"{key}[{n}].id",
                                      f"a {noun} with this id is already here (was this file imported before?)")


def check_importable(document: object) -> dict[str, Any]:
    """The document, checked whole (``DocumentInvalid`` otherwise) before anything is written."""
    checked = check_document(document)
    _refuse_existing(checked)
    return checked


def restore(document: object, password: str) -> User:
    """Create the account and all its records from an export; all or nothing.

    Refuses a malformed document, an account that exists, and records whose ids exist."""
    document = check_importable(document)
    account = document["account"]
    with transaction.atomic():
        zone = account.get("timezone", "UTC")
        person = User.objects.create_user(
            account["email"], password, display_name=account.get("display_name", ""),
            # Always a person: an edited file must not be able to create a clinician or an admin.
            role=Role.PERSON, timezone=zone if valid_timezone(zone) else "UTC",
            crisis_region=account.get("crisis_region", ""), date_joined=_time(account.get("date_joined")),
            screening_sex=account.get("screening_sex") if account.get("screening_sex") in ("female", "male") else "",
            screening_sex_answered_at=_time(account.get("screening_sex_answered_at")),
            language=account.get("language") or "", word_forms=account.get("word_forms") or "",
            last_language=account.get("last_language") or "",
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
                       # An export from before rules versions were recorded holds results of the first rules.
                       rules_version=a.get("rules_version", 1), findings=a.get("findings") or {},
                       difficulty=a.get("difficulty"), worst_event=a.get("worst_event") or "",
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
        _restore_grounding_and_substances(person, document)
    return person


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _restore_grounding_and_substances(person: User, document: dict[str, Any]) -> None:
    from thaw.grounding.models import Affirmation, GroundingSession
    from thaw.substances.models import Craving, Goal, SubstancePreferences, SubstanceUse

    ratings = ("before_presence", "before_numbness", "after_presence", "after_numbness")
    GroundingSession.objects.bulk_create([
        GroundingSession(id=g["id"], person=person, exercise=g["exercise"], started_at=_time(g["started_at"]),
                         ended_at=_time(g["ended_at"]), completed=g["completed"], made_worse=g["made_worse"],
                         note=g.get("note", ""), source=g.get("source", "web"), created_at=_time(g["created_at"]),
                         **{r: g.get(r) for r in ratings})
        for g in document.get("grounding_sessions", [])
    ])
    Affirmation.objects.bulk_create([Affirmation(person=person, text=a["text"], created_at=_time(a["created_at"]))
                                     for a in document.get("affirmations", [])])
    SubstanceUse.objects.bulk_create([
        SubstanceUse(id=u["id"], person=person, substance=u["substance"], custom_name=u.get("custom_name") or "",
                     amount=_decimal(u.get("amount")), unit=u.get("unit") or "", abv=_decimal(u.get("abv")),
                     standard_drinks=_decimal(u.get("standard_drinks")), at=_time(u["at"]), craving=u.get("craving"),
                     motives=u.get("motives", []), note=u.get("note", ""), created_at=_time(u["created_at"]),
                     updated_at=_time(u["updated_at"]))
        for u in document.get("substance_uses", [])
    ])
    Craving.objects.bulk_create([
        Craving(id=c["id"], person=person, substance=c["substance"], custom_name=c.get("custom_name") or "",
                at=_time(c["at"]), intensity=c["intensity"], helped=c.get("helped", []),
                helped_note=c.get("helped_note", ""), created_at=_time(c["created_at"]))
        for c in document.get("substance_cravings", [])
    ])
    Goal.objects.bulk_create([
        Goal(person=person, substance=g["substance"], kind=g["kind"], weekly_limit=_decimal(g.get("weekly_limit")),
             limit_unit=g.get("limit_unit", ""), since=date.fromisoformat(g["since"]), active=g["active"],
             created_at=_time(g["created_at"]))
        for g in document.get("substance_goals", [])
    ])
    prefs = document.get("substance_preferences")
    if prefs:
        SubstancePreferences.objects.create(person=person, drink_size=prefs.get("drink_size", ""),
                                            show_days_since=prefs.get("show_days_since", True))
