"""Grants, invitations, pausing, views of shared data, reach-out and check-on-me.

Everything that changes a grant takes effect at once: reads go through
``thaw.access.may_see``, which reads the live rows. Revoking never notifies the other side.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_noop

from thaw.access import Category, audit_view, db_id, granted_categories, live_grants
from thaw.audit.models import AuditEvent, record
from thaw.checkins.models import CheckIn
from thaw.checkins.rules import CheckInInvalid as FieldErrors
from thaw.checkins.rules import parse_time
from thaw.circle.models import (
    CATEGORY_LABELS,
    MESSAGE_MAX,
    NAME_MAX,
    PROGRAM_CATEGORY_LABELS,
    PROGRAM_MINIMUM,
    CheckOnMe,
    Grant,
    RuleKind,
    SharingState,
)
from thaw.core.language import account_for, override_for
from thaw.tasks.queue import send_email
from thaw.text import shown, take_text

NUMB_AT = 7
# In English here; the page offers and sends them in the sender's language (gettext at use).
REACH_OUT_CHOICES = [
    gettext_noop("I'm having a numb day. Could you call me when you have a moment?"),
    gettext_noop("I'm finding today hard. Could you check in on me?"),
    gettext_noop("Could we meet up or talk soon? No need to fix anything."),
    gettext_noop("Just letting you know I'm thinking of you. No need to reply."),
]

__all__ = ["FieldErrors"]


def site_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def person_label(person: Any) -> str:
    return person.display_name or person.email


# --- validation -------------------------------------------------------------------------

def clean_categories(value: object, errors: dict[str, str], *, program: bool = False) -> list[str]:
    labels = PROGRAM_CATEGORY_LABELS if program else CATEGORY_LABELS
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors["categories"] = gettext("must be a list of category names")
        return []
    unknown = [v for v in value if v not in labels]
    if unknown:
        errors["categories"] = gettext("%(value)s is not something Thaw shares; choose from %(choices)s") % {
            "value": shown(unknown[0]), "choices": ", ".join(labels)}
        return []
    chosen = [c for c in labels if c in value]  # canonical order, no duplicates
    if not chosen:  # an invitation to see nothing is almost always a missed tick
        errors["categories"] = gettext("tick at least one thing they can see (the weekly summary shares only how "
                                       "many check-ins and how numb, no words); to stop sharing, use Stop sharing")
        return chosen
    if Category.NOTES in chosen and Category.CHECKINS not in chosen:
        errors["categories"] = gettext("notes are shown inside check-ins: tick check-ins too, or untick notes")
    missing = [c for c in PROGRAM_MINIMUM if c not in chosen] if program else []
    if missing:
        errors["categories"] = gettext("a care team needs at least your questionnaire scores and risk flags, so it "
                                       "can keep you safe; to share less, end the enrolment instead")
    return chosen


def clean_until(value: object, tz: Any, now: datetime, errors: dict[str, str]) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        text = str(value).strip()
        if len(text) == 10:  # a date: sharing ends at the end of that day
            text += "T23:59:59"
        until = parse_time(text, tz)
    except (ValueError, TypeError, OverflowError):
        errors["until"] = gettext("must be an ISO-8601 date or date and time, or empty for no end")
        return None
    if until <= now:
        errors["until"] = gettext("must be in the future")
    return until


def clean_name(value: object, errors: dict[str, str]) -> str:
    name = take_text(errors, "name", value, NAME_MAX).strip()
    if not name and "name" not in errors:
        errors["name"] = gettext("give a name you'll recognise, e.g. Sam")
    return name


def clean_email(value: object, errors: dict[str, str]) -> str:
    email = value.strip().lower() if isinstance(value, str) else ""
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = gettext("is not an email address")
    return email


# --- grants -----------------------------------------------------------------------------

def invite_url(raw: str) -> str:
    return site_url(reverse("circle_accept", args=[raw]))


def create_grant(owner: Any, data: Mapping[str, Any]) -> tuple[Grant, str]:
    """A grant waiting for its invitation to be accepted; returns it and the raw invitation secret."""
    errors: dict[str, str] = {}
    now = timezone.now()
    name = clean_name(data.get("name"), errors)
    email = clean_email(data.get("email"), errors)
    if email and email == owner.email:
        errors["email"] = gettext("that is your own address")
    categories = clean_categories(data.get("categories", []), errors)
    until = clean_until(data.get("until"), owner.tzinfo, now, errors)
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        grant = Grant(owner=owner, name=name, email=email, categories=categories, until=until,
                      created_at=now, updated_at=now)
        raw = grant.new_invite(now)
        grant.save()
        if email:
            # In the language of the account at that address, else the one the person invited in.
            with override_for(account_for(email), get_language()):
                subject = gettext("%(name)s invited you to their trusted circle on Thaw") % {"name": person_label(owner)}
                body = invitation_text(owner, raw)
            send_email([email], subject, body, person=owner)
        record("grant.created", actor=owner, person=owner, grant=str(grant.id), categories=categories,
               by_email=bool(email))
    return grant, raw


def invitation_text(owner: Any, raw: str) -> str:
    return gettext(
        "Hello,\n\n%(name)s would like you to be one of their trusted people on Thaw, "
        "an app that helps people notice and name their feelings.\n\n"
        "To accept, open this link within 7 days (it works once):\n%(link)s\n\n"
        "You will only ever see what they choose to share with you, and they can change that at any time.\n"
        "If you don't know why you got this, you can ignore it.\n"
    ) % {"name": person_label(owner), "link": invite_url(raw)}


def update_grant(grant: Grant, data: Mapping[str, Any]) -> Grant:
    errors: dict[str, str] = {}
    now = timezone.now()
    if grant.revoked_at is not None:
        raise FieldErrors({"grant": "this sharing was ended; start a new one instead"})
    changes: dict[str, Any] = {}
    if "name" in data:
        changes["name"] = clean_name(data["name"], errors)
    if "categories" in data:
        changes["categories"] = clean_categories(data["categories"], errors, program=grant.program_id is not None)
    if "until" in data:
        changes["until"] = clean_until(data["until"], grant.owner.tzinfo, now, errors)
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        for key, value in changes.items():
            setattr(grant, key, value)
        grant.updated_at = now
        grant.save()
        record("grant.changed", actor=grant.owner, person=grant.owner, grant=str(grant.id),
               categories=grant.categories)
    return grant


def revoke(grant: Grant) -> None:
    """End sharing at once. The other side is not told."""
    if grant.revoked_at is not None:
        return
    with transaction.atomic():
        grant.revoked_at = timezone.now()
        grant.invite_hash = None
        grant.save(update_fields=["revoked_at", "invite_hash"])
        record("grant.revoked", actor=grant.owner, person=grant.owner, grant=str(grant.id))


def accept(grant: Grant, user: Any) -> None:
    if grant.owner_id == user.pk:
        raise FieldErrors({"invitation": "this is your own invitation; send the link to your trusted person"})
    if not grant.invite_open():
        raise FieldErrors({"invitation": "this invitation has expired or was already used"})
    with transaction.atomic():
        # Single use: the conditional update wins once even if two people click at the same moment.
        taken = Grant.objects.filter(pk=grant.pk, grantee__isnull=True, invite_hash=grant.invite_hash).update(
            grantee=user, accepted_at=timezone.now(), invite_hash=None
        )
        if not taken:
            raise FieldErrors({"invitation": "this invitation has expired or was already used"})
        record("grant.accepted", actor=user, person=grant.owner, grant=str(grant.id))


def is_paused(person: Any) -> bool:
    return SharingState.objects.filter(person=person, paused_at__isnull=False).exists()


def set_paused(person: Any, paused: bool) -> None:
    with transaction.atomic():
        state, _ = SharingState.objects.get_or_create(person=person)
        if paused and state.paused_at is None:
            state.paused_at = timezone.now()
        elif not paused:
            state.paused_at = None
        state.save()
        record("sharing.paused" if paused else "sharing.resumed", actor=person, person=person)


def own_grant(owner: Any, grant_id: object) -> Grant | None:
    try:
        return Grant.objects.filter(owner=owner, pk=str(grant_id)).select_related("owner", "grantee").first()
    except (ValueError, ValidationError):
        return None


def grants_of(owner: Any) -> list[Grant]:
    return list(Grant.objects.filter(owner=owner).select_related("grantee").order_by("-created_at"))


def grant_as_dict(grant: Grant) -> dict[str, Any]:
    return {
        "id": str(grant.id), "name": grant.name, "email": grant.email, "categories": list(grant.categories),
        "until": _iso(grant.until), "state": grant.state,
        "grantee": ({"email": grant.grantee.email, "display_name": grant.grantee.display_name}
                    if grant.grantee_id else None),
        "created_at": _iso(grant.created_at), "accepted_at": _iso(grant.accepted_at),
        "revoked_at": _iso(grant.revoked_at),
        "invite_expires_at": _iso(grant.invite_expires_at) if grant.invite_open() else None,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


VIEW_LABELS = {
    Category.FLAGS: gettext_noop("your risk flags"),
    Category.SUMMARY: gettext_noop("your weekly summary"), Category.CHECKINS: gettext_noop("your check-ins"),
    Category.NOTES: gettext_noop("your notes"), Category.ASSESSMENTS: gettext_noop("your questionnaire scores"),
    Category.GROUNDING: gettext_noop("your grounding exercises"),
    Category.SUBSTANCES: gettext_noop("your substance use log"),
}


def views_of(owner: Any, limit: int = 50) -> list[dict[str, Any]]:
    """Who looked at what of the owner's, newest first: 'Sam viewed your weekly summary'."""
    names: dict[int, str] = {}
    for grant in Grant.objects.filter(owner=owner, grantee__isnull=False).order_by("created_at"):
        names[grant.grantee_id] = grant.name  # type: ignore[index]
    events = AuditEvent.objects.filter(person_ref=owner.pk, action="data.viewed").exclude(actor_ref=owner.pk)
    out = []
    for event in events.select_related("actor").order_by("-id")[:limit]:
        category = event.details.get("category", "")
        who = names.get(event.actor_ref or -1)
        if who is None and event.actor is not None:
            who = (gettext("%(name)s (your care team)") % {"name": person_label(event.actor)}
                   if event.actor.role == "clinician" else None)
        what = VIEW_LABELS.get(category)
        out.append({"at": event.at, "who": who or gettext("Someone you shared with"),
                    "what": gettext(what) if what else category, "category": category})
    return out


# --- what a trusted person sees -----------------------------------------------------------

def sharers_for(viewer: Any) -> list[dict[str, Any]]:
    """People who share something with ``viewer`` right now."""
    owners: dict[int, Any] = {}
    shared: dict[int, set[str]] = {}
    for grant in live_grants(timezone.now()).filter(grantee=viewer).select_related("owner"):
        owners[grant.owner_id] = grant.owner
        shared.setdefault(grant.owner_id, set()).update(grant.categories)
    return [{"person": pk, "name": person_label(owner), "categories": [c for c in CATEGORY_LABELS if c in shared[pk]]}
            for pk, owner in owners.items() if shared[pk]]


def shared_owner(viewer: Any, person_id: object, category: Category) -> Any | None:
    """The owner whose ``category`` the viewer may see (and the view is audited), or None (404)."""
    from thaw.accounts.models import User

    pk = db_id(person_id)
    if pk is None or viewer.pk == pk or str(category) not in granted_categories(viewer, pk):
        return None
    owner = User.objects.filter(pk=pk, is_active=True).first()
    if owner is not None:
        audit_view(viewer, owner, category)
    return owner


def weekly_summary(owner: Any, weeks: int = 6) -> dict[str, Any]:
    """Numbness trend and how many check-ins: no words, no notes."""
    now = timezone.now()
    out = []
    for back in range(weeks - 1, -1, -1):
        end = now - timedelta(days=7 * back)
        row = CheckIn.objects.filter(person=owner, at__gt=end - timedelta(days=7), at__lte=end).aggregate(
            n=Count("id"), mean=Avg("numbness"))
        out.append({"week_ending": end.date().isoformat(), "checkins": row["n"],
                    "mean_numbness": round(row["mean"], 1) if row["mean"] is not None else None})
    return {"weeks": out, "this_week": out[-1]}


def shared_checkins(owner: Any, *, with_notes: bool, limit: int = 50) -> list[dict[str, Any]]:
    from thaw.checkins import services

    items = services.own_checkins(owner).order_by("-at", "-id")[:limit]
    out = []
    for checkin in items:
        row = services.as_dict(checkin)
        if not with_notes:
            row.pop("note", None)
        row.pop("source", None)
        out.append(row)
    return out


def shared_assessments(owner: Any) -> list[dict[str, Any]]:
    from thaw.assessments.models import Assessment

    return [
        {"id": str(a.id), "instrument": a.instrument, "score": a.score, "band": a.band,
         "change_status": a.change_status or None, "rules_version": a.rules_version, "taken_at": _iso(a.taken_at)}
        for a in Assessment.objects.filter(person=owner).order_by("-taken_at")[:100]
    ]


# --- reach out ----------------------------------------------------------------------------

def reachable(owner: Any) -> list[Grant]:
    """Trusted people the owner can message: accepted, not ended (pausing data sharing doesn't stop this)."""
    now = timezone.now()
    return list(Grant.objects.filter(owner=owner, grantee__isnull=False, revoked_at__isnull=True)
                .filter(Q(until__isnull=True) | Q(until__gt=now)).select_related("grantee"))


def clean_message(value: object, errors: dict[str, str], field: str = "message") -> str:
    text = take_text(errors, field, value, MESSAGE_MAX).strip()
    if not text and field not in errors:
        errors[field] = gettext("write a message or pick one")
    return text


def reach_out(owner: Any, grant_ids: list[str], message: object) -> int:
    """Queue one email per chosen person. The email holds only the words the person chose."""
    errors: dict[str, str] = {}
    text = clean_message(message, errors)
    people = {str(g.id): g for g in reachable(owner)}
    chosen = [people[i] for i in dict.fromkeys(str(i) for i in grant_ids) if str(i) in people]
    if not grant_ids:
        errors["to"] = gettext("choose at least one person")
    elif len(chosen) != len(set(map(str, grant_ids))):
        errors["to"] = gettext("one of the people chosen is not in your circle (or their sharing ended)")
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        sent_in = get_language()
        for grant in chosen:
            with override_for(grant.grantee, sent_in):  # the trusted person's language
                subject = gettext("A message from %(name)s") % {"name": person_label(owner)}
                body = reach_out_text(owner, text)
            send_email([grant.grantee.email], subject, body, person=owner, reply_to=[owner.email])
        record("circle.reached_out", actor=owner, person=owner, recipients=len(chosen))
    return len(chosen)


def reach_out_text(owner: Any, text: str) -> str:
    return gettext("%(name)s sent you this message through Thaw:\n\n%(message)s\n\n"
                   "You can reply to this email to answer them directly.\n") % {
        "name": person_label(owner), "message": text}


# --- check on me --------------------------------------------------------------------------

def create_rule(person: Any, data: Mapping[str, Any]) -> CheckOnMe:
    errors: dict[str, str] = {}
    kind = data.get("kind")
    if kind not in RuleKind.values:
        errors["kind"] = gettext("choose one of %(choices)s") % {"choices": ", ".join(RuleKind.values)}
    try:
        days = int(data.get("days"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 30:
        errors["days"] = gettext("a whole number of days from 1 to 30")
    grant = {str(g.id): g for g in reachable(person)}.get(str(data.get("grant")))
    if grant is None:
        errors["grant"] = gettext("choose someone from your circle who has accepted")
    message = clean_message(data.get("message"), errors)
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        rule = CheckOnMe.objects.create(person=person, grant=grant, kind=kind, days=days, message=message)
        record("check_on_me.created", actor=person, person=person, kind=kind, days=days)
    return rule


def check_on_me_text(owner: Any, message: str) -> str:
    return gettext("%(message)s\n\n—\n%(name)s asked Thaw to send you this message automatically. "
                   "You can reply to this email to reach them.\n") % {"message": message, "name": person_label(owner)}


STREAK_LOOKBACK_DAYS = 120


def _numb_streak_start(person: Any, now: datetime, days: int) -> datetime | None:
    """Start of the current run of numb days (day mean numbness ≥ 7), if it is at least ``days``
    long. The whole run is walked back (up to four months), so the start stays put while the
    streak lasts and the message goes once per streak."""
    tz = person.tzinfo
    today = now.astimezone(tz).date()
    rows = (CheckIn.objects.filter(person=person, at__gt=now - timedelta(days=STREAK_LOOKBACK_DAYS), at__lte=now,
                                   numbness__isnull=False)  # a check-in without a rating says nothing here
            .values_list("at", "numbness"))
    by_day: dict[Any, list[int]] = {}
    for at, numbness in rows:
        by_day.setdefault(at.astimezone(tz).date(), []).append(numbness)
    numb = {day for day, values in by_day.items() if sum(values) / len(values) >= NUMB_AT}
    day = today if today in by_day else today - timedelta(days=1)
    run = 0
    while day in numb:
        run += 1
        day -= timedelta(days=1)
    if run < days:
        return None
    first = day + timedelta(days=1)
    return datetime.combine(first, datetime.min.time(), tzinfo=tz)


def rule_due(rule: CheckOnMe, now: datetime) -> bool:
    person = rule.person
    if rule.kind == RuleKind.QUIET_DAYS:
        last = CheckIn.objects.filter(person=person, at__lte=now).order_by("-at").values_list("at", flat=True).first()
        quiet_since = max(x for x in (last, rule.created_at) if x is not None)
        if now - quiet_since < timedelta(days=rule.days):
            return False
        return rule.last_sent_at is None or rule.last_sent_at < quiet_since
    start = _numb_streak_start(person, now, rule.days)
    if start is None:
        return False
    return rule.last_sent_at is None or rule.last_sent_at < start


def run_check_on_me(now: datetime) -> int:
    """Send each due rule's message once per episode. Paused sharing pauses these too."""
    sent = 0
    rules = (CheckOnMe.objects.filter(enabled=True, grant__revoked_at__isnull=True, grant__grantee__isnull=False,
                                      person__is_active=True)
             .filter(Q(grant__until__isnull=True) | Q(grant__until__gt=now))
             .select_related("person", "grant__grantee"))
    for rule in rules:
        if is_paused(rule.person) or not rule_due(rule, now):
            continue
        with transaction.atomic():
            # Claim the episode first, so two workers never both send it.
            claimed = CheckOnMe.objects.filter(pk=rule.pk, last_sent_at=rule.last_sent_at).update(last_sent_at=now)
            if not claimed:
                continue
            # The trusted person's language, else the language of the person who set it up.
            with override_for(rule.grant.grantee, rule.person.language):
                subject = gettext("A message from %(name)s") % {"name": person_label(rule.person)}
                body = check_on_me_text(rule.person, rule.message)
            send_email([rule.grant.grantee.email], subject, body, person=rule.person, reply_to=[rule.person.email])
            record("check_on_me.sent", actor=None, person=rule.person, rule=rule.pk)
        sent += 1
    return sent


def shared_grounding(owner: Any, *, with_notes: bool = False) -> dict[str, Any]:
    from thaw.grounding import services as grounding

    sessions = list(grounding.sessions_for(owner)[:100])
    return {"sessions": [grounding.as_dict(s, include_note=with_notes) for s in sessions],
            "what_works": grounding.what_works(owner).as_dict()}


def shared_substances(owner: Any, *, with_notes: bool = False) -> dict[str, Any]:
    """The log without the person's own words (notes, custom names) unless notes are granted too."""
    from thaw.substances import services as substances

    uses = []
    for use in substances.uses_for(owner)[:100]:
        row = substances.as_dict(use)
        if not with_notes:
            row.pop("note", None)
            if row.get("custom_name"):
                row["custom_name"], row["label"] = "", "Other substance"
        uses.append(row)
    return {"uses": uses, "days_since_last_use": substances.days_since_last_use(owner)}
