"""What an export document must look like before ``thaw import`` writes any of it.

Every field ``restore`` reads is checked here first, with its type, its range and its text
through the one gate (``thaw.text``), so a malformed or edited file is refused with one line
saying what is wrong and where (``checkins[3].numbness: must be at most 10``), before the
password is asked for and before anything is written. Fields this version does not import
(the audit trail, sharing, care teams, Learn comments, contact requests) are ignored.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from thaw.assessments.api import WORST_EVENT_MAX
from thaw.assessments.scoring import RULES_VERSION
from thaw.checkins.models import Source as CheckInSource
from thaw.checkins.rules import NOTE_MAX, TagRule
from thaw.core.language import WORD_FORMS
from thaw.core.language import codes as language_codes
from thaw.grounding.exercises import AFFIRMATION_MAX
from thaw.grounding.models import Source as GroundingSource
from thaw.grounding.rules import NOTE_MAX as GROUNDING_NOTE_MAX
from thaw.safety.models import PLAN_FIELD_MAX, FlagKind
from thaw.substances.models import GoalKind
from thaw.substances.rules import CUSTOM_NAME_MAX, HELPED_NOTE_MAX
from thaw.substances.units import SUBSTANCES
from thaw.text import SHORT, Text
from thaw.validation import validation_message

FORMAT = "thaw-export"
VERSION = 1


class DocumentInvalid(ValueError):
    """``where`` (``checkins[3].numbness``) and ``what`` is wrong with it, in a person's words."""

    def __init__(self, where: str, what: str, more: int = 0) -> None:
        self.where, self.what, self.more = where, what, more
        also = f" (and {more} more problem{'s' if more != 1 else ''})" if more else ""
        super().__init__(f"{where}: {what}{also}" if where else f"{what}{also}")


def _time(value: str) -> str:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("thaw", "must be an ISO-8601 date and time, e.g. 2026-03-01T14:30:00+00:00") from None
    return value


def _day(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("thaw", "must be an ISO-8601 date, e.g. 2026-03-01") from None
    return value


def _uuid(value: str) -> str:
    try:
        uuid.UUID(value)
    except ValueError:
        raise PydanticCustomError("thaw", "must be an id like 123e4567-e89b-12d3-a456-426614174000") from None
    return value


def _one_of(choices: Iterable[str]) -> Any:
    allowed = tuple(choices)

    def check(value: str) -> str:
        if value not in allowed:
            raise PydanticCustomError("thaw", "must be one of: " + ", ".join(allowed))
        return value

    return AfterValidator(check)


def _readable_version(value: int) -> int:
    if value != VERSION:
        raise PydanticCustomError("thaw", f"this file is version {value} of the export; this Thaw reads version {VERSION}")
    return value


Time = Annotated[Text(SHORT), AfterValidator(_time)]
Day = Annotated[Text(SHORT), AfterValidator(_day)]
Id = Annotated[Text(SHORT), AfterValidator(_uuid)]
Rating = Annotated[StrictInt, Field(ge=0, le=10)]
Count = Annotated[StrictInt, Field(ge=0, le=32_767)]
Amount = Annotated[StrictFloat | StrictInt, Field(ge=0, le=1_000_000)]
Substance = Annotated[Text(16), _one_of(SUBSTANCES)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _email(value: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(value.strip())
    except ValidationError:
        raise PydanticCustomError("thaw", "is not an email address") from None
    return value


class Account(_Record):
    email: Annotated[Text(254), AfterValidator(_email)]
    display_name: Text(80) = ""
    timezone: Text(64) = "UTC"
    crisis_region: Text(8) = ""
    screening_sex: Annotated[Text(8), _one_of(("female", "male"))] | None = None
    screening_sex_answered_at: Time | None = None
    # Exports from before these were exported have none: the profile then follows the browser.
    language: Annotated[Text(8), _one_of(language_codes())] | None = None
    word_forms: Annotated[Text(10), _one_of(WORD_FORMS)] | None = None
    last_language: Annotated[Text(8), _one_of(language_codes())] | None = None
    date_joined: Time | None = None


class Emotion(_Record):
    word: Text(40)
    intensity: Rating


def _numbness_may_be_missing() -> bool:
    from thaw.checkins.models import CheckIn  # "not rated" may be stored once the model allows it

    return bool(CheckIn._meta.get_field("numbness").null)


class CheckInRecord(_Record):
    id: Id
    at: Time
    numbness: Rating | None
    emotions: list[Emotion]
    body: list[Text(SHORT)]
    tags: list[Text(TagRule.MAX_LENGTH)]
    note: Text(NOTE_MAX)
    source: Annotated[Text(8), _one_of(CheckInSource.values)]
    created_at: Time
    updated_at: Time

    @model_validator(mode="after")
    def _numbness_given(self) -> CheckInRecord:
        if self.numbness is None and not _numbness_may_be_missing():
            raise PydanticCustomError("thaw", "numbness must be a whole number from 0 to 10")
        return self


class AssessmentRecord(_Record):
    id: Id
    instrument: Text(16)
    answers: list[Count]
    score: Count
    band: Text(64)
    subscores: dict[Text(SHORT), Count | float] = {}
    crisis: StrictBool
    previous_score: Count | None = None
    change_status: Text(24) | None = None
    rules_version: Annotated[StrictInt, Field(ge=1, le=RULES_VERSION)] = 1  # exports from before rules versions: 1
    findings: dict[Text(SHORT), Any] = {}
    difficulty: Annotated[StrictInt, Field(ge=0, le=3)] | None = None
    worst_event: Text(WORST_EVENT_MAX) = ""
    taken_at: Time
    created_at: Time


class SafetyPlanRecord(_Record):
    warning_signs: Text(PLAN_FIELD_MAX) = ""
    coping_steps: Text(PLAN_FIELD_MAX) = ""
    distractions: Text(PLAN_FIELD_MAX) = ""
    people_to_ask: Text(PLAN_FIELD_MAX) = ""
    professionals: Text(PLAN_FIELD_MAX) = ""
    safer_environment: Text(PLAN_FIELD_MAX) = ""
    reasons: Text(PLAN_FIELD_MAX) = ""
    updated_at: Time


class RiskFlagRecord(_Record):
    kind: Annotated[Text(32), _one_of(FlagKind.values)]
    source: Text(32)
    source_id: Text(64)
    reason: Text(200)
    created_at: Time
    acknowledged_at: Time | None = None


class GroundingRecord(_Record):
    id: Id
    exercise: Text(40)
    started_at: Time
    ended_at: Time
    completed: StrictBool
    made_worse: StrictBool
    note: Text(GROUNDING_NOTE_MAX) = ""
    source: Annotated[Text(8), _one_of(GroundingSource.values)] = "web"
    created_at: Time
    before_presence: Rating | None = None
    before_numbness: Rating | None = None
    after_presence: Rating | None = None
    after_numbness: Rating | None = None


class AffirmationRecord(_Record):
    text: Text(AFFIRMATION_MAX)
    created_at: Time


class UseRecord(_Record):
    id: Id
    substance: Substance
    custom_name: Text(CUSTOM_NAME_MAX) | None = ""
    amount: Amount | None = None
    unit: Text(20) | None = ""
    abv: Annotated[StrictFloat | StrictInt, Field(ge=0, le=100)] | None = None
    standard_drinks: Amount | None = None
    at: Time
    craving: Rating | None = None
    motives: list[Text(SHORT)] = []
    note: Text(NOTE_MAX) = ""
    created_at: Time
    updated_at: Time


class CravingRecord(_Record):
    id: Id
    substance: Substance
    custom_name: Text(CUSTOM_NAME_MAX) | None = ""
    at: Time
    intensity: Rating
    helped: list[Text(SHORT)] = []
    helped_note: Text(HELPED_NOTE_MAX) = ""
    created_at: Time


class GoalRecord(_Record):
    substance: Substance
    kind: Annotated[Text(16), _one_of(GoalKind.values)]
    weekly_limit: Amount | None = None
    limit_unit: Text(20) = ""
    since: Day
    active: StrictBool
    created_at: Time

    @model_validator(mode="after")
    def _limit_matches_kind(self) -> GoalRecord:
        if self.kind == "weekly_limit" and not self.weekly_limit:
            raise PydanticCustomError("thaw", "a weekly_limit goal needs a weekly_limit more than 0")
        if self.kind == "abstain" and self.weekly_limit is not None:
            raise PydanticCustomError("thaw", "an abstain goal has no weekly_limit")
        return self


class PreferencesRecord(_Record):
    drink_size: Text(8) = ""
    show_days_since: StrictBool = True


class ExportDocument(_Record):
    format: Annotated[Text(SHORT), _one_of((FORMAT,))]
    version: Annotated[StrictInt, AfterValidator(_readable_version)]
    account: Account
    checkins: list[CheckInRecord] = []
    assessments: list[AssessmentRecord] = []
    safety_plan: SafetyPlanRecord | None = None
    risk_flags: list[RiskFlagRecord] = []
    grounding_sessions: list[GroundingRecord] = []
    affirmations: list[AffirmationRecord] = []
    substance_uses: list[UseRecord] = []
    substance_cravings: list[CravingRecord] = []
    substance_goals: list[GoalRecord] = []
    substance_preferences: PreferencesRecord | None = None


def where(loc: Iterable[Any]) -> str:
    """("checkins", 3, "numbness") → "checkins[3].numbness"."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def check_document(document: object) -> dict[str, Any]:
    """The document with every field ``restore`` reads present and sound (defaults filled in),
    or ``DocumentInvalid`` naming the first problem. Touches no database."""
    if not isinstance(document, dict):
        kind = "a list" if isinstance(document, list) else "not an object"
        raise DocumentInvalid("", f"a Thaw export is a JSON object; this file holds {kind}")
    if document.get("format") != FORMAT:
        raise DocumentInvalid("format", f"this is not a Thaw export (a Thaw export says \"format\": \"{FORMAT}\")")
    try:
        checked = ExportDocument.model_validate(document)
    except PydanticValidationError as exc:
        problems = exc.errors()
        first = problems[0]
        raise DocumentInvalid(where(first.get("loc", ())), validation_message(first), len(problems) - 1) from None
    active = [g.substance for g in checked.substance_goals if g.active]
    for n, goal in enumerate(checked.substance_goals):
        if goal.active and active.count(goal.substance) > 1:
            raise DocumentInvalid(f"substance_goals[{n}].active", f"only one goal for {goal.substance} can be active")
    return checked.model_dump(mode="python")
