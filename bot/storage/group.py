"""Group quiz sessions, their rounds and answers, per-group settings and the all-time table.

Schema: migration 2 in ``bot.storage.migrations``. Facts the database itself enforces: one
running session per chat (a partial unique index), one answer per member per round
(``UNIQUE (round_id, user_id)``), round numbers unique within a session. A round is open while
``closed_at`` is NULL; ``close_round`` sets it once, which is what keeps scoring from running
twice. Points and the answer streak are stored with each answer when it is given (the streak
depends only on the previous round, which is always closed by then).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import aiosqlite

from bot.core.content import Difficulty
from bot.core.group_round import Total
from bot.core.streaks import StreakState
from bot.storage.db import from_ts, to_ts
from bot.storage.users import streak_from_row

__all__ = [
    "GroupAnswerRow",
    "LearnerState",
    "RoundRow",
    "ScoreRow",
    "SessionRow",
    "SessionState",
    "add_scores",
    "answered_users",
    "chat_question_history",
    "close_round",
    "count_answers",
    "end_session",
    "get_answer",
    "get_round",
    "get_session",
    "get_settings",
    "idle_sessions",
    "insert_answer",
    "insert_round",
    "insert_session",
    "latest_round",
    "learner_state",
    "mark_announced",
    "mark_chat_shown",
    "mark_revealed",
    "open_rounds",
    "participants",
    "previous_streak",
    "round_answers",
    "running_session",
    "session_question_ids",
    "session_totals",
    "set_round_message",
    "set_settings",
    "top_scores",
    "unannounced_sessions",
    "unrevealed_rounds",
]

SessionState = Literal["running", "finished", "stopped"]


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A group_sessions row."""

    id: int
    chat_id: int
    starter_id: int
    questions: int
    seconds: int
    difficulty: Difficulty | None  # the table's CHECK allows only these
    state: SessionState
    started_at: datetime
    ended_at: datetime | None
    rounds_opened: int  # the number of the latest round, 0 before the first


@dataclass(frozen=True, slots=True)
class RoundRow:
    id: int
    session_id: int
    chat_id: int
    number: int
    total: int  # rounds planned for the session
    seconds: int
    question_id: str
    option_order: str
    opened_at: datetime
    deadline: datetime
    closed_at: datetime | None
    message_id: int | None
    session_state: SessionState

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


@dataclass(frozen=True, slots=True)
class GroupAnswerRow:
    round_id: int
    user_id: int
    display_name: str
    position: int
    option_index: int
    correct: bool
    elapsed_ms: int
    points: int
    streak: int
    difficulty: str
    answered_at: datetime
    local_date: date


@dataclass(frozen=True, slots=True)
class ScoreRow:
    chat_id: int
    user_id: int
    display_name: str
    points: int
    correct: int
    answered: int


# --- settings ---------------------------------------------------------------------------------


async def get_settings(conn: aiosqlite.Connection, chat_id: int) -> bool:
    """Anyone may start (default False)."""
    cursor = await conn.execute(
        "SELECT anyone_can_start FROM group_settings WHERE chat_id = ?", (chat_id,)
    )
    row = await cursor.fetchone()
    return bool(row[0]) if row is not None else False


async def set_settings(
    conn: aiosqlite.Connection, chat_id: int, *, anyone_can_start: bool, now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO group_settings (chat_id, anyone_can_start, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (chat_id) DO UPDATE SET anyone_can_start = excluded.anyone_can_start,"
        " updated_at = excluded.updated_at",
        (chat_id, int(anyone_can_start), to_ts(now)),
    )


# --- sessions ---------------------------------------------------------------------------------

_SESSION_COLUMNS = (
    "s.id, s.chat_id, s.starter_id, s.questions, s.seconds, s.difficulty, s.state,"
    " s.started_at, s.ended_at,"
    " (SELECT COALESCE(MAX(number), 0) FROM group_rounds WHERE session_id = s.id) AS opened"
)


def _session(row: aiosqlite.Row) -> SessionRow:
    return SessionRow(
        id=row["id"],
        chat_id=row["chat_id"],
        starter_id=row["starter_id"],
        questions=row["questions"],
        seconds=row["seconds"],
        difficulty=row["difficulty"],
        state=row["state"],
        started_at=from_ts(row["started_at"]),
        ended_at=from_ts(row["ended_at"]) if row["ended_at"] else None,
        rounds_opened=row["opened"],
    )


async def insert_session(
    conn: aiosqlite.Connection,
    *,
    chat_id: int,
    starter_id: int,
    questions: int,
    seconds: int,
    difficulty: Difficulty | None,
    now: datetime,
) -> int | None:
    """Create a running session; None (nothing written) if the chat already has one."""
    cursor = await conn.execute(
        "INSERT INTO group_sessions (chat_id, starter_id, questions, seconds, difficulty,"
        " started_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (chat_id, starter_id, questions, seconds, difficulty, to_ts(now)),
    )
    return cursor.lastrowid if cursor.rowcount == 1 else None


async def get_session(conn: aiosqlite.Connection, session_id: int) -> SessionRow | None:
    cursor = await conn.execute(
        f"SELECT {_SESSION_COLUMNS} FROM group_sessions AS s WHERE s.id = ?",  # noqa: S608
        (session_id,),
    )
    row = await cursor.fetchone()
    return _session(row) if row is not None else None


async def running_session(conn: aiosqlite.Connection, chat_id: int) -> SessionRow | None:
    cursor = await conn.execute(
        f"SELECT {_SESSION_COLUMNS} FROM group_sessions AS s"  # noqa: S608
        " WHERE s.chat_id = ? AND s.state = 'running'",
        (chat_id,),
    )
    row = await cursor.fetchone()
    return _session(row) if row is not None else None


async def end_session(
    conn: aiosqlite.Connection,
    session_id: int,
    state: Literal["finished", "stopped"],
    now: datetime,
) -> bool:
    """Mark a running session finished or stopped; False if it was not running."""
    cursor = await conn.execute(
        "UPDATE group_sessions SET state = ?, ended_at = ? WHERE id = ? AND state = 'running'",
        (state, to_ts(now), session_id),
    )
    return cursor.rowcount == 1


async def idle_sessions(conn: aiosqlite.Connection) -> list[SessionRow]:
    """Running sessions without an open round: a restart came between a reveal and the next
    question, so the next round still has to be opened."""
    rows = await conn.execute_fetchall(
        f"SELECT {_SESSION_COLUMNS} FROM group_sessions AS s"  # noqa: S608
        " WHERE s.state = 'running' AND NOT EXISTS (SELECT 1 FROM group_rounds AS r"
        " WHERE r.session_id = s.id AND r.closed_at IS NULL) ORDER BY s.id"
    )
    return [_session(row) for row in rows]


# --- rounds -----------------------------------------------------------------------------------

_ROUND_SELECT = (
    "SELECT r.id, r.session_id, s.chat_id, r.number, s.questions, s.seconds, r.question_id,"
    " r.option_order, r.opened_at, r.deadline, r.closed_at, r.message_id, s.state"
    " FROM group_rounds AS r JOIN group_sessions AS s ON s.id = r.session_id"
)


def _round(row: aiosqlite.Row) -> RoundRow:
    return RoundRow(
        id=row["id"],
        session_id=row["session_id"],
        chat_id=row["chat_id"],
        number=row["number"],
        total=row["questions"],
        seconds=row["seconds"],
        question_id=row["question_id"],
        option_order=row["option_order"],
        opened_at=from_ts(row["opened_at"]),
        deadline=from_ts(row["deadline"]),
        closed_at=from_ts(row["closed_at"]) if row["closed_at"] else None,
        message_id=row["message_id"],
        session_state=row["state"],
    )


async def insert_round(
    conn: aiosqlite.Connection,
    *,
    session_id: int,
    number: int,
    question_id: str,
    option_order: str,
    opened_at: datetime,
    deadline: datetime,
) -> int:
    """Store a round of a session; returns its id."""
    cursor = await conn.execute(
        "INSERT INTO group_rounds (session_id, number, question_id, option_order, opened_at,"
        " deadline) VALUES (?, ?, ?, ?, ?, ?)",
        (session_id, number, question_id, option_order, to_ts(opened_at), to_ts(deadline)),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def get_round(conn: aiosqlite.Connection, round_id: int) -> RoundRow | None:
    cursor = await conn.execute(f"{_ROUND_SELECT} WHERE r.id = ?", (round_id,))
    row = await cursor.fetchone()
    return _round(row) if row is not None else None


async def latest_round(conn: aiosqlite.Connection, session_id: int) -> RoundRow | None:
    cursor = await conn.execute(
        f"{_ROUND_SELECT} WHERE r.session_id = ? ORDER BY r.number DESC LIMIT 1", (session_id,)
    )
    row = await cursor.fetchone()
    return _round(row) if row is not None else None


async def open_rounds(conn: aiosqlite.Connection) -> list[RoundRow]:
    """Not closed, soonest deadline first."""
    rows = await conn.execute_fetchall(
        f"{_ROUND_SELECT} WHERE r.closed_at IS NULL ORDER BY r.deadline, r.id"
    )
    return [_round(row) for row in rows]


async def close_round(conn: aiosqlite.Connection, round_id: int, now: datetime) -> bool:
    """Mark the round closed; True only the first time, so scores are added exactly once."""
    cursor = await conn.execute(
        "UPDATE group_rounds SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
        (to_ts(now), round_id),
    )
    return cursor.rowcount == 1


async def unrevealed_rounds(conn: aiosqlite.Connection) -> list[RoundRow]:
    """Closed rounds whose reveal the group has not been shown (a crash came between)."""
    rows = await conn.execute_fetchall(
        f"{_ROUND_SELECT} WHERE r.closed_at IS NOT NULL AND r.revealed_at IS NULL ORDER BY r.id"
    )
    return [_round(row) for row in rows]


async def mark_revealed(conn: aiosqlite.Connection, round_id: int, now: datetime) -> bool:
    cursor = await conn.execute(
        "UPDATE group_rounds SET revealed_at = ? WHERE id = ? AND revealed_at IS NULL",
        (to_ts(now), round_id),
    )
    return cursor.rowcount == 1


async def unannounced_sessions(conn: aiosqlite.Connection) -> list[SessionRow]:
    """Ended sessions whose final standings the group has not been shown."""
    rows = await conn.execute_fetchall(
        f"SELECT {_SESSION_COLUMNS} FROM group_sessions AS s"  # noqa: S608
        " WHERE s.state != 'running' AND s.standings_sent_at IS NULL ORDER BY s.id"
    )
    return [_session(row) for row in rows]


async def mark_announced(conn: aiosqlite.Connection, session_id: int, now: datetime) -> bool:
    cursor = await conn.execute(
        "UPDATE group_sessions SET standings_sent_at = ? WHERE id = ?"
        " AND standings_sent_at IS NULL",
        (to_ts(now), session_id),
    )
    return cursor.rowcount == 1


async def mark_chat_shown(conn: aiosqlite.Connection, chat_id: int, now: datetime) -> None:
    """Count everything of the chat's as shown: it refuses the bot, so nothing more is sent."""
    stamp = to_ts(now)
    await conn.execute(
        "UPDATE group_rounds SET revealed_at = ? WHERE revealed_at IS NULL"
        " AND closed_at IS NOT NULL"
        " AND session_id IN (SELECT id FROM group_sessions WHERE chat_id = ?)",
        (stamp, chat_id),
    )
    await conn.execute(
        "UPDATE group_sessions SET standings_sent_at = ? WHERE chat_id = ?"
        " AND state != 'running' AND standings_sent_at IS NULL",
        (stamp, chat_id),
    )


async def set_round_message(conn: aiosqlite.Connection, round_id: int, message_id: int) -> bool:
    cursor = await conn.execute(
        "UPDATE group_rounds SET message_id = ? WHERE id = ?", (message_id, round_id)
    )
    return cursor.rowcount == 1


async def session_question_ids(conn: aiosqlite.Connection, session_id: int) -> set[str]:
    rows = await conn.execute_fetchall(
        "SELECT question_id FROM group_rounds WHERE session_id = ?", (session_id,)
    )
    return {row[0] for row in rows}


async def chat_question_history(conn: aiosqlite.Connection, chat_id: int) -> dict[str, datetime]:
    """When each question was last asked in this chat's group quizzes."""
    rows = await conn.execute_fetchall(
        "SELECT r.question_id, MAX(r.opened_at) FROM group_rounds AS r"
        " JOIN group_sessions AS s ON s.id = r.session_id WHERE s.chat_id = ?"
        " GROUP BY r.question_id",
        (chat_id,),
    )
    return {row[0]: from_ts(row[1]) for row in rows}


# --- answers ----------------------------------------------------------------------------------

_ANSWER_COLUMNS = (
    "round_id, user_id, display_name, position, option_index, correct, elapsed_ms, points,"
    " streak, difficulty, answered_at, local_date"
)


def _answer(row: aiosqlite.Row) -> GroupAnswerRow:
    return GroupAnswerRow(
        round_id=row["round_id"],
        user_id=row["user_id"],
        display_name=row["display_name"],
        position=row["position"],
        option_index=row["option_index"],
        correct=bool(row["correct"]),
        elapsed_ms=row["elapsed_ms"],
        points=row["points"],
        streak=row["streak"],
        difficulty=row["difficulty"],
        answered_at=from_ts(row["answered_at"]),
        local_date=date.fromisoformat(row["local_date"]),
    )


async def insert_answer(conn: aiosqlite.Connection, answer: GroupAnswerRow) -> bool:
    """Record a member's answer; False (nothing written) if they already answered the round."""
    cursor = await conn.execute(
        f"INSERT INTO group_answers ({_ANSWER_COLUMNS})"  # noqa: S608
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (round_id, user_id) DO NOTHING",
        (
            answer.round_id,
            answer.user_id,
            answer.display_name,
            answer.position,
            answer.option_index,
            int(answer.correct),
            answer.elapsed_ms,
            answer.points,
            answer.streak,
            answer.difficulty,
            to_ts(answer.answered_at),
            answer.local_date.isoformat(),
        ),
    )
    return cursor.rowcount == 1


async def get_answer(
    conn: aiosqlite.Connection, round_id: int, user_id: int
) -> GroupAnswerRow | None:
    cursor = await conn.execute(
        f"SELECT {_ANSWER_COLUMNS} FROM group_answers"  # noqa: S608
        " WHERE round_id = ? AND user_id = ?",
        (round_id, user_id),
    )
    row = await cursor.fetchone()
    return _answer(row) if row is not None else None


async def round_answers(conn: aiosqlite.Connection, round_id: int) -> list[GroupAnswerRow]:
    """In arrival order."""
    rows = await conn.execute_fetchall(
        f"SELECT {_ANSWER_COLUMNS} FROM group_answers WHERE round_id = ? ORDER BY id",  # noqa: S608
        (round_id,),
    )
    return [_answer(row) for row in rows]


async def answered_users(conn: aiosqlite.Connection, round_id: int) -> set[int]:
    rows = await conn.execute_fetchall(
        "SELECT user_id FROM group_answers WHERE round_id = ?", (round_id,)
    )
    return {row[0] for row in rows}


async def count_answers(conn: aiosqlite.Connection, round_id: int) -> int:
    """How many members have answered the round."""
    row = await (
        await conn.execute("SELECT COUNT(*) FROM group_answers WHERE round_id = ?", (round_id,))
    ).fetchone()
    return int(row[0]) if row else 0


async def participants(
    conn: aiosqlite.Connection, session_id: int, before_number: int
) -> set[int]:
    """Members who answered any round of the session numbered below ``before_number``."""
    rows = await conn.execute_fetchall(
        "SELECT DISTINCT a.user_id FROM group_answers AS a"
        " JOIN group_rounds AS r ON r.id = a.round_id"
        " WHERE r.session_id = ? AND r.number < ?",
        (session_id, before_number),
    )
    return {row[0] for row in rows}


async def previous_streak(
    conn: aiosqlite.Connection, session_id: int, number: int, user_id: int
) -> int:
    """The member's run of right answers coming into round ``number``: their streak in the
    round just before, or 0 if they missed it or got it wrong (a wrong answer stores 0)."""
    cursor = await conn.execute(
        "SELECT a.streak FROM group_answers AS a JOIN group_rounds AS r ON r.id = a.round_id"
        " WHERE r.session_id = ? AND r.number = ? AND a.user_id = ?",
        (session_id, number - 1, user_id),
    )
    row = await cursor.fetchone()
    return int(row[0]) if row is not None else 0


async def session_totals(
    conn: aiosqlite.Connection, session_id: int, up_to_number: int
) -> list[Total]:
    """Points and right answers per member over rounds 1..``up_to_number``, with the name
    from their latest answer (SQLite takes bare columns from the row that gave ``MAX``)."""
    rows = await conn.execute_fetchall(
        "SELECT a.user_id, a.display_name, MAX(a.id), SUM(a.points), SUM(a.correct)"
        " FROM group_answers AS a JOIN group_rounds AS r ON r.id = a.round_id"
        " WHERE r.session_id = ? AND r.number <= ? GROUP BY a.user_id",
        (session_id, up_to_number),
    )
    return [Total(int(row[0]), str(row[1]), int(row[3]), int(row[4])) for row in rows]


# --- the all-time table -----------------------------------------------------------------------


async def add_scores(
    conn: aiosqlite.Connection,
    chat_id: int,
    answers: Iterable[GroupAnswerRow],
    now: datetime,
) -> None:
    """Add a finished round's points to the chat's all-time table."""
    await conn.executemany(
        """
        INSERT INTO group_scores (chat_id, user_id, display_name, points, correct, answered,
                                  updated_at)
        VALUES (?, ?, ?, ?, ?, 1, ?)
        ON CONFLICT (chat_id, user_id) DO UPDATE SET display_name = excluded.display_name,
            points = group_scores.points + excluded.points,
            correct = group_scores.correct + excluded.correct,
            answered = group_scores.answered + 1, updated_at = excluded.updated_at
        """,
        [
            (chat_id, a.user_id, a.display_name, a.points, int(a.correct), to_ts(now))
            for a in answers
        ],
    )


async def top_scores(conn: aiosqlite.Connection, chat_id: int) -> list[ScoreRow]:
    rows = await conn.execute_fetchall(
        "SELECT chat_id, user_id, display_name, points, correct, answered FROM group_scores"
        " WHERE chat_id = ? ORDER BY points DESC, user_id",
        (chat_id,),
    )
    return [
        ScoreRow(
            chat_id=row["chat_id"],
            user_id=row["user_id"],
            display_name=row["display_name"],
            points=row["points"],
            correct=row["correct"],
            answered=row["answered"],
        )
        for row in rows
    ]


# --- the member's personal progress -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LearnerState:
    timezone: str | None  # None: the bot's default zone (also for a member never seen)
    streak: StreakState
    card_json: str | None  # None: the member has never answered this question


async def learner_state(
    conn: aiosqlite.Connection, user_id: int, question_id: str
) -> LearnerState:
    """What scoring a group answer into the member's own streak and card needs, in one read."""
    cursor = await conn.execute(
        "SELECT u.timezone, s.current, s.best, s.freezes, s.last_day, c.card"
        " FROM (SELECT ? AS user_id, ? AS question_id) AS req"
        " LEFT JOIN users AS u ON u.user_id = req.user_id"
        " LEFT JOIN streaks AS s ON s.user_id = req.user_id"
        " LEFT JOIN cards AS c ON c.user_id = req.user_id AND c.question_id = req.question_id",
        (user_id, question_id),
    )
    row = await cursor.fetchone()
    assert row is not None  # the derived table always yields one row
    return LearnerState(
        timezone=row["timezone"], streak=streak_from_row(row), card_json=row["card"]
    )
