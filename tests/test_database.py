"""The suite runs on the database CI asked for, with the durability settings documented."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.db import connection


def test_database_matches_database_url(db: Any) -> None:
    """When CI sets DATABASE_URL to PostgreSQL, the suite must really run on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    assert connection.vendor == ("postgresql" if url.startswith("postgres") else "sqlite")


def test_sqlite_options_when_on_sqlite() -> None:
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if connection.vendor != "sqlite":
        assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
        return
    assert settings.DATABASES["default"]["ENGINE"] == "thaw.db.sqlite"
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    assert "PRAGMA synchronous=FULL" in options["init_command"]
    assert options["timeout"] >= 5
