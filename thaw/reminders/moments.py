"""When a person's reminders fall: fixed times, or random moments within windows.

A pure core (no ORM, no request): a ``Plan`` and a moment in time in, instants (UTC) out.

Times are wall-clock times in the person's own time zone, and every local day is planned on
its own: each wall time of a local date becomes exactly one instant, so a daylight-saving
change can neither skip a reminder nor send one twice. A wall time that does not exist that
day (02:30 when clocks jump from 02:00 to 03:00) is sent at the same distance past the jump
(03:30); a wall time that happens twice (02:30 when clocks fall back) is sent the first time
only. Random moments are drawn per local day from a seed, so the same plan always gives the
same moments (the worker can recompute them without storing a day's draw), and the minimum
gap between them is measured in real time, not on the clock face.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MODES = ("off", "fixed", "random")
# How far ahead to look for the next moment: a week covers every days-of-week choice.
LOOKAHEAD_DAYS = 8


@dataclass(frozen=True)
class Window:
    start: time
    end: time
    count: int


@dataclass(frozen=True)
class Plan:
    mode: str
    tz: ZoneInfo
    times: tuple[time, ...] = ()
    windows: tuple[Window, ...] = ()
    min_gap: timedelta = timedelta(hours=2)
    quiet: tuple[time, time] | None = None
    days: frozenset[int] = field(default_factory=lambda: frozenset(range(7)))  # 0 is Monday
    seed: int = 0


def instant(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The one UTC instant for this wall time on this local date.

    ``fold=0`` gives zoneinfo's answer for both awkward cases: for a time skipped by the
    spring change, the offset from before the change (so 02:30 becomes 03:30 new time); for a
    time that repeats in autumn, its first occurrence.
    """
    local = datetime.combine(day, wall.replace(tzinfo=None, fold=0)).replace(tzinfo=tz)
    return local.astimezone(UTC)


def in_quiet(wall: time, quiet: tuple[time, time] | None) -> bool:
    """Is this wall time within quiet hours? Quiet hours may run past midnight (22:00–07:00)."""
    if quiet is None:
        return False
    start, end = quiet
    if start == end:
        return False
    if start < end:
        return start <= wall < end
    return wall >= start or wall < end


def _random_moments(plan: Plan, day: date) -> list[datetime]:
    """Each window's moments, uniformly at random subject to the minimum gap.

    For k moments in a span of length L with gap g: draw k points uniformly in
    [0, L − (k−1)g], sort them, and add j·g to the j-th. That gives every arrangement with
    the gap respected the same chance. Windows are taken in order and the gap carries over
    from one window to the next; a window too short for its count gives the most it can hold.

    On the day clocks spring forward, a window around the jump is an hour shorter than on the
    wall. A window that holds its count on an ordinary day then brings its moments closer that
    day, by at most the lost time and never below half the gap, rather than skip one; only a
    window too short even for that gives fewer.
    """
    rng = random.Random(f"{plan.seed}:{day.isoformat()}")
    out: list[datetime] = []
    gap = plan.min_gap.total_seconds()
    for window in sorted(plan.windows, key=lambda w: w.start):
        start = instant(day, window.start, plan.tz)
        end = instant(day, window.end, plan.tz)
        wall = (datetime.combine(day, window.end) - datetime.combine(day, window.start)).total_seconds()
        lost = wall - (end - start).total_seconds()  # skipped by the clocks inside this window, if any
        if out:
            start = max(start, out[-1] + plan.min_gap)
        span = (end - start).total_seconds()
        count, window_gap = window.count, gap
        if lost > 0 and count > 1 and wall >= (count - 1) * gap and span < (count - 1) * gap:
            window_gap = max(gap - lost / (count - 1), gap / 2)
        while count > 0 and span - (count - 1) * window_gap < 0:
            count -= 1
        room = span - (count - 1) * window_gap
        draws = sorted(rng.uniform(0, room) for _ in range(count))
        out.extend(start + timedelta(seconds=int(u + j * window_gap)) for j, u in enumerate(draws))
    return out


def moments_on(plan: Plan, day: date) -> list[datetime]:
    """The plan's moments on this local date, as sorted UTC instants (none on days not chosen)."""
    if plan.mode == "off" or day.weekday() not in plan.days:
        return []
    if plan.mode == "fixed":
        found = {instant(day, wall, plan.tz) for wall in plan.times}
    else:
        found = set(_random_moments(plan, day))
    return sorted(m for m in found if not in_quiet(m.astimezone(plan.tz).time(), plan.quiet))


def next_moment(plan: Plan, after: datetime) -> datetime | None:
    """The first moment strictly after ``after`` (an aware datetime), or None when there is none."""
    if plan.mode == "off":
        return None
    first_day = after.astimezone(plan.tz).date()
    for offset in range(LOOKAHEAD_DAYS + 1):
        for moment in moments_on(plan, first_day + timedelta(days=offset)):
            if moment > after:
                return moment
    return None


def moments_between(plan: Plan, start: datetime, end: datetime) -> list[datetime]:
    """Every moment in (start, end], found the way the worker finds them: one after another."""
    out = []
    moment = next_moment(plan, start)
    while moment is not None and moment <= end:
        out.append(moment)
        moment = next_moment(plan, moment)
    return out


def fits(count: int, start: time, end: time, gap: timedelta) -> bool:
    """Can ``count`` moments at least ``gap`` apart fit between these wall times (an ordinary day)?"""
    span = (datetime.combine(date(2001, 1, 1), end) - datetime.combine(date(2001, 1, 1), start)).total_seconds()
    return span >= (count - 1) * gap.total_seconds() and span > 0


def next_after_quiet(moment: datetime, tz: ZoneInfo, quiet: tuple[time, time] | None,
                     days: Iterable[int] = range(7)) -> datetime:
    """The first instant at or after ``moment`` that is outside quiet hours on a chosen day."""
    allowed = set(days) or set(range(7))
    local = moment.astimezone(tz)
    for _ in range(LOOKAHEAD_DAYS * 2):
        if local.date().weekday() in allowed and not in_quiet(local.time(), quiet):
            return local.astimezone(UTC)
        if quiet is not None and in_quiet(local.time(), quiet):
            end_day = local.date() if local.time() < quiet[1] else local.date() + timedelta(days=1)
            local = instant(end_day, quiet[1], tz).astimezone(tz)
        else:
            local = instant(local.date() + timedelta(days=1), quiet[1] if quiet else time(9, 0), tz).astimezone(tz)
    return moment
