"""Edits start from a version: a stale save is a conflict that shows both, never a silent overwrite.

An editable record (a check-in, the safety plan) carries ``version``, raised by one with
every change. A form carries the version it was opened at in a hidden ``version`` field;
the API gives it as the ``ETag`` of a GET and takes it back in ``If-Match``. ``claim``
checks and raises the version in one conditional UPDATE, inside the save's transaction,
so of two saves that started from the same version exactly one wins, on SQLite and on
PostgreSQL alike; the other gets ``EditConflict`` with what is saved now. A change without
a version (an API client that sends no ``If-Match``) still applies, as before.

The page shows the two side by side (``conflict_rows`` and ``core/_conflict.html``) and keeps
what the person typed, now based on the saved version, so saving again is a deliberate
choice; the API answers 409 with ``current`` and ``yours`` (``conflict_response``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import F
from django.http import HttpRequest, HttpResponse

ETAG = re.compile(r'\s*(?:W/)?"(\d{1,12})"\s*')


class Versioned(models.Model):
    version = models.PositiveIntegerField(default=1, help_text="Raised by one with every change (edit conflicts).")

    class Meta:
        abstract = True


class EditConflict(Exception):
    """The record changed after the edit started; ``current`` is the record as saved now."""

    def __init__(self, current: Any) -> None:
        super().__init__("changed meanwhile")
        self.current = current


def etag(version: int) -> str:
    return f'"{version}"'


def if_match(request: HttpRequest) -> tuple[int, ...] | None:
    """The versions an API change may apply to: None without ``If-Match`` (or with ``*``);
    otherwise those its entity tags name, which may be none we gave out (a conflict)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    return tuple(int(found.group(1)) for part in header.split(",") if (found := ETAG.fullmatch(part)))


def form_version(value: str | None) -> int | None:
    """The version a form was opened at, from its hidden field; None if the form had none."""
    return int(value) if value and value.isdigit() and len(value) <= 12 else None


Expected = int | tuple[int, ...] | None


def claim(record: Versioned, expected: Expected) -> None:
    """In the save's transaction: check the stored version is (one of) ``expected`` and raise it.

    ``expected`` None (no version sent) takes whatever is stored. A record deleted
    meanwhile raises the model's ``DoesNotExist``.
    """
    model = type(record)
    rows = model.objects.filter(pk=record.pk)  # type: ignore[attr-defined]
    if expected is not None:
        rows = rows.filter(version__in=expected if isinstance(expected, tuple) else (expected,))
    if not rows.update(version=F("version") + 1):
        current = model.objects.filter(pk=record.pk).first()  # type: ignore[attr-defined]
        if current is None:
            raise model.DoesNotExist("deleted meanwhile")  # type: ignore[attr-defined]
        raise EditConflict(current)
    record.version = model.objects.filter(pk=record.pk).values_list("version", flat=True).get()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ConflictRow:
    label: str
    saved: str
    yours: str

    @property
    def differs(self) -> bool:
        return self.saved != self.yours


def conflict_rows(saved: dict[str, str], yours: dict[str, str]) -> list[ConflictRow]:
    """Both versions, field by field, labelled for a person (the same labels in both dicts)."""
    return [ConflictRow(label, saved.get(label, ""), yours.get(label, "")) for label in dict.fromkeys([*saved, *yours])]


def conflict_response(request: HttpRequest, current: dict[str, Any], yours: dict[str, Any], version: int) -> HttpResponse:
    """409 in the API's JSON shape, with the saved version (and its ETag) and what was sent."""
    from django.utils.translation import gettext

    from thaw.api import api

    response = api.create_response(request, {
        "detail": gettext("This was changed after the version you started from (If-Match). Nothing was saved: "
                          "compare `current` with `yours`, then send your change again with the new ETag."),
        "current": current, "yours": yours,
    }, status=409)
    response["ETag"] = etag(version)
    return response
