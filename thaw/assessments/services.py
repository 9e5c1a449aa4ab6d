"""Taking, listing and scheduling assessments; the edge between scoring and storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from thaw.assessments.instruments import Instrument, instruments
from thaw.assessments.models import Assessment
from thaw.assessments.scoring import AnswersInvalid, change_status, score
from thaw.safety.models import FlagKind, RiskFlag
from thaw.safety.services import raise_flag, resources_payload


def instrument_or_error(key: object) -> Instrument:
    found = instruments()
    if not isinstance(key, str) or key not in found:
        raise AnswersInvalid({"instrument": f"unknown instrument; use one of {', '.join(found)}"})
    return found[key]


def caseness_for(instrument: Instrument) -> int | None:
    if instrument.id == "auditc":
        return int(settings.THAW_AUDIT_C_CUTOFF)
    return None


REPEAT_WINDOW = timedelta(seconds=10)


def take(person: Any, instrument_key: object, answers: object) -> Assessment:
    """Score and store an assessment in one transaction; raise AnswersInvalid on bad input."""
    instrument = instrument_or_error(instrument_key)
    cut = caseness_for(instrument)
    result = score(instrument, answers, caseness=cut)  # type: ignore[arg-type]
    with transaction.atomic():
        previous = Assessment.objects.filter(person=person, instrument=instrument.id).order_by("-taken_at").first()
        if (previous is not None and previous.answers == list(answers)  # type: ignore[arg-type]
                and timezone.now() - previous.created_at < REPEAT_WINDOW):
            return previous  # the same answers sent twice (a double submit or a retry): one result
        change = change_status(instrument, previous.score, result.score, caseness=cut) if previous else None
        assessment = Assessment.objects.create(
            person=person, instrument=instrument.id, answers=list(answers), score=result.score,  # type: ignore[arg-type]
            band=result.band.label, subscores={**result.subscores, **{k: v["score"] for k, v in result.short_forms.items()}},
            crisis=result.crisis, previous_score=change.previous_score if change else None,
            change_status=(change.status or "") if change else "",
        )
        already = RiskFlag.objects.filter(kind=FlagKind.ASSESSMENT_ITEM, source_id=str(assessment.id)).exists()
        for reason in [] if already else result.critical:  # the clinic's rules may have raised it just now
            raise_flag(person, kind=FlagKind.ASSESSMENT_ITEM, source="assessment", source_id=str(assessment.id),
                       reason=f"{instrument.name}: {reason}")
    return assessment


def as_dict(assessment: Assessment, *, with_resources: bool = True) -> dict[str, Any]:
    instrument = instruments()[assessment.instrument]
    change = None
    if assessment.previous_score is not None:
        change = {"previous_score": assessment.previous_score, "delta": assessment.delta,
                  "status": assessment.change_status or None}
    body: dict[str, Any] = {
        "id": str(assessment.id),
        "instrument": assessment.instrument,
        "name": instrument.name,
        "score": assessment.score,
        "max_score": instrument.max_score,
        "band": assessment.band,
        "subscores": assessment.subscores,
        "crisis": assessment.crisis,
        "resources": resources_payload(assessment.person) if (with_resources and assessment.crisis) else [],
        "change": change,
        "taken_at": assessment.taken_at.isoformat(),
    }
    return body


def own_assessment(person: Any, assessment_id: object) -> Assessment | None:
    """The person's own result, or None (someone else's is indistinguishable from none)."""
    from thaw import access

    return access.assessment(person, assessment_id, Assessment.objects.filter(person=person))


def history(person: Any, instrument_key: str | None = None) -> list[Assessment]:
    qs = Assessment.objects.filter(person=person).select_related("person")
    if instrument_key:
        qs = qs.filter(instrument=instrument_key)
    return list(qs.order_by("-taken_at"))


@dataclass(frozen=True)
class Due:
    instrument: Instrument
    last: Assessment | None
    due_on: datetime | None

    @property
    def is_due(self) -> bool:
        return self.due_on is None or self.due_on <= timezone.now()


def cadence_days(instrument: Instrument) -> int:
    return int(settings.THAW_ASSESSMENT_CADENCE.get(instrument.id, instrument.cadence_days))


def schedule(person: Any) -> list[Due]:
    latest: dict[str, Assessment] = {}
    for a in Assessment.objects.filter(person=person).order_by("instrument", "-taken_at"):
        latest.setdefault(a.instrument, a)
    rows = []
    for key, instrument in instruments().items():
        last = latest.get(key)
        due_on = last.taken_at + timedelta(days=cadence_days(instrument)) if last else None
        rows.append(Due(instrument, last, due_on))
    return rows
