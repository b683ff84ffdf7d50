"""Pictures: the pipeline diagram and the comparison table render as phone-sized PNGs, once."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator

import pytest
from PIL import Image, ImageFont

from bot.core.content import ContentPack, PipelineStage
from bot.core.lessons import LESSONS
from bot.core.mastery import Level
from bot.pictures import diagrams, fonts
from bot.pictures.diagrams import (
    MAX_HEIGHT,
    SMALL_SIZE,
    WIDTH,
    clear_cache,
    comparison_png,
    headline,
    picture_png,
    pipelines_png,
)
from bot.pictures.fonts import wrap
from bot.pictures.mastery import AreaChips, progress_png


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


def _decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    image.load()
    return image.convert("RGB")


def _colours(image: Image.Image) -> set[tuple[int, int, int]]:
    counted = image.getcolors(maxcolors=1 << 20)
    assert counted is not None
    return {colour for _, colour in counted}


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def test_pipelines_png_is_a_phone_sized_diagram_in_both_colours(pack: ContentPack) -> None:
    """The diagram decodes as a 1280 px wide PNG showing DevOps blue, MLOps green boxes."""
    image = _decode(pipelines_png(pack))
    assert image.width == WIDTH
    assert 400 <= image.height <= MAX_HEIGHT
    colours = _colours(image)
    assert _rgb(diagrams._DEVOPS.fill) in colours
    assert _rgb(diagrams._MLOPS.fill) in colours


def test_shared_steps_are_highlighted_only_when_there_are_some(pack: ContentPack) -> None:
    """Deploy and Monitor get the shared fill; with no common stage neither boxes nor legend do."""
    assert _rgb(diagrams._SHARED_FILL) in _colours(_decode(pipelines_png(pack)))
    renamed = [
        PipelineStage(name=f"Only ML {i}", description="x")
        for i, _ in enumerate(pack.lessons.mlops_pipeline.stages)
    ]
    mlops = pack.lessons.mlops_pipeline.model_copy(update={"stages": renamed})
    other = dataclasses.replace(
        pack, lessons=pack.lessons.model_copy(update={"mlops_pipeline": mlops})
    )
    assert _rgb(diagrams._SHARED_FILL) not in _colours(_decode(pipelines_png(other)))


def test_comparison_png_is_a_zebra_table_that_grows_with_rows(pack: ContentPack) -> None:
    """The table is 1280 px wide, fits Telegram's photo size, alternates row colours, and a
    pack with fewer rows gives a shorter picture."""
    full = _decode(comparison_png(pack))
    assert full.width == WIDTH
    assert full.height <= MAX_HEIGHT
    assert {_rgb(colour) for colour in diagrams._ZEBRA} <= _colours(full)
    first_three = dict(list(pack.comparison.items())[:3])
    small = _decode(comparison_png(dataclasses.replace(pack, comparison=first_three)))
    assert small.width == WIDTH
    assert small.height < full.height


def test_second_call_returns_cached_bytes_without_rendering(
    pack: ContentPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The picture renders once per pack; later calls return the very same bytes object."""
    calls: list[str] = []
    real = diagrams.render_pipelines

    def counting(p: ContentPack) -> bytes:
        calls.append("render")
        return real(p)

    monkeypatch.setattr(diagrams, "render_pipelines", counting)
    first = pipelines_png(pack)
    second = pipelines_png(pack)
    assert second is first
    assert calls == ["render"]


def test_another_pack_or_a_cleared_cache_renders_again(
    pack: ContentPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A different pack object, or clear_cache(), is not served stale bytes."""
    calls: list[int] = []
    real = diagrams.render_comparison

    def counting(p: ContentPack) -> bytes:
        calls.append(id(p))
        return real(p)

    monkeypatch.setattr(diagrams, "render_comparison", counting)
    comparison_png(pack)
    copy = dataclasses.replace(pack)
    comparison_png(copy)
    clear_cache()
    comparison_png(pack)
    assert calls == [id(pack), id(copy), id(pack)]


def test_each_lesson_picture_is_the_named_png(pack: ContentPack) -> None:
    """picture_png serves the picture a lesson names in its menu entry."""
    named = {lesson.picture for lesson in LESSONS if lesson.picture}
    assert named == {"pipelines", "comparison"}
    assert picture_png(pack, "pipelines") == pipelines_png(pack)
    assert picture_png(pack, "comparison") == comparison_png(pack)


def test_fonts_are_at_least_26px_even_without_a_system_font(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A found TTF and the fallback built-in font both honour the requested size."""
    found = fonts.font(SMALL_SIZE)
    assert isinstance(found, ImageFont.FreeTypeFont) and found.size >= 26
    fonts.font.cache_clear()
    monkeypatch.setattr(fonts, "_FONT_FILES", {False: ("no-such.ttf",), True: ("no.ttf",)})
    try:
        fallback = fonts.font(SMALL_SIZE)
        assert isinstance(fallback, ImageFont.FreeTypeFont)
        assert fallback.size == SMALL_SIZE
        assert fallback.path != found.path
    finally:
        fonts.font.cache_clear()


def test_wrap_keeps_every_line_within_the_width() -> None:
    """Wrapped lines never exceed the width, keep the words in order, and split a huge word."""
    face = fonts.font(SMALL_SIZE)
    text = "Code tests plus data and model validation " + "x" * 80
    lines = wrap(text, face, 300)
    assert all(face.getlength(line) <= 300 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert len(lines) >= 4


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Code in git. The code defines behaviour.", "Code in git"),
        ("Code + data + trained model. Weights need data.", "Code + data + trained model"),
        ("No full stop at all", "No full stop at all"),
        ("Uptime, latency, errors, traffic.", "Uptime, latency, errors, traffic"),
    ],
)
def test_headline_is_the_first_sentence(cell: str, expected: str) -> None:
    """The table shows a cell's first sentence without its full stop."""
    assert headline(cell) == expected


def test_concurrent_requests_render_once(
    pack: ContentPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several threads asking for the same picture at once share one rendering."""
    from concurrent.futures import ThreadPoolExecutor

    diagrams.clear_cache()
    calls = []
    real = diagrams.render_pipelines

    def counting(p: object) -> bytes:
        calls.append(1)
        return real(p)  # type: ignore[arg-type]

    monkeypatch.setattr(diagrams, "render_pipelines", counting)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: diagrams.pipelines_png(pack), range(8)))
    assert len(calls) == 1
    assert len(set(results)) == 1


def test_every_picture_sets_its_text_with_the_one_font_loader(
    pack: ContentPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Diagram, table and heat map all ask bot.pictures.fonts for their faces (so the DejaVu the
    Dockerfile installs reaches each of them), the heat map's title in bold."""
    from datetime import date

    from bot.pictures import heatmap

    asked: list[tuple[str, bool]] = []
    drawing = [""]
    real = fonts.font

    def recording(size: int, *, bold: bool = False) -> fonts.Font:
        asked.append((drawing[0], bold))
        return real(size, bold=bold)

    monkeypatch.setattr(fonts, "font", recording)
    for module in (diagrams, heatmap):
        monkeypatch.setattr(module, "font", recording)
    for where, draw in (
        ("diagram", lambda: diagrams.render_pipelines(pack)),
        ("table", lambda: diagrams.render_comparison(pack)),
        ("heatmap", lambda: heatmap.heatmap_png({date(2026, 3, 9): 4}, date(2026, 3, 10))),
    ):
        drawing[0] = where
        draw()
    assert {w for w, _ in asked} == {"diagram", "table", "heatmap"}
    assert ("heatmap", True) in asked


def test_the_progress_picture_is_an_opaque_card_that_grows_with_the_topics() -> None:
    """Its own background (an opaque frame and card, so both Telegram themes show the same
    picture), about 1000 px wide, taller with more topics; every level drawn in its own fill."""

    def draw(topics: int) -> Image.Image:
        chips = [
            AreaChips("Area", [(f"Topic {i}", Level(i % 4)) for i in range(topics)]),
            AreaChips(
                "A much longer area name", [("A title long enough to wrap " * 3, Level.SOLID)]
            ),
        ]
        png = progress_png(chips, title="Your topics", subtitle="1 mastered · 1 solid")
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.mode == "RGB"
        return image

    small, large = draw(4), draw(40)
    assert small.width == large.width == 1000
    assert large.height > small.height
    assert small.getpixel((2, 2)) != small.getpixel((100, 100))  # frame, then card
    colours = {c for _, c in small.getcolors(maxcolors=100000) or []}
    for fill in ("#ffe2c6", "#cfe8ff", "#c8f0d1"):
        rgb = tuple(int(fill[i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, fill
