"""When reminders fall: fixed times and random moments in the person's own time zone, across
both daylight-saving changes (Europe/Berlin and America/Los_Angeles), found the way the worker
finds them (one moment after another)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thaw.reminders.moments import (
    Plan,
    Window,
    in_quiet,
    moments_between,
    moments_on,
    next_after_quiet,
    next_moment,
)
from thaw.reminders.rules import PlanInvalid, clean_plan, message_problem

BERLIN = ZoneInfo("Europe/Berlin")
LA = ZoneInfo("America/Los_Angeles")
# (zone, spring-forward day, fall-back day) in 2026
CHANGES = [(BERLIN, date(2026, 3, 29), date(2026, 10, 25)), (LA, date(2026, 3, 8), date(2026, 11, 1))]


def per_local_day(plan: Plan, first: date, last: date) -> Counter[date]:
    start = datetime.combine(first - timedelta(days=1), time(23, 59), tzinfo=plan.tz)
    end = datetime.combine(last, time(23, 59), tzinfo=plan.tz)
    return Counter(m.astimezone(plan.tz).date() for m in moments_between(plan, start, end))


@pytest.mark.parametrize("tz,spring,autumn", CHANGES)
def test_fixed_times_are_neither_skipped_nor_doubled_on_change_days(tz, spring, autumn) -> None:
    # 02:30 does not exist on the spring day and happens twice on the autumn day.
    plan = Plan(mode="fixed", tz=tz, times=(time(2, 30), time(9, 0), time(20, 0)))
    for day in (spring, autumn):
        counts = per_local_day(plan, day - timedelta(days=2), day + timedelta(days=2))
        assert set(counts.values()) == {3}, counts
        assert len(counts) == 5
    found = moments_between(plan, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert len(found) == 365 * 3 and len(set(found)) == len(found)
    # The skipped 02:30 comes at 03:30 new time (the same distance past the jump); the doubled one once.
    on_spring = [m.astimezone(tz) for m in found if m.astimezone(tz).date() == spring]
    assert on_spring[0].strftime("%H:%M") == "03:30"
    on_autumn = [m.astimezone(tz) for m in found if m.astimezone(tz).date() == autumn]
    assert [m.strftime("%H:%M") for m in on_autumn] == ["02:30", "09:00", "20:00"]
    # 09:00 stays 09:00 local on both sides of the change.
    assert {m.astimezone(tz).strftime("%H:%M") for m in found} == {"02:30", "03:30", "09:00", "20:00"}


@pytest.mark.parametrize("tz,spring,autumn", CHANGES)
def test_random_moments_keep_count_window_and_gap_across_changes(tz, spring, autumn) -> None:
    for window in (Window(time(9), time(21), 3), Window(time(0, 30), time(5, 30), 2)):
        plan = Plan(mode="random", tz=tz, windows=(window,), min_gap=timedelta(hours=2), seed=7)
        start = datetime.combine(spring - timedelta(days=3), time(0), tzinfo=tz)
        found = moments_between(plan, start, datetime.combine(autumn + timedelta(days=3), time(0), tzinfo=tz))
        days = Counter(m.astimezone(tz).date() for m in found)
        assert set(days.values()) == {window.count}, "every day, the change days too, has its moments"
        assert days[spring] == days[autumn] == window.count
        for earlier, later in zip(found, found[1:], strict=False):
            if earlier.astimezone(tz).date() == later.astimezone(tz).date():
                assert later - earlier >= timedelta(hours=2), "the gap is real time, not clock time"
        for m in found:
            local = m.astimezone(tz)
            lo = datetime.combine(local.date(), window.start, tzinfo=tz).astimezone(UTC)
            hi = datetime.combine(local.date(), window.end, tzinfo=tz).astimezone(UTC)
            assert lo <= m <= hi


def test_random_moments_are_stable_for_a_seed_and_differ_between_seeds_and_days() -> None:
    plan = Plan(mode="random", tz=BERLIN, windows=(Window(time(9), time(21), 3),), seed=1)
    after = datetime(2026, 5, 4, 6, tzinfo=UTC)
    assert next_moment(plan, after) == next_moment(plan, after)
    other = Plan(mode="random", tz=BERLIN, windows=(Window(time(9), time(21), 3),), seed=2)
    week = moments_between(plan, after, after + timedelta(days=7))
    assert week != moments_between(other, after, after + timedelta(days=7))
    times_of_day = {m.astimezone(BERLIN).time() for m in week}
    assert len(times_of_day) == len(week), "a different draw each day"


@settings(max_examples=60, deadline=None)
@given(count=st.integers(1, 6), gap=st.integers(0, 180), start=st.integers(0, 12 * 60), length=st.integers(60, 11 * 60),
       seed=st.integers(0, 2**31), day=st.dates(date(2026, 1, 1), date(2027, 12, 31)))
def test_random_moments_respect_window_and_gap(count, gap, start, length, seed, day) -> None:
    begin = time(start // 60, start % 60)
    end_minutes = min(start + length, 23 * 60 + 59)
    end = time(end_minutes // 60, end_minutes % 60)
    plan = Plan(mode="random", tz=LA, windows=(Window(begin, end, count),), min_gap=timedelta(minutes=gap), seed=seed)
    first = datetime.combine(day, time(0), tzinfo=LA)
    found = [m for m in moments_between(plan, first - timedelta(seconds=1), first + timedelta(days=1))
             if m.astimezone(LA).date() == day]
    fits = (end_minutes - start) >= (count - 1) * gap
    # The gap is real time; only on a spring-forward day, in a window the jump shortened, may the
    # moments come closer to keep their count, never below half the gap, never more than asked.
    real = (datetime.combine(day, end, tzinfo=LA).astimezone(UTC)
            - datetime.combine(day, begin, tzinfo=LA).astimezone(UTC))
    shortened = real < timedelta(minutes=end_minutes - start)
    assert len(found) <= count
    if fits and not shortened:
        assert len(found) == count
    allowed = timedelta(minutes=gap) / (2 if shortened else 1)
    for a, b in zip(found, found[1:], strict=False):
        assert b - a >= allowed - timedelta(seconds=1)


def test_a_window_the_spring_jump_shortens_keeps_its_moments() -> None:
    """Berlin, 01:00-03:30, two moments at least 150 minutes apart: fine on an ordinary day, but on
    29 March 2026 02:00-03:00 does not exist and the window is 90 minutes long. Both moments come,
    closer together, inside the window; the days around it keep the full gap."""
    plan = Plan(mode="random", tz=BERLIN, windows=(Window(time(1), time(3, 30), 2),),
                min_gap=timedelta(minutes=150), seed=3)
    spring = date(2026, 3, 29)
    counts = per_local_day(plan, spring - timedelta(days=1), spring + timedelta(days=1))
    assert counts == {spring - timedelta(days=1): 2, spring: 2, spring + timedelta(days=1): 2}, counts
    on_spring = moments_on(plan, spring)
    assert on_spring[0] >= datetime(2026, 3, 29, 1, 0, tzinfo=BERLIN)
    assert on_spring[1] <= datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)
    assert on_spring[1] - on_spring[0] >= timedelta(minutes=89)
    before = moments_on(plan, spring - timedelta(days=1))
    assert before[1] - before[0] >= timedelta(minutes=150)


def test_the_spring_jump_never_adds_moments_or_crowds_them() -> None:
    """A window that holds fewer than its count on an ordinary day gets no more on the change
    day; one the jump leaves almost empty gets fewer, never several reminders a minute apart."""
    spring = date(2026, 3, 29)
    crowded = Plan(mode="random", tz=BERLIN, windows=(Window(time(1), time(3, 30), 3),),
                   min_gap=timedelta(minutes=150), seed=3)
    assert len(moments_on(crowded, spring)) <= len(moments_on(crowded, spring - timedelta(days=1))) == 2
    emptied = Plan(mode="random", tz=BERLIN, windows=(Window(time(2), time(3, 1), 4),),
                   min_gap=timedelta(minutes=20), seed=3)
    on_spring = moments_on(emptied, spring)
    assert len(moments_on(emptied, spring - timedelta(days=1))) == 4 and 1 <= len(on_spring) < 4
    assert all(b - a >= timedelta(minutes=10) for a, b in zip(on_spring, on_spring[1:], strict=False))


def test_days_of_week_and_quiet_hours() -> None:
    plan = Plan(mode="fixed", tz=BERLIN, times=(time(8), time(23)), days=frozenset({5, 6}), quiet=(time(22), time(7)))
    found = moments_between(plan, datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 15, tzinfo=UTC))
    assert {m.astimezone(BERLIN).weekday() for m in found} == {5, 6}
    assert {m.astimezone(BERLIN).strftime("%H:%M") for m in found} == {"08:00"}
    assert in_quiet(time(23), (time(22), time(7))) and in_quiet(time(3), (time(22), time(7)))
    assert not in_quiet(time(7), (time(22), time(7))) and not in_quiet(time(12), None)
    # A questionnaire due at 03:00 waits for the end of quiet hours, on a chosen day.
    due = datetime(2026, 6, 3, 1, tzinfo=UTC)  # Wednesday 03:00 in Berlin
    assert next_after_quiet(due, BERLIN, (time(22), time(7)), [2]).astimezone(BERLIN) == datetime(
        2026, 6, 3, 7, tzinfo=BERLIN)
    assert next_after_quiet(due, BERLIN, (time(22), time(7)), [4]).astimezone(BERLIN) == datetime(
        2026, 6, 5, 7, tzinfo=BERLIN)
    assert next_moment(Plan(mode="off", tz=BERLIN, times=(time(9),)), due) is None


def test_the_plan_rules_refuse_what_cannot_work_with_field_messages() -> None:
    with pytest.raises(PlanInvalid) as caught:
        clean_plan({"mode": "random", "windows": [{"start": "09:00", "end": "12:00", "count": 3}],
                    "min_gap_minutes": 120, "message": "Thaw: how is your mood?", "days": ["someday"],
                    "times": ["25:00"], "channels": ["pigeon"], "quiet_hours": {"start": "10:00", "end": "11:00"}})
    errors = caught.value.errors
    assert "need a window of 4 h 00 min" in errors["windows.0"]
    assert "mood" in errors["message"] and "lock screen" in errors["message"]
    assert set(errors) >= {"days", "times.0", "channels"}
    cleaned = clean_plan({"mode": "fixed", "times": ["20:00", "09:00", "09:00"]})
    assert [t.strftime("%H:%M") for t in cleaned["times"]] == ["09:00", "20:00"]
    # No text given: Thaw's default, kept as "" and written in the person's language when sent.
    assert cleaned["message"] == "" and cleaned["channels"] == ["push", "email"]
    with pytest.raises(PlanInvalid) as quiet:
        clean_plan({"mode": "fixed", "times": ["23:00"], "quiet_hours": {"start": "22:00", "end": "07:00"}})
    assert "inside your quiet hours" in quiet.value.errors["times"]


@pytest.mark.parametrize("text", ["Mood check", "feeling NUMB?", "numbness time", "mental moment", "Moody?"])
def test_revealing_words_are_refused(text) -> None:
    assert message_problem(text) is not None


@pytest.mark.parametrize("text", ["Thaw: a moment for you?", "Pick up your number", "Tea time", "Hola"])
def test_neutral_words_pass(text) -> None:
    assert message_problem(text) is None
