"""The /progress picture: every topic as a chip, grouped under its area, coloured by mastery.

Drawn on its own opaque card, so it reads the same in Telegram's light and dark themes. Colour
is never the only cue: each chip starts with its level's pips (none filled for not started, one
to three for learning, solid, mastered), a not-started chip is an outline only, and the legend
under the title names each level beside its pips.
About 1000 px wide like the heat map, so text stays chat-sized when a phone scales it down.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from bot.core.mastery import Level
from bot.pictures.fonts import Font, font, line_height, text_width, wrap

__all__ = ["AreaChips", "Style", "progress_png"]


@dataclass(frozen=True, slots=True)
class Style:
    fill: str
    ink: str  # the pips and the outline
    outline_only: bool = False


# Pale fills keep dark text legible on every chip; the hues (orange, blue, green) stay apart
# for the common colour-vision deficiencies, and the pips and words carry the level anyway.
_STYLES: Mapping[Level, Style] = {
    Level.NOT_STARTED: Style("#ffffff", "#8c959f", outline_only=True),
    Level.LEARNING: Style("#ffe2c6", "#bc4c00"),
    Level.SOLID: Style("#cfe8ff", "#0969da"),
    Level.MASTERED: Style("#c8f0d1", "#1a7f37"),
}
_FRAME = "#d0d7de"  # around the card: a neutral grey between the two themes' backgrounds
_CARD = "#ffffff"
_INK = "#1f2328"
_MUTED = "#59636e"

_WIDTH = 1000
_MARGIN = 24  # frame around the card
_PAD = 40  # inside the card
_COLUMNS = 2
_GUTTER = 12
_CHIP_PAD = 14
_PIP = 13
_PIPS_WIDTH = 3 * (_PIP + 6) + 10  # the pips' column at the left of a chip


@dataclass(frozen=True, slots=True)
class AreaChips:
    """One area's heading and its topics (title, level), in the order to draw them."""

    area: str
    topics: Sequence[tuple[str, Level]]


def _pips(draw: ImageDraw.ImageDraw, x: float, y: float, level: Level, style: Style) -> None:
    """Three pips, `level` of them filled: the level without colour or words."""
    for i in range(3):
        box = (x + i * (_PIP + 6), y, x + i * (_PIP + 6) + _PIP, y + _PIP)
        if i < int(level):
            draw.ellipse(box, fill=style.ink)
        else:
            draw.ellipse(box, outline=style.ink, width=2)


def _chip_lines(title: str, face: Font, width: float) -> list[str]:
    lines = wrap(title, face, width)
    if len(lines) > 2:
        lines = [lines[0], lines[1].rstrip(".") + "…"]
    return lines


def progress_png(areas: Sequence[AreaChips], *, title: str, subtitle: str) -> bytes:
    """Render the topics grouped by area; `subtitle` is the one-line count under the title."""
    # Laid out twice: once to measure (so the image is exactly as tall as it needs), once to draw.
    height = _lay_out(None, areas, title, subtitle)
    image = Image.new("RGB", (_WIDTH, height), _FRAME)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (_MARGIN, _MARGIN, _WIDTH - _MARGIN, height - _MARGIN), radius=28, fill=_CARD
    )
    _lay_out(draw, areas, title, subtitle)
    buffer = io.BytesIO()
    # Not optimize=True: on a picture this tall it quadruples the time (bench/progress.py) to
    # save about 4% of the bytes.
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _lay_out(
    draw: ImageDraw.ImageDraw | None, areas: Sequence[AreaChips], title: str, subtitle: str
) -> int:
    """Draw everything (or only measure, without `draw`); returns the image height."""
    title_font, sub_font = font(44, bold=True), font(30)
    area_font, chip_font, word_font = font(32, bold=True), font(28), font(24, bold=True)
    chip_width = (_WIDTH - 2 * (_MARGIN + _PAD) - (_COLUMNS - 1) * _GUTTER) / _COLUMNS
    text_room = chip_width - 2 * _CHIP_PAD - _PIPS_WIDTH
    chip_line = line_height(chip_font)
    left = _MARGIN + _PAD
    y: float = _MARGIN + _PAD
    if draw is not None:
        draw.text((left, y), title, fill=_INK, font=title_font)
    y += line_height(title_font) + 4
    if draw is not None:
        draw.text((left, y), subtitle, fill=_MUTED, font=sub_font)
    y += line_height(sub_font) + 16
    if draw is not None:
        _legend(draw, left, y, word_font)
    y += 64
    for group in areas:
        y += 14
        if draw is not None:
            draw.text((left, y), group.area, fill=_INK, font=area_font)
        y += line_height(area_font) + 8
        for start in range(0, len(group.topics), _COLUMNS):
            row = [
                (_chip_lines(name, chip_font, text_room), level)
                for name, level in group.topics[start : start + _COLUMNS]
            ]
            height = max(len(lines) for lines, _ in row) * chip_line + 2 * _CHIP_PAD - 6
            if draw is not None:
                for column, (lines, level) in enumerate(row):
                    x = left + column * (chip_width + _GUTTER)
                    box = (x, y, x + chip_width, y + height)
                    _chip(draw, box, lines, level, chip_font)
            y += height + _GUTTER
    return int(y + _PAD + _MARGIN)


def _chip(
    draw: ImageDraw.ImageDraw,
    box: tuple[float, float, float, float],
    lines: Sequence[str],
    level: Level,
    face: Font,
) -> None:
    """A topic: its level's pips at the left (the pattern), its title beside them."""
    style = _STYLES[level]
    x, y, _right, bottom = box
    if style.outline_only:
        draw.rounded_rectangle(box, radius=14, fill=style.fill, outline=style.ink, width=3)
    else:
        draw.rounded_rectangle(box, radius=14, fill=style.fill)
    _pips(draw, x + _CHIP_PAD, (y + bottom) / 2 - _PIP / 2, level, style)
    line = line_height(face)
    top = (y + bottom) / 2 - line * len(lines) / 2 + 4
    for i, text in enumerate(lines):
        draw.text((x + _CHIP_PAD + _PIPS_WIDTH, top + i * line), text, fill=_INK, font=face)


def _legend(draw: ImageDraw.ImageDraw, x: float, y: float, face: Font) -> None:
    """One small chip per level, weakest first: the key to colours, pips and words."""
    for level in Level:
        style = _STYLES[level]
        word = level.label
        width = text_width(face, word) + 3 * (_PIP + 6) + 3 * _CHIP_PAD
        box = (x, y, x + width, y + 48)
        if style.outline_only:
            draw.rounded_rectangle(box, radius=12, fill=style.fill, outline=style.ink, width=3)
        else:
            draw.rounded_rectangle(box, radius=12, fill=style.fill)
        _pips(draw, x + _CHIP_PAD, y + 24 - _PIP / 2, level, style)
        draw.text(
            (x + width - _CHIP_PAD, y + 24),
            word,
            fill=style.ink if not style.outline_only else _MUTED,
            font=face,
            anchor="rm",
        )
        x += width + 12
