"""A GitHub-style activity calendar of the last 12 weeks, drawn as a PNG for a phone screen.

Columns are weeks (oldest on the left, the current week on the right), rows are Monday..Sunday.
The image is drawn large (about 1000 px wide) because Telegram shows photos scaled down to the
width of a phone; at that scale the labels are still about the size of chat text.

Text is set in the pictures' common font (``bot.pictures.fonts``), title in bold.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, timedelta

from PIL import Image, ImageDraw

from bot.pictures.fonts import font

__all__ = ["WEEKS", "heatmap_png", "level"]

WEEKS = 12
# GitHub's own greens: familiar, and distinguishable for the common colour-vision deficiencies.
_COLOURS = ("#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39")
_THRESHOLDS = (1, 3, 6, 10)  # answers in a day needed for levels 1..4
_BACKGROUND = "#ffffff"
_INK = "#24292f"
_MUTED = "#57606a"
_TODAY_RING = "#0969da"

_CELL = 62
_GAP = 10
_LEFT = 120
_TOP = 170
_BOTTOM = 110
_RIGHT = 40
_WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


def level(count: int) -> int:
    """0..4: the colour step for a day's answer count."""
    return sum(count >= t for t in _THRESHOLDS)


def heatmap_png(
    counts_by_date: Mapping[date, int], today: date, *, title: str | None = None
) -> bytes:
    """Render answers per day for the 12 weeks ending with ``today``'s week."""
    first_monday = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)
    width = _LEFT + WEEKS * (_CELL + _GAP) - _GAP + _RIGHT
    height = _TOP + 7 * (_CELL + _GAP) - _GAP + _BOTTOM
    image = Image.new("RGB", (width, height), _BACKGROUND)
    draw = ImageDraw.Draw(image)

    shown = [first_monday + timedelta(days=i) for i in range(WEEKS * 7)]
    in_range = [d for d in shown if d <= today]
    total = sum(counts_by_date.get(d, 0) for d in in_range)
    active = sum(1 for d in in_range if counts_by_date.get(d, 0) > 0)

    draw.text((_LEFT, 22), title or "Your last 12 weeks", fill=_INK, font=font(44, bold=True))
    days_word = "day" if active == 1 else "days"
    answers_word = "answer" if total == 1 else "answers"
    draw.text(
        (_LEFT, 78),
        f"{total} {answers_word} on {active} {days_word}",
        fill=_MUTED,
        font=font(32),
    )

    label_font = font(28)
    last_month = None
    for week in range(WEEKS):
        monday = first_monday + timedelta(weeks=week)
        x = _LEFT + week * (_CELL + _GAP)
        # Label a column with its month when the month starts in that week (or at the left edge).
        month_day = next(
            (
                monday + timedelta(days=i)
                for i in range(7)
                if (monday + timedelta(days=i)).day == 1
            ),
            monday if week == 0 else None,
        )
        if month_day is not None and month_day.month != last_month:
            draw.text((x, _TOP - 42), month_day.strftime("%b"), fill=_MUTED, font=label_font)
            last_month = month_day.month
        for weekday in range(7):
            day = monday + timedelta(days=weekday)
            if day > today:
                continue
            y = _TOP + weekday * (_CELL + _GAP)
            box = (x, y, x + _CELL, y + _CELL)
            colour = _COLOURS[level(counts_by_date.get(day, 0))]
            draw.rounded_rectangle(box, radius=10, fill=colour)
            if day == today:
                draw.rounded_rectangle(box, radius=10, outline=_TODAY_RING, width=5)

    for weekday, name in enumerate(_WEEKDAYS):
        if name:
            y = _TOP + weekday * (_CELL + _GAP) + _CELL // 2
            draw.text((_LEFT - 16, y), name, fill=_MUTED, font=label_font, anchor="rm")

    legend_y = height - _BOTTOM + 40
    small = 40
    more_width = int(draw.textlength("More", font=label_font)) + 14
    x = width - _RIGHT - more_width - len(_COLOURS) * (small + 8)
    draw.text((x - 14, legend_y + small // 2), "Less", fill=_MUTED, font=label_font, anchor="rm")
    for colour in _COLOURS:
        draw.rounded_rectangle((x, legend_y, x + small, legend_y + small), radius=7, fill=colour)
        x += small + 8
    draw.text((x + 6, legend_y + small // 2), "More", fill=_MUTED, font=label_font, anchor="lm")
    draw.text(
        (_LEFT, legend_y + small // 2),
        "Outlined: today",
        fill=_MUTED,
        font=label_font,
        anchor="lm",
    )

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
