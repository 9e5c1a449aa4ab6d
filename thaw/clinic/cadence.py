"""Questionnaires on a care team's cadence: when each is due, whether it is overdue, and how
many of those that came due in the last 30 days were done. A pure core (no ORM): the caseload
gathers the homework and the times questionnaires were taken in bulk and calls it per person.

The rules, stated once (docs/CLINIC.md):

- A questionnaire set as homework "every N days" is **due** N days after it was last taken, and
  never before the care team asked for it (``since``); never taken: due from ``since``.
- It is **overdue** once it has been due for more than ``OVERDUE_AFTER`` (2 days): a reminder
  arrives in the daytime and a busy person may need a day or two.
- While it is not taken it **comes due again** every N days; taking it answers the latest time
  it came due (the earlier ones were missed) and starts the clock again. Taking it before it is
  due answers nothing and also starts the clock again.
- **Completion over 30 days** is the number of times it came due in the last 30 days and was
  then taken, over the number of times it came due in those days. A time it came due less than
  ``OVERDUE_AFTER`` ago and not yet taken is left out of both (it is not late yet). None came
  due: no figure (shown as "—"), never 0 % or 100 %.

Reminders (thaw/reminders) follow the same rule through ``team_cadences`` and ``due_moments``:
a person who turned questionnaire reminders on is reminded at each time the caseload shows a
questionnaire coming due, once per time.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

CADENCE_INSTRUMENTS = ("phq9", "gad7", "pcl5", "who5", "auditc")  # the ones homework can set, in this order
OVERDUE_AFTER = timedelta(days=2)
COMPLETION_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Cadence:
    instrument: str
    every_days: int
    since: datetime  # when the care team asked for it (the start of the homework that keeps asking)


@dataclass(frozen=True)
class QuestionnaireState:
    instrument: str
    every_days: int
    due_at: datetime  # when it is (or was first) due
    due: bool
    overdue: bool
    came_due: int  # times it came due in the window (not counting one still within its grace)
    completed: int  # of those, the ones taken


def asked_for(assessments: object) -> dict[str, int]:
    """The questionnaires one homework asks for, instrument → every N days."""
    return {k: d for k, d in (assessments.items() if isinstance(assessments, dict) else ())
            if k in CADENCE_INSTRUMENTS and isinstance(d, int) and not isinstance(d, bool) and d > 0}


def team_cadences(history: Iterable[tuple[Hashable, object, datetime]]) -> dict[str, Cadence]:
    """One person's questionnaires on their care teams' cadence, from their homework as
    (program, assessments, created_at), each program's newest first.

    The newest homework of a program says how often; the clock starts when that team first asked
    for it in the unbroken run of homework asking for it, so saving the homework again (to change
    the note, say) does not restart it. Two programs asking for the same questionnaire: the
    shorter cadence (then the earlier start)."""
    by_program: dict[Hashable, tuple[dict[str, int], dict[str, datetime], set[str]]] = {}
    for program, assessments, created_at in history:
        if program not in by_program:  # the newest homework of this program
            every = asked_for(assessments)
            by_program[program] = (every, dict.fromkeys(every, created_at), set(every))
            continue
        every, since, running = by_program[program]
        asked = asked_for(assessments)
        for instrument in list(running):
            if instrument in asked:
                since[instrument] = created_at
            else:
                running.discard(instrument)
    out: dict[str, Cadence] = {}
    for every, since, _ in by_program.values():
        for instrument, days in every.items():
            held = out.get(instrument)
            if held is None or (days, since[instrument]) < (held.every_days, held.since):
                out[instrument] = Cadence(instrument, days, since[instrument])
    return out


def first_due(cadence: Cadence, taken: datetime | None) -> datetime:
    """When it is first due after being taken at ``taken`` (None: never taken)."""
    if taken is None:
        return cadence.since
    return max(cadence.since, taken + timedelta(days=cadence.every_days))


def due_moments(cadence: Cadence, last_taken: datetime | None, now: datetime) -> tuple[datetime | None, datetime]:
    """The times it comes due, as reminders see them: (the latest time at or before ``now`` it came
    due and has not been taken since, or None; the next time after ``now`` it comes due).

    First due as ``follow`` says (``QuestionnaireState.due_at``), then again every N days while
    it is not taken. ``last_taken`` is the last time it was taken at or before ``now``."""
    every = timedelta(days=cadence.every_days)
    due = first_due(cadence, last_taken)
    if due > now:
        return None, due
    latest = due + (now - due) // every * every
    return latest, latest + every


def follow(cadence: Cadence, taken: Iterable[datetime], now: datetime, *,
           grace: timedelta = OVERDUE_AFTER, window: timedelta = COMPLETION_WINDOW) -> QuestionnaireState:
    """The state of one questionnaire at ``now`` from the times it was taken.

    ``taken`` needs only the last time before the window and the times inside it: what happened
    earlier changes nothing in the window.
    """
    every = timedelta(days=cadence.every_days)
    start = now - window
    due = first_due(cadence, None)
    came_due = completed = 0
    for at in sorted(t for t in taken if t <= now):
        if at >= due:
            # It came due at `due`, again every `every` while not taken; this answers the latest.
            latest = due + (at - due) // every * every
            came_due += _count(due, latest, every, start)
            completed += int(latest >= start)
        due = first_due(cadence, at)
    if due <= now:
        latest = due + (now - due) // every * every
        if now - latest < grace:  # the latest time it came due is not late yet
            latest -= every
        if latest >= due:
            came_due += _count(due, latest, every, start)
    return QuestionnaireState(
        instrument=cadence.instrument, every_days=cadence.every_days, due_at=due, due=due <= now,
        overdue=now - due > grace, came_due=came_due, completed=completed)


def _count(first: datetime, last: datetime, every: timedelta, start: datetime) -> int:
    """How many of first, first + every, …, last (a whole number of steps apart) are on or after start."""
    if last < start:
        return 0
    steps = (last - first) // every
    skipped = 0 if first >= start else -((first - start) // every)  # the ones before start
    return steps - skipped + 1


@dataclass
class QuestionnaireSummary:
    """One person's questionnaires on the care team's cadence, for a caseload row."""

    states: list[QuestionnaireState] = field(default_factory=list)

    @property
    def due(self) -> int:
        return sum(s.due for s in self.states)

    @property
    def overdue(self) -> int:
        return sum(s.overdue for s in self.states)

    @property
    def came_due(self) -> int:
        return sum(s.came_due for s in self.states)

    @property
    def completed(self) -> int:
        return sum(s.completed for s in self.states)

    @property
    def completion(self) -> int | None:
        """Percent of the times a questionnaire came due in the window that it was taken; None: none came due."""
        return round(100 * self.completed / self.came_due) if self.came_due else None


def summarise(cadences: Iterable[Cadence], taken: dict[str, list[datetime]], now: datetime) -> QuestionnaireSummary:
    return QuestionnaireSummary([follow(c, taken.get(c.instrument, ()), now) for c in cadences])
