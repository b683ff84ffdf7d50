"""Opening the database: pragmas, migrations from empty, re-runs, failures, newer files."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from bot.services import Services
from bot.storage import migrations
from bot.storage import users as users_db
from bot.storage.db import Database, StorageError
from bot.storage.migrations import (
    LATEST_VERSION,
    MIGRATIONS,
    Migration,
    SchemaTooNewError,
    migrate,
)
from tests.support.storage import make_pack

TABLES = {
    "answers",
    "cards",
    "daily_sent",
    "daily_subscriptions",
    "deliveries",
    "hints",
    "reminders_sent",
    "streaks",
    "users",
}


def schema(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        ).fetchall()


async def test_empty_file_is_migrated_to_the_latest_version(tmp_path: Path) -> None:
    """A new file gets every table and user_version equal to the last migration."""
    async with await Database.open(tmp_path / "t.db") as db:
        assert await db.schema_version() == LATEST_VERSION == MIGRATIONS[-1].version
        async with db.read() as conn:
            rows = await conn.execute_fetchall("SELECT name FROM sqlite_master WHERE type='table'")
        # Later migrations add tables; these are the ones migration 1 owes everyone.
        assert {row[0] for row in rows} >= TABLES
        assert await db.integrity_check() == "ok"


async def test_pragmas_are_set_on_open(tmp_path: Path) -> None:
    """WAL journal, foreign keys and a busy timeout are in force on the connections."""
    async with await Database.open(tmp_path / "t.db", busy_timeout_ms=1234) as db:
        async with db.write() as conn:
            journal = await (await conn.execute("PRAGMA journal_mode")).fetchone()
            keys = await (await conn.execute("PRAGMA foreign_keys")).fetchone()
            busy = await (await conn.execute("PRAGMA busy_timeout")).fetchone()
        async with db.read() as conn:
            reader_keys = await (await conn.execute("PRAGMA foreign_keys")).fetchone()
    assert journal is not None and journal[0] == "wal"
    assert keys is not None and keys[0] == 1
    assert reader_keys is not None and reader_keys[0] == 1
    assert busy is not None and busy[0] == 1234


async def test_rerunning_migrations_is_a_no_op(tmp_path: Path) -> None:
    """Migrating an up-to-date file applies nothing and leaves the schema identical."""
    path = tmp_path / "t.db"
    async with await Database.open(path):
        pass
    before = schema(path)
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert await migrate(conn) == []
    async with await Database.open(path) as db:
        assert await db.schema_version() == LATEST_VERSION
    assert schema(path) == before


async def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    """An answer for a delivery that does not exist is refused by the database."""
    async with await Database.open(tmp_path / "t.db") as db:
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            async with db.write() as conn:
                await conn.execute(
                    "INSERT INTO users (user_id, created_at) VALUES (1, '2025-01-01T00:00:00Z')"
                )
                await conn.execute(
                    "INSERT INTO answers (delivery_id, user_id, question_id, difficulty,"
                    " position, option_index, correct, hinted, answered_at, local_date)"
                    " VALUES (999, 1, 'q', 'easy', 0, 0, 1, 0, 'x', '2025-01-01')"
                )
        # The failed transaction rolled back as a whole: the user row is gone too.
        async with db.read() as conn:
            rows = await conn.execute_fetchall("SELECT COUNT(*) FROM users")
        assert next(iter(rows))[0] == 0


async def test_an_appended_migration_runs_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Appending the next migration upgrades an existing file, and only once."""
    path = tmp_path / "t.db"
    async with await Database.open(path):
        pass
    following = LATEST_VERSION + 1
    extra = Migration(following, "next", "CREATE TABLE appended (id INTEGER PRIMARY KEY);")
    monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, extra))
    monkeypatch.setattr(migrations, "LATEST_VERSION", following)
    async with await Database.open(path) as db:
        assert await db.schema_version() == following
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert await migrate(conn) == []


async def test_a_failing_migration_leaves_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A migration that fails halfway is rolled back whole: no new table, version unchanged."""
    path = tmp_path / "t.db"
    async with await Database.open(path):
        pass
    broken = Migration(
        LATEST_VERSION + 1,
        "broken",
        "CREATE TABLE half_done (id INTEGER);\nCREATE TABLE users (x INTEGER);",
    )
    monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, broken))
    monkeypatch.setattr(migrations, "LATEST_VERSION", LATEST_VERSION + 1)
    with pytest.raises(StorageError, match="already exists"):
        await Database.open(path)
    monkeypatch.undo()
    async with await Database.open(path) as db:
        assert await db.schema_version() == LATEST_VERSION
    assert "half_done" not in {name for name, _ in schema(path)}


async def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    """A file from a newer version of the bot is refused with a StorageError (no downgrade)."""
    path = tmp_path / "t.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    with pytest.raises(SchemaTooNewError, match="newer than this code") as caught:
        await Database.open(path)
    # One type for every storage failure, so the CLI reports them alike.
    assert isinstance(caught.value, StorageError)


async def test_a_migration_cancelled_while_waiting_for_the_lock_is_rolled_back(
    tmp_path: Path,
) -> None:
    """migrate() cancelled in BEGIN behind another writer leaves no transaction open, so the
    same connection can migrate again afterwards."""
    path = tmp_path / "t.db"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await conn.execute("PRAGMA busy_timeout = 5000")
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            task = asyncio.create_task(migrate(conn))
            await asyncio.sleep(0.2)  # BEGIN is now waiting on the busy timeout
            assert not task.done()
            task.cancel()
            holder.execute("ROLLBACK")  # the queued BEGIN can now succeed
            with pytest.raises(asyncio.CancelledError):
                await task
        finally:
            holder.close()
        assert not conn.in_transaction
        assert await migrate(conn) == [m.version for m in MIGRATIONS]


def test_migrations_are_numbered_without_gaps() -> None:
    """Versions run 1, 2, 3... so user_version identifies exactly what was applied."""
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


async def test_an_in_memory_database_works_through_the_services() -> None:
    """':memory:' shares one connection for reads and writes and still serves a quiz round."""
    async with await Services.open(":memory:", make_pack()) as services:
        delivery = await services.quiz.next_question(1, 1)
        assert delivery is not None
        assert (await services.quiz.answer(delivery.id, 1, 0)).accepted
        assert (await services.stats.stats(1)).answered == 1
        assert await services.db.integrity_check() == "ok"


async def test_migration_4_counts_what_was_already_closed_as_shown(tmp_path: Path) -> None:
    """Rounds closed and sessions ended before the reveal columns existed were shown then:
    the upgrade must not post them again; open rounds and running sessions stay unshown."""
    path = tmp_path / "v3.db"
    with sqlite3.connect(path, isolation_level=None) as conn:
        for migration in MIGRATIONS[:3]:
            for statement in migrations._statements(migration.sql):
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 3")
        stamp = "2026-01-01T10:00:00.000000Z"
        conn.execute(
            "INSERT INTO group_sessions (id, chat_id, starter_id, questions, seconds, state,"
            " started_at, ended_at) VALUES (1, -5, 7, 2, 20, 'finished', ?, ?),"
            " (2, -6, 7, 2, 20, 'running', ?, NULL)",
            (stamp, stamp, stamp),
        )
        conn.execute(
            "INSERT INTO group_rounds (id, session_id, number, question_id, option_order,"
            " opened_at, deadline, closed_at) VALUES (1, 1, 1, 'q', '0,1,2', ?, ?, ?),"
            " (2, 2, 1, 'q', '0,1,2', ?, ?, NULL)",
            (stamp, stamp, stamp, stamp, stamp),
        )
    async with await Database.open(path) as db, db.read() as conn:
        rounds = await conn.execute_fetchall(
            "SELECT id, revealed_at FROM group_rounds ORDER BY id"
        )
        sessions = await conn.execute_fetchall(
            "SELECT id, standings_sent_at FROM group_sessions ORDER BY id"
        )
    assert [tuple(r) for r in rounds] == [(1, stamp), (2, None)]
    assert [tuple(s) for s in sessions] == [(1, stamp), (2, None)]


async def test_migration_5_adds_the_quiz_level_unset_for_existing_users(tmp_path: Path) -> None:
    """Users stored before the column existed keep every field and have no level (any)."""
    path = tmp_path / "v4.db"
    with sqlite3.connect(path, isolation_level=None) as conn:
        for migration in MIGRATIONS[:4]:
            for statement in migrations._statements(migration.sql):
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 4")
        conn.execute(
            "INSERT INTO users (user_id, timezone, reminders, private_chat, created_at)"
            " VALUES (7, 'Europe/Berlin', 0, 1, '2026-01-01T10:00:00.000000Z')"
        )
    async with await Database.open(path) as db, db.read() as conn:
        row = await users_db.get_user(conn, 7)
    assert row is not None
    assert (row.timezone, row.reminders, row.private_chat, row.quiz_level) == (
        "Europe/Berlin",
        False,
        True,
        None,
    )
