"""Outside documents (API bodies, imported files) read strictly, and what was wrong with them
said to a person: where (a field path like ``emotions.0.word``) and what, in plain words, never
with Python's names, reprs or interpreter hints in it."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _


class BodyNotJSON(ValueError):
    """Why a body could not be read as JSON, in words for the person who sent it."""


def _not_a_number(text: str) -> Any:
    raise BodyNotJSON(_("%(text)s is not a JSON number") % {"text": text})


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyNotJSON(_("the number %(number)s is too large") % {"number": text[:20]})
    return value


def parse_json_body(raw: bytes) -> Any:
    """Strict JSON (no NaN or Infinity), or ``BodyNotJSON`` saying what is wrong and where,
    without Python's internals (interpreter hints, exception names)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyNotJSON(_("it is not UTF-8 text (byte %(byte)s)") % {"byte": count(exc.start + 1)}) from None
    try:
        return json.loads(text, parse_constant=_not_a_number, parse_float=_finite)
    except BodyNotJSON:
        raise
    except json.JSONDecodeError as exc:
        # Python's own description of the fault stays as Python says it (it names JSON syntax).
        raise BodyNotJSON(_("%(problem)s at line %(line)s, column %(column)s")
                          % {"problem": f"{exc.msg[:1].lower()}{exc.msg[1:]}", "line": exc.lineno,
                             "column": exc.colno}) from None
    except RecursionError:
        raise BodyNotJSON(_("it is nested too deeply")) from None
    except ValueError as exc:
        if "digits" in str(exc):  # Python's cap on digits in an integer
            raise BodyNotJSON(_("a number in it has too many digits")) from None
        raise BodyNotJSON(_("it could not be read")) from None


def field_path(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    # ninja reports ("body", "<parameter>", field…) or ("query", field); keep the field path.
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else ["body"]
    elif parts and parts[0] in ("query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def count(number: int) -> str:
    """A count as the reader writes numbers (1,000 in English, 1 000 with a no-break space in Spanish)."""
    return number_format(number, force_grouping=True)


def decimal(value: float | Decimal, places: int = 2, *, fixed: bool = False) -> str:
    """A number in a sentence as the reader writes it: "1.3" in English, "1,3" in Spanish.

    Rounded to ``places``; trailing zeros dropped ("330", "1.25", like Python's ``:g``) unless
    ``fixed``, for figures read side by side ("4.0 against 5.5"). Never in a form field's value:
    an ``<input type="number">`` always wants a point.
    """
    rounded = Decimal(str(round(float(value), places)))
    if fixed:
        return number_format(rounded, decimal_pos=places)
    text = format(rounded.normalize(), "f")
    return number_format(Decimal(text if text not in ("-0", "-0.0") else "0"))


def _choices(expected: str) -> str:
    # "'group' or 'individual'" → "group or individual" (the values themselves are not translated)
    return expected.replace("'", "").replace(" or ", " " + _("or") + " ")


# What pydantic's checks mean, said to a person; anything not listed gets the gate's own words
# (thaw.text) or a plain "is not valid", never pydantic's sentence with Python's names in it.
_MESSAGES: dict[str, Any] = {
    "missing": lambda ctx: _("this field is required"),
    "extra_forbidden": lambda ctx: _("is not a field here; leave it out (check the spelling)"),
    "string_type": lambda ctx: _("must be text"),
    "string_unicode": lambda ctx: _("contains a broken character (half of an emoji or symbol); please type it again"),
    "string_too_long": lambda ctx: _("can be at most %(count)s characters") % {"count": count(ctx["max_length"])},
    "int_type": lambda ctx: _("must be a whole number"),
    "int_parsing": lambda ctx: _("must be a whole number"),
    "int_from_float": lambda ctx: _("must be a whole number"),
    "int_parsing_size": lambda ctx: _("is too large"),
    "float_type": lambda ctx: _("must be a number"),
    "float_parsing": lambda ctx: _("must be a number"),
    "finite_number": lambda ctx: _("must be a number"),
    "bool_type": lambda ctx: _("must be true or false"),
    "bool_parsing": lambda ctx: _("must be true or false"),
    "list_type": lambda ctx: _("must be a list"),
    "dict_type": lambda ctx: _("must be an object"),
    "model_type": lambda ctx: _("must be an object"),
    "model_attributes_type": lambda ctx: _("must be an object"),
    "too_short": lambda ctx: _("needs at least %(count)s") % {"count": count(ctx["min_length"])},
    "too_long": lambda ctx: _("can have at most %(count)s") % {"count": count(ctx["max_length"])},
    "greater_than_equal": lambda ctx: _("must be at least %(limit)s") % {"limit": ctx["ge"]},
    "greater_than": lambda ctx: _("must be more than %(limit)s") % {"limit": ctx["gt"]},
    "less_than_equal": lambda ctx: _("must be at most %(limit)s") % {"limit": ctx["le"]},
    "less_than": lambda ctx: _("must be less than %(limit)s") % {"limit": ctx["lt"]},
    "literal_error": lambda ctx: _("must be one of: %(choices)s") % {"choices": _choices(str(ctx["expected"]))},
    "enum": lambda ctx: _("must be one of: %(choices)s") % {"choices": _choices(str(ctx["expected"]))},
    "uuid_type": lambda ctx: _("must be an id like %(example)s") % {"example": "123e4567-e89b-12d3-a456-426614174000"},
    "uuid_parsing": lambda ctx: _("must be an id like %(example)s") % {"example": "123e4567-e89b-12d3-a456-426614174000"},
}


def validation_message(item: dict[str, Any]) -> str:
    kind = item.get("type", "")
    if kind == "thaw":  # Thaw's own checks (the text gate, import checks) already speak to a person
        return str(item.get("msg") or _("is not valid"))
    try:
        return str(_MESSAGES[kind](item.get("ctx") or {}))
    except (KeyError, TypeError):
        return _("is not valid")
