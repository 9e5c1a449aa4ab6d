"""The check-ins and the audit trail (a row per check-in, a row per person shown in every
caseload view) carry no index another index already covers (same leading columns): each is one
more write per row, and on PostgreSQL the narrower one was chosen for a caseload's fortnight and
read a year of rows per person (docs/PERFORMANCE.md, "Third round"). The emotion words and tags
keep theirs on purpose: the covering unique index is wider, and reading through it was slower."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

HOT_TABLES = ["checkins_checkin", "audit_auditevent"]


def covered_indexes(table: str) -> list[tuple[str, str]]:
    """(index, the index covering it): a plain index whose columns lead another index."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    indexes = {name: c["columns"] for name, c in found.items() if c["index"] or c["unique"] or c["primary_key"]}
    plain = {name for name, c in found.items() if c["index"] and not c["unique"] and not c["primary_key"]}

    def covers(other: str, name: str) -> bool:
        mine, theirs = indexes[name], indexes[other]
        if other == name or theirs[:len(mine)] != mine:
            return False
        # An exact duplicate is covered too; between two plain ones, report it once.
        return len(theirs) > len(mine) or other not in plain or other < name

    return [(name, other) for name in sorted(plain) for other in sorted(indexes) if covers(other, name)]


@pytest.mark.parametrize("table", HOT_TABLES)
def test_no_index_on_a_hot_table_is_covered_by_another(table: str) -> None:
    assert covered_indexes(table) == []


def test_every_lookup_by_person_or_check_in_still_has_an_index() -> None:
    """Dropping the foreign keys' own indexes left each lookup by person its composite one, and
    the words and tags kept their own index by check-in."""
    with connection.cursor() as cursor:
        found = {table: list(connection.introspection.get_constraints(cursor, table).values())
                 for table in [*HOT_TABLES, "checkins_checkinemotion", "checkins_checkintag"]}
    for table in HOT_TABLES:
        assert any(c["index"] and c["columns"][0] == "person_id" for c in found[table]), table
    for table in ("checkins_checkinemotion", "checkins_checkintag"):
        own = [c for c in found[table] if c["index"] and not c["unique"] and c["columns"][0] == "checkin_id"]
        assert len(own) == 1, table


def test_the_indexes_carry_what_the_pages_read() -> None:
    """On PostgreSQL the caseload's daily numbness, insights' cache stamp and a year of words are
    read by index-only scans: the indexes carry those columns, and autovacuum marks new rows'
    pages every 10,000 rows (docs/PERFORMANCE.md, "Fourth round"). SQLite has no INCLUDE
    columns: there the same indexes are plain."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
                           [["checkin_person_at", "checkin_emotion_checkin"]])
            found = dict(cursor.fetchall())
            assert found["checkin_person_at"].endswith("(person_id, at DESC) INCLUDE (numbness, id, updated_at)")
            assert found["checkin_emotion_checkin"].endswith("(checkin_id) INCLUDE (word, intensity)")
            # Index-only scans need the new rows' pages marked all-visible soon, not after 20 % more rows.
            cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
                           [["checkins_checkin", "checkins_checkinemotion"]])
            for table, options in cursor.fetchall():
                assert set(options) == {"autovacuum_vacuum_insert_threshold=10000",
                                        "autovacuum_vacuum_insert_scale_factor=0"}, table
        else:
            checkins = connection.introspection.get_constraints(cursor, "checkins_checkin")
            words = connection.introspection.get_constraints(cursor, "checkins_checkinemotion")
            assert checkins["checkin_person_at"]["columns"] == ["person_id", "at"]
            assert words["checkin_emotion_checkin"]["columns"] == ["checkin_id"]
