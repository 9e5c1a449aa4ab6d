"""The "bring this to my appointment" report: pure summaries, and its PDF rendering.

``weekly_numbness`` and ``build_report`` take plain data; ``render_pdf`` draws the
report with fpdf2 (pure Python, no system libraries). The PDF uses the core Helvetica
font, so text is reduced to Latin-1 (curly quotes and dashes become plain ones).
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


def render_pdf(report: Report) -> bytes:
    from fpdf import FPDF  # here: PDF fonts take a quarter of a second to import, every start

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_title("Thaw report")
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1("Thaw - report for my appointment"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, _latin1(
        f"{report.person} - {report.since:%d %b %Y} to {report.until:%d %b %Y}. Self-reported scores; "
        "not a diagnosis. Change status uses each instrument's published reliable-change threshold."
    ), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, "Scores", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 9)
    widths = (26, 30, 20, 50, 18, 42)
    for w, head in zip(widths, ("Instrument", "Date", "Score", "Band", "Change", "Status"), strict=True):
        pdf.cell(w, 6, head, border="B")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    if not report.scores:
        pdf.cell(0, 6, "No assessments in this period.", new_x="LMARGIN", new_y="NEXT")
    for line in report.scores:
        delta = "" if line.delta is None else f"{line.delta:+d}"
        older = f" (rules v{line.rules_version})" if line.rules_version < report.rules_version else ""
        cells = (line.instrument, f"{line.taken_at:%d %b %Y}", f"{line.score}/{line.max_score}", line.band, delta,
                 (line.status or ("first score" if line.delta is None else "-")) + older)
        for w, text in zip(widths, cells, strict=True):
            pdf.cell(w, 6, _latin1(text)[:40])
        pdf.ln()
    if report.older_rules:
        pdf.set_font("Helvetica", "I", 8)
        pdf.multi_cell(0, 4, _latin1(
            f"Scores marked 'rules v1' were scored with Thaw's first scoring rules and are shown as they were scored; "
            f"later scores use version {report.rules_version}, the published rules (see Thaw's ASSESSMENTS document)."
        ), new_x="LMARGIN", new_y="NEXT")
    if report.difficulties:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 7, _latin1("PHQ-9: how difficult the problems made things (not scored)"), new_x="LMARGIN",
                 new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        for line in report.difficulties:
            pdf.cell(40, 5, f"{line.taken_at:%d %b %Y}")
            pdf.cell(0, 5, _latin1(line.difficulty or ""), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, "Numbness (0-10, from check-ins)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    if not report.numbness:
        none = (f"{report.checkins} check-ins, none with a numbness rating." if report.checkins
                else "No check-ins in this period.")
        pdf.cell(0, 6, none, new_x="LMARGIN", new_y="NEXT")
    else:
        slope = report.numbness_slope
        trend = "too few weeks to tell" if slope is None else f"{slope:+.2f} per week"
        pdf.multi_cell(0, 5, _latin1(
            f"{report.checkins} check-ins; mean numbness {report.numbness_mean:.1f} "
            f"(over the {sum(w.n for w in report.numbness)} with a rating); trend {trend}."
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
        for w, head in zip((40, 30, 30), ("Week of", "Mean", "Ratings"), strict=True):
            pdf.cell(w, 6, head, border="B")
        pdf.ln()
        pdf.set_font("Helvetica", "", 9)
        for week in report.numbness:
            for w, text in zip((40, 30, 30), (f"{week.week_start:%d %b %Y}", f"{week.mean:.1f}", str(week.n)), strict=True):
                pdf.cell(w, 5, text)
            pdf.ln()
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(0, 4, _latin1(
        "Made with Thaw. Thaw is not an emergency service. It never suggests changing or stopping a medication: "
        "if you wonder whether a medicine is dulling your feelings, please talk it over with your prescriber."
    ), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
