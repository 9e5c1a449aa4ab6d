"""Outside documents (API bodies, imported files) read strictly, and what was wrong with them
said to a person: where (a field path like ``emotions.0.word``) and what, in plain words, never
with Python's names, reprs or interpreter hints in it."""

from __future__ import annotations

import json
import math
from typing import Any


class BodyNotJSON(ValueError):
    """Why a body could not be read as JSON, in words for the person who sent it."""


def _not_a_number(text: str) -> Any:
    raise BodyNotJSON(f"{text} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyNotJSON(f"the number {text[:20]} is too large")
    return value


def parse_json_body(raw: bytes) -> Any:
    """Strict JSON (no NaN or Infinity), or ``BodyNotJSON`` saying what is wrong and where,
    without Python's internals (interpreter hints, exception names)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyNotJSON(f"it is not UTF-8 text (byte {exc.start + 1:,})") from None
    try:
        return json.loads(text, parse_constant=_not_a_number, parse_float=_finite)
    except BodyNotJSON:
        raise
    except json.JSONDecodeError as exc:
        raise BodyNotJSON(f"{exc.msg[:1].lower()}{exc.msg[1:]} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise BodyNotJSON("it is nested too deeply") from None
    except ValueError as exc:
        if "digits" in str(exc):  # Python's cap on digits in an integer
            raise BodyNotJSON("a number in it has too many digits") from None
        raise BodyNotJSON("it could not be read") from None


def field_path(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    # ninja reports ("body", "<parameter>", field…) or ("query", field); keep the field path.
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else ["body"]
    elif parts and parts[0] in ("query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _choices(expected: str) -> str:
    return expected.replace("'", "")  # "'group' or 'individual'" → "group or individual"


# What pydantic's checks mean, said to a person; anything not listed gets the gate's own words
# (thaw.text) or a plain "is not valid", never pydantic's sentence with Python's names in it.
_MESSAGES: dict[str, Any] = {
    "missing": lambda ctx: "this field is required",
    "extra_forbidden": lambda ctx: "is not a field here; leave it out (check the spelling)",
    "string_type": lambda ctx: "must be text",
    "string_unicode": lambda ctx: "contains a broken character (half of an emoji or symbol); please type it again",
    "string_too_long": lambda ctx: f"can be at most {ctx['max_length']:,} characters",
    "int_type": lambda ctx: "must be a whole number",
    "int_parsing": lambda ctx: "must be a whole number",
    "int_from_float": lambda ctx: "must be a whole number",
    "int_parsing_size": lambda ctx: "is too large",
    "float_type": lambda ctx: "must be a number",
    "float_parsing": lambda ctx: "must be a number",
    "finite_number": lambda ctx: "must be a number",
    "bool_type": lambda ctx: "must be true or false",
    "bool_parsing": lambda ctx: "must be true or false",
    "list_type": lambda ctx: "must be a list",
    "dict_type": lambda ctx: "must be an object",
    "model_type": lambda ctx: "must be an object",
    "model_attributes_type": lambda ctx: "must be an object",
    "too_short": lambda ctx: f"needs at least {ctx['min_length']:,}",
    "too_long": lambda ctx: f"can have at most {ctx['max_length']:,}",
    "greater_than_equal": lambda ctx: f"must be at least {ctx['ge']}",
    "greater_than": lambda ctx: f"must be more than {ctx['gt']}",
    "less_than_equal": lambda ctx: f"must be at most {ctx['le']}",
    "less_than": lambda ctx: f"must be less than {ctx['lt']}",
    "literal_error": lambda ctx: f"must be one of: {_choices(str(ctx['expected']))}",
    "enum": lambda ctx: f"must be one of: {_choices(str(ctx['expected']))}",
    "uuid_type": lambda ctx: "must be an id like 123e4567-e89b-12d3-a456-426614174000",
    "uuid_parsing": lambda ctx: "must be an id like 123e4567-e89b-12d3-a456-426614174000",
}


def validation_message(item: dict[str, Any]) -> str:
    kind = item.get("type", "")
    if kind == "thaw":  # Thaw's own checks (the text gate, import checks) already speak to a person
        return str(item.get("msg", "is not valid"))
    try:
        return str(_MESSAGES[kind](item.get("ctx") or {}))
    except (KeyError, TypeError):
        return "is not valid"
