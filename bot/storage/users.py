"""Users, their settings, streak state, and the once-a-day reminder claim.

Every function takes the connection from ``Database.write()`` or ``Database.read()``.

Public API:
    UserRow
    ensure_user(conn, user_id, now, *, private_chat=False)
    get_user(conn, user_id) -> UserRow | None
    set_timezone(conn, user_id, name, now) / set_reminders(conn, user_id, enabled, now)
    get_streak(conn, user_id) -> StreakState / save_streak(conn, user_id, state)
    user_timezones(conn) -> list[str | None]
    reminder_candidates(conn, timezone, local_day) -> list[tuple[int, StreakState]]
    claim_reminder(conn, user_id, local_day, now) -> bool
    count_users(conn) -> int
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.core.streaks import StreakState
from bot.storage.db import from_ts, to_ts


@dataclass(frozen=True, slots=True)
class UserRow:
    user_id: int
    timezone: str | None
    reminders: bool
    private_chat: bool
    created_at: datetime


async def ensure_user(
    conn: aiosqlite.Connection, user_id: int, now: datetime, *, private_chat: bool = False
) -> None:
    """Create the user row if missing; remember once that they talk to us in private."""
    await conn.execute(
        """
        INSERT INTO users (user_id, private_chat, created_at) VALUES (?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET private_chat = 1
            WHERE excluded.private_chat = 1 AND users.private_chat = 0
        """,
        (user_id, int(private_chat), to_ts(now)),
    )


async def get_user(conn: aiosqlite.Connection, user_id: int) -> UserRow | None:
    cursor = await conn.execute(
        "SELECT user_id, timezone, reminders, private_chat, created_at FROM users"
        " WHERE user_id = ?",
        (user_id,),
    )
    row = await cursor.fetchone()
    if row is None:
        return None
    return UserRow(
        user_id=row["user_id"],
        timezone=row["timezone"],
        reminders=bool(row["reminders"]),
        private_chat=bool(row["private_chat"]),
        created_at=from_ts(row["created_at"]),
    )


async def set_timezone(
    conn: aiosqlite.Connection, user_id: int, name: str | None, now: datetime
) -> None:
    await ensure_user(conn, user_id, now)
    await conn.execute("UPDATE users SET timezone = ? WHERE user_id = ?", (name, user_id))


async def set_reminders(
    conn: aiosqlite.Connection, user_id: int, enabled: bool, now: datetime
) -> None:
    await ensure_user(conn, user_id, now)
    await conn.execute("UPDATE users SET reminders = ? WHERE user_id = ?", (int(enabled), user_id))


def _streak(row: aiosqlite.Row | None) -> StreakState:
    if row is None:
        return StreakState()
    return StreakState(
        current=row["current"],
        best=row["best"],
        freezes=row["freezes"],
        last_day=date.fromisoformat(row["last_day"]) if row["last_day"] else None,
    )


async def get_streak(conn: aiosqlite.Connection, user_id: int) -> StreakState:
    cursor = await conn.execute(
        "SELECT current, best, freezes, last_day FROM streaks WHERE user_id = ?", (user_id,)
    )
    return _streak(await cursor.fetchone())


async def save_streak(conn: aiosqlite.Connection, user_id: int, state: StreakState) -> None:
    await conn.execute(
        """
        INSERT INTO streaks (user_id, current, best, freezes, last_day) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET current = excluded.current, best = excluded.best,
            freezes = excluded.freezes, last_day = excluded.last_day
        """,
        (
            user_id,
            state.current,
            state.best,
            state.freezes,
            state.last_day.isoformat() if state.last_day else None,
        ),
    )


async def user_timezones(conn: aiosqlite.Connection) -> list[str | None]:
    """Distinct time zone settings in use (None = the default), to batch per-zone work."""
    rows = await conn.execute_fetchall("SELECT DISTINCT timezone FROM users")
    return [row[0] for row in rows]


async def reminder_candidates(
    conn: aiosqlite.Connection, timezone: str | None, local_day: date
) -> list[tuple[int, StreakState]]:
    """Users in one time zone setting with a live streak, reminders on, reachable in private,
    not active on ``local_day`` and not yet reminded on it."""
    rows = await conn.execute_fetchall(
        """
        SELECT u.user_id, s.current, s.best, s.freezes, s.last_day
        FROM users AS u JOIN streaks AS s ON s.user_id = u.user_id
        WHERE u.timezone IS ? AND u.reminders = 1 AND u.private_chat = 1 AND s.current > 0
          AND s.last_day < ?
          AND NOT EXISTS (SELECT 1 FROM reminders_sent AS r
                          WHERE r.user_id = u.user_id AND r.local_date = ?)
        ORDER BY u.user_id
        """,
        (timezone, local_day.isoformat(), local_day.isoformat()),
    )
    return [(row["user_id"], _streak(row)) for row in rows]


async def claim_reminder(
    conn: aiosqlite.Connection, user_id: int, local_day: date, now: datetime
) -> bool:
    """True the first time for (user, day); False ever after."""
    await ensure_user(conn, user_id, now)
    cursor = await conn.execute(
        "INSERT INTO reminders_sent (user_id, local_date, claimed_at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (user_id, local_day.isoformat(), to_ts(now)),
    )
    return cursor.rowcount == 1


async def count_users(conn: aiosqlite.Connection) -> int:
    row = await (await conn.execute("SELECT COUNT(*) FROM users")).fetchone()
    return int(row[0]) if row else 0
