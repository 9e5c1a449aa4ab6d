"""The pure core behind the caseload's questionnaire column: due, overdue, and completion over
30 days (thaw/clinic/cadence.py), by examples and against a step-by-step reimplementation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from thaw.clinic.cadence import (
    COMPLETION_WINDOW,
    OVERDUE_AFTER,
    Cadence,
    due_moments,
    first_due,
    follow,
    summarise,
    team_cadences,
)

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_never_taken_is_due_from_when_the_team_asked_and_overdue_after_two_days() -> None:
    fresh = follow(Cadence("phq9", 14, ago(1)), [], NOW)
    assert fresh.due and not fresh.overdue and fresh.due_at == ago(1)
    assert (fresh.came_due, fresh.completed) == (0, 0), "due a day ago: not late yet, so not counted"
    late = follow(Cadence("phq9", 14, ago(5)), [], NOW)
    assert late.due and late.overdue and (late.came_due, late.completed) == (1, 0)


def test_due_counts_from_the_last_time_it_was_taken_but_not_before_the_team_asked() -> None:
    assert not follow(Cadence("phq9", 14, ago(60)), [ago(10)], NOW).due, "taken 10 days ago, every 14"
    due = follow(Cadence("phq9", 14, ago(60)), [ago(15)], NOW)
    assert due.due and not due.overdue and due.due_at == ago(1)
    # Taken long ago, asked for yesterday: due since yesterday, not overdue for months.
    asked = follow(Cadence("phq9", 14, ago(1)), [ago(100)], NOW)
    assert asked.due_at == ago(1) and not asked.overdue


def test_taken_on_time_for_a_month_is_complete() -> None:
    takes = [ago(d) for d in (34, 27, 20, 13, 6)]
    state = follow(Cadence("gad7", 7, ago(40)), takes, NOW)
    assert not state.due and (state.came_due, state.completed) == (4, 4)
    assert summarise([Cadence("gad7", 7, ago(40))], {"gad7": takes}, NOW).completion == 100


def test_not_taken_comes_due_again_and_a_late_take_answers_the_latest() -> None:
    # Every 7 days from 40 days ago, taken only 24 days ago: due at 40, 33, 26 (taken 24 → answers 26).
    state = follow(Cadence("phq9", 7, ago(40)), [ago(24)], NOW)
    # In the window (last 30 days): 26 (done), then 17, 10, 3 (not done): 1 of 4.
    assert (state.came_due, state.completed) == (4, 1)
    assert state.due and state.overdue and state.due_at == ago(17), "overdue since it first came due again"


def test_taken_early_answers_nothing() -> None:
    state = follow(Cadence("phq9", 14, ago(40)), [ago(40), ago(30), ago(20), ago(10)], NOW)
    assert (state.came_due, state.completed) == (0, 0) and not state.due


def test_no_questionnaire_came_due_means_no_figure() -> None:
    assert summarise([], {}, NOW).completion is None
    assert summarise([Cadence("phq9", 90, ago(5))], {"phq9": [ago(6)]}, NOW).completion is None
    summary = summarise([Cadence("phq9", 7, ago(40)), Cadence("gad7", 14, ago(40))],
                        {"phq9": [ago(24)]}, NOW)
    assert (summary.due, summary.overdue) == (2, 2)


# --- against a step-by-step reimplementation -----------------------------------------------

def stepwise(since: datetime, every: timedelta, takes: list[datetime], now: datetime) -> tuple[int, int, datetime]:
    """Walk every time the questionnaire comes due, one at a time (no arithmetic shortcuts)."""
    start, due, came, done = now - COMPLETION_WINDOW, since, 0, 0
    for at in sorted(t for t in takes if t <= now):
        if at < due:
            due = max(since, at + every)
            continue
        moments = [due]
        while moments[-1] + every <= at:
            moments.append(moments[-1] + every)
        came += sum(m >= start for m in moments)
        done += moments[-1] >= start
        due = max(since, at + every)
    moment = due
    while moment <= now:
        if moment >= start and not (moment + every > now and now - moment < OVERDUE_AFTER):
            came += 1
        moment += every
    return came, done, due


hours = st.integers(min_value=0, max_value=24 * 200)


@settings(max_examples=300, deadline=None)
@given(since=hours, every=st.integers(min_value=1, max_value=60), takes=st.lists(hours, max_size=25))
def test_matches_the_stepwise_walk_and_needs_only_the_window(since: int, every: int, takes: list[int]) -> None:
    base = NOW - timedelta(hours=24 * 200)
    cadence = Cadence("phq9", every, base + timedelta(hours=since))
    times = [base + timedelta(hours=h) for h in takes]
    state = follow(cadence, times, NOW)
    came, done, due = stepwise(cadence.since, every * DAY, times, NOW)
    assert (state.came_due, state.completed, state.due_at) == (came, done, due)
    assert 0 <= state.completed <= state.came_due
    assert state.overdue <= state.due
    # What the caseload's query fetches: the last time before the window and the times inside it.
    start = NOW - COMPLETION_WINDOW
    before = [t for t in times if t < start]
    kept = [t for t in times if t >= start] + ([max(before)] if before else [])
    assert follow(cadence, kept, NOW) == state


# --- the times a reminder goes (thaw/reminders uses these) --------------------------------------

@settings(max_examples=300, deadline=None)
@given(since=hours, every=st.integers(min_value=1, max_value=60), takes=st.lists(hours, max_size=25))
def test_reminder_times_are_the_times_the_caseload_sees_it_come_due(since: int, every: int, takes: list[int]) -> None:
    base = NOW - timedelta(hours=24 * 200)
    cadence = Cadence("phq9", every, base + timedelta(hours=since))
    times = [base + timedelta(hours=h) for h in takes if base + timedelta(hours=h) <= NOW]
    state = follow(cadence, times, NOW)
    came_due, following = due_moments(cadence, max(times, default=None), NOW)
    assert first_due(cadence, max(times, default=None)) == state.due_at
    assert (came_due is not None) == state.due, "a reminder is due exactly when the caseload shows it due"
    if came_due is not None:
        assert came_due <= NOW < following == came_due + every * DAY
        assert (came_due - state.due_at) % (every * DAY) == timedelta(0), "a time it came due, N days apart"
    else:
        assert following == state.due_at > NOW


def test_team_cadences_start_with_the_run_of_homework_asking_not_the_newest() -> None:
    history = [  # program, assessments, created_at: each program's newest first
        (1, {"phq9": 7, "gad7": 14}, ago(1)),
        (1, {"phq9": 14}, ago(10)),  # asked for the PHQ-9 since then (at another cadence)
        (1, {}, ago(20)),  # a gap: the run starts after it
        (1, {"phq9": 7}, ago(30)),
        (2, {"phq9": 7, "who5": True, "pcl5": 0}, ago(40)),  # another program, from longer ago
    ]
    assert team_cadences(history) == {"phq9": Cadence("phq9", 7, ago(40)), "gad7": Cadence("gad7", 14, ago(1))}
    assert team_cadences(history[:4]) == {"phq9": Cadence("phq9", 7, ago(10)), "gad7": Cadence("gad7", 14, ago(1))}
