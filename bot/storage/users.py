"""Users, their settings, streak state, and the once-a-day reminder claim.

Every function takes the connection from ``Database.write()`` or ``Database.read()``.

Shared with ``bot.storage.quiz`` (its batched writer stores the same rows):
    UPSERT_USER, user_params(user_id, *, private_chat, now)
    UPSERT_STREAK, streak_params(user_id, state);  streak_from_row(row) -> StreakState
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.core.streaks import StreakState
from bot.storage.db import from_ts, to_ts

__all__ = [
    "UPSERT_STREAK",
    "UPSERT_USER",
    "UserRow",
    "claim_reminder",
    "ensure_user",
    "get_streak",
    "get_user",
    "reminder_candidates",
    "set_quiz_level",
    "set_reminders",
    "set_timezone",
    "streak_from_row",
    "streak_params",
    "user_params",
    "user_timezones",
]

# Create the user if missing; the private-chat flag only ever goes from 0 to 1.
UPSERT_USER = """
INSERT INTO users (user_id, private_chat, created_at) VALUES (?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET private_chat = 1
    WHERE excluded.private_chat = 1 AND users.private_chat = 0
"""

UPSERT_STREAK = """
INSERT INTO streaks (user_id, current, best, freezes, last_day) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET current = excluded.current, best = excluded.best,
    freezes = excluded.freezes, last_day = excluded.last_day
"""


def user_params(user_id: int, *, private_chat: bool, now: datetime) -> tuple[int, int, str]:
    """The parameters of ``UPSERT_USER``."""
    return (user_id, int(private_chat), to_ts(now))


def streak_params(user_id: int, state: StreakState) -> tuple[int, int, int, int, str | None]:
    """The parameters of ``UPSERT_STREAK``."""
    return (
        user_id,
        state.current,
        state.best,
        state.freezes,
        state.last_day.isoformat() if state.last_day else None,
    )


def streak_from_row(row: aiosqlite.Row | None) -> StreakState:
    """A streak from a row with ``current, best, freezes, last_day`` columns; no row, or NULLs
    from an outer join (a user who never answered), give the empty streak."""
    if row is None or row["current"] is None:
        return StreakState()
    return StreakState(
        current=row["current"],
        best=row["best"],
        freezes=row["freezes"],
        last_day=date.fromisoformat(row["last_day"]) if row["last_day"] else None,
    )


@dataclass(frozen=True, slots=True)
class UserRow:
    user_id: int
    timezone: str | None
    reminders: bool
    private_chat: bool
    created_at: datetime
    quiz_level: str | None = None  # the level of their last /quiz; None: any


async def ensure_user(
    conn: aiosqlite.Connection, user_id: int, now: datetime, *, private_chat: bool = False
) -> None:
    """Create the user row if missing; remember once that they talk to us in private."""
    await conn.execute(UPSERT_USER, user_params(user_id, private_chat=private_chat, now=now))


async def get_user(conn: aiosqlite.Connection, user_id: int) -> UserRow | None:
    cursor = await conn.execute(
        "SELECT user_id, timezone, reminders, private_chat, created_at, quiz_level FROM users"
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
        quiz_level=row["quiz_level"],
    )


async def set_timezone(
    conn: aiosqlite.Connection, user_id: int, name: str | None, now: datetime
) -> None:
    await ensure_user(conn, user_id, now)
    await conn.execute("UPDATE users SET timezone = ? WHERE user_id = ?", (name, user_id))


async def set_quiz_level(conn: aiosqlite.Connection, user_id: int, level: str | None) -> None:
    """Remember the level of the user's last quiz (None: any); the user row must exist."""
    await conn.execute("UPDATE users SET quiz_level = ? WHERE user_id = ?", (level, user_id))


async def set_reminders(
    conn: aiosqlite.Connection, user_id: int, *, enabled: bool, now: datetime
) -> None:
    await ensure_user(conn, user_id, now)
    await conn.execute("UPDATE users SET reminders = ? WHERE user_id = ?", (int(enabled), user_id))


async def get_streak(conn: aiosqlite.Connection, user_id: int) -> StreakState:
    cursor = await conn.execute(
        "SELECT current, best, freezes, last_day FROM streaks WHERE user_id = ?", (user_id,)
    )
    return streak_from_row(await cursor.fetchone())


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
    return [(row["user_id"], streak_from_row(row)) for row in rows]


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
