"""The audit trail: who did what to whose data, and when, in a tamper-evident chain.

Append-only: the model refuses updates and deletes through ``save``/``delete``. Each
event stores the SHA-256 of its content and a chain hash over the previous event's
chain hash and its own content hash, so editing, deleting or reordering any event breaks
``thaw audit verify``. Erasing a person *redacts* their events (details and references
removed, ``redacted`` set) while the stored content hash keeps the chain verifiable.
Free text a person wrote never goes into an event. A redacted event's remaining fields
(time, action, and for events about someone else, that person) are covered only by the
stored content hash, so changes to them are not detectable afterwards.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

GENESIS = "0" * 64


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Looked up by person through audit_person_at (person, at): no index of its own (a caseload
    # view writes 250 events at once; each index is one more write per event).
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events",
        help_text="Whose data the event concerns.", db_index=False,
    )
    # Plain copies of the two ids: the chain hashes these, and they outlive the foreign keys.
    actor_ref = models.BigIntegerField(null=True, blank=True)
    person_ref = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=64)
    details = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64, default="")
    prev_hash = models.CharField(max_length=64, default="")
    chain_hash = models.CharField(max_length=64, default="")
    redacted = models.BooleanField(default=False)
    # Random per event and part of the hashed content: without it, the kept hash of a
    # redacted event could be brute-forced back to the small ids and addresses it covered.
    salt = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["person", "at"], name="audit_person_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit events are append-only.")

    def content(self) -> dict[str, Any]:
        content = {"at": self.at.isoformat(), "actor": self.actor_ref, "person": self.person_ref,
                   "action": self.action, "details": self.details}
        if self.salt:  # events from before salting have none
            content["salt"] = self.salt
        return content


def content_digest(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def chain_digest(prev_hash: str, content_hash: str) -> str:
    return hashlib.sha256(f"{prev_hash}:{content_hash}".encode()).hexdigest()


def _serialise_appends() -> None:
    """Only one writer may extend the chain at a time, across every app server."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(74215531)")
    # SQLite: the surrounding IMMEDIATE transaction already holds the single write lock.


def record(action: str, *, actor: Any = None, person: Any = None, **details: Any) -> AuditEvent:
    """Append one event. ``details`` must not hold free text a person wrote."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        _serialise_appends()
        last = AuditEvent.objects.order_by("-id").values_list("chain_hash", flat=True).first()
        event = AuditEvent(action=action, actor=actor, person=person, details=details,
                           actor_ref=actor.pk if actor else None, person_ref=person.pk if person else None,
                           salt=secrets.token_hex(16))
        event.content_hash = content_digest(event.content())
        event.prev_hash = last or GENESIS
        event.chain_hash = chain_digest(event.prev_hash, event.content_hash)
        event.save()
    return event


def record_many(action: str, *, actor: Any, people: list[Any], **details: Any) -> int:
    """Append one event per person (a user, or a user's id) in one transaction (a caseload view).

    Written without model instances: on PostgreSQL by one COPY, elsewhere with
    ``executemany``. On PostgreSQL, ``executemany`` sent 500 single-row INSERTs and took about
    100 ms of a 170 ms caseload page, and one multi-row VALUES statement of 6,000 parameters
    was slower still (psycopg parses such a query on the client, and PostgreSQL plans it);
    COPY takes well under half of ``executemany``'s time (docs/PERFORMANCE.md), so auditing
    never tempts anyone to skip it.
    """
    actor = actor if getattr(actor, "is_authenticated", False) else None
    if not people:
        return 0
    actor_ref = actor.pk if actor else None
    table = AuditEvent._meta.db_table
    columns = ("at", "actor_id", "person_id", "actor_ref", "person_ref", "action", "details",
               "content_hash", "prev_hash", "chain_hash", "redacted", "salt")
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    with transaction.atomic():
        _serialise_appends()
        previous = AuditEvent.objects.order_by("-id").values_list("chain_hash", flat=True).first() or GENESIS
        now = timezone.now()
        at = connection.ops.adapt_datetimefield_value(now)
        details_json = json.dumps(details)
        rows = []
        for person in people:
            person_id = person if isinstance(person, int) else person.pk
            salt = secrets.token_hex(16)
            content = {"at": now.isoformat(), "actor": actor_ref, "person": person_id, "action": action,
                       "details": details, "salt": salt}
            content_hash = content_digest(content)
            chain_hash = chain_digest(previous, content_hash)
            rows.append((at, actor_ref, person_id, actor_ref, person_id, action, details_json, content_hash,
                         previous, chain_hash, False, salt))
            previous = chain_hash
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, rows)
    return len(rows)


def verify() -> tuple[bool, int, str]:
    """Walk the chain; return (intact, events checked, what is wrong)."""
    previous = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != previous:
            return False, checked, f"event {event.pk} does not follow the event before it (deleted or reordered)"
        if not event.redacted and content_digest(event.content()) != event.content_hash:
            return False, checked, f"event {event.pk} was changed after it was written"
        if chain_digest(event.prev_hash, event.content_hash) != event.chain_hash:
            return False, checked, f"event {event.pk} has a wrong chain hash"
        previous = event.chain_hash
        checked += 1
    return True, checked, ""


def redact_person(person_id: int) -> int:
    """Erasure: the person's own events lose their details, references and salt (the chain
    still verifies through the stored hashes). Events about someone else that the person
    only acted in keep the other person's reference, so that person's trail stays whole;
    only the actor is removed."""
    own = AuditEvent.objects.filter(person_ref=person_id)
    count = own.update(details={}, actor_ref=None, person_ref=None, actor=None, person=None, salt="",
                       redacted=True)
    acted = AuditEvent.objects.filter(actor_ref=person_id).exclude(person_ref=None)
    count += acted.update(actor_ref=None, actor=None, salt="", redacted=True)
    return count
