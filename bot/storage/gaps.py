"""The gap queue (migration 6): free-text questions that ended in "did you mean" or the fallback.

One row per such question, with who asked (``/export`` shows it, ``/forget`` deletes it:
``bot.storage.privacy``), the kind of chat, the outcome, the suggestions offered and the one the
asker then opened. ``gap_counts`` aggregates in SQL by normalised text, so the authors' report
reads the distinct texts, not every row; the normalised text doubles as the example shown (it
is what the learner typed, in lower case without punctuation).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiosqlite

from bot.core.gaps import GapCount, GapOutcome
from bot.storage.db import to_ts

__all__ = [
    "ChatKind",
    "GapCounts",
    "GapRow",
    "gap_counts",
    "get_gap",
    "insert_gap",
    "prune_gaps",
    "set_picked",
    "user_gaps_since",
]

ChatKind = Literal["private", "group"]
# Rows fetched per trip to SQLite's thread while streaming a report.
_BATCH = 2000


@dataclass(frozen=True, slots=True)
class GapRow:
    id: int
    user_id: int
    outcome: GapOutcome
    suggestions: tuple[str, ...]
    picked: str | None


@dataclass(frozen=True, slots=True)
class GapCounts:
    questions: int  # rows
    texts: int  # distinct normalised texts
    counts: list[GapCount]  # for the most asked texts only


async def insert_gap(
    conn: aiosqlite.Connection,
    *,
    user_id: int,
    chat_kind: ChatKind,
    question: str,
    normalised: str,
    outcome: GapOutcome,
    suggestions: tuple[str, ...],
    now: datetime,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO question_gaps (user_id, chat_kind, question, normalised, outcome,"
        " suggestions, asked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (user_id, chat_kind, question, normalised, outcome, " ".join(suggestions), to_ts(now)),
    )
    assert cursor.lastrowid is not None  # an INSERT into a rowid table always sets it
    return cursor.lastrowid


async def user_gaps_since(conn: aiosqlite.Connection, user_id: int, *, since: datetime) -> int:
    """How many questions of `user_id` were stored at or after `since`."""
    rows = await conn.execute_fetchall(
        "SELECT COUNT(*) FROM question_gaps WHERE user_id = ? AND asked_at >= ?",
        (user_id, to_ts(since)),
    )
    return int(next(iter(rows))[0])


async def get_gap(conn: aiosqlite.Connection, gap_id: int) -> GapRow | None:
    cursor = await conn.execute(
        "SELECT id, user_id, outcome, suggestions, picked FROM question_gaps WHERE id = ?",
        (gap_id,),
    )
    row = await cursor.fetchone()
    if row is None:
        return None
    return GapRow(row[0], row[1], row[2], tuple(row[3].split()), row[4])


async def set_picked(conn: aiosqlite.Connection, gap_id: int, user_id: int, entry_id: str) -> bool:
    """Record the suggestion `user_id` opened; only their own row changes."""
    cursor = await conn.execute(
        "UPDATE question_gaps SET picked = ? WHERE id = ? AND user_id = ?",
        (entry_id, gap_id, user_id),
    )
    return cursor.rowcount > 0


async def prune_gaps(conn: aiosqlite.Connection, *, before: datetime) -> int:
    """Delete the questions asked before `before`; how many went."""
    cursor = await conn.execute("DELETE FROM question_gaps WHERE asked_at < ?", (to_ts(before),))
    return max(cursor.rowcount, 0)


async def gap_counts(conn: aiosqlite.Connection, *, since: datetime, limit: int) -> GapCounts:
    """How often each normalised text ended each way since `since`, for the `limit` most asked
    texts, and how many rows and distinct texts there were in all.

    Two streamed passes over one covering index: the first keeps only the `limit` most asked
    texts (a heap), the second their outcome and pick counts, so memory stays bounded by
    `limit` however many questions and texts there are."""
    # "+asked_at" keeps SQLite off the asked_at index: a range over it costs a table lookup per
    # row, while question_gaps_text answers both queries alone, already in text order.
    after = (to_ts(since),)
    top: list[tuple[int, str]] = []
    questions = texts = 0
    async with conn.execute(
        "SELECT normalised, COUNT(*) FROM question_gaps WHERE +asked_at >= ? GROUP BY normalised",
        after,
    ) as cursor:
        cursor.arraysize = _BATCH
        async for text, count in cursor:
            questions += count
            texts += 1
            if len(top) < limit:
                heapq.heappush(top, (count, text))
            elif (count, text) > top[0]:
                heapq.heapreplace(top, (count, text))
    kept = {text for _, text in top}
    counts: list[GapCount] = []
    async with conn.execute(
        "SELECT normalised, outcome, picked, COUNT(*) FROM question_gaps"
        " WHERE +asked_at >= ? GROUP BY normalised, outcome, picked",
        after,
    ) as cursor:
        cursor.arraysize = _BATCH
        async for text, outcome, picked, count in cursor:
            if text in kept:
                counts.append(GapCount(text, text, outcome, picked, int(count)))
    return GapCounts(questions, texts, counts)
