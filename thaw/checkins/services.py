"""Creating, changing, finding and presenting check-ins.

Every write happens in one transaction so a check-in is saved whole or not at all.
Every query here is scoped to the person who owns the check-ins; reads of someone
else's data go through the access module, never through these helpers.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from thaw.accounts.models import User
from thaw.checkins.models import CheckIn, CheckInEmotion, CheckInTag, Source
from thaw.checkins.rules import CheckInInvalid, clean_checkin, draft_from
from thaw.checkins.vocabulary import body_map, builtin_tags, vocabulary
from thaw.core import versions
from thaw.db.insert import insert_rows
from thaw.safety.language import CrisisMatch
from thaw.safety.services import flag_crisis, scan_text

# One-tap check-ins: a word, and numbness only where the tap itself says it ("Numb").
# "Heavy", "Okay" and "Too much" say nothing about numbness, so it stays "not rated"
# (None) until the person rates it; a made-up number would skew every average.
QUICK_CHOICES: dict[str, tuple[Any, str, int, int | None]] = {
    # key: (label, word, intensity, numbness)
    "numb": (gettext_lazy("Numb"), "numb", 7, 8),
    "heavy": (gettext_lazy("Heavy"), "heavy", 6, None),
    "okay": (gettext_lazy("Okay"), "okay", 5, None),
    "too-much": (gettext_lazy("Too much"), "overwhelmed", 7, None),
}


def validate(person: User, data: Mapping[str, object], *, partial: bool = False) -> dict[str, object]:
    return clean_checkin(
        data, vocab=vocabulary(), body=body_map(), now=timezone.now(), tz=person.tzinfo, partial=partial
    )


def _write_children(
    checkin: CheckIn,
    emotions: Iterable[tuple[str, int]] | None,
    tags: Iterable[str] | None,
    *,
    replace: bool,
) -> None:
    """Write the words and tags, and keep them on the instance so presenting it needs no query."""
    if emotions is not None:
        if replace:
            CheckInEmotion.objects.filter(checkin=checkin).delete()
        checkin.fresh_emotions = [CheckInEmotion(checkin=checkin, word=w, intensity=i, position=n)
                                  for n, (w, i) in enumerate(emotions)]
        insert_rows(checkin.fresh_emotions)
    if tags is not None:
        if replace:
            CheckInTag.objects.filter(checkin=checkin).delete()
        checkin.fresh_tags = [CheckInTag(checkin=checkin, name=t) for t in tags]
        insert_rows(checkin.fresh_tags)


def _flag_note(checkin: CheckIn, matches: list[CrisisMatch]) -> bool:
    """Crisis language found in the note (scanned before the transaction) raises a risk flag in
    the same transaction as the check-in, and the crisis screen."""
    return flag_crisis(checkin.person, matches, source="checkin", source_id=str(checkin.id))


ID_TAKEN = "this id cannot be used; send a new random UUID (or leave id out)"


def _client_id(value: object) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise CheckInInvalid({"id": "must be a UUID made by the client, e.g. from crypto.randomUUID()"}) from None


def _already_saved(person: User, key: uuid.UUID) -> CheckIn | None:
    """The check-in saved earlier under this client-made id (a retry, or a queued check-in sent
    again), with whether it raised the crisis screen; someone else's id is refused without saying whose."""
    found = CheckIn.objects.filter(pk=key).first()
    if found is None:
        return None
    if found.person_id != person.pk:
        raise CheckInInvalid({"id": ID_TAKEN})
    from thaw.safety.models import RiskFlag

    found.crisis = RiskFlag.objects.filter(person=person, source="checkin", source_id=str(found.pk)).exists()
    found.resent = True  # type: ignore[attr-defined]
    return found


def create_checkin(person: User, data: Mapping[str, object], *, source: str = Source.API) -> CheckIn:
    """Validate and save a check-in in one transaction; raise CheckInInvalid if anything is wrong.

    ``id`` (optional) is a UUID made by the client: sending the same id again returns the check-in
    saved the first time (``resent`` is then True), so a retry or a check-in queued offline is
    saved once. ``prompt_id`` (optional) names the reminder it answers; a reminder that expired
    before the check-in's time, or was already answered, leaves the check-in self-started.
    """
    data = dict(data)
    wanted = _client_id(data.pop("id", None))
    prompt_id = data.pop("prompt_id", None)
    if wanted is not None and (existing := _already_saved(person, wanted)) is not None:
        return existing
    draft = draft_from(validate(person, data))
    now = timezone.now()
    checkin = CheckIn(
        id=wanted or uuid.uuid4(),
        person=person,
        at=draft.at,
        numbness=draft.numbness,
        body=draft.body,
        note=draft.note,
        source=source,
        created_at=now,
        updated_at=now,
    )
    matches = scan_text(draft.note)  # before the transaction: never scan holding the write lock
    try:
        with transaction.atomic():
            if prompt_id not in (None, ""):
                checkin.prompt_id = _answer(person, prompt_id, draft.at, now)
            insert_rows([checkin])  # the hottest write in Thaw: an INSERT composed once (thaw.db.insert)
            _write_children(checkin, draft.emotions, draft.tags, replace=False)
            checkin.crisis = _flag_note(checkin, matches)
    except IntegrityError:
        # Two copies of the same queued check-in raced each other: the other one was saved.
        existing = _already_saved(person, checkin.id) if wanted is not None else None
        if existing is None:
            raise
        return existing
    checkin.resent = False  # type: ignore[attr-defined]
    return checkin


def _answer(person: User, prompt_id: object, at: datetime, now: datetime) -> uuid.UUID | None:
    from thaw.reminders.services import PromptUnknown, answer_with_checkin

    try:
        return answer_with_checkin(person, prompt_id, at, now)
    except PromptUnknown as exc:
        raise CheckInInvalid({"prompt_id": str(exc)}) from None


QUICK_REPEAT_WINDOW = timedelta(seconds=10)


def quick_checkin(person: User, choice: str, *, client_id: object = None, at: object = None,
                  prompt_id: object = None) -> CheckIn:
    """Save a one-tap check-in. A second tap on the same button within a few seconds is the
    same check-in (a double tap, or a retry on a flaky connection), not a new one; so is the
    same ``client_id`` sent again (a tap queued offline). ``at`` is when the tap happened, for
    a tap that waited on the phone before it could be sent."""
    if choice not in QUICK_CHOICES:
        raise CheckInInvalid({"choice": "choose numb, heavy, okay or too much"})
    _, word, intensity, numbness = QUICK_CHOICES[choice]
    if client_id in (None, ""):
        recent = (
            CheckIn.objects.filter(person=person, source=Source.QUICK,
                                   created_at__gte=timezone.now() - QUICK_REPEAT_WINDOW, emotions__word=word)
            .order_by("-created_at")
            .first()
        )
        if recent is not None:
            return recent
    data: dict[str, object] = {"emotions": [{"word": word, "intensity": intensity}], "numbness": numbness,
                               "id": client_id, "prompt_id": prompt_id}
    if at not in (None, ""):
        data["at"] = at
    return create_checkin(person, data, source=Source.QUICK)


def update_checkin(checkin: CheckIn, data: Mapping[str, object], *,
                   expected_version: versions.Expected = None) -> CheckIn:
    """Apply a partial change: only the fields given are replaced.

    With ``expected_version`` (the version the edit started from) a check-in changed
    meanwhile raises ``EditConflict`` and nothing is saved (``thaw.core.versions``).
    """
    cleaned = validate(checkin.person, data, partial=True)
    note_changed = "note" in cleaned and cleaned["note"] != checkin.note
    # Only new words are scanned (editing a tag must not raise the same flag again), and
    # before the transaction, so a scan never holds the write lock.
    matches = scan_text(str(cleaned["note"] or "")) if note_changed else []
    with transaction.atomic():
        versions.claim(checkin, expected_version)
        changed = [name for name in ("numbness", "body", "note", "at") if name in cleaned]
        for name in changed:
            setattr(checkin, name, cleaned[name])
        checkin.updated_at = timezone.now()
        # Only what this change touches: fields changed meanwhile by a save without a version stay.
        checkin.save(update_fields=[*changed, "updated_at"])
        _write_children(
            checkin,
            cleaned.get("emotions"),  # type: ignore[arg-type]
            cleaned.get("tags"),  # type: ignore[arg-type]
            replace=True,
        )
        checkin.crisis = _flag_note(checkin, matches)
    return checkin


def delete_checkin(checkin: CheckIn) -> None:
    with transaction.atomic():
        checkin.delete()


def with_children(qs: QuerySet[CheckIn]) -> QuerySet[CheckIn]:
    """Words and tags in their display order, fetched in two queries for the whole page."""
    return qs.prefetch_related(
        Prefetch("emotions", queryset=CheckInEmotion.objects.order_by("position")),
        Prefetch("tag_links", queryset=CheckInTag.objects.order_by("name")),
    )


def own_checkins(person: User) -> QuerySet[CheckIn]:
    return with_children(CheckIn.objects.filter(person=person))


def own_checkin(person: User, checkin_id: object) -> CheckIn | None:
    """The person's own check-in, or None: another person's check-in is indistinguishable from
    none. Trusted people read shared check-ins through ``thaw.circle`` (read-only), never here."""
    from thaw import access

    return access.checkin(person, checkin_id, with_children(CheckIn.objects.filter(person=person)))


def own_tags(person: User) -> list[str]:
    """Tags the person has used that are not built in, most used first."""
    builtin = set(builtin_tags())
    names = (
        CheckInTag.objects.filter(checkin__person=person)
        .values_list("name", flat=True)
        .order_by("name")
        .distinct()
    )
    return [n for n in names if n not in builtin]


# --- listing with a cursor ------------------------------------------------------------

@dataclass(frozen=True)
class Cursor:
    at: datetime
    id: uuid.UUID

    def older(self, qs: QuerySet[Any], field: str = "at") -> QuerySet[Any]:
        """The records after this cursor in newest-first order of ``field`` (ties broken by id)."""
        return qs.filter(Q(**{f"{field}__lt": self.at}) | Q(**{field: self.at, "id__lt": self.id}))

    def encode(self) -> str:
        raw = f"{self.at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            at_text, _, id_text = raw.partition("|")
            at = datetime.fromisoformat(at_text)
            if at.tzinfo is None or not 1900 <= at.year <= 9000:
                raise ValueError
            return cls(at.astimezone(UTC), uuid.UUID(id_text))
        except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
            raise ValueError("not a cursor this API gave out") from None


def page_of_checkins(
    person: User,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    cursor: Cursor | None = None,
) -> tuple[list[CheckIn], Cursor | None]:
    """Newest first; ``since`` and ``until`` are inclusive. Returns the page and the next cursor."""
    return page_by_time(own_checkins(person), since=since, until=until, limit=limit, cursor=cursor)


def page_by_time(qs: QuerySet[Any], *, since: datetime | None = None, until: datetime | None = None,
                 limit: int = 50, cursor: Cursor | None = None, field: str = "at") -> tuple[list[Any], Cursor | None]:
    """One page of any records with a time ``field`` and a UUID ``id`` (check-ins, substance
    entries, grounding sessions), newest first, ``since``/``until`` inclusive; returns the
    page and the cursor for the next one (ties on the time are broken by id)."""
    qs = qs.order_by(f"-{field}", "-id")
    if since is not None:
        qs = qs.filter(**{f"{field}__gte": since})
    if until is not None:
        qs = qs.filter(**{f"{field}__lte": until})
    if cursor is not None:
        qs = cursor.older(qs, field)
    items = list(qs[: limit + 1])
    following = None
    if len(items) > limit:
        items = items[:limit]
        following = Cursor(getattr(items[-1], field), items[-1].id)
    return items, following


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def as_dict(checkin: CheckIn) -> dict[str, object]:
    """The check-in as the API and exports present it."""
    vocab = vocabulary()
    emotions = []
    rows = getattr(checkin, "fresh_emotions", None)
    tag_rows = getattr(checkin, "fresh_tags", None)
    for e in rows if rows is not None else checkin.emotions.all():
        entry = vocab.get(e.word)
        emotions.append(
            {
                "word": e.word,
                "intensity": e.intensity,
                "family": entry.family if entry else None,
                "pleasantness": entry.pleasantness if entry else None,
                "energy": entry.energy if entry else None,
            }
        )
    return {
        "id": str(checkin.id),
        "at": _utc(checkin.at),
        "emotions": emotions,
        "numbness": checkin.numbness,
        "body": list(checkin.body),
        "tags": [t.name for t in (tag_rows if tag_rows is not None else checkin.tag_links.all())],
        "note": checkin.note,
        "source": checkin.source,
        "prompt_id": str(checkin.prompt_id) if checkin.prompt_id else None,
        "created_at": _utc(checkin.created_at),
        "updated_at": _utc(checkin.updated_at),
    }
