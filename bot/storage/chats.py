"""Rows that belong to a chat, moved as a whole when Telegram gives the chat a new id.

A basic group upgraded to a supergroup gets a new chat id; everything stored under the old id
(daily subscription and its history, quiz deliveries, group settings, sessions and the all-time
scores) must follow it, or the group would lose its settings and table and the bot would keep
writing to a chat that no longer exists.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.storage.db import to_ts

__all__ = ["move_chat"]

# Tables keyed by chat whose rows simply change owner. Where the new id already holds a row
# with the same key (the migration is seen twice, or the new chat was used in between), the
# new chat's row wins and the old one is dropped.
_KEYED = ("daily_subscriptions", "daily_sent", "group_settings")


async def move_chat(
    conn: aiosqlite.Connection, old_chat_id: int, new_chat_id: int, now: datetime
) -> int:
    """Move every row of `old_chat_id` to `new_chat_id`; idempotent (a second call moves 0)."""
    ids = (new_chat_id, old_chat_id)
    moved = 0
    for table in _KEYED:
        # Table names come from the constant above, never from input.
        cursor = await conn.execute(
            f"UPDATE OR IGNORE {table} SET chat_id = ? WHERE chat_id = ?",  # noqa: S608
            ids,
        )
        moved += cursor.rowcount
        await conn.execute(f"DELETE FROM {table} WHERE chat_id = ?", (old_chat_id,))  # noqa: S608
    cursor = await conn.execute("UPDATE deliveries SET chat_id = ? WHERE chat_id = ?", ids)
    moved += cursor.rowcount
    # One running session per chat: if the new chat already runs one, the old one stops.
    cursor = await conn.execute(
        "UPDATE OR IGNORE group_sessions SET chat_id = ? WHERE chat_id = ?", ids
    )
    moved += cursor.rowcount
    await conn.execute(
        "UPDATE group_sessions SET state = 'stopped', ended_at = ?"
        " WHERE chat_id = ? AND state = 'running'",
        (to_ts(now), old_chat_id),
    )
    # All-time scores add up if the same member already scored under the new id.
    cursor = await conn.execute(
        """
        INSERT INTO group_scores
            (chat_id, user_id, display_name, points, correct, answered, updated_at)
        SELECT ?, user_id, display_name, points, correct, answered, updated_at
        FROM group_scores WHERE chat_id = ?
        ON CONFLICT (chat_id, user_id) DO UPDATE SET
            points = points + excluded.points,
            correct = correct + excluded.correct,
            answered = answered + excluded.answered
        """,
        ids,
    )
    moved += cursor.rowcount
    await conn.execute("DELETE FROM group_scores WHERE chat_id = ?", (old_chat_id,))
    return moved
