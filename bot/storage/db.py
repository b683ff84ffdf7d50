"""The SQLite database: connections, pragmas, migrations on open, and write transactions.

Two aiosqlite connections to one file in WAL mode: a writer, used only inside ``write()`` (an
asyncio.Lock plus ``BEGIN IMMEDIATE``, so write transactions never interleave and another process
waits on the busy timeout instead of failing), and a query-only reader for ``read()``, which sees
committed data only, never the half-done transaction of a concurrent writer. ``":memory:"`` uses
the writer for both (a second connection would be a different, empty database).

Instants are stored as fixed-width UTC text (``to_ts``/``from_ts``); ``StorageError`` (from
``bot.errors``) is re-exported here for callers that handle storage failures.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import aiosqlite

from bot.core.clock import require_aware
from bot.errors import StorageError
from bot.storage.migrations import migrate, rollback

__all__ = [
    "Database",
    "DatabaseError",
    "StorageError",
    "describe_failure",
    "failures_as_storage_errors",
    "from_ts",
    "to_ts",
]

_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_ts(moment: datetime) -> str:
    """Fixed-width UTC text, so string order is time order in SQL comparisons and indexes."""
    return require_aware(moment).astimezone(UTC).strftime(_TS_FORMAT)


def from_ts(text: str) -> datetime:
    """The instant ``to_ts`` stored, tz-aware in UTC."""
    # fromisoformat reads the trailing "Z" on 3.11+ and is far faster than strptime.
    return datetime.fromisoformat(text).astimezone(UTC)


async def _connect(path: str, busy_timeout_ms: int, *, query_only: bool) -> aiosqlite.Connection:
    # isolation_level=None: the sqlite3 module must not open transactions behind our back;
    # every write transaction is an explicit BEGIN IMMEDIATE in Database.write().
    pending = aiosqlite.connect(path, isolation_level=None)
    try:
        conn = await pending
    except BaseException:
        await _join_worker(pending)
        raise
    try:
        conn.row_factory = aiosqlite.Row
        # The one place the busy timeout is set (connect()'s timeout= sets the same handler):
        # a pragma takes whole milliseconds and can be read back.
        await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        await conn.execute("PRAGMA foreign_keys = ON")
        if not query_only:
            mode = await (await conn.execute("PRAGMA journal_mode = WAL")).fetchone()
            if path != ":memory:" and mode is not None and str(mode[0]).lower() != "wal":
                raise StorageError(f"could not switch {path} to WAL mode (got {mode[0]})")
            # NORMAL is durable in WAL mode except for the last commits on power loss, which is
            # the usual trade for an app database; it avoids an fsync per answer.
            await conn.execute("PRAGMA synchronous = NORMAL")
            # Deleted rows are overwritten with zeros rather than left in free space, so what
            # /forget deletes is gone from the file (many builds default to off).
            await conn.execute("PRAGMA secure_delete = ON")
        else:
            await conn.execute("PRAGMA query_only = ON")
    except BaseException:
        await conn.close()
        raise
    return conn


async def _join_worker(conn: aiosqlite.Connection) -> None:
    """Wait for the worker thread of a connection that failed to open.

    aiosqlite stops that thread without waiting for it; if the caller then ends the event loop
    (the bot exits on a StorageError), the thread reports back to a closed loop and prints a
    traceback after the one-line error."""
    thread = getattr(conn, "_thread", None)  # where aiosqlite 0.20+ keeps its worker
    if isinstance(thread, threading.Thread) and thread.is_alive():
        await asyncio.to_thread(thread.join, 1.0)


# What a failing SQLite call most likely means for the person at the terminal, by error text.
_CAUSES = (
    ("readonly", "the file or its folder is read-only for this user"),
    ("disk is full", "the disk is full"),
    ("locked", "another program is using the file; stop it or use another file"),
    ("not a database", "the file is damaged or is not an SQLite database"),
    ("malformed", "the file is damaged; restore a backup or start a new file"),
    ("unable to open", "check that the folder exists and is writable"),
)


def describe_failure(name: str, exc: sqlite3.Error, *, opening: bool = False) -> StorageError:
    """One line saying which file could not be used and why, with the likely cause."""
    action = "cannot open database" if opening else "database error in"
    message = f"{action} {name}: {exc}"
    text = str(exc).lower().replace(" ", "")
    for needle, cause in _CAUSES:
        if needle.replace(" ", "") in text:
            message += f" ({cause})"
            break
    folder = Path(name).parent
    if name != ":memory:" and not folder.is_dir():
        message += f" (the folder {folder} does not exist)"
    return StorageError(message)


# What a failed statement or commit raises, for services that outlive one failed write (they
# catch it by this name: sqlite3 stays a storage detail).
DatabaseError = sqlite3.Error


@contextmanager
def failures_as_storage_errors(path: str | Path) -> Iterator[None]:
    """Turn any SQLite failure inside the block into a one-line StorageError about `path`.

    For adapters that run a whole session on one database (the console): a disk that fills up
    or a file locked by another program mid-session ends it with one line, not a traceback."""
    try:
        yield
    except sqlite3.Error as exc:
        raise describe_failure(str(path), exc) from None


def _open_error(name: str, exc: sqlite3.DatabaseError) -> StorageError:
    return describe_failure(name, exc, opening=True)


async def _check_writable(conn: aiosqlite.Connection) -> None:
    """Fail at open, not at the learner's first answer, when the file cannot take writes.

    A read-only file opens without complaint; rewriting the schema version (to the same value)
    is the smallest write that proves the file, its WAL and the folder accept changes."""
    await conn.execute("BEGIN IMMEDIATE")
    try:
        row = await (await conn.execute("PRAGMA user_version")).fetchone()
        version = row[0] if row else 0
        await conn.execute(f"PRAGMA user_version = {int(version)}")
        await conn.execute("COMMIT")
    except BaseException:
        await rollback(conn)
        raise


class Database:
    def __init__(
        self, path: str, writer: aiosqlite.Connection, reader: aiosqlite.Connection
    ) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, *, busy_timeout_ms: int = 5000) -> Database:
        """Open (creating if needed) and migrate the database at ``path``."""
        name = str(path)
        try:
            writer = await _connect(name, busy_timeout_ms, query_only=False)
        except sqlite3.DatabaseError as exc:
            raise _open_error(name, exc) from exc
        try:
            await migrate(writer)
            if name != ":memory:":
                await _check_writable(writer)
            reader = (
                writer
                if name == ":memory:"
                else await _connect(name, busy_timeout_ms, query_only=True)
            )
        except sqlite3.DatabaseError as exc:
            await writer.close()
            raise _open_error(name, exc) from exc
        except StorageError as exc:
            # A foreign or too-new file: the message names the file, keeping the error's type.
            await writer.close()
            exc.args = (f"cannot open database {name}: {exc}",)
            raise
        except BaseException:
            await writer.close()
            raise
        return cls(name, writer, reader)

    async def close(self) -> None:
        async with self._lock:
            try:
                if self._reader is not self._writer:
                    await self._reader.close()
            finally:
                # A reader that fails to close must not leave the writer (and its WAL) open.
                await self._writer.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction; commits on success, rolls back on any exception."""
        async with self._lock:
            try:
                # Inside the try: a task cancelled while BEGIN waits on another process's lock
                # has still queued the BEGIN, which may yet succeed, so it must be rolled back.
                await self._writer.execute("BEGIN IMMEDIATE")
                yield self._writer
            except BaseException:
                await rollback(self._writer)
                raise
            else:
                try:
                    await self._writer.execute("COMMIT")
                except BaseException:
                    await rollback(self._writer)
                    raise

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        """A connection for reads; each statement sees the latest committed data."""
        if self._reader is self._writer:
            async with self._lock:
                yield self._reader
        else:
            yield self._reader

    async def checkpoint(self) -> bool:
        """Copy the WAL into the database file and truncate it to zero bytes; False if a reader
        kept part of it (it is copied by a later checkpoint).

        Until then the WAL holds the page images of recent transactions, including the rows
        they deleted: after /forget that copy must not linger."""
        async with self._lock:
            row = await (await self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")).fetchone()
        return row is not None and int(row[0]) == 0

    async def schema_version(self) -> int:
        """The migration the file is at (PRAGMA user_version)."""
        async with self.read() as conn:
            row = await (await conn.execute("PRAGMA user_version")).fetchone()
        return int(row[0]) if row else 0

    async def integrity_check(self) -> str:
        """SQLite's integrity check: "ok" for a sound file."""
        async with self.read() as conn:
            rows = await conn.execute_fetchall("PRAGMA integrity_check")
        return "\n".join(str(row[0]) for row in rows)
