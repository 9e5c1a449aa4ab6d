"""Server-drawn SVG trend charts: no script, so they work in print, in PDF and without JS.

Pure functions: points and bands in, SVG markup out. Colours come from the stylesheet
through class names, so the strict CSP (no inline styles) holds and dark mode works. Dates are
written in the active language (Django's date formats); the band names are the instrument's
published English, marked ``lang="en"`` for screen readers.

Drawn for a phone first: the chart is scaled to the width it is given, so its units are CSS px
only at WIDTH. A phone's column (a 390 px screen, inside a card) is about 320 px, so the chart is
drawn 320 units wide with its text at 14 units: 14 px there, never under 12 px on a 360 px phone.
The stylesheet caps how wide it grows on a desktop, so the text stays reading size (about 18 px)
instead of growing with the column.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from django.utils import timezone
from django.utils.formats import date_format

from thaw.assessments.instruments import Band

WIDTH, HEIGHT = 320, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 34
TEXT = 14  # the size of every word and number, in the chart's units


def _x(i: int, n: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span / 2 if n == 1 else span * i / (n - 1))


def _y(value: float, low: float, high: float) -> float:
    span = HEIGHT - TOP - BOTTOM
    return TOP + span * (1 - (value - low) / (high - low or 1))


def _day(when: datetime) -> str:
    """"5 Jan 2026" in English, "5 Ene 2026" in Spanish: the active language's month names, on the
    day of the active time zone (as the table beside the chart)."""
    return escape(date_format(timezone.localtime(when) if timezone.is_aware(when) else when, "j M Y"))


def trend_svg(
    points: Sequence[tuple[datetime, float]],
    bands: Sequence[Band],
    low: float,
    high: float,
    *,
    title: str,
    description: str,
) -> str:
    """A line of scores over time on top of the instrument's band zones (oldest left)."""
    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" font-size="{TEXT}" role="img" aria-labelledby="chart-title chart-desc" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(description)}</desc>',
    ]
    for n, band in enumerate(bands):
        top, bottom = _y(min(band.max + 1, high), low, high), _y(band.min, low, high)
        parts.append(
            f'<rect class="zone zone-{n % 5}" x="{LEFT}" y="{top:.1f}" width="{WIDTH - LEFT - RIGHT}" '
            f'height="{max(bottom - top, 0):.1f}"><title lang="en">{escape(band.label)}: {band.min}-{band.max}</title></rect>'
        )
        parts.append(f'<text class="zone-label" x="{WIDTH - RIGHT - 4}" y="{bottom - 4:.1f}" text-anchor="end" '
                     f'lang="en">{escape(band.label)}</text>')
    for tick in (low, (low + high) / 2, high):
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{_y(tick, low, high) + TEXT * 0.35:.1f}" text-anchor="end">'
                     f"{tick:g}</text>")
    n = len(points)
    coords = [(_x(i, n), _y(v, low, high)) for i, (_, v) in enumerate(points)]
    if n > 1:
        parts.append('<polyline class="line" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords) + '"/>')
    for (x, y), (when, value) in zip(coords, points, strict=True):
        parts.append(f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="5"><title>{_day(when)}: {value:g}</title></circle>')
    if points:
        parts.append(f'<text class="tick" x="{LEFT}" y="{HEIGHT - 10}">{_day(points[0][0])}</text>')
        if n > 1:
            parts.append(f'<text class="tick" x="{WIDTH - RIGHT}" y="{HEIGHT - 10}" text-anchor="end">'
                         f"{_day(points[-1][0])}</text>")
    parts.append("</svg>")
    return "".join(parts)
