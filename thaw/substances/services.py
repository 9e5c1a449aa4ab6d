"""Logging, finding and presenting substance use, cravings and goals; the weekly review.

Every query here is scoped to the person who owns the entries (``person=...``); another
person's entry is indistinguishable from none. The functions that present data
(``as_dict``, ``craving_as_dict``, ``goal_as_dict``, ``weekly_review``, ``insights``) return
plain JSON-ready dicts so exports and (later, with explicit consent) sharing can reuse them.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from thaw.checkins.services import Cursor, page_by_time
from thaw.core import versions
from thaw.insights.data import load_arrays
from thaw.safety.language import CrisisMatch
from thaw.safety.models import RiskFlag
from thaw.safety.services import flag_crisis, scan_text
from thaw.substances import rules
from thaw.substances.analysis import SubstanceData, analyse
from thaw.substances.models import Craving, Goal, SubstancePreferences, SubstanceUse
from thaw.substances.units import (
    DEFAULT_DRINK_GRAMS,
    DRINK_SIZES,
    HELPED,
    MAX_DRINK_GRAMS,
    MIN_DRINK_GRAMS,
    MOTIVES,
    NUMB_MOTIVE,
    SUBSTANCES,
    UNITS,
    amount_label,
    drink_grams,
    standard_drinks,
    substance_label,
)
from thaw.validation import decimal

__all__ = [
    "Cursor", "site_drink_grams", "preferences", "grams_for", "set_preferences",
    "uses_for", "cravings_for", "own_use", "own_craving", "create_use", "update_use", "delete_use",
    "create_craving", "delete_craving", "page_of", "as_dict", "craving_as_dict", "goal_as_dict",
    "active_goals", "set_goal", "days_since_last_use", "week_start_of", "weekly_review", "insights",
]


# --- standard-drink size -----------------------------------------------------------------

def site_drink_grams() -> float:
    """The site's default standard drink in grams (setting THAW_STANDARD_DRINK_GRAMS, default 10)."""
    try:
        grams = float(getattr(settings, "THAW_STANDARD_DRINK_GRAMS", DEFAULT_DRINK_GRAMS))
    except (TypeError, ValueError):
        return DEFAULT_DRINK_GRAMS
    return grams if MIN_DRINK_GRAMS <= grams <= MAX_DRINK_GRAMS else DEFAULT_DRINK_GRAMS


def preferences(person: Any) -> SubstancePreferences:
    found = SubstancePreferences.objects.filter(person=person).first()
    return found if found is not None else SubstancePreferences(person=person)


def grams_for(person: Any) -> float:
    return drink_grams(preferences(person).drink_size, site_drink_grams())


def set_preferences(person: Any, *, drink_size: str, show_days_since: bool) -> SubstancePreferences:
    """Save the person's choices. A new drink size recounts the entries logged in ml
    (entries logged as standard drinks were counted by the person and stay as they are)."""
    if drink_size and drink_size not in DRINK_SIZES:
        raise rules.CheckInInvalid({"drink_size": f"choose one of {', '.join(DRINK_SIZES)}, or the site default"})
    with transaction.atomic():
        prefs = preferences(person)
        changed = prefs.drink_size != drink_size
        prefs.drink_size = drink_size
        prefs.show_days_since = show_days_since
        prefs.save()
        if changed:
            grams = grams_for(person)
            for use in SubstanceUse.objects.filter(person=person, substance="alcohol", unit="ml",
                                                   amount__isnull=False, abv__isnull=False):
                use.standard_drinks = Decimal(str(round(standard_drinks(float(use.amount), float(use.abv), grams), 2)))
                use.save(update_fields=["standard_drinks"])
    return prefs


# --- uses and cravings -------------------------------------------------------------------

def uses_for(person: Any) -> QuerySet[SubstanceUse]:
    """The person's uses, newest first."""
    return SubstanceUse.objects.filter(person=person).order_by("-at", "-id")


def cravings_for(person: Any) -> QuerySet[Craving]:
    return Craving.objects.filter(person=person).order_by("-at", "-id")


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def own_use(person: Any, use_id: object) -> SubstanceUse | None:
    """The use if it is ``person``'s, else None (the same answer as for an id that does not exist)."""
    key = _uuid(use_id)
    if key is None or person is None or not person.is_authenticated:
        return None
    return SubstanceUse.objects.filter(pk=key, person=person).first()


def own_craving(person: Any, craving_id: object) -> Craving | None:
    key = _uuid(craving_id)
    if key is None or person is None or not person.is_authenticated:
        return None
    return Craving.objects.filter(pk=key, person=person).first()


def _input_of(use: SubstanceUse) -> dict[str, object]:
    """A stored use in the shape the rules read, so a change can be checked as a whole entry."""
    return {
        "substance": use.substance, "custom_name": use.custom_name,
        "amount": str(use.amount) if use.amount is not None else None, "unit": use.unit or None,
        "abv": str(use.abv) if use.abv is not None else None, "at": use.at, "craving": use.craving,
        "motives": list(use.motives), "note": use.note,
    }


def _clean_use(person: Any, data: Mapping[str, object]) -> dict[str, object]:
    return rules.clean_use(data, now=timezone.now(), tz=person.tzinfo, grams_per_drink=grams_for(person))


def _flag(person: Any, matches: list[CrisisMatch], *, source: str, source_id: object) -> bool:
    """Crisis language found in an entry's free text (scanned with ``scan_text`` before the
    transaction) raises a risk flag in the same transaction as the entry, and the crisis screen."""
    return flag_crisis(person, matches, source=source, source_id=str(source_id))


DOUBLE_SUBMIT = timedelta(seconds=10)


def _just_logged(person: Any, cleaned: Mapping[str, Any], now: datetime) -> SubstanceUse | None:
    """The same entry saved a moment ago (a double tap, or a resend on a slow network)."""
    recent = SubstanceUse.objects.filter(person=person, substance=cleaned["substance"],
                                         created_at__gte=now - DOUBLE_SUBMIT)
    for use in recent:
        if abs(use.at - cleaned["at"]) <= DOUBLE_SUBMIT and all(
                getattr(use, key) == value for key, value in cleaned.items() if key != "at"):
            use.crisis = RiskFlag.objects.filter(person=person, source="substance_use", source_id=str(use.pk)).exists()
            return use
    return None


def create_use(person: Any, data: Mapping[str, object]) -> SubstanceUse:
    cleaned = _clean_use(person, data)
    now = timezone.now()
    repeated = _just_logged(person, cleaned, now)
    if repeated is not None:
        return repeated
    use = SubstanceUse(person=person, created_at=now, updated_at=now, **cleaned)
    matches = scan_text(use.note, use.custom_name)  # before the transaction: never scan holding the write lock
    with transaction.atomic():
        use.save(force_insert=True)
        use.crisis = _flag(person, matches, source="substance_use", source_id=use.id)
    return use


def update_use(use: SubstanceUse, changes: Mapping[str, object], *,
               expected_version: versions.Expected = None) -> SubstanceUse:
    """Apply a change: fields given replace the stored ones (null clears an optional field),
    and the result is checked as a whole entry. With ``expected_version`` an entry changed
    meanwhile raises ``EditConflict`` and nothing is saved (``thaw.core.versions``)."""
    merged = {**_input_of(use), **changes}
    if "unit" in changes and "amount" not in changes and changes["unit"] is None:
        merged["amount"] = None
    if merged.get("substance") != "alcohol" or merged.get("unit") != "ml":
        if "abv" not in changes:
            merged["abv"] = None  # no longer measured in ml of alcohol: the old strength no longer applies
    if merged.get("substance") != "other" and "custom_name" not in changes:
        merged["custom_name"] = None
    cleaned = _clean_use(use.person, merged)
    note_changed = cleaned["note"] != use.note or cleaned.get("custom_name", use.custom_name) != use.custom_name
    matches = (scan_text(str(cleaned["note"] or ""), str(cleaned.get("custom_name", use.custom_name) or ""))
               if note_changed else [])
    with transaction.atomic():
        versions.claim(use, expected_version)
        for name, value in cleaned.items():
            setattr(use, name, value)
        use.updated_at = timezone.now()
        use.save()
        use.crisis = _flag(use.person, matches, source="substance_use", source_id=use.id)
    return use


def delete_use(use: SubstanceUse) -> None:
    use.delete()


def create_craving(person: Any, data: Mapping[str, object]) -> Craving:
    cleaned = rules.clean_craving(data, now=timezone.now(), tz=person.tzinfo)
    craving = Craving(person=person, created_at=timezone.now(), **cleaned)
    matches = scan_text(craving.helped_note, craving.custom_name)  # before the transaction
    with transaction.atomic():
        craving.save(force_insert=True)
        craving.crisis = _flag(person, matches, source="substance_craving", source_id=craving.id)
    return craving


def delete_craving(craving: Craving) -> None:
    craving.delete()


def page_of(qs: QuerySet[Any], *, since: datetime | None = None, until: datetime | None = None, limit: int = 50,
            cursor: Cursor | None = None) -> tuple[list[Any], Cursor | None]:
    """Newest first; ``since``/``until`` inclusive. Returns the page and the cursor for the next one."""
    return page_by_time(qs, since=since, until=until, limit=limit, cursor=cursor)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _num(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def as_dict(use: SubstanceUse) -> dict[str, Any]:
    """A use as the API and exports present it."""
    return {
        "id": str(use.id),
        "substance": use.substance,
        "custom_name": use.custom_name,
        "label": substance_label(use.substance, use.custom_name),
        "amount": _num(use.amount),
        "unit": use.unit or None,
        "abv": _num(use.abv),
        "standard_drinks": _num(use.standard_drinks),
        "at": _utc(use.at),
        "craving": use.craving,
        "motives": list(use.motives),
        "note": use.note,
        "created_at": _utc(use.created_at),
        "updated_at": _utc(use.updated_at),
    }


def craving_as_dict(craving: Craving) -> dict[str, Any]:
    return {
        "id": str(craving.id),
        "substance": craving.substance,
        "custom_name": craving.custom_name,
        "label": substance_label(craving.substance, craving.custom_name),
        "at": _utc(craving.at),
        "intensity": craving.intensity,
        "helped": list(craving.helped),
        "helped_note": craving.helped_note,
        "created_at": _utc(craving.created_at),
    }


# --- goals ---------------------------------------------------------------------------------

def goal_as_dict(goal: Goal) -> dict[str, Any]:
    return {
        "substance": goal.substance,
        "kind": goal.kind,
        "weekly_limit": _num(goal.weekly_limit),
        "limit_unit": goal.limit_unit or None,
        "since": goal.since.isoformat(),
        "active": goal.active,
    }


def active_goals(person: Any) -> dict[str, Goal]:
    return {g.substance: g for g in Goal.objects.filter(person=person, active=True)}


def set_goal(person: Any, data: Mapping[str, object]) -> Goal | None:
    """Set (or, with kind "none", end) the goal for one substance. An unchanged goal is kept
    as it is, so its ``since`` date stays; a changed one starts today."""
    cleaned = rules.clean_goal(data)
    substance = str(data.get("substance"))
    with transaction.atomic():
        current = Goal.objects.select_for_update().filter(person=person, substance=substance, active=True).first()
        if cleaned is None:
            if current is not None:
                current.active = False
                current.save(update_fields=["active"])
            return None
        if current is not None:
            same = (current.kind == cleaned["kind"] and current.weekly_limit == cleaned["weekly_limit"]
                    and current.limit_unit == cleaned["limit_unit"])
            if same:
                return current
            current.active = False
            current.save(update_fields=["active"])
        return Goal.objects.create(person=person, since=timezone.localdate(timezone=person.tzinfo), **cleaned)


# --- days since, weekly review -----------------------------------------------------------------

def days_since_last_use(person: Any, today: date | None = None) -> list[dict[str, Any]]:
    """For each substance the person has logged: the last use and how many days ago (in
    their time zone). Plain facts, no counter to protect."""
    tz = person.tzinfo
    today = today or timezone.now().astimezone(tz).date()
    out = []
    for key, substance in SUBSTANCES.items():
        last = SubstanceUse.objects.filter(person=person, substance=key).order_by("-at").values_list("at", flat=True).first()
        if last is None:
            continue
        day = last.astimezone(tz).date()
        out.append({"substance": key, "label": substance.label, "last_at": _utc(last), "last_day": day.isoformat(),
                    "days": max((today - day).days, 0)})
    return out


def week_start_of(day: date) -> date:
    """The Monday of the week ``day`` is in."""
    return day - timedelta(days=day.weekday())


def _local_bounds(person: Any, start: date, days: int) -> tuple[datetime, datetime]:
    tz = person.tzinfo
    return (datetime.combine(start, time.min, tzinfo=tz),
            datetime.combine(start + timedelta(days=days), time.min, tzinfo=tz))


def _goal_progress(goal: Goal | None, uses: list[SubstanceUse], days_used: int) -> dict[str, Any] | None:
    if goal is None:
        return None
    progress: dict[str, Any] = {**goal_as_dict(goal), "within": None, "sentence": ""}
    name = (gettext(SUBSTANCES[goal.substance].label).lower() if goal.substance != "other"
            else gettext("the other substance"))
    if goal.kind == "abstain":
        progress["within"] = not uses
        if uses:
            progress["sentence"] = ngettext(
                "Your goal is not using %(name)s, and you logged it on %(days)s day this week. A lapse is "
                "information, not a verdict: what was going on around those times is worth a gentle look.",
                "Your goal is not using %(name)s, and you logged it on %(days)s days this week. A lapse is "
                "information, not a verdict: what was going on around those times is worth a gentle look.",
                days_used) % {"name": name, "days": days_used}
        else:
            progress["sentence"] = gettext("No %(name)s logged this week, in line with your goal.") % {"name": name}
        return progress
    limit = float(goal.weekly_limit or 0)
    unit = goal.limit_unit
    if unit == rules.GOAL_UNIT_USES:
        total = float(len(uses))
        unit_text = gettext("times")
        uncounted = 0
    elif unit == "standard_drink":
        counted = [u for u in uses if u.standard_drinks is not None]
        total = float(sum(u.standard_drinks for u in counted))  # type: ignore[misc]
        uncounted = len(uses) - len(counted)
        unit_text = gettext("standard drinks")
    else:
        counted = [u for u in uses if u.unit == unit and u.amount is not None]
        total = float(sum(u.amount for u in counted))  # type: ignore[misc]
        uncounted = len(uses) - len(counted)
        unit_text = gettext(UNITS[unit].label_plural) if unit in UNITS else unit
    progress.update(total=round(total, 2), unit_text=unit_text, uncounted=uncounted, within=total <= limit + 1e-9)
    sentence = gettext("%(total)s of the %(limit)s %(unit)s a week you set for %(name)s.") % {
        "total": decimal(total), "limit": decimal(limit), "unit": unit_text, "name": name}
    if total > limit + 1e-9:
        sentence += " " + gettext("That is more than the limit you chose. It is useful to know; "
                                  "the review is here to notice, not to judge.")
    if uncounted:
        sentence += " " + ngettext("(%(n)s use without an amount in %(unit)s not counted.)",
                                   "(%(n)s uses without an amount in %(unit)s not counted.)",
                                   uncounted) % {"n": uncounted, "unit": unit_text}
    progress["sentence"] = sentence
    return progress


def weekly_review(person: Any, week_start: date) -> dict[str, Any]:
    """One week (Monday to Sunday in the person's time zone): uses against goals, cravings that
    passed and what helped, the reasons given. Calm words only: a lapse is information."""
    start = week_start_of(week_start)
    begin, end = _local_bounds(person, start, 7)
    uses = list(SubstanceUse.objects.filter(person=person, at__gte=begin, at__lt=end).order_by("at"))
    cravings = list(Craving.objects.filter(person=person, at__gte=begin, at__lt=end).order_by("at"))
    previous_begin, _ = _local_bounds(person, start - timedelta(days=7), 7)
    previous_uses = SubstanceUse.objects.filter(person=person, at__gte=previous_begin, at__lt=begin).count()
    previous_cravings = Craving.objects.filter(person=person, at__gte=previous_begin, at__lt=begin).count()
    tz = person.tzinfo
    goals = active_goals(person)
    by_substance = []
    last_day = start + timedelta(days=6)
    for key, substance in SUBSTANCES.items():
        mine = [u for u in uses if u.substance == key]
        # A goal judges only the days it existed on: a use from before it was set is no lapse.
        goal = goals.get(key)
        if goal is not None and goal.since > last_day:
            goal = None
        if not mine and goal is None:
            continue
        days_used = len({u.at.astimezone(tz).date() for u in mine})
        counted = [u for u in mine if goal is None or u.at.astimezone(tz).date() >= goal.since]
        drinks = [u.standard_drinks for u in mine if u.standard_drinks is not None]
        by_substance.append({
            "substance": key, "label": substance.label, "uses": len(mine), "days_used": days_used,
            "standard_drinks": round(float(sum(drinks)), 2) if key == "alcohol" and drinks else None,
            "goal": _goal_progress(goal, counted, len({u.at.astimezone(tz).date() for u in counted})),
        })
    motives: Counter[str] = Counter(m for u in uses for m in u.motives)
    with_reason = sum(1 for u in uses if u.motives)
    numb = sum(1 for u in uses if NUMB_MOTIVE in u.motives)
    helped: Counter[str] = Counter(h for c in cravings for h in c.helped)
    sentences = _review_sentences(len(uses), len(cravings), numb, with_reason, helped)
    return {
        "week_start": start.isoformat(),
        "week_end": (start + timedelta(days=6)).isoformat(),
        "uses": len(uses),
        "cravings_passed": len(cravings),
        "craving_mean": round(sum(c.intensity for c in cravings) / len(cravings), 1) if cravings else None,
        "substances": by_substance,
        "motives": [{"motive": m, "label": MOTIVES[m], "count": n} for m, n in motives.most_common() if m in MOTIVES],
        "numb_motive": {"count": numb, "with_reason": with_reason},
        "helped": [{"helped": h, "label": HELPED[h], "count": n} for h, n in helped.most_common() if h in HELPED],
        "helped_in_own_words": [c.helped_note for c in cravings if c.helped_note],
        "previous_week": {"uses": previous_uses, "cravings_passed": previous_cravings},
        "sentences": sentences,
    }


def _review_sentences(uses: int, cravings: int, numb: int, with_reason: int, helped: Counter[str]) -> list[str]:
    out = []
    if uses == 0 and cravings == 0:
        out.append(gettext("Nothing logged this week. If that is because there was nothing to log, that is that; "
                           "if logging slipped your mind, you can add entries with an earlier time."))
    if cravings:
        out.append(ngettext("%(n)s craving passed without using. Each one is practice at riding a wave out.",
                            "%(n)s cravings passed without using. Each one is practice at riding a wave out.",
                            cravings) % {"n": cravings})
    if helped:
        top, _ = helped.most_common(1)[0]
        out.append(gettext("What helped most often: %(helped)s. Worth keeping close at hand.")
                   % {"helped": gettext(HELPED[top])})
    if numb:
        out.append(gettext("“To stop feeling” was a reason for %(numb)s of the %(with_reason)s uses with a reason "
                           "noted. Wanting the feelings to stop makes sense; the grounding exercises and a trusted "
                           "person are other ways through, when you feel ready.")
                   % {"numb": numb, "with_reason": with_reason})
    if uses:
        out.append(gettext("Whatever this week held, logging it honestly is how patterns become visible."))
    return out


# --- insights --------------------------------------------------------------------------------

def _valence(arrays: Any) -> np.ndarray:
    """Mean pleasantness of each check-in's named feelings (numb and unsure words left out)."""
    keep = ~arrays.emo_excluded
    rows = arrays.emo_row[keep]
    total = np.bincount(rows, weights=arrays.emo_pleasantness[keep].astype(np.float64), minlength=arrays.n)
    count = np.bincount(rows, minlength=arrays.n).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1.0), np.nan)


def insights(person: Any) -> dict[str, Any]:
    """The substance insights (``analysis.analyse``) over everything the person logged."""
    arrays = load_arrays(person)
    uses = list(SubstanceUse.objects.filter(person=person).order_by("at").values_list("at", "substance", "craving", "motives"))
    cravings = list(Craving.objects.filter(person=person).order_by("at").values_list("at", "intensity"))
    names = tuple(SUBSTANCES)
    firsts = [rows[0][0] for rows in (uses, cravings) if rows]
    data = SubstanceData.build(
        checkin_epoch=arrays.epoch, checkin_day=arrays.local_day, numbness=arrays.numbness, valence=_valence(arrays),
        use_epoch=[u[0].timestamp() for u in uses],
        use_substance=[names.index(u[1]) for u in uses],
        use_craving=[np.nan if u[2] is None else u[2] for u in uses],
        use_numb=[NUMB_MOTIVE in (u[3] or []) for u in uses],
        use_has_motive=[bool(u[3]) for u in uses],
        craving_epoch=[c[0].timestamp() for c in cravings],
        craving_intensity=[c[1] for c in cravings],
        substances=names,
        log_start=min(firsts).timestamp() if firsts else None,
    )
    result = analyse(data)
    labels = {k: s.label for k, s in SUBSTANCES.items()}
    for row in result["numb_motive"]["by_substance"]:
        row["label"] = labels.get(row["substance"], row["substance"])
    return result


def describe_use(use: SubstanceUse) -> str:
    """"Alcohol, 330 ml at 5% (1.3 standard drinks)": one line for lists."""
    parts = [substance_label(use.substance, use.custom_name)]
    amount = amount_label(float(use.amount) if use.amount is not None else None, use.unit)
    if amount:
        if use.abv is not None:
            amount = gettext("%(amount)s at %(abv)s%%") % {"amount": amount, "abv": decimal(use.abv)}
        parts.append(amount)
    text = ", ".join(parts)
    if use.standard_drinks is not None and use.unit != "standard_drink":
        drinks = float(use.standard_drinks)
        # A plural form needs a whole number; 1.3 drinks is plural in English and Spanish alike.
        words = gettext("(%(n)s standard drink)") if drinks == 1 else gettext("(%(n)s standard drinks)")
        text += " " + words % {"n": decimal(drinks)}
    return text
