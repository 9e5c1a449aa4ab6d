"""Load one person's check-ins from the database into the engine's columnar arrays.

This is the only part of insights that touches the ORM: a handful of flat queries,
turned into numpy arrays with codes for words, families, tags and body sensations.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection

from thaw.checkins.models import CheckIn, CheckInEmotion, CheckInTag
from thaw.checkins.vocabulary import NOT_SURE_FAMILY, NUMB_FAMILY, vocabulary
from thaw.insights.engine import CheckInArrays, compute_insights
from thaw.substances.models import SubstanceUse

EPOCH_DAY = 86400


def _codes(values: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    names = tuple(sorted(set(values)))
    index = {name: i for i, name in enumerate(names)}
    return np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values)), names


def _raw(queryset: Any) -> list[tuple[Any, ...]]:
    """Run a values_list query without Django's per-value converters (UUIDs, datetimes, JSON).

    Converting tens of thousands of ids to ``uuid.UUID`` and times to ``datetime`` cost more
    than the statistics; ids are only used to join the three queries, so raw values do.
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _epochs(values: list[Any]) -> np.ndarray:
    if values and isinstance(values[0], datetime):  # PostgreSQL gives aware datetimes
        return np.fromiter((v.timestamp() for v in values), dtype=np.float64, count=len(values))
    # SQLite stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; numpy parses these in C.
    stamps = np.array([v.replace(" ", "T")[:26] for v in values], dtype="datetime64[us]")
    return stamps.astype(np.int64).astype(np.float64) / 1e6


def _utc_offsets(epoch: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """UTC offset (seconds) at each moment: looked up per day, and per moment only on the
    rare days whose offset changes (daylight-saving transitions)."""
    days = np.floor_divide(epoch, EPOCH_DAY).astype(np.int64)
    offsets = np.empty(len(epoch), dtype=np.float64)
    for day in np.unique(days):
        start = datetime.fromtimestamp(int(day) * EPOCH_DAY, UTC).astimezone(tz).utcoffset()
        end = datetime.fromtimestamp(int(day + 1) * EPOCH_DAY - 1, UTC).astimezone(tz).utcoffset()
        mask = days == day
        if start == end:
            offsets[mask] = start.total_seconds()  # type: ignore[union-attr]
        else:
            offsets[mask] = [datetime.fromtimestamp(e, UTC).astimezone(tz).utcoffset().total_seconds()  # type: ignore[union-attr]
                             for e in epoch[mask]]
    return offsets


def load_arrays(person: Any, since: datetime | None = None, until: datetime | None = None) -> CheckInArrays:
    qs = CheckIn.objects.filter(person=person)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lte=until)
    rows = _raw(qs.order_by("at", "id").values_list("id", "at", "numbness", "body"))
    if not rows:
        return CheckInArrays.empty()
    tz = person.tzinfo  # falls back to UTC for a zone name that is not (or no longer) valid
    position = {row[0]: i for i, row in enumerate(rows)}
    epoch = _epochs([row[1] for row in rows])
    # NaN: numbness not rated on that check-in (the engine leaves it out of numbness figures).
    numbness = np.fromiter((np.nan if row[2] is None else row[2] for row in rows), dtype=np.float64, count=len(rows))
    local = epoch + _utc_offsets(epoch, tz)
    local_day = np.floor_divide(local, EPOCH_DAY).astype(np.int64)
    local_hour = (np.floor_divide(local, 3600) % 24).astype(np.int64)
    weekday = ((local_day + 3) % 7).astype(np.int64)  # 1970-01-01 was a Thursday

    vocab = vocabulary()
    chosen = qs.values("id")
    # Each statement reads its own snapshot: a check-in written between the first query and
    # these is left out here too (its words and tags have no row to belong to).
    emotions = [e for e in _raw(CheckInEmotion.objects.filter(checkin__in=chosen).order_by()
                                .values_list("checkin_id", "word", "intensity")) if e[0] in position]
    emo_row = np.fromiter((position[c] for c, _, _ in emotions), dtype=np.int64, count=len(emotions))
    emo_word, words = _codes([w for _, w, _ in emotions])
    # Look each distinct word up once, then spread by code.
    entries = [vocab.emotions.get(w) for w in words]
    word_family = [e.family if e else "unknown" for e in entries]
    family_codes, families = _codes(word_family)
    emo_family = family_codes[emo_word] if len(words) else np.empty(0, dtype=np.int64)
    pleasantness = np.array([e.pleasantness if e else 0 for e in entries], dtype=np.int64)
    emo_pleasantness = pleasantness[emo_word] if len(words) else np.empty(0, dtype=np.int64)
    excluded = np.array([f in (NUMB_FAMILY, NOT_SURE_FAMILY, "unknown") for f in word_family], dtype=bool)
    emo_excluded = excluded[emo_word] if len(words) else np.empty(0, dtype=bool)
    emo_intensity = np.fromiter((i for _, _, i in emotions), dtype=np.int64, count=len(emotions))

    tag_pairs = [t for t in _raw(CheckInTag.objects.filter(checkin__in=chosen).order_by()
                                 .values_list("checkin_id", "name")) if t[0] in position]
    tag_row = np.fromiter((position[c] for c, _ in tag_pairs), dtype=np.int64, count=len(tag_pairs))
    tag_code, tags = _codes([t for _, t in tag_pairs])
    body_pairs = [(i, b) for i, row in enumerate(rows) if row[3] not in (None, "[]", [])
                  for b in (json.loads(row[3]) if isinstance(row[3], str) else row[3])]
    body_row = np.fromiter((i for i, _ in body_pairs), dtype=np.int64, count=len(body_pairs))
    body_code, body = _codes([b for _, b in body_pairs])
    return CheckInArrays(
        epoch=epoch, local_day=local_day, local_hour=local_hour, weekday=weekday, numbness=numbness,
        emo_row=emo_row, emo_word=emo_word, emo_family=emo_family, emo_pleasantness=emo_pleasantness,
        emo_intensity=emo_intensity, emo_excluded=emo_excluded, words=words, families=families,
        tag_row=tag_row, tag_code=tag_code, tags=tags, body_row=body_row, body_code=body_code, body=body,
        substance_epoch=_substance_epochs(person, since, until),
    )


def _substance_epochs(person: Any, since: datetime | None, until: datetime | None) -> np.ndarray:
    """Times of the person's logged substance uses in the window (for "followed by use within 24 h").

    Uses after ``until`` cannot matter: the engine only counts a check-in whose next 24 hours
    are over by the end of the window.
    """
    qs = SubstanceUse.objects.filter(person=person)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lte=until)
    times = [row[0] for row in _raw(qs.order_by("at").values_list("at"))]
    return _epochs(times) if times else np.empty(0, dtype=np.float64)

GRANULARITY_WINDOW_DAYS = 90  # granularity over time: each point is over the 90 days before it


def granularity_span(end: datetime, months: int = 12) -> datetime:
    """The earliest moment month-by-month granularity up to ``end`` reads."""
    return end - timedelta(days=30 * (months - 1) + GRANULARITY_WINDOW_DAYS)


class PersonSpan:
    """One person's check-ins read once (on first use) for ``since``..``until``, then cut into
    the windows a page needs, each computed at most once.

    The clinician's person page and the insights page look at up to eighteen overlapping
    windows (month-by-month granularity, the 90 days, since the last session); reading each from
    the database cost most of their time. Every window must lie inside the span.
    """

    def __init__(self, person: Any, since: datetime | None, until: datetime | None = None) -> None:
        self.person, self.since, self.until = person, since, until
        self._arrays: CheckInArrays | None = None
        self._results: dict[tuple[Any, ...], dict[str, Any]] = {}

    def window(self, since: datetime | None, until: datetime | None) -> CheckInArrays:
        if self.since is not None and (since is None or since < self.since):
            raise ValueError(f"{since} is before the span read ({self.since})")
        if self.until is not None and (until is None or until > self.until):
            raise ValueError(f"{until} is after the span read ({self.until})")
        if self._arrays is None:
            self._arrays = load_arrays(self.person, self.since, self.until)
        return self._arrays.between(since.timestamp() if since is not None else None,
                                    until.timestamp() if until is not None else None)

    def insights(self, since: datetime | None, until: datetime | None, now: datetime,
                 *, with_substances: bool = True) -> dict[str, Any]:
        """``compute_insights`` over a window, once per window (callers must not change the result)."""
        key = (since, until, now, with_substances)
        if key not in self._results:
            arrays = self.window(since, until)
            if not with_substances:
                arrays = dataclasses.replace(arrays, substance_epoch=np.empty(0, dtype=np.float64))
            self._results[key] = compute_insights(arrays, now_epoch=now.timestamp())
        return self._results[key]
