"""The one gate for text from outside: API bodies, form posts and imported documents.

Every free-text field passes ``clean_text`` exactly once, at the edge, through one of three doors:

- ``Text(n)``, the string type of every API schema (pydantic), answering 422 naming the field;
- ``thaw.forms.TextField``, the text field of every Django form, answering with a message at the field;
- ``clean_text`` itself, called by the rules modules that check plain data for the hand-built
  forms (check-in, safety plan, grounding, substances) and for ``thaw import``.

What it refuses, and why:

- lone surrogates (half of a UTF-16 pair, e.g. ``"\\ud800"`` in JSON): they cannot be encoded
  as UTF-8, so they cannot be encrypted, stored, emailed or shown;
- control characters other than line feed and tab (NUL, escape, bell, C1 controls…): they are
  invisible, PostgreSQL refuses NUL, and they break exports and terminals;
- more characters than the field's limit (counted in Unicode characters, as a person would).

Carriage returns are not refused: browsers send a textarea's line breaks as CR LF, so CR LF and
a lone CR become a line feed before anything is counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import BeforeValidator, Field, StrictStr
from pydantic_core import PydanticCustomError

# Limits for strings that are not prose: identifiers, choices, dates, tokens.
SHORT = 200

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class TextInvalid(ValueError):
    """The text cannot be accepted; ``message`` says why in words a person can act on.

    ``kind`` ("broken", "control" or "too_long") and ``params`` say the same for a ``Wording``,
    which words it as a whole sentence about a named field."""

    def __init__(self, message: str, kind: str = "", params: dict[str, Any] | None = None) -> None:
        self.message = message
        self.kind = kind
        self.params = params or {}
        super().__init__(message)


def normalise_newlines(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def _fault(value: str, max_length: int) -> tuple[str, dict[str, Any]] | None:
    """What is wrong with ``value`` (already newline-normalised), as a kind and the numbers a
    message about it shows (counts written for the reader; ``n``, the characters over, as a number
    for the plural), or None."""
    from thaw.validation import count

    broken = _SURROGATE.search(value)
    if broken:
        return "broken", {"position": count(broken.start() + 1)}
    control = _CONTROL.search(value)
    if control:
        return "control", {"position": count(control.start() + 1)}
    if len(value) > max_length:
        over = len(value) - max_length
        return "too_long", {"length": count(len(value)), "limit": count(max_length), "over": count(over), "n": over}
    return None


def _fragment(kind: str, params: dict[str, Any]) -> str:
    """The gate's own words for a fault, read after a field's name ("note: is 5,001 characters long…")."""
    if kind == "broken":
        return _("contains a broken character at character %(position)s (half of an emoji or symbol, lost in "
                 "copying); please type that part again") % params
    if kind == "control":
        return _("contains an invisible control character at character %(position)s; please delete it (line "
                 "breaks and tabs are fine)") % params
    return ngettext(
        "is %(length)s characters long; the limit is %(limit)s, so please shorten it by %(over)s character",
        "is %(length)s characters long; the limit is %(limit)s, so please shorten it by %(over)s characters",
        params["n"]) % params


def problem(value: str, max_length: int) -> str | None:
    """Why ``value`` (already newline-normalised) cannot be accepted, or None."""
    found = _fault(value, max_length)
    return _fragment(*found) if found else None


def clean_text(value: str, max_length: int) -> str:
    """``value`` with line breaks normalised, or ``TextInvalid`` saying what is wrong.

    Not stripped: callers that want surrounding space gone strip after the gate.
    """
    value = normalise_newlines(value)
    found = _fault(value, max_length)
    if found:
        raise TextInvalid(_fragment(*found), *found)
    return value


@dataclass(frozen=True)
class Wording:
    """What the gate refuses, said as whole sentences about one named field ("The reply is 2,001
    characters long…"), each marked for translation on its own: a translated subject glued to the
    gate's fragment cannot agree with it (in Spanish the fragment's "shorten it" is "acórtalo" or
    "acórtala" by the subject's gender). ``too_long`` is ``ngettext_lazy(singular, plural, "n")``;
    the messages get ``position``, or ``length``, ``limit`` and ``over``."""

    not_text: Any
    broken: Any
    control: Any
    too_long: Any

    def say(self, invalid: TextInvalid) -> str:
        message = {"broken": self.broken, "control": self.control}.get(invalid.kind, self.too_long)
        return str(message % invalid.params)


def take_text(errors: dict[str, str], field: str, value: object, max_length: int, *, subject: str = "",
              wording: Wording | None = None) -> str:
    """For the rules modules, which gather one message per field: ``value`` through the gate, or ""
    with ``errors[field]`` saying what is wrong: in ``wording``'s whole sentences, else after
    ``subject`` (e.g. "the note"). None is ""."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[field] = str(wording.not_text) if wording else f"{subject} {_('must be text')}".strip()
        return ""
    try:
        return clean_text(value, max_length)
    except TextInvalid as exc:
        errors[field] = wording.say(exc) if wording else f"{subject} {exc.message}".strip()
        return ""


def shown(value: object, limit: int = 40) -> str:
    """A value a person typed, quoted for an error message: never a Python repr, never anything
    that cannot be shown (broken characters and control characters become �), never very long."""
    text = value if isinstance(value, str) else str(value)
    text = _CONTROL.sub("\ufffd", _SURROGATE.sub("\ufffd", text))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"“{text}”"


# --- the API's door ---------------------------------------------------------------------------

def _gate_for(max_length: int) -> Any:
    def gate(value: object) -> object:
        if not isinstance(value, str):
            return value  # StrictStr answers "must be text"
        try:
            return clean_text(value, max_length)
        except TextInvalid as exc:
            raise PydanticCustomError("thaw", exc.message) from None

    return gate


def Text(max_length: int) -> Any:  # noqa: N802 - used like a type: ``note: Text(5000) | None``
    """The string type of every API schema field: strict text through the gate, at most ``max_length``
    characters (stated as ``maxLength`` in the OpenAPI document)."""
    return Annotated[StrictStr, BeforeValidator(_gate_for(max_length)),
                     Field(json_schema_extra={"maxLength": max_length})]


def Choice(values: Any) -> Any:  # noqa: N802 - a type, like Text
    """Text that should be one of ``values``: listed as an ``enum`` in the OpenAPI document, checked
    by the rules (which name the choices in a person's words), through the gate like all text."""
    return Annotated[Text(SHORT), Field(json_schema_extra={"enum": list(values)})]
