"""Erasure: the person and everything of theirs leave the database, for real.

One transaction deletes the account and, by cascade, every check-in, assessment,
safety plan, risk flag and token; sessions are ended; the person's audit events are
redacted (the chain still verifies) and one event records that an erasure happened,
naming no one. On SQLite, ``secure_delete`` (on for every connection) zeroes the freed
space and a WAL checkpoint with TRUNCATE empties the write-ahead log, so nothing of the
person is left in the database files; on PostgreSQL the rows are gone (disk pages are
reused; backups and replicas are the operator's to manage).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone

from thaw.accounts.throttle import forget
from thaw.audit.models import record, redact_person


def _end_sessions(person_id: int) -> int:
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(person_id):
            session.delete()
            ended += 1
    return ended


def erase(person: Any) -> None:
    person_id, email = person.pk, person.email
    with transaction.atomic():
        _end_sessions(person_id)
        forget(email)
        person.delete()
        # After the delete, in the same transaction: an event recorded meanwhile is redacted too.
        redact_person(person_id)
        record("account.erased")
    if connection.vendor == "sqlite" and not connection.in_atomic_block and not connection.is_in_memory_db():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
