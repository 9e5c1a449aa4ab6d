"""Scoring exactly as published: totals, bands, cut-offs, the published rules, change.

Pure functions over plain data. Every rule applied here is in the instrument's data
file with its source:

- the screening cut-off (for the AUDIT-C, the one that applies to the person: 3 for
  women and when sex is not given, 4 for men; Bradley et al. 2007), and the skip rule
  (a "Never" on question 1 means questions 2 and 3 are not asked and score 0);
- the PCL-5's DSM-5 cluster rule (an item rated 2 or more is endorsed; at least 1 B,
  1 C, 2 D and 2 E items), combined with the cut-off: "probable PTSD" only when both agree;
- the WHO-5's single-item rule (any item answered 0 or 1 is a reason to screen);
- change: *reliable* is Jacobson and Truax (1991) from the published test–retest r and
  SD; *recovered* is NHS Talking Therapies' reliable recovery (a reliable improvement
  that also crosses the cut-off from the clinical to the non-clinical side); a published
  *clinically meaningful* change, where one exists, is reported under that name.

``RULES_VERSION`` is stored with every result. Results are never re-scored: a result
keeps the band, status and findings of the rules that produced it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from thaw.assessments.instruments import Band, Instrument

# 1: the first rules (to issue 12). 2: the corrected rules (issue 12): Jacobson–Truax
# thresholds from r and SD, GAD-7 cut-off 10, PCL-5 cluster rule, WHO-5 item rule,
# AUDIT-C sex-specific cut-off and skip rule.
RULES_VERSION = 2

RECOVERED = "recovered"
IMPROVED = "improved"
NO_RELIABLE_CHANGE = "no reliable change"
DETERIORATED = "deteriorated"
STATUSES = (RECOVERED, IMPROVED, NO_RELIABLE_CHANGE, DETERIORATED)

# Why this cut-off applies to this person (AUDIT-C). Thaw's own words, marked for the catalogue
# and translated where a result is shown (``summary_text``); stored results keep their English.
BASIS_FEMALE, BASIS_MALE, BASIS_UNSPECIFIED, BASIS_SITE = "female", "male", "unspecified", "site"
BASIS_WORDS = {
    BASIS_FEMALE: gettext_noop("the cut-off for women"),
    BASIS_MALE: gettext_noop("the cut-off for men"),
    BASIS_UNSPECIFIED: gettext_noop("the lower cut-off, used when sex is not given because it leans towards help"),
    BASIS_SITE: gettext_noop("the cut-off this Thaw site has set for everyone"),
}
CUTOFF_SENTENCE = gettext_noop("The cut-off that applies to you is %(cutoff)s: %(basis)s.")


class AnswersInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True)
class ClusterCount:
    name: str
    endorsed: int
    needed: int

    @property
    def met(self) -> bool:
        return self.endorsed >= self.needed


@dataclass(frozen=True)
class Result:
    score: int
    band: Band  # the score range, drawn around the cut-off that applies
    label: str  # what the result is called (the band, or for the PCL-5 the combined outcome)
    summary: str  # the result in plain words (Thaw's own)
    answers: tuple[int, ...]  # as asked: with the skip rule applied, the skipped items are left out
    subscores: dict[str, int]
    short_forms: dict[str, dict[str, int | bool]]
    critical: list[str] = field(default_factory=list)
    cutoff: int | None = None
    cutoff_basis: str = ""
    above_cutoff: bool | None = None
    dsm5_clusters_met: bool | None = None
    clusters: dict[str, ClusterCount] = field(default_factory=dict)
    item_rule_met: bool | None = None

    @property
    def crisis(self) -> bool:
        return bool(self.critical)

    def findings(self) -> dict[str, object]:
        """What the rules found, as stored with the result (JSON-ready)."""
        return {
            "above_cutoff": self.above_cutoff, "cutoff": self.cutoff, "cutoff_basis": self.cutoff_basis or None,
            "dsm5_clusters_met": self.dsm5_clusters_met,
            "clusters": {k: {"endorsed": c.endorsed, "needed": c.needed, "met": c.met} for k, c in self.clusters.items()}
            or None,
            "item_rule_met": self.item_rule_met, "summary": self.summary,
        }


@dataclass(frozen=True)
class Change:
    previous_score: int
    delta: int
    status: str | None
    clinically_meaningful: bool | None = None


def _skipped(instrument: Instrument, answers: Sequence[object]) -> bool:
    rule = instrument.skip_rule
    return (rule is not None and len(answers) >= rule.when_item
            and answers[rule.when_item - 1] == rule.equals and not isinstance(answers[rule.when_item - 1], bool))


def check_answers(instrument: Instrument, answers: object) -> list[int]:
    """Return the answers as asked (skip rule applied), or raise AnswersInvalid naming every problem.

    With a skip rule the short form (``[0]`` for an AUDIT-C "Never") and the long form with
    the skipped items at 0 (``[0, 0, 0]``) are both accepted; both are kept as the short form.
    """
    n = len(instrument.items)
    if not isinstance(answers, list | tuple):
        raise AnswersInvalid({"answers": f"must be a list of {n} whole numbers"})
    rule = instrument.skip_rule
    short = rule is not None and len(answers) == rule.when_item and _skipped(instrument, answers)
    if len(answers) != n and not short:
        extra = ""
        if rule is not None:
            extra = (f" (or {rule.when_item}, when question {rule.when_item} is "
                     f"“{instrument.items[rule.when_item - 1].label_for(rule.equals)}”)")
        raise AnswersInvalid(
            {"answers": f"{instrument.name} has {n} questions; you gave {len(answers)} answers{extra}"}
        )
    errors: dict[str, str] = {}
    for item, value in zip(instrument.items, answers, strict=False):
        allowed = sorted(item.values)
        if not isinstance(value, int) or isinstance(value, bool):
            errors[f"answers.{item.number - 1}"] = f"question {item.number}: must be a whole number from {allowed[0]} to {allowed[-1]}"
        elif value not in item.values:
            errors[f"answers.{item.number - 1}"] = f"question {item.number}: {value} is not an answer; use {allowed[0]} to {allowed[-1]}"
    if errors:
        raise AnswersInvalid(errors)
    values = list(answers)
    if rule is not None and _skipped(instrument, values):
        asked = instrument.items[rule.when_item - 1].label_for(rule.equals)
        for number in rule.skip:
            if number <= len(values) and values[number - 1] != 0:
                errors[f"answers.{number - 1}"] = (f"question {number} is not asked when question {rule.when_item} "
                                                   f"is “{asked}”; leave it out or send 0")
        if errors:
            raise AnswersInvalid(errors)
        values = values[:rule.when_item]
    return values


def padded(instrument: Instrument, answers: Sequence[int]) -> list[int]:
    """Answers with skipped items scored 0 (the skip rule), one per item."""
    return list(answers) + [0] * (len(instrument.items) - len(answers))


def band_for(instrument: Instrument, score: int, cutoff: int | None = None) -> Band:
    if instrument.cutoff.by_sex:
        # Bands follow the cut-off that applies to the person: two bands around it.
        cut = instrument.cutoff.score if cutoff is None else cutoff
        below, above = instrument.bands[0], instrument.bands[-1]
        if score < cut:
            return Band(instrument.min_score, cut - 1, below.label, below.plain)
        return Band(cut, instrument.max_score, above.label, above.plain)
    for band in instrument.bands:
        if band.min <= score <= band.max:
            return band
    raise ValueError(f"score {score} is outside {instrument.name}'s range")


def chart_bands(instrument: Instrument, cutoff: int | None = None) -> list[Band]:
    """The band zones to draw behind a trend chart, around the cut-off that applies."""
    if instrument.cutoff.by_sex:
        return [band_for(instrument, instrument.min_score, cutoff), band_for(instrument, instrument.max_score, cutoff)]
    return list(instrument.bands)


def clusters_for(instrument: Instrument, values: Sequence[int]) -> dict[str, ClusterCount]:
    rule = instrument.cluster_rule
    if rule is None:
        return {}
    return {c.id: ClusterCount(c.name, sum(1 for i in c.items if values[i - 1] >= rule.endorsed_at), c.needed)
            for c in rule.clusters}


def _fill(text: str, **values: object) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def _same(text: str) -> str:
    return text


def summary_text(instrument: Instrument, *, label: str, score: int, cutoff: int | None, cutoff_basis: str | None,
                 above_cutoff: bool | None, clusters_met: bool | None, item_rule_met: bool | None,
                 translate: Callable[[str], str] = _same) -> str | None:
    """The result in plain words (Thaw's own), from what the rules found: the band's text (for the
    PCL-5, the text of the cut-off and pattern combination), the WHO-5's single-answer rule and,
    for the AUDIT-C, which cut-off applied and why. ``translate`` turns each English text into the
    reader's language (gettext where a result is shown; as is when it is stored). None when the
    findings do not match the instrument (a band it no longer has)."""
    if instrument.cluster_rule is not None and above_cutoff is not None and clusters_met is not None:
        text = translate(instrument.cluster_rule.outcome(above_cutoff, clusters_met).plain)
    else:
        band = next((b for b in instrument.bands if b.label == label), None)
        if band is None:
            return None
        text = translate(band.plain)
    if item_rule_met and instrument.item_rule is not None:
        text = f"{text} {translate(instrument.item_rule.plain)}"
    basis = BASIS_WORDS.get(cutoff_basis or "")
    if instrument.cutoff.by_sex and basis:
        text = f"{text} " + translate(CUTOFF_SENTENCE) % {"cutoff": cutoff, "basis": translate(basis)}
    return _fill(text, score=score, cutoff=cutoff)


def score(instrument: Instrument, answers: Sequence[int], *, cutoff: int | None = None,
          cutoff_basis: str = "") -> Result:
    """Score answers by the instrument's published rules. ``cutoff`` is the one that applies
    to this person (the AUDIT-C's depends on sex); None means the instrument's own."""
    asked = check_answers(instrument, answers)
    values = padded(instrument, asked)
    total = sum(values) * instrument.multiplier
    cut = instrument.cutoff.score if cutoff is None else cutoff
    subscores = {s.id: sum(values[i - 1] for i in s.items) for s in instrument.subscales}
    short_forms: dict[str, dict[str, int | bool]] = {}
    for form in instrument.short_forms:
        subtotal = sum(values[i - 1] for i in form.items)
        short_forms[form.id] = {"score": subtotal, "positive": subtotal >= form.cutoff}
    critical = [c.reason for c in instrument.critical if values[c.item - 1] >= c.min]
    band = band_for(instrument, total, cut)
    above = instrument.cutoff.is_positive(total, cut)
    label = band.label
    clusters = clusters_for(instrument, values)
    clusters_met: bool | None = None
    if instrument.cluster_rule is not None:
        clusters_met = all(c.met for c in clusters.values())
        label = instrument.cluster_rule.outcome(above, clusters_met).label
    item_rule_met: bool | None = None
    if instrument.item_rule is not None:
        item_rule_met = any(v <= instrument.item_rule.at_most for v in values)
    summary = summary_text(instrument, label=label, score=total, cutoff=cut, cutoff_basis=cutoff_basis,
                           above_cutoff=above, clusters_met=clusters_met, item_rule_met=item_rule_met) or ""
    return Result(total, band, label, summary, tuple(asked), subscores, short_forms, critical, cut, cutoff_basis,
                  above, clusters_met, clusters, item_rule_met)


def is_case(instrument: Instrument, score_value: int, cutoff: int | None = None) -> bool:
    """On the clinical side of the cut-off."""
    return instrument.cutoff.is_positive(score_value, cutoff)


def change_status(instrument: Instrument, previous: int, current: int, *, cutoff: int | None = None) -> Change:
    delta = current - previous
    meaningful = None if instrument.clinically_meaningful is None else abs(delta) >= instrument.clinically_meaningful.points
    threshold = instrument.reliable_change_threshold
    if threshold is None:
        return Change(previous, delta, None, meaningful)
    improvement = -delta if instrument.lower_is_better else delta
    if improvement >= threshold:
        recovered = is_case(instrument, previous, cutoff) and not is_case(instrument, current, cutoff)
        return Change(previous, delta, RECOVERED if recovered else IMPROVED, meaningful)
    if -improvement >= threshold:
        return Change(previous, delta, DETERIORATED, meaningful)
    return Change(previous, delta, NO_RELIABLE_CHANGE, meaningful)


def difficulty_asked(instrument: Instrument, answers: Sequence[int]) -> bool:
    """The PHQ-9's difficulty question follows "if you checked off any problems"."""
    return instrument.difficulty is not None and any(v > 0 for v in answers)
