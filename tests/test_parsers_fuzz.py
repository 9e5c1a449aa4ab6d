"""Hypothesis on the parsers that take outside input: they refuse junk with ValueError
(or the module's own error), never anything else, and accept what they produced."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings
from hypothesis import strategies as st

from thaw import crypto
from thaw.checkins.rules import parse_bound, parse_time
from thaw.checkins.services import Cursor
from thaw.exports.formats import seal, unseal

SETTINGS = settings(max_examples=300, deadline=None)


@given(st.text(max_size=80))
@SETTINGS
def test_cursor_decode_accepts_only_its_own(text: str) -> None:
    try:
        cursor = Cursor.decode(text)
    except ValueError:
        return
    assert cursor.at.tzinfo is not None and 1900 <= cursor.at.year <= 9000


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9000, 1, 1), timezones=st.just(UTC)),
       st.uuids())
@SETTINGS
def test_cursor_round_trip(at: datetime, ident) -> None:
    assert Cursor.decode(Cursor(at, ident).encode()) == Cursor(at, ident)


@given(st.text(max_size=60), st.booleans())
@SETTINGS
def test_time_parsers_raise_only_value_error(text: str, end: bool) -> None:
    for parse in (lambda: parse_time(text, ZoneInfo("Europe/Paris")),
                  lambda: parse_bound(text, ZoneInfo("Europe/Paris"), end=end)):
        try:
            parsed = parse()
        except ValueError:
            continue
        assert parsed.tzinfo is not None and 1900 <= parsed.year <= 9000


@given(st.text(max_size=200))
@SETTINGS
def test_key_ring_parser_refuses_junk_clearly(text: str) -> None:
    try:
        ring = crypto.parse_keyring(text, "test")
    except ImproperlyConfigured as exc:
        assert "test" in str(exc)
        return
    assert all(len(key) == 32 for _, key in ring.keys)


@given(st.binary(max_size=300))
@settings(max_examples=60, deadline=None)
def test_unseal_refuses_anything_it_did_not_seal(blob: bytes) -> None:
    with pytest.raises(ValueError):
        unseal(blob, "a passphrase")
    forged = b"THAW-EXPORT-SEALED-1\n" + base64.b64encode(blob)
    with pytest.raises(ValueError):
        unseal(forged, "a passphrase")


def test_seal_round_trip() -> None:
    assert unseal(seal(b"payload", "a long passphrase"), "a long passphrase") == b"payload"
