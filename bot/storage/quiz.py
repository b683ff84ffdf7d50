"""Deliveries (questions sent), hints, answers and spaced-repetition cards.

Public API:
    DeliveryRow, AnswerRow
    insert_delivery(conn, *, kind, chat_id, user_id, question_id, option_order, local_day, now)
        -> int (the delivery id)
    get_delivery(conn, delivery_id) -> DeliveryRow | None
    recent_question_ids(conn, user_id) -> set[str]      last one sent to and last one answered by
    add_hint(conn, delivery_id, user_id, now) / has_hint(conn, delivery_id, user_id) -> bool
    get_answer(conn, delivery_id, user_id) -> AnswerRow | None
    insert_answer(conn, AnswerRow-like fields...) -> bool   False if that user already answered
    get_card(conn, user_id, question_id) -> str | None
    save_card(conn, user_id, question_id, card_json, due, *, lapse)
    card_dues(conn, user_id) -> dict[str, datetime]
    answer_totals(conn, user_id) -> dict[str, tuple[int, int]]   difficulty -> (answered, correct)
    answers_by_day(conn, user_id, since) -> dict[date, int]
    count_answers(conn) -> int
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import aiosqlite

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


async def has_hint(conn: aiosqlite.Connection, delivery_id: int, user_id: int) -> bool:
    cursor = await conn.execute(
        "SELECT 1 FROM hints WHERE delivery_id = ? AND user_id = ?", (delivery_id, user_id)
    )
    return await cursor.fetchone() is not None


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


async def insert_answer(conn: aiosqlite.Connection, answer: AnswerRow) -> bool:
    """Record an answer; False (and nothing written) if this user already answered it."""
    cursor = await conn.execute(
        "INSERT INTO answers (delivery_id, user_id, question_id, difficulty, position,"
        " option_index, correct, hinted, answered_at, local_date)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_id, user_id) DO NOTHING",
        (
            answer.delivery_id,
            answer.user_id,
            answer.question_id,
            answer.difficulty,
            answer.position,
            answer.option_index,
            int(answer.correct),
            int(answer.hinted),
            to_ts(answer.answered_at),
            answer.local_date.isoformat(),
        ),
    )
    return cursor.rowcount == 1


async def get_card(conn: aiosqlite.Connection, user_id: int, question_id: str) -> str | None:
    cursor = await conn.execute(
        "SELECT card FROM cards WHERE user_id = ? AND question_id = ?", (user_id, question_id)
    )
    row = await cursor.fetchone()
    return str(row[0]) if row is not None else None


async def save_card(
    conn: aiosqlite.Connection,
    user_id: int,
    question_id: str,
    card_json: str,
    due: datetime,
    *,
    lapse: bool,
) -> None:
    await conn.execute(
        """
        INSERT INTO cards (user_id, question_id, card, due, reviews, lapses)
        VALUES (?, ?, ?, ?, 1, ?)
        ON CONFLICT (user_id, question_id) DO UPDATE SET card = excluded.card,
            due = excluded.due, reviews = cards.reviews + 1,
            lapses = cards.lapses + excluded.lapses
        """,
        (user_id, question_id, card_json, to_ts(due), int(lapse)),
    )


async def card_dues(conn: aiosqlite.Connection, user_id: int) -> dict[str, datetime]:
    rows = await conn.execute_fetchall(
        "SELECT question_id, due FROM cards WHERE user_id = ?", (user_id,)
    )
    return {row[0]: from_ts(row[1]) for row in rows}


async def answer_totals(conn: aiosqlite.Connection, user_id: int) -> dict[str, tuple[int, int]]:
    rows = await conn.execute_fetchall(
        "SELECT difficulty, COUNT(*), SUM(correct) FROM answers WHERE user_id = ?"
        " GROUP BY difficulty",
        (user_id,),
    )
    return {row[0]: (int(row[1]), int(row[2] or 0)) for row in rows}


async def answers_by_day(conn: aiosqlite.Connection, user_id: int, since: date) -> dict[date, int]:
    rows = await conn.execute_fetchall(
        "SELECT local_date, COUNT(*) FROM answers WHERE user_id = ? AND local_date >= ?"
        " GROUP BY local_date",
        (user_id, since.isoformat()),
    )
    return {date.fromisoformat(row[0]): int(row[1]) for row in rows}


async def count_answers(conn: aiosqlite.Connection) -> int:
    row = await (await conn.execute("SELECT COUNT(*) FROM answers")).fetchone()
    return int(row[0]) if row else 0
