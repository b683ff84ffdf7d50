"""PNG pictures for the lessons: the two pipelines as a diagram, the comparison as a table.

Pure Pillow, no GUI stack. Pictures are sized for a phone: 1280 px wide (what Telegram keeps for
a photo without scaling it down) and text no smaller than 26 px. Rendering takes a noticeable
fraction of a second, so the bytes are cached per content pack.
"""

from __future__ import annotations

import io
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageDraw

from bot.core.content import ContentPack, Pipeline
from bot.core.lessons import PictureName
from bot.pictures.fonts import Font, font, line_height, text_width, wrap

__all__ = [
    "MARGIN",
    "MAX_HEIGHT",
    "SMALL_SIZE",
    "TEXT_SIZE",
    "TITLE_SIZE",
    "WIDTH",
    "clear_cache",
    "comparison_png",
    "headline",
    "picture_png",
    "pipelines_png",
    "render_comparison",
    "render_pipelines",
]

WIDTH: Final = 1280
MARGIN: Final = 40
TEXT_SIZE: Final = 28
SMALL_SIZE: Final = 26  # the smallest text drawn anywhere: still readable on a phone
TITLE_SIZE: Final = 36
# Telegram scales a photo down when its longer side exceeds this, which would shrink the text.
MAX_HEIGHT: Final = 2560

_INK: Final = "#111827"
_MUTED: Final = "#4b5563"
_GRID: Final = "#d1d5db"
_ZEBRA: Final = ("#ffffff", "#f3f4f6")
_SHARED_FILL: Final = "#fef3c7"


@dataclass(frozen=True, slots=True)
class _Palette:
    line: str
    fill: str


_DEVOPS: Final = _Palette(line="#1d4ed8", fill="#dbeafe")
_MLOPS: Final = _Palette(line="#047857", fill="#d1fae5")

# --- caching -----------------------------------------------------------------------------------


class _PackCache:
    """PNG bytes per (pack, picture), rendered once.

    A ContentPack holds dicts and is not hashable, so entries are keyed by `id(pack)`. Each entry
    keeps the pack itself alive, so its id cannot be reused by another pack while cached; the
    `is` check guards the rest. A handful of entries is plenty: a process serves one pack.
    """

    def __init__(self, maxsize: int = 8) -> None:
        self._maxsize = maxsize
        self._entries: OrderedDict[tuple[int, str], tuple[ContentPack, bytes]] = OrderedDict()
        # Adapters render from worker threads; one lock keeps "rendered once" true and keeps
        # two threads from sharing Pillow's font objects at the same time.
        self._lock = threading.Lock()

    def get(self, pack: ContentPack, name: str, render: Callable[[ContentPack], bytes]) -> bytes:
        key = (id(pack), name)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] is pack:
                self._entries.move_to_end(key)
                return entry[1]
            data = render(pack)
            self._entries[key] = (pack, data)
            while len(self._entries) > self._maxsize:
                self._entries.popitem(last=False)
            return data

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = _PackCache()


def clear_cache() -> None:
    """Forget every rendered picture (e.g. after reloading the content pack)."""
    _cache.clear()


def pipelines_png(pack: ContentPack) -> bytes:
    """The DevOps and MLOps pipelines as a diagram (PNG bytes), rendered once per pack."""
    return _cache.get(pack, "pipelines", lambda p: render_pipelines(p))


def comparison_png(pack: ContentPack) -> bytes:
    """The comparison table as an image (PNG bytes), rendered once per pack."""
    return _cache.get(pack, "comparison", lambda p: render_comparison(p))


def picture_png(pack: ContentPack, name: PictureName) -> bytes:
    """The picture a lesson names in `LessonInfo.picture`."""
    if name == "pipelines":
        return pipelines_png(pack)
    return comparison_png(pack)


# --- text helpers ------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


def headline(cell: str) -> str:
    """The first sentence of a comparison cell without its full stop: what the table shows."""
    first = _SENTENCE_END.split(cell.strip(), maxsplit=1)[0]
    return first.rstrip(".")


def _clip_lines(lines: list[str], face: Font, width: float, max_lines: int) -> list[str]:
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and text_width(face, last + "…") > width:
        last = last[:-1]
    kept[-1] = last.rstrip() + "…"
    return kept


def _to_png(image: Image.Image, height: int) -> bytes:
    out = io.BytesIO()
    image.crop((0, 0, image.width, height)).save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- the pipelines diagram ---------------------------------------------------------------------

_BOX_GAP: Final = 46  # room for an arrow between two boxes
_BOX_PAD: Final = 12
_LOOP_DROP: Final = 44  # how far the loop-back arrow runs below the boxes


def render_pipelines(pack: ContentPack) -> bytes:
    """Draw both pipelines: a row of boxes each, arrows between them, a loop back to the start."""
    lessons = pack.lessons
    image = Image.new("RGB", (WIDTH, MAX_HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    shared = {s.name.casefold() for s in lessons.devops_pipeline.stages} & {
        s.name.casefold() for s in lessons.mlops_pipeline.stages
    }
    y = MARGIN
    draw.text(
        (MARGIN, y),
        "DevOps vs MLOps: the two pipelines",
        font=font(TITLE_SIZE, bold=True),
        fill=_INK,
    )
    y += line_height(font(TITLE_SIZE, bold=True)) + 24
    for label, pipeline, palette in (
        ("DevOps", lessons.devops_pipeline, _DEVOPS),
        ("MLOps", lessons.mlops_pipeline, _MLOPS),
    ):
        y = _pipeline_row(draw, y, label, pipeline, palette, shared) + 40
    if shared:
        y = _legend(draw, y)
    return _to_png(image, min(y + MARGIN, MAX_HEIGHT))


def _pipeline_row(
    draw: ImageDraw.ImageDraw,
    top: int,
    label: str,
    pipeline: Pipeline,
    palette: _Palette,
    shared: set[str],
) -> int:
    """Draw one pipeline starting at `top`; return the y just below it."""
    heading = font(TEXT_SIZE + 2, bold=True)
    # The title usually names its side already; prefix the label only when it does not.
    title = pipeline.title
    if label.casefold() not in title.casefold():
        title = f"{label}: {title}"
    draw.text((MARGIN, top), title, font=heading, fill=palette.line)
    top += line_height(heading) + 16

    count = len(pipeline.stages)
    box_w = (WIDTH - 2 * MARGIN - (count - 1) * _BOX_GAP) / count
    inner = box_w - 2 * _BOX_PAD
    # Prefer the larger size; step down (never below SMALL_SIZE) when a word would not fit a box,
    # and only then let wrap() break a word.
    words = [word for stage in pipeline.stages for word in stage.name.split()]
    face = font(SMALL_SIZE, bold=True)
    for size in range(TEXT_SIZE, SMALL_SIZE - 1, -1):
        if all(text_width(font(size, bold=True), word) <= inner for word in words):
            face = font(size, bold=True)
            break
    wrapped = [wrap(stage.name, face, inner) for stage in pipeline.stages]
    line_h = line_height(face)
    box_h = max(84, max(len(lines) for lines in wrapped) * line_h + 2 * _BOX_PAD)

    boxes: list[tuple[float, float]] = []
    for i, (stage, lines) in enumerate(zip(pipeline.stages, wrapped, strict=True)):
        left = MARGIN + i * (box_w + _BOX_GAP)
        right = left + box_w
        fill = _SHARED_FILL if stage.name.casefold() in shared else palette.fill
        draw.rounded_rectangle(
            (left, top, right, top + box_h), radius=14, fill=fill, outline=palette.line, width=3
        )
        text_top = top + (box_h - len(lines) * line_h) / 2
        for j, line in enumerate(lines):
            x = left + (box_w - text_width(face, line)) / 2
            draw.text((x, text_top + j * line_h), line, font=face, fill=_INK)
        boxes.append((left, right))
        if i:
            _arrow(
                draw,
                (boxes[i - 1][1] + 6, top + box_h / 2),
                (left - 6, top + box_h / 2),
                palette.line,
            )

    # The loop back: down from the last box, left under the row, up into the first box.
    bottom = top + box_h
    first_x = (boxes[0][0] + boxes[0][1]) / 2
    last_x = (boxes[-1][0] + boxes[-1][1]) / 2
    low = bottom + _LOOP_DROP
    draw.line(
        [(last_x, bottom + 4), (last_x, low), (first_x, low)],
        fill=palette.line,
        width=4,
        joint="curve",
    )
    _arrow(draw, (first_x, low), (first_x, bottom + 6), palette.line)
    small = font(SMALL_SIZE)
    text = f"loop back to {pipeline.stages[0].name}"
    text_w = text_width(small, text)
    text_h = line_height(small)
    x = (first_x + last_x - text_w) / 2
    draw.rectangle((x - 10, low - text_h / 2, x + text_w + 10, low + text_h / 2), fill="white")
    draw.text((x, low - text_h / 2), text, font=small, fill=palette.line)
    return int(low + text_h / 2)


def _arrow(
    draw: ImageDraw.ImageDraw, start: tuple[float, float], end: tuple[float, float], colour: str
) -> None:
    """A horizontal or vertical line from `start` to `end` with a filled head at `end`."""
    (x0, y0), (x1, y1) = start, end
    head = 14
    if y0 == y1:
        direction = 1 if x1 > x0 else -1
        base = x1 - direction * head
        draw.line([(x0, y0), (base, y1)], fill=colour, width=4)
        draw.polygon([(x1, y1), (base, y1 - head * 0.7), (base, y1 + head * 0.7)], fill=colour)
    else:
        direction = 1 if y1 > y0 else -1
        base = y1 - direction * head
        draw.line([(x0, y0), (x1, base)], fill=colour, width=4)
        draw.polygon([(x1, y1), (x1 - head * 0.7, base), (x1 + head * 0.7, base)], fill=colour)


def _legend(draw: ImageDraw.ImageDraw, top: int) -> int:
    small = font(SMALL_SIZE)
    size = line_height(small) - 6
    draw.rounded_rectangle(
        (MARGIN, top + 3, MARGIN + size, top + 3 + size),
        radius=6,
        fill=_SHARED_FILL,
        outline=_MUTED,
        width=2,
    )
    draw.text((MARGIN + size + 14, top), "same step in both pipelines", font=small, fill=_MUTED)
    return top + line_height(small)


# --- the comparison table ----------------------------------------------------------------------

_ASPECT_W: Final = 280
_CELL_PAD: Final = 14
_MAX_CELL_LINES: Final = 4


def render_comparison(pack: ContentPack) -> bytes:
    """Draw the comparison rows as a table: aspect | DevOps | MLOps, headlines only, zebra rows."""
    side_w = (WIDTH - 2 * MARGIN - _ASPECT_W) // 2
    columns = (
        (MARGIN, _ASPECT_W),
        (MARGIN + _ASPECT_W, side_w),
        (MARGIN + _ASPECT_W + side_w, side_w),
    )
    body, bold = font(SMALL_SIZE), font(SMALL_SIZE, bold=True)
    line_h = line_height(body)

    # Lay every row out first so the canvas is exactly as tall as the table.
    rows: list[list[list[str]]] = []
    for row in pack.comparison.values():
        texts = (row.aspect, headline(row.devops), headline(row.mlops))
        faces = (bold, body, body)
        rows.append(
            [
                _clip_lines(
                    wrap(text, face, width - 2 * _CELL_PAD),
                    face,
                    width - 2 * _CELL_PAD,
                    _MAX_CELL_LINES,
                )
                for text, face, (_, width) in zip(texts, faces, columns, strict=True)
            ]
        )
    heights = [max(len(cell) for cell in cells) * line_h + 2 * _CELL_PAD for cells in rows]

    title_face = font(TITLE_SIZE, bold=True)
    header_h = line_h + 2 * _CELL_PAD
    table_top = MARGIN + line_height(title_face) + 20
    total = table_top + header_h + sum(heights) + MARGIN
    image = Image.new("RGB", (WIDTH, total), "white")
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, MARGIN), "DevOps vs MLOps at a glance", font=title_face, fill=_INK)

    header_fills = ("#374151", _DEVOPS.line, _MLOPS.line)
    for (left, width), label, fill in zip(
        columns, ("Aspect", "DevOps", "MLOps"), header_fills, strict=True
    ):
        draw.rectangle((left, table_top, left + width, table_top + header_h), fill=fill)
        draw.text((left + _CELL_PAD, table_top + _CELL_PAD), label, font=bold, fill="white")

    y = table_top + header_h
    for index, (cells, height) in enumerate(zip(rows, heights, strict=True)):
        draw.rectangle((MARGIN, y, WIDTH - MARGIN, y + height), fill=_ZEBRA[index % 2])
        for (left, _), lines, face in zip(columns, cells, (bold, body, body), strict=True):
            for j, line in enumerate(lines):
                draw.text(
                    (left + _CELL_PAD, y + _CELL_PAD + j * line_h), line, font=face, fill=_INK
                )
        y += height
        draw.line([(MARGIN, y), (WIDTH - MARGIN, y)], fill=_GRID, width=1)
    for left, _ in columns[1:]:
        draw.line([(left, table_top + header_h), (left, y)], fill=_GRID, width=1)
    draw.rectangle((MARGIN, table_top, WIDTH - MARGIN, y), outline=_GRID, width=2)
    return _to_png(image, total)
