"""An article's picture: checked, decoded and re-encoded by Thaw, never stored as uploaded.

Only JPEG, PNG, WebP and GIF files that Pillow can really decode are taken (an SVG, a PDF or a
program renamed ``.jpg`` is refused), at most ``MAX_BYTES`` and ``MAX_PIXELS``. What is kept is a
new JPEG, at most ``MAX_WIDTH`` pixels wide, turned upright and without any of the file's metadata
(camera, place, time), so nothing but the picture itself is ever served.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5_000_000
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
MAX_WIDTH = 1600
ACCEPTED = {"JPEG", "PNG", "WEBP", "GIF"}
QUALITY = 82


class ImageRefused(ValueError):
    """Why the file cannot be used, in words for the person who chose it."""


@dataclass(frozen=True)
class Encoded:
    data: bytes
    width: int
    height: int
    digest: str
    content_type: str = "image/jpeg"


def reencode(raw: bytes) -> Encoded:
    if not raw:
        raise ImageRefused(gettext("The file is empty. Choose a photo or picture (JPEG, PNG, WebP or GIF)."))
    if len(raw) > MAX_BYTES:
        raise ImageRefused(gettext("The file is %(size)s MB; the limit is %(limit)s MB. Choose a smaller picture, "
                                   "or make this one smaller first.") % {
            "size": number_format(len(raw) / 1_000_000, 1), "limit": number_format(MAX_BYTES / 1_000_000, 0)})
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format or ""
            width, height = probe.size
            if kind not in ACCEPTED:
                raise ImageRefused(gettext("This is a %(kind)s picture; Thaw takes JPEG, PNG, WebP or GIF.")
                                   % {"kind": kind} if kind else
                                   gettext("This file is not a picture Thaw takes: JPEG, PNG, WebP or GIF."))
            if width * height > MAX_PIXELS:
                raise ImageRefused(gettext("The picture is %(width)s×%(height)s pixels, too large to use; make it "
                                           "smaller first.") % {"width": width, "height": height})
            probe.load()
            upright = ImageOps.exif_transpose(probe)
            picture = _flatten(upright)
    except ImageRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ImageRefused(gettext("This file is not a picture Thaw can read (an SVG, a PDF or a damaged file?). "
                                   "Choose a JPEG, PNG, WebP or GIF.")) from None
    if picture.width > MAX_WIDTH:
        picture = picture.resize((MAX_WIDTH, round(picture.height * MAX_WIDTH / picture.width)),
                                 Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    data = out.getvalue()
    return Encoded(data, picture.width, picture.height, hashlib.sha256(data).hexdigest())


def _flatten(picture: Image.Image) -> Image.Image:
    """RGB on a white background (transparency has no meaning in a JPEG)."""
    if picture.mode in ("RGBA", "LA", "P", "PA"):
        rgba = picture.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return picture.convert("RGB")
