"""What makes a substance-use entry, a craving or a goal valid: one set of rules for the
API and the web forms, pure functions of their inputs (no database).

Errors are raised as ``CheckInInvalid`` (from the check-in rules), so the API answers
them exactly like check-in errors: 422 with a message per field.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from thaw.checkins.rules import FUTURE_TOLERANCE, NOTE_MAX, CheckInInvalid, parse_time
from thaw.substances.units import (
    CUSTOM,
    HELPED,
    MOTIVES,
    SUBSTANCES,
    UNITS,
    standard_drinks,
)
from thaw.text import shown, take_text
from thaw.validation import count, decimal

CRAVING_MIN, CRAVING_MAX = 0, 10
CUSTOM_NAME_MAX = 60
HELPED_NOTE_MAX = 1000
WEEKLY_LIMIT_MAX = 10_000
GOAL_KINDS = ("abstain", "weekly_limit")
GOAL_UNIT_USES = "use"  # a weekly limit counted in times used, for any substance

USE_FIELDS = ("substance", "custom_name", "amount", "unit", "abv", "at", "craving", "motives", "note")
CRAVING_FIELDS = ("substance", "custom_name", "at", "intensity", "helped", "helped_note")

__all__ = ["CheckInInvalid", "clean_use", "clean_craving", "clean_goal", "goal_units"]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(float(value)))


def _decimal(value: object, places: str = "0.001") -> Decimal:
    """A JSON number or a typed string as a Decimal, or InvalidOperation."""
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, (int, float)):
        if not math.isfinite(float(value)):
            raise InvalidOperation
        number = Decimal(str(value))
    elif isinstance(value, str) and value.strip():
        number = Decimal(value.strip().replace(",", "."))
        if not number.is_finite():
            raise InvalidOperation
    else:
        raise InvalidOperation
    return number.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def said(choices: Mapping[str, str]) -> str:
    """Choices in a person's words, each followed by the value a script sends when it differs:
    ``standard drinks ("standard_drink") or times used ("use")``."""
    shown_words = {key: _(label) for key, label in choices.items()}
    words = [label if label == key else f"{label} (“{key}”)" for key, label in shown_words.items()]
    return words[0] if len(words) == 1 else _("%(some)s or %(last)s") % {"some": ", ".join(words[:-1]),
                                                                          "last": words[-1]}


def _unit_words(keys: Collection[str]) -> dict[str, str]:
    return {k: gettext_noop("times used") if k == GOAL_UNIT_USES else UNITS[k].label_plural if k in UNITS else k for k in keys}


def _substance_choices() -> str:
    return said({key: _(s.label).lower() for key, s in SUBSTANCES.items()})


def _clean_substance(data: Mapping[str, object], errors: dict[str, str]) -> str:
    value = data.get("substance")
    if not isinstance(value, str) or value not in SUBSTANCES:
        errors["substance"] = _("choose one of %(choices)s") % {"choices": _substance_choices()}
        return ""
    return value


def _clean_custom_name(data: Mapping[str, object], substance: str, errors: dict[str, str]) -> str:
    value = data.get("custom_name")
    if value is None or value == "":
        if substance == CUSTOM:
            errors["custom_name"] = _("give the substance a name, in your own words")
        return ""
    name = " ".join(take_text(errors, "custom_name", value, CUSTOM_NAME_MAX, subject="the name").split())
    if "custom_name" in errors:
        return ""
    if substance and substance != CUSTOM:
        errors["custom_name"] = _("a name of your own is only used with substance “%(custom)s”") % {"custom": CUSTOM}
    elif not name:
        errors["custom_name"] = _("give the substance a name, in your own words")
    return name


def _clean_text(value: object, field: str, limit: int, errors: dict[str, str]) -> str:
    return take_text(errors, field, value, limit).strip()


def _clean_at(value: object, now: datetime, tz: tzinfo, errors: dict[str, str]) -> datetime:
    if value is None or value == "":
        return now
    try:
        at = parse_time(value, tz)
    except (ValueError, TypeError, OverflowError):
        errors["at"] = _("the time must be an ISO-8601 date and time, e.g. 2026-03-01T21:30:00+01:00")
        return now
    if at > now + FUTURE_TOLERANCE:
        errors["at"] = _("the time is in the future; an entry can be at most 5 minutes ahead of now")
    elif at.year < 1970:
        errors["at"] = _("the time is before 1970")
    return at


def _clean_rating(value: object, field: str, errors: dict[str, str], *, required: bool) -> int | None:
    if value is None or value == "":
        if required:
            errors[field] = _("this field is required")
        return None
    if not _is_int(value) or not CRAVING_MIN <= value <= CRAVING_MAX:  # type: ignore[operator]
        errors[field] = _("must be a whole number from %(low)s (none) to %(high)s (as strong as it gets)") % {
            "low": CRAVING_MIN, "high": CRAVING_MAX}
        return None
    return value  # type: ignore[return-value]


def _clean_choices(value: object, field: str, allowed: Mapping[str, str], errors: dict[str, str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors[field] = _("must be a list of choices from: %(choices)s") % {"choices": said(allowed)}
        return []
    unknown = [v for v in value if v not in allowed]
    if unknown:
        errors[field] = _("%(value)s is not one of the choices; choose from: %(choices)s") % {
            "value": shown(unknown[0]), "choices": said(allowed)}
        return []
    return list(dict.fromkeys(value))


def _clean_amount(data: Mapping[str, object], substance: str, errors: dict[str, str]) -> tuple[Decimal | None, str]:
    raw_amount, raw_unit = data.get("amount"), data.get("unit")
    unit = raw_unit if isinstance(raw_unit, str) else ""
    if raw_unit not in (None, "") and not isinstance(raw_unit, str):
        errors["unit"] = _("the unit must be text")
    allowed = SUBSTANCES[substance].units if substance else ()
    if raw_amount is None or raw_amount == "":
        if unit:
            errors["amount"] = _("give an amount for the unit, or leave both out")
        return None, ""
    try:
        amount = _decimal(raw_amount)
    except (InvalidOperation, ValueError):
        errors["amount"] = _("the amount must be a number, e.g. 330 or 1.5")
        return None, unit
    if not unit:
        if "unit" not in errors:
            errors["unit"] = _("say what the amount counts: %(units)s") % {
                "units": said(_unit_words(allowed)) if allowed else _("a unit")}
        return None, ""
    if unit not in UNITS or (substance and unit not in allowed):
        units = said(_unit_words(allowed or UNITS))
        if substance:
            errors["unit"] = _("%(unit)s is not a unit for %(substance)s; use %(units)s") % {
                "unit": shown(unit), "substance": substance, "units": units}
        else:
            errors["unit"] = _("%(unit)s is not a unit; use %(units)s") % {"unit": shown(unit), "units": units}
        return None, unit
    if amount <= 0:
        errors["amount"] = _("the amount must be more than 0 (leave it out if you are not sure)")
    elif amount > Decimal(str(UNITS[unit].max_amount)):
        errors["amount"] = _("%(amount)s %(unit)s in one entry looks like a typo; the most Thaw takes is %(most)s") % {
            "amount": decimal(amount), "unit": unit, "most": decimal(UNITS[unit].max_amount)}
    return amount, unit


def _clean_abv(data: Mapping[str, object], substance: str, unit: str, errors: dict[str, str]) -> Decimal | None:
    raw = data.get("abv")
    wants_abv = substance == "alcohol" and unit == "ml"
    if "unit" in errors or "substance" in errors:
        return None  # the unit decides whether a strength belongs here; fix that first
    if raw is None or raw == "":
        if wants_abv and "amount" not in errors:
            errors["abv"] = _("give the strength (ABV, % alcohol by volume, e.g. 5 for most beer) to count standard drinks")
        return None
    if not wants_abv:
        errors["abv"] = _("the strength (ABV) is only used for alcohol measured in ml")
        return None
    if not _is_number(raw) and not isinstance(raw, str):
        errors["abv"] = _("the strength must be a number from 0 to 100 (% alcohol by volume)")
        return None
    try:
        abv = _decimal(raw, "0.01")
    except (InvalidOperation, ValueError):
        errors["abv"] = _("the strength must be a number from 0 to 100 (% alcohol by volume)")
        return None
    if not 0 <= abv <= 100:
        errors["abv"] = _("the strength must be from 0 to 100 (% alcohol by volume)")
        return None
    return abv


def _drinks(substance: str, amount: Decimal | None, unit: str, abv: Decimal | None,
            grams_per_drink: float) -> Decimal | None:
    if substance != "alcohol" or amount is None:
        return None
    if unit == "standard_drink":
        return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if unit == "ml" and abv is not None:
        value = standard_drinks(float(amount), float(abv), grams_per_drink)
        return Decimal(str(round(value, 2)))
    return None


def _unknown(data: Mapping[str, object], fields: tuple[str, ...], errors: dict[str, str]) -> None:
    for name in sorted(set(data) - set(fields)):
        errors[name] = _("unknown field; the fields are %(fields)s") % {"fields": ", ".join(fields)}


def clean_use(data: Mapping[str, object], *, now: datetime, tz: tzinfo, grams_per_drink: float) -> dict[str, object]:
    """Validate a whole use entry (a change is merged with the stored entry first).

    Returns the values to store, including ``standard_drinks`` for alcohol; raises
    ``CheckInInvalid`` naming every field that is wrong.
    """
    errors: dict[str, str] = {}
    _unknown(data, USE_FIELDS, errors)
    substance = _clean_substance(data, errors)
    custom_name = _clean_custom_name(data, substance, errors)
    amount, unit = _clean_amount(data, substance, errors)
    abv = _clean_abv(data, substance, unit, errors)
    craving = _clean_rating(data.get("craving"), "craving", errors, required=False)
    motives = _clean_choices(data.get("motives"), "motives", MOTIVES, errors)
    note = _clean_text(data.get("note"), "note", NOTE_MAX, errors)
    at = _clean_at(data.get("at"), now, tz, errors)
    if errors:
        raise CheckInInvalid(errors)
    return {
        "substance": substance, "custom_name": custom_name, "amount": amount, "unit": unit if amount else "",
        "abv": abv, "standard_drinks": _drinks(substance, amount, unit, abv, grams_per_drink),
        "at": at, "craving": craving, "motives": motives, "note": note,
    }


def clean_craving(data: Mapping[str, object], *, now: datetime, tz: tzinfo) -> dict[str, object]:
    """Validate a craving that passed without using, and what helped."""
    errors: dict[str, str] = {}
    _unknown(data, CRAVING_FIELDS, errors)
    substance = _clean_substance(data, errors)
    custom_name = _clean_custom_name(data, substance, errors)
    intensity = _clean_rating(data.get("intensity"), "intensity", errors, required=True)
    helped = _clean_choices(data.get("helped"), "helped", HELPED, errors)
    helped_note = _clean_text(data.get("helped_note"), "helped_note", HELPED_NOTE_MAX, errors)
    at = _clean_at(data.get("at"), now, tz, errors)
    if errors:
        raise CheckInInvalid(errors)
    return {"substance": substance, "custom_name": custom_name, "intensity": intensity, "helped": helped,
            "helped_note": helped_note, "at": at}


def goal_units(substance: str) -> tuple[str, ...]:
    """Units a weekly limit can be counted in: standard drinks for alcohol, times used for
    anything, or one of the substance's own units."""
    if substance == "alcohol":
        return ("standard_drink", GOAL_UNIT_USES)
    return (GOAL_UNIT_USES, *SUBSTANCES[substance].units) if substance in SUBSTANCES else (GOAL_UNIT_USES,)


def clean_goal(data: Mapping[str, object]) -> dict[str, object] | None:
    """Validate a goal; ``kind`` "none" (or empty) means no goal. Returns None for no goal."""
    errors: dict[str, str] = {}
    _unknown(data, ("substance", "kind", "weekly_limit", "limit_unit"), errors)
    substance = _clean_substance(data, errors)
    kind = data.get("kind")
    if kind in (None, "", "none"):
        if errors:
            raise CheckInInvalid(errors)
        return None
    if kind not in GOAL_KINDS:
        errors["kind"] = 'choose not using at all (“abstain”), a weekly limit (“weekly_limit”) or no goal (“none”)'
        raise CheckInInvalid(errors)
    limit: Decimal | None = None
    unit = ""
    if kind == "weekly_limit":
        raw_unit = (data.get("limit_unit") or goal_units(substance)[0]) if substance else ""
        unit = raw_unit if isinstance(raw_unit, str) else ""
        if substance and unit not in goal_units(substance):
            errors["limit_unit"] = _("count the limit in %(units)s") % {"units": said(_unit_words(goal_units(substance)))}
        try:
            limit = _decimal(data.get("weekly_limit"), "0.01")
        except (InvalidOperation, ValueError):
            errors["weekly_limit"] = _("the weekly limit must be a number, e.g. 7")
        else:
            if not 0 < limit <= WEEKLY_LIMIT_MAX:
                errors["weekly_limit"] = _("the weekly limit must be more than 0 and at most %(most)s") % {"most": count(WEEKLY_LIMIT_MAX)}
    elif data.get("weekly_limit") not in (None, ""):
        errors["weekly_limit"] = _("a limit is only used with kind weekly_limit")
    if errors:
        raise CheckInInvalid(errors)
    return {"substance": substance, "kind": kind, "weekly_limit": limit, "limit_unit": unit}
