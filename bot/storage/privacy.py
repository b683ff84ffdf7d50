"""Everything stored about one person: deleted on request (/forget), or exported (/export).

A person is a Telegram user id, and their private chat has the same id, so "about them" means
every row whose user column names them plus every row of their private chat. Rows that belong
to a group and are not about them (its settings, its sessions and rounds, other members' answers
and scores) stay; a group quiz they started keeps running without its starter (see below).

Call ``forget_user`` inside ``Database.write()``: it must be one transaction. It returns a
``ForgetReport`` (rows deleted per table; ``group_sessions`` counts sessions whose starter was
cleared or that were deleted). ``export_user`` gives every stored row about them (timestamps as
tz-aware datetimes, 0/1 flags as bools, JSON columns decoded); ``is_empty`` says whether an export
holds nothing. ``FORGOTTEN_STARTER`` is the starter id left on group sessions a forgotten person
had started.
"""

from __future__ import annotations

import json
from dataclasses import astuple, dataclass
from typing import Any

import aiosqlite

from bot.storage.db import from_ts

__all__ = ["FORGOTTEN_STARTER", "ForgetReport", "export_user", "forget_user", "is_empty"]

# group_sessions.starter_id is NOT NULL (migration 2), so it cannot be cleared to NULL without a
# table rebuild. 0 is no Telegram user, so it names nobody: the session stays for the group, and
# only an admin can stop it (stop_session compares the presser with the starter).
FORGOTTEN_STARTER = 0

# (table, DELETE statement, how many times the user id is bound). Children before parents, so
# each count is what that table lost (a cascade would delete silently, uncounted). "Their"
# deliveries were sent to them (a personal quiz, in any chat) or posted in their private chat.
# Group sessions in their private chat cannot exist (/groupquiz refuses there), but a chat_id
# equal to theirs is their chat whatever the table, so those rows go too.
_DELETES: tuple[tuple[str, str, int], ...] = (
    (
        "hints",
        "DELETE FROM hints WHERE user_id = ? OR delivery_id IN"
        " (SELECT id FROM deliveries WHERE user_id = ? OR chat_id = ?)",
        3,
    ),
    (
        "answers",
        "DELETE FROM answers WHERE user_id = ? OR delivery_id IN"
        " (SELECT id FROM deliveries WHERE user_id = ? OR chat_id = ?)",
        3,
    ),
    ("daily_sent", "DELETE FROM daily_sent WHERE chat_id = ?", 1),
    ("deliveries", "DELETE FROM deliveries WHERE user_id = ? OR chat_id = ?", 2),
    ("cards", "DELETE FROM cards WHERE user_id = ?", 1),
    ("streaks", "DELETE FROM streaks WHERE user_id = ?", 1),
    ("reminders_sent", "DELETE FROM reminders_sent WHERE user_id = ?", 1),
    ("daily_subscriptions", "DELETE FROM daily_subscriptions WHERE chat_id = ?", 1),
    (
        "group_answers",
        "DELETE FROM group_answers WHERE user_id = ? OR round_id IN"
        " (SELECT r.id FROM group_rounds AS r JOIN group_sessions AS s ON s.id = r.session_id"
        " WHERE s.chat_id = ?)",
        2,
    ),
    (
        "group_rounds",
        "DELETE FROM group_rounds WHERE session_id IN"
        " (SELECT id FROM group_sessions WHERE chat_id = ?)",
        1,
    ),
    ("group_scores", "DELETE FROM group_scores WHERE user_id = ? OR chat_id = ?", 2),
    ("group_settings", "DELETE FROM group_settings WHERE chat_id = ?", 1),
    ("question_gaps", "DELETE FROM question_gaps WHERE user_id = ?", 1),
)
# Sessions in their own chat go; sessions they started in a group lose the starter only.
_DELETE_SESSIONS = "DELETE FROM group_sessions WHERE chat_id = ?"
_CLEAR_STARTER = "UPDATE group_sessions SET starter_id = ? WHERE starter_id = ?"
_DELETE_USER = "DELETE FROM users WHERE user_id = ?"


@dataclass(frozen=True, slots=True)
class ForgetReport:
    """How many rows /forget deleted, table by table."""

    hints: int = 0
    answers: int = 0
    daily_sent: int = 0
    deliveries: int = 0
    cards: int = 0
    streaks: int = 0
    reminders_sent: int = 0
    daily_subscriptions: int = 0
    group_answers: int = 0
    group_rounds: int = 0
    group_scores: int = 0
    group_settings: int = 0
    # Sessions in their private chat deleted, plus sessions they started unlinked from them.
    group_sessions: int = 0
    # Their questions the content could not answer (kept for the authors).
    question_gaps: int = 0
    users: int = 0

    @property
    def nothing(self) -> bool:
        """Whether nothing at all was stored about them."""
        return not any(astuple(self))


async def forget_user(conn: aiosqlite.Connection, user_id: int) -> ForgetReport:
    """Delete every row about `user_id`; report how many rows each table lost.

    Run it inside one ``Database.write()`` transaction, so a failure deletes nothing."""
    counts: dict[str, int] = {}
    for table, statement, binds in _DELETES:
        cursor = await conn.execute(statement, (user_id,) * binds)
        counts[table] = max(cursor.rowcount, 0)
    cursor = await conn.execute(_DELETE_SESSIONS, (user_id,))
    deleted_sessions = max(cursor.rowcount, 0)
    cursor = await conn.execute(_CLEAR_STARTER, (FORGOTTEN_STARTER, user_id))
    counts["group_sessions"] = deleted_sessions + max(cursor.rowcount, 0)
    cursor = await conn.execute(_DELETE_USER, (user_id,))
    counts["users"] = max(cursor.rowcount, 0)
    return ForgetReport(**counts)


# --- export -------------------------------------------------------------------------------------

# Columns stored as 0/1 that mean yes/no.
_FLAGS = frozenset({"reminders", "private_chat", "correct", "hinted", "anyone_can_start"})
# Columns holding JSON text.
_JSON = frozenset({"card"})


def _value(column: str, value: Any) -> Any:
    if value is None:
        return None
    if column in _FLAGS:
        return bool(value)
    if column in _JSON:
        return json.loads(value)
    if (column.endswith("_at") or column == "due") and isinstance(value, str):
        return from_ts(value)
    return value


def _record(row: aiosqlite.Row) -> dict[str, Any]:
    return {column: _value(column, row[column]) for column in row.keys()}  # noqa: SIM118


# (key in the export, one row or a list, the query; every "?" is the person's id).
_EXPORTS: tuple[tuple[str, bool, str], ...] = (
    ("profile", True, "SELECT * FROM users WHERE user_id = ?"),
    ("streak", True, "SELECT * FROM streaks WHERE user_id = ?"),
    (
        "answers",
        False,
        "SELECT a.*, d.kind, d.chat_id FROM answers AS a"
        " JOIN deliveries AS d ON d.id = a.delivery_id"
        " WHERE a.user_id = ? ORDER BY a.id",
    ),
    (
        "hints",
        False,
        "SELECT h.*, d.question_id, d.chat_id FROM hints AS h"
        " JOIN deliveries AS d ON d.id = h.delivery_id"
        " WHERE h.user_id = ? ORDER BY h.used_at",
    ),
    ("cards", False, "SELECT * FROM cards WHERE user_id = ? ORDER BY question_id"),
    (
        "questions_sent",
        False,
        "SELECT * FROM deliveries WHERE user_id = ? OR chat_id = ? ORDER BY id",
    ),
    (
        "reminders_sent",
        False,
        "SELECT * FROM reminders_sent WHERE user_id = ? ORDER BY local_date",
    ),
    ("daily_subscription", True, "SELECT * FROM daily_subscriptions WHERE chat_id = ?"),
    ("daily_questions", False, "SELECT * FROM daily_sent WHERE chat_id = ? ORDER BY local_date"),
    (
        "group_answers",
        False,
        "SELECT a.*, s.chat_id, r.question_id FROM group_answers AS a"
        " JOIN group_rounds AS r ON r.id = a.round_id"
        " JOIN group_sessions AS s ON s.id = r.session_id"
        " WHERE a.user_id = ? ORDER BY a.id",
    ),
    ("group_scores", False, "SELECT * FROM group_scores WHERE user_id = ? ORDER BY chat_id"),
    # Settings are kept per group; a row under their own chat's id would still be theirs.
    ("chat_settings", True, "SELECT * FROM group_settings WHERE chat_id = ?"),
    (
        "group_quizzes_started",
        False,
        "SELECT id, chat_id, questions, seconds, difficulty, state, started_at, ended_at"
        " FROM group_sessions WHERE starter_id = ? ORDER BY id",
    ),
    (
        "unanswered_questions",
        False,
        "SELECT id, chat_kind, question, outcome, suggestions, picked, asked_at"
        " FROM question_gaps WHERE user_id = ? ORDER BY id",
    ),
)


async def export_user(conn: aiosqlite.Connection, user_id: int) -> dict[str, Any]:
    """Everything stored about `user_id`, table by table (the same rows ``forget_user`` deletes,
    and the group sessions they started, which it keeps)."""
    export: dict[str, Any] = {"user_id": user_id}
    for key, single, sql in _EXPORTS:
        rows = await conn.execute_fetchall(sql, (user_id,) * sql.count("?"))
        records = [_record(row) for row in rows]
        export[key] = (records[0] if records else None) if single else records
    return export


def is_empty(export: dict[str, Any]) -> bool:
    """Whether an export holds nothing at all (the person never used the bot, or was forgotten)."""
    return not any(value for key, value in export.items() if key != "user_id")
