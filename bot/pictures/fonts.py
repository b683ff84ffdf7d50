"""The one font loader every picture uses, and the text measuring that goes with it.

DejaVu Sans (the Dockerfile installs it) or a look-alike system font when one is installed, so
every picture has a legible face with a real bold; Pillow's built-in scalable font otherwise,
which still honours the size.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Final

from PIL import ImageFont

__all__ = ["Font", "font", "line_height", "text_width", "wrap"]

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

_FONT_FILES: Final = {
    False: ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf"),
    True: ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf"),
}
_FONT_DIRS: Final = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)


@lru_cache(maxsize=32)
def font(size: int, *, bold: bool = False) -> Font:
    """A TrueType font at `size` px; Pillow's built-in font at that size if none is installed."""
    for name in _FONT_FILES[bold]:
        # A bare name makes Pillow search the system font directories itself.
        candidates = [name, *(str(d / name) for d in _FONT_DIRS)]
        for candidate in candidates:
            try:
                return ImageFont.truetype(candidate, size)
            except OSError:
                continue
    # Pillow >= 10.1 ships a scalable default font, so the size is still honoured.
    return ImageFont.load_default(size=size)


def text_width(face: Font, text: str) -> float:
    return face.getlength(text)


def line_height(face: Font) -> int:
    """Baseline-to-baseline distance for lines set in `face`, with a little air."""
    ascent, descent = face.getmetrics() if isinstance(face, ImageFont.FreeTypeFont) else (20, 6)
    return int((ascent + descent) * 1.15)


def wrap(text: str, face: Font, width: float) -> list[str]:
    """Break `text` into lines no wider than `width` px, splitting a too-long word by letters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(face, candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while text_width(face, word) > width:
            cut = len(word)
            while cut > 1 and text_width(face, word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines or [""]
