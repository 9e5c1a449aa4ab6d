"""Reminder plans, the prompts they send, questionnaires that come due, and delivering them.

The worker calls ``run_due`` every few seconds (``THAW_REMINDER_POLL_SECONDS``). It asks the
database only for plans whose indexed next due time has come, so its work grows with the
reminders due, not with the number of people. For each due plan one transaction claims the
moment (a conditional UPDATE that moves ``next_due_at`` on: two workers never send the same
moment) and records the ``Prompt``; delivery follows outside the transaction, by Web Push to
every device the person turned notifications on for, else by email when they chose email.

What a reminder says never reveals what Thaw is about: the person's own short text (no
"mood", "numb" or "mental"; see ``rules.message_problem``) and a link. Nothing else.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext

from thaw.clinic.cadence import Cadence, due_moments, first_due, team_cadences
from thaw.core.language import override_for
from thaw.monitoring.metrics import observe_prompt_delivery
from thaw.reminders import moments, push
from thaw.reminders.models import Mode, Prompt, PromptKind, PushSubscription, ReminderPlan
from thaw.reminders.rules import (
    DAY_NAMES,
    PlanInvalid,
    clean_plan,
    default_message,
    fmt,
    parse_time,
)

logger = logging.getLogger(__name__)

BATCH = 500
QUESTIONNAIRE_OPEN = timedelta(days=7)  # how long a questionnaire reminder counts as open
# Questionnaire reminders arrive in the daytime: outside the person's quiet hours, or these.
DAYTIME_QUIET = (time(21, 0), time(9, 0))
# A reminder no device took (and no email) is tried again 1, 3 and 7 minutes after the first try
# (waits of 1, 2 and 4 minutes), while it is open: a push service's hiccup passes, and a phone
# that is off for longer is not hammered.
RETRY_WAITS = (timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4))
MAX_ATTEMPTS = len(RETRY_WAITS)
FEWER_AFTER = 5  # unanswered prompts in a row before Thaw offers to send fewer
FEWER_OFFER_DAYS = 7
PUSH_THREADS = 8


# --- the plan --------------------------------------------------------------------------------

def plan_of(person: Any) -> ReminderPlan | None:
    return ReminderPlan.objects.filter(person=person).first()


def as_plan(row: ReminderPlan, tz: Any) -> moments.Plan:
    """The stored plan as the pure core's ``Plan``."""
    quiet = (row.quiet_start, row.quiet_end) if row.quiet_start is not None and row.quiet_end is not None else None
    return moments.Plan(
        mode=row.mode, tz=tz,
        times=tuple(t for t in (parse_time(v) for v in row.times) if t is not None),
        windows=tuple(moments.Window(parse_time(w["start"]), parse_time(w["end"]), int(w["count"]))  # type: ignore[arg-type]
                      for w in row.windows),
        min_gap=timedelta(minutes=row.min_gap_minutes), quiet=quiet, days=frozenset(row.days), seed=row.seed)


def as_dict(row: ReminderPlan | None, person: Any) -> dict[str, Any]:
    """The plan as the API shows it (the defaults, with mode off, before the person saves one)."""
    row = row or ReminderPlan(person=person)
    quiet = ({"start": fmt(row.quiet_start), "end": fmt(row.quiet_end)}
             if row.quiet_start is not None and row.quiet_end is not None else None)
    return {
        "mode": row.mode, "times": list(row.times), "windows": list(row.windows),
        "min_gap_minutes": row.min_gap_minutes, "quiet_hours": quiet,
        "days": [DAY_NAMES[d] for d in sorted(row.days)], "channels": list(row.channels),
        "message": row.message or default_message(), "expires_minutes": row.expires_minutes,
        "questionnaire_reminders": row.questionnaire_reminders, "questionnaires": list(row.questionnaires),
        "timezone": person.timezone,
        "next_due_at": _iso(row.next_due_at), "questionnaires_due_at": _iso(row.questionnaires_due_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def save_plan(person: Any, data: dict[str, Any], now: datetime | None = None) -> ReminderPlan:
    """Check and store the whole plan; raise PlanInvalid naming each problem. The next moment is
    planned from now, so a change takes effect at once."""
    cleaned = clean_plan(data)
    now = now or timezone.now()
    with transaction.atomic():
        row, _ = ReminderPlan.objects.select_for_update().get_or_create(person=person)
        chosen_before = {key: _chosen_at(row, key) for key in row.questionnaires}
        row.mode = cleaned["mode"]
        row.times = [fmt(t) for t in cleaned["times"]]
        row.windows = [{"start": fmt(w["start"]), "end": fmt(w["end"]), "count": w["count"]}
                       for w in cleaned["windows"]]
        for name in ("min_gap_minutes", "quiet_start", "quiet_end", "days", "channels", "message",
                     "expires_minutes", "questionnaire_reminders", "questionnaires"):
            setattr(row, name, cleaned[name])
        # A questionnaire's own clock starts when the person chose it, not at every save.
        row.questionnaires_since = {key: chosen_before.get(key, now).isoformat() for key in row.questionnaires}
        row.updated_at = now
        row.next_due_at = moments.next_moment(as_plan(row, person.tzinfo), now)
        row.questionnaires_due_at = next_questionnaire_check(person, row, now)
        row.save()
    return row


def replan(person: Any, now: datetime | None = None) -> None:
    """Plan the next moment again (after a change of time zone, say)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = ReminderPlan.objects.select_for_update().filter(person=person).first()
        if row is None:
            return
        row.next_due_at = moments.next_moment(as_plan(row, person.tzinfo), now)
        row.questionnaires_due_at = next_questionnaire_check(person, row, now)
        row.save(update_fields=["next_due_at", "questionnaires_due_at"])


def send_fewer(person: Any, accept: bool, now: datetime | None = None) -> ReminderPlan | None:
    """The person's answer to the offer to send fewer. Accepting halves each window's count (at
    least one) or keeps every other fixed time (at least one). Either way the offer is not made again."""
    now = now or timezone.now()
    with transaction.atomic():
        row = ReminderPlan.objects.select_for_update().filter(person=person).first()
        if row is None:
            return None
        row.fewer_answered_at = now
        row.fewer_offered_at = row.fewer_offered_at or now
        if accept and row.mode == Mode.RANDOM:
            row.windows = [{**w, "count": max(1, int(w["count"]) // 2)} for w in row.windows]
        elif accept and row.mode == Mode.FIXED:
            row.times = row.times[::2] or row.times[:1]
        if accept:
            row.next_due_at = moments.next_moment(as_plan(row, person.tzinfo), now)
        row.save()
    return row


def fewer_offer(person: Any, now: datetime | None = None) -> bool:
    """Whether to offer to send fewer: several prompts in a row went unanswered. Offered once: the
    first time it shows is remembered, and it stays for a week or until the person answers."""
    now = now or timezone.now()
    row = plan_of(person)
    if row is None or row.mode == Mode.OFF or row.fewer_answered_at is not None:
        return False
    if row.fewer_offered_at is not None:
        return now - row.fewer_offered_at < timedelta(days=FEWER_OFFER_DAYS)
    # Only reminders that reached the person: one nothing could deliver was no moment of theirs.
    recent = list(Prompt.objects.filter(person=person, kind=PromptKind.MOMENT, expires_at__lte=now,
                                        sent_at__isnull=False).exclude(channel="none")
                  .order_by("-due_at").values_list("answered_at", flat=True)[:FEWER_AFTER])
    if len(recent) < FEWER_AFTER or any(answered is not None for answered in recent):
        return False
    ReminderPlan.objects.filter(pk=row.pk, fewer_offered_at__isnull=True).update(fewer_offered_at=now)
    return True


# --- questionnaires that come due ----------------------------------------------------------

@dataclass(frozen=True)
class DueQuestionnaire:
    instrument: str
    days: int
    due_at: datetime  # when it is (or was first) due: the caseload's due time
    source: str  # "care team" or "you"
    came_due_at: datetime | None  # the latest time it came due, not taken since (None: not due now)
    next_due_at: datetime  # the next time it comes due (again, when it is not taken)


def questionnaire_cadences(person: Any, row: ReminderPlan | None, now: datetime) -> dict[str, tuple[Cadence, str]]:
    """instrument → (its cadence, who asked): the care teams' homework (while sharing is not
    paused), counted as the caseload counts it (``cadence.team_cadences``), and the person's own
    choice on the site's cadence (THAW_ASSESSMENT_CADENCE) from when they chose it."""
    from thaw.access import live_grants
    from thaw.assessments.instruments import instruments
    from thaw.assessments.services import cadence_days
    from thaw.circle.services import is_paused
    from thaw.clinic.models import Homework

    out: dict[str, tuple[Cadence, str]] = {}
    if row is None or not row.questionnaire_reminders or is_paused(person):
        return out
    programs = list(live_grants(now).filter(owner_id=person.pk, program__isnull=False)
                    .values_list("program_id", flat=True))
    history = (Homework.objects.filter(person=person, program_id__in=programs)
               .order_by("program_id", "-created_at", "-id").values_list("program_id", "assessments", "created_at"))
    for key, cadence in team_cadences(history).items():
        out[key] = (cadence, "care team")
    known = instruments()
    for key in row.questionnaires:
        if key in known and key not in out:
            out[key] = (Cadence(key, cadence_days(known[key]), _chosen_at(row, key)), "you")
    return out


def _chosen_at(row: ReminderPlan, key: str) -> datetime:
    chosen = (row.questionnaires_since or {}).get(key)
    try:
        return datetime.fromisoformat(chosen) if isinstance(chosen, str) else row.created_at
    except ValueError:
        return row.created_at


def due_questionnaires(person: Any, row: ReminderPlan | None, now: datetime) -> list[DueQuestionnaire]:
    """Each questionnaire on a cadence: when it is due and when it came (or comes) due for a
    reminder, by the caseload's rule (``cadence.due_moments``)."""
    from thaw.assessments.models import Assessment

    cadences = questionnaire_cadences(person, row, now)
    if not cadences:
        return []
    last = dict(Assessment.objects.filter(person=person, instrument__in=list(cadences), taken_at__lte=now)
                .values("instrument").annotate(last=Max("taken_at")).order_by().values_list("instrument", "last"))
    out = []
    for key, (cadence, source) in sorted(cadences.items()):
        came_due, following = due_moments(cadence, last.get(key), now)
        out.append(DueQuestionnaire(key, cadence.every_days, first_due(cadence, last.get(key)), source,
                                    came_due, following))
    return out


def _quiet_for_questionnaires(row: ReminderPlan) -> tuple[time, time]:
    if row.quiet_start is not None and row.quiet_end is not None:
        return (row.quiet_start, row.quiet_end)
    return DAYTIME_QUIET


def _reminded(person: Any, due: list[DueQuestionnaire]) -> set[tuple[str, datetime]]:
    """(instrument, time it came due) of the questionnaire reminders already made."""
    return set(Prompt.objects.filter(person=person, kind=PromptKind.QUESTIONNAIRE,
                                     instrument__in=[d.instrument for d in due])
               .values_list("instrument", "due_at"))


def next_questionnaire_check(person: Any, row: ReminderPlan, now: datetime) -> datetime | None:
    """When the worker should next look at this person's questionnaires: the earliest time one
    came due and was not reminded yet, or else the next time one comes due, moved out of quiet
    hours (or the night) onto a chosen day."""
    due = due_questionnaires(person, row, now)
    if not due:
        return None
    reminded = _reminded(person, due)
    waiting = [d.came_due_at if d.came_due_at is not None and (d.instrument, d.came_due_at) not in reminded
               else d.next_due_at for d in due]
    return moments.next_after_quiet(max(min(waiting), now), person.tzinfo, _quiet_for_questionnaires(row), row.days)


def refresh_questionnaires(person_id: int, now: datetime | None = None) -> None:
    """Look again at when questionnaires come due (homework set, a questionnaire taken, sharing paused)."""
    now = now or timezone.now()
    row = ReminderPlan.objects.filter(person_id=person_id).select_related("person").first()
    if row is None:
        return
    due_at = next_questionnaire_check(row.person, row, now)
    if due_at != row.questionnaires_due_at:
        ReminderPlan.objects.filter(pk=row.pk).update(questionnaires_due_at=due_at)


def questionnaire_answered(person_id: int, instrument: str, taken_at: datetime) -> None:
    """A questionnaire was taken: the open reminder for it is answered."""
    Prompt.objects.filter(person_id=person_id, kind=PromptKind.QUESTIONNAIRE, instrument=instrument,
                          answered_at__isnull=True, due_at__lte=taken_at, expires_at__gt=taken_at
                          ).update(answered_at=taken_at)
    refresh_questionnaires(person_id)


# --- answering from a check-in -----------------------------------------------------------------

class PromptUnknown(ValueError):
    pass


def answer_with_checkin(person: Any, prompt_id: object, at: datetime, now: datetime | None = None) -> uuid.UUID | None:
    """Mark the prompt answered by a check-in made at ``at``; return its id, or None when it can no
    longer be answered (it expired before the check-in, or another check-in answered it) and the
    check-in is then saved as self-started. Raise PromptUnknown for an id that is not the person's.
    Call inside the check-in's transaction."""
    try:
        key = uuid.UUID(str(prompt_id))
    except ValueError:
        raise PromptUnknown("is not a reminder's id") from None
    found = Prompt.objects.filter(pk=key, person=person).values_list("kind", "expires_at").first()
    if found is None:
        raise PromptUnknown("is not one of your reminders")
    kind, expires_at = found
    if kind != PromptKind.MOMENT or at > expires_at:
        return None
    answered = Prompt.objects.filter(pk=key, answered_at__isnull=True).update(answered_at=now or timezone.now())
    return key if answered else None


# --- the worker's part ---------------------------------------------------------------------------

def link_for(prompt: Prompt) -> str:
    """Where a tap on the reminder goes. A questionnaire's goes through ``/reminders/open/<id>``,
    which names nothing (an inbox preview or a shared screen shows the link), and opens that
    questionnaire once the person is signed in."""
    if prompt.kind == PromptKind.QUESTIONNAIRE:
        return f"/reminders/open/{prompt.id}"
    return f"/checkin/?prompt={prompt.id}"


# The Topic header travels in the clear to the push service (Google, Mozilla, Apple): it says
# which reminders replace each other, and nothing about what a reminder is for.
PUSH_TOPICS = {PromptKind.MOMENT: "thaw1", PromptKind.QUESTIONNAIRE: "thaw2"}


def notification(prompt: Prompt, message: str) -> dict[str, Any]:
    """What the device is told: the person's own neutral words (or Thaw's, in their language) and
    where a tap goes. No health data."""
    return {"title": message or _default_for(prompt), "body": "", "url": link_for(prompt), "prompt": str(prompt.id),
            "tag": f"thaw-{prompt.kind}", "expires": _iso(prompt.expires_at)}


def _default_for(prompt: Prompt) -> str:
    with override_for(prompt.person):
        return default_message()


def email_subject(prompt: Prompt, message: str) -> str:
    return message or _default_for(prompt)


def email_text(prompt: Prompt, message: str) -> str:
    site = settings.SITE_URL.rstrip("/")
    with override_for(prompt.person):
        return (f"{message or default_message()}\n\n{site}{link_for(prompt)}\n\n"
                + gettext("You asked Thaw for these reminders. Change or stop them: %(link)s")
                % {"link": f"{site}/reminders/"} + "\n")


def _claim_moments(now: datetime, limit: int) -> list[tuple[Prompt, ReminderPlan]]:
    """Due moments become prompts; each plan moves on to its next moment in the same transaction."""
    rows = list(ReminderPlan.objects.filter(next_due_at__lte=now).select_related("person")
                .order_by("next_due_at")[:limit])
    claimed: list[tuple[Prompt, ReminderPlan]] = []
    if not rows:
        return claimed
    with transaction.atomic():
        for row in rows:
            due = row.next_due_at
            assert due is not None
            plan = as_plan(row, row.person.tzinfo)
            expires = due + timedelta(minutes=row.expires_minutes)
            stale = expires <= now or not row.person.is_active  # the worker was down: never send a stale moment
            following = moments.next_moment(plan, now if stale else due)
            if not ReminderPlan.objects.filter(pk=row.pk, next_due_at=due).update(next_due_at=following):
                continue  # another worker took it
            row.next_due_at = following
            if stale:
                continue
            claimed.append((Prompt(person=row.person, kind=PromptKind.MOMENT, due_at=due, expires_at=expires,
                                   created_at=now), row))
        Prompt.objects.bulk_create([p for p, _ in claimed])
    return claimed


def _claim_questionnaires(now: datetime, limit: int) -> list[tuple[Prompt, ReminderPlan]]:
    rows = list(ReminderPlan.objects.filter(questionnaires_due_at__lte=now).select_related("person")
                .order_by("questionnaires_due_at")[:limit])
    claimed: list[tuple[Prompt, ReminderPlan]] = []
    for row in rows:
        with transaction.atomic():
            checked = row.questionnaires_due_at
            due = [d for d in due_questionnaires(row.person, row, now) if d.came_due_at is not None]
            reminded = _reminded(row.person, due)
            # One reminder per time it came due; it stays open until it comes due again (a week at most).
            fresh = [Prompt(person=row.person, kind=PromptKind.QUESTIONNAIRE, instrument=d.instrument,
                            due_at=d.came_due_at, created_at=now,
                            expires_at=now + min(QUESTIONNAIRE_OPEN, timedelta(days=d.days)))
                     for d in due if (d.instrument, d.came_due_at) not in reminded and row.person.is_active]
            if fresh:
                Prompt.objects.bulk_create(fresh)
            following = next_questionnaire_check(row.person, row, now)
            if not ReminderPlan.objects.filter(pk=row.pk, questionnaires_due_at=checked).update(
                    questionnaires_due_at=following):
                transaction.set_rollback(True)  # another worker took it
                continue
            claimed.extend((p, row) for p in fresh)
    return claimed


def _retry_unsent(now: datetime, limit: int) -> list[tuple[Prompt, ReminderPlan]]:
    """Prompts recorded but not delivered (a worker died mid-send, or no device could take it)."""
    waited = Q()
    for attempts in range(MAX_ATTEMPTS):  # the first try was when the prompt was made
        waited |= Q(attempts=attempts, created_at__lte=now - sum(RETRY_WAITS[:attempts + 1], timedelta()))
    prompts = list(Prompt.objects.filter(waited, sent_at__isnull=True, expires_at__gt=now)
                   .select_related("person").order_by("due_at")[:limit])
    plans = {p.person_id: p for p in ReminderPlan.objects.filter(person_id__in={p.person_id for p in prompts})}
    out = []
    for prompt in prompts:
        # Claim by bumping the attempts, so two workers do not both retry it.
        if Prompt.objects.filter(pk=prompt.pk, attempts=prompt.attempts, sent_at__isnull=True).update(
                attempts=prompt.attempts + 1) and prompt.person_id in plans:
            prompt.attempts += 1
            out.append((prompt, plans[prompt.person_id]))
    return out


@dataclass
class _Send:
    prompt: Prompt
    subscription: PushSubscription
    outcome: push.Outcome | None = None


def deliver(batch: list[tuple[Prompt, ReminderPlan]], now: datetime | None = None) -> int:
    """Send each prompt: push to every subscribed device, else email if the person chose email.
    Records when it went and how; drops subscriptions the push service says are gone."""
    if not batch:
        return 0
    people = {prompt.person_id for prompt, _ in batch}
    subscriptions: dict[int, list[PushSubscription]] = defaultdict(list)
    if any("push" in row.channels for _, row in batch):
        for sub in PushSubscription.objects.filter(person_id__in=people):
            subscriptions[sub.person_id].append(sub)
    sends = [_Send(prompt, sub) for prompt, row in batch if "push" in row.channels
             for sub in subscriptions.get(prompt.person_id, [])]
    messages = {prompt.pk: notification(prompt, row.message) for prompt, row in batch}

    def send_one(item: _Send) -> _Send:
        sub = item.subscription
        try:
            ttl = max(60, int((item.prompt.expires_at - timezone.now()).total_seconds()))
            item.outcome = push.send(sub.endpoint, sub.p256dh, sub.auth, messages[item.prompt.pk], ttl=ttl,
                                     topic=PUSH_TOPICS.get(item.prompt.kind, "thaw"))
        except Exception as exc:  # one device's problem never stops the others
            logger.warning("push to %s failed: %s", sub.host, exc)
            item.outcome = push.Outcome(False, False, None, f"{type(exc).__name__}")
        return item

    if len(sends) > 1:
        with ThreadPoolExecutor(max_workers=min(PUSH_THREADS, len(sends))) as pool:
            sends = list(pool.map(send_one, sends))
    else:
        sends = [send_one(item) for item in sends]
    delivered = {item.prompt.pk for item in sends if item.outcome and item.outcome.delivered}
    sent_now = timezone.now()
    gone = [item.subscription.pk for item in sends if item.outcome and item.outcome.gone]
    succeeded = {item.subscription.pk for item in sends if item.outcome and item.outcome.delivered}
    failed = {item.subscription.pk for item in sends if item.outcome and not item.outcome.delivered
              and not item.outcome.gone}
    from thaw.tasks.queue import send_email

    with transaction.atomic():
        for prompt, row in batch:
            if prompt.pk in delivered:
                prompt.sent_at, prompt.channel = sent_now, "push"
            elif "email" in row.channels and prompt.person.email:
                send_email([prompt.person.email], email_subject(prompt, row.message), email_text(prompt, row.message),
                           person=prompt.person)
                prompt.sent_at, prompt.channel = sent_now, "email"
            else:
                prompt.channel = "none"
        Prompt.objects.bulk_update([p for p, _ in batch], ["sent_at", "channel"])
        for prompt, _ in batch:
            # The worker's lateness, for check-in reminders: a questionnaire's waits for the daytime on purpose.
            if prompt.sent_at is not None and prompt.kind == PromptKind.MOMENT:
                observe_prompt_delivery(prompt.due_at, prompt.sent_at)
        if gone:
            PushSubscription.objects.filter(pk__in=gone).delete()
        if succeeded:
            PushSubscription.objects.filter(pk__in=succeeded).update(last_success_at=sent_now, failures=0)
        for pk in failed - succeeded:
            sub = next(item.subscription for item in sends if item.subscription.pk == pk)
            PushSubscription.objects.filter(pk=pk).update(failures=sub.failures + 1)
    return sum(1 for p, _ in batch if p.sent_at is not None)


def run_due(now: datetime | None = None, *, limit: int = BATCH) -> int:
    """One pass of the worker: claim and deliver the reminders due now. Returns how many went out."""
    now = now or timezone.now()
    sent = 0
    for claim in (_claim_moments, _claim_questionnaires, _retry_unsent):
        while True:
            batch = claim(now, limit)
            sent += deliver(batch, now)
            if len(batch) < limit or claim is _retry_unsent:
                break
    return sent


# --- reading prompts -------------------------------------------------------------------------

def prompt_as_dict(prompt: Prompt, now: datetime | None = None, checkin_id: Any = None) -> dict[str, Any]:
    return {"id": str(prompt.id), "kind": prompt.kind, "instrument": prompt.instrument or None,
            "due_at": _iso(prompt.due_at), "sent_at": _iso(prompt.sent_at), "expires_at": _iso(prompt.expires_at),
            "answered_at": _iso(prompt.answered_at), "channel": prompt.channel or None,
            "status": prompt.status(now), "checkin_id": str(checkin_id) if checkin_id else None}


def prompts_since(person: Any, since: datetime | None, limit: int) -> list[dict[str, Any]]:
    from thaw.checkins.models import CheckIn

    qs = Prompt.objects.filter(person=person).order_by("-due_at", "-id")
    if since is not None:
        qs = qs.filter(due_at__gte=since)
    items = list(qs[:limit])
    answered = dict(CheckIn.objects.filter(person=person, prompt_id__in=[p.pk for p in items if p.answered_at])
                    .values_list("prompt_id", "id"))
    now = timezone.now()
    return [prompt_as_dict(p, now, answered.get(p.pk)) for p in items]


# --- devices -------------------------------------------------------------------------------------

def subscribe(person: Any, endpoint: str, p256dh: str, auth: str, session_key: str = "") -> tuple[PushSubscription, bool]:
    """Save a browser's push subscription (checked); the same endpoint again updates it (a device
    belongs to whoever turned notifications on there last). Returns (subscription, created)."""
    from thaw.crypto import secret_digest

    errors = push.check_keys(p256dh, auth)
    try:
        target = push.check_endpoint(endpoint)
    except push.EndpointRefused as exc:
        errors = {"endpoint": str(exc), **errors}
    if errors:
        raise PlanInvalid(errors)
    digest = secret_digest(endpoint)
    session = secret_digest(session_key) if session_key else ""
    with transaction.atomic():
        existing = PushSubscription.objects.select_for_update().filter(endpoint_digest=digest).first()
        if existing is not None:
            existing.person, existing.p256dh, existing.auth, existing.failures = person, p256dh, auth, 0
            existing.session_digest = session or existing.session_digest
            existing.save()
            return existing, False
        try:
            with transaction.atomic():
                created = PushSubscription.objects.create(person=person, endpoint=endpoint, endpoint_digest=digest,
                                                          host=target.host[:255], p256dh=p256dh, auth=auth,
                                                          session_digest=session)
        except IntegrityError:  # the same device subscribed twice at once
            return PushSubscription.objects.get(endpoint_digest=digest), False
    return created, True


def unsubscribe(person: Any, endpoint: str) -> bool:
    from thaw.crypto import secret_digest

    return PushSubscription.objects.filter(person=person, endpoint_digest=secret_digest(endpoint)).delete()[0] > 0


def forget_session_devices(session_key: str) -> int:
    """Signing out on a device removes the push subscription that session added."""
    from thaw.crypto import secret_digest

    if not session_key:
        return 0
    return PushSubscription.objects.filter(session_digest=secret_digest(session_key)).delete()[0]


def devices_of(person: Any) -> list[PushSubscription]:
    return list(PushSubscription.objects.filter(person=person).order_by("created_at"))


def subscription_as_dict(sub: PushSubscription) -> dict[str, Any]:
    return {"id": str(sub.id), "host": sub.host, "created_at": _iso(sub.created_at),
            "last_success_at": _iso(sub.last_success_at)}
