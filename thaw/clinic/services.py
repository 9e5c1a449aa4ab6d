"""Programs, enrolment, the caseload (triage), risk flags and their alerts.

The caseload is built with a fixed number of queries whatever its size (asserted in
tests/test_clinic.py; measured in benchmarks/triage_bench.py): one for the enrolments,
one for the latest scores, one for fourteen days of check-ins, at most one for older last
check-ins, one for open flags, two for questionnaires on the care team's cadence (the homework,
then the times they were taken), and the audit of who was shown.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Avg, CharField, F, Func, Max, Q, Window
from django.db.models.functions import Lag, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext

from thaw.access import Category, db_id, live_grants
from thaw.assessments.models import Assessment
from thaw.audit.models import record, record_many
from thaw.checkins.models import CheckIn
from thaw.checkins.rules import CheckInInvalid as FieldErrors
from thaw.circle.models import Grant
from thaw.circle.services import clean_categories, site_url
from thaw.clinic.cadence import (
    CADENCE_INSTRUMENTS,
    COMPLETION_WINDOW,
    Cadence,
    QuestionnaireSummary,
    summarise,
    team_cadences,
)
from thaw.clinic.models import (
    EnrolmentInvite,
    FlagAlert,
    Homework,
    Membership,
    Notification,
    Program,
)
from thaw.clinic.rules import risk_rules
from thaw.core.language import account_for, override_for
from thaw.safety.models import FlagKind, RiskFlag
from thaw.tasks.queue import send_email
from thaw.text import take_text

logger = logging.getLogger(__name__)

TRIAGE_INSTRUMENTS = ("phq9", "gad7", "pcl5")
NEED_ORDER = {"crisis": 0, "deterioration": 1, "disengagement": 2, "": 3}
ARROWS = {"recovered": "⬇⬇", "improved": "⬇", "no reliable change": "→", "deteriorated": "⬆"}
ACK_NOTE_MAX = 500


def is_clinician(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == "clinician")


def programs_of(clinician: Any) -> list[Program]:
    return list(Program.objects.filter(memberships__clinician=clinician).distinct().order_by("name"))


# --- enrolment ----------------------------------------------------------------------------

def invite_person(program: Program, clinician: Any, email: str = "") -> tuple[EnrolmentInvite, str]:
    errors: dict[str, str] = {}
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "is not an email address"
    if not Membership.objects.filter(program=program, clinician=clinician).exists():
        errors["program"] = "you are not on this program's care team"
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        invite, raw = EnrolmentInvite.issue(program, clinician, email)
        if email:
            # In the language of the account at that address, else the one the invitation was made in.
            with override_for(account_for(email), get_language()):
                names = {"program": program.name, "link": enrol_url(raw)}
                send_email([email], gettext("An invitation to %(program)s on Thaw") % names, gettext(
                    "Hello,\n\nThe care team of %(program)s invites you to join it on Thaw, so they can follow your "
                    "questionnaires and support you between sessions.\n\nOpen this link within 7 days to choose "
                    "what they may see (it works once):\n%(link)s\n\nIf you were not expecting this, ignore it.\n")
                    % names)
        record("enrolment.invited", actor=clinician, program=program.pk, by_email=bool(email))
    return invite, raw


def enrol_url(raw: str) -> str:
    return site_url(reverse("enrol", args=[raw]))


def enrol(invite: EnrolmentInvite, person: Any, categories: object) -> Grant:
    errors: dict[str, str] = {}
    chosen = clean_categories(categories, errors, program=True)
    if person.role != "person":
        errors["account"] = "only a person's account can join a program"
    if errors:
        raise FieldErrors(errors)
    now = timezone.now()
    with transaction.atomic():
        taken = EnrolmentInvite.objects.filter(pk=invite.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
        if not taken:
            raise FieldErrors({"invitation": "this invitation has expired or was already used"})
        grant = Grant.objects.create(owner=person, program=invite.program, name=invite.program.name,
                                     categories=chosen, accepted_at=now, created_at=now, updated_at=now)
        record("enrolment.accepted", actor=person, person=person, program=invite.program_id, categories=chosen)
        from thaw.intake.services import accepted

        accepted(invite, person)  # a contact request this invitation came from is now enrolled
    return grant


# --- the caseload -------------------------------------------------------------------------

class UTCDay(Func):
    """The UTC calendar day of a datetime as 'YYYY-MM-DD', computed in SQL. (Django's TruncDate
    calls back into Python for every row on SQLite, which dominated the caseload's time.)"""

    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="substr(%(expressions)s, 1, 10)", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection,
                           template="to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD')", **extra)


@dataclass
class Row:
    person_id: int
    name: str
    programs: list[str]
    categories: set[str]
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    days: list[float | None] = field(default_factory=list)  # 14 daily mean numbness, oldest first
    numb_recent: float | None = None
    numb_before: float | None = None
    adherence: int | None = None
    last_activity: datetime | None = None
    flags: list[RiskFlag] = field(default_factory=list)
    need: str = ""
    language: str = ""  # the person's profile language ("" follows their browser)
    last_language: str = ""  # the language they last read Thaw in, while it follows their browser
    # Questionnaires the care team set on a cadence (None: assessments not shared).
    questionnaires: QuestionnaireSummary | None = None

    @property
    def numbness_change(self) -> float | None:
        if self.numb_recent is None or self.numb_before is None:
            return None
        return round(self.numb_recent - self.numb_before, 1)

    @property
    def sees_checkins(self) -> bool:
        return bool({Category.SUMMARY, Category.CHECKINS} & self.categories)

    @property
    def sparkline(self) -> str:
        """SVG polyline points for the 14 daily means (gaps skipped)."""
        return " ".join(f"{n * 10},{30 - v * 3:.1f}" for n, v in enumerate(self.days) if v is not None)


def caseload(clinician: Any, *, program_id: int | None = None, need: str = "", now: datetime | None = None,
             audit: bool = True) -> list[Row]:
    now = now or timezone.now()
    rules = risk_rules()
    grants = live_grants(now).filter(program__memberships__clinician=clinician, program__isnull=False)
    if program_id:
        grants = grants.filter(program_id=program_id)
    rows: dict[int, Row] = {}
    enrolled_at: dict[int, datetime] = {}
    sharing_scores: set[tuple[int, int]] = set()  # (person, program): the homework whose questionnaires count
    for owner_id, display, email, language, last, program, program_name, categories, accepted_at in grants.values_list(
            "owner_id", "owner__display_name", "owner__email", "owner__language", "owner__last_language", "program_id",
            "program__name", "categories", "accepted_at"):
        row = rows.get(owner_id)
        if row is None:
            row = rows[owner_id] = Row(owner_id, display or email, [], set(), language=language, last_language=last)
        row.programs.append(program_name)
        row.categories.update(categories)
        if Category.ASSESSMENTS in categories:
            sharing_scores.add((owner_id, program))
        enrolled_at[owner_id] = max(enrolled_at.get(owner_id, accepted_at), accepted_at)
    if not rows:
        return []
    ids = list(rows)

    with_scores = [pid for pid in ids if Category.ASSESSMENTS in rows[pid].categories]
    latest = (Assessment.objects.filter(person_id__in=with_scores, instrument__in=TRIAGE_INSTRUMENTS)
              .annotate(n=Window(RowNumber(), partition_by=[F("person_id"), F("instrument")],
                                 order_by=[F("taken_at").desc(), F("id").desc()]))
              .filter(n=1).values_list("person_id", "instrument", "score", "band", "change_status", "taken_at",
                                       "rules_version"))
    for pid, instrument, score, band, status, taken_at, rules_version in latest:
        rows[pid].scores[instrument] = {"score": score, "band": band, "status": status or "",
                                        "arrow": ARROWS.get(status or "", ""), "taken_at": taken_at,
                                        "rules_version": rules_version}
        rows[pid].last_activity = max(filter(None, (rows[pid].last_activity, taken_at)))
    _questionnaires(rows, with_scores, sharing_scores, now)

    with_checkins = [pid for pid in ids if rows[pid].sees_checkins]
    today = now.astimezone(UTC).date()
    start = datetime.combine(today - timedelta(days=13), datetime.min.time(), tzinfo=UTC)
    window = CheckIn.objects.filter(person_id__in=with_checkins, at__gte=start, at__lte=now)
    daily = window.annotate(day=UTCDay("at")).values("person_id", "day").annotate(mean=Avg("numbness")).order_by()
    # Every day with a check-in; None: its check-ins all left numbness unrated (a check-in day
    # without a point on the sparkline).
    by_person: dict[int, dict[date, float | None]] = defaultdict(dict)
    for person_id, day, mean in daily.values_list("person_id", "day", "mean"):
        by_person[person_id][date.fromisoformat(day)] = None if mean is None else float(mean)
    # The last check-in in the window, a query of its own: taking each day's latest in the query
    # above turned 250 timestamps into 3,500 and cost about 40 % more CPU than a second read.
    latest_in_window = dict(window.values("person_id").annotate(last=Max("at")).order_by()
                            .values_list("person_id", "last"))
    missing = []
    fortnight = [today - timedelta(days=13 - k) for k in range(14)]
    for pid in with_checkins:
        row, days = rows[pid], by_person.get(pid, {})
        row.days = [days.get(d) for d in fortnight]
        recent = [v for v in row.days[7:] if v is not None]
        before = [v for v in row.days[:7] if v is not None]
        row.numb_recent = round(sum(recent) / len(recent), 1) if recent else None
        row.numb_before = round(sum(before) / len(before), 1) if before else None
        row.adherence = sum(d in days for d in fortnight[7:])  # days checked in, rated or not
        if pid in latest_in_window:
            row.last_activity = max(filter(None, (row.last_activity, latest_in_window[pid])))
        else:
            missing.append(pid)
    if missing:
        older = CheckIn.objects.filter(person_id__in=missing).values("person_id").annotate(last=Max("at")).order_by()
        for item in older:
            row = rows[item["person_id"]]
            row.last_activity = max(filter(None, (row.last_activity, item["last"])))

    with_flags = [pid for pid in ids if Category.FLAGS in rows[pid].categories]
    for flag in RiskFlag.objects.filter(person_id__in=with_flags, acknowledged_at__isnull=True).order_by("created_at"):
        rows[flag.person_id].flags.append(flag)

    quiet_days = max((r.days for r in rules.of_kind("disengagement")), default=5)
    for row in rows.values():
        severities = {rules.severity_of(f.kind) for f in row.flags}
        deteriorated = any(s["status"] == "deteriorated" for s in row.scores.values())
        # Quiet since the later of the last activity and the enrolment: a newcomer is not "disengaged".
        quiet_since = max(filter(None, (row.last_activity, enrolled_at[row.person_id])))
        quiet = row.sees_checkins and now - quiet_since > timedelta(days=quiet_days)
        if "crisis" in severities:
            row.need = "crisis"
        elif "deterioration" in severities or deteriorated:
            row.need = "deterioration"
        elif "disengagement" in severities or quiet:
            row.need = "disengagement"

    def waiting_since(row: Row) -> float:
        """The oldest open flag of the row's own need: a crisis waits by its crisis flag."""
        own = [f for f in row.flags if rules.severity_of(f.kind) == row.need]
        return own[0].created_at.timestamp() if own else float("inf")

    ordered = sorted(rows.values(), key=lambda r: (
        NEED_ORDER[r.need],
        waiting_since(r),  # waiting longest first
        r.last_activity.timestamp() if r.last_activity else float("-inf"),
        r.name.lower(),
    ))
    if need:
        ordered = [r for r in ordered if r.need == need]
    if audit and ordered:  # ids: 500 model instances only to read their pk cost more than the audit's COPY
        record_many("data.viewed", actor=clinician, people=[r.person_id for r in ordered], category="caseload")
    return ordered


def _cadences(history: list[tuple[int, int, Any, datetime]], sharing_scores: set[tuple[int, int]]
              ) -> dict[int, dict[str, Cadence]]:
    """person → instrument → the care team's cadence (``cadence.team_cadences``), from homework
    ordered by person, program, newest first."""
    by_person: dict[int, list[tuple[int, Any, datetime]]] = defaultdict(list)
    for person_id, program_id, assessments, created_at in history:
        if (person_id, program_id) in sharing_scores:
            by_person[person_id].append((program_id, assessments, created_at))
    return {person_id: team_cadences(rows) for person_id, rows in by_person.items()}


def _questionnaires(rows: dict[int, Row], with_scores: list[int], sharing_scores: set[tuple[int, int]],
                    now: datetime) -> None:
    """Each row sharing assessments gets its questionnaires on the care team's cadence: two queries
    for the whole caseload, whatever its size."""
    if not with_scores:
        return
    history = list(Homework.objects.filter(person_id__in=with_scores, program_id__in={p for _, p in sharing_scores})
                   .order_by("person_id", "program_id", "-created_at", "-id")
                   .values_list("person_id", "program_id", "assessments", "created_at"))
    cadences = _cadences(history, sharing_scores)
    taken: dict[int, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    wanted = [pid for pid in with_scores if cadences.get(pid)]
    if wanted:
        start = now - COMPLETION_WINDOW
        partition = [F("person_id"), F("instrument")]
        # The times inside the window, and the last one before it (the newest overall, or the
        # one before the window's first): what happened earlier changes nothing in the window.
        times = (Assessment.objects
                 .filter(person_id__in=wanted, instrument__in={k for pid in wanted for k in cadences[pid]},
                         taken_at__lte=now)
                 .annotate(n=Window(RowNumber(), partition_by=partition, order_by=[F("taken_at").desc(), F("id").desc()]),
                           before=Window(Lag("taken_at"), partition_by=partition, order_by=[F("taken_at"), F("id")]))
                 .filter(Q(taken_at__gte=start) | Q(n=1))
                 .values_list("person_id", "instrument", "taken_at", "before"))
        for pid, instrument, taken_at, before in times:
            found = taken[pid][instrument]
            found.append(taken_at)
            if before is not None and before < start:
                found.append(before)
    for pid in with_scores:
        mine = cadences.get(pid, {})
        rows[pid].questionnaires = summarise([mine[k] for k in CADENCE_INSTRUMENTS if k in mine], taken[pid], now)


# --- flags, alerts and escalation ---------------------------------------------------------

def acknowledge(flag: RiskFlag, clinician: Any, note: object) -> RiskFlag:
    errors: dict[str, str] = {}
    text = take_text(errors, "note", note, ACK_NOTE_MAX).strip()
    if not text and not errors:
        errors["note"] = "add a short note: what you did or will do"
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        updated = RiskFlag.objects.filter(pk=flag.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=clinician, acknowledgement=text)
        if not updated:
            raise FieldErrors({"flag": "this flag was already acknowledged"})
        record("risk_flag.acknowledged", actor=clinician, person=flag.person, flag_id=flag.pk)
    flag.refresh_from_db()
    return flag


def flag_for(clinician: Any, flag_id: object) -> RiskFlag | None:
    """A flag the clinician may act on: an enrolled person who shares flags with their program."""
    pk = db_id(flag_id)
    flag = RiskFlag.objects.select_related("person").filter(pk=pk).first() if pk is not None else None
    if flag is None or not is_clinician(clinician):
        return None
    from thaw.access import granted_categories

    return flag if Category.FLAGS in granted_categories(clinician, flag.person_id) else None


def _programs_sharing_flags(person_id: int, now: datetime) -> list[Program]:
    grants = live_grants(now).filter(owner_id=person_id, program__isnull=False).select_related("program")
    return [g.program for g in grants if Category.FLAGS in g.categories]  # type: ignore[misc]


def notify(users: list[Any], kind: str, link: str, **params: Any) -> None:
    """An alert for each clinician, in Thaw and by email, each in the clinician's own language.

    What is stored is the kind of alert and its figures, not a sentence (``Notification.shown``
    writes it in whoever reads it's language). No note text, no name of the person."""
    made = Notification.objects.bulk_create([Notification(user=u, kind=kind, params=params, link=link)
                                             for u in users])
    for user, alert in zip(users, made, strict=True):
        with override_for(user):
            text = alert.shown()
            send_email([user.email], gettext("Thaw: %(alert)s") % {"alert": text},
                       gettext("%(alert)s\n\nOpen Thaw to review: %(link)s\n") % {"alert": text, "link": site_url(link)},
                       person=None)


def _active_team(program: Program, **filters: Any) -> list[Any]:
    return [m.clinician for m in program.memberships.filter(clinician__is_active=True, clinician__role="clinician",
                                                            **filters).select_related("clinician")]


def _lead(program: Program) -> list[Any]:
    lead = program.lead
    usable = lead is not None and lead.is_active and lead.role == "clinician"
    return [lead] if usable else []


def on_new_flag(flag: RiskFlag) -> None:
    """A new crisis flag alerts the on-duty clinicians of each program the person shares flags with.

    Nobody on duty: the lead is alerted at once; no usable lead either: the whole care team.
    A crisis flag never reaches nobody while the program has an active clinician.
    """
    if risk_rules().severity_of(flag.kind) != "crisis":
        return
    now = timezone.now()
    for program in _programs_sharing_flags(flag.person_id, now):
        FlagAlert.objects.get_or_create(flag=flag, program=program, defaults={"notified_at": now})
        recipients = _active_team(program, on_duty=True) or _lead(program) or _active_team(program)
        if not recipients:
            logger.error("crisis flag %s in program %s reached no clinician: the care team is empty",
                         flag.pk, program.pk)
        notify(recipients, Notification.NEW_FLAG, reverse("caseload") + f"?program={program.pk}",
               program=program.name)


def run_escalations(now: datetime) -> int:
    """Escalate each crisis alert not acknowledged in time to the program's lead, once.

    Without a usable lead it goes to the whole care team; if there is nobody to tell, the
    alert stays due (and is logged as an error) rather than being marked as escalated.
    """
    escalated = 0
    pending = (FlagAlert.objects.filter(escalated_at__isnull=True, flag__acknowledged_at__isnull=True)
               .select_related("program__lead", "flag"))
    for alert in pending:
        if now - alert.notified_at < timedelta(minutes=alert.program.escalate_after_minutes):
            continue
        recipients = _lead(alert.program) or _active_team(alert.program)
        if not recipients:
            logger.error("crisis flag %s in program %s is unacknowledged and there is nobody to escalate to",
                         alert.flag_id, alert.program_id)
            continue
        with transaction.atomic():
            if not FlagAlert.objects.filter(pk=alert.pk, escalated_at__isnull=True).update(escalated_at=now):
                continue
            minutes = alert.program.escalate_after_minutes
            notify(recipients, Notification.ESCALATED, reverse("caseload") + f"?program={alert.program_id}",
                   program=alert.program.name, minutes=minutes)
            record("risk_flag.escalated", actor=None, person=alert.flag.person, flag_id=alert.flag_id,
                   program=alert.program_id)
        escalated += 1
    return escalated


def raise_once(person: Any, kind: str, source: str, source_id: str, reason: str) -> RiskFlag | None:
    from thaw.safety.services import raise_flag

    if RiskFlag.objects.filter(person=person, kind=kind, source=source, source_id=source_id).exists():
        return None
    return raise_flag(person, kind=kind, source=source, source_id=source_id, reason=reason)


def on_assessment(assessment: Assessment) -> None:
    """The assessment rules: item thresholds and reliable deterioration."""
    rules = risk_rules()
    for rule in rules.of_kind("assessment_item"):
        if rule.instrument == assessment.instrument and len(assessment.answers) >= rule.item:
            if assessment.answers[rule.item - 1] >= rule.at_least:
                raise_once(assessment.person, FlagKind.ASSESSMENT_ITEM, "assessment", str(assessment.id),
                           rule.label)
    for rule in rules.of_kind("deterioration"):
        if assessment.instrument in rule.instruments and assessment.change_status == "deteriorated":
            raise_once(assessment.person, FlagKind.DETERIORATION, "assessment", str(assessment.id), rule.label)


def run_disengagement(now: datetime) -> int:
    """Flag enrolled people with no check-in for the rule's days: once per quiet spell.

    Only people who share flags *and* their check-ins (or weekly summary) with a program:
    a flag about check-ins must not reveal activity the person did not share. A spell starts
    at the later of the last check-in and the enrolment; acknowledging the flag does not
    bring a new one the next day, only a new spell does.
    """
    raised = 0
    for rule in risk_rules().of_kind("disengagement"):
        cutoff = now - timedelta(days=rule.days)
        enrolled: dict[int, Any] = {}
        since: dict[int, datetime] = {}
        for grant in live_grants(now).filter(program__isnull=False).select_related("owner"):
            shares = set(grant.categories)
            if Category.FLAGS in shares and shares & {Category.CHECKINS, Category.SUMMARY}:
                enrolled[grant.owner_id] = grant.owner
                since[grant.owner_id] = max(since.get(grant.owner_id, grant.accepted_at), grant.accepted_at)
        if not enrolled:
            continue
        last = dict(CheckIn.objects.filter(person_id__in=list(enrolled), at__lte=now).values("person_id")
                    .annotate(last=Max("at")).order_by().values_list("person_id", "last"))
        flagged = dict(RiskFlag.objects.filter(person_id__in=list(enrolled), kind=FlagKind.DISENGAGEMENT)
                       .values("person_id").annotate(last=Max("created_at")).order_by()
                       .values_list("person_id", "last"))
        for pid, person in enrolled.items():
            spell_start = max(filter(None, (last.get(pid), since[pid])))
            if spell_start > cutoff:
                continue  # active recently, or enrolled too recently to be quiet for that long
            if flagged.get(pid) is not None and flagged[pid] >= spell_start:
                continue  # this quiet spell already has its flag
            raise_once(person, FlagKind.DISENGAGEMENT, "schedule", f"{rule.id}:{now.isoformat()}", rule.label)
            raised += 1
    return raised

