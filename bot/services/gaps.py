"""The gap queue for content authors: what learners asked that the content could not answer.

``summary`` groups the stored questions of the last days (similar ones together, the most
asked first; ``bot.core.gaps``) with counts, a few wordings, how they ended, and for "did you
mean" the entries learners then opened (each a ready-made new phrasing for that entry).
``prune`` deletes questions older than ``KEEP_DAYS``; the adapter decides when to call it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from bot.core import gaps as rules
from bot.core.clock import Clock, require_aware
from bot.core.gaps import GapGroup
from bot.storage import gaps as gaps_db
from bot.storage.db import Database

__all__ = ["KEEP_DAYS", "MAX_TEXTS", "GapReport", "GapService"]

# How long a question is kept (README and the privacy text say so).
KEEP_DAYS = 90
# The most asked distinct texts that are grouped; the rest (each asked about as rarely as a
# question can be) are counted, so a huge queue still answers within seconds.
MAX_TEXTS = 10_000


@dataclass(frozen=True, slots=True)
class GapReport:
    since_days: int
    questions: int  # stored questions in the period
    texts: int  # distinct texts among them
    grouped_texts: int  # of those, how many were grouped (the most asked)
    groups: tuple[GapGroup, ...]

    @property
    def empty(self) -> bool:
        return self.questions == 0


class GapService:
    """Needs only the database and the clock (no content pack), so `tutor-bot gaps` opens it
    without loading the content."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def summary(self, since_days: int = KEEP_DAYS) -> GapReport:
        """The questions of the last `since_days` days (at most ``KEEP_DAYS`` are kept)."""
        if since_days < 1:
            raise ValueError("since_days must be at least 1")
        since = require_aware(self._clock.now()) - timedelta(days=since_days)
        async with self._db.read() as conn:
            found = await gaps_db.gap_counts(conn, since=since, limit=MAX_TEXTS)
        return GapReport(
            since_days=since_days,
            questions=found.questions,
            texts=found.texts,
            grouped_texts=len({row.text for row in found.counts}),
            # Grouping 10,000 texts is a few hundred ms of CPU: off the event loop.
            groups=tuple(await asyncio.to_thread(rules.group_gaps, found.counts)),
        )

    async def prune(self) -> int:
        """Delete the questions older than ``KEEP_DAYS``; how many went."""
        before = require_aware(self._clock.now()) - timedelta(days=KEEP_DAYS)
        async with self._db.write() as conn:
            return await gaps_db.prune_gaps(conn, before=before)
