"""Taking, listing and scheduling assessments; the edge between scoring and storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from thaw.assessments.instruments import Instrument, instruments
from thaw.assessments.models import Assessment
from thaw.assessments.scoring import (
    BASIS_FEMALE,
    BASIS_MALE,
    BASIS_SITE,
    BASIS_UNSPECIFIED,
    RULES_VERSION,
    AnswersInvalid,
    change_status,
    score,
    summary_text,
)
from thaw.safety.backstop import crisis_language
from thaw.safety.models import FlagKind, RiskFlag
from thaw.safety.services import raise_flag, resources_payload
from thaw.text import take_text


def instrument_or_error(key: object) -> Instrument:
    found = instruments()
    if not isinstance(key, str) or key not in found:
        raise AnswersInvalid({"instrument": f"unknown instrument; use one of {', '.join(found)}"})
    return found[key]


def cutoff_for(instrument: Instrument, person: Any) -> tuple[int, str]:
    """The screening cut-off that applies to this person, and why.

    Only the AUDIT-C's depends on the person (their ``screening_sex``; not given uses the
    lower cut-off). ``THAW_AUDIT_C_CUTOFF``, when set, overrides it for everyone.
    """
    if not instrument.cutoff.by_sex:
        return instrument.cutoff.score, ""
    override = getattr(settings, "THAW_AUDIT_C_CUTOFF", None)
    if override:
        return int(override), BASIS_SITE
    sex = getattr(person, "screening_sex", "") or None
    basis = {"female": BASIS_FEMALE, "male": BASIS_MALE}.get(sex or "", BASIS_UNSPECIFIED)
    return instrument.cutoff.for_sex(sex), basis


REPEAT_WINDOW = timedelta(seconds=10)


def _clean_difficulty(instrument: Instrument, value: object) -> int | None:
    if value is None:
        return None
    if instrument.difficulty is None:
        raise AnswersInvalid({"difficulty": f"only the PHQ-9 asks this question; leave it out for the {instrument.name}"})
    allowed = sorted(instrument.difficulty.values)
    if not isinstance(value, int) or isinstance(value, bool) or value not in allowed:
        raise AnswersInvalid({"difficulty": f"must be a whole number from {allowed[0]} to {allowed[-1]}, or null"})
    return value


def clean_worst_event(instrument: Instrument, value: object) -> str:
    if value is None or value == "":
        return ""
    if instrument.anchor is None:
        raise AnswersInvalid({"worst_event": f"only the PCL-5 asks this; leave it out for the {instrument.name}"})
    errors: dict[str, str] = {}
    value = take_text(errors, "worst_event", value, instrument.anchor.max_length)
    if errors:
        raise AnswersInvalid(errors)
    return value.strip()


def _crisis_reason(matches: list[Any]) -> str:
    categories = sorted({m.category for m in matches})
    return "Crisis language (" + ", ".join(c.replace("_", " ") for c in categories) + ")"


def take(person: Any, instrument_key: object, answers: object, *, difficulty: object = None,
         worst_event: object = None) -> Assessment:
    """Score and store an assessment in one transaction; raise AnswersInvalid on bad input."""
    instrument = instrument_or_error(instrument_key)
    cut, basis = cutoff_for(instrument, person)
    result = score(instrument, answers, cutoff=cut, cutoff_basis=basis)  # type: ignore[arg-type]
    asked = list(result.answers)
    chosen = _clean_difficulty(instrument, difficulty)
    event = clean_worst_event(instrument, worst_event)
    # Scanned before the write transaction opens, so the scan never holds the writer lock.
    event_matches = crisis_language(event) if event else []
    findings = result.findings()
    with transaction.atomic():
        previous = Assessment.objects.filter(person=person, instrument=instrument.id).order_by("-taken_at").first()
        if (previous is not None and previous.answers == asked and previous.difficulty == chosen
                and previous.worst_event == event and timezone.now() - previous.created_at < REPEAT_WINDOW):
            return previous  # the same answers sent twice (a double submit or a retry): one result
        change = change_status(instrument, previous.score, result.score, cutoff=cut) if previous else None
        if change is not None:
            findings["clinically_meaningful"] = change.clinically_meaningful
        assessment = Assessment.objects.create(
            person=person, instrument=instrument.id, answers=asked, score=result.score, band=result.label,
            subscores={**result.subscores, **{k: v["score"] for k, v in result.short_forms.items()}},
            crisis=result.crisis or bool(event_matches), previous_score=change.previous_score if change else None,
            change_status=(change.status or "") if change else "", rules_version=RULES_VERSION, findings=findings,
            difficulty=chosen, worst_event=event,
        )
        already = RiskFlag.objects.filter(kind=FlagKind.ASSESSMENT_ITEM, source_id=str(assessment.id)).exists()
        for reason in [] if already else result.critical:  # the clinic's rules may have raised it just now
            raise_flag(person, kind=FlagKind.ASSESSMENT_ITEM, source="assessment", source_id=str(assessment.id),
                       reason=f"{instrument.name}: {reason}")
        if event_matches:
            raise_flag(person, kind=FlagKind.CRISIS_LANGUAGE, source="assessment", source_id=str(assessment.id),
                       reason=f"{instrument.name} note: {_crisis_reason(event_matches)}")
    return assessment


def _in_reader_language(text: str) -> str:
    """An instrument file's text in Thaw's own words, translated (an empty one stays empty: gettext
    of "" would be the catalogue's header)."""
    return gettext(text) if text else text


def summary_of(assessment: Assessment, instrument: Instrument) -> str:
    """The result in plain words, in the reader's language.

    Written when shown from what the rules found when it was scored (``findings``: the band, the
    cut-off that applied and why, the PCL-5 pattern, the WHO-5 single-answer rule), never by
    scoring again; the English summary stored with the result is left as it is, and shown when its
    findings no longer match the instrument. Results from the first rules show their band's text.
    """
    findings = assessment.findings or {}
    stored = findings.get("summary")
    if stored:
        written = summary_text(
            instrument, label=assessment.band, score=assessment.score, cutoff=findings.get("cutoff"),
            cutoff_basis=findings.get("cutoff_basis"), above_cutoff=findings.get("above_cutoff"),
            clusters_met=findings.get("dsm5_clusters_met"), item_rule_met=findings.get("item_rule_met"),
            translate=_in_reader_language)
        return written if written is not None else str(stored)
    plain = next((_in_reader_language(b.plain) for b in instrument.bands if b.label == assessment.band), "")
    first = gettext("Scored with Thaw's first rules (version %(version)s), before the published-rules review; it is "
                    "shown as it was scored.") % {"version": assessment.rules_version}
    return f"{first} {plain}".strip()


def as_dict(assessment: Assessment, *, with_resources: bool = True) -> dict[str, Any]:
    instrument = instruments()[assessment.instrument]
    findings = assessment.findings or {}
    change = None
    if assessment.previous_score is not None:
        change = {"previous_score": assessment.previous_score, "delta": assessment.delta,
                  "status": assessment.change_status or None,
                  "clinically_meaningful": findings.get("clinically_meaningful")}
    difficulty = None
    if assessment.difficulty is not None and instrument.difficulty is not None:
        difficulty = {"value": assessment.difficulty, "label": instrument.difficulty.label_for(assessment.difficulty)}
    body: dict[str, Any] = {
        "id": str(assessment.id),
        "instrument": assessment.instrument,
        "name": instrument.name,
        "score": assessment.score,
        "max_score": instrument.max_score,
        "band": assessment.band,
        "summary": summary_of(assessment, instrument),
        "above_cutoff": findings.get("above_cutoff"),
        "cutoff": findings.get("cutoff"),
        "dsm5_clusters_met": findings.get("dsm5_clusters_met"),
        "clusters": findings.get("clusters"),
        "item_rule_met": findings.get("item_rule_met"),
        "difficulty": difficulty,
        "worst_event": assessment.worst_event or None,
        "rules_version": assessment.rules_version,
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
