"""Daily-question subscriptions and the once-per-chat-per-day claim."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.storage.db import from_ts, to_ts

__all__ = [
    "SubscriptionRow",
    "claim_daily",
    "confirm_daily",
    "daily_claimed",
    "daily_history",
    "delete_subscription",
    "get_subscription",
    "last_daily_days",
    "list_subscriptions",
    "release_daily",
    "release_unconfirmed",
    "set_daily_delivery",
    "upsert_subscription",
]


@dataclass(frozen=True, slots=True)
class SubscriptionRow:
    chat_id: int
    send_time: str
    timezone: str
    created_at: datetime
    updated_at: datetime


def _subscription(row: aiosqlite.Row) -> SubscriptionRow:
    return SubscriptionRow(
        chat_id=row["chat_id"],
        send_time=row["send_time"],
        timezone=row["timezone"],
        created_at=from_ts(row["created_at"]),
        updated_at=from_ts(row["updated_at"]),
    )


async def upsert_subscription(
    conn: aiosqlite.Connection, chat_id: int, send_time: str, timezone: str, now: datetime
) -> None:
    await conn.execute(
        """
        INSERT INTO daily_subscriptions (chat_id, send_time, timezone, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (chat_id) DO UPDATE SET send_time = excluded.send_time,
            timezone = excluded.timezone, updated_at = excluded.updated_at
        """,
        (chat_id, send_time, timezone, to_ts(now), to_ts(now)),
    )


async def delete_subscription(conn: aiosqlite.Connection, chat_id: int) -> bool:
    cursor = await conn.execute("DELETE FROM daily_subscriptions WHERE chat_id = ?", (chat_id,))
    return cursor.rowcount == 1


async def get_subscription(conn: aiosqlite.Connection, chat_id: int) -> SubscriptionRow | None:
    cursor = await conn.execute(
        "SELECT chat_id, send_time, timezone, created_at, updated_at FROM daily_subscriptions"
        " WHERE chat_id = ?",
        (chat_id,),
    )
    row = await cursor.fetchone()
    return _subscription(row) if row is not None else None


async def list_subscriptions(conn: aiosqlite.Connection) -> list[SubscriptionRow]:
    rows = await conn.execute_fetchall(
        "SELECT chat_id, send_time, timezone, created_at, updated_at FROM daily_subscriptions"
        " ORDER BY chat_id"
    )
    return [_subscription(row) for row in rows]


async def claim_daily(
    conn: aiosqlite.Connection, chat_id: int, local_day: date, question_id: str, now: datetime
) -> bool:
    """Insert the (chat, day) claim; True only for the first caller, ever."""
    cursor = await conn.execute(
        "INSERT INTO daily_sent (chat_id, local_date, question_id, claimed_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (chat_id, local_day.isoformat(), question_id, to_ts(now)),
    )
    return cursor.rowcount == 1


async def set_daily_delivery(
    conn: aiosqlite.Connection, chat_id: int, local_day: date, delivery_id: int
) -> None:
    await conn.execute(
        "UPDATE daily_sent SET delivery_id = ? WHERE chat_id = ? AND local_date = ?",
        (delivery_id, chat_id, local_day.isoformat()),
    )


async def release_daily(
    conn: aiosqlite.Connection, chat_id: int, local_day: date, delivery_id: int
) -> bool:
    """Drop the (chat, day) claim made for `delivery_id`.

    The delivery row stays: its id must never be handed out again (a send that timed out may
    still have arrived, and its buttons name that id).
    """
    cursor = await conn.execute(
        "DELETE FROM daily_sent WHERE chat_id = ? AND local_date = ? AND delivery_id = ?",
        (chat_id, local_day.isoformat(), delivery_id),
    )
    return cursor.rowcount == 1


async def confirm_daily(
    conn: aiosqlite.Connection, chat_id: int, local_day: date, delivery_id: int, now: datetime
) -> bool:
    """Mark the claim made for `delivery_id` as sent; False if it is no longer that claim."""
    cursor = await conn.execute(
        "UPDATE daily_sent SET sent_at = ?"
        " WHERE chat_id = ? AND local_date = ? AND delivery_id = ? AND sent_at IS NULL",
        (to_ts(now), chat_id, local_day.isoformat(), delivery_id),
    )
    return cursor.rowcount == 1


async def release_unconfirmed(conn: aiosqlite.Connection) -> list[tuple[int, date]]:
    """Drop every claim whose question was never confirmed sent; (chat, day) of each."""
    rows = await conn.execute_fetchall(
        "DELETE FROM daily_sent WHERE sent_at IS NULL RETURNING chat_id, local_date"
    )
    return [(int(row[0]), date.fromisoformat(row[1])) for row in rows]


async def daily_claimed(conn: aiosqlite.Connection, chat_id: int, local_day: date) -> str | None:
    """The question id claimed that day."""
    cursor = await conn.execute(
        "SELECT question_id FROM daily_sent WHERE chat_id = ? AND local_date = ?",
        (chat_id, local_day.isoformat()),
    )
    row = await cursor.fetchone()
    return str(row[0]) if row is not None else None


async def last_daily_days(conn: aiosqlite.Connection) -> dict[int, date]:
    """Chat -> latest day claimed."""
    rows = await conn.execute_fetchall(
        "SELECT chat_id, MAX(local_date) FROM daily_sent GROUP BY chat_id"
    )
    return {int(row[0]): date.fromisoformat(row[1]) for row in rows}


async def daily_history(conn: aiosqlite.Connection, chat_id: int) -> dict[str, date]:
    """Question -> latest day it was sent."""
    rows = await conn.execute_fetchall(
        "SELECT question_id, MAX(local_date) FROM daily_sent WHERE chat_id = ?"
        " GROUP BY question_id",
        (chat_id,),
    )
    return {str(row[0]): date.fromisoformat(row[1]) for row in rows}
