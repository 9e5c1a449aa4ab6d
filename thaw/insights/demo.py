"""A demo person with a year of realistic, synthetic check-ins (``thaw demo``).

Planted patterns (the insights page must find these, and nothing else):

1. Check-ins tagged **work** have numbness about 2.5 points higher.
2. Check-ins with the body sensation **everywhere/absent** have numbness about 2.5 higher.
3. Check-ins tagged **friends** have numbness about 2 points lower.

Everything else (other tags, other body sensations, time of day, weekday) is drawn
independently of numbness, so any other "pattern" would be a false discovery. The
emotion vocabulary widens over the year, so granularity and breadth grow.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from thaw.checkins.models import CheckIn, CheckInEmotion, CheckInTag, Source

DEMO_EMAIL = "demo@thaw.invalid"
PLANTED = ("tag:work", "body:everywhere/absent", "tag:friends")

NEGATIVE = {
    "sadness": ["sad", "heavy", "low", "down"], "loneliness": ["lonely", "isolated", "left out"],
    "fear": ["anxious", "worried", "nervous", "uneasy"], "anger": ["irritated", "frustrated", "annoyed"],
    "tiredness": ["tired", "drained", "exhausted"], "shame": ["ashamed", "guilty", "inadequate"],
}
POSITIVE = {
    "calm": ["calm", "relaxed", "content"], "joy": ["cheerful", "happy", "glad"],
    "love": ["connected", "loved", "warm"], "hope": ["hopeful", "optimistic"], "gratitude": ["grateful", "thankful"],
}
NUMB = ["numb", "empty", "flat", "detached", "disconnected", "foggy", "shut down"]
OTHER_TAGS = ["home", "alone", "family", "screens", "commute", "chores", "outside", "partner"]
OTHER_BODY = ["chest/tight", "stomach/heavy", "shoulders/tense", "head/aching", "legs/restless", "throat/tight"]


@dataclass(frozen=True)
class DemoSummary:
    email: str
    password: str
    checkins: int
    created: bool


def _available(words: dict[str, list[str]], progress: float) -> list[tuple[str, str]]:
    """Early in the year only the first word of each family; more words arrive over time."""
    pairs = []
    for family, options in words.items():
        count = 1 + int(progress * (len(options) - 1) + 0.5)
        pairs += [(family, w) for w in options[:count]]
    return pairs


def generate(person: Any, *, days: int = 365, per_day: float = 3.0, seed: int = 7,
             end: datetime | None = None) -> int:
    """Write ``days`` of synthetic check-ins for ``person``; returns how many."""
    from thaw.checkins.vocabulary import vocabulary

    vocab = vocabulary()
    rng = np.random.default_rng(seed)
    end = end or timezone.now()
    start = end - timedelta(days=days)
    checkins: list[CheckIn] = []
    emotions: list[CheckInEmotion] = []
    tags: list[CheckInTag] = []
    for day in range(days):
        for _ in range(rng.poisson(per_day)):
            at = start + timedelta(days=day, seconds=int(rng.integers(0, 86400)))
            if at > end:
                continue
            progress = day / days
            work = rng.random() < 0.35
            friends = rng.random() < 0.15
            absent = rng.random() < 0.12
            numbness = 3.5 + 2.5 * work + 2.5 * absent - 2.0 * friends - 1.0 * progress + rng.normal(0, 1.6)
            numbness = int(np.clip(round(numbness), 0, 10))
            body = [b for b in OTHER_BODY if rng.random() < 0.1] + (["everywhere/absent"] if absent else [])
            checkin = CheckIn(person=person, at=at, numbness=numbness, body=body, source=Source.WEB,
                              created_at=at, updated_at=at, note="")
            checkins.append(checkin)
            chosen: list[tuple[str, int]] = []
            if numbness >= 7 and rng.random() < 0.6:
                chosen.append((str(rng.choice(NUMB)), int(rng.integers(5, 10))))
            pool = _available(NEGATIVE if rng.random() < 0.6 else POSITIVE, progress)
            for index in rng.choice(len(pool), size=min(len(pool), int(rng.integers(1, 4))), replace=False):
                family, word = pool[int(index)]
                if word in vocab.emotions and word not in {w for w, _ in chosen}:
                    chosen.append((word, int(rng.integers(2, 10))))
            for position, (word, intensity) in enumerate(chosen[:5]):
                emotions.append(CheckInEmotion(checkin=checkin, word=word, intensity=intensity, position=position))
            names = {t for t in OTHER_TAGS if rng.random() < 0.12}
            if work:
                names.add("work")
            if friends:
                names.add("friends")
            tags += [CheckInTag(checkin=checkin, name=name) for name in sorted(names)]
    with transaction.atomic():
        CheckIn.objects.bulk_create(checkins, batch_size=2000)
        CheckInEmotion.objects.bulk_create(emotions, batch_size=5000)
        CheckInTag.objects.bulk_create(tags, batch_size=5000)
    return len(checkins)


def ensure_demo(password: str | None = None) -> DemoSummary:
    """Create the demo person and their year once; later runs only reset the password."""
    from thaw.accounts.models import Role, User

    password = password or secrets.token_urlsafe(12)
    user = User.objects.filter(email=DEMO_EMAIL).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(DEMO_EMAIL, password, role=Role.PERSON, display_name="Demo")
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    count = CheckIn.objects.filter(person=user).count()
    if count == 0:
        count = generate(user)
    return DemoSummary(DEMO_EMAIL, password, count, created)
