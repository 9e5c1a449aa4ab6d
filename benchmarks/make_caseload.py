#!/usr/bin/env python3
"""Make a synthetic caseload: N people with a year of data each, enrolled in one program.

Per person: about 3 check-ins a day (1–2 emotion words each; numbness drifts day to day),
a PHQ-9 every 14 days scored as published (with reliable-change status) and set as homework
at that cadence (GAD-7 every 30 days too for a third, never taken), and for about 5 % an open
risk flag. Used by ``triage_bench.py``; run on its own against the configured
database (``THAW_DATA_DIR`` / ``DATABASE_URL``):

    .venv/bin/python benchmarks/make_caseload.py --people 500 --days 365
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ["numb", "empty", "flat", "tired", "lonely", "calm", "anxious", "sad", "hopeful", "content", "not sure"]


def build(people: int = 500, days: int = 365, seed: int = 7) -> dict[str, int]:
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from thaw.accounts.models import Role, User
    from thaw.assessments.instruments import instruments
    from thaw.assessments.models import Assessment
    from thaw.assessments.scoring import change_status, score
    from thaw.checkins.models import CheckIn, CheckInEmotion
    from thaw.circle.models import Grant
    from thaw.clinic.models import Homework, Membership, Program
    from thaw.safety.models import FlagKind, RiskFlag

    rng = random.Random(seed)
    now = timezone.now()
    phq9 = instruments()["phq9"]
    password = make_password("benchmark passphrase 1")
    clinician = User.objects.create(email="bench-clinician@example.org", password=password, role=Role.CLINICIAN)
    Authenticator.objects.create(user=clinician, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    program = Program.objects.create(name="Bench IOP", lead=clinician)
    Membership.objects.create(program=program, clinician=clinician, on_duty=True)
    counts = {"people": 0, "checkins": 0, "emotions": 0, "assessments": 0, "flags": 0}
    for n in range(people):
        person = User.objects.create(email=f"bench-{n}@example.org", password=password, role=Role.PERSON)
        Grant.objects.create(owner=person, program=program, name=program.name, accepted_at=now - timedelta(days=days),
                             categories=["summary", "checkins", "assessments", "grounding", "flags"])
        checkins, emotions = [], []
        level = rng.uniform(2, 8)
        quiet_from = days - rng.randint(6, 20) if rng.random() < 0.08 else days  # some go quiet lately
        for day in range(days):
            level = min(10.0, max(0.0, level + rng.gauss(0, 0.8)))
            if day >= quiet_from:
                continue
            for _ in range(max(0, round(rng.gauss(3, 1)))):
                at = now - timedelta(days=days - day, hours=-rng.uniform(8, 22))
                if at > now:
                    continue
                c = CheckIn(id=uuid.uuid4(), person=person, at=at, numbness=round(min(10, max(0, rng.gauss(level, 1.5)))),
                            created_at=at, updated_at=at)
                checkins.append(c)
                for pos, word in enumerate(rng.sample(WORDS, rng.randint(1, 2))):
                    emotions.append(CheckInEmotion(checkin=c, word=word, intensity=rng.randint(1, 10), position=pos))
        CheckIn.objects.bulk_create(checkins, batch_size=5000)
        CheckInEmotion.objects.bulk_create(emotions, batch_size=5000)
        assessments, previous = [], None
        severity = rng.uniform(0, 2.2)
        for k in range(days // 14):
            severity = min(3.0, max(0.0, severity + rng.gauss(0, 0.35)))
            answers = [min(3, max(0, round(rng.gauss(severity, 0.7)))) for _ in range(8)] + [0]
            result = score(phq9, answers)
            change = change_status(phq9, previous, result.score) if previous is not None else None
            taken = now - timedelta(days=days - 14 * k)
            assessments.append(Assessment(person=person, instrument="phq9", answers=answers, score=result.score,
                                          band=result.band.label, previous_score=previous,
                                          change_status=(change.status or "") if change else "",
                                          taken_at=taken, created_at=taken))
            previous = result.score
        Assessment.objects.bulk_create(assessments)
        cadence = {"phq9": 14, **({"gad7": 30} if n % 3 == 0 else {})}
        Homework.objects.create(person=person, program=program, assigned_by=clinician, assessments=cadence,
                                created_at=now - timedelta(days=days))
        if rng.random() < 0.05:
            RiskFlag.objects.create(person=person, kind=FlagKind.CRISIS_LANGUAGE, source="checkin",
                                    reason="Crisis language in a check-in note", created_at=now - timedelta(hours=3))
            counts["flags"] += 1
        counts["people"] += 1
        counts["checkins"] += len(checkins)
        counts["emotions"] += len(emotions)
        counts["assessments"] += len(assessments)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thaw.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    counts = build(args.people, args.days)
    print(f"made {counts} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
