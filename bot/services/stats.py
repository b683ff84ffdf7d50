"""Learner statistics: streak, accuracy overall and per difficulty, questions due, heat map.

The heat map is a PNG of the last 12 weeks (``bot.pictures.heatmap``), drawn off the event loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core import streaks
from bot.core.clock import local_date
from bot.core.content import DIFFICULTIES
from bot.pictures import heatmap as drawing
from bot.services.context import ServiceContext
from bot.storage import quiz as quiz_db
from bot.storage import users as user_db

__all__ = ["Stats", "StatsService", "Tally"]


@dataclass(frozen=True, slots=True)
class Tally:
    answered: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        """Share of correct answers, 0..1; None before the first answer."""
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True, slots=True)
class Stats:
    user_id: int
    today: date  # in the user's time zone
    timezone: str
    streak: streaks.StreakView
    overall: Tally
    by_difficulty: dict[str, Tally]  # all of DIFFICULTIES, in order; zeros where none answered
    due: int  # seen questions due for review now
    unseen: int  # questions in the pack never answered

    @property
    def answered(self) -> int:
        return self.overall.answered

    @property
    def accuracy(self) -> float | None:
        return self.overall.accuracy


class StatsService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    async def stats(self, user_id: int) -> Stats:
        moment = self._ctx.now()
        async with self._ctx.db.read() as conn:
            tz = await self._ctx.user_zone(conn, user_id)
            state = await user_db.get_streak(conn, user_id)
            totals = await quiz_db.answer_totals(conn, user_id)
            dues = await quiz_db.card_dues(conn, user_id)
        today = local_date(moment, tz)
        by_difficulty: dict[str, Tally] = {d: Tally(*totals.get(d, (0, 0))) for d in DIFFICULTIES}
        in_pack = self._ctx.pack.quiz
        return Stats(
            user_id=user_id,
            today=today,
            timezone=tz.key,
            streak=streaks.view(state, today),
            overall=Tally(
                sum(t.answered for t in by_difficulty.values()),
                sum(t.correct for t in by_difficulty.values()),
            ),
            by_difficulty=by_difficulty,
            due=sum(1 for q, due in dues.items() if q in in_pack and due <= moment),
            unseen=sum(1 for q in in_pack if q not in dues),
        )

    async def streak(self, user_id: int) -> streaks.StreakView:
        moment = self._ctx.now()
        async with self._ctx.db.read() as conn:
            tz = await self._ctx.user_zone(conn, user_id)
            state = await user_db.get_streak(conn, user_id)
        return streaks.view(state, local_date(moment, tz))

    async def heatmap(self, user_id: int) -> bytes:
        moment = self._ctx.now()
        async with self._ctx.db.read() as conn:
            tz = await self._ctx.user_zone(conn, user_id)
            today = local_date(moment, tz)
            since = today - timedelta(weeks=drawing.WEEKS, days=7)
            counts = await quiz_db.answers_by_day(conn, user_id, since)
        # Drawing takes tens of milliseconds: off the event loop, so other chats are not held up.
        return await asyncio.to_thread(drawing.heatmap_png, counts, today)
