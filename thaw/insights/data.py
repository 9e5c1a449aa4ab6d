"""Load one person's check-ins from the database into the engine's columnar arrays.

This is the only part of insights that touches the ORM: a handful of flat queries,
turned into numpy arrays with codes for words, families, tags and body sensations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from thaw.checkins.models import CheckIn, CheckInEmotion, CheckInTag
from thaw.checkins.vocabulary import NOT_SURE_FAMILY, NUMB_FAMILY, vocabulary
from thaw.insights.engine import CheckInArrays

EPOCH_DAY = 86400


def _codes(values: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    names = tuple(sorted(set(values)))
    index = {name: i for i, name in enumerate(names)}
    return np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values)), names


def load_arrays(person: Any, since: datetime | None = None, until: datetime | None = None) -> CheckInArrays:
    qs = CheckIn.objects.filter(person=person)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lte=until)
    rows = list(qs.order_by("at", "id").values_list("id", "at", "numbness", "body"))
    if not rows:
        return CheckInArrays.empty()
    tz = ZoneInfo(person.timezone) if person.timezone else ZoneInfo("UTC")
    position = {row[0]: i for i, row in enumerate(rows)}
    n = len(rows)
    epoch = np.empty(n, dtype=np.float64)
    offset = np.empty(n, dtype=np.float64)
    numbness = np.empty(n, dtype=np.float64)
    cache: dict[int, float] = {}
    for i, (_, at, value, _) in enumerate(rows):
        seconds = at.timestamp()
        epoch[i] = seconds
        hour_key = int(seconds // 3600)
        shift = cache.get(hour_key)
        if shift is None:  # UTC offsets only change on the hour; one lookup per distinct hour
            shift = cache[hour_key] = at.astimezone(tz).utcoffset().total_seconds()  # type: ignore[union-attr]
        offset[i] = shift
        numbness[i] = value
    local = epoch + offset
    local_day = np.floor_divide(local, EPOCH_DAY).astype(np.int64)
    local_hour = (np.floor_divide(local, 3600) % 24).astype(np.int64)
    weekday = ((local_day + 3) % 7).astype(np.int64)  # 1970-01-01 was a Thursday

    vocab = vocabulary()
    chosen = qs.values("id")
    emotions = list(CheckInEmotion.objects.filter(checkin__in=chosen).values_list("checkin_id", "word", "intensity"))
    emo_row = np.fromiter((position[c] for c, _, _ in emotions), dtype=np.int64, count=len(emotions))
    emo_word, words = _codes([w for _, w, _ in emotions])
    families_of = [vocab.emotions[w].family if w in vocab.emotions else "unknown" for _, w, _ in emotions]
    emo_family, families = _codes(families_of)
    emo_pleasantness = np.fromiter(
        (vocab.emotions[w].pleasantness if w in vocab.emotions else 0 for _, w, _ in emotions), dtype=np.int64,
        count=len(emotions))
    emo_intensity = np.fromiter((i for _, _, i in emotions), dtype=np.int64, count=len(emotions))
    emo_excluded = np.fromiter((f in (NUMB_FAMILY, NOT_SURE_FAMILY, "unknown") for f in families_of), dtype=bool,
                               count=len(emotions))

    tag_pairs = list(CheckInTag.objects.filter(checkin__in=chosen).values_list("checkin_id", "name"))
    tag_row = np.fromiter((position[c] for c, _ in tag_pairs), dtype=np.int64, count=len(tag_pairs))
    tag_code, tags = _codes([t for _, t in tag_pairs])
    body_pairs = [(i, b) for i, row in enumerate(rows) for b in (row[3] or [])]
    body_row = np.fromiter((i for i, _ in body_pairs), dtype=np.int64, count=len(body_pairs))
    body_code, body = _codes([b for _, b in body_pairs])
    return CheckInArrays(
        epoch=epoch, local_day=local_day, local_hour=local_hour, weekday=weekday, numbness=numbness,
        emo_row=emo_row, emo_word=emo_word, emo_family=emo_family, emo_pleasantness=emo_pleasantness,
        emo_intensity=emo_intensity, emo_excluded=emo_excluded, words=words, families=families,
        tag_row=tag_row, tag_code=tag_code, tags=tags, body_row=body_row, body_code=body_code, body=body,
        substance_epoch=np.empty(0, dtype=np.float64),
    )
