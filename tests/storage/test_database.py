"""The Database handle on a real file: writes under cancellation, open errors, closing."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot import errors
from bot.errors import TutorError
from bot.storage import db as db_module
from bot.storage.db import Database, StorageError
from tests.support.storage import services_at


async def _users(db: Database) -> list[int]:
    async with db.read() as conn:
        rows = await conn.execute_fetchall("SELECT user_id FROM users ORDER BY user_id")
    return [row[0] for row in rows]


async def _add_user(db: Database, user_id: int) -> None:
    async with db.write() as conn:
        await conn.execute(
            "INSERT INTO users (user_id, created_at) VALUES (?, '2025-01-01T00:00:00Z')",
            (user_id,),
        )


async def test_a_write_cancelled_while_waiting_for_the_lock_leaves_later_writes_working(
    tmp_path: Path,
) -> None:
    """A write cancelled while BEGIN waits on another connection's lock is rolled back, so the
    next write starts its own transaction and commits."""
    path = tmp_path / "t.db"
    async with await Database.open(path, busy_timeout_ms=5000) as db:
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            started = asyncio.Event()

            async def blocked_write() -> None:
                started.set()
                await _add_user(db, 1)

            task = asyncio.create_task(blocked_write())
            await started.wait()
            await asyncio.sleep(0.2)  # the BEGIN is now waiting on the busy timeout
            assert not task.done()
            task.cancel()
            # The lock goes away while the cancelled BEGIN is still queued, so it succeeds.
            holder.execute("ROLLBACK")
            with pytest.raises(asyncio.CancelledError):
                await task
        finally:
            holder.close()
        await _add_user(db, 2)
        assert await _users(db) == [2]


async def test_a_write_that_times_out_in_begin_leaves_later_writes_working(
    tmp_path: Path,
) -> None:
    """BEGIN failing on the busy timeout reports 'locked' and the next write still commits."""
    path = tmp_path / "t.db"
    async with await Database.open(path, busy_timeout_ms=50) as db:
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                await _add_user(db, 1)
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        await _add_user(db, 2)
        assert await _users(db) == [2]


async def test_a_database_in_a_missing_folder_is_a_one_line_storage_error(tmp_path: Path) -> None:
    """A path whose folder does not exist raises StorageError naming the file and the folder."""
    path = tmp_path / "missing" / "tutor.db"
    with pytest.raises(StorageError) as caught:
        await Database.open(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message and "unable to open database file" in message
    assert f"the folder {path.parent} does not exist" in message
    assert isinstance(caught.value, TutorError)
    assert db_module.StorageError is errors.StorageError


async def test_a_reader_that_fails_to_close_still_closes_the_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Database.close closes the writer even when closing the reader raises."""
    db = await Database.open(tmp_path / "t.db")
    reader, writer = db._reader, db._writer
    real_close = reader.close

    async def broken_close() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(reader, "close", broken_close)
    try:
        with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
            await db.close()
        with pytest.raises(ValueError, match="no active connection"):
            await writer.execute("SELECT 1")
    finally:
        await real_close()


async def test_services_close_the_database_even_if_draining_answers_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Services.close closes the database when waiting for answers in flight raises."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        writer = services.db._writer

        async def broken_drain() -> None:
            raise RuntimeError("drain failed")

        monkeypatch.setattr(services.quiz, "aclose", broken_drain)
        with pytest.raises(RuntimeError, match="drain failed"):
            await services.close()
        with pytest.raises(ValueError, match="no active connection"):
            await writer.execute("SELECT 1")
        monkeypatch.undo()
        # services_at closes again on exit; a second close must be harmless.
