"""What a clinician's person-detail page shows: assembled here, rendered by ``detail``.

Every function takes the person whose data it reads; the caller (``thaw.clinic.detail``)
has already decided, through ``thaw.access.granted_categories``, which categories the
clinician may see, and audits each one shown. Nothing here decides access on its own
except to leave out what a category does not cover: substance use is removed from the
pattern tests unless ``substances`` is shared, and the person's own words (notes, what
helped in their words) appear only with ``notes``.

Day boundaries are the person's own time zone. Figures state their n; where the data
cannot support a figure the result says so instead of guessing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from thaw.access import Category, live_grants
from thaw.assessments import services as assessment_services
from thaw.assessments.charts import trend_svg
from thaw.assessments.instruments import Instrument, instruments
from thaw.assessments.models import Assessment
from thaw.assessments.older_rules import any_older, scored_under_older_rules
from thaw.assessments.scoring import chart_bands
from thaw.checkins.models import CheckIn
from thaw.clinic.services import ARROWS
from thaw.grounding.exercises import library
from thaw.grounding.models import GroundingSession
from thaw.insights.data import PersonSpan, granularity_span
from thaw.insights.engine import NUMB_DAY_THRESHOLD
from thaw.insights.words import localised
from thaw.safety.models import RiskFlag

FALLBACK_DAYS = 7
GRANULARITY_BEFORE_DAYS = 90
NUMBNESS_DAYS = 90
GRANULARITY_MONTHS = 6
SUBSTANCE_WEEKS = 4

# Which category a section needs. Numbness level and counts are the "summary" (no words);
# granularity and patterns are read from the words, tags and body sensations of check-ins.
NUMBNESS_CATEGORIES = (Category.SUMMARY, Category.CHECKINS)


def numbness_category(categories: set[str]) -> Category | None:
    """The category under which numbness figures are shown (and audited), if any."""
    for category in NUMBNESS_CATEGORIES:
        if category in categories:
            return category
    return None


# --- the anchor: "since the last session" ------------------------------------------------

@dataclass(frozen=True)
class Anchor:
    at: datetime
    kind: str  # "session", "homework", "enrolment" or "week"
    label: str  # "since the last session on Tue 3 Mar", "in the last 7 days"


def _day(moment: datetime, tz: Any) -> str:
    local = moment.astimezone(tz)
    return date_format(local, "D j M Y")


def _last_session_end(person: Any, now: datetime, program_ids: list[int]) -> datetime | None:
    """The end of the person's last session in these programs before ``now``, if any."""
    from thaw.schedule.services import last_session_end

    found = last_session_end(person, now, program_ids)
    return found if found is not None and found <= now else None


def anchor_for(person: Any, now: datetime, program_ids: list[int], tz: Any = None) -> Anchor:
    """Where "since last session" starts: the end of the last session, else the later of the
    enrolment and seven days ago. (Not the last homework: setting homework would empty the
    summary the clinician is about to read.)"""
    tz = tz or person.tzinfo
    session_end = _last_session_end(person, now, program_ids)
    if session_end is not None:
        return Anchor(session_end, "session", gettext("since the last session, which ended %(day)s") % {"day": _day(session_end, tz)})
    # Seven whole local days including today (from midnight six days ago), so day counts never reach 8.
    first_day = now.astimezone(tz).date() - timedelta(days=FALLBACK_DAYS - 1)
    week = Anchor(datetime.combine(first_day, datetime.min.time(), tzinfo=tz), "week",
                  gettext("in the last %(days)s days") % {"days": FALLBACK_DAYS})
    candidates = [week]
    enrolled = (live_grants(now).filter(owner_id=person.pk, program_id__in=program_ids, accepted_at__lte=now)
                .order_by("-accepted_at").values_list("accepted_at", flat=True).first())
    if enrolled is not None:
        candidates.append(Anchor(enrolled, "enrolment", gettext("since they joined the program on %(day)s") % {"day": _day(enrolled, tz)}))
    return max(candidates, key=lambda a: a.at)


# --- since the last session ----------------------------------------------------------------

def _local_day_means(person: Any, since: datetime, until: datetime) -> tuple[int, dict[date, float]]:
    tz = person.tzinfo
    rows = list(CheckIn.objects.filter(person=person, at__gte=since, at__lte=until).values_list("at", "numbness"))
    by_day: dict[date, list[int]] = {}
    for at, numbness in rows:
        if numbness is not None:  # not rated: counted as a check-in, not in any mean
            by_day.setdefault(at.astimezone(tz).date(), []).append(numbness)
    return len(rows), {day: sum(v) / len(v) for day, v in sorted(by_day.items())}


def span_for(person: Any, anchor: datetime, now: datetime) -> PersonSpan:
    """The person's check-ins to read once for the whole page: every window below lies inside."""
    earliest = min(anchor - timedelta(days=GRANULARITY_BEFORE_DAYS), now - timedelta(days=NUMBNESS_DAYS),
                   granularity_span(now, GRANULARITY_MONTHS))
    return PersonSpan(person, earliest, now)


def granularity_trend(person: Any, anchor: datetime, now: datetime, span: PersonSpan | None = None
                      ) -> list[dict[str, Any]]:
    """Differentiation (1 − ICC) since the anchor against the 90 days before it, per valence.

    Descriptive only: no test says whether a difference is more than noise, and the page says so.
    """
    span = span or span_for(person, anchor, now)
    window = localised(span.insights(anchor, now, now))["granularity"]
    before = localised(span.insights(anchor - timedelta(days=GRANULARITY_BEFORE_DAYS), anchor, anchor))["granularity"]
    out = []
    for valence, label in (("negative", gettext("unpleasant feelings")), ("positive", gettext("pleasant feelings"))):
        now_value, then_value = window[valence], before[valence]
        row: dict[str, Any] = {"label": label, "now": now_value["differentiation"], "n_now": now_value["n"],
                               "before": then_value["differentiation"], "n_before": then_value["n"],
                               "reason": None, "direction": ""}
        if row["now"] is None:
            row["reason"] = gettext("Not enough data in this window: %(reason)s") % {"reason": now_value["reason"]}
        elif row["before"] is None:
            row["reason"] = (gettext("Not enough data in the %(days)s days before: %(reason)s")
                             % {"days": GRANULARITY_BEFORE_DAYS, "reason": then_value["reason"]})
        else:
            change = row["now"] - row["before"]
            row["direction"] = (gettext("higher (finer distinctions)") if change > 0.05
                                else gettext("lower (coarser)") if change < -0.05 else gettext("about the same"))
        out.append(row)
    return out


def since_last_session(person: Any, categories: set[str], anchor: Anchor, now: datetime,
                       span: PersonSpan | None = None) -> dict[str, Any]:
    """One screen for the time since ``anchor``; each item is ``None`` when its category is not shared."""
    result: dict[str, Any] = {"anchor": anchor, "numbness": None, "granularity": None, "grounding": None,
                              "substances": None, "flags": None, "scores": None, "shown": set()}
    if numbness_category(categories) is not None:
        n, days = _local_day_means(person, anchor.at, now)
        numb = [day for day, mean in days.items() if mean >= NUMB_DAY_THRESHOLD - 1e-9]
        result["numbness"] = {"checkins": n, "days_with_checkins": len(days), "numb_days": len(numb),
                              "threshold": NUMB_DAY_THRESHOLD,
                              "mean": round(sum(days.values()) / len(days), 1) if days else None}
        result["shown"].add(numbness_category(categories))
    if Category.CHECKINS in categories:
        result["granularity"] = granularity_trend(person, anchor.at, now, span)
        result["shown"].add(Category.CHECKINS)
    if Category.GROUNDING in categories:
        used = Counter(GroundingSession.objects.filter(person=person, started_at__gte=anchor.at, started_at__lte=now)
                       .values_list("exercise", flat=True))
        titles = library()
        result["grounding"] = {
            "sessions": sum(used.values()),
            "exercises": [(titles.get(e).title if titles.get(e) else e, n)  # type: ignore[union-attr]
                          for e, n in used.most_common()]}
        result["shown"].add(Category.GROUNDING)
    if Category.SUBSTANCES in categories:
        result["substances"] = _substance_events(person, anchor.at, now)
        result["shown"].add(Category.SUBSTANCES)
    if Category.FLAGS in categories:
        result["flags"] = list(RiskFlag.objects.filter(person=person, created_at__gte=anchor.at, created_at__lte=now)
                               .order_by("created_at"))
        result["shown"].add(Category.FLAGS)
    if Category.ASSESSMENTS in categories:
        names = {k: i.name for k, i in instruments().items()}
        result["scores"] = [
            {"assessment": a, "name": names.get(a.instrument, a.instrument), "arrow": ARROWS.get(a.change_status, "")}
            for a in Assessment.objects.filter(person=person, taken_at__gte=anchor.at, taken_at__lte=now)
            .order_by("taken_at")]
        result["older_rules"] = any_older(s["assessment"].rules_version for s in result["scores"])
        result["shown"].add(Category.ASSESSMENTS)
    return result


def _substance_events(person: Any, since: datetime, until: datetime) -> dict[str, Any]:
    from thaw.substances.models import Craving, SubstanceUse
    from thaw.substances.units import NUMB_MOTIVE

    tz = person.tzinfo
    uses = list(SubstanceUse.objects.filter(person=person, at__gte=since, at__lte=until)
                .values_list("at", "motives"))
    return {
        "uses": len(uses),
        "days_used": len({at.astimezone(tz).date() for at, _ in uses}),
        "numb_motive": sum(1 for _, motives in uses if NUMB_MOTIVE in (motives or [])),
        "with_reason": sum(1 for _, motives in uses if motives),
        "cravings_passed": Craving.objects.filter(person=person, at__gte=since, at__lte=until).count(),
    }


# --- the sections of the page --------------------------------------------------------------

def _unique_ids(svg: str, suffix: str) -> SafeString:
    """trend_svg names its title and description ids once per page; several charts need their own."""
    return mark_safe(svg.replace("chart-title", f"chart-title-{suffix}")  # noqa: S308 (escaped in trend_svg)
                     .replace("chart-desc", f"chart-desc-{suffix}"))


def _score_chart(instrument: Instrument, history: list[Assessment], person: Any) -> SafeString:
    points = [(a.taken_at, float(a.score)) for a in reversed(history)]
    cut, _ = assessment_services.cutoff_for(instrument, person)
    svg = trend_svg(points, chart_bands(instrument, cut), instrument.min_score, instrument.max_score,
                    title=gettext("%(instrument)s scores over time") % {"instrument": instrument.name},
                    description=gettext("%(n)s scores from %(low)s to %(high)s; shaded zones are the published "
                                        "score ranges.") % {"n": len(points), "low": instrument.min_score,
                                                            "high": instrument.max_score})
    return _unique_ids(svg, instrument.id)


def scores(person: Any) -> list[dict[str, Any]]:
    """Per instrument taken: the chart with band zones, the latest score and its change status."""
    by_instrument: dict[str, list[Assessment]] = {}
    for a in Assessment.objects.filter(person=person).order_by("-taken_at", "-id"):
        by_instrument.setdefault(a.instrument, []).append(a)
    out = []
    for key, instrument in instruments().items():
        history = by_instrument.get(key)
        if not history:
            continue
        latest = history[0]
        out.append({"instrument": instrument, "latest": latest, "count": len(history),
                    "status": latest.change_status or (gettext("first score") if latest.previous_score is None else ""),
                    "arrow": ARROWS.get(latest.change_status, ""), "chart": _score_chart(instrument, history, person),
                    "summary": assessment_services.summary_of(latest, instrument),
                    "findings": latest.findings or {}, "older_rules": scored_under_older_rules(latest.rules_version)})
    return out


def numbness(person: Any, now: datetime, span: PersonSpan | None = None, *,
             with_substances: bool = True) -> dict[str, Any]:
    """Weekly mean numbness over the last 90 days, the trend with its 95 % interval, numb days.

    ``with_substances`` only picks which cached run of the engine to reuse: the numbness figures
    do not read substance use (``patterns`` does).
    """
    span = span or PersonSpan(person, now - timedelta(days=NUMBNESS_DAYS), now)
    result = localised(span.insights(now - timedelta(days=NUMBNESS_DAYS), now, now,
                                     with_substances=with_substances))["numbness"]
    weekly = result["weekly"]
    chart = None
    if weekly:
        points = [(datetime.fromisoformat(w["week_start"]), float(w["mean"])) for w in weekly]
        chart = _unique_ids(trend_svg(points, [], 0, 10, title=gettext("Weekly mean numbness"),
                                      description=gettext("%(n)s weeks, numbness 0 to 10; the table lists them.")
                                      % {"n": len(points)}),
                            "numbness")
    return {**result, "chart": chart, "days": NUMBNESS_DAYS}


def granularity(person: Any, now: datetime, months: int = GRANULARITY_MONTHS, span: PersonSpan | None = None, *,
                with_substances: bool = True) -> dict[str, Any]:
    """Differentiation over a trailing 90 days, month by month (as on the person's insights page)."""
    from thaw.insights.views import granularity_over_time

    points = granularity_over_time(person, now, months=months, span=span, with_substances=with_substances)
    chart = None
    computable = [p for p in points if p["negative"] is not None]
    if computable:
        chart = _unique_ids(trend_svg(
            [(datetime.fromisoformat(p["date"]), float(p["negative"])) for p in computable], [], 0, 1,
            title=gettext("Granularity of unpleasant feelings over time"),
            description=gettext("Differentiation (1 − ICC) over the 90 days before each point; higher is finer.")),
            "granularity")
    return {"points": points, "chart": chart}


def patterns(person: Any, now: datetime, *, with_substances: bool, days: int = NUMBNESS_DAYS,
             span: PersonSpan | None = None) -> dict[str, Any]:
    """The patterns that survive the false-discovery control, stated as on the insights page.

    Without the ``substances`` category the substance-use times are taken out before testing,
    so neither a pattern nor the number of factors tested can reveal them.
    """
    span = span or PersonSpan(person, now - timedelta(days=days), now)
    result = localised(span.insights(now - timedelta(days=days), now, now, with_substances=with_substances))
    # The engine words its sentences for the person; the same statement, about them.
    found = [{**p, "sentence": p["sentence"].replace(gettext("your numbness"), gettext("their numbness"))} for p in result["patterns"]]
    return {"patterns": found, "tested": result["patterns_tested"], "n": result["n_checkins"], "days": days}


def grounding(person: Any) -> dict[str, Any]:
    from thaw.grounding.services import sessions_for, what_works

    works = what_works(person)
    titles = library()

    def title(exercise: str) -> str:
        found = titles.get(exercise)
        return found.title if found else exercise

    return {"sessions": sessions_for(person).count(),
            "ranked": [{"title": title(e.exercise), "effect": e} for e in works.ranked],
            "too_few": [{"title": title(e.exercise), "effect": e} for e in works.too_few],
            "min_rated": works.min_rated}


def substances(person: Any, now: datetime, *, with_notes: bool) -> dict[str, Any]:
    """Uses per week for the last four weeks, the share used "to stop feeling", days since last use."""
    from thaw.substances.services import days_since_last_use, week_start_of, weekly_review

    today = now.astimezone(person.tzinfo).date()
    first = week_start_of(today) - timedelta(weeks=SUBSTANCE_WEEKS - 1)
    weeks = []
    numb = with_reason = 0
    for k in range(SUBSTANCE_WEEKS):
        review = weekly_review(person, first + timedelta(weeks=k))
        numb += review["numb_motive"]["count"]
        with_reason += review["numb_motive"]["with_reason"]
        weeks.append({"week_start": date.fromisoformat(review["week_start"]), "uses": review["uses"],
                      "cravings_passed": review["cravings_passed"],
                      "substances": [(s["label"], s["uses"]) for s in review["substances"] if s["uses"]],
                      "helped_in_own_words": review["helped_in_own_words"] if with_notes else []})
    return {"weeks": weeks, "numb_motive": numb, "with_reason": with_reason,
            "numb_share": round(100 * numb / with_reason) if with_reason else None,
            "days_since": days_since_last_use(person, today), "with_notes": with_notes}


def open_flags(person: Any) -> list[RiskFlag]:
    return list(RiskFlag.objects.filter(person=person, acknowledged_at__isnull=True).order_by("created_at"))


def person_detail(person: Any, categories: set[str], now: datetime | None = None,
                  span: PersonSpan | None = None) -> dict[str, Any]:
    """Every section the categories allow; ``shown`` lists the categories read (to audit).

    ``span``: the person's check-ins read once for the page (``span_for``), else read here.
    """
    now = now or timezone.now()
    span = span or PersonSpan(person, min(now - timedelta(days=NUMBNESS_DAYS),
                                          granularity_span(now, GRANULARITY_MONTHS)), now)
    with_substances = Category.SUBSTANCES in categories  # one engine run serves numbness and patterns
    shown: set[Category] = set()
    detail: dict[str, Any] = {"scores": None, "numbness": None, "granularity": None, "patterns": None,
                              "grounding": None, "substances": None, "flags": None}
    if Category.FLAGS in categories:
        detail["flags"] = open_flags(person)
        shown.add(Category.FLAGS)
    if Category.ASSESSMENTS in categories:
        detail["scores"] = scores(person)
        shown.add(Category.ASSESSMENTS)
    numb_category = numbness_category(categories)
    if numb_category is not None:
        detail["numbness"] = numbness(person, now, span, with_substances=with_substances)
        shown.add(numb_category)
    if Category.CHECKINS in categories:
        detail["granularity"] = granularity(person, now, span=span, with_substances=with_substances)
        detail["patterns"] = patterns(person, now, with_substances=with_substances, span=span)
        shown.add(Category.CHECKINS)
    if Category.GROUNDING in categories:
        detail["grounding"] = grounding(person)
        shown.add(Category.GROUNDING)
    if Category.SUBSTANCES in categories:
        detail["substances"] = substances(person, now, with_notes=Category.NOTES in categories)
        shown.add(Category.SUBSTANCES)
        if any(w["helped_in_own_words"] for w in detail["substances"]["weeks"]):
            shown.add(Category.NOTES)
    detail["shown"] = shown
    return detail
