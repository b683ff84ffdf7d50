"""Moving a chat's rows to its new id (a group upgraded to a supergroup), on a real file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.storage.chats import move_chat
from bot.storage.db import Database, to_ts

OLD, NEW = -4001, -1009001
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


async def _seed(db: Database) -> None:
    ts = to_ts(NOW)
    async with db.write() as conn:
        await conn.execute(
            "INSERT INTO daily_subscriptions VALUES (?, '08:00', 'UTC', ?, ?)", (OLD, ts, ts)
        )
        await conn.execute(
            "INSERT INTO daily_sent (chat_id, local_date, question_id, claimed_at)"
            " VALUES (?, '2025-03-02', 'q1', ?)",
            (OLD, ts),
        )
        await conn.execute(
            "INSERT INTO deliveries (kind, chat_id, question_id, option_order, created_at)"
            " VALUES ('quiz', ?, 'q1', '0,1', ?)",
            (OLD, ts),
        )
        await conn.execute("INSERT INTO group_settings VALUES (?, 1, ?)", (OLD, ts))
        await conn.execute(
            "INSERT INTO group_sessions (chat_id, starter_id, questions, seconds, started_at)"
            " VALUES (?, 7, 3, 20, ?)",
            (OLD, ts),
        )
        for chat, user, points in ((OLD, 7, 900), (OLD, 8, 500), (NEW, 7, 100)):
            await conn.execute(
                "INSERT INTO group_scores VALUES (?, ?, 'name', ?, 1, 1, ?)",
                (chat, user, points, ts),
            )


async def _rows(db: Database, table: str, chat_id: int) -> int:
    async with db.read() as conn:
        cursor = await conn.execute(
            f"SELECT COUNT(*) FROM {table} WHERE chat_id = ?",  # noqa: S608 - fixed names
            (chat_id,),
        )
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def test_every_row_follows_the_chat_and_scores_add_up(tmp_path: Path) -> None:
    """Subscription, history, deliveries, settings and the running session move to the new id;
    a member who already scored under the new id gets the sum; a second move moves nothing."""
    db = await Database.open(tmp_path / "tutor.sqlite3")
    try:
        await _seed(db)
        async with db.write() as conn:
            assert await move_chat(conn, OLD, NEW, NOW) > 0
        for table in (
            "daily_subscriptions",
            "daily_sent",
            "deliveries",
            "group_settings",
            "group_sessions",
            "group_scores",
        ):
            assert await _rows(db, table, OLD) == 0, table
            assert await _rows(db, table, NEW) >= 1, table
        async with db.read() as conn:
            cursor = await conn.execute(
                "SELECT user_id, points, answered FROM group_scores WHERE chat_id = ?"
                " ORDER BY user_id",
                (NEW,),
            )
            scores = [tuple(row) for row in await cursor.fetchall()]
            cursor = await conn.execute(
                "SELECT state FROM group_sessions WHERE chat_id = ?", (NEW,)
            )
            states = [row[0] for row in await cursor.fetchall()]
        assert scores == [(7, 1000, 2), (8, 500, 1)]
        assert states == ["running"]
        async with db.write() as conn:
            assert await move_chat(conn, OLD, NEW, NOW) == 0
    finally:
        await db.close()
