"""Deliveries (questions sent), hints, answers and spaced-repetition cards."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import aiosqlite

from bot.core.mastery import AnswerEvent
from bot.core.streaks import StreakState
from bot.storage.db import from_ts, to_ts
from bot.storage.users import (
    UPSERT_STREAK,
    UPSERT_USER,
    streak_from_row,
    streak_params,
    user_params,
)

__all__ = [
    "AnswerContext",
    "AnswerRow",
    "CardUpdate",
    "DeliveryRow",
    "Kind",
    "add_hint",
    "answer_contexts",
    "answer_events",
    "answer_totals",
    "answers_by_day",
    "card_dues",
    "cards_of",
    "get_answer",
    "get_delivery",
    "insert_delivery",
    "prune_unanswered",
    "recent_question_ids",
    "save_answers",
]

Kind = Literal["quiz", "daily"]


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    id: int
    kind: Kind
    chat_id: int
    user_id: int | None
    question_id: str
    option_order: str
    local_date: date | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AnswerRow:
    delivery_id: int
    user_id: int
    question_id: str
    difficulty: str
    position: int
    option_index: int
    correct: bool
    hinted: bool
    answered_at: datetime
    local_date: date


async def insert_delivery(
    conn: aiosqlite.Connection,
    *,
    kind: Kind,
    chat_id: int,
    user_id: int | None,
    question_id: str,
    option_order: str,
    local_day: date | None,
    now: datetime,
) -> int:
    """Store a question sent to a chat; returns the delivery id."""
    cursor = await conn.execute(
        "INSERT INTO deliveries (kind, chat_id, user_id, question_id, option_order, local_date,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            kind,
            chat_id,
            user_id,
            question_id,
            option_order,
            local_day.isoformat() if local_day else None,
            to_ts(now),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def prune_unanswered(
    conn: aiosqlite.Connection, user_id: int, *, before: datetime, keep: int
) -> int:
    """Delete `user_id`'s unanswered personal quiz deliveries created before `before` or older
    than their newest `keep`; return how many went. Daily deliveries are shared with a chat and
    stay (daily_sent keeps their history)."""
    cursor = await conn.execute(
        "DELETE FROM deliveries WHERE kind = 'quiz' AND user_id = ?"
        " AND NOT EXISTS (SELECT 1 FROM answers AS a WHERE a.delivery_id = deliveries.id)"
        " AND (created_at < ? OR id NOT IN (SELECT id FROM deliveries"
        " WHERE kind = 'quiz' AND user_id = ? ORDER BY id DESC LIMIT ?))",
        (user_id, to_ts(before), user_id, keep),
    )
    return max(cursor.rowcount, 0)


def _delivery(row: aiosqlite.Row, prefix: str = "") -> DeliveryRow:
    """A delivery from its columns, each named ``prefix`` + the column name."""
    local_day = row[f"{prefix}local_date"]
    return DeliveryRow(
        id=row[f"{prefix}id"],
        kind=row[f"{prefix}kind"],
        chat_id=row[f"{prefix}chat_id"],
        user_id=row[f"{prefix}user_id"],
        question_id=row[f"{prefix}question_id"],
        option_order=row[f"{prefix}option_order"],
        local_date=date.fromisoformat(local_day) if local_day else None,
        created_at=from_ts(row[f"{prefix}created_at"]),
    )


async def get_delivery(conn: aiosqlite.Connection, delivery_id: int) -> DeliveryRow | None:
    cursor = await conn.execute(
        "SELECT id, kind, chat_id, user_id, question_id, option_order, local_date, created_at"
        " FROM deliveries WHERE id = ?",
        (delivery_id,),
    )
    row = await cursor.fetchone()
    return _delivery(row) if row is not None else None


async def recent_question_ids(conn: aiosqlite.Connection, user_id: int) -> set[str]:
    """The question last sent to this user and the one they last answered (daily included)."""
    rows = await conn.execute_fetchall(
        """
        SELECT question_id FROM (SELECT question_id FROM deliveries WHERE user_id = ?
                                 ORDER BY id DESC LIMIT 1)
        UNION
        SELECT question_id FROM (SELECT question_id FROM answers WHERE user_id = ?
                                 ORDER BY id DESC LIMIT 1)
        """,
        (user_id, user_id),
    )
    return {row[0] for row in rows}


async def add_hint(
    conn: aiosqlite.Connection, delivery_id: int, user_id: int, now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO hints (delivery_id, user_id, used_at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (delivery_id, user_id, to_ts(now)),
    )


def _answer(row: aiosqlite.Row, prefix: str = "") -> AnswerRow:
    """An answer from its columns, each named ``prefix`` + the column name."""
    return AnswerRow(
        delivery_id=row[f"{prefix}delivery_id"],
        user_id=row[f"{prefix}user_id"],
        question_id=row[f"{prefix}question_id"],
        difficulty=row[f"{prefix}difficulty"],
        position=row[f"{prefix}position"],
        option_index=row[f"{prefix}option_index"],
        correct=bool(row[f"{prefix}correct"]),
        hinted=bool(row[f"{prefix}hinted"]),
        answered_at=from_ts(row[f"{prefix}answered_at"]),
        local_date=date.fromisoformat(row[f"{prefix}local_date"]),
    )


async def get_answer(
    conn: aiosqlite.Connection, delivery_id: int, user_id: int
) -> AnswerRow | None:
    cursor = await conn.execute(
        "SELECT delivery_id, user_id, question_id, difficulty, position, option_index, correct,"
        " hinted, answered_at, local_date FROM answers WHERE delivery_id = ? AND user_id = ?",
        (delivery_id, user_id),
    )
    row = await cursor.fetchone()
    return _answer(row) if row is not None else None


async def card_dues(conn: aiosqlite.Connection, user_id: int) -> dict[str, datetime]:
    rows = await conn.execute_fetchall(
        "SELECT question_id, due FROM cards WHERE user_id = ?", (user_id,)
    )
    return {row[0]: from_ts(row[1]) for row in rows}


async def cards_of(conn: aiosqlite.Connection, user_id: int) -> dict[str, str]:
    """Question id -> the user's FSRS card (JSON), for every question they have answered."""
    rows = await conn.execute_fetchall(
        "SELECT question_id, card FROM cards WHERE user_id = ?", (user_id,)
    )
    return {row[0]: row[1] for row in rows}


async def answer_events(
    conn: aiosqlite.Connection, user_id: int, *, since: date | None = None, limit: int
) -> list[AnswerEvent]:
    """The user's newest `limit` answers (private quiz, daily and group rounds alike: they all
    move the same cards), newest first; `since` keeps those of that local day or later."""
    day = since.isoformat() if since is not None else ""
    rows = await conn.execute_fetchall(
        "SELECT question_id, difficulty, correct, answered_at FROM ("
        " SELECT question_id, difficulty, correct, answered_at FROM answers"
        " WHERE user_id = ? AND local_date >= ?"
        " UNION ALL SELECT r.question_id, g.difficulty, g.correct, g.answered_at"
        " FROM group_answers AS g JOIN group_rounds AS r ON r.id = g.round_id"
        " WHERE g.user_id = ? AND g.local_date >= ?)"
        " ORDER BY answered_at DESC LIMIT ?",
        (user_id, day, user_id, day, limit),
    )
    return [AnswerEvent(row[0], row[1], bool(row[2]), from_ts(row[3])) for row in rows]


async def answer_totals(conn: aiosqlite.Connection, user_id: int) -> dict[str, tuple[int, int]]:
    # Group quiz answers count too: they feed the same streak, so the numbers must agree.
    """Difficulty -> (answered, correct)."""
    rows = await conn.execute_fetchall(
        "SELECT difficulty, COUNT(*), SUM(correct) FROM (SELECT difficulty, correct FROM answers"
        " WHERE user_id = ? UNION ALL SELECT difficulty, correct FROM group_answers"
        " WHERE user_id = ?) GROUP BY difficulty",
        (user_id, user_id),
    )
    return {row[0]: (int(row[1]), int(row[2] or 0)) for row in rows}


async def answers_by_day(conn: aiosqlite.Connection, user_id: int, since: date) -> dict[date, int]:
    """Answers per local day since ``since`` (group quiz answers included: they count for the
    streak as well)."""
    rows = await conn.execute_fetchall(
        "SELECT local_date, COUNT(*) FROM (SELECT local_date FROM answers"
        " WHERE user_id = ? AND local_date >= ? UNION ALL SELECT local_date FROM group_answers"
        " WHERE user_id = ? AND local_date >= ?) GROUP BY local_date",
        (user_id, since.isoformat(), user_id, since.isoformat()),
    )
    return {date.fromisoformat(row[0]): int(row[1]) for row in rows}


# --- batched answering: one read and four writes for a whole batch of answers ---------------


@dataclass(frozen=True, slots=True)
class AnswerContext:
    """Everything grading one (delivery, user) answer needs, read in one query."""

    delivery: DeliveryRow | None
    earlier: AnswerRow | None
    hint_taken: bool
    user_exists: bool
    timezone: str | None
    streak: StreakState
    card: str | None


async def answer_contexts(
    conn: aiosqlite.Connection, requests: Sequence[tuple[int, int]]
) -> list[AnswerContext]:
    """The context for each (delivery_id, user_id), in the order given.

    The requests travel as one JSON parameter, so a batch of any size is a single statement.
    """
    rows = await conn.execute_fetchall(
        """
        WITH req AS (
            SELECT CAST(key AS INTEGER) AS n,
                   json_extract(value, '$[0]') AS delivery_id,
                   json_extract(value, '$[1]') AS user_id
            FROM json_each(?)
        )
        SELECT req.n,
               d.id AS d_id, d.kind AS d_kind, d.chat_id AS d_chat_id, d.user_id AS d_user_id,
               d.question_id AS d_question_id, d.option_order AS d_option_order,
               d.local_date AS d_local_date, d.created_at AS d_created_at,
               a.delivery_id AS a_delivery_id, a.user_id AS a_user_id,
               a.question_id AS a_question_id, a.difficulty AS a_difficulty,
               a.position AS a_position, a.option_index AS a_option_index,
               a.correct AS a_correct, a.hinted AS a_hinted,
               a.answered_at AS a_answered_at, a.local_date AS a_local_date,
               EXISTS (SELECT 1 FROM hints AS h
                       WHERE h.delivery_id = req.delivery_id AND h.user_id = req.user_id)
                   AS hint_taken,
               u.user_id IS NOT NULL AS user_exists, u.timezone,
               s.current, s.best, s.freezes, s.last_day,
               c.card
        FROM req
        LEFT JOIN deliveries AS d ON d.id = req.delivery_id
        LEFT JOIN answers AS a ON a.delivery_id = req.delivery_id AND a.user_id = req.user_id
        LEFT JOIN users AS u ON u.user_id = req.user_id
        LEFT JOIN streaks AS s ON s.user_id = req.user_id
        LEFT JOIN cards AS c ON c.user_id = req.user_id AND c.question_id = d.question_id
        ORDER BY req.n
        """,
        (json.dumps([[d, u] for d, u in requests]),),
    )
    return [
        AnswerContext(
            delivery=_delivery(row, "d_") if row["d_id"] is not None else None,
            earlier=_answer(row, "a_") if row["a_delivery_id"] is not None else None,
            hint_taken=bool(row["hint_taken"]),
            user_exists=bool(row["user_exists"]),
            timezone=row["timezone"],
            streak=streak_from_row(row),
            card=row["card"],
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class CardUpdate:
    user_id: int
    question_id: str
    card_json: str
    due: datetime
    reviews: int  # reviews added by this batch
    lapses: int  # of which wrong


async def save_answers(
    conn: aiosqlite.Connection,
    *,
    new_users: Sequence[tuple[int, bool, datetime]],
    answers: Sequence[AnswerRow],
    cards: Sequence[CardUpdate],
    streaks: Sequence[tuple[int, StreakState]],
) -> None:
    """Write a graded batch: users first (foreign keys), then answers, cards and streaks."""
    await conn.executemany(
        UPSERT_USER,
        [user_params(user_id, private_chat=private, now=at) for user_id, private, at in new_users],
    )
    cursor = await conn.executemany(
        "INSERT INTO answers (delivery_id, user_id, question_id, difficulty, position,"
        " option_index, correct, hinted, answered_at, local_date)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_id, user_id) DO NOTHING",
        [
            (
                a.delivery_id,
                a.user_id,
                a.question_id,
                a.difficulty,
                a.position,
                a.option_index,
                int(a.correct),
                int(a.hinted),
                to_ts(a.answered_at),
                a.local_date.isoformat(),
            )
            for a in answers
        ],
    )
    if answers and cursor.rowcount != len(answers):
        # The caller checked for earlier answers under the write lock, so this means another
        # writer bypassed it; fail the whole batch rather than record cards for lost answers.
        raise RuntimeError(f"expected {len(answers)} new answers, stored {cursor.rowcount}")
    await conn.executemany(
        """
        INSERT INTO cards (user_id, question_id, card, due, reviews, lapses)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (user_id, question_id) DO UPDATE SET card = excluded.card,
            due = excluded.due, reviews = cards.reviews + excluded.reviews,
            lapses = cards.lapses + excluded.lapses
        """,
        [
            (c.user_id, c.question_id, c.card_json, to_ts(c.due), c.reviews, c.lapses)
            for c in cards
        ],
    )
    await conn.executemany(UPSERT_STREAK, [streak_params(user_id, s) for user_id, s in streaks])
