"""The anonymous per-entry count of questions answered (table ``entry_asks``, migration 6)."""

from __future__ import annotations

from collections.abc import Mapping

import aiosqlite

__all__ = ["add_asks", "most_asked"]


async def add_asks(conn: aiosqlite.Connection, counts: Mapping[str, int]) -> None:
    """Add `counts` (entry id -> how many more times it answered a question)."""
    await conn.executemany(
        "INSERT INTO entry_asks (entry_id, asked) VALUES (?, ?)"
        " ON CONFLICT (entry_id) DO UPDATE SET asked = asked + excluded.asked",
        [(entry_id, n) for entry_id, n in counts.items() if n > 0],
    )


async def most_asked(conn: aiosqlite.Connection, limit: int) -> list[tuple[str, int]]:
    """(entry id, count), the most asked first; equal counts by entry id (a stable order)."""
    rows = await conn.execute_fetchall(
        "SELECT entry_id, asked FROM entry_asks ORDER BY asked DESC, entry_id LIMIT ?",
        (max(0, limit),),
    )
    return [(str(row[0]), int(row[1])) for row in rows]
