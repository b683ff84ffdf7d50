"""Which content entries answer the most questions: anonymous counts for inline mode's
"most asked" list.

A count is the entry and a number, nothing else (no user, chat or time), so it is not personal
data and neither ``/export`` nor ``/forget`` concern it. Counting must not cost a database write
per question on the answer hot path, so counts gather in memory and are written in one
transaction every ``FLUSH_EVERY`` questions, before each read and at ``close``; a crash loses at
most that many, which a popularity ranking does not notice.
"""

from __future__ import annotations

import logging
from collections import Counter

from bot.core.content import Answerable
from bot.services.context import ServiceContext
from bot.storage import asked as asked_db
from bot.storage.db import DatabaseError

__all__ = ["FLUSH_EVERY", "MIN_ASKS_SHOWN", "AskedService"]

FLUSH_EVERY = 64
# On a quiet bot the list would otherwise show what the last person asked a minute ago: an
# entry is listed once it has answered a few questions, not one.
MIN_ASKS_SHOWN = 3

log = logging.getLogger(__name__)


class AskedService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context
        self._pending: Counter[str] = Counter()

    async def record(self, entry_id: str) -> None:
        """One more question answered by `entry_id`. A failed write is logged, not raised: the
        learner already has the answer, and the counts wait for the next try (they stay bounded
        by the number of entries)."""
        self._pending[entry_id] += 1
        if self._pending.total() >= FLUSH_EVERY:
            try:
                await self.flush()
            except DatabaseError as error:
                log.warning("answered-question counts not written, kept for later: %s", error)

    async def flush(self) -> None:
        """Write the counts gathered in memory (kept for the next try if the write fails)."""
        if not self._pending:
            return
        counts, self._pending = self._pending, Counter()
        try:
            async with self._ctx.db.write() as conn:
                await asked_db.add_asks(conn, counts)
        except BaseException:
            self._pending.update(counts)
            raise

    async def most_asked(self, limit: int) -> list[Answerable]:
        """Up to `limit` entries of the current content asked at least `MIN_ASKS_SHOWN` times,
        the most asked first (entries removed from the content since are skipped)."""
        await self.flush()
        async with self._ctx.db.read() as conn:
            # A few spare rows stand in for counted entries the content no longer has.
            rows = await asked_db.most_asked(conn, limit + 10)
        shown = [entry_id for entry_id, asked in rows if asked >= MIN_ASKS_SHOWN]
        entries = [self._ctx.pack.answerable(entry_id) for entry_id in shown]
        return [entry for entry in entries if entry is not None][:limit]
