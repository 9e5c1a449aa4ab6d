"""What the browser crawl checks on every page, beyond "it loads": touch targets, axe-core in
light and dark mode at phone and desktop width, chart text contrast measured from pixels, and
screenshots of the main pages for anyone to look at.

The touch-target rule (stated once, here): every visible link, button, text box, select and
disclosure ("summary") is at least 44×44 CSS px. A checkbox or radio is measured with its label,
which is part of its target (tapping the label ticks it). The one exception is WCAG 2.2's
"inline" one (2.5.8): a link inside a sentence of running text is sized by the line it sits in;
such links must still keep 24 px of room around them from any other target (2.5.8's spacing).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("THAW_SCREENSHOTS", REPO / "build" / "screenshots"))
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TARGET = 44
WIDTHS = (390, 1280)
MODES = ("light", "dark")

_TARGETS_JS = """(min) => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  const problems = [], small = [];
  const name = el => (el.innerText || el.value || el.getAttribute('aria-label') || el.name || el.id || '').trim().slice(0, 40);
  const where = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest('[aria-hidden=true], [hidden]') || el.getAttribute('tabindex') === '-1' && el.tagName !== 'MAIN') continue;
    let box = el;
    if (el.matches('input[type=checkbox], input[type=radio]') || getComputedStyle(el).opacity === '0') {
      const label = el.closest('label') || (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]'));
      if (label) box = label;
    }
    const r = box.getBoundingClientRect();
    if (r.width < 2 || r.height < 2 || r.right < 0 || r.bottom < 0 || getComputedStyle(box).visibility === 'hidden') continue;
    if (r.width >= min && r.height >= min) continue;
    const style = getComputedStyle(el);
    const block = el.parentElement && el.parentElement.closest('p, li, dd, td, div, span.hint, label');
    const text = block ? block.innerText.replace(/\\s+/g, ' ').trim() : '';
    const inSentence = el.tagName === 'A' && style.display === 'inline' && text.length > (el.innerText || '').trim().length + 3;
    if (inSentence) { small.push({el, r}); continue; }
    problems.push(`${where(el)} "${name(el)}" is ${Math.round(r.width)}×${Math.round(r.height)} px`);
  }
  // WCAG 2.5.8 spacing for the inline links: a 24 px circle around each touches no other target.
  const all = Array.from(document.querySelectorAll(sel)).map(e => [e, e.getBoundingClientRect()]).filter(([e, r]) => r.width > 1 && r.height > 1);
  // A pinned bar (the phone's tab bar) meets a link of the page only at one scroll position: not a neighbour.
  const pinned = e => { for (let n = e; n && n !== document.body; n = n.parentElement) { if (['fixed', 'sticky'].includes(getComputedStyle(n).position)) return true; } return false; };
  for (const {el, r} of small) {
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    for (const [other, o] of all) {
      if (other === el || other.contains(el) || el.contains(other) || pinned(other) !== pinned(el)) continue;
      const dx = Math.max(o.left - cx, 0, cx - o.right), dy = Math.max(o.top - cy, 0, cy - o.bottom);
      if (Math.hypot(dx, dy) < 12) { problems.push(`${where(el)} "${name(el)}" (in a sentence) is within 12 px of ${where(other)} "${name(other)}"`); break; }
    }
  }
  return problems;
}"""


def touch_targets(page: Any) -> list[str]:
    return list(page.evaluate(_TARGETS_JS, TARGET))


def load_axe(page: Any, source: str) -> None:
    """axe-core is evaluated through the DevTools protocol, not a <script>: the page's CSP stays strict."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(source + "\n;0")


def axe(page: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """(violations as lines, colour-contrast items axe could not decide).

    The phone's tab bar and other pinned bars are put back in the page's flow while axe looks:
    pinned, they cover whatever text scrolls under them, and axe cannot decide that text's
    contrast (the bars' own contrast is checked either way)."""
    result = page.evaluate("""(tags) => {
      const pinned = Array.from(document.querySelectorAll('body *'))
        .filter(e => ['fixed', 'sticky'].includes(getComputedStyle(e).position));
      pinned.forEach(e => e.style.setProperty('position', 'static', 'important'));
      return axe.run(document, {runOnly: {type: 'tag', values: tags},
        resultTypes: ['violations', 'incomplete']}).finally(() => pinned.forEach(e => e.style.removeProperty('position'))).then(r => ({
          violations: r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n').slice(1, 2).join(''))})),
          incomplete: r.incomplete.filter(v => v.id === 'color-contrast').flatMap(v => v.nodes.map(n => ({target: n.target.join(' ') + ' (' + ((n.any[0] && n.any[0].message) || '').slice(0, 120) + ')', chart: Boolean(document.querySelector(n.target.join(' ')) && document.querySelector(n.target.join(' ')).closest('.chart-box, svg'))})))
        }));
    }""", AXE_TAGS)
    lines = [f"{v['id']} ({v['help']}): {'; '.join(v['nodes'])}" for v in result["violations"]]
    return lines, result["incomplete"]


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def chart_text_contrast(page: Any) -> list[tuple[str, float]]:
    """For each drawn chart (uPlot's canvas): the contrast of its axis text against the background
    it sits on, measured from the screenshot's pixels. The axis labels live in the strips left of and
    below the plotting area; the strongest ink there is the text's own colour (its edges are blended)."""
    from PIL import Image

    found = []
    for index, box in enumerate(page.locator(".chart-box .uplot").all()):
        image = Image.open(io.BytesIO(box.screenshot())).convert("RGB")
        plot = box.locator(".u-over").bounding_box()
        outer = box.bounding_box()
        if not plot or not outer:
            continue
        scale = image.width / outer["width"]
        left = int((plot["x"] - outer["x"]) * scale)
        bottom = int((plot["y"] - outer["y"] + plot["height"]) * scale)
        strips = [image.crop((0, 0, max(left - 2, 1), image.height)), image.crop((0, bottom + 2, image.width, image.height))]
        worst = None
        for strip in strips:
            if strip.width < 2 or strip.height < 2:
                continue
            colours = strip.getcolors(strip.width * strip.height) or []
            background = max(colours)[1]
            ink = max((contrast(background, colour) for _, colour in colours), default=1.0)
            worst = ink if worst is None else min(worst, ink)
        if worst is not None:
            found.append((f"chart {index + 1}", worst))
    return found


def screenshot(page: Any, name: str) -> list[Path]:
    """The whole page at phone width in light and dark mode, the tab bar where a phone shows it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    written = []
    for mode in MODES:
        page.emulate_media(color_scheme=mode)
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height, 12000))})
        path = SCREENSHOTS / f"{name}.{mode}.png"
        page.screenshot(path=str(path))
        written.append(path)
        page.set_viewport_size(size)
    page.emulate_media(color_scheme="light")
    return written
