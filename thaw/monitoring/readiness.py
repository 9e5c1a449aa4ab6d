"""Is this server ready for traffic: database reachable, migrations applied, key ring readable."""

from __future__ import annotations

from functools import cache

from django.db import DatabaseError, connection


@cache
def _expected_migrations() -> frozenset[tuple[str, str]]:
    """Every migration this code knows (read from disk once per process: it cannot change
    without a restart)."""
    from django.db.migrations.loader import MigrationLoader

    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def unapplied_migrations() -> list[str]:
    """Migrations this code has that the database has not applied (one small query)."""
    with connection.cursor() as cursor:
        if not _has_migration_table(cursor):
            return sorted(f"{app}.{name}" for app, name in _expected_migrations())
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = {(app, name) for app, name in cursor.fetchall()}
    return sorted(f"{app}.{name}" for app, name in _expected_migrations() - applied)


def _has_migration_table(cursor: object) -> bool:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT to_regclass('django_migrations') IS NOT NULL")  # type: ignore[attr-defined]
    else:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'django_migrations'")  # type: ignore[attr-defined]
    return bool(cursor.fetchone()[0])  # type: ignore[attr-defined]


def key_ring_readable() -> str:
    """'' when the key ring opens and seals and opens a value; otherwise what is wrong."""
    from django.core.exceptions import ImproperlyConfigured

    from thaw import crypto

    try:
        ring = crypto.keyring()
        if crypto.decrypt(crypto.encrypt("readiness", "readyz", ring), "readyz", ring) != "readiness":
            return "the key ring does not read back what it sealed"
    except (ImproperlyConfigured, OSError, ValueError) as exc:
        return str(exc)
    return ""


def readiness() -> tuple[bool, dict[str, str]]:
    report: dict[str, str] = {}
    try:
        missing = unapplied_migrations()
        report["database"] = "ok"
        report["migrations"] = "ok" if not missing else f"{len(missing)} not applied"
    except DatabaseError:
        report["database"] = "unreachable"
        report["migrations"] = "unknown"
    problem = key_ring_readable()
    report["key_ring"] = "ok" if not problem else "unreadable"
    return all(value == "ok" for value in report.values()), report
