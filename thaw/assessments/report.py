"""The "bring this to my appointment" report: pure summaries, and its PDF rendering.

``weekly_numbness`` and ``build_report`` take plain data; ``render_pdf`` draws the
report with fpdf2 (pure Python, no system libraries) in the reader's language. The PDF uses
the core Helvetica font, so text is reduced to Latin-1 (curly quotes and dashes become plain
ones; Spanish letters are all in it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from math import sqrt


@dataclass(frozen=True)
class WeekNumbness:
    week_start: date
    mean: float
    n: int


def weekly_numbness(points: Iterable[tuple[date, int]]) -> list[WeekNumbness]:
    """Mean numbness per ISO week (Monday start), oldest first. ``points`` are (local day, numbness)."""
    weeks: dict[date, list[int]] = {}
    for day, value in points:
        weeks.setdefault(day - timedelta(days=day.weekday()), []).append(value)
    return [WeekNumbness(start, sum(v) / len(v), len(v)) for start, v in sorted(weeks.items())]


def slope_per_week(weeks: Sequence[WeekNumbness]) -> float | None:
    """Least-squares change in weekly mean numbness per week; None with fewer than 3 weeks."""
    if len(weeks) < 3:
        return None
    xs = [(w.week_start - weeks[0].week_start).days / 7 for w in weeks]
    ys = [w.mean for w in weeks]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return None if sxx == 0 else sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


@dataclass(frozen=True)
class ScoreLine:
    instrument: str
    taken_at: datetime
    score: int
    max_score: int
    band: str
    status: str | None
    delta: int | None
    difficulty: str | None = None  # PHQ-9's unscored question, as answered
    rules_version: int = 0


@dataclass
class Report:
    person: str
    since: date
    until: date
    scores: list[ScoreLine] = field(default_factory=list)
    numbness: list[WeekNumbness] = field(default_factory=list)
    checkins: int = 0
    open_flags: int = 0
    rules_version: int = 0  # the current scoring rules; lines from older ones are marked

    @property
    def difficulties(self) -> list[ScoreLine]:
        return [line for line in self.scores if line.difficulty]

    @property
    def older_rules(self) -> bool:
        return any(line.rules_version < self.rules_version for line in self.scores)

    @property
    def numbness_slope(self) -> float | None:
        return slope_per_week(self.numbness)

    @property
    def numbness_mean(self) -> float | None:
        total = sum(w.mean * w.n for w in self.numbness)
        count = sum(w.n for w in self.numbness)
        return total / count if count else None

    @property
    def numbness_sd(self) -> float | None:
        means = [w.mean for w in self.numbness]
        if len(means) < 2:
            return None
        m = sum(means) / len(means)
        return sqrt(sum((x - m) ** 2 for x in means) / (len(means) - 1))


def _latin1(text: str) -> str:
    table = {"\u2014": "-", "\u2013": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "..."}
    return "".join(table.get(ch, ch) for ch in text).encode("latin-1", "replace").decode("latin-1")


def _change_word(status: str) -> str:
    from thaw.checkins.templatetags.thaw_tags import change_word

    return change_word(status)


def _day(value: date | datetime) -> str:
    """A date as the reader writes it ("5 Jan 2026", "5 Ene 2026")."""
    from django.utils.formats import date_format

    return date_format(value, "j M Y")


def render_pdf(report: Report) -> bytes:
    """The report as a PDF, in the active language (Thaw's words; the score bands and the PHQ-9's
    answers stay in their published English, as on the page)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext
    from fpdf import FPDF  # here: PDF fonts take a quarter of a second to import, every start

    from thaw.validation import decimal

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_title(_latin1(_("Report for my appointment")))
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1("Thaw - " + _("Report for my appointment")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, _latin1(
        f"{report.person} - "
        + _("%(since)s to %(until)s. Self-reported; not a diagnosis.") % {"since": _day(report.since),
                                                                          "until": _day(report.until)}
        + " " + _("Change status uses each questionnaire's published reliable-change threshold.")
    ), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, _latin1(_("Scores")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 9)
    widths = (26, 30, 20, 50, 18, 42)
    heads = (_("Questionnaire"), _("Date"), _("Score"), _("Range"), _("Change"), _("Status"))
    for w, head in zip(widths, heads, strict=True):
        pdf.cell(w, 6, _latin1(head)[:24], border="B")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    if not report.scores:
        pdf.cell(0, 6, _latin1(_("No questionnaires in this period.")), new_x="LMARGIN", new_y="NEXT")
    for line in report.scores:
        delta = "" if line.delta is None else f"{line.delta:+d}"
        older = ""
        if line.rules_version < report.rules_version:
            older = " (" + _("rules v%(version)s") % {"version": line.rules_version} + ")"
        status = _change_word(line.status) if line.status else (_("first score") if line.delta is None else "-")
        cells = (line.instrument, _day(line.taken_at), f"{line.score}/{line.max_score}", line.band, delta,
                 status + older)
        for w, text in zip(widths, cells, strict=True):
            pdf.cell(w, 6, _latin1(text)[:40])
        pdf.ln()
    if report.older_rules:
        pdf.set_font("Helvetica", "I", 8)
        pdf.multi_cell(0, 4, _latin1(
            _("Scores marked “rules v1” were scored with Thaw's first scoring rules and are shown as they were "
              "scored; later scores use version %(version)s, the published rules.") % {"version": report.rules_version}
        ), new_x="LMARGIN", new_y="NEXT")
    if report.difficulties:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 7, _latin1(_("PHQ-9: how difficult the problems made things")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "I", 8)
        pdf.cell(0, 5, _latin1(_("The PHQ-9's last question; not part of the score.")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        for line in report.difficulties:
            pdf.cell(40, 5, _latin1(_day(line.taken_at)))
            pdf.cell(0, 5, _latin1(line.difficulty or ""), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, _latin1(_("Numbness (0-10, from check-ins)")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    if not report.numbness:
        none = (ngettext("%(n)s check-in, none with a numbness rating.",
                         "%(n)s check-ins, none with a numbness rating.", report.checkins) % {"n": report.checkins}
                if report.checkins else _("No check-ins in this period."))
        pdf.cell(0, 6, _latin1(none), new_x="LMARGIN", new_y="NEXT")
    else:
        slope = report.numbness_slope
        rated = sum(week.n for week in report.numbness)
        trend = (_("; too few weeks to tell a trend") if slope is None
                 else _("; trend %(slope)s per week") % {"slope": decimal(slope, 2, fixed=True)})
        pdf.multi_cell(0, 5, _latin1(
            ngettext("%(n)s check-in; average numbness %(mean)s out of 10",
                     "%(n)s check-ins; average numbness %(mean)s out of 10", report.checkins)
            % {"n": report.checkins, "mean": decimal(report.numbness_mean or 0, 1, fixed=True)}
            + ngettext(" (over the %(rated)s with a rating)", " (over the %(rated)s with a rating)", rated)
            % {"rated": rated} + trend + "."
        ), new_x="LMARGIN", new_y="NEXT")
        top = pdf.get_y() + 2
        left, chart_w, chart_h = pdf.l_margin + 8, 160, 40
        pdf.set_draw_color(180, 170, 160)
        pdf.rect(left, top, chart_w, chart_h)
        for value in (0, 5, 10):
            y = top + chart_h * (1 - value / 10)
            pdf.text(left - 6, y + 1, str(value))
        n = len(report.numbness)
        pdf.set_draw_color(168, 67, 27)
        prev = None
        for i, week in enumerate(report.numbness):
            x = left + (chart_w / 2 if n == 1 else chart_w * i / (n - 1))
            y = top + chart_h * (1 - week.mean / 10)
            pdf.circle(x=x, y=y, radius=0.9, style="F")
            if prev:
                pdf.line(prev[0], prev[1], x, y)
            prev = (x, y)
        pdf.set_y(top + chart_h + 4)
        pdf.set_font("Helvetica", "B", 9)
        for w, head in zip((40, 40, 30), (_("Week of"), _("Average numbness"), _("Ratings")), strict=True):
            pdf.cell(w, 6, _latin1(head), border="B")
        pdf.ln()
        pdf.set_font("Helvetica", "", 9)
        for week in report.numbness:
            for w, text in zip((40, 40, 30), (_day(week.week_start), decimal(week.mean, 1, fixed=True), str(week.n)),
                               strict=True):
                pdf.cell(w, 5, _latin1(text))
            pdf.ln()
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(0, 4, _latin1(
        _("Made with Thaw. Thaw is not an emergency service. It never suggests changing or stopping a medication: "
          "if you wonder whether a medicine is dulling your feelings, please talk it over with your prescriber.")
    ), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
