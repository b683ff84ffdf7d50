"""Stats service: totals, accuracy by difficulty, questions due, streak view, heat map."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PIL import Image

from bot.pictures.heatmap import WEEKS, heatmap_png, level
from bot.services import Services
from tests.support.storage import services_at


async def answer(services: Services, user: int, difficulty: str, right: bool) -> None:
    delivery = await services.quiz.next_question(user, user, difficulty)
    assert delivery is not None
    wanted = "right" if right else "wrong"
    position = next(i for i, text in enumerate(delivery.options) if wanted in text)
    assert (await services.quiz.answer(delivery.id, user, position)).accepted


async def test_stats_before_any_answer(tmp_path: Path) -> None:
    """A new user has zero answers, no accuracy, no streak, and every question unseen."""
    async with services_at(tmp_path / "t.db") as (s, _c):
        stats = await s.stats.stats(1)
        assert (stats.answered, stats.accuracy, stats.due, stats.unseen) == (0, None, 0, 9)
        assert stats.streak.current == 0
        assert set(stats.by_difficulty) == {"easy", "medium", "hard"}


async def test_accuracy_overall_and_per_difficulty(tmp_path: Path) -> None:
    """Two of three easy and zero of one hard: 50% overall, 2/3 easy, 0 hard, medium empty."""
    async with services_at(tmp_path / "t.db") as (s, _c):
        await answer(s, 1, "easy", True)
        await answer(s, 1, "easy", False)
        await answer(s, 1, "easy", True)
        await answer(s, 1, "hard", False)
        stats = await s.stats.stats(1)
        assert (stats.answered, stats.overall.correct, stats.accuracy) == (4, 2, 0.5)
        easy, medium, hard = (stats.by_difficulty[d] for d in ("easy", "medium", "hard"))
        assert (easy.answered, easy.correct) == (3, 2)
        assert easy.accuracy is not None and abs(easy.accuracy - 2 / 3) < 1e-9
        assert (medium.answered, medium.accuracy) == (0, None)
        assert (hard.answered, hard.accuracy) == (1, 0.0)


async def test_questions_due_appear_as_time_passes(tmp_path: Path) -> None:
    """A missed question is due within minutes; a known one only days later."""
    async with services_at(tmp_path / "t.db") as (s, clock):
        await answer(s, 1, "easy", False)
        await answer(s, 1, "medium", True)
        assert (await s.stats.stats(1)).due == 0
        clock.advance(minutes=2)
        assert (await s.stats.stats(1)).due == 1
        clock.advance(days=30)
        assert (await s.stats.stats(1)).due == 2
        assert (await s.stats.stats(1)).unseen == 7


async def test_streak_and_best_in_stats_over_days(tmp_path: Path) -> None:
    """Three days answered, two skipped, one answered: current 1, best 3."""
    async with services_at(tmp_path / "t.db") as (s, clock):
        for _ in range(3):
            await answer(s, 1, "easy", True)
            clock.advance(days=1)
        clock.advance(days=2)
        await answer(s, 1, "easy", True)
        stats = await s.stats.stats(1)
        assert (stats.streak.current, stats.streak.best, stats.streak.freezes) == (1, 3, 0)


async def test_heatmap_is_a_png_counting_local_days(tmp_path: Path) -> None:
    """The heat map is a PNG; answers appear in it, and an empty history has no green cells."""
    start = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    async with services_at(tmp_path / "t.db", start=start) as (s, clock):
        empty = Image.open(io.BytesIO(await s.stats.heatmap(1)))
        assert empty.format == "PNG" and empty.width >= 800
        for _ in range(12):
            await answer(s, 1, "easy", True)
            clock.advance(minutes=1)
        async with s.db.read() as conn:
            rows = await conn.execute_fetchall("SELECT DISTINCT local_date FROM answers")
        assert [r[0] for r in rows] == ["2025-03-03"]
        full = Image.open(io.BytesIO(await s.stats.heatmap(1)))
        darkest = (0x21, 0x6E, 0x39)
        assert darkest in {c for _, c in full.convert("RGB").getcolors(1 << 16) or []}
        assert darkest not in {
            c
            for _, c in Image.open(io.BytesIO(heatmap_png({}, date(2025, 3, 3))))
            .crop((0, 0, empty.width, empty.height - 120))
            .convert("RGB")
            .getcolors(1 << 16)
            or []
        }


def test_heatmap_levels_and_range() -> None:
    """Levels rise with the count; days outside the last 12 weeks do not change the picture."""
    assert [level(n) for n in (0, 1, 2, 3, 6, 10, 50)] == [0, 1, 1, 2, 3, 4, 4]
    today = date(2025, 3, 3)
    old = today - timedelta(weeks=WEEKS + 1)
    assert heatmap_png({old: 50}, today) == heatmap_png({}, today)
    assert heatmap_png({today: 50}, today) != heatmap_png({}, today)
