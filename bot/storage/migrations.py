"""Numbered schema migrations, tracked in ``PRAGMA user_version``.

To change the schema, append a ``Migration`` with the next number; never edit one that has
shipped. Each runs in its own transaction together with the version bump, so a failed migration
leaves the database at the previous version. Opening a database whose version is higher than the
last migration here is refused (it was written by newer code).

Migration 2 holds the group quiz tables (their functions: ``bot.storage.group``); migration 6 the
gap queue (``bot.storage.gaps``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from dataclasses import dataclass

import aiosqlite

from bot.errors import StorageError

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS",
    "ForeignDatabaseError",
    "Migration",
    "SchemaTooNewError",
    "migrate",
    "rollback",
]


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


_INITIAL = """
-- Telegram ids are 64-bit integers; INTEGER holds them exactly.
CREATE TABLE users (
    user_id      INTEGER PRIMARY KEY,
    timezone     TEXT,                                   -- IANA name; NULL = the bot's default
    reminders    INTEGER NOT NULL DEFAULT 1 CHECK (reminders IN (0, 1)),
    private_chat INTEGER NOT NULL DEFAULT 0 CHECK (private_chat IN (0, 1)),  -- has a DM with us
    created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX users_timezone ON users (timezone);

CREATE TABLE streaks (
    user_id   INTEGER PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
    current   INTEGER NOT NULL DEFAULT 0 CHECK (current >= 0),
    best      INTEGER NOT NULL DEFAULT 0 CHECK (best >= current),
    freezes   INTEGER NOT NULL DEFAULT 0 CHECK (freezes BETWEEN 0 AND 2),
    last_day  TEXT                                       -- ISO date in the user's time zone
) STRICT;

-- One row per question sent; its id is the opaque number in callback data.
CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('quiz', 'daily')),
    chat_id          INTEGER NOT NULL,
    user_id          INTEGER,                            -- who may answer; NULL = anyone in chat
    question_id      TEXT NOT NULL,
    option_order     TEXT NOT NULL,                      -- display position -> option index
    local_date       TEXT,                               -- daily: the chat's local day
    created_at       TEXT NOT NULL
) STRICT;
CREATE INDEX deliveries_user ON deliveries (user_id, id);

CREATE TABLE hints (
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    used_at     TEXT NOT NULL,
    PRIMARY KEY (delivery_id, user_id)
) STRICT, WITHOUT ROWID;

-- The answer history; UNIQUE makes "one answer per delivery per user" a database fact.
CREATE TABLE answers (
    id           INTEGER PRIMARY KEY,
    delivery_id  INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    question_id  TEXT NOT NULL,
    difficulty   TEXT NOT NULL,                          -- kept so stats survive content edits
    position     INTEGER NOT NULL,
    option_index INTEGER NOT NULL,
    correct      INTEGER NOT NULL CHECK (correct IN (0, 1)),
    hinted       INTEGER NOT NULL CHECK (hinted IN (0, 1)),
    answered_at  TEXT NOT NULL,
    local_date   TEXT NOT NULL,                          -- the user's local day when answered
    UNIQUE (delivery_id, user_id)
) STRICT;
CREATE INDEX answers_user_day ON answers (user_id, local_date);
CREATE INDEX answers_user_id ON answers (user_id, id);

-- Spaced-repetition state: the fsrs Card as JSON, with its due time copied out for SQL.
CREATE TABLE cards (
    user_id     INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    card        TEXT NOT NULL,
    due         TEXT NOT NULL,
    reviews     INTEGER NOT NULL DEFAULT 0,
    lapses      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, question_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE daily_subscriptions (
    chat_id    INTEGER PRIMARY KEY,
    send_time  TEXT NOT NULL,                            -- 'HH:MM' on the chat's wall clock
    timezone   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Claimed before sending: the primary key lets at most one daily question out per chat per day.
-- No foreign key to subscriptions, so unsubscribing keeps the history (and the no-repeat rule).
CREATE TABLE daily_sent (
    chat_id     INTEGER NOT NULL,
    local_date  TEXT NOT NULL,
    question_id TEXT NOT NULL,
    delivery_id INTEGER REFERENCES deliveries (id) ON DELETE SET NULL,
    claimed_at  TEXT NOT NULL,
    PRIMARY KEY (chat_id, local_date)
) STRICT, WITHOUT ROWID;

CREATE TABLE reminders_sent (
    user_id    INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    local_date TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (user_id, local_date)
) STRICT, WITHOUT ROWID;
"""

_GROUP_QUIZ = """
CREATE TABLE group_settings (
    chat_id          INTEGER PRIMARY KEY,
    anyone_can_start INTEGER NOT NULL DEFAULT 0 CHECK (anyone_can_start IN (0, 1)),
    updated_at       TEXT NOT NULL
) STRICT;

CREATE TABLE group_sessions (
    id         INTEGER PRIMARY KEY,
    chat_id    INTEGER NOT NULL,
    starter_id INTEGER NOT NULL,
    questions  INTEGER NOT NULL CHECK (questions >= 1),     -- rounds planned
    seconds    INTEGER NOT NULL CHECK (seconds >= 1),       -- per round
    difficulty TEXT CHECK (difficulty IN ('easy', 'medium', 'hard')),  -- NULL = every level
    state      TEXT NOT NULL DEFAULT 'running'
               CHECK (state IN ('running', 'finished', 'stopped')),
    started_at TEXT NOT NULL,
    ended_at   TEXT
) STRICT;
-- One running session per group is a database fact, so two racing /groupquiz cannot both win.
CREATE UNIQUE INDEX group_sessions_running ON group_sessions (chat_id) WHERE state = 'running';
CREATE INDEX group_sessions_chat ON group_sessions (chat_id, id);

CREATE TABLE group_rounds (
    id           INTEGER PRIMARY KEY,                   -- the opaque id in callback data
    session_id   INTEGER NOT NULL REFERENCES group_sessions (id) ON DELETE CASCADE,
    number       INTEGER NOT NULL CHECK (number >= 1),
    question_id  TEXT NOT NULL,
    option_order TEXT NOT NULL,                         -- display position -> option index
    opened_at    TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    closed_at    TEXT,                                  -- NULL while answers are taken
    message_id   INTEGER,                               -- the group message, for edits
    UNIQUE (session_id, number)
) STRICT;
-- Start-up lists the open rounds to resume their timers.
CREATE INDEX group_rounds_open ON group_rounds (deadline) WHERE closed_at IS NULL;

CREATE TABLE group_answers (
    id           INTEGER PRIMARY KEY,                   -- arrival order
    round_id     INTEGER NOT NULL REFERENCES group_rounds (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    display_name TEXT NOT NULL,
    position     INTEGER NOT NULL,
    option_index INTEGER NOT NULL,
    correct      INTEGER NOT NULL CHECK (correct IN (0, 1)),
    elapsed_ms   INTEGER NOT NULL CHECK (elapsed_ms >= 0),
    points       INTEGER NOT NULL CHECK (points >= 0),
    streak       INTEGER NOT NULL CHECK (streak >= 0),  -- right answers in a row, this included
    difficulty   TEXT NOT NULL,                         -- kept so stats survive content edits
    answered_at  TEXT NOT NULL,
    local_date   TEXT NOT NULL,                         -- the member's local day
    UNIQUE (round_id, user_id)
) STRICT;
CREATE INDEX group_answers_user_day ON group_answers (user_id, local_date);

CREATE TABLE group_scores (
    chat_id      INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    display_name TEXT NOT NULL,                         -- the latest name seen
    points       INTEGER NOT NULL DEFAULT 0,
    correct      INTEGER NOT NULL DEFAULT 0,
    answered     INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (chat_id, user_id)
) STRICT, WITHOUT ROWID;
"""

_DAILY_SENT_AT = """
-- Set once Telegram accepted the daily question. A claim still without it at start-up belongs to
-- a process that died while the question waited its turn to go out: it is given back and sent.
ALTER TABLE daily_sent ADD COLUMN sent_at TEXT;

-- Claims made before this column existed were either sent or given back: never send them again.
UPDATE daily_sent SET sent_at = claimed_at;
"""

_REVEALED = """
-- Closing a round and telling the group are two steps; these record that the second was done,
-- so a restart shows every reveal and final table a crash kept from the group.
-- Set once the group was shown the round's result (its buttons removed, the answer posted).
ALTER TABLE group_rounds ADD COLUMN revealed_at TEXT;
-- Set once an ended session's final (or "stopped") standings were posted.
ALTER TABLE group_sessions ADD COLUMN standings_sent_at TEXT;

-- What was closed or ended before these columns existed was shown then (or is long past).
UPDATE group_rounds SET revealed_at = closed_at WHERE closed_at IS NOT NULL;
UPDATE group_sessions SET standings_sent_at = ended_at WHERE ended_at IS NOT NULL;

-- Start-up lists what is still to be shown.
CREATE INDEX group_rounds_unrevealed ON group_rounds (id)
    WHERE closed_at IS NOT NULL AND revealed_at IS NULL;
CREATE INDEX group_sessions_unannounced ON group_sessions (id)
    WHERE state != 'running' AND standings_sent_at IS NULL;
"""

_QUIZ_LEVEL = """
-- The level of each learner's last /quiz (NULL: any level), which Next, the menu's Quiz entry and
-- the reminder's "Quiz me now" reuse; kept in memory before, so a restart forgot it.
ALTER TABLE users ADD COLUMN quiz_level TEXT;
"""

_ENTRY_ASKS = """
-- How often each content entry answered a question typed in a chat: the counts alone, with no
-- user, chat or time, so nothing in it is personal. Inline mode shows the most asked first.
CREATE TABLE entry_asks (
    entry_id TEXT PRIMARY KEY,
    asked    INTEGER NOT NULL CHECK (asked >= 0)
) STRICT, WITHOUT ROWID;
"""

_QUESTION_GAPS = """
-- Free-text questions the content could not answer outright (a "did you mean" or the fallback),
-- kept 90 days for the content authors (`tutor-bot gaps`, /gaps); bot.storage.gaps.
CREATE TABLE question_gaps (
    id          INTEGER PRIMARY KEY,                    -- the opaque id in "did you mean" buttons
    user_id     INTEGER NOT NULL,                       -- who asked (/export, /forget)
    chat_kind   TEXT NOT NULL CHECK (chat_kind IN ('private', 'group')),
    question    TEXT NOT NULL,                          -- as asked, cleaned and capped
    normalised  TEXT NOT NULL,                          -- lower case, words only: grouped in SQL
    outcome     TEXT NOT NULL CHECK (outcome IN ('suggest', 'fallback')),
    suggestions TEXT NOT NULL DEFAULT '',               -- the entry ids offered, space-separated
    picked      TEXT,                                   -- the suggestion the asker then opened
    asked_at    TEXT NOT NULL
) STRICT;
CREATE INDEX question_gaps_user ON question_gaps (user_id);
-- Pruning after 90 days reads a time range.
CREATE INDEX question_gaps_asked ON question_gaps (asked_at);
-- The authors' report counts by text in one pass over this index, never touching the table:
-- a million rows take about a second.
CREATE INDEX question_gaps_text ON question_gaps (normalised, outcome, picked, asked_at);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "users, answers, spaced repetition, streaks, daily questions", _INITIAL),
    Migration(2, "group quiz: settings, sessions, rounds, answers, all-time scores", _GROUP_QUIZ),
    Migration(3, "daily questions: when Telegram accepted each one", _DAILY_SENT_AT),
    Migration(4, "group quiz: when each reveal and final table was shown", _REVEALED),
    Migration(5, "users: the level of their last quiz", _QUIZ_LEVEL),
    Migration(6, "anonymous count of questions answered per content entry", _ENTRY_ASKS),
    Migration(7, "questions the content could not answer, for the authors", _QUESTION_GAPS),
)
LATEST_VERSION = MIGRATIONS[-1].version

if [m.version for m in MIGRATIONS] != list(range(1, len(MIGRATIONS) + 1)):
    raise RuntimeError("migrations must be numbered 1, 2, 3... without gaps")  # pragma: no cover


class SchemaTooNewError(StorageError):
    def __init__(self, found: int) -> None:
        super().__init__(
            f"the database is at schema version {found}, newer than this code knows "
            f"({LATEST_VERSION}); upgrade the bot instead of downgrading the data"
        )


class ForeignDatabaseError(StorageError):
    def __init__(self, tables: list[str]) -> None:
        shown = ", ".join(tables[:3]) + (", ..." if len(tables) > 3 else "")
        super().__init__(
            f"the file is not a tutor-bot database (it already holds other tables: {shown}); "
            "point TUTOR_DB_PATH or --db at a new file"
        )


async def _foreign_tables(conn: aiosqlite.Connection) -> list[str]:
    """Tables in a file that has no schema version yet: another program's data, never ours."""
    rows = await conn.execute_fetchall(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [str(row[0]) for row in rows]


async def _version(conn: aiosqlite.Connection) -> int:
    row = await (await conn.execute("PRAGMA user_version")).fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: aiosqlite.Connection) -> list[int]:
    """Bring the schema up to ``LATEST_VERSION``; a no-op on an up-to-date database."""
    applied: list[int] = []
    for migration in MIGRATIONS:
        try:
            # Read the version inside the write lock of BEGIN IMMEDIATE, so two processes
            # opening the same new file cannot both apply migration 1. BEGIN is inside the try:
            # cancelled while it waits, it may still succeed and must be rolled back.
            await conn.execute("BEGIN IMMEDIATE")
            current = await _version(conn)
            if current > LATEST_VERSION:
                raise SchemaTooNewError(current)
            if current >= migration.version:
                await conn.execute("COMMIT")
                continue
            # Migrating someone else's SQLite file would write our tables into their data.
            if current == 0 and (tables := await _foreign_tables(conn)):
                raise ForeignDatabaseError(tables)
            for statement in _statements(migration.sql):
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            await conn.execute("COMMIT")
        except BaseException:
            await rollback(conn)
            raise
        applied.append(migration.version)
    return applied


async def rollback(conn: aiosqlite.Connection) -> None:
    """Roll back whatever transaction ``conn`` may be in, even while being cancelled.

    aiosqlite runs statements in order on one thread, so the ROLLBACK lands after a BEGIN
    still waiting for the lock and before the next writer's BEGIN; shielded, a second
    cancellation cannot drop it. "No transaction is active" (BEGIN itself failed, or a failed
    COMMIT already ended it) leaves nothing to undo."""
    with contextlib.suppress(sqlite3.OperationalError):
        await asyncio.shield(conn.execute("ROLLBACK"))


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit on its own)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        raise ValueError(f"incomplete SQL statement in migration: {buffer.strip()[:60]}")
    return statements
