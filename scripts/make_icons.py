#!/usr/bin/env python3
"""Draw Thaw's app icons (PNG) from the same shape as thaw/core/static/thaw/icon.svg.

A drop of meltwater on the accent colour: our own simple drawing, no external artwork. Run it
again only when the icon changes; the PNGs it writes are committed beside the SVG.

    .venv/bin/python scripts/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ACCENT = (168, 67, 27, 255)  # #a8431b, as in icon.svg and thaw.css
PAPER = (251, 248, 244, 255)  # #fbf8f4
OUT = Path(__file__).resolve().parent.parent / "thaw" / "core" / "static" / "thaw"
SCALE = 4  # draw large, then shrink: smooth edges without anti-aliasing support


def drop(draw: ImageDraw.ImageDraw, size: int, inset: float) -> None:
    """The drop of icon.svg (viewBox 64): a point at the top, a round base of radius 12 at (32, 37)."""
    def at(x: float, y: float) -> tuple[float, float]:
        return (inset + (x / 64) * (size - 2 * inset), inset + (y / 64) * (size - 2 * inset))

    unit = (size - 2 * inset) / 64
    cx, cy = at(32, 37)
    r = 12 * unit
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=PAPER)
    top = at(32, 14)
    draw.polygon([top, at(21.3, 31.5), at(42.7, 31.5)], fill=PAPER)
    draw.polygon([top, at(20.2, 34.5), at(43.8, 34.5), at(32, 37)], fill=PAPER)


def icon(size: int, *, maskable: bool) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), ACCENT if maskable else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        drop(draw, big, big * 0.18)  # inside the safe zone (the middle 80 %)
    else:
        margin = big * (2 / 64)
        draw.ellipse((margin, margin, big - margin, big - margin), fill=ACCENT)
        drop(draw, big, 0)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    for size in (192, 512):
        icon(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
    icon(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    icon(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    print(f"icons written to {OUT}")


if __name__ == "__main__":
    main()
