"""Topic mastery per learner: every topic of the pack with its level, grouped by area, and the
/progress picture.

The rule is ``bot.core.mastery``; this service reads the learner's cards and recent answers and
applies it at the clock's "now". Areas keep the order they first appear in ``topics.yaml`` (a
learner finds them in the same place every time); within an area, and in ``weakest``, the
weakest topic comes first.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from bot.core import mastery
from bot.core.mastery import Level, TopicMastery
from bot.pictures import mastery as drawing
from bot.services.context import ServiceContext
from bot.storage import quiz as quiz_db

__all__ = ["AreaProgress", "Progress", "ProgressService", "TopicProgress"]


@dataclass(frozen=True, slots=True)
class TopicProgress:
    topic_id: str
    title: str
    area: str
    mastery: TopicMastery

    @property
    def level(self) -> Level:
        return self.mastery.level


@dataclass(frozen=True, slots=True)
class AreaProgress:
    area: str
    topics: tuple[TopicProgress, ...]  # weakest first


@dataclass(frozen=True, slots=True)
class Progress:
    user_id: int
    areas: tuple[AreaProgress, ...]  # in the pack's order
    weakest: tuple[TopicProgress, ...]  # every topic with quiz items, weakest first

    @property
    def counts(self) -> dict[Level, int]:
        """How many topics are at each level (every level present, zeros included)."""
        found = Counter(t.level for area in self.areas for t in area.topics)
        return {level: found.get(level, 0) for level in Level}

    @property
    def started(self) -> bool:
        return any(t.level is not Level.NOT_STARTED for t in self.weakest)

    def topic(self, topic_id: str) -> TopicProgress | None:
        return next((t for a in self.areas for t in a.topics if t.topic_id == topic_id), None)


class ProgressService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    async def progress(self, user_id: int) -> Progress:
        moment = self._ctx.now()
        # Local days differ from UTC by under a day: two days of margin, the rule cuts exactly.
        since = (moment - timedelta(days=mastery.RECENT_DAYS + 2)).date()
        async with self._ctx.db.read() as conn:
            cards = await quiz_db.cards_of(conn, user_id)
            events = await quiz_db.answer_events(
                conn, user_id, since=since, limit=mastery.ANSWERS_READ
            )
        pack = self._ctx.pack
        levels = mastery.pack_mastery(pack, cards, events, moment)
        ranked = mastery.weakest_first(levels.values())
        rank = {m.topic_id: i for i, m in enumerate(ranked)}
        topics = [
            TopicProgress(topic.id, topic.title, topic.area, levels[topic.id])
            for topic in pack.topics.values()
        ]
        areas: dict[str, list[TopicProgress]] = {}
        for t in topics:
            areas.setdefault(t.area, []).append(t)
        last = len(rank)
        return Progress(
            user_id=user_id,
            areas=tuple(
                AreaProgress(
                    area, tuple(sorted(members, key=lambda t: rank.get(t.topic_id, last)))
                )
                for area, members in areas.items()
            ),
            weakest=tuple(
                sorted((t for t in topics if t.topic_id in rank), key=lambda t: rank[t.topic_id])
            ),
        )

    async def picture(self, progress: Progress) -> bytes:
        """The /progress PNG of `progress` (drawn off the event loop: it takes tens of ms)."""
        chips = [
            drawing.AreaChips(area.area, [(t.title, t.level) for t in area.topics])
            for area in progress.areas
        ]
        counts = progress.counts
        subtitle = " · ".join(f"{counts[level]} {level.label}" for level in reversed(Level))
        return await asyncio.to_thread(
            drawing.progress_png, chips, title="Your topics", subtitle=subtitle
        )
