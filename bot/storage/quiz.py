"""Deliveries (questions sent), hints, answers and spaced-repetition cards.

Public API:
    DeliveryRow, AnswerRow
    insert_delivery(conn, *, kind, chat_id, user_id, question_id, option_order, local_day, now)
        -> int (the delivery id)
    get_delivery(conn, delivery_id) -> DeliveryRow | None
    recent_question_ids(conn, user_id) -> set[str]      last one sent to and last one answered by
    add_hint(conn, delivery_id, user_id, now)
    get_answer(conn, delivery_id, user_id) -> AnswerRow | None
    card_dues(conn, user_id) -> dict[str, datetime]
    answer_totals(conn, user_id) -> dict[str, tuple[int, int]]   difficulty -> (answered, correct)
    answers_by_day(conn, user_id, since) -> dict[date, int]
        (both include group quiz answers, which count for the streak as well)
    count_answers(conn) -> int
    answer_contexts(conn, [(delivery_id, user_id), ...]) -> list[AnswerContext]   one query
    save_answers(conn, *, new_users, answers, cards, streaks)    one executemany per table
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import aiosqlite

from bot.core.streaks import StreakState
from bot.storage.db import from_ts, to_ts

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


async def get_delivery(conn: aiosqlite.Connection, delivery_id: int) -> DeliveryRow | None:
    cursor = await conn.execute(
        "SELECT id, kind, chat_id, user_id, question_id, option_order, local_date, created_at"
        " FROM deliveries WHERE id = ?",
        (delivery_id,),
    )
    row = await cursor.fetchone()
    if row is None:
        return None
    return DeliveryRow(
        id=row["id"],
        kind=row["kind"],
        chat_id=row["chat_id"],
        user_id=row["user_id"],
        question_id=row["question_id"],
        option_order=row["option_order"],
        local_date=date.fromisoformat(row["local_date"]) if row["local_date"] else None,
        created_at=from_ts(row["created_at"]),
    )


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


def _answer(row: aiosqlite.Row) -> AnswerRow:
    return AnswerRow(
        delivery_id=row["delivery_id"],
        user_id=row["user_id"],
        question_id=row["question_id"],
        difficulty=row["difficulty"],
        position=row["position"],
        option_index=row["option_index"],
        correct=bool(row["correct"]),
        hinted=bool(row["hinted"]),
        answered_at=from_ts(row["answered_at"]),
        local_date=date.fromisoformat(row["local_date"]),
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


async def answer_totals(conn: aiosqlite.Connection, user_id: int) -> dict[str, tuple[int, int]]:
    # Group quiz answers count too: they feed the same streak, so the numbers must agree.
    rows = await conn.execute_fetchall(
        "SELECT difficulty, COUNT(*), SUM(correct) FROM (SELECT difficulty, correct FROM answers"
        " WHERE user_id = ? UNION ALL SELECT difficulty, correct FROM group_answers"
        " WHERE user_id = ?) GROUP BY difficulty",
        (user_id, user_id),
    )
    return {row[0]: (int(row[1]), int(row[2] or 0)) for row in rows}


async def answers_by_day(conn: aiosqlite.Connection, user_id: int, since: date) -> dict[date, int]:
    rows = await conn.execute_fetchall(
        "SELECT local_date, COUNT(*) FROM (SELECT local_date FROM answers"
        " WHERE user_id = ? AND local_date >= ? UNION ALL SELECT local_date FROM group_answers"
        " WHERE user_id = ? AND local_date >= ?) GROUP BY local_date",
        (user_id, since.isoformat(), user_id, since.isoformat()),
    )
    return {date.fromisoformat(row[0]): int(row[1]) for row in rows}


async def count_answers(conn: aiosqlite.Connection) -> int:
    row = await (await conn.execute("SELECT COUNT(*) FROM answers")).fetchone()
    return int(row[0]) if row else 0


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
        SELECT req.n, req.user_id AS req_user,
               d.id, d.kind, d.chat_id, d.user_id, d.question_id, d.option_order,
               d.local_date, d.created_at,
               a.difficulty AS a_difficulty, a.position AS a_position,
               a.option_index AS a_option_index, a.correct AS a_correct, a.hinted AS a_hinted,
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
    contexts: list[AnswerContext] = []
    for row in rows:
        delivery = (
            DeliveryRow(
                id=row["id"],
                kind=row["kind"],
                chat_id=row["chat_id"],
                user_id=row["user_id"],
                question_id=row["question_id"],
                option_order=row["option_order"],
                local_date=date.fromisoformat(row["local_date"]) if row["local_date"] else None,
                created_at=from_ts(row["created_at"]),
            )
            if row["id"] is not None
            else None
        )
        earlier = (
            AnswerRow(
                delivery_id=row["id"],
                user_id=row["req_user"],
                question_id=row["question_id"],
                difficulty=row["a_difficulty"],
                position=row["a_position"],
                option_index=row["a_option_index"],
                correct=bool(row["a_correct"]),
                hinted=bool(row["a_hinted"]),
                answered_at=from_ts(row["a_answered_at"]),
                local_date=date.fromisoformat(row["a_local_date"]),
            )
            if row["a_position"] is not None
            else None
        )
        streak = (
            StreakState(
                current=row["current"],
                best=row["best"],
                freezes=row["freezes"],
                last_day=date.fromisoformat(row["last_day"]) if row["last_day"] else None,
            )
            if row["current"] is not None
            else StreakState()
        )
        contexts.append(
            AnswerContext(
                delivery=delivery,
                earlier=earlier,
                hint_taken=bool(row["hint_taken"]),
                user_exists=bool(row["user_exists"]),
                timezone=row["timezone"],
                streak=streak,
                card=row["card"],
            )
        )
    return contexts


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
        """
        INSERT INTO users (user_id, private_chat, created_at) VALUES (?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET private_chat = 1
            WHERE excluded.private_chat = 1 AND users.private_chat = 0
        """,
        [(user_id, int(private), to_ts(at)) for user_id, private, at in new_users],
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
    await conn.executemany(
        """
        INSERT INTO streaks (user_id, current, best, freezes, last_day) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET current = excluded.current, best = excluded.best,
            freezes = excluded.freezes, last_day = excluded.last_day
        """,
        [
            (
                user_id,
                s.current,
                s.best,
                s.freezes,
                s.last_day.isoformat() if s.last_day else None,
            )
            for user_id, s in streaks
        ],
    )
