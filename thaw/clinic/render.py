"""The caseload table's rows as HTML, built in Python.

Django's template engine took about 1 ms per row for this table (eight cells with
conditions), which made a 500-person caseload page slow; string building with
``format_html`` (every value escaped) does the same in a fraction of that.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext, gettext_noop, ngettext, pgettext

from thaw.access import Category
from thaw.assessments.older_rules import rules_mark
from thaw.clinic.services import ARROWS, Row
from thaw.safety.models import FlagKind

KIND_LABELS = dict(FlagKind.choices)
# The flag kinds' labels (thaw.safety.models.FlagKind), for the catalogue: shown to staff in their language.
gettext_noop("A critical assessment answer")
gettext_noop("Crisis language in something written")
gettext_noop("A score got reliably worse")
gettext_noop("No check-ins for a while")


def kind_label(kind: str) -> str:
    """A risk flag's kind in the reader's language; the stored value stays the code."""
    return gettext(KIND_LABELS.get(kind, kind))
PERSON_URL_ID = 987654321  # a stand-in id: the person page's address is reversed once per table


def _html(format_string: str, *args: Any) -> SafeString:
    """``format_html`` without its per-call overhead (lazy-string checks, a function per value):
    every value is escaped unless it is already safe HTML, as there. The table has about twenty
    values a row, and ``format_html`` was most of the caseload page's time."""
    return SafeString(format_string.format(*[a.__html__() if hasattr(a, "__html__") else html.escape(str(a))
                                             for a in args]))


@cache
def _not_shared_in(language: str) -> SafeString:
    return format_html('<span class="hint">{}</span>', gettext("not shared"))


def not_shared() -> SafeString:
    return _not_shared_in(get_language() or "")


class _Words:
    """The table's words in the reader's language, looked up once per table instead of per row."""

    def __init__(self, now: datetime) -> None:
        from django.conf import settings

        self.now = now
        self.not_shared = not_shared()
        self.ago = gettext("%(time)s ago")
        self.spark_label = gettext("daily numbness, last 14 days")
        self.none_set = gettext("none set as homework")
        self.overdue = gettext("overdue")
        self.none_due = gettext("none due")
        self.last_30_days = gettext("Last 30 days:")
        self.none_came_due = gettext("none came due")
        self.done_of_due = gettext("%(done)s of %(due)s done (%(percent)s%%)")
        self.first_score = gettext("first score")
        self.statuses = {status: gettext(status) for status in ARROWS}  # the stored code, in the reader's words
        self.languages = dict(settings.LANGUAGES)
        self.browser_language = gettext("language: their browser’s")


def _ago(moment: datetime, words: _Words) -> str:
    return words.ago % {"time": timesince(moment, words.now)}


def _score(row: Row, instrument: str, words: _Words) -> SafeString:
    found = row.scores.get(instrument)
    if found:
        status = words.statuses.get(found["status"], found["status"]) if found["status"] else words.first_score
        return _html('{} <span class="hint" lang="en">{}</span> <span aria-hidden="true" title="{}">{}</span>'
                     '<span class="visually-hidden"> {}</span>{}',
                     found["score"], found["band"], status, found["arrow"], status, rules_mark(found.get("rules_version")))
    return mark_safe("–") if Category.ASSESSMENTS in row.categories else words.not_shared


def _numbness(row: Row, words: _Words) -> SafeString:
    if not row.sees_checkins:
        return words.not_shared
    sparkline = row.sparkline
    spark = _html('<svg class="spark" viewBox="0 0 130 32" width="130" height="32" role="img" '
                  'aria-label="{}"><polyline points="{}" fill="none" '
                  'stroke="currentColor" stroke-width="2"/></svg><br>', words.spark_label,
                  sparkline) if sparkline else ""
    if row.numb_recent is None:
        return _html("{}–", spark)
    change = row.numbness_change
    suffix = "" if change is None else f" ({'+' if change > 0 else ''}{change})"
    return _html("{}{}{}", spark, row.numb_recent, suffix)


def _flags(row: Row, words: _Words) -> SafeString:
    if not row.flags:
        return mark_safe("–") if Category.FLAGS in row.categories else words.not_shared
    return SafeString("<br>".join(
        _html('<a href="{}" class="flag flag-{}">{}</a> <span class="hint">{}</span>',
              reverse("flag_detail", args=[f.pk]), f.kind, kind_label(f.kind), _ago(f.created_at, words))
        for f in row.flags))


def _questionnaires(row: Row, names: dict[str, str], words: _Words) -> SafeString:
    """Questionnaires due now (overdue ones named as such) and completion over 30 days."""
    summary = row.questionnaires
    if summary is None:
        return words.not_shared
    if not summary.states:
        return _html('– <span class="hint">{}</span>', words.none_set)
    due = [s for s in summary.states if s.due]
    if due:
        counts = ngettext("%(count)s due", "%(count)s due", len(due)) % {"count": len(due)}
        if summary.overdue:
            counts += ", " + ngettext("%(count)s overdue", "%(count)s overdue", summary.overdue) % {
                "count": summary.overdue}
        which = ", ".join(_html('<span class="q-item">{}{}</span>', names.get(s.instrument, s.instrument),
                                f" ({words.overdue})" if s.overdue else "") for s in due)
        now = _html('<strong class="q-due">{}</strong><br><span class="hint">{}</span>', counts, SafeString(which))
    else:
        now = _html("{}", words.none_due)
    if summary.completion is None:
        month = _html('{} —<span class="visually-hidden"> ({})</span>', words.last_30_days, words.none_came_due)
    else:
        month = _html("{} {}", words.last_30_days, words.done_of_due % {
            "done": summary.completed, "due": summary.came_due, "percent": summary.completion})
    return _html('{}<br><span class="q-month">{}</span>', now, month)


def _language(row: Row, words: _Words) -> SafeString:
    """The person's language, so a clinician knows which to write in (their notes are shown as written):
    the one chosen in their profile, else the one they last read Thaw in (what Thaw's emails to them
    use, thaw.core.language.language_for); "their browser's" only when neither is known."""
    reads_in = row.language if row.language in words.languages else row.last_language
    if reads_in in words.languages:
        return _html(' · <span class="language" lang="{}">{}</span>', reads_in, words.languages[reads_in])
    return _html(' · <span class="language">{}</span>', words.browser_language)


# On a phone each row is a card: every cell carries its column's name, shown only there (thaw.css),
# beside one box holding the value (the card is a two-column grid: loose text and spans in a
# cell would each take a grid cell of their own and fall under the name).
CELL = '<td><span class="cell-label">{}</span><div class="cell-value">{}</div></td>'


def column_names() -> dict[str, str]:
    """The caseload's column headings after the score columns (the table's and each card's)."""
    return {"questionnaires": gettext("Questionnaires due"), "numbness": gettext("Numbness, 14 days"),
            "adherence": gettext("Check-in days (of 7)"), "last": gettext("Last activity"),
            "flags": gettext("Open flags")}


def rows_html(rows: Iterable[Row], instruments: Iterable[str], now: datetime | None = None) -> SafeString:
    from django.utils import timezone

    from thaw.assessments.instruments import instruments as known

    instruments = list(instruments)
    names = {key: instrument.name for key, instrument in known().items()}
    columns = column_names()
    words = _Words(now or timezone.now())
    needs = {"crisis": pgettext("caseload need", "crisis"), "deterioration": pgettext("caseload need", "deterioration"),
             "disengagement": pgettext("caseload need", "disengagement")}
    person_url = reverse("clinic_person", args=[PERSON_URL_ID]).replace(str(PERSON_URL_ID), "{}")
    row_html = ('<tr class="need-{}" data-person="{}"><th scope="row"><a href="{}">{}</a><br>'
                '<span class="hint">{}{}</span>{}</th>{}' + CELL * 5 + '</tr>')
    labels = [html.escape(i.upper()) for i in instruments]
    parts = []
    for row in rows:
        badge = _html('<br><span class="badge">{}</span>', needs.get(row.need, row.need)) if row.need else ""
        scores = SafeString("".join(CELL.format(label, _score(row, i, words))
                                    for label, i in zip(labels, instruments, strict=True)))
        adherence = row.adherence if row.adherence is not None else words.not_shared
        last = _ago(row.last_activity, words) if row.last_activity else "–"
        parts.append(_html(
            row_html,
            row.need or "none", row.person_id, person_url.format(row.person_id), row.name,
            ", ".join(row.programs), _language(row, words), badge, scores,
            columns["questionnaires"], _questionnaires(row, names, words), columns["numbness"], _numbness(row, words),
            columns["adherence"], adherence, columns["last"], last, columns["flags"], _flags(row, words),
        ))
    return mark_safe("".join(parts))
