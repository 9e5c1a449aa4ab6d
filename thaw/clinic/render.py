"""The caseload table's rows as HTML, built in Python.

Django's template engine took about 1 ms per row for this table (eight cells with
conditions), which made a 500-person caseload page slow; string building with
``format_html`` (every value escaped) does the same in a fraction of that.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext, ngettext, pgettext

from thaw.access import Category
from thaw.clinic.services import Row
from thaw.safety.models import FlagKind

KIND_LABELS = dict(FlagKind.choices)


@cache
def _not_shared_in(language: str) -> SafeString:
    return format_html('<span class="hint">{}</span>', gettext("not shared"))


def not_shared() -> SafeString:
    return _not_shared_in(get_language() or "")


def _ago(moment: object) -> str:
    return gettext("%(time)s ago") % {"time": timesince(moment)}  # type: ignore[arg-type]


def _score(row: Row, instrument: str) -> SafeString:
    found = row.scores.get(instrument)
    if found:
        status = found["status"] or "first score"
        return format_html('{} <span class="hint">{}</span> <span aria-hidden="true" title="{}">{}</span>'
                           '<span class="visually-hidden"> {}</span>',
                           found["score"], found["band"], status, found["arrow"], status)
    return mark_safe("–") if Category.ASSESSMENTS in row.categories else not_shared()


def _numbness(row: Row) -> SafeString:
    if not row.sees_checkins:
        return not_shared()
    spark = format_html('<svg class="spark" viewBox="0 0 130 32" width="130" height="32" role="img" '
                        'aria-label="{}"><polyline points="{}" fill="none" '
                        'stroke="currentColor" stroke-width="2"/></svg><br>', gettext("daily numbness, last 14 days"),
                        row.sparkline) if row.sparkline else ""
    if row.numb_recent is None:
        return format_html("{}–", spark)
    change = row.numbness_change
    suffix = "" if change is None else f" ({'+' if change > 0 else ''}{change})"
    return format_html("{}{}{}", spark, row.numb_recent, suffix)


def _flags(row: Row) -> SafeString:
    if not row.flags:
        return mark_safe("–") if Category.FLAGS in row.categories else not_shared()
    return format_html_join(mark_safe("<br>"), '<a href="{}" class="flag flag-{}">{}</a> <span class="hint">{}</span>',
                            ((reverse("flag_detail", args=[f.pk]), f.kind, KIND_LABELS.get(f.kind, f.kind),
                              _ago(f.created_at)) for f in row.flags))


def _questionnaires(row: Row, names: dict[str, str]) -> SafeString:
    """Questionnaires due now (overdue ones named as such) and completion over 30 days."""
    summary = row.questionnaires
    if summary is None:
        return not_shared()
    if not summary.states:
        return format_html('– <span class="hint">{}</span>', gettext("none set as homework"))
    due = [s for s in summary.states if s.due]
    if due:
        counts = ngettext("%(count)s due", "%(count)s due", len(due)) % {"count": len(due)}
        if summary.overdue:
            counts += ", " + ngettext("%(count)s overdue", "%(count)s overdue", summary.overdue) % {
                "count": summary.overdue}
        overdue = gettext("overdue")
        which = format_html_join(", ", '<span class="q-item">{}{}</span>', (
            (names.get(s.instrument, s.instrument), f" ({overdue})" if s.overdue else "") for s in due))
        now = format_html('<strong class="q-due">{}</strong><br><span class="hint">{}</span>', counts, which)
    else:
        now = format_html("{}", gettext("none due"))
    if summary.completion is None:
        month = format_html('{} —<span class="visually-hidden"> ({})</span>', gettext("Last 30 days:"),
                            gettext("none came due"))
    else:
        month = format_html("{} {}", gettext("Last 30 days:"), gettext("%(done)s of %(due)s done (%(percent)s%%)") % {
            "done": summary.completed, "due": summary.came_due, "percent": summary.completion})
    return format_html('{}<br><span class="q-month">{}</span>', now, month)


def _language(row: Row) -> SafeString:
    """The person's language, so a clinician knows which to write in (their notes are shown as written)."""
    from django.conf import settings
    from django.utils.translation import gettext

    names = dict(settings.LANGUAGES)
    if row.language in names:
        return format_html(' · <span class="language" lang="{}">{}</span>', row.language, names[row.language])
    return format_html(' · <span class="language">{}</span>', gettext("language: their browser’s"))


# On a phone each row is a card: every cell carries its column's name, shown only there (thaw.css),
# beside one box holding the value (the card is a two-column grid: loose text and spans in a
# cell would each take a grid cell of their own and fall under the name).
CELL = '<td><span class="cell-label">{}</span><div class="cell-value">{}</div></td>'


def column_names() -> dict[str, str]:
    """The caseload's column headings after the score columns (the table's and each card's)."""
    return {"questionnaires": gettext("Questionnaires due"), "numbness": gettext("Numbness, 14 days"),
            "adherence": gettext("Check-in days (of 7)"), "last": gettext("Last activity"),
            "flags": gettext("Open flags")}


def rows_html(rows: Iterable[Row], instruments: Iterable[str]) -> SafeString:
    from thaw.assessments.instruments import instruments as known

    instruments = list(instruments)
    names = {key: instrument.name for key, instrument in known().items()}
    columns = column_names()
    needs = {"crisis": pgettext("caseload need", "crisis"), "deterioration": pgettext("caseload need", "deterioration"),
             "disengagement": pgettext("caseload need", "disengagement")}
    parts = []
    for row in rows:
        badge = format_html('<br><span class="badge">{}</span>', needs.get(row.need, row.need)) if row.need else ""
        scores = format_html_join("", CELL, ((i.upper(), _score(row, i)) for i in instruments))
        adherence = row.adherence if row.adherence is not None else not_shared()
        last = _ago(row.last_activity) if row.last_activity else "–"
        parts.append(format_html(
            '<tr class="need-{}" data-person="{}"><th scope="row"><a href="{}">{}</a><br>'
            '<span class="hint">{}{}</span>{}</th>{}' + CELL * 5 + '</tr>',
            row.need or "none", row.person_id, reverse("clinic_person", args=[row.person_id]), row.name,
            ", ".join(row.programs), _language(row), badge, scores,
            columns["questionnaires"], _questionnaires(row, names), columns["numbness"], _numbness(row),
            columns["adherence"], adherence, columns["last"], last, columns["flags"], _flags(row),
        ))
    return mark_safe("".join(parts))
